#include "store/log_writer.h"

#include <cassert>

#include "store/env.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::store::log {
Writer::Writer(WritableFile* dest) : Writer(dest, 0) {}

Writer::Writer(WritableFile* dest, uint64_t dest_length)
    : dest_(dest), block_offset_(dest_length % kBlockSize), file_size_(dest_length) {}

Status Writer::AddRecord(std::string_view record) {
  const char* ptr = record.data();
  size_t left = record.size();
  bool begin = true;
  // An empty record is still written, as one empty kFull fragment.
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      // Too little room for a header: zero-fill the trailer and start a new block.
      if (leftover > 0) {
        static constexpr char kZeros[kHeaderSize] = {};
        Status s = dest_->Append(std::string_view(kZeros, leftover));
        if (!s.ok()) return s;
        file_size_ += leftover;
      }
      block_offset_ = 0;
    }
    const size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    const size_t fragment = left < avail ? left : avail;
    const bool end = (left == fragment);
    RecordType type = begin && end ? kFullType : begin ? kFirstType : end ? kLastType : kMiddleType;
    Status s = EmitPhysicalRecord(type, ptr, fragment);
    if (!s.ok()) return s;
    ptr += fragment;
    left -= fragment;
    begin = false;
  } while (left > 0);
  return Status::OK();
}

Status Writer::EmitPhysicalRecord(RecordType type, const char* ptr, size_t length) {
  assert(length <= 0xffff);
  assert(block_offset_ + kHeaderSize + length <= kBlockSize);
  char header[kHeaderSize] = {};
  header[4] = static_cast<char>(length & 0xff);
  header[5] = static_cast<char>(length >> 8);
  header[6] = static_cast<char>(type);
  // One Append per fragment, header and payload together: a mapped WAL copies an Append's
  // first 8 bytes last (env.h), so a crash mid-copy leaves this fragment with a zero header,
  // which the reader recognizes as the torn tail (log_reader.h).
  scratch_.assign(header, kHeaderSize);
  scratch_.append(ptr, length);
  EncodeFixed32(scratch_.data(),
                MaskChecksum(Checksum(std::string_view(scratch_).substr(kHeaderSize - 1))));
  Status s = dest_->Append(scratch_);
  // The bytes are counted even on failure: the file position is unknown then anyway, and the
  // caller stops using this writer.
  block_offset_ += kHeaderSize + length;
  file_size_ += kHeaderSize + length;
  return s;
}

}  // namespace strata::store::log
