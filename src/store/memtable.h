// MemTable: the in-memory, sorted write buffer. Every write goes to the WAL and then here;
// a full memtable becomes immutable and the flush thread writes it out as an L0 SSTable
// (builder.h).
//
// Entry format (one arena allocation per entry; the skiplist orders entries by internal key):
//   internal_key_length: varint32        (= user key length + 8)
//   internal_key:        user_key | tag: fixed64 little-endian, tag = (sequence << 8) | kind
//   value_length:        varint32
//   value:               bytes           (empty for deletions)
//
// Point-lookup index: beside the skiplist (which orders entries for iterators and flush), an
// open-addressing hash table maps each user key to its newest entry, so Get of the latest
// version costs one hash probe instead of a skiplist search (the top cost of GET and of the
// server's read-before-write SET). Invariants: a slot only ever changes from empty to an
// entry, or from an entry to a newer entry of the same user key; it is published with a
// release store after the entry is fully written, and entries live as long as the arena, so
// a lock-free reader sees a valid old or new pointer. Capacity is fixed at construction; once
// 3/4 full, new user keys are no longer indexed (`index_full_`) and a lookup that misses the
// index falls back to the skiplist. A lookup at an older snapshot than the indexed entry also
// falls back.
//
// Thread safety: Add requires external synchronization (one writer: the DB's write leader);
// Get, NewIterator and ApproximateMemoryUsage may run concurrently with it and with each
// other. Lifetime is reference counted (Ref/Unref are atomic): the DB holds one reference,
// and every read view or iterator that uses the memtable holds another.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/arena.h"
#include "store/dbformat.h"
#include "store/iterator.h"
#include "store/skiplist.h"
#include "util/coding.h"

namespace strata::store {

// The key a point lookup searches for: (user_key, sequence, kSeekKind), which sorts before
// every version of user_key visible at `sequence`. Small keys use an inline buffer, so a
// lookup does not allocate.
class LookupKey {
 public:
  LookupKey(std::string_view user_key, uint64_t sequence);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;

  // varint32 length | internal key: the form stored in the memtable.
  const char* memtable_key() const { return start_; }
  std::string_view internal_key() const { return {kstart_, static_cast<size_t>(end_ - kstart_)}; }
  std::string_view user_key() const { return {kstart_, static_cast<size_t>(end_ - kstart_ - 8)}; }

 private:
  const char* start_;
  const char* kstart_;
  const char* end_;
  std::unique_ptr<char[]> heap_;  // only for keys that do not fit space_
  char space_[128];
};

class MemTable {
 public:
  // index_capacity_hint: expected bytes of entries (e.g. Options::memtable_size); sizes the
  // point-lookup index at one slot per 64 bytes. 0: no index (lookups use the skiplist).
  explicit MemTable(size_t index_capacity_hint = 0);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Deletes the memtable when the last reference goes.
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Bytes of arena memory in use (the index is a fixed extra of 8 bytes per 64 of the hint):
  // the DB switches memtables when this passes memtable_size.
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  // Entries added so far (every version counts).
  uint64_t NumEntries() const { return num_entries_.load(std::memory_order_relaxed); }

  // REQUIRES: external synchronization (single writer); (key, seq) not already present.
  void Add(uint64_t seq, ValueKind kind, std::string_view key, std::string_view value);

  enum class GetResult { kNotPresent, kFound, kDeleted };
  // The newest version of key.user_key() with sequence <= the lookup sequence: kFound (value
  // copied into *value), kDeleted (a tombstone), or kNotPresent (look in older sources).
  GetResult Get(const LookupKey& key, std::string* value) const;

  // An iterator over internal keys (key() is an internal key). The memtable must outlive it;
  // the DB keeps a reference for as long as the iterator lives.
  std::unique_ptr<Iterator> NewIterator() const;

 private:
  ~MemTable() = default;  // via Unref only

  struct KeyComparator {
    // a and b point at entries (or memtable_key()s): varint32 length | internal key. Inline:
    // the skiplist search calls it ~40 times per insert.
    int operator()(const char* a, const char* b) const {
      uint32_t la = 0, lb = 0;
      a = DecodeLength(a, &la);
      b = DecodeLength(b, &lb);
      int r = CompareBytes(a, la - 8, b, lb - 8);
      if (r != 0) return r;
      uint64_t ta = DecodeFixed64(a + la - 8), tb = DecodeFixed64(b + lb - 8);
      return ta > tb ? -1 : (ta < tb ? 1 : 0);
    }
    static const char* DecodeLength(const char* p, uint32_t* len) {
      if (static_cast<unsigned char>(*p) < 128) {  // internal keys under 128 bytes: one byte
        *len = static_cast<unsigned char>(*p);
        return p + 1;
      }
      return GetVarint32Ptr(p, p + 5, len);
    }
  };
  using Table = SkipList<KeyComparator>;
  class MemTableIterator;

  // A slot is 0 (empty) or an entry's address in the low kPointerBits bits with the top bits
  // of the user key's hash above them (user-space addresses fit in 48 bits on x86-64 and
  // arm64), so a probe passes other keys' slots without reading their entries.
  using Slot = std::atomic<uintptr_t>;
  static constexpr int kPointerBits = 48;
  static constexpr uintptr_t kPointerMask = (uintptr_t{1} << kPointerBits) - 1;
  static_assert(sizeof(uintptr_t) == 8, "the index packs a tag above a 48-bit pointer");
  static const char* EntryOf(uintptr_t slot) {
    return reinterpret_cast<const char*>(slot & kPointerMask);
  }
  // The slot holding user_key, or the empty slot where it would go (index_ must exist);
  // *tag receives the key's tag bits.
  Slot* FindSlot(std::string_view user_key, uint64_t* tag) const;
  void IndexEntry(std::string_view user_key, const char* entry);

  std::atomic<int> refs_{0};
  std::atomic<uint64_t> num_entries_{0};
  Arena arena_;
  Table table_;
  std::unique_ptr<Slot[]> index_;  // null: no index
  size_t index_mask_ = 0;
  size_t index_used_ = 0;  // writer only
  std::atomic<bool> index_full_{false};
};

}  // namespace strata::store
