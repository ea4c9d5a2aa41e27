#include "types/random_pick.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace strata::types {
namespace {

// The common prefix search stops here: past it, probes spread over every byte value.
constexpr size_t kMaxPrefix = 64;

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
  if (size_ <= kExactLimit || count >= size_ / 4) {
    return AtPositions(DistinctPositions(count), out);
  }
  // count < size / 4: probes, skipping to the next unchosen element on a repeat.
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

Status RandomPicker::FindRange() {
  have_range_ = true;
  it_->SeekToFirst();
  if (!it_->Valid()) return it_->status();
  const std::string first(it_->key());
  std::string probe;
  for (size_t i = 0; i < kMaxPrefix; i++) {
    // The largest byte at position i among the elements that start with prefix_: the
    // largest b for which some element is >= prefix_ + b and still starts with prefix_.
    auto exists_from = [&](int b) {
      probe = prefix_;
      probe.push_back(static_cast<char>(b));
      it_->Seek(probe);
      return it_->Valid() && it_->key().starts_with(prefix_);
    };
    if (!exists_from(0)) break;  // only `first` itself (== prefix_) starts with prefix_
    int lo = 0, hi = 255;        // exists_from(lo) holds; find the largest such b
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (exists_from(mid)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    const auto first_b = i < first.size() ? static_cast<unsigned char>(first[i]) : 0;
    if (i < first.size() && lo == first_b) {
      prefix_.push_back(first[i]);  // every element has this byte here
      continue;
    }
    lo_ = first_b;
    hi_ = static_cast<unsigned char>(lo);
    break;
  }
  return it_->status();
}

Status RandomPicker::SeekRandom() {
  if (!have_range_) {
    Status s = FindRange();
    if (!s.ok()) return s;
  }
  std::string probe = prefix_;
  probe.push_back(static_cast<char>(Uniform(rng_, lo_, hi_)));
  const uint64_t r = (*rng_)();
  for (int i = 0; i < 8; i++) probe.push_back(static_cast<char>(r >> (8 * i)));
  it_->Seek(probe);
  if (!it_->Valid()) it_->SeekToFirst();
  return it_->status();
}

}  // namespace strata::types
