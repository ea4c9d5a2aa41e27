// DBImpl: the DB of db.h. This file and db_impl.cc hold the engine's hard concurrency; the
// rest of src/store is single-purpose pieces that are thread-compatible or lock-free.
//
// The tree (docs/design.md §2.4-§2.5 and §6; LevelDB's shape, §1.4):
//   writes -> WAL + mem_ -> (full) imm_ -> flush thread -> L0 table -> compaction threads ->
//   L1..L6 tables. Reads consult mem_, imm_ newest first, then the current Version
//   (version_set.h: L0 newest first, one file per deeper level).
//
// State and locks (every member below names what guards it):
//   mutex_           the one DB mutex. Write takes it once on the hot path. VersionSet and
//                    the Compaction picker require it (version_set.h, compaction.h).
//   "the log owner"  whoever may touch the WAL writer (log_, logfile_'s buffer) and insert
//                    into mem_: the Writer at the head of writers_, or, while writers_ is
//                    empty, any thread holding mutex_. The owner may work with mutex_
//                    released; everyone else who needs the WAL queues a Writer (a null batch
//                    is a "flush the WAL buffer" or "switch the memtable" request) and waits
//                    for its turn.
//   atomics          last_sequence_ and durable_sequence_ are written with mutex_ held and
//                    read without it (LastSequence, DurableSequence, SyncAsync fast check).
//                    bg_cancel_ is set at shutdown and polled by running flushes and
//                    compactions, which hold no lock.
//
// Write path (LevelDB's writer queue): with an empty queue and a small buffer_wal write, the
// caller appends the record to the WAL buffer and inserts it into the memtable under mutex_
// and returns: one uncontended lock, no allocation besides arena space. Otherwise writers
// queue; the head becomes the leader, makes room (MakeRoomForWrite), folds the following
// batches into one WAL record (group commit), writes it and inserts it with mutex_ released,
// then hands every member its status.
//
// Memtables and WALs: each memtable's records live in the WALs from its first log number up
// to the next memtable's (imm_[i].log_number). When mem_ passes memtable_size, the leader
// syncs the old WAL whole, starts a new one, and mem_ joins imm_ (oldest first). The flush
// thread writes imm_.front() as one L0 table (builder.h) and records it with a MANIFEST edit
// whose log number is the next memtable's first WAL and whose last sequence is the flushed
// memtable's last; only once that edit is durable are the older WALs deleted. Recovery
// replays the WALs at or after the MANIFEST's log number, skipping records the tables already
// hold (sequence <= the MANIFEST's last sequence), into memtables of memtable_size that join
// imm_; so replay reads at most what was unflushed at the crash.
//
// Stalls (MakeRoomForWrite, docs/design.md §6.6): from level0_slowdown_trigger L0 files writes
// are paced to Options::delayed_write_rate (falling to a quarter of it at the stop trigger):
// each written group adds its bytes' worth of delay to a debt, which the next leader sleeps
// off once it reaches 1 ms (so a lone writer slows down instead of stopping); with
// max_immutable_memtables waiting or
// level0_stop_trigger L0 files a full memtable waits for background work. Before either, the
// leader hands the WAL buffer to the OS, so the syncer (which never waits for background
// work) can make earlier writes durable meanwhile.
//
// Background threads: the syncer (fsyncs of the live WAL, SyncAsync callbacks), one flush
// thread (imm_, oldest first, one at a time: that is what keeps L0 newest-first by file
// number), and Options::compaction_threads compaction threads (compaction.h says which
// compactions may run together). Flushes and compactions run with mutex_ released and never
// on a caller's thread (but Resume's, below); callers that want their result
// (FlushMemTable(true), CompactAll) wait on bg_done_cv_. A failed flush, compaction or MANIFEST
// write is sticky (bg_error_): writes fail, background work and file deletion stop (a MANIFEST in
// an unknown state may still name files, RocksDB#5379), reads go on. The VersionSet never appends
// to a MANIFEST after a failed edit: the next edit starts a new one and switches CURRENT.
//
// Files (DeleteObsoleteFiles): a table is deleted once no live Version lists it and no
// running flush or compaction is writing it (pending_outputs_); a WAL once it is below the
// MANIFEST's log number; a MANIFEST once CURRENT names a newer one. Every new file's
// directory entry is synced before anything refers to it.
//
// Readers take a SuperVersion (mem_, imm_ and the current Version) by reference under
// mutex_ and then read with no lock. With Options::row_cache_size, a Get of the latest state
// asks the row cache first (no SuperVersion on a hit) and caches what it found in the tables;
// every writer (the fast path and the group leader) erases its batch's keys from the row cache
// after inserting them into the memtable and before publishing last_sequence_, and caches the
// batch's values once it has published it (row_cache.h). Every iterator must be destroyed, and
// every snapshot released, before the DB.
//
// Durability (docs/design.md §4): SyncOnce has the WAL buffer flushed (as log owner), then
// fdatasyncs with mutex_ released (SyncFlushed, so writers keep appending meanwhile) and
// advances durable_sequence_. A syncer thread runs it for SyncAsync, the once-a-second timer
// (kEverySec) and shutdown, and runs every covered SyncAsync callback in sequence order (the
// server's path: its event loop never blocks). A blocking waiter (a sync write, SyncWAL) runs
// SyncOnce on its own thread when no fsync is running, else waits for the running one and
// retries: no thread hop per synced write. SyncIfIdle (the server's event loop with
// appendfsync always) runs SyncOnce on its caller's thread too, but never waits for a running
// fsync: it returns Busy and the caller falls back to SyncAsync. Requests that arrive during an
// fsync share the next. Two fsyncs of the WAL never overlap (wal_syncing_: SyncOnce's, and a
// memtable switch's of the old WAL), and none starts once bg_error_ is set: when writeback fails,
// Linux reports it to one fsync only and drops the pages, so an overlapping or later fsync could
// "succeed" for data that never reached the disk. A failed WAL write or fsync is sticky
// (bg_error_): writes fail from then on, reads go on (docs/design.md §4.7: a failed fsync cannot
// be retried). Waiting callbacks then get the error, unless their sequence was durable before it.
//
// Leaving the error (Resume, once its cause is gone): a failed fsync is never retried and the
// WAL that saw the error is never written again (its tail may be a partial record, the page
// cache may have dropped its dirty pages). Instead what the memtables hold - every write that
// returned OK, whether or not its WAL bytes reached the disk - is made durable in tables.
// Resume
//   1. queues a kResume Writer and waits to be the log owner, then waits (mutex_ released)
//      until no flush, compaction or WAL fsync is running and the syncer has failed every
//      pending SyncAsync callback (none of these starts meanwhile: bg_error_ is set);
//   2. moves mem_ to imm_; the new empty mem_ gets the number of a new WAL, not yet created;
//   3. flushes every imm_ to a synced L0 table, oldest first, itself (the flush thread idles
//      while bg_error_ is set), with mutex_ released during the I/O as the flush thread does;
//   4. writes one more MANIFEST edit naming the new WAL as the first one needed and the last
//      sequence as flushed (so there is one even with nothing to flush; after a failed
//      MANIFEST write the VersionSet makes it a new MANIFEST);
//   5. only then creates the new WAL and installs it: until an edit of steps 3-4 is durable,
//      a crash replays the old WALs, whose last may end torn, with no newer WAL behind it
//      (recovery takes a torn tail of any older WAL for damage);
//   6. sets durable_sequence_ to last_sequence_ (everything is in tables), clears bg_error_,
//      leaves the queue, wakes every waiter and deletes the old WALs and orphaned files.
// If a step fails, bg_error_ becomes its error and Resume may be called again: memtables
// already flushed stay flushed, the others wait in imm_. Only IOErrors are recoverable.
//
// Options::info_log may be called with mutex_ held (e.g. when a write error becomes sticky):
// it must hand the message off and never call back into the DB.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/env.h"
#include "store/log_writer.h"
#include "store/snapshot.h"

namespace strata::store {

class Cache;
class Compaction;
class MemTable;
class RowCache;
class TableCache;
class VersionSet;

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, const std::string& dir);
  ~DBImpl() override;

  // Takes the LOCK, recovers the VersionSet from the MANIFEST, replays the newer WALs,
  // starts a new WAL and MANIFEST and the background threads. Called once by Open.
  Status Recover();  // REQUIRES: mutex_ not held

  Status Put(const WriteOptions& options, std::string_view key, std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  // REQUIRES: mutex_ not held
  Status Write(const WriteOptions& options, WriteBatch* updates) override;
  Status Get(const ReadOptions& options, std::string_view key, std::string* value) override;
  void Prefetch(const std::string_view* keys, size_t n) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;

  Status FlushWAL() override;  // REQUIRES: mutex_ not held
  uint64_t LastSequence() const override { return last_sequence_.load(std::memory_order_acquire); }
  uint64_t DurableSequence() const override {
    return durable_sequence_.load(std::memory_order_acquire);
  }
  void SyncAsync(uint64_t seq, std::function<void(Status)> done) override;
  Status SyncIfIdle(uint64_t seq) override;  // REQUIRES: mutex_ not held
  Status SyncWAL() override;
  Status BackgroundError() const override;
  Status Resume() override;  // REQUIRES: mutex_ not held

  Status FlushMemTable(bool wait) override;  // REQUIRES: mutex_ not held
  Status CompactAll() override;              // REQUIRES: mutex_ not held
  bool GetProperty(std::string_view property, std::string* value) override;

 private:
  struct Writer;
  struct SuperVersion;
  struct SyncCallback {
    uint64_t seq;
    std::function<void(Status)> done;
  };
  // An immutable memtable waiting to be flushed.
  struct Imm {
    MemTable* mem;
    uint64_t log_number;     // first WAL holding its records
    uint64_t last_sequence;  // every write <= this is in this or an older memtable
    uint64_t id;             // position in switch order (flushed_imm_id_ counts flushes)
  };
  struct ManualCompaction {
    bool started = false;
    bool done = false;
    Status status;
  };

  // --- Recovery (db_impl.cc, "Recovery") ---
  // Replays WAL `number` into memtables (imm_ once full), skipping records with sequence
  // <= flushed_seq.
  Status RecoverLogFile(uint64_t number, bool last_log, uint64_t flushed_seq,
                        uint64_t* max_sequence);  // REQUIRES: mutex_ held
  // Rewrites WAL `number` to its first good_bytes bytes (temp file, sync, rename, sync dir).
  Status TruncateLogFile(uint64_t number, uint64_t good_bytes);  // REQUIRES: mutex_ held
  Status NewLogFile(uint64_t number, std::shared_ptr<WritableFile>* file);

  // --- Write path ---
  Status WriteSlow(const WriteOptions& options, WriteBatch* batch,
                   std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  void EnqueueWriter(Writer* w);                         // REQUIRES: mutex_ held
  // Pops writers from the head through `last`, completing all but `self` with status, and
  // wakes the next head. REQUIRES: self is the head.
  void FinishGroup(Writer* self, Writer* last, const Status& status);  // REQUIRES: mutex_ held
  // Folds the batches of the writers after the head into one; sets *last to the last writer
  // folded in and each writer's sequence. REQUIRES: the caller is the head, with a batch.
  // REQUIRES: mutex_ held
  WriteBatch* BuildBatchGroup(Writer** last, bool* flush, uint64_t first_seq);
  // Makes sure mem_ has room: delays or stops (see the header comment), and switches to a
  // new memtable and WAL when mem_ is full (force: whenever mem_ is not empty).
  // REQUIRES: the caller is log owner at the head of writers_. Releases mutex_ while waiting
  // and while doing file I/O.
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);  // REQUIRES: mutex_ held
  // Adds what a written group of `bytes` owes, in microseconds of delay, while L0 is at or
  // past level0_slowdown_trigger (Options::delayed_write_rate); MakeRoomForWrite sleeps it off.
  void ChargeSlowdown(uint64_t bytes);  // REQUIRES: mutex_ held
  // The row cache around a write (row_cache.h): published false erases batch's keys (call
  // before last_sequence_ reaches last_seq); true caches its values (call after). REQUIRES:
  // the log owner.
  void UpdateRows(const WriteBatch& batch, uint64_t last_seq, bool published);
  // mem_ -> imm_, new WAL and memtable. REQUIRES: as MakeRoomForWrite.
  Status SwitchMemTable(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // As log owner, hands buffered WAL records to the OS. REQUIRES: the caller is log owner.
  Status FlushWALBuffer(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // Becomes log owner through the queue and hands the WAL buffer to the OS (or finds that
  // another owner did it meanwhile).
  Status FlushWALLocked(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // Unlinks a queued writer that is not the head.
  void RemoveWriter(Writer* w);                 // REQUIRES: mutex_ held
  void RecordBackgroundError(const Status& s);  // REQUIRES: mutex_ held

  // --- Durability ---
  void SyncerLoop();  // REQUIRES: mutex_ not held
  // One flush + fdatasync of the live WAL, advancing durable_sequence_.
  Status SyncOnce(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // Runs (with mutex_ released) the callbacks that are now decided, in sequence order.
  // REQUIRES: mutex_ held
  void RunReadyCallbacks(std::unique_lock<std::mutex>& lock, bool shutting_down);
  Status WaitForDurable(uint64_t seq, std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held

  // --- Background work (db_impl.cc, "Flush and compaction") ---
  void FlushLoop();  // REQUIRES: mutex_ not held
  // Writes imm_.front() as an L0 table and installs it.
  Status FlushOldestMemTable(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // On the flush thread's idle wake-ups: once no write has come for kMemTableIdleMicros,
  // merges mem_'s runs into one for the readers (MemTable::MergeRuns).
  void MaybeMergeIdleMemTable(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  void CompactionLoop();                                            // REQUIRES: mutex_ not held
  // Wakes the compaction threads after a read spent the current version's read budget.
  void WakeCompaction();  // REQUIRES: mutex_ not held
  // Runs c (a trivial move or a CompactionJob) and installs the result.
  Status RunCompaction(Compaction* c, std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held
  // The oldest sequence a reader may still read at: S of compaction_iterator.h.
  uint64_t SmallestSnapshot() const;  // REQUIRES: mutex_ held
  // Deletes the files nothing refers to (header comment). Lists the directory with mutex_
  // held (so that no file can be created between that and computing what is live) and
  // deletes with it released.
  void DeleteObsoleteFiles(std::unique_lock<std::mutex>& lock);  // REQUIRES: mutex_ held

  // --- Read views ---
  void InstallSuperVersion();  // REQUIRES: mutex_ held
  // Called after a SuperVersion is deleted, on whichever thread dropped it, with or without
  // mutex_: wakes the flush thread if that made a Version go (see the definition).
  void SuperVersionFreed();
  // REQUIRES: mutex_ not held
  SuperVersion* RefSuperVersion(const ReadOptions& options, uint64_t* sequence);

  // The "# Storage" section of INFO.
  void AppendInfo(std::string* value);  // REQUIRES: mutex_ held
  void Log(LogLevel level, const std::string& message) const;

  // Constant after construction.
  Env* const env_;
  const Options options_;
  const std::string dir_;
  const std::unique_ptr<Cache> block_cache_;       // thread-safe
  const std::unique_ptr<TableCache> table_cache_;  // thread-safe
  const std::unique_ptr<RowCache> row_cache_;      // thread-safe; null when disabled

  mutable std::mutex mutex_;
  std::unique_ptr<FileLock> db_lock_;  // held from Recover to the destructor
  // The tables and the MANIFEST. The pointer is set in the constructor and reset in the
  // destructor only; the set is GUARDED_BY(mutex_).
  std::unique_ptr<VersionSet> versions_;

  // Writer queue: an intrusive FIFO of Writers living on their callers' stacks.
  Writer* writers_head_ = nullptr;  // GUARDED_BY(mutex_)
  Writer* writers_tail_ = nullptr;  // GUARDED_BY(mutex_)
  WriteBatch group_batch_;          // log owner only: the merged batch of a group

  // Memtables. The pointers change only under mutex_ and only by the log owner (and the
  // flush thread, which pops imm_'s front), who may therefore read mem_ without mutex_.
  MemTable* mem_ = nullptr;      // GUARDED_BY(mutex_)
  uint64_t mem_log_number_ = 0;  // GUARDED_BY(mutex_): first WAL holding mem_'s records
  std::deque<Imm> imm_;          // GUARDED_BY(mutex_): oldest first
  uint64_t next_imm_id_ = 1;     // GUARDED_BY(mutex_)
  uint64_t flushed_imm_id_ = 0;  // GUARDED_BY(mutex_): every Imm with id <= this is flushed
  SuperVersion* super_version_ = nullptr;  // GUARDED_BY(mutex_)

  // WAL. log_ and the contents of *logfile_ belong to the log owner; the pointers change
  // only under mutex_, so the syncer may copy logfile_ under mutex_ and fdatasync it after.
  uint64_t logfile_number_ = 0;  // GUARDED_BY(mutex_)
  std::shared_ptr<WritableFile> logfile_;
  std::unique_ptr<log::Writer> log_;
  std::vector<uint64_t> live_logs_;    // GUARDED_BY(mutex_): every WAL still needed, oldest first
  bool wal_unflushed_ = false;         // GUARDED_BY(mutex_): the WAL buffer holds records
  uint64_t wal_flushed_seq_ = 0;       // GUARDED_BY(mutex_): records <= this are in the OS
  uint64_t wal_bytes_ = 0;             // GUARDED_BY(mutex_): size of the live WAL
  uint64_t slowdown_debt_micros_ = 0;  // GUARDED_BY(mutex_): ChargeSlowdown
  // Damaged WAL regions that recovery skipped (skip_corrupt_wal_records).
  uint64_t wal_damage_skipped_ = 0;  // GUARDED_BY(mutex_)

  std::atomic<uint64_t> last_sequence_{0};     // written under mutex_
  std::atomic<uint64_t> durable_sequence_{0};  // written under mutex_
  Status bg_error_;                            // GUARDED_BY(mutex_)
  bool resuming_ = false;                      // GUARDED_BY(mutex_): a Resume is running

  // Syncer.
  std::thread syncer_;
  std::condition_variable syncer_cv_;   // wakes the syncer: new request, error, shutdown
  uint64_t sync_wanted_ = 0;            // GUARDED_BY(mutex_): a blocking waiter wants this durable
  std::condition_variable durable_cv_;  // durable_sequence_ advanced or bg_error_ set
  std::deque<SyncCallback> sync_callbacks_;  // GUARDED_BY(mutex_)
  bool running_callbacks_ = false;           // GUARDED_BY(mutex_): the syncer is running callbacks
  bool wal_syncing_ = false;                 // GUARDED_BY(mutex_): an fsync of the WAL is running
  bool shutting_down_ = false;               // GUARDED_BY(mutex_)
  bool syncer_done_ = false;                 // GUARDED_BY(mutex_)

  // Flush and compaction.
  std::thread flush_thread_;
  std::vector<std::thread> compaction_threads_;
  std::condition_variable bg_cv_;       // wakes background threads: new work, shutdown
  std::condition_variable bg_done_cv_;  // background work finished something, or failed
  bool bg_shutting_down_ = false;       // GUARDED_BY(mutex_)
  std::atomic<bool> bg_cancel_{false};  // running flushes and compactions give up
  std::set<uint64_t> pending_outputs_;  // GUARDED_BY(mutex_): table files being written
  bool flush_running_ = false;          // GUARDED_BY(mutex_): the flush thread is flushing
  // MaybeMergeIdleMemTable's watch: the last sequence it saw, and when it first saw it (at
  // the start, 0 and 0: a DB that has never been written has an empty memtable to merge).
  uint64_t idle_sequence_ = 0;          // GUARDED_BY(mutex_)
  uint64_t idle_since_micros_ = 0;      // GUARDED_BY(mutex_)
  int compactions_running_ = 0;         // GUARDED_BY(mutex_)
  ManualCompaction* manual_ = nullptr;  // GUARDED_BY(mutex_): a CompactAll waiting or running

  SnapshotList snapshots_;  // GUARDED_BY(mutex_)

  // Counters for GetProperty.
  struct Stats {
    uint64_t batches = 0;          // Write calls that wrote something
    uint64_t fast_path = 0;        // ... of which took the uncontended fast path
    uint64_t groups = 0;           // WAL records written by a leader for a queued group
    uint64_t grouped = 0;          // batches that rode in another writer's group
    uint64_t user_bytes = 0;       // encoded batch bytes written by callers
    uint64_t wal_writes = 0;       // Flush calls that handed WAL bytes to the OS
    uint64_t wal_syncs = 0;        // fdatasyncs of the WAL by SyncOnce (on any thread)
    uint64_t wal_sync_micros = 0;  // time spent in them
    uint64_t wal_switches = 0;
    uint64_t callbacks_run = 0;
    uint64_t recovered_records = 0;
    uint64_t dropped_torn_bytes = 0;
    uint64_t skipped_corrupt_bytes = 0;
    uint64_t flushes = 0;
    uint64_t flush_bytes = 0;  // table bytes written by flushes
    uint64_t flush_micros = 0;
    uint64_t compactions = 0;  // compactions that rewrote files
    uint64_t trivial_moves = 0;
    uint64_t read_compactions = 0;  // of compactions + trivial_moves, those reads triggered
    uint64_t memtable_merges = 0;   // idle memtables whose runs were merged for readers
    uint64_t wal_bytes_closed = 0;  // bytes of the WALs written before the current one
    uint64_t compaction_bytes_read = 0;
    uint64_t compaction_bytes_written = 0;
    uint64_t compaction_micros = 0;
    uint64_t filtered_entries = 0;  // values the compaction filter dropped or hid
    uint64_t stall_slowdowns = 0;   // write groups delayed 1 ms
    uint64_t stall_stops = 0;       // times a writer waited for background work
    uint64_t stall_micros = 0;      // time spent in both
    uint64_t obsolete_files_deleted = 0;
    uint64_t resumes = 0;  // Resume calls that cleared a background error
    uint64_t resume_failures = 0;
  };
  Stats stats_;  // GUARDED_BY(mutex_)
};

}  // namespace strata::store
