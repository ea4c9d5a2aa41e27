// Options for opening a store and for each read and write. Plain structs: copy freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace strata::store {

class Env;
class Snapshot;

// When the WAL is fsynced (Redis's appendfsync, docs/design.md §4.1).
enum class SyncMode {
  kAlways,    // a write is durable before the caller may rely on it (see DB::SyncAsync)
  kEverySec,  // a background thread syncs the WAL at least once a second
  kNo,        // the OS decides; synced only at WAL switch and Close
};

enum class Compression : unsigned char { kNone = 0, kLZ4 = 1, kZstd = 2 };  // on disk

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Decides during compaction (and flush) whether a value may be dropped, e.g. because it has
// expired or belongs to a flushed database. The engine guarantees that dropping never
// resurrects an older version of the same key: where older versions may exist below, it
// writes a deletion marker instead. Must be thread-safe: compactions run in parallel.
class CompactionFilter {
 public:
  virtual ~CompactionFilter() = default;
  // True to drop (key, value) in a compaction. `key` is the user key.
  virtual bool ShouldDrop(std::string_view key, std::string_view value) const = 0;
  // The same question while a memtable is flushed to a table (the entries of that memtable
  // are not in any table yet).
  virtual bool ShouldDropInFlush(std::string_view key, std::string_view value) const {
    return ShouldDrop(key, value);
  }
};

struct Options {
  Env* env = nullptr;  // nullptr: Env::Default()
  bool create_if_missing = true;

  SyncMode sync_mode = SyncMode::kEverySec;
  // Replay stops at a corrupt WAL record that is not the torn tail of the last WAL, and Open
  // fails with a message naming the file and offset. true: skip the damaged record, log it, go on.
  bool skip_corrupt_wal_records = false;

  size_t memtable_size = 64u << 20;  // a full memtable becomes immutable and is flushed
  int max_immutable_memtables = 4;   // writers stop when this many wait to be flushed
  size_t block_cache_size = 256u << 20;
  // Row cache (row_cache.h): newest values of keys read from the tables, so that repeated
  // point lookups skip the table path. 0 disables it.
  size_t row_cache_size = 0;
  // Only keys starting with this prefix enter the row cache (empty: every key); writes of
  // other keys skip it altogether. The server caches its value records only: its key
  // counters, rewritten by every write that adds a key, cost an erase and an insert each.
  std::string row_cache_prefix;
  // Append the WAL through a memory mapping (Env::NewAppendOnlyFile): no system call per
  // write, for writers that hand each write to the OS at once (buffer_wal false). With
  // false, the WAL is a plain file written with write(2) when its buffer is flushed: better
  // for writers that buffer (the server flushes once per event-loop iteration), since a
  // mapped page costs a page fault on first store and again after every sync (writeback
  // write-protects it), and one write(2) per flush costs less than that at any batch size
  // but the smallest.
  bool mmap_wal = true;
  int max_open_files = 1000;  // table cache capacity
  // Read tables through read-only memory mappings (Env::NewMappedReadableFile), as LevelDB
  // does by default on 64-bit systems: a data block that misses the block cache is read with
  // no system call, copy or allocation, and is not put in the block cache (the OS page cache
  // holds it; its checksum is verified on every read). Much faster once the tables outgrow
  // the block cache. The price: an I/O error on a mapped page kills the process with SIGBUS
  // instead of failing the read (nothing acknowledged is lost: recovery is as after kill -9),
  // and the mapped pages count in the process's RSS (they are page cache the OS may reclaim).
  bool mmap_reads = false;
  int bloom_bits_per_key = 10;  // 0 disables bloom filters
  size_t block_size = 4096;     // uncompressed data block target
  int block_restart_interval = 16;
  Compression compression = Compression::kNone;

  // L0 triggers, in L0 files. Raised at open so that stop >= slowdown >= compaction.
  int level0_compaction_trigger = 4;
  int level0_slowdown_trigger = 20;  // writes are paced from here (below)
  int level0_stop_trigger = 36;      // writes wait for compaction from here
  // Paced writes: at level0_slowdown_trigger L0 files writes may go at this many bytes per
  // second, falling linearly to a quarter of it at level0_stop_trigger.
  uint64_t delayed_write_rate = 16ull << 20;
  uint64_t max_bytes_for_level_base = 64ull << 20;  // L1; each level below is 10x
  uint64_t target_file_size = 16ull << 20;          // compaction output files are cut here
  int compaction_threads = 1;                       // background compaction threads (1..16)

  // What it drops may stay in the row cache (row_cache.h): use it only for keys no reader asks
  // for again (the server's drops the keys of flushed databases).
  std::shared_ptr<const CompactionFilter> compaction_filter;

  // Where the store reports recovery warnings, background errors and progress. The store
  // knows nothing of the server's logger. May be called from any store thread.
  std::function<void(LogLevel, std::string_view)> info_log;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // nullptr: the latest state
  bool fill_cache = true;              // false for scans that should not evict hot blocks
  // false for a read whose key is about to be overwritten (the write would erase the row).
  bool fill_row_cache = true;
  bool verify_checksums = true;
  // Get only: skip the memtables and the row cache and read the tables alone. Tables hold
  // only writes whose WAL records were synced before the flush that wrote them (db_impl.h:
  // a memtable switch syncs the WAL it closes), so what this finds survives any crash. For
  // compaction filters that must decide on durable state only.
  bool tables_only = false;
};

struct WriteOptions {
  // Wait until the write is durable (fsync) before returning. Concurrent sync writers share
  // one fsync (group commit).
  bool sync = false;
  // Leave the WAL record in the store's buffer instead of writing it to the OS now; the
  // caller promises to call DB::FlushWAL() before it acknowledges the write to anyone. The
  // server uses this to turn all writes of one event-loop iteration into one write(2).
  bool buffer_wal = false;
};

}  // namespace strata::store
