// RowCache: user key -> the value of its newest version. A hit answers DB::Get with one hash
// probe; a miss costs the memtables, a bloom filter per level, an index search, a block-cache
// lookup and a block search, each a cache miss or more once the tables outgrow the CPU caches.
// The cache is filled by writes while it has room (write-through: a value just written is
// likely to be read) and by Gets that found their key in the tables (these may evict). Keys
// that do not start with the cache's key prefix (Options::row_cache_prefix) never enter it:
// for them Get, Insert and Erase do nothing, and no hit or miss is counted.
//
// The rule that makes a hit correct: while an entry for key K is in the cache, it holds the
// value of K's newest version. Two duties keep it:
//   1. A writer erases every key of its batch (Erase(key, seq), seq = the batch's last
//      sequence) before it publishes that sequence, so no reader that can see the write finds
//      the value it replaced; it inserts the batch's values only after publishing, so no reader
//      finds a value it could not yet read from the memtable.
//   2. Everyone inserts through Insert(key, value, S), S = the snapshot the value was read at
//      (a writer: its batch's last sequence), which refuses if a write with a sequence > S
//      erased a key of the same shard: that write may have replaced the value (the shard keeps
//      the largest sequence it was told to erase, so the check is conservative, never wrong).
// Only reads of the latest state use the cache (a Get with an explicit snapshot bypasses it).
// A compaction filter's drops are not seen: Options::compaction_filter may only drop keys
// that are never read again.
// Deletions and absent keys are never cached: a negative entry would mostly be erased by the
// write that follows a miss (SET reads the key first).
//
// Memory: capacity bytes over kShards shards, each entry charged its key, value, header, malloc
// overhead and table slots.
// Replacement is CLOCK, as in the block cache: a hit sets the entry's bit; eviction walks from
// the oldest entry, giving a marked entry one more round.
//
// Thread-safe: one mutex per shard; Get copies the value out under it (no handles to release).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace strata::store {

class RowCache {
 public:
  // capacity in bytes; 0 caches nothing (every Insert is dropped). Only keys starting with
  // key_prefix are cached (empty: every key).
  explicit RowCache(size_t capacity, std::string key_prefix = {});
  ~RowCache();

  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  // Copies key's cached value into *value and returns true, or returns false (a miss).
  bool Get(std::string_view key, std::string* value);
  // Who may push other entries out: a read that found its key in the tables may (the cache
  // follows what is read); a write-through fill only takes free room, so a load larger than
  // the cache neither churns it (an allocation and an eviction per write) nor pushes out what
  // readers keep asking for.
  enum class Admit { kEvict, kIfRoom };
  // Caches value as key's newest value as of sequence `read_seq` (duty 2 above). A value
  // larger than a shard's budget / 4 is not cached.
  void Insert(std::string_view key, std::string_view value, uint64_t read_seq,
              Admit admit = Admit::kEvict);
  // Drops key's entry ahead of a write whose sequences end at `write_seq` (duty 1 above).
  void Erase(std::string_view key, uint64_t write_seq);
  // Starts loading the slots, then the entries, that Gets of keys[0..n) will read (see
  // DB::Prefetch). The slot pass reads no shard state but an atomic view of the slot array;
  // the entry pass takes each shard's lock and follows the first slot whose hash matches.
  void Prefetch(const std::string_view* keys, size_t n);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  class Shard;
  static constexpr int kShardBits = 4;
  static constexpr size_t kShards = size_t{1} << kShardBits;

  Shard& ShardOf(uint64_t hash);  // by the hash's top bits; the shard's table uses the low

  bool Cached(std::string_view key) const { return key.starts_with(key_prefix_); }

  const size_t capacity_;
  const std::string key_prefix_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace strata::store
