#include "types/random_pick.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_set>

namespace strata::types {
namespace {

uint64_t Uniform(std::mt19937_64* rng, uint64_t lo, uint64_t hi) {  // [lo, hi]
  return std::uniform_int_distribution<uint64_t>(lo, hi)(*rng);
}

}  // namespace

Status RandomPicker::PickWithRepeats(uint64_t count, std::vector<Element>* out) {
  out->clear();
  if (size_ <= kExactLimit) {
    std::vector<Element> all;
    for (it_->SeekToFirst(); it_->Valid(); it_->Next()) {
      all.emplace_back(std::string(it_->key()), std::string(it_->value()));
    }
    if (!it_->status().ok()) return it_->status();
    if (all.empty()) return Status::OK();
    out->reserve(count);
    for (uint64_t i = 0; i < count; i++) out->push_back(all[Uniform(rng_, 0, all.size() - 1)]);
    return Status::OK();
  }
  for (uint64_t i = 0; i < count; i++) {
    Status s = SeekRandom();
    if (!s.ok()) return s;
    if (!it_->Valid()) break;
    out->emplace_back(std::string(it_->key()), std::string(it_->value()));
  }
  return Status::OK();
}

Status RandomPicker::PickDistinct(uint64_t count, std::vector<Element>* out) {
  out->clear();
  if (count >= size_) {
    for (it_->SeekToFirst(); it_->Valid(); it_->Next()) {
      out->emplace_back(std::string(it_->key()), std::string(it_->value()));
    }
    return it_->status();
  }
  if (size_ <= kExactLimit || count >= size_ / kExactFraction) {
    return AtPositions(DistinctPositions(count), out);
  }
  // A small sample of a large collection: probes, skipping to the next unchosen element on a
  // repeat.
  std::map<std::string, std::string> chosen;
  while (chosen.size() < count) {
    Status s = SeekRandom();
    if (!s.ok()) return s;
    for (uint64_t steps = 0; it_->Valid() && chosen.count(std::string(it_->key())) > 0; steps++) {
      it_->Next();
      if (!it_->Valid() && steps < size_) it_->SeekToFirst();
    }
    if (!it_->status().ok()) return it_->status();
    if (!it_->Valid()) break;  // fewer elements than the record says
    chosen.emplace(std::string(it_->key()), std::string(it_->value()));
  }
  for (auto& [k, v] : chosen) out->emplace_back(k, std::move(v));
  return Status::OK();
}

std::vector<uint64_t> RandomPicker::DistinctPositions(uint64_t count) {
  // Floyd's algorithm: every count-subset of [0, size) equally likely.
  std::unordered_set<uint64_t> picked;
  picked.reserve(count);
  for (uint64_t j = size_ - count; j < size_; j++) {
    const uint64_t t = Uniform(rng_, 0, j);
    if (!picked.insert(t).second) picked.insert(j);
  }
  std::vector<uint64_t> positions(picked.begin(), picked.end());
  std::sort(positions.begin(), positions.end());
  return positions;
}

Status RandomPicker::AtPositions(const std::vector<uint64_t>& positions,
                                 std::vector<Element>* out) {
  size_t next = 0;
  uint64_t pos = 0;
  for (it_->SeekToFirst(); it_->Valid() && next < positions.size(); it_->Next(), pos++) {
    if (pos != positions[next]) continue;
    out->emplace_back(std::string(it_->key()), std::string(it_->value()));
    next++;
  }
  return it_->status();
}

bool RandomPicker::Branches(const std::string& prefix, Range* r) {
  auto cached = ranges_.find(prefix);
  if (cached != ranges_.end()) {
    *r = cached->second;
    return true;
  }
  it_->Seek(prefix);
  if (!it_->Valid() || !it_->key().starts_with(prefix)) return false;
  r->self = it_->key().size() == prefix.size();
  if (r->self) it_->Next();
  if (!it_->Valid() || !it_->key().starts_with(prefix)) {
    r->lo = r->hi = -1;  // the prefix itself is the only member under it
  } else {
    // The smallest next byte is the first longer member's; the largest, by bisection: the
    // largest b for which some member >= prefix + b still starts with prefix.
    r->lo = static_cast<unsigned char>(it_->key()[prefix.size()]);
    int lo = r->lo, hi = 255;
    std::string probe;
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      probe = prefix;
      probe.push_back(static_cast<char>(mid));
      it_->Seek(probe);
      if (it_->Valid() && it_->key().starts_with(prefix)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    r->hi = lo;
  }
  ranges_.emplace(prefix, *r);
  return true;
}

Status RandomPicker::SeekRandom() {
  Status s = Descend();
  // Then a few elements further: spreads the picks of a branch over its neighbours, which
  // matters where the trie is lopsided (an element equal to a prefix, as "user:1" before
  // "user:10".."user:19999", is one option among its prefix's branches).
  for (uint64_t skip = Uniform(rng_, 0, kSpread - 1); s.ok() && skip > 0; skip--) {
    it_->Next();
    if (!it_->Valid()) it_->SeekToFirst();
    s = it_->status();
  }
  return s;
}

Status RandomPicker::Descend() {
  std::string prefix;
  for (size_t depth = 0; depth < kMaxDepth; depth++) {
    Range r;
    if (!Branches(prefix, &r)) break;  // empty (the record said otherwise): first element
    const int options = (r.hi < 0 ? 0 : r.hi - r.lo + 1) + (r.self ? 1 : 0);
    const int pick = static_cast<int>(Uniform(rng_, 0, options - 1));
    if (r.self && pick == options - 1) {
      it_->Seek(prefix);  // the member equal to the prefix
      return it_->status();
    }
    prefix.push_back(static_cast<char>(r.lo + pick));
    it_->Seek(prefix);
    if (!it_->Valid()) break;
    if (!it_->key().starts_with(prefix)) return it_->status();  // a gap: the next branch
  }
  // Deeper than kMaxDepth: random bytes below the prefix reached.
  std::string probe = prefix;
  const uint64_t r = (*rng_)();
  for (int i = 0; i < 8; i++) probe.push_back(static_cast<char>(r >> (8 * i)));
  it_->Seek(probe);
  if (!it_->Valid() || !it_->key().starts_with(prefix)) it_->Seek(prefix);
  if (!it_->Valid()) it_->SeekToFirst();
  return it_->status();
}

}  // namespace strata::types
