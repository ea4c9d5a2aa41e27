// The DB with a row cache (Options::row_cache_size): Gets of table-resident keys are cached
// and then served from the cache, every write erases its keys (Put, Delete, a WriteBatch, on
// the slow path and the buffer_wal fast path), snapshot reads bypass the cache,
// fill_row_cache=false leaves it alone, readers never see a value go backwards while a writer
// overwrites and flushes, a reopened DB reads right, and keys outside row_cache_prefix stay out.
//
// Writes may fill the cache too (write-through), so a test that needs an empty cache reopens
// the DB after flushing: a new DB starts with an empty cache.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/write_batch.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}
std::string Value(int i, int version) {
  return "value-" + std::to_string(i) + "-v" + std::to_string(version);
}
// Zero-padded, so that the strings order as the numbers do.
std::string Counter(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%012llu", static_cast<unsigned long long>(n));
  return buf;
}

class RowCacheDBTest : public ::testing::Test {
 protected:
  RowCacheDBTest() {
    options_.sync_mode = SyncMode::kNo;
    options_.row_cache_size = 1 << 20;
    options_.block_cache_size = 1 << 20;
  }
  ~RowCacheDBTest() override { db_.reset(); }

  void Open() {
    db_.reset();
    Status s = DB::Open(options_, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string Get(std::string_view k, const Snapshot* snap = nullptr, bool fill = true) {
    ReadOptions ro;
    ro.snapshot = snap;
    ro.fill_row_cache = fill;
    std::string v;
    Status s = db_->Get(ro, k, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return v;
  }
  void Put(std::string_view k, std::string_view v) { ASSERT_TRUE(db_->Put(wo_, k, v).ok()); }
  void Delete(std::string_view k) { ASSERT_TRUE(db_->Delete(wo_, k).ok()); }
  void Flush() {
    Status s = db_->FlushMemTable(/*wait=*/true);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Writes everything to the tables and reopens: the cache is empty, every key in a table.
  void FlushAndReopen() {
    ASSERT_NO_FATAL_FAILURE(Flush());
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_EQ(Usage(), 0u);
  }

  // The text after "name:" on its line of strata.info ("" if the line is missing).
  std::string Info(const std::string& name) {
    std::string info;
    EXPECT_TRUE(db_->GetProperty("strata.info", &info));
    const std::string needle = name + ":";
    size_t pos = info.starts_with(needle) ? 0 : info.find("\r\n" + needle);
    EXPECT_NE(pos, std::string::npos) << name;
    if (pos == std::string::npos) return "";
    if (pos != 0) pos += 2;
    pos += needle.size();
    return info.substr(pos, info.find("\r\n", pos) - pos);
  }
  uint64_t Usage() { return std::strtoull(Info("row_cache_usage").c_str(), nullptr, 10); }
  double HitRatio() { return std::strtod(Info("row_cache_hit_ratio").c_str(), nullptr); }

  testing::TempDir dir_;
  Options options_;
  WriteOptions wo_;
  std::unique_ptr<DB> db_;
};

TEST_F(RowCacheDBTest, PropertiesOnlyWhenEnabled) {
  Open();
  EXPECT_EQ(Info("row_cache_capacity"), std::to_string(1 << 20));
  EXPECT_EQ(Usage(), 0u);
  EXPECT_EQ(Info("row_cache_hit_ratio"), "0.00");

  db_.reset();
  options_.row_cache_size = 0;
  Open();
  std::string info;
  ASSERT_TRUE(db_->GetProperty("strata.info", &info));
  EXPECT_EQ(info.find("row_cache"), std::string::npos);
}

TEST_F(RowCacheDBTest, TableReadsAreCachedAndThenHit) {
  Open();
  constexpr int kKeys = 200;
  for (int i = 0; i < kKeys; i++) Put(Key(i), Value(i, 1));
  FlushAndReopen();
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1)) << i;
  EXPECT_EQ(HitRatio(), 0.0);  // the first round missed and filled
  EXPECT_GT(Usage(), 0u);
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1)) << i;
  EXPECT_GT(HitRatio(), 0.0);
  EXPECT_EQ(Info("row_cache_hit_ratio"), "0.50");  // kKeys misses, then kKeys hits
  // Absent keys are not cached.
  const uint64_t usage = Usage();
  EXPECT_EQ(Get("absent"), "NOT_FOUND");
  EXPECT_EQ(Get("absent"), "NOT_FOUND");
  EXPECT_EQ(Usage(), usage);
}

// Options::row_cache_prefix: other keys never enter the cache, neither from writes nor from
// table reads, and still read right through overwrites and deletes.
TEST_F(RowCacheDBTest, OnlyKeysWithThePrefixAreCached) {
  options_.row_cache_prefix = "key";
  Open();
  Put("meta", "m1");
  EXPECT_EQ(Usage(), 0u);  // no write-through
  Put(Key(1), Value(1, 1));
  const uint64_t one = Usage();
  EXPECT_GT(one, 0u);
  FlushAndReopen();
  for (int round = 0; round < 2; round++) EXPECT_EQ(Get("meta"), "m1");
  EXPECT_EQ(Usage(), 0u);  // no fill from the tables
  EXPECT_EQ(Info("row_cache_hit_ratio"), "0.00");
  EXPECT_EQ(Get(Key(1)), Value(1, 1));
  EXPECT_EQ(Usage(), one);
  Put("meta", "m2");
  EXPECT_EQ(Get("meta"), "m2");
  Delete("meta");
  EXPECT_EQ(Get("meta"), "NOT_FOUND");
  EXPECT_EQ(Usage(), one);
  EXPECT_EQ(Get(Key(1)), Value(1, 1));
  EXPECT_EQ(Info("row_cache_hit_ratio"), "0.50");  // Key(1): one miss, one hit; meta: none
}

TEST_F(RowCacheDBTest, OverwriteOfACachedKeyIsSeen) {
  Open();
  Put("k", "old");
  Put("other", "o");
  FlushAndReopen();
  EXPECT_EQ(Get("k"), "old");
  EXPECT_EQ(Get("k"), "old");  // a hit
  EXPECT_GT(HitRatio(), 0.0);
  ASSERT_GT(Usage(), 0u);

  Put("k", "new");  // into the memtable; must drop the cached "old"
  EXPECT_EQ(Get("k"), "new");
  EXPECT_EQ(Get("k"), "new");
  Flush();
  EXPECT_EQ(Get("k"), "new");  // from the tables now, cached
  EXPECT_EQ(Get("k"), "new");  // from the cache
  EXPECT_EQ(Get("other"), "o");

  Put("k", "newer");  // a cached "new" this time
  EXPECT_EQ(Get("k"), "newer");
  Flush();
  EXPECT_EQ(Get("k"), "newer");
  ASSERT_TRUE(db_->CompactAll().ok());
  EXPECT_EQ(Get("k"), "newer");
  EXPECT_EQ(Get("k"), "newer");

  // A value too large to cache (over a quarter of a 64 KB shard) replaces a cached one: the
  // write's erase is all that removes the old entry (no insert of the new value replaces it).
  const std::string big(20 << 10, 'b');
  Put("k", big);
  EXPECT_EQ(Get("k"), big);
  Flush();
  EXPECT_EQ(Get("k"), big);
  EXPECT_EQ(Get("k"), big);
}

TEST_F(RowCacheDBTest, DeleteOfACachedKeyIsSeen) {
  Open();
  Put("k", "v");
  Put("keep", "w");
  FlushAndReopen();
  EXPECT_EQ(Get("k"), "v");
  EXPECT_EQ(Get("keep"), "w");
  EXPECT_EQ(Get("k"), "v");  // a hit
  Delete("k");
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  EXPECT_EQ(Get("keep"), "w");
  Flush();
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  Put("k", "again");
  EXPECT_EQ(Get("k"), "again");
}

// A read at a snapshot must see the snapshot's value, whatever the cache holds for now, and
// must not put its old value into the cache for readers of now.
TEST_F(RowCacheDBTest, SnapshotReadsBypassTheCache) {
  Open();
  Put("k", "v1");
  Flush();
  EXPECT_EQ(Get("k"), "v1");  // cached: v1
  const Snapshot* snap = db_->GetSnapshot();
  Put("k", "v2");
  EXPECT_EQ(Get("k", snap), "v1");
  EXPECT_EQ(Get("k"), "v2");
  Flush();                    // both versions are in the tables (the snapshot keeps v1)
  EXPECT_EQ(Get("k"), "v2");  // cached: v2
  EXPECT_EQ(Get("k"), "v2");
  EXPECT_GT(HitRatio(), 0.0);
  EXPECT_EQ(Get("k", snap), "v1");  // not the cached v2
  EXPECT_EQ(Get("k", snap), "v1");
  EXPECT_EQ(Get("k"), "v2");  // and the snapshot read did not cache v1

  // A snapshot read of a key not yet cached does not cache its old value.
  Put("j", "j1");
  Flush();
  const Snapshot* snap2 = db_->GetSnapshot();
  Put("j", "j2");
  Flush();
  EXPECT_EQ(Get("j", snap2), "j1");
  EXPECT_EQ(Get("j"), "j2");
  EXPECT_EQ(Get("j"), "j2");
  db_->ReleaseSnapshot(snap2);
  db_->ReleaseSnapshot(snap);
}

TEST_F(RowCacheDBTest, WriteBatchErasesEveryKey) {
  Open();
  constexpr int kKeys = 10;
  for (int i = 0; i < kKeys; i++) Put(Key(i), Value(i, 1));
  FlushAndReopen();
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1));
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1));  // all hits
  EXPECT_GT(HitRatio(), 0.0);

  WriteBatch batch;
  for (int i = 0; i < kKeys; i += 2) batch.Put(Key(i), Value(i, 2));
  batch.Delete(Key(1));
  batch.Delete(Key(3));
  ASSERT_TRUE(db_->Write(wo_, &batch).ok());
  for (int i = 0; i < kKeys; i++) {
    const std::string want = i % 2 == 0 ? Value(i, 2) : i < 4 ? "NOT_FOUND" : Value(i, 1);
    EXPECT_EQ(Get(Key(i)), want) << i;
    EXPECT_EQ(Get(Key(i)), want) << i;
  }
  Flush();
  for (int i = 0; i < kKeys; i++) {
    const std::string want = i % 2 == 0 ? Value(i, 2) : i < 4 ? "NOT_FOUND" : Value(i, 1);
    EXPECT_EQ(Get(Key(i)), want) << i;
    EXPECT_EQ(Get(Key(i)), want) << i;
  }
}

TEST_F(RowCacheDBTest, FillRowCacheFalseDoesNotFill) {
  Open();
  for (int i = 0; i < 20; i++) Put(Key(i), Value(i, 1));
  FlushAndReopen();
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 20; i++) ASSERT_EQ(Get(Key(i), nullptr, /*fill=*/false), Value(i, 1));
  }
  EXPECT_EQ(Usage(), 0u);
  EXPECT_EQ(HitRatio(), 0.0);
  // A filling read does fill (so the above is not just a cache that never fills).
  EXPECT_EQ(Get(Key(0)), Value(0, 1));
  EXPECT_GT(Usage(), 0u);
  // A non-filling read still uses what is cached.
  EXPECT_EQ(Get(Key(0), nullptr, /*fill=*/false), Value(0, 1));
  EXPECT_GT(HitRatio(), 0.0);
}

TEST_F(RowCacheDBTest, ReopenReadsTheNewestValues) {
  Open();
  constexpr int kKeys = 100;
  for (int i = 0; i < kKeys; i++) Put(Key(i), Value(i, 1));
  Flush();
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1));  // cached
  for (int i = 0; i < kKeys; i += 3) Put(Key(i), Value(i, 2));          // in the WAL only
  for (int i = 1; i < kKeys; i += 10) Delete(Key(i));
  auto want = [](int i) {
    if (i % 10 == 1) return std::string("NOT_FOUND");  // deleted after the overwrite
    if (i % 3 == 0) return Value(i, 2);
    return Value(i, 1);
  };

  Open();  // closes and reopens: the WAL is replayed into the memtable
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), want(i)) << i;
  EXPECT_EQ(Info("row_cache_capacity"), std::to_string(1 << 20));
  Flush();
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), want(i)) << i;
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), want(i)) << i;
  EXPECT_GT(HitRatio(), 0.0);

  Open();  // again, everything in the tables now
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), want(i)) << i;
  }
  EXPECT_GT(HitRatio(), 0.0);
}

// The server writes with buffer_wal, which takes the fast path (the write under mutex_, no
// group): it must erase (and may fill) the same way.
// One batch writing a key twice: the cache must end with the second value or none, also
// when the second value is too large to cache or the cache has no room for it.
TEST_F(RowCacheDBTest, BatchWritingAKeyTwiceLeavesItsLastValue) {
  options_.row_cache_size = 16 * 1024;  // 1 KiB per shard: fills fast
  Open();
  for (bool fast : {false, true}) {
    wo_.buffer_wal = fast;
    for (int round = 0; round < 50; round++) {
      WriteBatch batch;
      const std::string k = Key(round);
      batch.Put(k, "first");
      batch.Put(k, round % 2 == 0 ? std::string(2000, 'L') : Value(round, 2));
      ASSERT_TRUE(db_->Write(wo_, &batch).ok());
      if (fast) {
        ASSERT_TRUE(db_->FlushWAL().ok());
      }
      ASSERT_EQ(Get(k), round % 2 == 0 ? std::string(2000, 'L') : Value(round, 2)) << round;
    }
  }
}

TEST_F(RowCacheDBTest, FastPathWritesEraseToo) {
  Open();
  for (int i = 0; i < 10; i++) Put(Key(i), Value(i, 1));
  FlushAndReopen();
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 10; i++) ASSERT_EQ(Get(Key(i)), Value(i, 1));
  }
  EXPECT_GT(HitRatio(), 0.0);

  wo_.buffer_wal = true;
  Put(Key(0), Value(0, 2));
  Delete(Key(1));
  Put(Key(2), std::string(20 << 10, 'x'));  // too large to cache
  WriteBatch batch;
  batch.Put(Key(3), Value(3, 2));
  batch.Delete(Key(4));
  batch.Put(Key(5), Value(5, 2));
  batch.Delete(Key(5));
  batch.Delete(Key(6));
  batch.Put(Key(6), Value(6, 2));
  ASSERT_TRUE(db_->Write(wo_, &batch).ok());
  ASSERT_TRUE(db_->FlushWAL().ok());
  auto want = [](int i) -> std::string {
    switch (i) {
      case 0:
      case 3:
      case 6:
        return Value(i, 2);
      case 1:
      case 4:
      case 5:
        return "NOT_FOUND";
      case 2:
        return std::string(20 << 10, 'x');
      default:
        return Value(i, 1);
    }
  };
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 10; i++) EXPECT_EQ(Get(Key(i)), want(i)) << i;
  }
  Flush();
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 10; i++) EXPECT_EQ(Get(Key(i)), want(i)) << i;
  }
}

// One writer puts increasing counters to 50 keys and flushes now and then (so that reads go to
// the tables and fill the cache); two readers check that no key's value ever goes backwards
// for them. A cached value that outlived its overwrite would show as a step back.
TEST_F(RowCacheDBTest, ReadersNeverSeeAValueGoBackwards) {
  options_.memtable_size = 64 << 10;  // full memtables flush too
  Open();
  constexpr int kKeys = 50, kRounds = 300;
  for (int k = 0; k < kKeys; k++) Put(Key(k), Counter(0));
  Flush();

  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::atomic<uint64_t> reads{0};
  auto reader = [&](int seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> seen(kKeys, Counter(0));
    ReadOptions ro;
    std::string v;
    while (!done.load(std::memory_order_acquire)) {
      const int k = static_cast<int>(rng() % kKeys);
      Status s = db_->Get(ro, Key(k), &v);
      reads.fetch_add(1, std::memory_order_relaxed);
      if (!s.ok() || v.size() != seen[k].size()) {
        ADD_FAILURE() << Key(k) << ": " << s.ToString() << " '" << v << "'";
        errors.fetch_add(1);
        return;
      }
      if (v < seen[k]) {
        ADD_FAILURE() << Key(k) << " went back from " << seen[k] << " to " << v;
        errors.fetch_add(1);
        return;
      }
      seen[k] = v;
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);

  uint64_t counter = 0;
  for (int round = 1; round <= kRounds && errors.load() == 0; round++) {
    for (int k = 0; k < kKeys; k++) {
      counter++;
      Status s = db_->Put(wo_, Key(k), Counter(counter));
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        errors.fetch_add(1);
      }
    }
    if (round % 25 == 0) {
      Status s = db_->FlushMemTable(/*wait=*/round % 50 == 0);
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        errors.fetch_add(1);
      }
    }
  }
  done.store(true, std::memory_order_release);
  r1.join();
  r2.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(reads.load(), 0u);

  // The last round wrote counter - kKeys + 1 + k to key k.
  for (int k = 0; k < kKeys; k++) {
    EXPECT_EQ(Get(Key(k)), Counter(counter - kKeys + 1 + k)) << k;
  }
  Flush();
  for (int round = 0; round < 2; round++) {
    for (int k = 0; k < kKeys; k++) {
      EXPECT_EQ(Get(Key(k)), Counter(counter - kKeys + 1 + k)) << k;
    }
  }
  EXPECT_GT(HitRatio(), 0.0);
}

}  // namespace
}  // namespace strata::store
