#include "types/set_algebra.h"

#include <algorithm>
#include <string>

namespace strata::types {
namespace {

// Moves `it` to its first member >= target: a few Next() steps first (cheap when the inputs
// are interleaved densely), then a Seek.
void AdvanceTo(PrefixIterator* it, std::string_view target) {
  for (int i = 0; i < 4; i++) {
    if (!it->Valid() || it->key() >= target) return;
    it->Next();
  }
  if (it->Valid() && it->key() < target) it->Seek(target);
}

Status FirstError(const std::vector<PrefixIterator*>& sets) {
  for (PrefixIterator* it : sets) {
    if (!it->status().ok()) return it->status();
  }
  return Status::OK();
}

}  // namespace

Status Intersect(const std::vector<PrefixIterator*>& sets, const MemberFn& emit) {
  if (sets.empty()) return Status::OK();
  for (PrefixIterator* it : sets) {
    it->SeekToFirst();
    if (!it->Valid()) return FirstError(sets);
  }
  std::string candidate(sets[0]->key());
  while (true) {
    bool all = true;
    for (size_t j = 1; j < sets.size(); j++) {
      AdvanceTo(sets[j], candidate);
      if (!sets[j]->Valid()) return FirstError(sets);
      if (sets[j]->key() != candidate) {
        candidate.assign(sets[j]->key());  // larger: every input must reach it
        all = false;
        break;
      }
    }
    if (all) {
      if (!emit(candidate)) return FirstError(sets);
      sets[0]->Next();
    } else {
      AdvanceTo(sets[0], candidate);
    }
    if (!sets[0]->Valid()) return FirstError(sets);
    candidate.assign(sets[0]->key());
  }
}

Status Union(const std::vector<PrefixIterator*>& sets, const MemberFn& emit) {
  // A min-heap of the inputs by current member; equal members of several inputs come out
  // one after the other and are emitted once.
  auto greater = [&](size_t a, size_t b) { return sets[a]->key() > sets[b]->key(); };
  std::vector<size_t> heap;
  for (size_t i = 0; i < sets.size(); i++) {
    sets[i]->SeekToFirst();
    if (sets[i]->Valid()) heap.push_back(i);
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  std::string last;
  bool any = false;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    PrefixIterator* it = sets[heap.back()];
    if (!any || it->key() != last) {
      last.assign(it->key());
      any = true;
      if (!emit(last)) break;
    }
    it->Next();
    if (it->Valid()) {
      std::push_heap(heap.begin(), heap.end(), greater);
    } else {
      heap.pop_back();
    }
  }
  return FirstError(sets);
}

Status Difference(const std::vector<PrefixIterator*>& sets, const MemberFn& emit) {
  if (sets.empty()) return Status::OK();
  for (size_t j = 1; j < sets.size(); j++) sets[j]->SeekToFirst();
  for (sets[0]->SeekToFirst(); sets[0]->Valid(); sets[0]->Next()) {
    const std::string_view m = sets[0]->key();
    bool excluded = false;
    for (size_t j = 1; j < sets.size() && !excluded; j++) {
      AdvanceTo(sets[j], m);
      excluded = sets[j]->Valid() && sets[j]->key() == m;
    }
    if (!excluded && !emit(m)) break;
  }
  return FirstError(sets);
}

}  // namespace strata::types
