#include "store/memtable.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::store {
namespace {

// MemTable's destructor is private (reference counted): hold it through Ref/Unref.
class MemTableTest : public ::testing::Test {
 protected:
  MemTableTest() : mem_(new MemTable()) { mem_->Ref(); }
  ~MemTableTest() override { mem_->Unref(); }
  MemTable* mem_;
};

TEST_F(MemTableTest, GetSeesNewestVisibleVersion) {
  mem_->Add(1, ValueKind::kValue, "k", "v1");
  mem_->Add(2, ValueKind::kValue, "k", "v2");
  mem_->Add(3, ValueKind::kDeletion, "k", "");
  mem_->Add(4, ValueKind::kValue, "k", "v4");
  mem_->Add(5, ValueKind::kValue, "other", "o");

  std::string v;
  EXPECT_EQ(mem_->Get(LookupKey("k", 0), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->Get(LookupKey("k", 1), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v1");
  EXPECT_EQ(mem_->Get(LookupKey("k", 2), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v2");
  EXPECT_EQ(mem_->Get(LookupKey("k", 3), &v), MemTable::GetResult::kDeleted);
  EXPECT_EQ(mem_->Get(LookupKey("k", 100), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v4");
  EXPECT_EQ(mem_->Get(LookupKey("j", 100), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->Get(LookupKey("ka", 100), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->NumEntries(), 5u);
}

TEST_F(MemTableTest, LongKeysAndEmptyValues) {
  std::string big(1000, 'x');
  mem_->Add(7, ValueKind::kValue, big, "");
  mem_->Add(8, ValueKind::kValue, "", "empty-key");
  std::string v = "junk";
  EXPECT_EQ(mem_->Get(LookupKey(big, 7), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "");
  EXPECT_EQ(mem_->Get(LookupKey("", 8), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "empty-key");
}

TEST_F(MemTableTest, IteratorYieldsInternalKeysInOrder) {
  mem_->Add(1, ValueKind::kValue, "b", "b1");
  mem_->Add(2, ValueKind::kValue, "a", "a2");
  mem_->Add(3, ValueKind::kValue, "b", "b3");
  mem_->Add(4, ValueKind::kDeletion, "c", "");
  auto it = mem_->NewIterator();
  it->SeekToFirst();
  std::string seen;
  for (; it->Valid(); it->Next()) {
    ParsedInternalKey p;
    ASSERT_TRUE(ParseInternalKey(it->key(), &p));
    seen += std::string(p.user_key) + std::to_string(p.sequence) +
            (p.kind == ValueKind::kDeletion ? "D" : "=" + std::string(it->value())) + " ";
  }
  EXPECT_EQ(seen, "a2=a2 b3=b3 b1=b1 c4D ");

  std::string target;
  AppendInternalKey(&target, "b", 2, kSeekKind);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractTag(it->key()) >> 8, 1u);  // b@1: the newest version <= 2
  EXPECT_TRUE(it->status().ok());
}

TEST_F(MemTableTest, MemoryUsageGrows) {
  size_t before = mem_->ApproximateMemoryUsage();
  for (int i = 0; i < 1000; i++) {
    mem_->Add(i + 1, ValueKind::kValue, "key" + std::to_string(i), std::string(100, 'v'));
  }
  EXPECT_GT(mem_->ApproximateMemoryUsage(), before + 100 * 1000);
}

}  // namespace
}  // namespace strata::store

namespace strata::store {
namespace {

// The point-lookup index must answer exactly as the skiplist search does: at every snapshot,
// for present, deleted and absent keys, before and after the index fills up.
TEST(MemTableIndexTest, AgreesWithSkiplistSearchIncludingOverflowAndSnapshots) {
  MemTable* plain = new MemTable();
  MemTable* indexed = new MemTable(64 * 1024);  // 1024 slots: fills after 768 user keys
  plain->Ref();
  indexed->Ref();
  std::mt19937 rng(11);
  uint64_t seq = 0;
  auto check = [&](uint64_t at) {
    for (int k = 0; k < 2500; k += 7) {
      std::string key = "key" + std::to_string(k);
      for (uint64_t s : {at, at / 2, at / 3 + 1}) {
        std::string v1, v2;
        auto r1 = plain->Get(LookupKey(key, s), &v1);
        auto r2 = indexed->Get(LookupKey(key, s), &v2);
        ASSERT_EQ(r1, r2) << key << " at " << s;
        if (r1 == MemTable::GetResult::kFound) {
          ASSERT_EQ(v1, v2);
        }
      }
    }
  };
  for (int i = 0; i < 6000; i++) {
    std::string key = "key" + std::to_string(rng() % 2000);
    bool del = rng() % 5 == 0;
    std::string value = del ? "" : "v" + std::to_string(i);
    ++seq;
    plain->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
    indexed->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
    if (i % 1000 == 999) check(seq);
  }
  check(seq);
  plain->Unref();
  indexed->Unref();
}

}  // namespace
}  // namespace strata::store
