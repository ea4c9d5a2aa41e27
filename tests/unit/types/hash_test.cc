#include "types/hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace strata::types {
namespace {

class HashTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_hash_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(store::DB::Open(store::Options(), dir_.string(), &db_).ok());
    ks_ = std::make_unique<Keyspace>(db_.get(), 2);
    ASSERT_TRUE(ks_->Load().ok());
  }
  void TearDown() override {
    ks_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // The hash at key as a command would open it.
  Hash Open(std::string_view key) {
    Status s;
    found_ = ks_->Get(0, key, &meta_, &s, 0);
    EXPECT_TRUE(s.ok());
    return Hash(ks_.get(), 0, key, found_ ? &meta_ : nullptr);
  }
  std::vector<std::string> Fields(Hash& h) {
    std::vector<std::string> out;
    PrefixIterator it = h.Fields();
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      out.push_back(std::string(it.key()) + "=" + std::string(it.value()));
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<Keyspace> ks_;
  StoredValue meta_;
  bool found_ = false;
};

TEST_F(HashTypeTest, FieldsAreReadBackWithinAndAfterTheTransaction) {
  Hash h = Open("h");
  EXPECT_FALSE(h.exists());
  bool added;
  ASSERT_TRUE(h.Set("b", "2", &added).ok());
  EXPECT_TRUE(added);
  ASSERT_TRUE(h.Set("a", "1", &added).ok());
  ASSERT_TRUE(h.Set("b", "22", &added).ok());
  EXPECT_FALSE(added);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(Fields(h), (std::vector<std::string>{"a=1", "b=22"}));
  h.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);

  Hash again = Open("h");
  ASSERT_TRUE(found_);
  EXPECT_EQ(meta_.type, ValueType::kHash);
  EXPECT_EQ(again.size(), 2u);
  std::string v;
  ASSERT_TRUE(again.Get("b", &v).ok());
  EXPECT_EQ(v, "22");
  EXPECT_TRUE(again.Get("zz", &v).IsNotFound());
}

TEST_F(HashTypeTest, TheLastDeleteRemovesTheKeyAndANewHashStartsEmpty) {
  Hash h = Open("h");
  bool added, deleted;
  ASSERT_TRUE(h.Set("a", "1", &added).ok());
  h.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  Hash h2 = Open("h");
  ASSERT_TRUE(h2.Delete("a", &deleted).ok());
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(h2.Delete("a", &deleted).ok());
  EXPECT_FALSE(deleted);
  h2.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  Hash h3 = Open("h");
  EXPECT_FALSE(found_);
  EXPECT_TRUE(Fields(h3).empty());
}

TEST_F(HashTypeTest, ReplacedHashFieldsAreInvisible) {
  Hash h = Open("h");
  bool added;
  ASSERT_TRUE(h.Set("old", "1", &added).ok());
  h.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  // A string over the hash, then a new hash: its version is new, the old field unseen.
  StoredValue str;
  str.payload = "s";
  ks_->StagePut(0, "h", str, KeyState::kLive, -1);
  ASSERT_TRUE(ks_->Commit().ok());
  Status s;
  ASSERT_TRUE(ks_->Get(0, "h", &meta_, &s, 0));
  EXPECT_EQ(meta_.type, ValueType::kString);
  ks_->StageDelete(0, "h", KeyState::kLive, -1);
  Hash fresh(ks_.get(), 0, "h", nullptr);
  ASSERT_TRUE(fresh.Set("new", "2", &added).ok());
  fresh.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  Hash again = Open("h");
  EXPECT_EQ(Fields(again), (std::vector<std::string>{"new=2"}));
}

}  // namespace
}  // namespace strata::types
