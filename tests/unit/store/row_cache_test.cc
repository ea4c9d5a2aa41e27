// Row cache on its own: hits and misses, erasure, the sequence rule that refuses a read older
// than a later erase, replacement, the size limits, CLOCK's second chance, the counters, and
// concurrent use.
#include "store/row_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace strata::store {
namespace {

constexpr size_t kShards = 16;  // RowCache::kShards: each shard gets capacity / kShards

std::string Key(const char* prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%06d", prefix, i);
  return buf;
}

// key's cached value, or "MISS".
std::string Lookup(RowCache* cache, std::string_view key) {
  std::string v;
  if (!cache->Get(key, &v)) return "MISS";
  return v;
}

TEST(RowCacheTest, KeysOutsideThePrefixNeverEnterAndCountNothing) {
  RowCache cache(1 << 20, "d");
  cache.Insert("m:count", "1", 1);
  std::string v;
  EXPECT_FALSE(cache.Get("m:count", &v));
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(cache.hits() + cache.misses(), 0u);
  cache.Erase("m:count", 2);  // a no-op
  cache.Insert("d:key", "value", 2);
  ASSERT_TRUE(cache.Get("d:key", &v));
  EXPECT_EQ(v, "value");
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(RowCacheTest, MissThenHitAfterInsert) {
  RowCache cache(1 << 20);
  EXPECT_EQ(Lookup(&cache, "a"), "MISS");
  cache.Insert("a", "va", 1);
  EXPECT_EQ(Lookup(&cache, "a"), "va");
  EXPECT_EQ(Lookup(&cache, "b"), "MISS");
  cache.Insert("b", "", 1);  // an empty value is a value, not a miss
  EXPECT_EQ(Lookup(&cache, "b"), "");
  EXPECT_EQ(Lookup(&cache, "a"), "va");
  EXPECT_GT(cache.usage(), 0u);
  EXPECT_EQ(cache.capacity(), size_t{1} << 20);
}

TEST(RowCacheTest, EraseRemoves) {
  RowCache cache(1 << 20);
  cache.Insert("a", "va", 1);
  cache.Insert("b", "vb", 1);
  cache.Erase("a", 2);
  EXPECT_EQ(Lookup(&cache, "a"), "MISS");
  EXPECT_EQ(Lookup(&cache, "b"), "vb");
  cache.Erase("b", 3);
  EXPECT_EQ(Lookup(&cache, "b"), "MISS");
  EXPECT_EQ(cache.usage(), 0u);
  cache.Erase("never-cached", 4);  // harmless
  EXPECT_EQ(cache.usage(), 0u);
}

// Duty 2: a value read at snapshot S must not be cached once a write with a sequence > S has
// erased the key (it may have replaced what was read).
TEST(RowCacheTest, InsertOlderThanALaterEraseIsRefused) {
  RowCache cache(1 << 20);
  cache.Insert("k", "v1", 10);
  cache.Erase("k", 20);         // a write at 20 replaced v1
  cache.Insert("k", "v1", 10);  // a reader that read at 10 comes late
  EXPECT_EQ(Lookup(&cache, "k"), "MISS");
  cache.Insert("k", "v1", 19);
  EXPECT_EQ(Lookup(&cache, "k"), "MISS");
  EXPECT_EQ(cache.usage(), 0u);

  cache.Insert("k", "v2", 20);  // read at the write's own sequence: it saw the write
  EXPECT_EQ(Lookup(&cache, "k"), "v2");
  cache.Erase("k", 30);
  cache.Insert("k", "v3", 31);  // read after it
  EXPECT_EQ(Lookup(&cache, "k"), "v3");
}

// The refusal also holds when the erase found nothing to remove (the key was not cached).
TEST(RowCacheTest, EraseOfAnUncachedKeyStillRefusesOlderInserts) {
  RowCache cache(1 << 20);
  cache.Erase("k", 100);
  cache.Insert("k", "old", 99);
  EXPECT_EQ(Lookup(&cache, "k"), "MISS");
  cache.Insert("k", "new", 100);
  EXPECT_EQ(Lookup(&cache, "k"), "new");
}

// A smaller erase sequence arriving later does not lower the bar.
TEST(RowCacheTest, EraseSequenceNeverGoesBackwards) {
  RowCache cache(1 << 20);
  cache.Erase("k", 50);
  cache.Erase("k", 10);
  cache.Insert("k", "v", 49);
  EXPECT_EQ(Lookup(&cache, "k"), "MISS");
  cache.Insert("k", "v", 50);
  EXPECT_EQ(Lookup(&cache, "k"), "v");
}

TEST(RowCacheTest, InsertReplacesTheValue) {
  RowCache cache(1 << 20);
  cache.Insert("k", "short", 1);
  const size_t one = cache.usage();
  cache.Insert("k", "a much longer value than before", 2);
  EXPECT_EQ(Lookup(&cache, "k"), "a much longer value than before");
  EXPECT_GT(cache.usage(), one);      // a longer value costs more
  EXPECT_LT(cache.usage(), 2 * one);  // but it is still one entry
  cache.Insert("k", "short", 3);
  EXPECT_EQ(Lookup(&cache, "k"), "short");
  EXPECT_EQ(cache.usage(), one);  // one entry, not two
  cache.Erase("k", 4);
  EXPECT_EQ(Lookup(&cache, "k"), "MISS");  // no older copy left behind
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(RowCacheTest, ZeroCapacityCachesNothing) {
  RowCache cache(0);
  for (int i = 0; i < 100; i++) cache.Insert(Key("k", i), "v", 1);
  cache.Insert("", "", 1);
  for (int i = 0; i < 100; i++) EXPECT_EQ(Lookup(&cache, Key("k", i)), "MISS");
  EXPECT_EQ(Lookup(&cache, ""), "MISS");
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(RowCacheTest, ValueOverAQuarterOfAShardIsNotCached) {
  constexpr size_t kBudget = 4096;  // per shard; a quarter is 1024 bytes, header included
  RowCache cache(kShards * kBudget);
  cache.Insert("big", std::string(kBudget / 4, 'x'), 1);  // over with the key and header
  EXPECT_EQ(Lookup(&cache, "big"), "MISS");
  cache.Insert("huge", std::string(kBudget * 2, 'x'), 1);
  EXPECT_EQ(Lookup(&cache, "huge"), "MISS");
  EXPECT_EQ(cache.usage(), 0u);
  cache.Insert("fits", std::string(kBudget / 8, 'y'), 1);
  EXPECT_EQ(Lookup(&cache, "fits"), std::string(kBudget / 8, 'y'));
}

TEST(RowCacheTest, UsageStaysWithinCapacityAndReturnsToZero) {
  constexpr size_t kCapacity = 64 << 10;
  RowCache cache(kCapacity);
  constexpr int kKeys = 20000;  // about 3 MB of entries into 64 KB
  for (int i = 0; i < kKeys; i++) {
    cache.Insert(Key("key", i), std::string(100, static_cast<char>('a' + i % 26)), 1);
    ASSERT_LE(cache.usage(), kCapacity) << i;
  }
  EXPECT_GT(cache.usage(), kCapacity / 2);  // the cache is in use, not emptied by eviction
  // The newest key is there (nothing was read, so eviction took older entries first).
  const int last = kKeys - 1;
  EXPECT_EQ(Lookup(&cache, Key("key", last)), std::string(100, static_cast<char>('a' + last % 26)));
  int present = 0;
  for (int i = 0; i < kKeys; i++) {
    std::string v;
    if (cache.Get(Key("key", i), &v)) {
      present++;
      EXPECT_EQ(v, std::string(100, static_cast<char>('a' + i % 26))) << i;
    }
  }
  EXPECT_GT(present, 0);
  EXPECT_LT(present, kKeys / 10);
  for (int i = 0; i < kKeys; i++) cache.Erase(Key("key", i), 2);
  EXPECT_EQ(cache.usage(), 0u);
  for (int i = 0; i < kKeys; i += 97) EXPECT_EQ(Lookup(&cache, Key("key", i)), "MISS");
}

// CLOCK: an entry read since eviction last passed it gets one more round; one never read goes
// when its turn comes. The hot keys are read after every insert, so whenever eviction reaches
// one its bit is set (one insert passes an entry at most once: to reach it twice, eviction
// would have to drop the new entry too, which fits on its own). So every hot key survives,
// while the cold keys, inserted at the same time and never read, are evicted once their
// shard has taken in more than its budget (about 13 entries here; each shard gets hundreds).
TEST(RowCacheTest, ClockGivesReadEntriesASecondChance) {
  constexpr size_t kBudget = 2048;
  RowCache cache(kShards * kBudget);
  const std::string value(100, 'v');
  constexpr int kHot = 4, kCold = 4;
  for (int i = 0; i < kHot; i++) cache.Insert(Key("hot", i), value, 1);
  for (int i = 0; i < kCold; i++) cache.Insert(Key("cold", i), value, 1);
  auto read_hot = [&] {
    for (int i = 0; i < kHot; i++) ASSERT_EQ(Lookup(&cache, Key("hot", i)), value) << i;
  };
  read_hot();
  for (int n = 0; n < 8000; n++) {
    cache.Insert(Key("fresh", n), value, 1);
    read_hot();
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (int i = 0; i < kCold; i++) EXPECT_EQ(Lookup(&cache, Key("cold", i)), "MISS") << i;
  // And the fresh keys, never read, were mostly evicted in turn.
  int fresh_present = 0;
  for (int n = 0; n < 8000; n++) {
    std::string v;
    if (cache.Get(Key("fresh", n), &v)) fresh_present++;
  }
  EXPECT_LT(fresh_present, 8000 / 20);
}

TEST(RowCacheTest, HitAndMissCounters) {
  RowCache cache(1 << 20);
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 0u);
  EXPECT_EQ(Lookup(&cache, "a"), "MISS");
  cache.Insert("a", "1", 1);
  EXPECT_EQ(Lookup(&cache, "a"), "1");
  EXPECT_EQ(Lookup(&cache, "a"), "1");
  EXPECT_EQ(Lookup(&cache, "b"), "MISS");
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 2u);
  // Insert and Erase count neither.
  cache.Erase("a", 5);
  cache.Insert("a", "2", 1);  // refused
  cache.Insert("c", "3", 9);
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(Lookup(&cache, "a"), "MISS");
  EXPECT_EQ(Lookup(&cache, "c"), "3");
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 3u);
}

// Four threads insert, read and erase overlapping keys in a cache small enough to evict all
// the time. Every value names its key, so a hit that returns another key's value (or a torn
// one) shows. Meant for TSan as much as for the assertions.
// Random inserts, replacements and erasures over few enough keys that nothing is evicted,
// against a map: exercises the open-addressing table's probe runs, growth and backward-shift
// deletion (an erasure that broke a probe run would turn a cached key into a miss).
TEST(RowCacheTest, MatchesAMapUnderRandomInsertsAndErasures) {
  RowCache cache(64 << 20);
  std::map<std::string, std::string> model;
  std::mt19937 rnd(301);
  uint64_t seq = 1;
  for (int step = 0; step < 200000; step++) {
    const std::string key = Key("k", static_cast<int>(rnd() % 5000));
    switch (rnd() % 4) {
      case 0:
      case 1: {
        const std::string value = key + "@" + std::to_string(step);
        cache.Insert(key, value, seq);
        model[key] = value;
        break;
      }
      case 2:
        cache.Erase(key, seq);
        model.erase(key);
        break;
      default: {
        auto it = model.find(key);
        ASSERT_EQ(Lookup(&cache, key), it == model.end() ? "MISS" : it->second) << "step " << step;
      }
    }
  }
  for (int i = 0; i < 5000; i++) {
    const std::string key = Key("k", i);
    auto it = model.find(key);
    ASSERT_EQ(Lookup(&cache, key), it == model.end() ? "MISS" : it->second) << key;
  }
}

// A write-through fill (kIfRoom) takes only free room: it never evicts, and when it is
// refused, no older value of its key stays behind.
TEST(RowCacheTest, FillIfRoomNeverEvictsAndDropsTheOldValue) {
  RowCache cache(kShards * 4096);  // 4 KiB per shard
  // Fill the cache through reads (which may evict) until well over its size.
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; i++) {
    keys.push_back(Key("r", i));
    cache.Insert(keys.back(), std::string(100, 'r'), 1);
  }
  std::vector<std::string> present;
  for (const std::string& k : keys) {
    if (Lookup(&cache, k) != "MISS") present.push_back(k);
  }
  ASSERT_FALSE(present.empty());
  const size_t usage = cache.usage();
  for (int i = 0; i < 2000; i++) {
    cache.Insert(Key("w", i), std::string(100, 'w'), 1, RowCache::Admit::kIfRoom);
  }
  for (const std::string& k : present) EXPECT_NE(Lookup(&cache, k), "MISS") << k << " evicted";
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_GE(cache.usage(), usage);

  // A present key refilled with no room: the old value must not survive.
  const std::string& k = present.front();
  cache.Insert(k, std::string(300, 'n'), 1, RowCache::Admit::kIfRoom);
  const std::string got = Lookup(&cache, k);
  EXPECT_TRUE(got == "MISS" || got == std::string(300, 'n')) << got.substr(0, 8);
  // Nor when the new value is too large to cache, nor when the insert is refused as stale.
  cache.Insert("big", "small", 1);
  cache.Insert("big", std::string(4096, 'b'), 1);
  EXPECT_EQ(Lookup(&cache, "big"), "MISS");
  cache.Insert("stale", "v1", 5);
  cache.Erase("stale", 9);
  cache.Insert("stale", "v2", 9);
  cache.Insert("stale", "v3", 8);  // refused (8 < 9): v2 must not stay as if v3 never came
  EXPECT_EQ(Lookup(&cache, "stale"), "MISS");
}

// Prefetch is a hint: it must not change contents or counters, for cached, absent and
// colliding keys, including while the table grows.
TEST(RowCacheTest, PrefetchChangesNothing) {
  RowCache cache(16 << 20);
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; i++) keys.push_back(Key("p", i));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  for (int i = 0; i < 3000; i++) {
    if (i % 3 != 0) cache.Insert(keys[i], keys[i] + "=v", 1);
    if (i % 100 == 0) cache.Prefetch(views.data(), views.size());  // between growths
  }
  cache.Prefetch(views.data(), views.size());
  cache.Prefetch(views.data(), 0);
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 0u);
  for (int i = 0; i < 3000; i++) {
    EXPECT_EQ(Lookup(&cache, keys[i]), i % 3 != 0 ? keys[i] + "=v" : "MISS") << keys[i];
  }
}

TEST(RowCacheTest, ConcurrentInsertGetErase) {
  RowCache cache(kShards * 1024);  // a few entries per shard
  constexpr int kThreads = 4, kOps = 20000, kKeys = 64;
  std::atomic<uint64_t> seq{1};
  std::atomic<int> bad{0};
  std::atomic<uint64_t> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1234 + t);
      std::string got;
      for (int i = 0; i < kOps; i++) {
        const int k = static_cast<int>(rng() % kKeys);
        const std::string key = Key("k", k);
        switch (rng() % 4) {
          case 0:
            cache.Erase(key, seq.fetch_add(1) + 1);
            break;
          case 1: {
            // Values of several lengths so that replacement changes the charge.
            std::string value = key + "/" + std::to_string(t) + "/" + std::to_string(i);
            value.resize(value.size() + rng() % 40, '.');
            cache.Insert(key, value, seq.load());
            break;
          }
          default:
            if (cache.Get(key, &got)) {
              hits.fetch_add(1, std::memory_order_relaxed);
              if (got.compare(0, key.size() + 1, key + "/") != 0) bad.fetch_add(1);
            }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(hits.load(), 0u);
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_EQ(cache.hits(), hits.load());
  for (int k = 0; k < kKeys; k++) cache.Erase(Key("k", k), seq.fetch_add(1) + 1);
  EXPECT_EQ(cache.usage(), 0u);
}

}  // namespace
}  // namespace strata::store
