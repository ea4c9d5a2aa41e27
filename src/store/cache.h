// Cache: a byte-budgeted map from keys to values with reference-counted handles, used as the
// block cache (key = table cache id + block offset, value = Block*).
//
// NewLRUCache builds the sharded cache: 16 shards chosen by the top bits of the key's 64-bit
// hash, each with its own mutex, hash table and replacement order, and a budget of
// capacity/16 bytes (rounded up). Replacement is LRU with second chance (CLOCK): a hit only
// marks the entry, so a lookup costs a hash probe and touches no other entry; eviction walks
// from the oldest entry, giving marked entries one more round.
//
// Invariants, per shard (all under the shard's mutex):
//   - Every entry is in exactly one of these states:
//       cached, on the lru list      (evictable once unreferenced; oldest first),
//       cached, on the in_use list   (eviction met it while a client held a handle; it goes
//                                     back to the lru list at the release that unpins it),
//       uncached + referenced        (erased, replaced or evicted while a client still holds a
//                                     handle: on no list, freed at the last Release).
//   - refs counts the cache's own reference (while in the table) plus one per handle.
//   - An entry is freed (its deleter run) exactly once, when refs drops to 0. Entries in use
//     are never freed; they may push usage above capacity until released.
//   - usage = sum of the charges of cached entries. After every operation, usage <= capacity
//     or every cached entry is in use.
// Deleters run after the shard's mutex is released, on the thread whose call dropped the last
// reference (Release, Erase, Insert's eviction, Prune or the destructor).
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace strata::store {

class Cache {
 public:
  // Opaque handle on an entry; pins the entry until Release.
  struct Handle {};
  using Deleter = void (*)(std::string_view key, void* value);

  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  // REQUIRES: no handle is outstanding. Runs the deleters of all entries.
  virtual ~Cache() = default;

  // Inserts key -> value with the given charge, replacing any entry with the same key, and
  // returns a handle on the new entry (the caller must Release it). deleter(key, value) runs
  // when the entry is no longer cached nor referenced. With capacity 0 nothing is retained.
  virtual Handle* Insert(std::string_view key, void* value, size_t charge, Deleter deleter) = 0;
  // A handle on the entry for key, or nullptr. Counts a hit or a miss.
  virtual Handle* Lookup(std::string_view key) = 0;
  // REQUIRES: handle came from this cache and was not released yet.
  virtual void Release(Handle* handle) = 0;
  // REQUIRES: handle not released.
  virtual void* Value(Handle* handle) = 0;
  // Drops the entry for key from the cache; it is freed once its handles are released.
  virtual void Erase(std::string_view key) = 0;
  // Drops every unreferenced entry.
  virtual void Prune() = 0;
  // A new id, unique within this cache, for clients sharing it to partition the key space.
  virtual uint64_t NewId() = 0;

  // Sum of the charges of cached entries (referenced or not).
  virtual size_t TotalCharge() const = 0;
  virtual size_t Capacity() const = 0;
  virtual uint64_t hits() const = 0;
  virtual uint64_t misses() const = 0;
};

// A sharded LRU (second-chance) cache holding at most `capacity` bytes of charge, plus
// entries in use.
// 2^num_shard_bits shards (default 16); tests use 0 to get one exact LRU order.
std::unique_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits = 4);

}  // namespace strata::store
