#include "store/version_edit.h"

#include <cstdio>

#include "store/dbformat.h"
#include "util/coding.h"

namespace strata::store {
namespace {

bool GetLevel(std::string_view* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(kNumLevels)) return false;
  *level = static_cast<int>(v);
  return true;
}

// An internal key field: length-prefixed, at least the 8-byte tag.
bool GetInternalKey(std::string_view* input, std::string* key) {
  std::string_view v;
  if (!GetLengthPrefixed(input, &v) || v.size() < 8) return false;
  key->assign(v);
  return true;
}

// Printable form of an internal key for DebugString.
std::string KeyString(std::string_view ikey) {
  ParsedInternalKey p;
  if (!ParseInternalKey(ikey, &p)) return "(bad key)";
  std::string out = "'";
  for (char c : p.user_key) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  out += "' @ " + std::to_string(p.sequence) + (p.kind == ValueKind::kValue ? " v" : " d");
  return out;
}

}  // namespace

void VersionEdit::AddFile(int level, uint64_t number, uint64_t size, std::string_view smallest,
                          std::string_view largest) {
  FileMetaData f;
  f.number = number;
  f.file_size = size;
  f.smallest.assign(smallest);
  f.largest.assign(largest);
  new_files_.emplace_back(level, std::move(f));
}

void VersionEdit::EncodeTo(std::string* dst) const {
  if (has_format_version_) {
    PutVarint32(dst, kFormatVersion);
    PutVarint32(dst, format_version_);
  }
  if (has_log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, log_number_);
  }
  if (has_next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, next_file_number_);
  }
  if (has_last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, last_sequence_);
  }
  for (const auto& [level, key] : compact_pointers_) {
    PutVarint32(dst, kCompactPointer);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutLengthPrefixed(dst, key);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    if (f.num_entries > 0) {
      PutVarint32(dst, kFileCounts);
      PutVarint64(dst, f.number);
      PutVarint64(dst, f.num_entries);
      PutVarint64(dst, f.num_deletions);
    }
  }
}

Status VersionEdit::DecodeFrom(std::string_view src) {
  Clear();
  std::string_view input = src;
  const char* error = nullptr;
  uint32_t tag;
  while (error == nullptr && !input.empty()) {
    if (!GetVarint32(&input, &tag)) {
      error = "bad tag";
      break;
    }
    int level;
    uint64_t number;
    switch (tag) {
      case kLogNumber:
        if (!GetVarint64(&input, &log_number_)) error = "log number";
        has_log_number_ = true;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&input, &next_file_number_)) error = "next file number";
        has_next_file_number_ = true;
        break;
      case kLastSequence:
        if (!GetVarint64(&input, &last_sequence_)) error = "last sequence";
        has_last_sequence_ = true;
        break;
      case kFormatVersion:
        if (!GetVarint32(&input, &format_version_)) error = "format version";
        has_format_version_ = true;
        break;
      case kCompactPointer: {
        std::string key;
        if (GetLevel(&input, &level) && GetInternalKey(&input, &key)) {
          compact_pointers_.emplace_back(level, std::move(key));
        } else {
          error = "compaction pointer";
        }
        break;
      }
      case kDeletedFile:
        if (GetLevel(&input, &level) && GetVarint64(&input, &number)) {
          deleted_files_.emplace(level, number);
        } else {
          error = "deleted file";
        }
        break;
      case kNewFile: {
        FileMetaData f;
        if (GetLevel(&input, &level) && GetVarint64(&input, &f.number) &&
            GetVarint64(&input, &f.file_size) && GetInternalKey(&input, &f.smallest) &&
            GetInternalKey(&input, &f.largest)) {
          new_files_.emplace_back(level, std::move(f));
        } else {
          error = "new file";
        }
        break;
      }
      case kFileCounts: {
        // Tombstones are entries: more of them than entries is damage (and would not
        // survive a re-encoding, which writes counts only for files with entries).
        uint64_t entries, deletions;
        if (GetVarint64(&input, &number) && GetVarint64(&input, &entries) &&
            GetVarint64(&input, &deletions) && deletions <= entries && !new_files_.empty() &&
            new_files_.back().second.number == number) {
          new_files_.back().second.num_entries = entries;
          new_files_.back().second.num_deletions = deletions;
        } else {
          error = "file counts";
        }
        break;
      }
      default:
        error = "unknown tag";
        break;
    }
  }
  if (error != nullptr) {
    Clear();
    return Status::Corruption("MANIFEST record", error);
  }
  return Status::OK();
}

std::string VersionEdit::DebugString() const {
  std::string r = "VersionEdit {";
  if (has_format_version_) r += "\n  FormatVersion: " + std::to_string(format_version_);
  if (has_log_number_) r += "\n  LogNumber: " + std::to_string(log_number_);
  if (has_next_file_number_) r += "\n  NextFile: " + std::to_string(next_file_number_);
  if (has_last_sequence_) r += "\n  LastSeq: " + std::to_string(last_sequence_);
  for (const auto& [level, key] : compact_pointers_) {
    r += "\n  CompactPointer: L" + std::to_string(level) + " " + KeyString(key);
  }
  for (const auto& [level, number] : deleted_files_) {
    r += "\n  RemoveFile: L" + std::to_string(level) + " #" + std::to_string(number);
  }
  for (const auto& [level, f] : new_files_) {
    r += "\n  AddFile: L" + std::to_string(level) + " #" + std::to_string(f.number) + " " +
         std::to_string(f.file_size) + " bytes [" + KeyString(f.smallest) + " .. " +
         KeyString(f.largest) + "] " + std::to_string(f.num_entries) + " entries, " +
         std::to_string(f.num_deletions) + " tombstones";
  }
  r += "\n}\n";
  return r;
}

}  // namespace strata::store
