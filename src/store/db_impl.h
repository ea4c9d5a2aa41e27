// DBImpl: the DB of db.h. This file and db_impl.cc hold the engine's hard concurrency; the
// rest of src/store is single-purpose pieces that are thread-compatible or lock-free.
//
// State and locks (every member below names what guards it):
//   mutex_           the one DB mutex. Write takes it once on the hot path.
//   "the log owner"  whoever may touch the WAL writer (log_, logfile_'s buffer) and insert
//                    into mem_: the Writer at the head of writers_, or, while writers_ is
//                    empty, any thread holding mutex_. The owner may work with mutex_
//                    released; everyone else who needs the WAL queues a Writer (a null batch
//                    is a "flush the WAL buffer" request) and waits for its turn.
//   atomics          last_sequence_ and durable_sequence_ are written with mutex_ held and
//                    read without it (LastSequence, DurableSequence, SyncAsync fast check).
//
// Write path (LevelDB's writer queue, lsm-engines.md §1.1): with an empty queue and a small
// buffer_wal write, the caller appends the record to the WAL buffer and inserts it into the
// memtable under mutex_ and returns: one uncontended lock, no allocation besides arena
// space. Otherwise writers queue; the head becomes the leader, folds the following batches
// into one WAL record (group commit), writes it and inserts it with mutex_ released, then
// hands every member its status.
//
// Durability (DESIGN.md §4): a syncer thread owns every fsync of the live WAL. Asked by
// SyncAsync, a sync write, SyncWAL, the once-a-second timer (kEverySec) or shutdown, it has the
// WAL buffer flushed (as log owner), then fdatasyncs with mutex_ released (SyncFlushed, so
// writers keep appending meanwhile), advances durable_sequence_, and runs every covered
// SyncAsync callback in sequence order. Requests that arrive during an fsync share the next.
// A failed WAL write or fsync is sticky (bg_error_): writes fail from then on, reads go on
// (lsm-engines.md §3.3: a failed fsync cannot be retried).
//
// Memtables: mem_ takes writes; when it passes memtable_size it joins imm_ with its WAL fully
// synced, and a new WAL starts. Readers take a SuperVersion (mem_, imm_, and later the
// current Version) by reference under mutex_ and then read with no lock.
//
// Options::info_log may be called with mutex_ held (e.g. when a write error becomes sticky):
// it must hand the message off and never call back into the DB.
//
// What this step does not do yet (the seams are marked "LSM step:" in db_impl.cc): flush imm_
// to SSTables, a VersionSet/MANIFEST, compaction, write stalls, deleting old WALs. Until
// then every WAL is kept and replayed at open, and immutable memtables stay in memory.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/env.h"
#include "store/log_writer.h"
#include "store/snapshot.h"
#include "store/thread_annotations.h"

namespace strata::store {

class MemTable;

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, const std::string& dir);
  ~DBImpl() override;

  // Takes the LOCK, replays the WALs, starts a new WAL and the syncer. Called once by Open.
  Status Recover() LOCKS_EXCLUDED(mutex_);

  Status Put(const WriteOptions& options, std::string_view key, std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  Status Write(const WriteOptions& options, WriteBatch* updates) override LOCKS_EXCLUDED(mutex_);
  Status Get(const ReadOptions& options, std::string_view key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;

  Status FlushWAL() override LOCKS_EXCLUDED(mutex_);
  uint64_t LastSequence() const override { return last_sequence_.load(std::memory_order_acquire); }
  uint64_t DurableSequence() const override {
    return durable_sequence_.load(std::memory_order_acquire);
  }
  void SyncAsync(uint64_t seq, std::function<void(Status)> done) override;
  Status SyncWAL() override;
  Status BackgroundError() const override;

  Status FlushMemTable(bool wait) override;
  Status CompactAll() override;
  bool GetProperty(std::string_view property, std::string* value) override;

 private:
  struct Writer;
  struct SuperVersion;
  struct SyncCallback {
    uint64_t seq;
    std::function<void(Status)> done;
  };

  // --- Recovery (db_impl.cc, "Recovery") ---
  Status RecoverLogFile(uint64_t number, bool last_log, uint64_t* max_sequence)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Rewrites WAL `number` to its first good_bytes bytes (temp file, sync, rename, sync dir).
  Status TruncateLogFile(uint64_t number, uint64_t good_bytes) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Status NewLogFile(uint64_t number, std::shared_ptr<WritableFile>* file);

  // --- Write path ---
  Status WriteSlow(const WriteOptions& options, WriteBatch* batch,
                   std::unique_lock<std::mutex>& lock) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void EnqueueWriter(Writer* w) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Pops writers from the head through `last`, completing all but `self` with status, and
  // wakes the next head. REQUIRES: self is the head.
  void FinishGroup(Writer* self, Writer* last, const Status& status)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Folds the batches of the writers after the head into one; sets *last to the last writer
  // folded in and each writer's sequence. REQUIRES: the caller is the head, with a batch.
  WriteBatch* BuildBatchGroup(Writer** last, bool* flush, uint64_t first_seq)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Switches to a new memtable and WAL if mem_ is full. REQUIRES: the caller is log owner
  // at the head of writers_. May release mutex_ while doing file I/O.
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Becomes log owner through the queue and hands the WAL buffer to the OS.
  Status FlushWALLocked(std::unique_lock<std::mutex>& lock) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void RecordBackgroundError(const Status& s) EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  // --- Durability ---
  void SyncerLoop() LOCKS_EXCLUDED(mutex_);
  // One flush + fdatasync of the live WAL, advancing durable_sequence_.
  Status SyncOnce(std::unique_lock<std::mutex>& lock) EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Runs (with mutex_ released) the callbacks that are now decided, in sequence order.
  void RunReadyCallbacks(std::unique_lock<std::mutex>& lock, bool shutting_down)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Status WaitForDurable(uint64_t seq, std::unique_lock<std::mutex>& lock)
      EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  // --- Read views ---
  void InstallSuperVersion() EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  SuperVersion* RefSuperVersion(const ReadOptions& options, uint64_t* sequence)
      LOCKS_EXCLUDED(mutex_);

  void Log(LogLevel level, const std::string& message) const;

  // Constant after construction.
  Env* const env_;
  const Options options_;
  const std::string dir_;

  mutable std::mutex mutex_;
  std::unique_ptr<FileLock> db_lock_;  // held from Recover to the destructor

  // Writer queue: an intrusive FIFO of Writers living on their callers' stacks.
  Writer* writers_head_ GUARDED_BY(mutex_) = nullptr;
  Writer* writers_tail_ GUARDED_BY(mutex_) = nullptr;
  WriteBatch group_batch_;  // log owner only: the merged batch of a group

  // Memtables. The pointers change only under mutex_ and only by the log owner, who may
  // therefore read mem_ without mutex_.
  MemTable* mem_ GUARDED_BY(mutex_) = nullptr;
  std::vector<MemTable*> imm_ GUARDED_BY(mutex_);  // oldest first; LSM step: flushed away
  SuperVersion* super_version_ GUARDED_BY(mutex_) = nullptr;

  // WAL. log_ and the contents of *logfile_ belong to the log owner; the pointers change
  // only under mutex_, so the syncer may copy logfile_ under mutex_ and fdatasync it after.
  uint64_t next_file_number_ GUARDED_BY(mutex_) = 1;
  uint64_t logfile_number_ GUARDED_BY(mutex_) = 0;
  std::shared_ptr<WritableFile> logfile_;
  std::unique_ptr<log::Writer> log_;
  std::vector<uint64_t> live_logs_ GUARDED_BY(mutex_);  // every WAL still needed, oldest first
  bool wal_unflushed_ GUARDED_BY(mutex_) = false;       // the WAL buffer holds records
  uint64_t wal_flushed_seq_ GUARDED_BY(mutex_) = 0;     // records <= this are in the OS
  uint64_t wal_bytes_ GUARDED_BY(mutex_) = 0;           // size of the live WAL

  std::atomic<uint64_t> last_sequence_{0};     // written under mutex_
  std::atomic<uint64_t> durable_sequence_{0};  // written under mutex_
  Status bg_error_ GUARDED_BY(mutex_);

  // Syncer.
  std::thread syncer_;
  std::condition_variable syncer_cv_;   // wakes the syncer: new request, error, shutdown
  std::condition_variable durable_cv_;  // durable_sequence_ advanced or bg_error_ set
  std::deque<SyncCallback> sync_callbacks_ GUARDED_BY(mutex_);
  bool running_callbacks_ GUARDED_BY(mutex_) = false;  // the syncer is running callbacks
  uint64_t sync_wanted_ GUARDED_BY(mutex_) = 0;        // blocking waiters want this durable
  bool shutting_down_ GUARDED_BY(mutex_) = false;
  bool syncer_done_ GUARDED_BY(mutex_) = false;

  SnapshotList snapshots_ GUARDED_BY(mutex_);

  // Counters for GetProperty.
  struct Stats {
    uint64_t batches = 0;          // Write calls that wrote something
    uint64_t fast_path = 0;        // ... of which took the uncontended fast path
    uint64_t groups = 0;           // WAL records written by a leader for a queued group
    uint64_t grouped = 0;          // batches that rode in another writer's group
    uint64_t wal_writes = 0;       // Flush calls that handed WAL bytes to the OS
    uint64_t wal_syncs = 0;        // fdatasyncs of the WAL by the syncer
    uint64_t wal_sync_micros = 0;  // time spent in them
    uint64_t wal_switches = 0;
    uint64_t callbacks_run = 0;
    uint64_t recovered_records = 0;
    uint64_t dropped_torn_bytes = 0;
    uint64_t skipped_corrupt_bytes = 0;
  };
  Stats stats_ GUARDED_BY(mutex_);
};

}  // namespace strata::store
