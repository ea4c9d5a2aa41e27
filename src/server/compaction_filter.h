// NamespaceFilter: tells the engine's compactions which records belong to no database any
// more, so FLUSHDB/FLUSHALL space is reclaimed without a tombstone per key.
//
// A namespace is dead when the database map no longer points at it AND the map change that
// killed it is durable. The second condition matters: if a compaction dropped a flushed
// database's keys before the FLUSHDB record reached stable storage, a machine crash could
// bring the FLUSHDB back undone with its keys already gone.
//
// Expired values are NOT dropped here: DBSIZE is exact, so a key must leave the per-database
// counter in the same batch that deletes it. The server's active expiry deletes expired keys
// (with tombstones) within moments, and compaction reclaims those like any deletion.
//
// Thread safety: ShouldDrop is called concurrently by compaction threads; the update methods
// by the event loop. A mutex guards the sets.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "store/options.h"

namespace strata::server {

class NamespaceFilter : public store::CompactionFilter {
 public:
  bool ShouldDrop(std::string_view key, std::string_view value) const override;

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
  mutable std::mutex mu_;
  std::vector<uint32_t> live_;                          // GUARDED_BY(mu_)
  uint32_t next_ns_ = 0;                                // GUARDED_BY(mu_)
  std::vector<std::pair<uint32_t, uint64_t>> pending_;  // GUARDED_BY(mu_): (ns, sequence)
};

}  // namespace strata::server
