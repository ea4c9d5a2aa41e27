#include "server/keyspace.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace strata::server {
namespace {

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
  Keyspace::EncodeValue(v, &rec);
  StoredValue out;
  ASSERT_TRUE(Keyspace::DecodeValue(rec, &out, true));
  EXPECT_EQ(out.payload, v.payload);
  EXPECT_EQ(out.expire_ms, v.expire_ms);
  v.expire_ms = -1;
  Keyspace::EncodeValue(v, &rec);
  EXPECT_EQ(rec.size(), 1 + v.payload.size());  // one header byte without a TTL
  ASSERT_TRUE(Keyspace::DecodeValue(rec, &out, true));
  EXPECT_EQ(out.expire_ms, -1);
  EXPECT_FALSE(Keyspace::DecodeValue("", &out, true));
  EXPECT_FALSE(Keyspace::DecodeValue(std::string(1, '\x80'), &out, true));  // truncated TTL
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
  ASSERT_TRUE(ks_->SwapDb(0, 1).ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_EQ(ks_->KeyCount(1), 100u);
  std::string v;
  EXPECT_TRUE(Get(0, "one", &v));
  ASSERT_TRUE(ks_->FlushDb(1).ok());
  EXPECT_EQ(ks_->KeyCount(1), 0u);
  EXPECT_FALSE(Get(1, "k1", &v));
  Reopen();
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  EXPECT_EQ(ks_->KeyCount(1), 0u);
  EXPECT_FALSE(Get(1, "k1", &v));
  auto it = ks_->NewKeyIterator(1);
  it.Seek("");
  EXPECT_FALSE(it.Valid());
  ASSERT_TRUE(ks_->FlushAll().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
}

TEST(NamespaceFilterTest, FlushedNamespaceIsDroppedOnlyOnceTheFlushIsDurable) {
  auto dir = std::filesystem::temp_directory_path() / ("strata_nsf_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::unique_ptr<store::DB> db;
  ASSERT_TRUE(store::DB::Open(store::Options(), dir.string(), &db).ok());
  NamespaceFilter filter;
  Keyspace ks(db.get(), 2, &filter);
  ASSERT_TRUE(ks.Load().ok());
  // Database 0 starts in namespace 1: its data keys are 'd' 00 00 00 01 <key>.
  std::string old_key("d\0\0\0\1k", 6);
  std::string meta_key = "mdbmap";
  EXPECT_FALSE(filter.ShouldDrop(old_key, ""));
  ASSERT_TRUE(ks.FlushDb(0).ok());
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

}  // namespace
}  // namespace strata::server
