// DB: Strata's storage engine, a log-structured merge tree (docs/design.md). This header,
// options.h, write_batch.h and iterator.h are the whole public face: the server includes
// nothing else from src/store.
//
// Thread safety: every method may be called from any thread concurrently, except that an
// Iterator is used by one thread at a time. Every Iterator must be destroyed, and every
// Snapshot released, before the DB is.
//
// Durability: a write is in the WAL before Write returns (in the store's buffer when
// WriteOptions::buffer_wal, in the OS after FlushWAL). Whether it is on stable storage depends
// on Options::sync_mode; DurableSequence() tells, SyncAsync() waits without blocking, and
// SyncIfIdle() fsyncs on the caller's thread unless another fsync is running.
// Once a WAL write or fsync fails, the DB refuses all further writes with that error; reads go
// on. The same holds for a failed flush, compaction or MANIFEST write in the background (e.g.
// ENOSPC writing a table): BackgroundError() reports it. A failed fsync is never retried:
// once the cause is gone (space freed, disk replaced), Resume() makes everything in memory
// durable another way - it writes the memtables to new tables and starts a new WAL - and
// only then accepts writes again. Reopening the DB also clears the error.
//
// Background work: full memtables are flushed to L0 tables and levels are compacted by the
// store's own threads, never on a caller's thread. When they fall behind, writers are slowed
// (from level0_slowdown_trigger L0 files) and then made to wait (level0_stop_trigger, or
// max_immutable_memtables full memtables); GetProperty("strata.info") counts both.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/iterator.h"
#include "store/options.h"
#include "store/write_batch.h"
#include "util/status.h"

namespace strata::store {

// A consistent read view: reads at a snapshot see exactly the writes with a sequence number
// <= its sequence. Obtained from DB::GetSnapshot, released with DB::ReleaseSnapshot.
class Snapshot {
 public:
  virtual uint64_t sequence() const = 0;

 protected:
  virtual ~Snapshot() = default;
};

class DB {
 public:
  // Opens (creating if allowed) the store in directory `dir`: takes the LOCK file (Busy if
  // another process holds it), recovers CURRENT -> MANIFEST -> tables, replays newer WALs.
  // A torn last record of the last WAL is dropped with a warning; any other corruption fails
  // Open with a message saying where, unless options.skip_corrupt_wal_records.
  static Status Open(const Options& options, const std::string& dir, std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Flushes and syncs the WAL, stops background work, releases the LOCK.
  virtual ~DB() = default;

  virtual Status Put(const WriteOptions& options, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(const WriteOptions& options, std::string_view key) = 0;
  // Applies the batch atomically. Assigns it consecutive sequence numbers.
  virtual Status Write(const WriteOptions& options, WriteBatch* updates) = 0;

  // OK and *value set if found; NotFound if absent or deleted; Corruption/IOError otherwise.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value) = 0;

  // A hint that Gets of these keys follow: starts loading the memory a Get of each touches
  // first (the row cache's slot and entry), so that a batch of lookups waits for its cache
  // misses together instead of one after another. Changes no state and no result.
  virtual void Prefetch(const std::string_view* keys, size_t n) {
    (void)keys;
    (void)n;
  }

  // An iterator over user keys at options.snapshot (or now). Hides deleted and overwritten
  // entries. Keeps the files it reads alive until destroyed.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // --- Durability ---
  // Hands WAL bytes buffered by buffer_wal writes to the OS (one write(2)).
  virtual Status FlushWAL() = 0;
  // Sequence number of the newest write applied.
  virtual uint64_t LastSequence() const = 0;
  // Every write with a sequence <= this is on stable storage.
  virtual uint64_t DurableSequence() const = 0;
  // Calls done(status) once every write with sequence <= seq is on stable storage (flushing
  // buffered WAL bytes first), or with the error that prevents it. Writes that arrive while an
  // fsync is in progress share the next one (group commit). `done` runs on the store's syncer
  // thread, or inline when seq is already durable; it must not call back into the DB's write
  // path and should only hand off (e.g. uv_async_send).
  virtual void SyncAsync(uint64_t seq, std::function<void(Status)> done) = 0;
  // Makes every write with sequence <= seq durable on the caller's thread, if that needs no
  // other thread's fsync: hands buffered WAL bytes to the OS and runs one fsync, which covers
  // every write flushed by then (group commit), instead of SyncAsync's hand-off to the syncer
  // thread and back. Returns OK once seq is durable (at once if it already is); the sticky
  // error if the store has failed or this fsync fails (the error SyncAsync's callback would
  // get; the error is sticky as always); Busy (never a sticky error's code) if an fsync of the
  // WAL is already running (the syncer's, a memtable switch's) or seq's WAL bytes are not yet
  // with the OS (a stalled writer holds them): then it has started no fsync and waited for
  // none, and the caller should use SyncAsync. Blocks for the duration of its own fsync only
  // (unless other threads write concurrently: then as SyncWAL). SyncAsync callbacks the fsync
  // covers still run on the syncer thread, in order.
  virtual Status SyncIfIdle(uint64_t seq) = 0;
  // Flushes and fsyncs the WAL now; returns when done. Waits for a running fsync if need be.
  virtual Status SyncWAL() = 0;
  // The sticky background/WAL error that makes writes fail, or OK.
  virtual Status BackgroundError() const = 0;
  // Recovers from the sticky background error once its cause is gone: never trusting the WAL
  // that saw the error, it writes every memtable to synced L0 tables, records them in the
  // MANIFEST (a new one if the old one saw the error) with a new WAL as the first one needed,
  // deletes the old WALs, and then accepts writes again. OK at once if there is no error.
  // On failure the error stays (now the new one) and is returned; call again later. Only I/O
  // errors are recoverable: a corruption is returned as it is. Blocks for the flushes (call it
  // off any latency-sensitive thread); concurrent calls wait for each other. Must return
  // before the DB is destroyed.
  virtual Status Resume() = 0;

  // --- Maintenance ---
  // Turns the memtable into an SSTable now (SAVE/BGSAVE): switches to a new memtable and WAL,
  // and has the flush thread write the old one (and any other waiting) as L0 tables.
  // wait: return once they are durable tables (the WALs they came from are then deleted).
  virtual Status FlushMemTable(bool wait) = 0;
  // Compacts everything into one sorted run at the bottom level (COMPACT): flushes the
  // memtable, waits for running compactions, then has a compaction thread merge every table,
  // dropping overwritten versions, tombstones and what the compaction filter drops (no
  // snapshot permitting). Blocks until done.
  virtual Status CompactAll() = 0;

  // Properties, as text:
  //   "strata.info"            INFO "# Storage" section body: "name:value\r\n" lines (per
  //                            level files and bytes, memtables, block cache, bloom filter,
  //                            flush/compaction bytes, write amplification, stalls, WAL)
  //   "strata.num-files-at-levelN" (N = 0..6), "strata.memtable-bytes",
  //   "strata.approximate-keys" (entries in memtables + live entries in tables; an estimate)
  //   "strata.wal-damage-skipped" (damaged WAL regions recovery skipped at open; see
  //                            Options::skip_corrupt_wal_records)
  virtual bool GetProperty(std::string_view property, std::string* value) = 0;
};

}  // namespace strata::store
