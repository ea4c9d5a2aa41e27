// Bloom filter: no false negatives, the false-positive rate at several sizes, and robustness
// to filters that do not parse.
#include "store/bloom.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "util/coding.h"

namespace strata::store {
namespace {

std::string Key(uint32_t i) {
  std::string s;
  PutFixed32(&s, i);
  return s;
}

std::string BuildFilter(int bits_per_key, uint32_t n, uint32_t first = 0) {
  BloomFilterBuilder b(bits_per_key);
  for (uint32_t i = first; i < first + n; i++) b.AddKey(Key(i));
  std::string f;
  b.Finish(&f);
  return f;
}

// Fraction of 10000 keys never added (disjoint range) that the filter lets through.
double FalsePositiveRate(const std::string& filter) {
  int hits = 0;
  constexpr int kProbes = 10000;
  for (uint32_t i = 0; i < kProbes; i++) {
    if (BloomFilterPolicy::KeyMayMatch(Key(i + 1000000000u), filter)) hits++;
  }
  return static_cast<double>(hits) / kProbes;
}

TEST(Bloom, ProbeCountFollowsBitsPerKey) {
  EXPECT_EQ(BloomFilterPolicy(10).num_probes(), 6);
  EXPECT_EQ(BloomFilterPolicy(1).num_probes(), 1);
  EXPECT_EQ(BloomFilterPolicy(20).num_probes(), 13);
  EXPECT_EQ(BloomFilterPolicy(100).num_probes(), 30);
}

TEST(Bloom, EmptyFilterMatchesNothingMuch) {
  std::string f = BuildFilter(10, 0);
  EXPECT_EQ(f.size(), 64u + 2);
  EXPECT_FALSE(BloomFilterPolicy::KeyMayMatch("hello", f));
  EXPECT_FALSE(BloomFilterPolicy::KeyMayMatch("", f));
}

TEST(Bloom, SmallFilter) {
  BloomFilterBuilder b(10);
  b.AddKey("hello");
  b.AddKey("world");
  b.AddKey("");
  b.AddKey(std::string("\0x", 2));
  std::string f;
  b.Finish(&f);
  EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch("hello", f));
  EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch("world", f));
  EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch("", f));
  EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch(std::string("\0x", 2), f));
  EXPECT_FALSE(BloomFilterPolicy::KeyMayMatch("x", f));
  EXPECT_FALSE(BloomFilterPolicy::KeyMayMatch("foo", f));
}

TEST(Bloom, NoFalseNegativesAndLowFalsePositivesAcrossSizes) {
  int mediocre = 0, good = 0;
  for (uint32_t n = 1; n <= 100000; n = (n < 10 ? n + 1 : n * 2 + n / 3)) {
    std::string f = BuildFilter(10, n);
    // Filter size ~ n * 10 bits, rounded up to whole 64-byte lines.
    EXPECT_LE(f.size(), (n * 10 / 8) + 64 + 2) << n;
    for (uint32_t i = 0; i < n; i++) {
      ASSERT_TRUE(BloomFilterPolicy::KeyMayMatch(Key(i), f)) << "length " << n << " key " << i;
    }
    double rate = FalsePositiveRate(f);
    EXPECT_LE(rate, 0.02) << n;  // never worse than 2%
    if (rate > 0.0125) {
      mediocre++;
    } else {
      good++;
    }
  }
  EXPECT_LE(mediocre, good / 5) << "too many filters above 1.25%";
}

// The number quoted in the report: one large filter at 10 bits/key.
TEST(Bloom, FalsePositiveRateAtTenBitsPerKey) {
  constexpr uint32_t kKeys = 200000;
  std::string f = BuildFilter(10, kKeys);
  int hits = 0;
  constexpr int kProbes = 1000000;
  for (uint32_t i = 0; i < kProbes; i++) {
    if (BloomFilterPolicy::KeyMayMatch(Key(i + 1000000000u), f)) hits++;
  }
  double rate = static_cast<double>(hits) / kProbes;
  std::printf("bloom: %u keys, 10 bits/key, %zu bytes: false-positive rate %.3f%%\n", kKeys,
              f.size(), rate * 100);
  EXPECT_GT(rate, 0.002);  // a sanity floor: the filter is not secretly larger
  EXPECT_LT(rate, 0.0125);
}

TEST(Bloom, MoreBitsFewerFalsePositives) {
  double r5 = FalsePositiveRate(BuildFilter(5, 20000));
  double r10 = FalsePositiveRate(BuildFilter(10, 20000));
  double r20 = FalsePositiveRate(BuildFilter(20, 20000));
  std::printf("bloom: fp rate 5 bits %.3f%%, 10 bits %.3f%%, 20 bits %.3f%%\n", r5 * 100, r10 * 100,
              r20 * 100);
  EXPECT_GT(r5, r10);
  EXPECT_GT(r10, r20);
  EXPECT_LT(r5, 0.15);
  EXPECT_LT(r20, 0.002);
}

TEST(Bloom, DuplicateConsecutiveKeysCountOnce) {
  BloomFilterBuilder b(10);
  for (int i = 0; i < 1000; i++) b.AddKey("same");
  EXPECT_EQ(b.num_keys(), 1u);
  b.AddKey("other");
  b.AddKey("same");
  EXPECT_EQ(b.num_keys(), 3u);
}

TEST(Bloom, CreateFilterFromKeys) {
  BloomFilterPolicy p(10);
  std::vector<std::string_view> keys = {"a", "b", "c"};
  std::string f;
  p.CreateFilterFromKeys(keys, &f);
  for (auto k : keys) EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch(k, f));
}

TEST(Bloom, UnparsableFilterMatchesEverything) {
  std::string f = BuildFilter(10, 1000);
  ASSERT_FALSE(BloomFilterPolicy::KeyMayMatch("absent-key-123", f) &&
               BloomFilterPolicy::KeyMayMatch("absent-key-456", f));
  std::string bad_kind = f;
  bad_kind.back() = 9;
  std::string bad_k = f;
  bad_k[bad_k.size() - 2] = 0;
  std::string bad_k2 = f;
  bad_k2[bad_k2.size() - 2] = 31;
  std::string bad_size = f.substr(1);
  for (const std::string& bad :
       {bad_kind, bad_k, bad_k2, bad_size, std::string(), f.substr(0, 2)}) {
    EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch("absent-key-123", bad));
    EXPECT_TRUE(BloomFilterPolicy::KeyMayMatch("absent-key-456", bad));
  }
}

}  // namespace
}  // namespace strata::store
