#include "store/log_reader.h"

#include <algorithm>

#include "store/env.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::store::log {

Reader::Reader(SequentialFile* file, Reporter* reporter)
    : file_(file),
      reporter_(reporter),
      backing_store_(std::make_unique_for_overwrite<char[]>(kBlockSize)) {}

void Reader::ReportDrop(uint64_t offset, size_t bytes, const char* reason) {
  if (reporter_ != nullptr) reporter_->Corruption(offset, bytes, Status::Corruption(reason));
}

void Reader::SetTorn(uint64_t offset) {
  torn_tail_ = true;
  torn_tail_offset_ = offset;
}

bool Reader::ReadBlock() {
  buffer_ = {};
  if (eof_) return false;
  Status s = file_->Read(kBlockSize, &buffer_, backing_store_.get());
  if (!s.ok()) {
    buffer_ = {};
    read_status_ = std::move(s);
    eof_ = true;
    return false;
  }
  end_of_buffer_offset_ += buffer_.size();
  // SequentialFile::Read returns fewer bytes than asked only at the end of the file.
  if (buffer_.size() < kBlockSize) eof_ = true;
  return !buffer_.empty();
}

int Reader::SkipZeros(uint64_t offset) {
  bool same_block = true;
  while (true) {
    bool all_zero = std::all_of(buffer_.begin(), buffer_.end(), [](char c) { return c == 0; });
    if (!all_zero) {
      if (same_block) {
        // Zeros, then data, in one block: not aligned with any record any more, or the
        // fragment a crash cut while it was copied into a mapped WAL (header last, env.h).
        return DamageOrTornTail(offset, "zero-filled region in the middle of the log");
      }
      // buffer_ is a fresh block, which starts at a fragment boundary: keep it.
      const uint64_t damaged_end = end_of_buffer_offset_ - buffer_.size();
      ReportDrop(offset, damaged_end - offset, "zero-filled region in the middle of the log");
      return kBadRecord;
    }
    if (!ReadBlock()) {
      if (!read_status_.ok()) return kEof;
      SetTorn(offset);
      zeros_to_eof_ = true;
      return kTornTail;
    }
    same_block = false;
  }
}

int Reader::DamageOrTornTail(uint64_t offset, const char* reason) {
  // The rest of this block cannot be located: drop it, and look at what follows. A fragment
  // never spans blocks, so the cut one, if that is what this is, ends in this block.
  uint64_t damaged_end = end_of_buffer_offset_;
  buffer_ = {};
  while (ReadBlock()) {
    if (!std::all_of(buffer_.begin(), buffer_.end(), [](char c) { return c == 0; })) {
      // Data after the damage: corruption. buffer_ is a fresh block; keep it.
      ReportDrop(offset, damaged_end - offset, reason);
      return kBadRecord;
    }
    damaged_end = end_of_buffer_offset_;
  }
  if (!read_status_.ok()) {
    ReportDrop(offset, damaged_end - offset, reason);
    return kEof;
  }
  SetTorn(offset);
  return kTornTail;
}

int Reader::ReadPhysicalRecord(std::string_view* fragment, uint64_t* offset) {
  while (true) {
    if (buffer_.size() < kHeaderSize) {
      if (!eof_) {
        // What is left of a full block is its zero trailer (see log_format.h).
        if (!ReadBlock()) {
          return kEof;  // the file ended at a block boundary, or a read error
        }
        continue;
      }
      if (!buffer_.empty()) {
        // A header cut short by the end of the file.
        SetTorn(end_of_buffer_offset_ - buffer_.size());
        buffer_ = {};
        return kTornTail;
      }
      return kEof;
    }

    const uint64_t here = end_of_buffer_offset_ - buffer_.size();
    const char* header = buffer_.data();
    const uint32_t length = static_cast<unsigned char>(header[4]) |
                            (static_cast<uint32_t>(static_cast<unsigned char>(header[5])) << 8);
    const int type = static_cast<unsigned char>(header[6]);
    if (type == kZeroType && length == 0 && DecodeFixed32(header) == 0) {
      return SkipZeros(here);
    }
    if (kHeaderSize + length > buffer_.size()) {
      if (eof_) {
        // The payload is cut short by the end of the file.
        SetTorn(here);
        buffer_ = {};
        return kTornTail;
      }
      // A full block never holds a fragment that runs past its end: the length is damaged,
      // so nothing else in this block can be located.
      size_t drop = buffer_.size();
      buffer_ = {};
      ReportDrop(here, drop, "bad record length");
      return kBadRecord;
    }
    const uint32_t expected = UnmaskChecksum(DecodeFixed32(header));
    const uint32_t actual = Checksum(std::string_view(header + 6, 1 + length));
    if (expected != actual) {
      // The length may be the damaged part, so do not trust it to find the next fragment.
      size_t drop = buffer_.size();
      buffer_ = {};
      ReportDrop(here, drop, "checksum mismatch");
      return kBadRecord;
    }
    buffer_.remove_prefix(kHeaderSize + length);
    if (type == kZeroType || type > kMaxRecordType) {
      ReportDrop(here, kHeaderSize + length, "unknown record type");
      return kBadRecord;
    }
    *fragment = std::string_view(header + kHeaderSize, length);
    *offset = here;
    last_fragment_end_ = here + kHeaderSize + length;
    return type;
  }
}

bool Reader::ReadRecord(std::string_view* record, std::string* scratch) {
  scratch->clear();
  *record = {};
  bool in_fragmented_record = false;
  uint64_t prospective_offset = 0;  // where the record being assembled began

  while (true) {
    std::string_view fragment;
    uint64_t offset = 0;
    const int type = ReadPhysicalRecord(&fragment, &offset);
    switch (type) {
      case kFullType:
        if (in_fragmented_record) {
          ReportDrop(prospective_offset, scratch->size(), "partial record without end");
          scratch->clear();
        }
        *record = fragment;
        last_record_offset_ = offset;
        end_of_last_record_ = last_fragment_end_;
        return true;

      case kFirstType:
        if (in_fragmented_record) {
          ReportDrop(prospective_offset, scratch->size(), "partial record without end");
        }
        prospective_offset = offset;
        scratch->assign(fragment.data(), fragment.size());
        in_fragmented_record = true;
        break;

      case kMiddleType:
        if (!in_fragmented_record) {
          ReportDrop(offset, kHeaderSize + fragment.size(), "missing start of fragmented record");
        } else {
          scratch->append(fragment.data(), fragment.size());
        }
        break;

      case kLastType:
        if (!in_fragmented_record) {
          ReportDrop(offset, kHeaderSize + fragment.size(), "missing start of fragmented record");
        } else {
          scratch->append(fragment.data(), fragment.size());
          *record = *scratch;
          last_record_offset_ = prospective_offset;
          end_of_last_record_ = last_fragment_end_;
          return true;
        }
        break;

      case kEof:
        if (in_fragmented_record && read_status_.ok()) {
          // The writer died between two fragments of this record.
          SetTorn(prospective_offset);
        }
        if (torn_tail_) torn_tail_bytes_ = end_of_buffer_offset_ - torn_tail_offset_;
        scratch->clear();
        return false;

      case kTornTail:
        zero_tail_ = zeros_to_eof_ && !in_fragmented_record;
        if (in_fragmented_record) SetTorn(prospective_offset);
        torn_tail_bytes_ = end_of_buffer_offset_ - torn_tail_offset_;
        scratch->clear();
        return false;

      case kBadRecord:
        if (in_fragmented_record) {
          ReportDrop(prospective_offset, scratch->size(), "error in the middle of a record");
          in_fragmented_record = false;
          scratch->clear();
        }
        break;
    }
  }
}

}  // namespace strata::store::log
