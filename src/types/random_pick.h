// Random elements of one collection generation (SPOP, SRANDMEMBER, HRANDFIELD), read through
// a PrefixIterator over its sub-keys and the element count from its value record. Nothing
// here copies a large collection into memory.
//
// Distribution:
//   - size <= kExactLimit, or a distinct sample of at least a quarter of the collection:
//     exactly uniform. One pass over the elements picks uniformly chosen positions (Floyd's
//     sampling of positions for distinct picks), O(size) time, O(picked) memory.
//   - otherwise each pick seeks to a random probe and takes the first element at or after
//     it (wrapping to the first element). The probe is the elements' common prefix followed
//     by random bytes whose first byte lies between the first and the last element's byte
//     at that position, so keys sharing a long prefix ("user:1234") are still spread. An
//     element's chance is proportional to the gap in byte space between it and the element
//     before it: uniform for evenly spread elements, skewed for clustered ones. O(log) per
//     pick (a few dozen seeks once per command to find the common prefix).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "types/prefix_iterator.h"
#include "util/status.h"

namespace strata::types {

class RandomPicker {
 public:
  static constexpr uint64_t kExactLimit = 1024;
  using Element = std::pair<std::string, std::string>;  // sub-key suffix, value

  // it: over the collection's sub-keys (no writes may be staged while the picker is used);
  // size: its element count (> 0).
  RandomPicker(PrefixIterator* it, uint64_t size, std::mt19937_64* rng)
      : it_(it), size_(size), rng_(rng) {}

  // `count` elements chosen independently (repeats possible), in the order picked.
  Status PickWithRepeats(uint64_t count, std::vector<Element>* out);
  // min(count, size) distinct elements, in element order.
  Status PickDistinct(uint64_t count, std::vector<Element>* out);

 private:
  // The elements at the given sorted distinct positions, in one pass.
  Status AtPositions(const std::vector<uint64_t>& positions, std::vector<Element>* out);
  // Positions [0, size) chosen uniformly: `count` distinct (sorted).
  std::vector<uint64_t> DistinctPositions(uint64_t count);
  // Seek-based pick (large collections): positions the iterator on a random element.
  Status SeekRandom();
  Status FindRange();  // fills prefix_, lo_, hi_ once

  PrefixIterator* it_;
  uint64_t size_;
  std::mt19937_64* rng_;
  bool have_range_ = false;
  std::string prefix_;               // common prefix of the first and the last element
  unsigned char lo_ = 0, hi_ = 255;  // their bytes just after prefix_ (0/255 past the end)
};

}  // namespace strata::types
