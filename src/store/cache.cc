#include "store/cache.h"

#include <atomic>
#include <cassert>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "util/checksum.h"

namespace strata::store {
namespace {

// An entry. The key bytes are stored right after the struct, in the same allocation.
struct LRUHandle : Cache::Handle {
  void* value;
  Cache::Deleter deleter;
  LRUHandle* next_hash;  // chain in the shard's HandleTable
  LRUHandle* next;       // lru_/in_use_ list, or the to-free list once unlinked
  LRUHandle* prev;
  size_t charge;
  uint64_t hash;
  uint32_t key_length;
  uint32_t refs;
  bool in_cache;
  bool on_in_use_list;  // in_cache: on in_use_ rather than lru_
  bool hit;             // looked up since eviction last passed it (second chance)

  std::string_view key() const {
    return std::string_view(reinterpret_cast<const char*>(this + 1), key_length);
  }
};

LRUHandle* NewHandle(std::string_view key, uint64_t hash, void* value, size_t charge,
                     Cache::Deleter deleter) {
  void* mem = ::operator new(sizeof(LRUHandle) + key.size());
  auto* e = new (mem) LRUHandle();
  e->value = value;
  e->deleter = deleter;
  e->next_hash = e->next = e->prev = nullptr;
  e->charge = charge;
  e->hash = hash;
  e->key_length = static_cast<uint32_t>(key.size());
  e->refs = 0;
  e->in_cache = false;
  e->on_in_use_list = false;
  e->hit = false;
  if (!key.empty()) std::memcpy(e + 1, key.data(), key.size());
  return e;
}

// Runs the deleter and frees the entry. REQUIRES: refs == 0, no shard lock held.
void FreeHandle(LRUHandle* e) {
  assert(e->refs == 0 && !e->in_cache);
  if (e->deleter != nullptr) e->deleter(e->key(), e->value);
  e->~LRUHandle();
  ::operator delete(e);
}

void FreeList(LRUHandle* list) {
  while (list != nullptr) {
    LRUHandle* next = list->next;
    FreeHandle(list);
    list = next;
  }
}

// Chained hash table of entries, keyed by (hash, key); grows to keep chains ~1 long.
class HandleTable {
 public:
  HandleTable() { Resize(); }

  LRUHandle* Lookup(std::string_view key, uint64_t hash) { return *FindPointer(key, hash); }

  // Inserts h; returns the entry it replaced (same key), or nullptr.
  LRUHandle* Insert(LRUHandle* h) {
    LRUHandle** ptr = FindPointer(h->key(), h->hash);
    LRUHandle* old = *ptr;
    h->next_hash = (old == nullptr) ? nullptr : old->next_hash;
    *ptr = h;
    if (old == nullptr && ++elems_ > buckets_.size()) Resize();
    return old;
  }

  LRUHandle* Remove(std::string_view key, uint64_t hash) {
    LRUHandle** ptr = FindPointer(key, hash);
    LRUHandle* result = *ptr;
    if (result != nullptr) {
      *ptr = result->next_hash;
      --elems_;
    }
    return result;
  }

 private:
  LRUHandle** FindPointer(std::string_view key, uint64_t hash) {
    LRUHandle** ptr = &buckets_[hash & (buckets_.size() - 1)];
    while (*ptr != nullptr && ((*ptr)->hash != hash || (*ptr)->key() != key)) {
      ptr = &(*ptr)->next_hash;
    }
    return ptr;
  }

  void Resize() {
    size_t new_length = 16;
    while (new_length < elems_ * 2) new_length *= 2;
    std::vector<LRUHandle*> fresh(new_length, nullptr);
    for (LRUHandle* h : buckets_) {
      while (h != nullptr) {
        LRUHandle* next = h->next_hash;
        LRUHandle** slot = &fresh[h->hash & (new_length - 1)];
        h->next_hash = *slot;
        *slot = h;
        h = next;
      }
    }
    buckets_.swap(fresh);
  }

  std::vector<LRUHandle*> buckets_;
  size_t elems_ = 0;
};

// One shard. Replacement is LRU with second chance (CLOCK order kept in a list): a hit only
// sets the entry's `hit` bit, so a lookup touches the entry and nothing else (moving it to the
// list's head would write to two neighbours, cache misses on every hit). Eviction walks from
// the oldest entry: a hit entry gets its bit cleared and goes to the newest end; an entry in
// use moves to in_use_ (lazily: only when eviction meets it) until its last handle is
// released; any other entry is evicted.
//
// Every member but capacity_ is guarded by mu_; the counters are atomics only so that they can
// be read without the lock.
class alignas(64) LRUShard {
 public:
  LRUShard() {
    lru_.next = lru_.prev = &lru_;
    in_use_.next = in_use_.prev = &in_use_;
  }
  ~LRUShard() {
    assert(in_use_.next == &in_use_ && "cache destroyed with handles outstanding");
    LRUHandle* to_free = nullptr;
    for (LRUHandle* e = lru_.next; e != &lru_;) {
      LRUHandle* next = e->next;
      assert(e->refs == 1 && "cache destroyed with handles outstanding");
      e->in_cache = false;
      if (--e->refs == 0) {
        e->next = to_free;
        to_free = e;
      }
      e = next;
    }
    FreeList(to_free);
  }

  void set_capacity(size_t c) { capacity_ = c; }

  Cache::Handle* Insert(std::string_view key, uint64_t hash, void* value, size_t charge,
                        Cache::Deleter deleter) {
    LRUHandle* e = NewHandle(key, hash, value, charge, deleter);
    e->refs = 1;  // the returned handle
    LRUHandle* to_free = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (capacity_ > 0) {
        e->refs++;  // the cache's reference
        e->in_cache = true;
        Append(&lru_, e);
        usage_.store(usage_.load(std::memory_order_relaxed) + charge, std::memory_order_relaxed);
        if (LRUHandle* old = table_.Insert(e)) FinishErase(old, &to_free);
        EvictIfNeeded(&to_free);
      }
    }
    FreeList(to_free);
    return e;
  }

  Cache::Handle* Lookup(std::string_view key, uint64_t hash) {
    std::lock_guard<std::mutex> lock(mu_);
    LRUHandle* e = table_.Lookup(key, hash);
    if (e != nullptr) {
      e->refs++;
      e->hit = true;
      hits_.store(hits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      misses_.store(misses_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    return e;
  }

  void Release(LRUHandle* e) {
    LRUHandle* to_free = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Unref(e, &to_free);
    }
    FreeList(to_free);
  }

  void Erase(std::string_view key, uint64_t hash) {
    LRUHandle* to_free = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (LRUHandle* e = table_.Remove(key, hash)) FinishErase(e, &to_free);
    }
    FreeList(to_free);
  }

  void Prune() {
    LRUHandle* to_free = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (LRUHandle* e = lru_.next; e != &lru_;) {
        LRUHandle* next = e->next;
        if (e->refs == 1) {
          table_.Remove(e->key(), e->hash);
          FinishErase(e, &to_free);
        }
        e = next;
      }
    }
    FreeList(to_free);
  }

  size_t usage() const { return usage_.load(std::memory_order_relaxed); }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static void Append(LRUHandle* list, LRUHandle* e) {  // as the newest entry
    e->next = list;
    e->prev = list->prev;
    e->prev->next = e;
    e->next->prev = e;
  }
  static void Unlink(LRUHandle* e) {
    e->next->prev = e->prev;
    e->prev->next = e->next;
  }

  void Unref(LRUHandle* e, LRUHandle** to_free) {
    assert(e->refs > 0);
    e->refs--;
    if (e->refs == 0) {
      e->next = *to_free;
      *to_free = e;
    } else if (e->refs == 1 && e->in_cache && e->on_in_use_list) {
      // Evictable again. It was met in use by an eviction: over budget now, maybe.
      Unlink(e);
      e->on_in_use_list = false;
      Append(&lru_, e);
      EvictIfNeeded(to_free);
    }
  }

  // e has just been removed from table_: drop the cache's reference.
  void FinishErase(LRUHandle* e, LRUHandle** to_free) {
    assert(e->in_cache);
    Unlink(e);
    e->in_cache = false;
    e->on_in_use_list = false;
    usage_.store(usage_.load(std::memory_order_relaxed) - e->charge, std::memory_order_relaxed);
    Unref(e, to_free);
  }

  // Terminates: every step removes an entry from lru_ or clears a hit bit, and nothing sets
  // hit bits meanwhile (mu_ is held).
  void EvictIfNeeded(LRUHandle** to_free) {
    while (usage_.load(std::memory_order_relaxed) > capacity_ && lru_.next != &lru_) {
      LRUHandle* old = lru_.next;
      if (old->refs > 1) {
        Unlink(old);
        old->on_in_use_list = true;
        Append(&in_use_, old);
      } else if (old->hit) {
        old->hit = false;
        Unlink(old);
        Append(&lru_, old);
      } else {
        table_.Remove(old->key(), old->hash);
        FinishErase(old, to_free);
      }
    }
  }

  size_t capacity_ = 0;  // set once before use
  std::mutex mu_;
  std::atomic<size_t> usage_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  LRUHandle lru_{};     // dummy head; lru_.next is the oldest entry (in use or not)
  LRUHandle in_use_{};  // dummy head of cached entries that eviction found in use
  HandleTable table_;
};

class ShardedLRUCache final : public Cache {
 public:
  ShardedLRUCache(size_t capacity, int num_shard_bits)
      : shard_bits_(num_shard_bits),
        shards_(std::make_unique<LRUShard[]>(size_t{1} << num_shard_bits)),
        capacity_(capacity) {
    const size_t n = size_t{1} << shard_bits_;
    for (size_t i = 0; i < n; i++) shards_[i].set_capacity((capacity + n - 1) / n);
  }

  Handle* Insert(std::string_view key, void* value, size_t charge, Deleter deleter) override {
    uint64_t h = Hash64(key);
    return ShardOf(h).Insert(key, h, value, charge, deleter);
  }
  Handle* Lookup(std::string_view key) override {
    uint64_t h = Hash64(key);
    return ShardOf(h).Lookup(key, h);
  }
  void Release(Handle* handle) override {
    auto* e = static_cast<LRUHandle*>(handle);
    ShardOf(e->hash).Release(e);
  }
  void* Value(Handle* handle) override { return static_cast<LRUHandle*>(handle)->value; }
  void Erase(std::string_view key) override {
    uint64_t h = Hash64(key);
    ShardOf(h).Erase(key, h);
  }
  void Prune() override {
    for (size_t i = 0; i < num_shards(); i++) shards_[i].Prune();
  }
  uint64_t NewId() override { return last_id_.fetch_add(1, std::memory_order_relaxed) + 1; }

  size_t TotalCharge() const override {
    size_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].usage();
    return total;
  }
  size_t Capacity() const override { return capacity_; }
  uint64_t hits() const override {
    uint64_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].hits();
    return total;
  }
  uint64_t misses() const override {
    uint64_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].misses();
    return total;
  }

 private:
  size_t num_shards() const { return size_t{1} << shard_bits_; }
  // Top bits pick the shard; the hash table uses the low bits.
  LRUShard& ShardOf(uint64_t hash) {
    return shards_[shard_bits_ == 0 ? 0 : (hash >> (64 - shard_bits_))];
  }

  const int shard_bits_;
  std::unique_ptr<LRUShard[]> shards_;
  const size_t capacity_;
  std::atomic<uint64_t> last_id_{0};
};

}  // namespace

std::unique_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits) {
  if (num_shard_bits < 0) num_shard_bits = 0;
  if (num_shard_bits > 8) num_shard_bits = 8;
  return std::make_unique<ShardedLRUCache>(capacity, num_shard_bits);
}

}  // namespace strata::store
