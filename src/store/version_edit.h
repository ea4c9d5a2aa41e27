// VersionEdit: one change to the set of table files (a flush adds an L0 file, a compaction
// removes its inputs and adds its outputs), plus the counters recovery needs. The MANIFEST is
// a log (log_format.h framing, one edit per record) of encoded edits; replaying them in order
// from an empty state gives the current Version (version_set.h).
//
// Encoding: a sequence of tagged fields, each `tag: varint32` followed by the field. A field
// may be absent; new files and deleted files may repeat.
//
//   kLogNumber      varint64  WALs numbered below this hold nothing that is not in tables
//   kNextFileNumber varint64  every file number in use is below this
//   kLastSequence   varint64  every write with a sequence <= this is in the tables
//   kCompactPointer varint32 level | length-prefixed internal key: where the next size
//                   compaction of that level starts (the key space is compacted round-robin)
//   kDeletedFile    varint32 level | varint64 file number
//   kNewFile        varint32 level | varint64 file number | varint64 file size |
//                   length-prefixed smallest internal key | length-prefixed largest one
//   kFormatVersion  varint32  kManifestFormatVersion; the first record of every MANIFEST
//                   carries it, so that a future incompatible format is refused, not misread
//   kFileCounts     varint64 file number | varint64 entries | varint64 tombstones: counts
//                   for a file added by the same edit (follows its kNewFile); absent: unknown.
//                   tombstones <= entries (the decoder refuses more)
//
// A decoder refuses unknown tags (Corruption): an edit it cannot understand could delete or
// add files it would not know about.
//
// Thread safety: a plain value type; external synchronization.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace strata::store {

// Levels of the tree: L0 holds flushed memtables (files may overlap; newer files shadow older
// ones), L1..L6 hold sorted runs (files in a level do not overlap; sorted by key).
constexpr int kNumLevels = 7;

// Bumped on any incompatible change of the MANIFEST encoding.
constexpr uint32_t kManifestFormatVersion = 1;

// What the MANIFEST records about a table file, plus in-memory state.
struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;        // smallest internal key in the file
  std::string largest;         // largest internal key in the file
  uint64_t num_entries = 0;    // entries in the file (every version and tombstone)
  uint64_t num_deletions = 0;  // of which tombstones

  // Not persisted. Set while the file is an input of a running compaction, so that no
  // second compaction picks it. GUARDED_BY(DBImpl::mutex_).
  bool being_compacted = false;
};

class VersionEdit {
 public:
  // DO NOT CHANGE: stored in every MANIFEST. Gaps are tags LevelDB uses for fields Strata
  // does not have (1: comparator name, 8: large value ref, 9: prev log number); never reuse.
  enum Tag : uint32_t {
    kLogNumber = 2,
    kNextFileNumber = 3,
    kLastSequence = 4,
    kCompactPointer = 5,
    kDeletedFile = 6,
    kNewFile = 7,
    kFormatVersion = 10,
    kFileCounts = 11,
  };

  void Clear() { *this = VersionEdit(); }

  void SetLogNumber(uint64_t n) {
    has_log_number_ = true;
    log_number_ = n;
  }
  void SetNextFile(uint64_t n) {
    has_next_file_number_ = true;
    next_file_number_ = n;
  }
  void SetLastSequence(uint64_t seq) {
    has_last_sequence_ = true;
    last_sequence_ = seq;
  }
  void SetFormatVersion(uint32_t v) {
    has_format_version_ = true;
    format_version_ = v;
  }
  void SetCompactPointer(int level, std::string_view internal_key) {
    compact_pointers_.emplace_back(level, std::string(internal_key));
  }
  // Adds the file to `level`. REQUIRES: file's smallest and largest are set.
  void AddFile(int level, const FileMetaData& file) { new_files_.emplace_back(level, file); }
  void AddFile(int level, uint64_t number, uint64_t size, std::string_view smallest,
               std::string_view largest);
  void RemoveFile(int level, uint64_t number) { deleted_files_.emplace(level, number); }

  bool has_log_number() const { return has_log_number_; }
  uint64_t log_number() const { return log_number_; }
  bool has_next_file_number() const { return has_next_file_number_; }
  uint64_t next_file_number() const { return next_file_number_; }
  bool has_last_sequence() const { return has_last_sequence_; }
  uint64_t last_sequence() const { return last_sequence_; }
  bool has_format_version() const { return has_format_version_; }
  uint32_t format_version() const { return format_version_; }
  const std::vector<std::pair<int, std::string>>& compact_pointers() const {
    return compact_pointers_;
  }
  const std::set<std::pair<int, uint64_t>>& deleted_files() const { return deleted_files_; }
  const std::vector<std::pair<int, FileMetaData>>& new_files() const { return new_files_; }

  void EncodeTo(std::string* dst) const;
  // Corruption if src is not a complete, well-formed edit.
  Status DecodeFrom(std::string_view src);

  // One field per line, for logs and test failures.
  std::string DebugString() const;

 private:
  bool has_log_number_ = false;
  bool has_next_file_number_ = false;
  bool has_last_sequence_ = false;
  bool has_format_version_ = false;
  uint64_t log_number_ = 0;
  uint64_t next_file_number_ = 0;
  uint64_t last_sequence_ = 0;
  uint32_t format_version_ = 0;

  std::vector<std::pair<int, std::string>> compact_pointers_;
  std::set<std::pair<int, uint64_t>> deleted_files_;  // (level, file number)
  std::vector<std::pair<int, FileMetaData>> new_files_;
};

}  // namespace strata::store
