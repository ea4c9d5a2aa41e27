// Keyspace: the Redis databases over the store. Owns the database map, the exact per-database
// key counters, the expiry index, collection versions, and the write transaction every
// command runs in. Engine keys are built only by keys.h; value records only by value.h.
//
// Transactions. Every change is staged, and Commit() writes everything staged since the last
// Commit/Abort as ONE store write batch (one WAL record: after a crash all of it or none of
// it is there, and under appendfsync always it costs one fsync). The server commits after
// each command, after a whole EXEC, or after a whole script. Reads (Lookup, Get, GetSubKey,
// the iterators) see the staged writes of the open transaction, so a command, or the next
// command of an EXEC, reads what the earlier ones wrote. A lazy expiry found by a read is
// staged in the open transaction too, never committed on its own in the middle of one.
//
// Databases and namespaces: database i maps to namespace dbmap[i] (keys.h). FLUSHDB points
// the database at a fresh namespace and SWAPDB swaps two entries: O(1) whatever the key
// count; the records of namespaces no database points at are invisible and compaction drops
// them (compaction_filter.h). Both are staged like any write.
//
// Counters: keys and keys-with-TTL per namespace, kept in memory and rewritten in the same
// batch as every change to them, so after any crash they agree with the data. Like Redis's
// DBSIZE they count logically expired keys until those are actually deleted. StagePut and
// StageDelete take what the caller found (KeyState, old expiry) to keep them exact.
//
// Versions: NewVersion() hands out collection versions (value.h) that are never reused in
// this store: they come from a counter whose persisted lease ('m' "version") is always
// above every version a committed batch carries, since a lease extension is staged in the
// batch that first uses a version past the old lease.
//
// Thread safety: none; used only from the event-loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/db.h"
#include "store/write_batch.h"
#include "types/compaction_filter.h"
#include "types/keys.h"
#include "types/prefix_iterator.h"
#include "types/value.h"
#include "util/status.h"

namespace strata::types {

// What a lookup found: kLive means stored (possibly past its TTL; Get() hides those).
enum class KeyState { kMissing, kLive };

// Told of every value-record write as it is staged (blocked clients waiting for a list,
// WATCH): before the transaction commits, and also for writes a later Abort takes back, so
// an observer must treat a call as "may have changed", never as "changed".
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // key of database db was stored as v (nullptr: deleted).
  virtual void OnKeyWritten(int db, std::string_view key, const StoredValue* v) = 0;
  // Every key of database db is about to be replaced: by nothing (FLUSHDB, FLUSHALL;
  // replaced_with -1) or by the keys of database replaced_with (SWAPDB). Called before the
  // change, so the observer can still read both databases as they were.
  virtual void OnDbReplaced(int db, int replaced_with) = 0;
};

class Keyspace {
 public:
  // The first byte of every value record's engine key. Only these keys are worth row-cache
  // entries (store::Options::row_cache_prefix): the counters are read once, at Load, and the
  // expiry index and sub-keys by iterators.
  static constexpr std::string_view kDataKeyPrefix{&kDataTag, 1};

  // filter (may be null) is kept told which namespaces are live.
  Keyspace(store::DB* db, int databases, KeyspaceFilter* filter = nullptr);

  // The observer (may be null) is told of staged writes; it must outlive the Keyspace.
  void SetObserver(KeyspaceObserver* o) { observer_ = o; }

  // Loads the database map, counters and version lease (creating them in a fresh store).
  Status Load();
  int databases() const { return static_cast<int>(dbmap_.size()); }

  // Recomputes every database's key and TTL counters by scanning its keys, and writes them.
  // For start-up after recovery skipped damaged WAL records (skip-corrupt-wal). O(keys).
  Status Recount();

  // --- Reads (they see the open transaction) ---

  // Reads key in database `db`. kLive: *out is filled, even if its TTL has passed, so the
  // caller can account for the stored record; Get() below hides expired keys.
  // cache_row false: the caller is about to overwrite the key, so the store should not keep
  // the old value in its row cache.
  KeyState Lookup(int db, std::string_view key, StoredValue* out, Status* s, bool cache_row = true);
  // Like Lookup, but an expired key is deleted (staged: Redis's lazy expiry) and reported
  // missing; *expired_deleted says so (for the expired_keys statistic). True if live.
  bool Get(int db, std::string_view key, StoredValue* out, Status* s, int64_t now_ms,
           bool* expired_deleted = nullptr);
  // Tells the store that keys of database `db` will be read soon (DB::Prefetch).
  void Prefetch(int db, const std::vector<std::string_view>& keys);

  // --- Writes of value records: staged, made durable by Commit ---
  // `old_state`/`old_expire_ms` describe what the caller found (Lookup/Get): they decide the
  // counter and expiry-index updates. kMissing means the key is not stored at all.
  void StagePut(int db, std::string_view key, const StoredValue& v, KeyState old_state,
                int64_t old_expire_ms);
  void StageDelete(int db, std::string_view key, KeyState old_state, int64_t old_expire_ms);

  // --- Sub-keys of collections (keys.h) ---
  uint32_t Namespace(int db) const { return dbmap_[db]; }
  // A version never used before in this store, for a new collection.
  uint64_t NewVersion();
  // Reads one sub-key (an engine key built with SubKeyPrefix + element). NotFound if absent.
  Status GetSubKey(std::string_view engine_key, std::string* value);
  void StageSubPut(std::string_view engine_key, std::string_view value);
  void StageSubDelete(std::string_view engine_key);
  // Iterates the engine keys under `prefix` (e.g. one collection generation's sub-keys).
  PrefixIterator NewPrefixIterator(std::string prefix, bool fill_cache = true);
  // The value `v` of src_key (db src_db) as it would be stored under dst_key (db dst_db), for
  // RENAME, COPY and MOVE: a string as it is; a collection gets a new version and a copy of
  // every element under it (O(elements): sub-keys spell out their key). Stages the element
  // copies and sets *out; the caller stages the value record (StagePut).
  Status StageCopyValue(int src_db, std::string_view src_key, const StoredValue& v, int dst_db,
                        std::string_view dst_key, StoredValue* out);

  // --- Database map changes (staged like any write) ---
  void FlushDb(int db);
  void FlushAll();
  void SwapDb(int a, int b);

  // --- The transaction ---
  // Writes everything staged as one batch (buffered WAL: the server flushes it before any
  // reply). On failure nothing staged is applied, in memory or in the store.
  Status Commit();
  // Drops what was staged since the savepoint, or everything when none is set. A command
  // that fails after staging calls it; the server sets a savepoint before each command of
  // an EXEC or script, so that a failing command takes back its own writes only.
  void Abort();
  void SetSavePoint();
  void ClearSavePoint() { savepoint_set_ = false; }
  bool HasStaged() const { return batch_.Count() > 0 || dbmap_changed_ || !forced_counts_.empty(); }

  // Including the open transaction's changes.
  uint64_t KeyCount(int db) const;
  uint64_t ExpiresCount(int db) const;

  // Iteration over the value records of database `db` (KEYS, SCAN, RANDOMKEY...).
  class KeyIterator {
   public:
    void Seek(std::string_view start) { it_.Seek(start); }  // first key >= start
    bool Valid() const { return it_.Valid(); }
    void Next() { it_.Next(); }
    std::string_view key() const { return it_.key(); }  // the user key
    // Decodes the value record; false if it is damaged.
    bool Decode(StoredValue* out, bool with_payload) const {
      return DecodeValue(it_.value(), out, with_payload);
    }
    Status status() const { return it_.status(); }

   private:
    friend class Keyspace;
    explicit KeyIterator(PrefixIterator it) : it_(std::move(it)) {}
    PrefixIterator it_;
  };
  KeyIterator NewKeyIterator(int db, bool fill_cache = false);

  // Deletes up to `budget` keys whose TTL has passed, oldest deadline first, across all
  // databases, and commits. REQUIRES: no open transaction (HasStaged() false). Returns how
  // many keys were deleted; *more is set if expired keys remain.
  int ActiveExpireCycle(int64_t now_ms, int budget, bool* more, Status* s);

 private:
  struct Counts {
    uint64_t keys = 0;
    uint64_t expires = 0;
  };
  static constexpr uint64_t kVersionLeaseStep = 1u << 20;

  Counts& CountsFor(uint32_t ns);
  const Counts* FindCounts(uint32_t ns) const;  // staged, else committed; null if none
  // Appends a record to the batch and remembers it for reads of the transaction.
  void StageRecord(std::string_view engine_key, const std::string_view* value);
  // The newest staged record for engine_key: 1 put (*value set), 0 deleted, -1 none staged.
  int FindStaged(std::string_view engine_key, std::string_view* value) const;
  // Reads engine_key through the transaction, then the store.
  Status ReadRecord(std::string_view engine_key, std::string* value, bool cache_row);
  void WriteDbMapRecord();
  // Ends a database map change: ok keeps it (and tells the filter), else restores the map.
  void CommitDbMap(bool ok);
  void ClearStaged();
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  store::DB* db_;
  KeyspaceFilter* filter_;
  KeyspaceObserver* observer_ = nullptr;
  std::vector<std::string> prefetch_bufs_;  // Prefetch's encoded keys, capacity reused
  std::vector<std::string_view> prefetch_views_;
  std::vector<uint32_t> dbmap_;  // database index -> namespace (staged changes included)
  uint32_t next_ns_ = 1;
  std::vector<std::pair<uint32_t, Counts>> counts_;  // committed, live namespaces only
  uint64_t next_version_ = 1;                        // the next version NewVersion returns
  uint64_t version_lease_ = 0;                       // committed: every version < it is ours

  // The open transaction.
  store::WriteBatch batch_;
  std::vector<std::pair<uint32_t, Counts>> staged_counts_;
  // Batch offsets of the records reads must see (value records and sub-keys), in order;
  // index_ maps an engine key to the newest of them once there are too many to scan.
  std::vector<size_t> staged_offsets_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_;
  std::vector<uint32_t> forced_counts_;  // namespaces whose counter is written even unchanged
  bool dbmap_changed_ = false;
  std::vector<uint32_t> committed_dbmap_;  // dbmap_ before the transaction changed it
  uint32_t committed_next_ns_ = 0;
  uint64_t staged_lease_ = 0;  // a lease extension in the batch (0: none)
  // SetSavePoint's copy of the transaction's state (capacity reused).
  bool savepoint_set_ = false;
  store::WriteBatch::SavePoint sp_batch_{};
  size_t sp_offsets_ = 0;
  std::vector<std::pair<uint32_t, Counts>> sp_counts_;
  size_t sp_forced_ = 0;
  bool sp_dbmap_changed_ = false;
  std::vector<uint32_t> sp_dbmap_;
  uint32_t sp_next_ns_ = 0;
  uint64_t sp_lease_ = 0;
  std::string kbuf_, vbuf_, ebuf_;  // reused encoding buffers
};

}  // namespace strata::types
