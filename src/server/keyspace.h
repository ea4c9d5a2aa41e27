// Keyspace: how Redis databases, keys, values and TTLs are laid out in the engine, and the
// bookkeeping that keeps DBSIZE and INFO keyspace exact. Every command goes through here; none
// builds an engine key itself.
//
// Engine keys (one byte tag first, so each kind sorts in its own range):
//   'd' ns:u32be user_key              -> value record (below)
//   'e' ns:u32be when_ms:u64be user_key -> ""   expire index, ordered by deadline
//   'm' "dbmap"                        -> fixed32 n | n x fixed32 ns | fixed32 next_ns
//   'm' "count" ns:u32be               -> fixed64 keys | fixed64 keys_with_ttl
// Value record: byte 0 = type (low 4 bits) | 0x80 if a TTL follows; then fixed64 absolute
// expiry in ms (only with 0x80); then the payload. DO NOT CHANGE: it is on disk.
//
// Namespaces: database i (SELECT i) maps to namespace dbmap[i]. FLUSHDB points the database at
// a fresh namespace and SWAPDB swaps two entries, so both are O(1) whatever the key count; keys
// of namespaces no database points at are invisible and are dropped by compaction.
//
// Counters: keys and keys-with-TTL per namespace live in memory and are rewritten in the same
// write batch as every change to them, so after any crash they agree with the data. Like
// Redis's DBSIZE they count logically expired keys until they are actually deleted.
//
// Thread safety: none; used only from the event-loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/compaction_filter.h"
#include "store/db.h"
#include "util/status.h"

namespace strata::server {

enum class ValueType : unsigned char { kString = 0 };  // DO NOT CHANGE: on disk

const char* TypeName(ValueType t);

struct StoredValue {
  ValueType type = ValueType::kString;
  int64_t expire_ms = -1;  // absolute unix ms, -1 for none
  std::string payload;
};

// What a lookup found.
// What a lookup found: kLive means stored (possibly past its TTL; Get() hides those).
enum class KeyState { kMissing, kLive };

class Keyspace {
 public:
  // The first byte of every value record's engine key. Only these keys are worth row-cache
  // entries (store::Options::row_cache_prefix): the counters are read once, at Load, and the
  // expire index only by iterators.
  static constexpr std::string_view kDataKeyPrefix = "d";

  // filter (may be null) is kept told which namespaces are live; see compaction_filter.h.
  Keyspace(store::DB* db, int databases, NamespaceFilter* filter = nullptr);

  // Loads the database map and counters (creating them in a fresh store).
  Status Load();

  int databases() const { return static_cast<int>(dbmap_.size()); }

  // Recomputes every database's key and TTL counters by scanning its keys, and writes them.
  // For start-up after recovery skipped damaged WAL records (skip-corrupt-wal): the counters
  // are absolute values rewritten by every write, so a lost record leaves later ones counting
  // keys that are gone. O(keys); nothing else runs meanwhile.
  Status Recount();

  // Reads key in database `db`. kLive: *out is filled, even if its TTL has passed, so the
  // caller can account for the stored record; Get() below hides expired keys.
  // cache_row false: the caller is about to overwrite the key, so the store should not keep
  // the old value in its row cache (the write would erase it at once).
  KeyState Lookup(int db, std::string_view key, StoredValue* out, Status* s, bool cache_row = true);
  // Tells the store that keys of database `db` will be read soon (DB::Prefetch).
  void Prefetch(int db, const std::vector<std::string_view>& keys);
  // Like Lookup, but an expired key is deleted on the spot (Redis's lazy expiry) and reported
  // missing. Returns true if the key is live.
  bool Get(int db, std::string_view key, StoredValue* out, Status* s, int64_t now_ms);

  // --- Writes: stage any number of changes, then Commit() them as one atomic batch. ---
  // `old` describes what the caller found before (from Lookup/Get): it decides the counter and
  // expire-index updates. old_state kMissing means the key is not stored at all.
  void StagePut(int db, std::string_view key, const StoredValue& v, KeyState old_state,
                int64_t old_expire_ms);
  void StageDelete(int db, std::string_view key, KeyState old_state, int64_t old_expire_ms);
  // Writes the staged batch (buffered WAL; the server flushes it before replying).
  Status Commit();
  // Drops staged changes (e.g. a command found an error after staging).
  void Abort();

  // FLUSHDB / FLUSHALL / SWAPDB: O(1) metadata changes, committed at once.
  Status FlushDb(int db);
  Status FlushAll();
  Status SwapDb(int a, int b);

  uint64_t KeyCount(int db) const;
  uint64_t ExpiresCount(int db) const;

  // Iteration over the keys of database `db` at a consistent snapshot.
  class KeyIterator {
   public:
    KeyIterator(std::unique_ptr<store::Iterator> it, std::string prefix);
    // Positions at the first key >= start (the user key).
    void Seek(std::string_view start);
    bool Valid() const;
    void Next();
    std::string_view key() const;  // user key
    // Decodes the value header; false if the record is damaged.
    bool Decode(StoredValue* out, bool with_payload) const;
    Status status() const { return it_->status(); }

   private:
    std::unique_ptr<store::Iterator> it_;
    std::string prefix_;
    std::string seek_buf_;
  };
  KeyIterator NewKeyIterator(int db, bool fill_cache = false);

  // Deletes up to `budget` keys whose TTL has passed, oldest deadline first, across all
  // databases. Returns how many keys were deleted; *more is set if expired keys remain.
  int ActiveExpireCycle(int64_t now_ms, int budget, bool* more, Status* s);

  // Value-record coding, exposed for tests and the compaction filter.
  static void EncodeValue(const StoredValue& v, std::string* out);
  static bool DecodeValue(std::string_view rec, StoredValue* out, bool with_payload);
  // Bytes of value-record header in front of the payload of a decoded value.
  static size_t HeaderSize(const StoredValue& v);

 private:
  struct Counts {
    uint64_t keys = 0;
    uint64_t expires = 0;
  };
  uint32_t Ns(int db) const { return dbmap_[db]; }
  void DataKey(uint32_t ns, std::string_view key, std::string* out) const;
  void ExpireKey(uint32_t ns, int64_t when, std::string_view key, std::string* out) const;
  static std::string CountKey(uint32_t ns);
  void StageCounts(uint32_t ns);
  // Writes the database map and every live namespace's counters (FLUSHDB, SWAPDB, Load).
  Status WriteDbMap();
  Counts& CountsFor(uint32_t ns);

  store::DB* db_;
  NamespaceFilter* filter_;
  std::vector<std::string> prefetch_bufs_;  // Prefetch's encoded keys, capacity reused
  std::vector<std::string_view> prefetch_views_;
  std::vector<uint32_t> dbmap_;  // database index -> namespace
  uint32_t next_ns_ = 1;
  std::vector<std::pair<uint32_t, Counts>> counts_;  // live namespaces only (<= databases)

  store::WriteBatch batch_;
  std::vector<std::pair<uint32_t, Counts>> staged_counts_;  // applied on successful Commit
  std::string kbuf_, vbuf_, ebuf_;                          // reused encoding buffers
};

}  // namespace strata::server
