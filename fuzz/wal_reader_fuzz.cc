// libFuzzer target for log::Reader (the WAL and MANIFEST framing, log_format.h) and for the
// WAL payload, WriteBatch (write_batch.h).
//
// Input: a flags byte, then
//   bit 0 = 0 (raw):    [LE24 fail_at if bit 1] the log file's bytes. Random bytes rarely pass
//                       a checksum, so this mostly tests the damage handling; the seeds are
//                       real WAL files, which the fuzzer can cut and splice.
//   bit 0 = 1 (framed): a flip list and [LE24 truncation if bit 2] (store_fuzz_util.h), then
//                       records (SplitRecords) that are written with log::Writer, so that
//                       checksums and fragmentation are valid and the payloads are fuzzed;
//                       the file is then damaged by the flips and cut at the truncation.
// Every file is read twice, with and without a Reporter, and each record is decoded as a
// WriteBatch and iterated.
//
// Checks, besides "no crash, no sanitizer report, no leak":
//   - the Reporter only hears about Corruption, at ranges inside the file; reading without a
//     Reporter returns the same records; record offsets increase and stay inside the file;
//     a torn tail runs to the end of the file; an injected read error shows in status();
//   - an intact framed file reads back exactly the records written, with no damage reported;
//     a framed file that was only truncated reads back exactly the records that fit, with no
//     damage reported (a torn tail is not corruption);
//   - a WriteBatch that iterates OK has as many records as its header says, every key and
//     value views the record itself, and re-encoding the records gives a batch that iterates
//     to the same records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/log_format.h"
#include "store/log_reader.h"
#include "store/log_writer.h"
#include "store/write_batch.h"
#include "store/write_batch_internal.h"
#include "store_fuzz_util.h"

namespace strata::store {
namespace {

using fuzz::InputReader;

// Framed files stay below this size so that every input runs in milliseconds.
constexpr size_t kMaxFramedBytes = 128 << 10;

struct Op {
  bool put;
  std::string key;
  std::string value;
  bool operator==(const Op&) const = default;
};

// Collects a batch's records, checking that each key and value views the batch's encoding.
class Collector final : public WriteBatch::Handler {
 public:
  explicit Collector(std::string_view rep) : rep_(rep) {}
  void Put(std::string_view key, std::string_view value) override {
    CheckInside(key);
    CheckInside(value);
    ops.push_back(Op{true, std::string(key), std::string(value)});
  }
  void Delete(std::string_view key) override {
    CheckInside(key);
    ops.push_back(Op{false, std::string(key), ""});
  }
  std::vector<Op> ops;

 private:
  void CheckInside(std::string_view v) const {
    if (v.empty()) return;
    CHECK(v.data() >= rep_.data() && v.data() + v.size() <= rep_.data() + rep_.size());
  }
  std::string_view rep_;
};

void CheckWriteBatch(std::string_view record) {
  WriteBatch batch;
  Status s = WriteBatchInternal::SetContents(&batch, record);
  if (!s.ok()) {
    CHECK(s.IsCorruption());
    CHECK(record.size() < WriteBatchInternal::kHeaderSize);
    return;
  }
  Collector collector(WriteBatchInternal::Contents(&batch));
  s = batch.Iterate(&collector);
  if (!s.ok()) {
    CHECK(s.IsCorruption());
    return;
  }
  CHECK(collector.ops.size() == batch.Count());

  WriteBatch again;
  for (const Op& op : collector.ops) {
    if (op.put) {
      again.Put(op.key, op.value);
    } else {
      again.Delete(op.key);
    }
  }
  WriteBatchInternal::SetSequence(&again, WriteBatchInternal::Sequence(&batch));
  CHECK(WriteBatchInternal::Contents(&again).size() <= record.size());
  Collector collector2(WriteBatchInternal::Contents(&again));
  CHECK(again.Iterate(&collector2).ok());
  CHECK(collector2.ops == collector.ops);
}

class CheckingReporter final : public log::Reader::Reporter {
 public:
  explicit CheckingReporter(uint64_t file_size) : file_size_(file_size) {}
  void Corruption(uint64_t offset, size_t bytes, const Status& reason) override {
    CHECK(reason.IsCorruption());
    CHECK(offset <= file_size_);
    CHECK(bytes <= file_size_ - offset);
    reports++;
  }
  int reports = 0;

 private:
  const uint64_t file_size_;
};

struct ReadResult {
  std::vector<std::string> records;
  int reports = 0;
  bool torn_tail = false;
  Status status;
};

// Reads every record of file, checking the reader's bookkeeping on the way.
ReadResult ReadAll(std::string_view file, uint64_t fail_at, bool with_reporter) {
  fuzz::StringSequentialFile source(file, fail_at);
  CheckingReporter reporter(file.size());
  log::Reader reader(&source, with_reporter ? &reporter : nullptr);
  ReadResult result;
  std::string scratch;
  std::string_view record;
  uint64_t prev_end = 0;
  while (reader.ReadRecord(&record, &scratch)) {
    const uint64_t begin = reader.LastRecordOffset();
    const uint64_t end = reader.EndOfLastRecord();
    CHECK(begin >= prev_end);
    CHECK(end <= file.size());
    CHECK(begin + log::kHeaderSize + record.size() <= end);
    if (begin + log::kHeaderSize + record.size() == end) {  // one fragment: the file's bytes
      CHECK(record == file.substr(begin + log::kHeaderSize, record.size()));
    }
    prev_end = end;
    result.records.emplace_back(record);
  }
  CHECK(!reader.ReadRecord(&record, &scratch));  // the end is sticky
  CHECK(record.empty());
  result.status = reader.status();
  if (!result.status.ok()) {
    CHECK(result.status.IsIOError());
    CHECK(fail_at < file.size());
  } else if (reader.torn_tail()) {
    CHECK(reader.torn_tail_offset() >= prev_end);
    CHECK(reader.torn_tail_offset() + reader.torn_tail_bytes() == file.size());
  }
  result.torn_tail = reader.torn_tail();
  result.reports = reporter.reports;
  return result;
}

}  // namespace
}  // namespace strata::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::store;
  InputReader in(std::string_view(reinterpret_cast<const char*>(data), size));
  const uint8_t flags = in.Byte();

  std::string file;
  uint64_t fail_at = UINT64_MAX;
  std::vector<std::string> written;  // framed: the records, in order
  std::vector<uint64_t> ends;        // framed: the file size after each record
  bool intact = false;               // framed: no flips, no truncation
  bool only_truncated = false;       // framed: truncated, no flips
  if ((flags & 1) == 0) {
    if (flags & 2) fail_at = in.Le24();
    file.assign(in.rest());
  } else {
    std::string flip_list(in.Bytes(1 + 4 * (in.rest().empty() ? 0 : (in.rest()[0] & 15))));
    const uint32_t truncate_to = (flags & 4) ? in.Le24() : UINT32_MAX;
    written = fuzz::SplitRecords(&in, kMaxFramedBytes);
    fuzz::StringWritableFile sink;
    log::Writer writer(&sink);
    for (const std::string& r : written) {
      CHECK(writer.AddRecord(r).ok());
      ends.push_back(writer.FileSize());
    }
    file = std::move(sink.contents());
    const std::string original = file;
    InputReader flips(flip_list);
    fuzz::ApplyFlips(&flips, &file);
    if (truncate_to < file.size()) file.resize(truncate_to);
    intact = file == original;
    only_truncated = !intact && original.starts_with(file);
  }

  const ReadResult with = ReadAll(file, fail_at, /*with_reporter=*/true);
  const ReadResult without = ReadAll(file, fail_at, /*with_reporter=*/false);
  CHECK(with.records == without.records);
  CHECK(with.torn_tail == without.torn_tail);
  CHECK(with.status.code() == without.status.code());

  if (intact) {
    CHECK(with.records == written);
    CHECK(with.reports == 0);
    CHECK(!with.torn_tail);
  } else if (only_truncated) {
    size_t fit = 0;
    while (fit < ends.size() && ends[fit] <= file.size()) fit++;
    CHECK(with.records.size() == fit);
    for (size_t i = 0; i < fit; i++) CHECK(with.records[i] == written[i]);
    CHECK(with.reports == 0);
  }

  for (const std::string& r : with.records) CheckWriteBatch(r);
  return 0;
}
