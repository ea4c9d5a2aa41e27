// CompactionJob: runs one picked Compaction (compaction.h) that is not a trivial move: merges
// its input files, applies the drop rules (compaction_iterator.h), and writes the result as
// new table files of the output level, cut at target_file_size and early on grandparent
// overlap (Compaction::ShouldStopBefore), always between two user keys. The outputs are
// synced, verified, and their directory synced; installing them (the MANIFEST edit) is the
// caller's job, with the DB mutex held.
//
// Thread safety: Run() is called without the DB mutex, by one thread. new_file_number is
// called from Run() and must take whatever lock it needs (DBImpl: the DB mutex, and it
// records the number as a pending output so the file is not deleted as obsolete).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/compaction.h"
#include "store/compaction_iterator.h"
#include "store/options.h"
#include "store/version_edit.h"
#include "util/status.h"

namespace strata::store {

class TableCache;
class VersionSet;

class CompactionJob {
 public:
  struct Stats {
    uint64_t bytes_read = 0;     // sizes of the input files
    uint64_t bytes_written = 0;  // sizes of the output files
    uint64_t micros = 0;
    CompactionIterator::Stats entries;
  };

  // c, vset and cancel must outlive the job. smallest_snapshot: S of compaction_iterator.h.
  CompactionJob(const std::string& dir, const Options& options, VersionSet* vset, Compaction* c,
                uint64_t smallest_snapshot, std::function<uint64_t()> new_file_number,
                const std::atomic<bool>* cancel);

  CompactionJob(const CompactionJob&) = delete;
  CompactionJob& operator=(const CompactionJob&) = delete;

  // Writes the outputs. On error (or when *cancel becomes true) the outputs written so far
  // are removed and the error returned.
  Status Run();

  // Adds the deletion of the inputs and the addition of the outputs to c->edit().
  // REQUIRES: Run() returned OK.
  void AddToEdit();

  // Every file number new_file_number returned, whether or not a file remains.
  const std::vector<uint64_t>& allocated_numbers() const { return allocated_; }
  const std::vector<FileMetaData>& outputs() const { return outputs_; }
  const Stats& stats() const { return stats_; }

 private:
  Status FinishOutput(class TableFileWriter* writer);

  const std::string dir_;
  const Options& options_;
  VersionSet* const vset_;
  Compaction* const c_;
  const uint64_t smallest_snapshot_;
  const std::function<uint64_t()> new_file_number_;
  const std::atomic<bool>* const cancel_;

  std::vector<uint64_t> allocated_;
  std::vector<FileMetaData> outputs_;
  Stats stats_;
};

}  // namespace strata::store
