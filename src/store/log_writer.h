// log::Writer appends records to a log file in the format of log_format.h.
//
// AddRecord hands the fragments to WritableFile::Append, which may keep them in its
// user-space buffer: the caller decides when to Flush (hand them to the OS) and when to Sync.
// A failed Append leaves a partial record in the file; the caller must stop writing to it
// (the DB makes such a failure sticky).
//
// Thread safety: external synchronization (one writer at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/log_format.h"
#include "util/status.h"

namespace strata::store {

class WritableFile;

namespace log {

class Writer {
 public:
  // dest must be empty (a new file); it must outlive the Writer.
  explicit Writer(WritableFile* dest);
  // dest already holds dest_length bytes of this format (reopened for appending).
  Writer(WritableFile* dest, uint64_t dest_length);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Status AddRecord(std::string_view record);

  // Bytes written so far (including headers and block trailers), i.e. the file's size.
  uint64_t FileSize() const { return file_size_; }

 private:
  Status EmitPhysicalRecord(RecordType type, const char* ptr, size_t length);

  WritableFile* dest_;
  size_t block_offset_;  // current offset within the block
  uint64_t file_size_;
  // header + payload of one fragment, built contiguously so that it is checksummed in one
  // pass and appended in one call (see EmitPhysicalRecord). Reused: no allocation per
  // record once warm.
  std::string scratch_;
};

}  // namespace log
}  // namespace strata::store
