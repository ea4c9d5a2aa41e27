// log::Reader reads the records written by log::Writer (format: log_format.h), verifying
// every fragment's checksum.
//
// Damage is classified, because recovery treats the two kinds differently
// (docs/design.md §4.5):
//   - A torn tail: the file ends inside a record: a header or payload cut short by the end of
//     the file, a record whose later fragments are missing, zero bytes from some point to the
//     end (a file size that reached the disk before its data, or space reserved ahead of the
//     data: zero_tail()), or a zero header followed by data in the last block that holds any,
//     with only zeros after it (the fragment a crash cut while it was copied into a mapped
//     WAL, which stores a fragment's first 8 bytes last: env.h). This is what a crash in the
//     middle of a write leaves behind. It is not reported as corruption; ReadRecord
//     returns false and torn_tail() says where the incomplete record began.
//   - Corruption: anything else (a checksum mismatch, an impossible length or type, a
//     fragment out of order, zeros followed by more data). It is reported to the Reporter
//     with the file offset and the number of bytes dropped, and reading goes on at the next
//     point the format allows (the next block boundary after a bad header).
//
// Thread safety: external synchronization.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/log_format.h"
#include "util/status.h"

namespace strata::store {

class SequentialFile;

namespace log {

class Reader {
 public:
  class Reporter {
   public:
    virtual ~Reporter() = default;
    // About `bytes` bytes starting at file offset `offset` were dropped because of damage.
    virtual void Corruption(uint64_t offset, size_t bytes, const Status& reason) = 0;
  };

  // file and reporter must outlive the reader; reporter may be nullptr (damage is then
  // skipped silently, and only torn_tail() tells about the end).
  Reader(SequentialFile* file, Reporter* reporter);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record. *record points into *scratch or into the reader's buffer and is
  // valid until the next call. Returns false at the end of the file, or on a read error
  // (status() then says which).
  bool ReadRecord(std::string_view* record, std::string* scratch);

  // File offset of the first fragment of the last record returned by ReadRecord.
  uint64_t LastRecordOffset() const { return last_record_offset_; }
  // File offset just past the last fragment of the last record returned (0 before any).
  uint64_t EndOfLastRecord() const { return end_of_last_record_; }

  // After ReadRecord returned false: whether the file ended in a torn record, where that
  // record began, and how many bytes from there to the end of the file were ignored.
  bool torn_tail() const { return torn_tail_; }
  uint64_t torn_tail_offset() const { return torn_tail_offset_; }
  uint64_t torn_tail_bytes() const { return torn_tail_bytes_; }
  // With torn_tail(): the tail is zeros from a record boundary to the end of the file, so no
  // record was cut; the zeros are space reserved ahead of the data that was never written
  // (a mapped WAL after a crash, env.h), or a size that reached the disk before its data.
  bool zero_tail() const { return zero_tail_; }

  // A read error from the file, or OK. Damage to the contents is not an error here.
  const Status& status() const { return read_status_; }

 private:
  // ReadPhysicalRecord's results besides a RecordType.
  enum : int {
    kEof = kMaxRecordType + 1,
    kBadRecord = kMaxRecordType + 2,  // damaged; already reported
    kTornTail = kMaxRecordType + 3,   // the file ends inside this fragment
  };

  int ReadPhysicalRecord(std::string_view* fragment, uint64_t* offset);
  // Reads the next block into buffer_. False at EOF or on a read error.
  bool ReadBlock();
  // Called at an all-zero header at `offset`: a torn tail if zeros run to the end of the file.
  int SkipZeros(uint64_t offset);
  // Called at a zero header followed by data at `offset` in the current block: drops the
  // rest of the block, then a torn tail if only zeros follow to the end of the file, else
  // reports the damage.
  int DamageOrTornTail(uint64_t offset, const char* reason);
  void ReportDrop(uint64_t offset, size_t bytes, const char* reason);
  void SetTorn(uint64_t offset);

  SequentialFile* const file_;
  Reporter* const reporter_;
  std::unique_ptr<char[]> backing_store_;
  std::string_view buffer_;            // the unread part of the current block
  bool eof_ = false;                   // the last block read was short: there are no more
  uint64_t end_of_buffer_offset_ = 0;  // file offset just past buffer_
  uint64_t last_record_offset_ = 0;
  uint64_t end_of_last_record_ = 0;
  uint64_t last_fragment_end_ = 0;
  bool torn_tail_ = false;
  bool zeros_to_eof_ = false;  // SkipZeros found zeros up to the end of the file
  bool zero_tail_ = false;
  uint64_t torn_tail_offset_ = 0;
  uint64_t torn_tail_bytes_ = 0;
  Status read_status_;
};

}  // namespace log
}  // namespace strata::store
