// Random elements of one collection generation (SPOP, SRANDMEMBER, HRANDFIELD), read through
// a PrefixIterator over its sub-keys and the element count from its value record. Nothing
// here copies a large collection into memory.
//
// Distribution:
//   - size <= kExactLimit, or a distinct sample of at least 1/128 of the collection:
//     exactly uniform. One pass over the elements picks uniformly chosen positions (Floyd's
//     sampling of positions for distinct picks), O(size) time, O(picked) memory.
//   - otherwise a random descent of the elements' byte trie: at each depth the next byte is
//     drawn uniformly between the smallest and the largest next byte that elements under the
//     prefix so far have (an element equal to the prefix is one more option), and a byte no
//     element has leads to the next branch that exists. So elements sharing a long prefix
//     ("user:1234") are still spread, and evenly populated branches (digits, hex ids) give
//     close to uniform picks; a branch's chance is (1 + the byte gap before it) / (the
//     range's width), whatever the branch's size, so elements of small branches next to
//     big ones are favoured. The element reached is then followed by 0..63 more elements
//     (uniformly), which spreads picks in lopsided tries: an element equal to a prefix
//     ("user:1" before "user:10".."user:19999") is one option among that prefix's
//     branches, so it and its neighbours would otherwise come up far too often. Each pick
//     costs one seek per depth, a bisection (8 seeks) per prefix not seen before in this
//     picker (remembered: repeated picks share the top levels) and up to 63 steps. No
//     element list is built.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "types/prefix_iterator.h"
#include "util/status.h"

namespace strata::types {

class RandomPicker {
 public:
  static constexpr uint64_t kExactLimit = 1024;
  using Element = std::pair<std::string, std::string>;  // sub-key suffix, value

  // it: over the collection's sub-keys (no writes may be staged while the picker is used;
  // the picker remembers the element tree's shape);
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
  Status Descend();                        // the trie descent alone
  static constexpr uint64_t kSpread = 64;  // SeekRandom moves on 0..kSpread-1 elements
  // A distinct sample of at least size / kExactFraction walks the whole collection.
  static constexpr uint64_t kExactFraction = 128;
  // The next bytes of the elements under `prefix`: [lo, hi] (-1: none longer than the
  // prefix), and whether the prefix itself is an element. False if no element has it.
  struct Range {
    int lo = -1, hi = -1;
    bool self = false;
  };
  bool Branches(const std::string& prefix, Range* r);
  static constexpr size_t kMaxDepth = 64;  // past it: random bytes

  PrefixIterator* it_;
  uint64_t size_;
  std::mt19937_64* rng_;
  std::unordered_map<std::string, Range> ranges_;  // Branches() of the prefixes seen
};

}  // namespace strata::types
