// FaultInjectionEnv: a test Env that wraps another Env (normally Env::Default() on a temp
// directory) to simulate what a machine crash and a failing disk do to the store.
//
// Crash simulation (modelled on LevelDB's db/fault_injection_test.cc, docs/design.md §8.4):
// the env remembers, for every file written through it, how many bytes were durable at its
// last successful Sync/SyncFlushed, and whether its directory entry was made durable by a
// SyncDir of its directory after it was created or renamed. A test "crashes" the machine with
//     env.SetFilesystemActive(false);   // from now on nothing reaches the disk
//     db.reset();                       // the process goes away
//     env.DropUnsyncedData();           // the disk as it would be found after power-off
//     env.SetFilesystemActive(true);
// DropUnsyncedData undoes renames whose directory was not synced since (restoring the old
// target's contents), deletes files whose creation was not synced, and truncates every other
// tracked file to its last synced size. Not modelled: removals that were not synced (a
// removed file stays removed) and reordering of writes within the synced prefix.
//
// Error injection: SetFault(op, n) makes the given operation fail with an IOError after n
// more successful calls (n = 0: from the next call on), until ClearFaults(); SetFault(op, n,
// ".log") counts and fails only calls on files whose path contains ".log" (".sst",
// "MANIFEST", ...), so that a test can aim at one kind of file. A failed Append writes
// nothing. A failed Sync leaves the file's durable size where it was and, like Linux after a
// writeback error (which marks the dirty pages clean, docs/design.md §4.7), loses the bytes it
// should have made durable for good: a later Sync that succeeds does not bring them back, and
// DropUnsyncedData turns them into zeros. So a store that retries a failed fsync and trusts
// it loses data in these tests, as it would on a real disk.
//
// Thread-safe, like every Env; file objects have the usual one-thread contract, except that
// SyncFlushed may overlap Append/Flush as env.h allows.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/env.h"

namespace strata::store {

enum class FaultOp { kAppend, kSync, kSyncDir, kRename, kNewWritableFile, kNumOps };

class FaultInjectionEnv final : public Env {
 public:
  // base must outlive this env.
  explicit FaultInjectionEnv(Env* base);

  // --- Error injection ---
  // op fails after `after` more successful calls; after < 0 turns the fault off. With
  // file_contains non-empty, only calls on paths containing it count and fail.
  // REQUIRES: mutex_ not held
  void SetFault(FaultOp op, int after = 0, std::string file_contains = "");
  void ClearFaults();  // REQUIRES: mutex_ not held
  // How many calls failed because of an injected fault so far.
  int InjectedFailures() const;  // REQUIRES: mutex_ not held

  // --- Observation ---
  // How many files were opened for reading with pread (NewRandomAccessFile) and through a
  // mapping (NewMappedReadableFile) so far.
  int pread_opens() const { return pread_opens_.load(std::memory_order_relaxed); }
  int mapped_opens() const { return mapped_opens_.load(std::memory_order_relaxed); }

  // --- Crash simulation ---
  // Inactive: every operation that would change the disk fails with an IOError and changes
  // nothing (reads still work). This is the instant of the crash.
  void SetFilesystemActive(bool active);  // REQUIRES: mutex_ not held
  // Rewrites the directory to what survives a power failure (see the header comment). Call
  // after every file of the crashed store is closed.
  //
  // seed == 0: every file is cut to exactly its synced size. Otherwise the OS is taken to
  // have written back part of what was flushed but not synced: each file keeps its synced
  // bytes plus a random prefix of the rest, and in one case of four that kept part reads back
  // as zeros (the size reached the disk, the data did not). This is how torn WAL tails arise.
  Status DropUnsyncedData(uint64_t seed = 0);  // REQUIRES: mutex_ not held
  // Forgets every tracked file: what is on disk now counts as durable.
  void ResetState();  // REQUIRES: mutex_ not held

  // --- Env ---
  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override;
  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override;
  Status NewMappedReadableFile(const std::string& fname,
                               std::unique_ptr<RandomAccessFile>* result) override;
  Status NewWritableFile(const std::string& fname, std::unique_ptr<WritableFile>* result) override;
  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override;
  bool FileExists(const std::string& fname) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  Status RemoveFile(const std::string& fname) override;
  Status CreateDir(const std::string& dir) override;
  Status GetFileSize(const std::string& fname, uint64_t* size) override;
  Status RenameFile(const std::string& src, const std::string& target) override;
  Status SyncDir(const std::string& dir) override;
  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override;
  uint64_t NowMicros() override { return base_->NowMicros(); }
  void SleepForMicroseconds(int micros) override { base_->SleepForMicroseconds(micros); }

 private:
  class File;
  friend class File;

  // What is known about one file written through this env.
  struct FileState {
    uint64_t size = 0;          // bytes appended through the env
    uint64_t flushed = 0;       // bytes handed to the OS by Flush (or Sync)
    uint64_t synced = 0;        // bytes durable
    bool entry_synced = false;  // the directory entry is durable
    // Bytes [lost_begin, lost_end) were dirty when a Sync failed: they never reach the disk.
    uint64_t lost_begin = 0;
    uint64_t lost_end = 0;
  };
  // A rename whose directory has not been synced since.
  struct PendingRename {
    std::string src, target;
    FileState src_state;
    bool had_target = false;
    FileState old_target_state;
    std::string old_target_contents;  // the target's durable bytes before the rename
  };

  // OK, or the injected error for op (consuming one "after" credit).
  Status CheckFault(FaultOp op, const std::string& fname);  // REQUIRES: mutex_ held
  Status CheckActive(const std::string& fname) const;  // REQUIRES: mutex_ held
  // REQUIRES: mutex_ not held
  Status OpenWritable(const std::string& fname, bool append, std::unique_ptr<WritableFile>* result);
  // Replaces fname's contents with its first `size` bytes, the ones from zero_from on and
  // those in st's lost range replaced by zeros (via the base env).
  Status TruncateTo(const std::string& fname, uint64_t size, uint64_t zero_from,
                    const FileState& st);

  // Called by File.
  Status OnAppend(const std::string& fname, size_t n);  // REQUIRES: mutex_ not held
  // whole: a Sync (everything appended), not a SyncFlushed (what was flushed).
  // REQUIRES: mutex_ not held
  Status BeforeSync(const std::string& fname, bool whole, uint64_t* flushed);
  // Returns the file's flushed size.
  uint64_t OnFlushed(const std::string& fname);  // REQUIRES: mutex_ not held
  void OnSynced(const std::string& fname, uint64_t durable);  // REQUIRES: mutex_ not held
  Status CheckWritable(const std::string& fname);  // REQUIRES: mutex_ not held

  Env* const base_;
  mutable std::mutex mutex_;
  bool active_ = true;  // GUARDED_BY(mutex_)
  int fault_after_[static_cast<int>(FaultOp::kNumOps)];  // GUARDED_BY(mutex_)
  std::string fault_file_[static_cast<int>(FaultOp::kNumOps)];  // GUARDED_BY(mutex_)
  int injected_failures_ = 0;  // GUARDED_BY(mutex_)
  std::atomic<int> pread_opens_{0};
  std::atomic<int> mapped_opens_{0};
  std::map<std::string, FileState> files_;  // GUARDED_BY(mutex_)
  std::vector<PendingRename> renames_;  // GUARDED_BY(mutex_)
};

}  // namespace strata::store
