#include "store/memtable.h"

#include <gtest/gtest.h>

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
