// Bloom filters over USER keys (internal keys have their 8-byte tag stripped by the table
// builder/reader), one filter for a whole table.
//
// The filter is cache-local ("blocked"): a key's 64-bit hash picks one 64-byte cache line,
// and all k probes fall inside that line, so a lookup costs one cache miss however big the
// filter is. Probes use double hashing inside the 512-bit line. At 10 bits/key (k = 6) the
// false-positive rate is ~1% (measured in tests/unit/store/bloom_test.cc), slightly above a
// classic bloom filter's 0.8%, for ~k times fewer cache misses.
//
// Filter layout (DO NOT CHANGE: on disk):
//   lines:      num_lines x 64 bytes of bits (num_lines >= 1)
//   num_probes: 1 byte, k in [1, 30]
//   kind:       1 byte, kBloomFilterKind (1 = this cache-local bloom)
// A filter that does not parse (wrong size, unknown kind, bad k) matches every key: a broken
// filter may cost a read, never a wrong answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::store {

// DO NOT CHANGE: stored in the last byte of every filter.
constexpr unsigned char kBloomFilterKind = 1;

class BloomFilterPolicy {
 public:
  // bits_per_key > 0; k = bits_per_key * 0.69 (ln 2), clamped to [1, 30].
  explicit BloomFilterPolicy(int bits_per_key);

  int bits_per_key() const { return bits_per_key_; }
  int num_probes() const { return num_probes_; }

  // Appends a filter for keys with the given hashes (KeyHash of each key) to *dst.
  void CreateFilter(const std::vector<uint64_t>& key_hashes, std::string* dst) const;
  // Convenience: hashes keys and calls the above.
  void CreateFilterFromKeys(const std::vector<std::string_view>& keys, std::string* dst) const;

  static uint64_t KeyHash(std::string_view key);
  // False only if key is certainly not among the keys the filter was built from. Any policy
  // can read any filter (k is stored in the filter).
  static bool KeyMayMatch(std::string_view key, std::string_view filter) {
    return HashMayMatch(KeyHash(key), filter);
  }
  static bool HashMayMatch(uint64_t hash, std::string_view filter);

 private:
  int bits_per_key_;
  int num_probes_;
};

// Collects the user keys of a table being built (as hashes: 8 bytes per distinct key, not the
// keys) and builds its filter. Consecutive duplicates (versions of one user key) count once.
class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(int bits_per_key) : policy_(bits_per_key) {}

  void AddKey(std::string_view user_key);
  size_t num_keys() const { return hashes_.size(); }
  // Appends the filter to *dst and clears the collected keys.
  void Finish(std::string* dst);

 private:
  BloomFilterPolicy policy_;
  std::vector<uint64_t> hashes_;
};

}  // namespace strata::store
