#include "store/write_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "store/memtable.h"
#include "store/write_batch_internal.h"

namespace strata::store {
namespace {

// Renders a batch by applying it to a memtable and listing its entries.
std::string PrintContents(const WriteBatch* b) {
  MemTable* mem = new MemTable();
  mem->Ref();
  std::string state;
  Status s = WriteBatchInternal::InsertInto(b, mem);
  int count = 0;
  auto it = mem->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey p;
    EXPECT_TRUE(ParseInternalKey(it->key(), &p));
    if (p.kind == ValueKind::kValue) {
      state += "Put(" + std::string(p.user_key) + ", " + std::string(it->value()) + ")";
    } else {
      state += "Delete(" + std::string(p.user_key) + ")";
    }
    state += "@" + std::to_string(p.sequence);
    count++;
  }
  it.reset();
  mem->Unref();
  if (!s.ok()) state += "ParseError()";
  if (count != static_cast<int>(WriteBatchInternal::Count(b))) state += "CountMismatch()";
  return state;
}

TEST(WriteBatch, Empty) {
  WriteBatch batch;
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(batch.ApproximateSize(), WriteBatchInternal::kHeaderSize);
  EXPECT_EQ(PrintContents(&batch), "");
}

TEST(WriteBatch, MultipleRecordsGetConsecutiveSequences) {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  batch.Put("baz", "boo");
  WriteBatchInternal::SetSequence(&batch, 100);
  EXPECT_EQ(WriteBatchInternal::Sequence(&batch), 100u);
  EXPECT_EQ(batch.Count(), 3u);
  EXPECT_EQ(PrintContents(&batch), "Put(baz, boo)@102Delete(box)@101Put(foo, bar)@100");
}

TEST(WriteBatch, CorruptionIsDetected) {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  WriteBatchInternal::SetSequence(&batch, 200);
  std::string contents(WriteBatchInternal::Contents(&batch));
  WriteBatch damaged;
  ASSERT_TRUE(
      WriteBatchInternal::SetContents(&damaged, contents.substr(0, contents.size() - 1)).ok());
  EXPECT_EQ(PrintContents(&damaged), "Put(foo, bar)@200ParseError()CountMismatch()");
  EXPECT_FALSE(WriteBatchInternal::SetContents(&damaged, "short").ok());
}

TEST(WriteBatch, AppendAndClearReuse) {
  WriteBatch b1, b2;
  WriteBatchInternal::SetSequence(&b1, 200);
  WriteBatchInternal::SetSequence(&b2, 300);
  b2.Put("a", "va");
  WriteBatchInternal::Append(&b1, &b2);
  EXPECT_EQ(PrintContents(&b1), "Put(a, va)@200");
  b2.Clear();
  b2.Put("b", "vb");
  b2.Delete("foo");
  WriteBatchInternal::Append(&b1, &b2);
  EXPECT_EQ(PrintContents(&b1), "Put(a, va)@200Put(b, vb)@201Delete(foo)@202");
  b1.Clear();
  EXPECT_EQ(b1.Count(), 0u);
  EXPECT_EQ(WriteBatchInternal::Sequence(&b1), 0u);
}

TEST(WriteBatch, IterateCallsHandlerInOrder) {
  WriteBatch batch;
  batch.Put("k1", "v1");
  batch.Delete("k2");
  struct Recorder : WriteBatch::Handler {
    std::string log;
    void Put(std::string_view k, std::string_view v) override {
      log += "P:" + std::string(k) + "=" + std::string(v) + ";";
    }
    void Delete(std::string_view k) override { log += "D:" + std::string(k) + ";"; }
  } rec;
  ASSERT_TRUE(batch.Iterate(&rec).ok());
  EXPECT_EQ(rec.log, "P:k1=v1;D:k2;");
}

}  // namespace
}  // namespace strata::store
