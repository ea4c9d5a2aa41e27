// KeyspaceFilter: tells the store's compactions which records of the keyspace are dead, so
// that FLUSHDB/FLUSHALL and DEL/overwrite of a collection reclaim space without a tombstone
// per key or per element (store/compaction_iterator.h says how a drop above the bottom level
// leaves a tombstone so nothing older resurfaces).
//
// Two rules:
// 1. Namespaces. A record ('d', 'e', 's', 'z') of a namespace that no database points at is
//    dead once the map change that killed it is durable: if a compaction dropped a flushed
//    database's keys before the FLUSHDB record reached stable storage, a machine crash could
//    bring the FLUSHDB back undone with its keys already gone. Hence AddPending/ReleasePending.
// 2. Sub-keys. A sub-key of (ns, key, version) is dead when the DURABLE value record of key
//    is certainly not that collection generation: a tombstone, absent, of another type, or of
//    another version. "Durable" means read from the tables only (store::ReadOptions::
//    tables_only): tables hold only writes whose WAL records were synced before their flush,
//    so a deletion found there survives any crash, while one still in a memtable may be lost
//    with the WAL tail, and its collection must then still have its elements. Versions are
//    never reused, so a dead generation cannot come back. An expired record does NOT make its
//    sub-keys dead (a PERSIST still in a memtable may have saved it); the expiry deletes the
//    record and rule 2 applies once that deletion is flushed.
//    Rule 2 is not applied while flushing a memtable (ShouldDropInFlush): the value record
//    of the sub-keys being flushed may be in that same memtable, not yet in any table.
//
// Expired strings are NOT dropped here: DBSIZE is exact, so a key must leave the per-database
// counter in the same batch that deletes it (the server's active expiry does that).
//
// Thread safety: ShouldDrop is called concurrently by flush and compaction threads; the
// update methods by the event loop. A mutex guards the namespace sets; the DB pointer is set
// once, before compactions can meet sub-keys (AttachDb after DB::Open).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "store/options.h"

namespace strata::types {

class KeyspaceFilter : public store::CompactionFilter {
 public:
  bool ShouldDrop(std::string_view key, std::string_view value) const override;
  bool ShouldDropInFlush(std::string_view key, std::string_view value) const override;

  // The store whose tables rule 2 reads. Until it is set, no sub-key is dropped.
  void AttachDb(store::DB* db) { db_.store(db, std::memory_order_release); }

  // The namespaces databases point at now, and one past the largest ever allocated. Every
  // allocated namespace not in `live` and not pending is dead.
  void SetLive(const std::vector<uint32_t>& live, uint32_t next_ns);
  // Namespaces that just stopped being live but whose change is not yet durable: kept until
  // ReleasePending says so.
  void AddPending(const std::vector<uint32_t>& ns, uint64_t sequence);
  // Forgets pending entries whose change is at or below `durable_sequence`.
  void ReleasePending(uint64_t durable_sequence);
  bool HasPending() const;

 private:
  bool NamespaceDead(uint32_t ns) const;
  bool SubKeyDead(std::string_view key) const;

  std::atomic<store::DB*> db_{nullptr};
  mutable std::mutex mu_;
  std::vector<uint32_t> live_;                          // GUARDED_BY(mu_)
  uint32_t next_ns_ = 0;                                // GUARDED_BY(mu_)
  std::vector<std::pair<uint32_t, uint64_t>> pending_;  // GUARDED_BY(mu_): (ns, sequence)
};

}  // namespace strata::types
