#include "types/keyspace.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "types/score.h"

namespace strata::types {
namespace {

using namespace std::string_literals;

class KeyspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_ks_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    ks_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    ks_.reset();
    db_.reset();
    store::Options o;
    ASSERT_TRUE(store::DB::Open(o, dir_.string(), &db_).ok());
    ks_ = std::make_unique<Keyspace>(db_.get(), 16);
    ASSERT_TRUE(ks_->Load().ok());
  }
  void Set(int db, const std::string& k, const std::string& v, int64_t expire = -1) {
    StoredValue old;
    Status s;
    KeyState st = ks_->Lookup(db, k, &old, &s);
    ASSERT_TRUE(s.ok());
    StoredValue nv;
    nv.payload = v;
    nv.expire_ms = expire;
    ks_->StagePut(db, k, nv, st, old.expire_ms);
    ASSERT_TRUE(ks_->Commit().ok());
  }
  bool Get(int db, const std::string& k, std::string* v, int64_t now = 1000) {
    StoredValue sv;
    Status s;
    bool found = ks_->Get(db, k, &sv, &s, now);
    EXPECT_TRUE(s.ok());
    if (found) *v = sv.payload;
    return found;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(KeyspaceTest, ValueRecordRoundTrips) {
  StoredValue v;
  v.payload = std::string("a\0b", 3);
  v.expire_ms = 1234567890123;
  std::string rec;
  EncodeValue(v, &rec);
  StoredValue out;
  ASSERT_TRUE(DecodeValue(rec, &out, true));
  EXPECT_EQ(out.payload, v.payload);
  EXPECT_EQ(out.expire_ms, v.expire_ms);
  v.expire_ms = -1;
  EncodeValue(v, &rec);
  EXPECT_EQ(rec.size(), 1 + v.payload.size());  // one header byte without a TTL
  ASSERT_TRUE(DecodeValue(rec, &out, true));
  EXPECT_EQ(out.expire_ms, -1);
  EXPECT_FALSE(DecodeValue("", &out, true));
  EXPECT_FALSE(DecodeValue(std::string(1, '\x80'), &out, true));  // truncated TTL
}

TEST_F(KeyspaceTest, CountersTrackInsertsOverwritesDeletesAndSurviveReopen) {
  Set(0, "a", "1");
  Set(0, "b", "2", 5000);
  Set(0, "a", "3");  // overwrite: count unchanged
  Set(1, "a", "x");
  EXPECT_EQ(ks_->KeyCount(0), 2u);
  EXPECT_EQ(ks_->ExpiresCount(0), 1u);
  EXPECT_EQ(ks_->KeyCount(1), 1u);
  Set(0, "b", "2");  // overwrite drops the TTL
  EXPECT_EQ(ks_->ExpiresCount(0), 0u);
  Reopen();
  EXPECT_EQ(ks_->KeyCount(0), 2u);
  EXPECT_EQ(ks_->ExpiresCount(0), 0u);
  std::string v;
  ASSERT_TRUE(Get(0, "a", &v));
  EXPECT_EQ(v, "3");
  ASSERT_TRUE(Get(1, "a", &v));
  EXPECT_EQ(v, "x");
}

// A write that leaves the counts as they were (an overwrite without a TTL change) does not
// rewrite the counter record: one record, not two. One that changes them does.
TEST_F(KeyspaceTest, OnlyWritesThatChangeACountRewriteTheCounter) {
  Set(0, "a", "1");
  const uint64_t after_insert = db_->LastSequence();
  Set(0, "a", "2");
  EXPECT_EQ(db_->LastSequence(), after_insert + 1);  // the value only
  Set(0, "b", "1");
  EXPECT_EQ(db_->LastSequence(), after_insert + 3);  // the value and the counter
  Set(0, "b", "1", 5000);
  EXPECT_EQ(db_->LastSequence(), after_insert + 6);  // value, expire index entry, counter
  Set(0, "b", "2", 5000);
  EXPECT_EQ(db_->LastSequence(), after_insert + 7);  // same TTL: the value only
  // A staged +1 and -1 in one batch cancel out.
  StoredValue v;
  v.payload = "x";
  ks_->StagePut(0, "c", v, KeyState::kMissing, -1);
  ks_->StageDelete(0, "c", KeyState::kLive, -1);
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(db_->LastSequence(), after_insert + 9);  // put and delete, no counter
  EXPECT_EQ(ks_->KeyCount(0), 2u);
  EXPECT_EQ(ks_->ExpiresCount(0), 1u);
  Reopen();
  EXPECT_EQ(ks_->KeyCount(0), 2u);
  EXPECT_EQ(ks_->ExpiresCount(0), 1u);
}

TEST_F(KeyspaceTest, ExpiredKeysAreInvisibleAndLazilyDeleted) {
  Set(0, "k", "v", 2000);
  std::string v;
  EXPECT_TRUE(Get(0, "k", &v, 1999));
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_FALSE(Get(0, "k", &v, 2000));
  ASSERT_TRUE(ks_->Commit().ok());  // the lazy deletion is staged in the open transaction
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  EXPECT_EQ(ks_->ExpiresCount(0), 0u);
}

TEST_F(KeyspaceTest, ActiveExpiryDeletesDueKeysOnlyAndSkipsStaleIndexEntries) {
  for (int i = 0; i < 50; i++) Set(0, "due" + std::to_string(i), "v", 1000 + i);
  Set(0, "later", "v", 1000000);
  Set(0, "persisted", "v", 1500);
  Set(0, "persisted", "v2");  // TTL removed: its old index entry must not delete it
  bool more = true;
  Status s;
  int n = 0;
  while (more) n += ks_->ActiveExpireCycle(5000, 7, &more, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(n, 50);
  EXPECT_EQ(ks_->KeyCount(0), 2u);
  EXPECT_EQ(ks_->ExpiresCount(0), 1u);
  std::string v;
  EXPECT_TRUE(Get(0, "persisted", &v, 5000));
  EXPECT_TRUE(Get(0, "later", &v, 5000));
}

TEST_F(KeyspaceTest, FlushDbAndSwapDbAreMetadataOnlyAndDurable) {
  for (int i = 0; i < 100; i++) Set(0, "k" + std::to_string(i), "v");
  Set(1, "one", "1");
  ks_->SwapDb(0, 1);
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_EQ(ks_->KeyCount(1), 100u);
  std::string v;
  EXPECT_TRUE(Get(0, "one", &v));
  ks_->FlushDb(1);
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(1), 0u);
  EXPECT_FALSE(Get(1, "k1", &v));
  Reopen();
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_EQ(ks_->KeyCount(1), 0u);
  EXPECT_FALSE(Get(1, "k1", &v));
  auto it = ks_->NewKeyIterator(1);
  it.Seek("");
  EXPECT_FALSE(it.Valid());
  ks_->FlushAll();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
}

TEST(KeyspaceFilterTest, FlushedNamespaceIsDroppedOnlyOnceTheFlushIsDurable) {
  auto dir = std::filesystem::temp_directory_path() / ("strata_nsf_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::unique_ptr<store::DB> db;
  ASSERT_TRUE(store::DB::Open(store::Options(), dir.string(), &db).ok());
  KeyspaceFilter filter;
  Keyspace ks(db.get(), 2, &filter);
  ASSERT_TRUE(ks.Load().ok());
  // Database 0 starts in namespace 1: its data keys are 'd' 00 00 00 01 <key>.
  std::string old_key("d\0\0\0\1k", 6);
  std::string meta_key = "mdbmap";
  EXPECT_FALSE(filter.ShouldDrop(old_key, ""));
  ks.FlushDb(0);
  ASSERT_TRUE(ks.Commit().ok());
  EXPECT_FALSE(filter.ShouldDrop(old_key, "")) << "dead before the FLUSHDB is durable";
  filter.ReleasePending(db->LastSequence());
  EXPECT_TRUE(filter.ShouldDrop(old_key, ""));
  EXPECT_FALSE(filter.ShouldDrop(meta_key, ""));
  std::string live_key("d\0\0\0\2k", 6);  // database 1 still lives in namespace 2
  EXPECT_FALSE(filter.ShouldDrop(live_key, ""));
  std::string future_key("d\0\0\1\0k", 6);  // never allocated
  EXPECT_FALSE(filter.ShouldDrop(future_key, ""));
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(KeyspaceTest, KeyIteratorStaysInsideItsDatabase) {
  Set(0, "a", "1");
  Set(0, "b", "2");
  Set(1, "c", "3");
  auto it = ks_->NewKeyIterator(0);
  std::vector<std::string> keys;
  for (it.Seek(""); it.Valid(); it.Next()) keys.emplace_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
}

// --- Transactions ---

TEST_F(KeyspaceTest, ReadsSeeTheOpenTransactionAndAbortDropsIt) {
  Set(0, "a", "1");
  StoredValue v;
  Status s;
  KeyState st = ks_->Lookup(0, "b", &v, &s);
  StoredValue nv;
  nv.payload = "2";
  ks_->StagePut(0, "b", nv, st, -1);
  ASSERT_EQ(ks_->Lookup(0, "a", &v, &s), KeyState::kLive);
  ks_->StageDelete(0, "a", KeyState::kLive, -1);
  // Staged, not committed: this transaction sees it, the store does not.
  EXPECT_EQ(ks_->Lookup(0, "a", &v, &s), KeyState::kMissing);
  ASSERT_EQ(ks_->Lookup(0, "b", &v, &s), KeyState::kLive);
  EXPECT_EQ(v.payload, "2");
  std::string raw;
  EXPECT_TRUE(db_->Get(store::ReadOptions(), "d\0\0\0\1a"s, &raw).ok());
  std::vector<std::string> keys;
  auto it = ks_->NewKeyIterator(0);
  for (it.Seek(""); it.Valid(); it.Next()) keys.emplace_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"b"}));
  ks_->Abort();
  EXPECT_EQ(ks_->Lookup(0, "a", &v, &s), KeyState::kLive);
  EXPECT_EQ(ks_->Lookup(0, "b", &v, &s), KeyState::kMissing);
  EXPECT_EQ(ks_->KeyCount(0), 1u);
}

TEST_F(KeyspaceTest, ManyStagedWritesAreOneBatchAndReadBack) {
  const uint64_t before = db_->LastSequence();
  for (int i = 0; i < 500; i++) {
    StoredValue v;
    Status s;
    std::string k = "k" + std::to_string(i % 300);  // some keys written twice
    KeyState st = ks_->Lookup(0, k, &v, &s);
    int64_t old_expire = v.expire_ms;
    v = StoredValue();
    v.payload = std::to_string(i);
    ks_->StagePut(0, k, v, st, old_expire);
  }
  StoredValue v;
  Status s;
  ASSERT_EQ(ks_->Lookup(0, "k10", &v, &s), KeyState::kLive);
  EXPECT_EQ(v.payload, "310");
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 300u);
  // One batch: every record of it shares one WAL record, whatever its record count.
  EXPECT_GT(db_->LastSequence(), before);
  Reopen();
  EXPECT_EQ(ks_->KeyCount(0), 300u);
  ASSERT_EQ(ks_->Lookup(0, "k299", &v, &s), KeyState::kLive);
  EXPECT_EQ(v.payload, "299");
}

TEST_F(KeyspaceTest, SavePointRollsBackOnlyTheLaterWrites) {
  StoredValue v;
  Status s;
  StoredValue nv;
  nv.payload = "x";
  ks_->StagePut(0, "first", nv, KeyState::kMissing, -1);
  ks_->SetSavePoint();
  ks_->StagePut(0, "second", nv, KeyState::kMissing, -1);
  ks_->FlushDb(1);
  ks_->Abort();
  EXPECT_EQ(ks_->Lookup(0, "first", &v, &s), KeyState::kLive);
  EXPECT_EQ(ks_->Lookup(0, "second", &v, &s), KeyState::kMissing);
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_EQ(ks_->Namespace(1), 2u) << "the rolled-back FLUSHDB left the map alone";
}

// A rollback from many staged records (indexed) to a few (scanned) must not leave an index
// that later records are not added to.
TEST_F(KeyspaceTest, WritesAfterARollbackToFewStagedRecordsAreRead) {
  const uint64_t ver = ks_->NewVersion();
  std::string prefix;
  SubKeyPrefix(kSubKeyTag, ks_->Namespace(0), "h", ver, &prefix);
  ks_->StageSubPut(prefix + "first", "1");
  ks_->SetSavePoint();
  for (int i = 0; i < 40; i++) ks_->StageSubPut(prefix + "many" + std::to_string(i), "x");
  ks_->Abort();
  ks_->StageSubPut(prefix + "after", "2");
  std::string got;
  ASSERT_TRUE(ks_->GetSubKey(prefix + "after", &got).ok());
  EXPECT_EQ(got, "2");
  ASSERT_TRUE(ks_->GetSubKey(prefix + "first", &got).ok());
  EXPECT_TRUE(ks_->GetSubKey(prefix + "many0", &got).IsNotFound());
}

TEST_F(KeyspaceTest, LazyExpiryIsStagedInTheTransaction) {
  Set(0, "gone", "v", /*expire=*/500);
  StoredValue v;
  Status s;
  bool expired = false;
  EXPECT_FALSE(ks_->Get(0, "gone", &v, &s, 1000, &expired));
  EXPECT_TRUE(expired);
  EXPECT_TRUE(ks_->HasStaged());
  EXPECT_EQ(ks_->KeyCount(0), 1u) << "counted out only when committed";
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  EXPECT_EQ(ks_->ExpiresCount(0), 0u);
}

// --- Collections: versions and sub-keys ---

TEST_F(KeyspaceTest, VersionsAreNeverReusedAcrossReopens) {
  std::vector<uint64_t> seen;
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 5; i++) seen.push_back(ks_->NewVersion());
    StoredValue v;
    v.type = ValueType::kSet;
    v.version = seen.back();
    v.size = 1;
    ks_->StagePut(0, "s" + std::to_string(round), v, KeyState::kMissing, -1);
    ASSERT_TRUE(ks_->Commit().ok());
    Reopen();
  }
  for (size_t i = 1; i < seen.size(); i++) EXPECT_LT(seen[i - 1], seen[i]);
}

TEST_F(KeyspaceTest, SubKeysReadThroughTheTransactionInOrder) {
  const uint64_t ver = ks_->NewVersion();
  std::string prefix, k;
  SubKeyPrefix(kSubKeyTag, ks_->Namespace(0), "h", ver, &prefix);
  for (const char* f : {"b", "a", "c"}) ks_->StageSubPut(prefix + f, std::string("v") + f);
  ASSERT_TRUE(ks_->Commit().ok());
  ks_->StageSubDelete(prefix + "b");
  ks_->StageSubPut(prefix + "d", "vd");
  ks_->StageSubPut(prefix + "a", "va2");
  std::string got;
  EXPECT_TRUE(ks_->GetSubKey(prefix + "b", &got).IsNotFound());
  ASSERT_TRUE(ks_->GetSubKey(prefix + "a", &got).ok());
  EXPECT_EQ(got, "va2");
  std::vector<std::string> seen;
  auto it = ks_->NewPrefixIterator(prefix);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    seen.push_back(std::string(it.key()) + "=" + std::string(it.value()));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a=va2", "c=vc", "d=vd"}));
  // A key that is a prefix of another has its own range ("h" vs "hh").
  std::string other;
  SubKeyPrefix(kSubKeyTag, ks_->Namespace(0), "hh", ver, &other);
  ks_->StageSubPut(other + "z", "x");
  auto it2 = ks_->NewPrefixIterator(prefix);
  size_t n = 0;
  for (it2.SeekToFirst(); it2.Valid(); it2.Next()) n++;
  EXPECT_EQ(n, 3u);
}

TEST(ValueRecordTest, CollectionRecordsRoundTrip) {
  StoredValue v;
  v.type = ValueType::kList;
  v.expire_ms = 123;
  v.version = 77;
  v.size = 3;
  v.head = 10;
  v.tail = 13;
  std::string rec;
  EncodeValue(v, &rec);
  StoredValue out;
  ASSERT_TRUE(DecodeValue(rec, &out, true));
  EXPECT_EQ(out.type, ValueType::kList);
  EXPECT_EQ(out.expire_ms, 123);
  EXPECT_EQ(out.version, 77u);
  EXPECT_EQ(out.size, 3u);
  EXPECT_EQ(out.head, 10u);
  EXPECT_EQ(out.tail, 13u);
  EXPECT_FALSE(DecodeValue(rec.substr(0, rec.size() - 1), &out, true));
  EXPECT_FALSE(DecodeValue(std::string(1, '\x07'), &out, true)) << "unknown type";
}

TEST(ScoreTest, EncodingPreservesOrder) {
  const double scores[] = {-INFINITY, -1e300, -2.5, -1,  -1e-300, -0.0,
                           0.0,       1e-300, 1,    2.5, 1e300,   INFINITY};
  std::string prev;
  for (double d : scores) {
    std::string e;
    AppendScore(&e, d);
    EXPECT_LT(prev, e) << d;
    EXPECT_EQ(DecodeScore(e.data()), d);
    prev = e;
  }
}

TEST(KeysTest, SubKeysParseBack) {
  std::string k;
  SubKeyPrefix(kScoreTag, 7, std::string("a\0b", 3), 99, &k);
  k += "elem";
  SubKeyParts p;
  ASSERT_TRUE(ParseSubKey(k, &p));
  EXPECT_EQ(p.tag, kScoreTag);
  EXPECT_EQ(p.ns, 7u);
  EXPECT_EQ(p.key, std::string("a\0b", 3));
  EXPECT_EQ(p.version, 99u);
  EXPECT_EQ(p.element, "elem");
  EXPECT_FALSE(ParseSubKey(k.substr(0, 12), &p));
  EXPECT_EQ(PrefixSuccessor("ab\xff"), "ac");
}

// Rule 2 of the filter: a sub-key is dropped only once the deletion or replacement of its
// collection is in the tables (durable), never while it is only in a memtable.
TEST(KeyspaceFilterTest, SubKeysDieOnlyWhenTheirRecordIsDurablyGoneOrReplaced) {
  auto dir = std::filesystem::temp_directory_path() / ("strata_skf_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto filter = std::make_shared<KeyspaceFilter>();
  store::Options o;
  o.compaction_filter = filter;
  std::unique_ptr<store::DB> db;
  ASSERT_TRUE(store::DB::Open(o, dir.string(), &db).ok());
  filter->AttachDb(db.get());
  Keyspace ks(db.get(), 1, filter.get());
  ASSERT_TRUE(ks.Load().ok());
  StoredValue v;
  v.type = ValueType::kHash;
  v.version = ks.NewVersion();
  v.size = 1;
  std::string sub;
  SubKeyPrefix(kSubKeyTag, ks.Namespace(0), "h", v.version, &sub);
  sub += "field";
  ks.StagePut(0, "h", v, KeyState::kMissing, -1);
  ks.StageSubPut(sub, "value");
  ASSERT_TRUE(ks.Commit().ok());
  ASSERT_TRUE(db->CompactAll().ok());  // into the tables
  EXPECT_FALSE(filter->ShouldDrop(sub, "value")) << "its collection is live";
  ks.StageDelete(0, "h", KeyState::kLive, -1);
  ASSERT_TRUE(ks.Commit().ok());
  EXPECT_FALSE(filter->ShouldDrop(sub, "value")) << "the DEL is only in the memtable";
  EXPECT_FALSE(filter->ShouldDropInFlush(sub, "value"));
  // Past the moment for which the filter trusts the "live" it cached above, on any thread.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ASSERT_TRUE(db->CompactAll().ok());
  EXPECT_TRUE(filter->ShouldDrop(sub, "value")) << "the DEL is durable";
  std::string got;
  EXPECT_TRUE(db->Get(store::ReadOptions(), sub, &got).IsNotFound()) << "and compaction dropped it";
  db.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::types
