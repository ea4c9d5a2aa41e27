// Compaction: which files one compaction reads and where its output goes, and the leveled
// policy that picks it (docs/design.md §6; LevelDB's leveled compaction, its doc/impl.md).
//
// Policy:
//   - L0 is compacted into L1 when it holds level0_compaction_trigger files; a level L >= 1
//     when it holds more than MaxBytesForLevel(L) bytes. The level with the highest
//     score (files / trigger, bytes / limit) whose inputs are free goes first.
//   - In a level >= 1 the key space is compacted round-robin: the next compaction starts
//     after the largest key the previous one took (the level's compact pointer).
//   - Inputs: the chosen file(s) of level L, every file of L+1 overlapping their user-key
//     range, and (for L0) every L0 file overlapping that range, transitively. Inputs are
//     closed under "same user key" (leveldb#320: a user key's versions split between a
//     compacted and an uncompacted file let a Get find the older version first): in levels
//     >= 1 no two files share a user key (version_set.h checks it at every edit), and
//     overlap is decided on user keys, inclusive.
//   - A single input file with nothing to merge below is moved down by an edit alone
//     (a trivial move), unless it would overlap too much of L+2.
//   - Output files are cut at target_file_size, and early when they would overlap more
//     than 10 x target_file_size bytes of L+2 (so a later compaction of the output stays
//     small), and only between two user keys.
//   - Reads compact too: once reads reaching the tables have spent the version's read
//     budget (Version::ChargeRead), and no level needs a size-triggered compaction, L0 is
//     compacted into L1 whatever its file count, or, with L0 empty, one file of the
//     shallowest level L >= 1 whose next level holds files goes into L+1. Without it, the
//     last 1..trigger-1 files flushed before writes stop would stay in L0 for good, and a
//     level under its size limit above another level would stay too: one more probe and
//     cursor per read.
//   - A full compaction (DB::CompactAll) takes every file of every level and writes the
//     result to one level: the deepest level holding data, or deeper if that level's size
//     limit is smaller than the data (at least L1).
//
// Concurrency: with several compaction threads, two compactions never share an input file
// (FileMetaData::being_compacted), and at most one compaction takes L0 files at a time. That
// is enough for their outputs never to overlap: a compaction's output stays inside the
// user-key range of its inputs, and two compactions whose inputs are disjoint, and which
// each took every file overlapping their range in the next level, have disjoint ranges.
//
// Thread safety: Pick* and MarkInputs require the DB mutex; a picked Compaction is then used
// by the one thread running it (IsBaseLevelForKey and ShouldStopBefore keep cursors).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/options.h"
#include "store/version_edit.h"
#include "store/version_set.h"

namespace strata::store {

class Compaction {
 public:
  ~Compaction();
  Compaction(const Compaction&) = delete;
  Compaction& operator=(const Compaction&) = delete;

  // Inputs come from levels [start_level, output_level] (two adjacent levels, except for a
  // full compaction); output goes to output_level.
  int start_level() const { return start_level_; }
  int output_level() const { return output_level_; }
  const std::vector<FilePtr>& inputs(int level) const { return inputs_[level]; }
  size_t num_input_files() const;
  uint64_t input_bytes() const;
  bool is_full() const { return full_; }
  // Picked because reads exhausted the version's read budget (Version::ChargeRead), not size.
  bool read_triggered() const { return read_triggered_; }

  // The version the inputs were picked from; referenced until the compaction is destroyed.
  Version* input_version() const { return input_version_; }
  // The edit this compaction will apply: it already carries the new compact pointer.
  VersionEdit* edit() { return &edit_; }

  uint64_t max_output_file_size() const { return max_output_file_size_; }

  // A single file moved one level down without rewriting it.
  bool IsTrivialMove() const;
  // Records the deletion of every input file in edit().
  void AddInputDeletions();

  // True if no level below output_level may hold user_key, i.e. a tombstone for it may be
  // dropped and a filtered value dropped outright. REQUIRES: calls in increasing key order.
  bool IsBaseLevelForKey(std::string_view user_key);
  // True if the output file should be closed before internal_key, because it already
  // overlaps too much of the grandparent level. REQUIRES: calls in increasing key order.
  bool ShouldStopBefore(std::string_view internal_key);

  // Marks (or clears) the inputs as being compacted. REQUIRES: the DB mutex.
  void MarkInputs(bool being_compacted);

  // "L1 -> L2: 3+5 files, 12345 bytes" for logs.
  std::string Summary() const;

 private:
  friend std::unique_ptr<Compaction> PickCompaction(VersionSet* vset);
  friend std::unique_ptr<Compaction> PickFullCompaction(VersionSet* vset);
  friend class CompactionPickerForTest;

  Compaction(const Options& options, Version* version, int start_level, int output_level);

  const int start_level_;
  const int output_level_;
  const uint64_t max_output_file_size_;
  const uint64_t max_grandparent_overlap_bytes_;
  bool full_ = false;
  bool read_triggered_ = false;
  Version* const input_version_;
  VersionEdit edit_;

  std::vector<FilePtr> inputs_[kNumLevels];
  std::vector<FilePtr> grandparents_;  // files of output_level + 1 overlapping the inputs

  // ShouldStopBefore state.
  size_t grandparent_index_ = 0;
  bool seen_key_ = false;
  uint64_t overlapped_bytes_ = 0;
  // IsBaseLevelForKey state: for each level below the output, the first file that may still
  // hold the keys to come.
  size_t level_ptrs_[kNumLevels] = {};
};

// The most urgent size-, count- or read-triggered compaction whose inputs no running compaction
// uses, or nullptr if no level needs one (or every candidate is busy). Advances the level's
// compact pointer. Does not mark the inputs: the caller does (MarkInputs), still holding the
// DB mutex. REQUIRES: the DB mutex.
std::unique_ptr<Compaction> PickCompaction(VersionSet* vset);

// Every file of current(), for DB::CompactAll; nullptr if there are no files. REQUIRES: the
// DB mutex, and no running compaction (the caller waits for them).
std::unique_ptr<Compaction> PickFullCompaction(VersionSet* vset);

// The compaction score of each level of v: >= 1 means the level needs compacting. Counts
// files being compacted too.
void ComputeCompactionScores(const Options& options, const Version& v, double scores[kNumLevels]);

}  // namespace strata::store
