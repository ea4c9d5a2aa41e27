// Block cache: lookups, replacement, eviction by charge in LRU order, pinning by handles,
// deleters run exactly once, counters.
#include "store/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace strata::store {
namespace {

// Values are ints encoded in the void*; the deleter records what it freed.
struct Deleted {
  std::vector<std::pair<std::string, int>> entries;
};
thread_local Deleted* g_deleted = nullptr;

void RecordDelete(std::string_view key, void* value) {
  if (g_deleted != nullptr) {
    g_deleted->entries.emplace_back(std::string(key),
                                    static_cast<int>(reinterpret_cast<intptr_t>(value)));
  }
}

void* V(int v) { return reinterpret_cast<void*>(static_cast<intptr_t>(v)); }
int AsInt(void* v) { return static_cast<int>(reinterpret_cast<intptr_t>(v)); }

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override { g_deleted = &deleted_; }
  void TearDown() override {
    cache_.reset();
    g_deleted = nullptr;
  }

  void Use(size_t capacity, int shard_bits) { cache_ = NewLRUCache(capacity, shard_bits); }

  // -1 if absent.
  int Lookup(const std::string& key) {
    Cache::Handle* h = cache_->Lookup(key);
    if (h == nullptr) return -1;
    int v = AsInt(cache_->Value(h));
    cache_->Release(h);
    return v;
  }
  void Insert(const std::string& key, int value, size_t charge = 1) {
    cache_->Release(cache_->Insert(key, V(value), charge, &RecordDelete));
  }
  Cache::Handle* InsertPinned(const std::string& key, int value, size_t charge = 1) {
    return cache_->Insert(key, V(value), charge, &RecordDelete);
  }

  Deleted deleted_;
  std::unique_ptr<Cache> cache_;
};

TEST_F(CacheTest, HitAndMiss) {
  Use(1000, 4);
  EXPECT_EQ(Lookup("100"), -1);
  Insert("100", 101);
  EXPECT_EQ(Lookup("100"), 101);
  EXPECT_EQ(Lookup("200"), -1);
  EXPECT_EQ(Lookup("300"), -1);
  Insert("200", 201);
  EXPECT_EQ(Lookup("100"), 101);
  EXPECT_EQ(Lookup("200"), 201);
  EXPECT_EQ(Lookup("300"), -1);
  Insert("100", 102);  // replaces
  EXPECT_EQ(Lookup("100"), 102);
  ASSERT_EQ(deleted_.entries.size(), 1u);
  EXPECT_EQ(deleted_.entries[0], std::make_pair(std::string("100"), 101));
  EXPECT_EQ(cache_->hits(), 4u);
  EXPECT_EQ(cache_->misses(), 4u);
  EXPECT_EQ(cache_->TotalCharge(), 2u);
}

TEST_F(CacheTest, BinaryKeys) {
  Use(1000, 4);
  std::string a("\0\0\0", 3), b("\0\0", 2), c;
  Insert(a, 1);
  Insert(b, 2);
  Insert(c, 3);
  EXPECT_EQ(Lookup(a), 1);
  EXPECT_EQ(Lookup(b), 2);
  EXPECT_EQ(Lookup(c), 3);
}

TEST_F(CacheTest, Erase) {
  Use(1000, 4);
  cache_->Erase("200");  // absent: no-op
  EXPECT_TRUE(deleted_.entries.empty());
  Insert("100", 101);
  Insert("200", 201);
  cache_->Erase("100");
  EXPECT_EQ(Lookup("100"), -1);
  EXPECT_EQ(Lookup("200"), 201);
  ASSERT_EQ(deleted_.entries.size(), 1u);
  cache_->Erase("100");
  EXPECT_EQ(deleted_.entries.size(), 1u);
  EXPECT_EQ(cache_->TotalCharge(), 1u);
}

TEST_F(CacheTest, EntriesArePinnedByHandles) {
  Use(1000, 4);
  Insert("100", 101);
  Cache::Handle* h1 = cache_->Lookup("100");
  ASSERT_NE(h1, nullptr);
  Insert("100", 102);  // replaced while pinned
  Cache::Handle* h2 = cache_->Lookup("100");
  EXPECT_EQ(AsInt(cache_->Value(h1)), 101);
  EXPECT_EQ(AsInt(cache_->Value(h2)), 102);
  EXPECT_TRUE(deleted_.entries.empty());
  cache_->Release(h1);
  ASSERT_EQ(deleted_.entries.size(), 1u);  // the old value goes at its last release
  EXPECT_EQ(deleted_.entries[0].second, 101);
  cache_->Erase("100");
  EXPECT_EQ(Lookup("100"), -1);
  EXPECT_EQ(deleted_.entries.size(), 1u);  // still pinned by h2
  EXPECT_EQ(AsInt(cache_->Value(h2)), 102);
  cache_->Release(h2);
  ASSERT_EQ(deleted_.entries.size(), 2u);
  EXPECT_EQ(deleted_.entries[1].second, 102);
}

TEST_F(CacheTest, EvictsLeastRecentlyUsedByCharge) {
  Use(10, 0);  // one shard: exact LRU order
  for (int i = 0; i < 10; i++) Insert(std::to_string(i), i);
  EXPECT_EQ(cache_->TotalCharge(), 10u);
  EXPECT_EQ(Lookup("0"), 0);  // 0 becomes the newest
  Insert("10", 10);           // evicts 1, the oldest
  EXPECT_EQ(Lookup("1"), -1);
  EXPECT_EQ(Lookup("0"), 0);
  EXPECT_EQ(Lookup("2"), 2);
  Insert("big", 99, 5);  // evicts 3,4,5,6,7 (5 units)
  for (int i : {3, 4, 5, 6, 7}) EXPECT_EQ(Lookup(std::to_string(i)), -1) << i;
  for (int i : {0, 2, 8, 9, 10}) EXPECT_EQ(Lookup(std::to_string(i)), i) << i;
  EXPECT_EQ(Lookup("big"), 99);
  EXPECT_EQ(cache_->TotalCharge(), 10u);
  EXPECT_EQ(deleted_.entries.size(), 6u);
}

TEST_F(CacheTest, PinnedEntriesAreNeverEvicted) {
  Use(10, 0);
  Cache::Handle* pinned = InsertPinned("pinned", 7, 5);
  for (int i = 0; i < 100; i++) Insert(std::to_string(i), i);
  EXPECT_EQ(Lookup("pinned"), 7);
  EXPECT_EQ(AsInt(cache_->Value(pinned)), 7);
  EXPECT_LE(cache_->TotalCharge(), 10u);
  // The pinned entry still counts against the budget: only 5 small entries fit beside it.
  int present = 0;
  for (int i = 0; i < 100; i++) present += Lookup(std::to_string(i)) >= 0;
  EXPECT_EQ(present, 5);
  cache_->Release(pinned);
  EXPECT_EQ(Lookup("pinned"), 7);  // released, still cached
}

TEST_F(CacheTest, OverBudgetWhilePinnedShrinksOnRelease) {
  Use(10, 0);
  std::vector<Cache::Handle*> handles;
  for (int i = 0; i < 20; i++) handles.push_back(InsertPinned(std::to_string(i), i));
  EXPECT_EQ(cache_->TotalCharge(), 20u);  // all in use: over budget, nothing freed
  EXPECT_TRUE(deleted_.entries.empty());
  for (auto* h : handles) cache_->Release(h);
  EXPECT_LE(cache_->TotalCharge(), 10u);
  EXPECT_EQ(deleted_.entries.size(), 10u);
  // The most recently released survive.
  for (int i = 10; i < 20; i++) EXPECT_EQ(Lookup(std::to_string(i)), i);
}

TEST_F(CacheTest, EntryLargerThanCapacity) {
  Use(10, 0);
  Insert("a", 1);
  Cache::Handle* h = InsertPinned("huge", 2, 100);
  EXPECT_EQ(AsInt(cache_->Value(h)), 2);
  cache_->Release(h);
  EXPECT_EQ(Lookup("huge"), -1);
  EXPECT_LE(cache_->TotalCharge(), 10u);
}

TEST_F(CacheTest, ZeroCapacityCachesNothing) {
  Use(0, 4);
  Cache::Handle* h = InsertPinned("a", 1);
  EXPECT_EQ(AsInt(cache_->Value(h)), 1);
  EXPECT_EQ(Lookup("a"), -1);
  EXPECT_TRUE(deleted_.entries.empty());
  cache_->Release(h);
  EXPECT_EQ(deleted_.entries.size(), 1u);
  EXPECT_EQ(cache_->TotalCharge(), 0u);
}

TEST_F(CacheTest, Prune) {
  Use(100, 4);
  Insert("a", 1);
  Insert("b", 2);
  Cache::Handle* h = cache_->Lookup("a");
  cache_->Prune();
  cache_->Release(h);
  EXPECT_EQ(Lookup("a"), 1);
  EXPECT_EQ(Lookup("b"), -1);
  EXPECT_EQ(deleted_.entries.size(), 1u);
}

TEST_F(CacheTest, DestructorFreesEverythingOnce) {
  Use(1000, 4);
  for (int i = 0; i < 100; i++) Insert(std::to_string(i), i);
  cache_.reset();
  std::map<std::string, int> freed;
  for (auto& [k, v] : deleted_.entries) freed[k]++;
  EXPECT_EQ(freed.size(), 100u);
  for (auto& [k, n] : freed) EXPECT_EQ(n, 1) << k;
}

TEST_F(CacheTest, ShardedBudgetHoldsApproximately) {
  Use(1600, 4);  // 100 per shard
  for (int i = 0; i < 10000; i++) Insert("key" + std::to_string(i), i);
  EXPECT_LE(cache_->TotalCharge(), 1600u);
  EXPECT_GT(cache_->TotalCharge(), 1500u);
  // Recent keys survive; old ones are gone.
  int recent = 0, old = 0;
  for (int i = 0; i < 100; i++) old += Lookup("key" + std::to_string(i)) >= 0;
  for (int i = 9900; i < 10000; i++) recent += Lookup("key" + std::to_string(i)) >= 0;
  EXPECT_EQ(old, 0);
  EXPECT_EQ(recent, 100);
}

TEST_F(CacheTest, NewIdIsUnique) {
  Use(10, 4);
  uint64_t a = cache_->NewId(), b = cache_->NewId();
  EXPECT_NE(a, b);
  EXPECT_NE(a, 0u);
}

TEST(CacheThreads, ConcurrentUseIsConsistent) {
  std::atomic<int> live{0};
  auto cache = NewLRUCache(512, 4);
  auto deleter = [](std::string_view, void* v) {
    reinterpret_cast<std::atomic<int>*>(v)->fetch_sub(1);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; i++) {
        std::string key = std::to_string((i * 7 + t) % 2000);
        if (Cache::Handle* h = cache->Lookup(key)) {
          EXPECT_EQ(cache->Value(h), &live);
          cache->Release(h);
        } else {
          live.fetch_add(1);
          cache->Release(cache->Insert(key, &live, 1 + i % 3, deleter));
        }
        if (i % 1000 == 0) cache->Erase(key);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache->TotalCharge(), 512u);
  EXPECT_GT(cache->hits() + cache->misses(), 0u);
  cache.reset();
  EXPECT_EQ(live.load(), 0);  // every inserted value was freed exactly once
}

}  // namespace
}  // namespace strata::store
