#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "store/env.h"
#include "store/log_reader.h"
#include "store/log_writer.h"

namespace strata::store::log {
namespace {

class StringSink final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    contents.append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  std::string contents;
};

class StringSource final : public SequentialFile {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    n = std::min(n, data_.size());
    std::memcpy(scratch, data_.data(), n);
    *result = std::string_view(scratch, n);
    data_.remove_prefix(n);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    data_.remove_prefix(std::min<uint64_t>(n, data_.size()));
    return Status::OK();
  }

 private:
  std::string_view data_;
};

struct Report {
  uint64_t offset;
  size_t bytes;
  std::string reason;
};
class Collector final : public Reader::Reporter {
 public:
  void Corruption(uint64_t offset, size_t bytes, const Status& reason) override {
    reports.push_back({offset, bytes, std::string(reason.message())});
  }
  std::vector<Report> reports;
};

std::string Payload(size_t n, int seed) {
  std::string s(n, '\0');
  std::mt19937 rnd(seed);
  for (char& c : s) c = static_cast<char>('a' + rnd() % 26);
  return s;
}

// The result of reading a whole log.
struct ReadResult {
  std::vector<std::string> records;
  Collector reporter;
  bool torn = false;
  bool zero_tail = false;
  uint64_t torn_offset = 0;
};
void ReadAll(std::string_view contents, ReadResult* r) {
  StringSource src(contents);
  Reader reader(&src, &r->reporter);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) r->records.emplace_back(record);
  r->torn = reader.torn_tail();
  r->zero_tail = reader.zero_tail();
  r->torn_offset = reader.torn_tail_offset();
  EXPECT_TRUE(reader.status().ok());
}

// Zero-fills *contents up to block `block`, then appends `record` framed from there (a record
// a writer started at that block boundary).
void AppendRecordInBlock(std::string* contents, size_t block, std::string_view record) {
  ASSERT_LE(contents->size(), block * kBlockSize);
  contents->resize(block * kBlockSize, '\0');
  StringSink tail;
  Writer w(&tail);
  ASSERT_TRUE(w.AddRecord(record).ok());
  *contents += tail.contents;
}

class LogTest : public ::testing::Test {
 protected:
  LogTest() : writer_(&sink_) {}
  // contents reads as the first record written, then a torn tail where the second began:
  // no damage reported, and not a zero tail (bytes of the second record were written).
  void ExpectTornAfterFirstRecord(const std::string& contents) {
    ReadResult r;
    ReadAll(contents, &r);
    EXPECT_EQ(r.records, std::vector<std::string>{records_[0]});
    EXPECT_TRUE(r.reporter.reports.empty());
    EXPECT_TRUE(r.torn);
    EXPECT_FALSE(r.zero_tail);
    EXPECT_EQ(r.torn_offset, ends_[0]);
  }
  void Write(const std::string& rec) {
    ASSERT_TRUE(writer_.AddRecord(rec).ok());
    records_.push_back(rec);
    ends_.push_back(writer_.FileSize());
  }
  StringSink sink_;
  Writer writer_;
  std::vector<std::string> records_;
  std::vector<uint64_t> ends_;  // file offset after each record
};

TEST_F(LogTest, EmptyFile) {
  ReadResult r;
  ReadAll("", &r);
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.reporter.reports.empty());
}

TEST_F(LogTest, RoundTripsSmallLargeAndEmptyRecords) {
  Write("foo");
  Write("");
  Write(Payload(100000, 1));  // spans 4 blocks
  Write("bar");
  Write(Payload(kBlockSize - 2 * kHeaderSize - 3, 2));
  Write(Payload(kBlockSize - kHeaderSize, 3));  // exactly one block
  Write("x");
  EXPECT_EQ(sink_.contents.size(), writer_.FileSize());
  ReadResult r;
  ReadAll(sink_.contents, &r);
  EXPECT_EQ(r.records, records_);
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.reporter.reports.empty());
}

TEST_F(LogTest, TrailerTooSmallForAHeaderIsSkipped) {
  // Leave exactly 6 bytes in the first block: the writer pads them and starts block 2.
  Write(Payload(kBlockSize - kHeaderSize - 6, 4));
  EXPECT_EQ(kBlockSize - writer_.FileSize(), 6u);
  Write("next");
  EXPECT_EQ(writer_.FileSize(), kBlockSize + kHeaderSize + 4);
  ReadResult r;
  ReadAll(sink_.contents, &r);
  EXPECT_EQ(r.records, records_);
  EXPECT_TRUE(r.reporter.reports.empty());
}

TEST_F(LogTest, ReopenedWriterContinuesTheBlockLayout) {
  Write(Payload(20000, 5));
  Writer second(&sink_, sink_.contents.size());
  ASSERT_TRUE(second.AddRecord(Payload(30000, 6)).ok());
  records_.push_back(Payload(30000, 6));
  ReadResult r;
  ReadAll(sink_.contents, &r);
  EXPECT_EQ(r.records, records_);
  EXPECT_TRUE(r.reporter.reports.empty());
}

// A crash can cut the file anywhere. Whatever the cut, the reader returns exactly the
// records that were complete, reports no corruption, and calls anything else a torn tail
// starting where the first incomplete record began.
TEST_F(LogTest, TornTailAtEveryTruncationPoint) {
  std::mt19937 rnd(7);
  for (int i = 0; i < 40; i++) {
    size_t len = (i % 7 == 3) ? 20000 + rnd() % 30000 : rnd() % 200;
    Write(Payload(len, 100 + i));
  }
  // Record ends, and block boundaries reached by a record end plus its zero trailer, are
  // the clean places to stop.
  std::vector<uint64_t> clean = {0};
  for (uint64_t e : ends_) {
    clean.push_back(e);
    uint64_t left = kBlockSize - e % kBlockSize;
    if (left < kHeaderSize && e < sink_.contents.size()) clean.push_back(e + left);
  }
  const std::string& full = sink_.contents;
  for (size_t cut = 0; cut <= full.size(); cut += (cut < 70000 ? 1 : 13)) {
    ReadResult r;
    ReadAll(std::string_view(full).substr(0, cut), &r);
    size_t complete = std::upper_bound(ends_.begin(), ends_.end(), cut) - ends_.begin();
    ASSERT_EQ(r.records.size(), complete) << "cut " << cut;
    for (size_t i = 0; i < complete; i++) ASSERT_EQ(r.records[i], records_[i]) << "cut " << cut;
    ASSERT_TRUE(r.reporter.reports.empty())
        << "cut " << cut << ": " << r.reporter.reports[0].reason;
    bool is_clean = std::find(clean.begin(), clean.end(), cut) != clean.end();
    ASSERT_EQ(r.torn, !is_clean) << "cut " << cut;
    if (r.torn) {
      ASSERT_EQ(r.torn_offset, complete == 0 ? 0 : ends_[complete - 1]) << "cut " << cut;
    }
  }
}

TEST_F(LogTest, ZeroFilledTailIsATornTail) {
  Write("one");
  Write("two");
  std::string contents = sink_.contents + std::string(50000, '\0');
  ReadResult r;
  ReadAll(contents, &r);
  EXPECT_EQ(r.records, records_);
  EXPECT_TRUE(r.reporter.reports.empty());
  EXPECT_TRUE(r.torn);
  EXPECT_TRUE(r.zero_tail);  // zeros from a record boundary: nothing was cut
  EXPECT_EQ(r.torn_offset, ends_.back());

  // A torn record that ends in the data is not a zero tail.
  ReadAll(sink_.contents.substr(0, sink_.contents.size() - 1), &r);
  EXPECT_TRUE(r.torn);
  EXPECT_FALSE(r.zero_tail);
}

// A record spanning blocks whose later fragments never got written: zeros follow its first
// fragment. That cuts a record, so it is a torn tail but not a zero tail.
TEST_F(LogTest, ZerosAfterTheFirstFragmentAreATornRecord) {
  Write("one");
  Write(Payload(3 * kBlockSize, 7));
  std::string contents = sink_.contents.substr(0, kBlockSize);  // "one" + first fragment
  contents += std::string(2 * kBlockSize, '\0');
  ExpectTornAfterFirstRecord(contents);
}

TEST_F(LogTest, FlippedBitInTheMiddleIsCorruptionWithItsOffset) {
  for (int i = 0; i < 300; i++) Write(Payload(500, 200 + i));  // ~5 blocks
  std::string contents = sink_.contents;
  // Damage record 10 (in block 0).
  const uint64_t damaged_at = ends_[9];
  contents[damaged_at + kHeaderSize + 17] ^= 0x10;
  ReadResult r;
  ReadAll(contents, &r);
  ASSERT_FALSE(r.reporter.reports.empty());
  EXPECT_EQ(r.reporter.reports[0].offset, damaged_at);
  EXPECT_EQ(r.reporter.reports[0].reason, "checksum mismatch");
  EXPECT_FALSE(r.torn);
  // The rest of block 0 is lost; records that start in later blocks are read again (the
  // first of those may be a tail fragment whose start was lost, reported separately).
  EXPECT_EQ(r.records[9], records_[9]);
  EXPECT_NE(r.records[10], records_[10]);
  EXPECT_EQ(r.records.back(), records_.back());
  EXPECT_LT(r.records.size(), records_.size());
  EXPECT_GT(r.records.size(), records_.size() - 80);
}

TEST_F(LogTest, ChecksumMismatchInTheLastRecordIsCorruptionNotTorn) {
  Write("first");
  Write("second-record");
  std::string contents = sink_.contents;
  contents[contents.size() - 2] ^= 1;
  ReadResult r;
  ReadAll(contents, &r);
  EXPECT_EQ(r.records.size(), 1u);
  ASSERT_EQ(r.reporter.reports.size(), 1u);
  EXPECT_EQ(r.reporter.reports[0].offset, ends_[0]);
  EXPECT_FALSE(r.torn);
  // Zeros after it (a mapped WAL's reserved space) do not make it a torn record: it is
  // still reported, and only the zeros are the (zero) tail.
  ReadResult z;
  ReadAll(contents + std::string(2 * kBlockSize, '\0'), &z);
  EXPECT_EQ(z.records.size(), 1u);
  ASSERT_EQ(z.reporter.reports.size(), 1u);
  EXPECT_EQ(z.reporter.reports[0].reason, "checksum mismatch");
  EXPECT_TRUE(z.zero_tail);
}

// A mapped WAL (env.h) copies a fragment's first 8 bytes last, so a crash during the copy
// leaves a zero header, then some of the fragment's bytes, then zeros: a torn tail. Data in
// a later block would mean the zeros are damage instead.
TEST_F(LogTest, ZeroHeaderThenDataThenOnlyZerosIsATornTail) {
  Write("first");
  Write(Payload(300, 3));
  std::string c = sink_.contents;
  std::fill(c.begin() + ends_[0], c.begin() + ends_[0] + 8, '\0');
  std::fill(c.begin() + ends_[0] + 100, c.begin() + ends_[0] + 200, '\0');  // not copied yet
  c += std::string(2 * kBlockSize, '\0');
  ExpectTornAfterFirstRecord(c);

  AppendRecordInBlock(&c, 3, "later");
  ReadResult d;
  ReadAll(c, &d);
  EXPECT_EQ(d.records, (std::vector<std::string>{"first", "later"}));
  ASSERT_EQ(d.reporter.reports.size(), 1u);
  EXPECT_EQ(d.reporter.reports[0].offset, ends_[0]);
  EXPECT_EQ(d.reporter.reports[0].bytes, 3 * kBlockSize - ends_[0]);  // the zero blocks too
  EXPECT_EQ(d.reporter.reports[0].reason, "zero-filled region in the middle of the log");
  EXPECT_FALSE(d.torn);
}

TEST_F(LogTest, ZerosFollowedByDataIsCorruption) {
  Write("first");
  std::string contents = sink_.contents + std::string(100, '\0');
  AppendRecordInBlock(&contents, 1, "later");  // a valid record in the block after the zeros
  ReadResult r;
  ReadAll(contents, &r);
  EXPECT_EQ(r.records, (std::vector<std::string>{"first", "later"}));
  ASSERT_EQ(r.reporter.reports.size(), 1u);
  EXPECT_EQ(r.reporter.reports[0].offset, ends_[0]);
  EXPECT_FALSE(r.torn);
}

TEST_F(LogTest, BadLengthInAFullBlockIsCorruption) {
  for (int i = 0; i < 100; i++) Write(Payload(1000, 300 + i));
  std::string contents = sink_.contents;
  // Make record 3's length run past the block end.
  contents[ends_[2] + 4] = static_cast<char>(0xff);
  contents[ends_[2] + 5] = static_cast<char>(0x7f);
  ReadResult r;
  ReadAll(contents, &r);
  ASSERT_FALSE(r.reporter.reports.empty());
  EXPECT_EQ(r.reporter.reports[0].offset, ends_[2]);
  EXPECT_EQ(r.reporter.reports[0].reason, "bad record length");
  EXPECT_FALSE(r.torn);
  EXPECT_EQ(r.records.back(), records_.back());
}

TEST_F(LogTest, MissingMiddleFragmentIsReported) {
  Write(Payload(3 * kBlockSize, 9));  // FIRST, MIDDLE, MIDDLE, LAST
  Write("after");
  std::string contents = sink_.contents;
  // Corrupt the second block (a MIDDLE fragment).
  contents[kBlockSize + 100] ^= 1;
  ReadResult r;
  ReadAll(contents, &r);
  EXPECT_EQ(r.records, (std::vector<std::string>{"after"}));
  EXPECT_GE(r.reporter.reports.size(), 2u);  // the checksum, then the orphaned fragments
  EXPECT_FALSE(r.torn);
}

}  // namespace
}  // namespace strata::store::log
