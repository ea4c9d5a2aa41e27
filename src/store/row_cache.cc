#include "store/row_cache.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "util/checksum.h"
#include "util/zeroed_array.h"

namespace strata::store {
namespace {

// One cached row; the key bytes and then the value bytes follow the struct in one allocation,
// so a hit touches the bucket and this allocation and nothing else.
struct Entry {
  Entry* next;  // CLOCK ring: towards the newest end
  Entry* prev;
  uint64_t hash;
  uint32_t key_size;
  uint32_t value_size;
  bool hit;  // read since eviction last passed it

  const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const { return std::string_view(bytes(), key_size); }
  std::string_view value() const { return std::string_view(bytes() + key_size, value_size); }
  size_t charge() const { return ChargeOf(key_size, value_size); }
  // What an entry costs in memory, not just its bytes: malloc's 8-byte header and 16-byte
  // granularity (glibc), and the ~3 table slots it keeps in use (a table is between 1/4 and
  // 1/2 full). Charging the struct and bytes alone let a 256 MB cache take ~350 MB.
  static size_t ChargeOf(size_t key_size, size_t value_size) {
    return ((sizeof(Entry) + key_size + value_size + 8 + 15) & ~size_t{15}) + 3 * 16;
  }
};

Entry* NewEntry(std::string_view key, std::string_view value, uint64_t hash) {
  void* mem = std::malloc(sizeof(Entry) + key.size() + value.size());
  if (mem == nullptr) throw std::bad_alloc();
  auto* e = new (mem) Entry();
  e->hash = hash;
  e->key_size = static_cast<uint32_t>(key.size());
  e->value_size = static_cast<uint32_t>(value.size());
  e->hit = false;
  char* p = reinterpret_cast<char*>(e + 1);
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + key.size(), value.data(), value.size());
  return e;
}

void FreeEntry(Entry* e) { std::free(e); }

}  // namespace

// One shard: an open-addressing table (linear probing, at most half full) whose slots hold
// each entry's hash beside its pointer, so a probe reads one slot array cache line and
// dereferences only an entry whose whole hash matches; and the CLOCK ring. Every member but
// the counters is guarded by mu_; the counters are atomics only so that INFO can read them
// without the lock.
class alignas(64) RowCache::Shard {
 public:
  Shard() : slots_(kInitialSlots) {
    ring_.next = ring_.prev = &ring_;
    PublishView();
  }
  ~Shard() {
    for (Entry* e = ring_.next; e != &ring_;) {
      Entry* next = e->next;
      FreeEntry(e);
      e = next;
    }
  }

  void set_budget(size_t budget) { budget_ = budget; }

  bool Get(std::string_view key, uint64_t hash, std::string* value) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry* e = slots_[Find(key, hash)].entry;
    if (e == nullptr) {
      misses_.store(misses_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
    e->hit = true;
    value->assign(e->value());
    hits_.store(hits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return true;
  }

  void Insert(std::string_view key, std::string_view value, uint64_t hash, uint64_t read_seq,
              Admit admit) {
    const size_t charge = Entry::ChargeOf(key.size(), value.size());
    const bool if_room = admit == Admit::kIfRoom;
    // Allocate outside the lock, unless the entry will surely be refused (rechecked below).
    Entry* e = charge <= budget_ / 4 && !(if_room && usage() + charge > budget_)
                   ? NewEntry(key, value, hash)
                   : nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    // Whatever happens to the new value, an older one cached for the key goes: it may be what
    // this value replaces (e.g. an earlier put of the same key in one batch).
    size_t i = Find(key, hash);
    if (slots_[i].entry != nullptr) {
      Remove(i);
      i = Find(key, hash);  // the removal may have shifted the probe sequence
    }
    if (e == nullptr) return;
    if (read_seq < last_erase_seq_ || (if_room && usage() + charge > budget_)) {
      // A write this reader did not see may have replaced the value (duty 2), or no room.
      FreeEntry(e);
      return;
    }
    slots_[i] = Slot{hash, e};
    Append(e);
    usage_.store(usage_.load(std::memory_order_relaxed) + e->charge(), std::memory_order_relaxed);
    if (++elems_ * 2 > slots_.size()) Grow();
    EvictIfNeeded(e);
  }

  void Erase(std::string_view key, uint64_t hash, uint64_t write_seq) {
    std::lock_guard<std::mutex> lock(mu_);
    if (write_seq > last_erase_seq_) last_erase_seq_ = write_seq;
    const size_t i = Find(key, hash);
    if (slots_[i].entry != nullptr) Remove(i);
  }

  // Without the lock: view_ may be a moment old, and a stale array or mask only makes the
  // prefetch useless (a prefetch never faults, whatever the address).
  void PrefetchSlot(uint64_t hash) const {
    const Slot* slots = view_slots_.load(std::memory_order_relaxed);
    __builtin_prefetch(&slots[hash & view_mask_.load(std::memory_order_relaxed)]);
  }

  void PrefetchEntry(uint64_t hash) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = hash & Mask(); slots_[i].entry != nullptr; i = (i + 1) & Mask()) {
      if (slots_[i].hash == hash) {
        // The header, the key and the start of the value (the entry's size is in the line
        // being fetched, so more cannot be asked for without waiting).
        const char* p = reinterpret_cast<const char*>(slots_[i].entry);
        for (int line = 0; line < 3; line++) __builtin_prefetch(p + 64 * line);
        return;
      }
    }
  }

  size_t usage() const { return usage_.load(std::memory_order_relaxed); }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Slot {  // all-zero bits: empty (ZeroedArray)
    uint64_t hash = 0;
    Entry* entry = nullptr;  // nullptr: empty
  };
  static_assert(sizeof(Slot) == 16, "Entry::ChargeOf counts 16 bytes per slot");
  static constexpr size_t kInitialSlots = 512;

  size_t Mask() const { return slots_.size() - 1; }

  // The slot holding key, or the empty slot that ends its probe sequence.
  size_t Find(std::string_view key, uint64_t hash) const {
    size_t i = hash & Mask();
    while (slots_[i].entry != nullptr &&
           (slots_[i].hash != hash || slots_[i].entry->key() != key)) {
      i = (i + 1) & Mask();
    }
    return i;
  }

  // Takes slot i's entry out of the table and the ring and frees it. Backward-shift deletion:
  // later entries of the same cluster move up so that no probe sequence crosses an empty slot
  // before reaching its entry (no tombstones).
  void Remove(size_t i) {
    Entry* e = slots_[i].entry;
    e->prev->next = e->next;
    e->next->prev = e->prev;
    elems_--;
    usage_.store(usage_.load(std::memory_order_relaxed) - e->charge(), std::memory_order_relaxed);
    FreeEntry(e);
    size_t hole = i;
    for (size_t j = (i + 1) & Mask(); slots_[j].entry != nullptr; j = (j + 1) & Mask()) {
      const size_t home = slots_[j].hash & Mask();
      // j's entry may fill the hole unless its home lies cyclically in (hole, j].
      const bool home_after_hole =
          hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!home_after_hole) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
  }

  void Append(Entry* e) {  // as the newest entry of the ring
    e->next = &ring_;
    e->prev = ring_.prev;
    e->prev->next = e;
    e->next->prev = e;
  }

  // Evicts until usage fits the budget, never `keep` (the entry just inserted: when every
  // other entry is marked, clearing their marks would otherwise make it the oldest unmarked
  // one). Terminates: each step evicts an entry, clears a mark or passes `keep` once per lap,
  // and keep alone fits (an entry is at most budget / 4).
  void EvictIfNeeded(Entry* keep) {
    while (usage_.load(std::memory_order_relaxed) > budget_ && ring_.next != &ring_) {
      Entry* old = ring_.next;
      if (old->hit || old == keep) {
        old->hit = false;
        old->prev->next = old->next;
        old->next->prev = old->prev;
        Append(old);
      } else {
        size_t i = old->hash & Mask();
        while (slots_[i].entry != old) i = (i + 1) & Mask();
        Remove(i);
      }
    }
  }

  // Rehashes into a table twice the size. Scanning the old table in order writes the new one
  // in two ascending streams (an entry homed at h moves to h or h + old size), so the cost is
  // mostly the new table's first touches, 5-10 ms of page faults stalling the event loop for
  // a multi-MiB table. ZeroedArray takes them in one populate call (no memset; 2 MiB pages
  // where THP allows).
  void Grow() {
    ZeroedArray<Slot> fresh(slots_.size() * 2, ZeroedArray<Slot>::Touch::kPopulate);
    const size_t mask = fresh.size() - 1;
    for (const Slot& s : slots_) {
      if (s.entry == nullptr) continue;
      size_t i = s.hash & mask;
      while (fresh[i].entry != nullptr) i = (i + 1) & mask;
      fresh[i] = s;
    }
    slots_ = std::move(fresh);
    PublishView();
  }

  void PublishView() {
    view_slots_.store(slots_.data(), std::memory_order_relaxed);
    view_mask_.store(Mask(), std::memory_order_relaxed);
  }

  std::mutex mu_;
  size_t budget_ = 0;
  uint64_t last_erase_seq_ = 0;  // the largest write sequence Erase was told of
  ZeroedArray<Slot> slots_;      // size is a power of two; at most half are used
  // slots_.data() and Mask() for PrefetchSlot, which reads them without mu_.
  std::atomic<const Slot*> view_slots_{nullptr};
  std::atomic<size_t> view_mask_{0};
  size_t elems_ = 0;
  Entry ring_{};  // dummy head: ring_.next is the oldest entry, ring_.prev the newest
  std::atomic<size_t> usage_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

RowCache::RowCache(size_t capacity, std::string key_prefix)
    : capacity_(capacity),
      key_prefix_(std::move(key_prefix)),
      shards_(std::make_unique<Shard[]>(kShards)) {
  for (size_t i = 0; i < kShards; i++) shards_[i].set_budget(capacity / kShards);
}

RowCache::~RowCache() = default;

RowCache::Shard& RowCache::ShardOf(uint64_t hash) { return shards_[hash >> (64 - kShardBits)]; }

bool RowCache::Get(std::string_view key, std::string* value) {
  if (!Cached(key)) return false;
  const uint64_t h = Hash64(key);
  return ShardOf(h).Get(key, h, value);
}

void RowCache::Insert(std::string_view key, std::string_view value, uint64_t read_seq,
                      Admit admit) {
  if (!Cached(key)) return;
  const uint64_t h = Hash64(key);
  ShardOf(h).Insert(key, value, h, read_seq, admit);
}

void RowCache::Erase(std::string_view key, uint64_t write_seq) {
  if (!Cached(key)) return;  // never inserted, so never stale
  const uint64_t h = Hash64(key);
  ShardOf(h).Erase(key, h, write_seq);
}

void RowCache::Prefetch(const std::string_view* keys, size_t n) {
  constexpr size_t kChunk = 32;
  uint64_t hashes[kChunk];
  for (size_t base = 0; base < n; base += kChunk) {
    const size_t m = std::min(kChunk, n - base);
    for (size_t i = 0; i < m; i++) {
      hashes[i] = Hash64(keys[base + i]);
      ShardOf(hashes[i]).PrefetchSlot(hashes[i]);
    }
    // By now the first slots have arrived (or are about to): their entries can be requested.
    for (size_t i = 0; i < m; i++) ShardOf(hashes[i]).PrefetchEntry(hashes[i]);
  }
}

size_t RowCache::usage() const {
  size_t total = 0;
  for (size_t i = 0; i < kShards; i++) total += shards_[i].usage();
  return total;
}

uint64_t RowCache::hits() const {
  uint64_t total = 0;
  for (size_t i = 0; i < kShards; i++) total += shards_[i].hits();
  return total;
}

uint64_t RowCache::misses() const {
  uint64_t total = 0;
  for (size_t i = 0; i < kShards; i++) total += shards_[i].misses();
  return total;
}

}  // namespace strata::store
