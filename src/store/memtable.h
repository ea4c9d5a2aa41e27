// MemTable: the in-memory, sorted write buffer. Every write goes to the WAL and then here;
// a full memtable becomes immutable and the flush thread writes it out as an L0 SSTable
// (builder.h).
//
// Entry format (one arena allocation per entry):
//   internal_key_length: varint32        (= user key length + 8)
//   internal_key:        user_key | tag: fixed64 little-endian, tag = (sequence << 8) | kind
//   value_length:        varint32
//   value:               bytes           (empty for deletions)
//
// Order without a search per insert. A skiplist (LevelDB's memtable) pays an ordered insert
// per write: ~20 dependent cache misses in a 64 MB memtable, the top cost of the server's SET.
// Instead, entries are kept like a small in-memory LSM tree:
//   - pending: the newest entries, in arrival order (at most kBatch of them);
//   - runs: immutable sorted arrays of entry pointers, each with a head of key bytes (Elem)
//     so that comparisons rarely load an entry. When pending fills, it is sorted into a run,
//     and runs are merged two by two while the newer is at least as large as the older (a
//     binary counter: each entry is merged O(log n) times, streaming through arrays), up to
//     kMaxMergedRun entries. Runs hold disjoint, consecutive ranges of sequence numbers
//     (Add's are in sequence order).
//   - merges up to kInlineMergeRun entries happen at once; a larger one (of two runs of at
//     least kInlineMergeRun entries each, which inline merges never touch) is spread over
//     the seals that follow, kMergeStep entries per seal, and replaces its two runs when
//     done. One is in progress at a time; 16 entries merged per entry added is 4x the
//     binary counter's need, so they do not fall behind. No insert waits for a big merge.
// An insert costs a fraction of a skiplist's (docs/benchmarks-notes.md has the figures), and
// no insert pays for a big merge, which would delay the next reply of every client of the
// event loop. Iterators merge the runs with a sorted copy of pending (NewIterator); point
// lookups use the index.
//
// A memtable that stops changing (a read-only phase) may get its runs and pending merged
// into one run (MergeRuns, called by the DB's flush thread after a second without writes),
// so that each Seek searches one array instead of one per run and Next compares nothing.
// The merged run belongs to the state it was built from, (seals_, pending count): a
// snapshot of that state gets it instead of the runs; the first snapshot after a write, or
// the next seal, drops it. Its 24 bytes per entry are not charged to the memtable's budget
// (ApproximateMemoryUsage): it exists only while nothing is written.
//
// Point-lookup index: an open-addressing hash table maps each user key to its newest entry, so
// Get of the latest version costs one hash probe. Invariants: a slot only ever changes from
// empty to an entry, or from an entry to a newer entry of the same user key; it is published
// with a release store after the entry is reachable by iterators (in pending), and entries
// live as long as the arena, so a lock-free reader sees a valid old or new pointer. Capacity
// is fixed at construction; once 3/4 full, new user keys are no longer indexed (Full(),
// and the DB then switches to a new memtable); a lookup that misses a full index, or reads at
// an older snapshot than the indexed entry, searches the runs (slower, but exact).
//
// Thread safety: Add requires external synchronization (one writer: the DB's write leader);
// Get, NewIterator, ApproximateMemoryUsage and Full may run concurrently with it and
// with each other. The writer appends to pending without a lock (the count is published with
// a release store after the slot is written); replacing the runs and emptying pending happen
// together under mu_, and readers take their snapshot (the run list and a copy of pending)
// under mu_, so a snapshot holds every entry added before it exactly once. Lifetime is
// reference counted (Ref/Unref are atomic): the DB holds one reference, and every read view
// or iterator that uses the memtable holds another.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/arena.h"
#include "store/dbformat.h"
#include "store/iterator.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/zeroed_array.h"

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
  // point-lookup index at one slot per 64 bytes. 0: no index (lookups search the runs).
  explicit MemTable(size_t index_capacity_hint = 0);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Deletes the memtable when the last reference goes.
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Bytes of entries and run arrays (fixed extras not counted: the index, 8 bytes per 64 of
  // the hint, and the 2 KiB pending array): the DB switches memtables when this passes
  // memtable_size.
  size_t ApproximateMemoryUsage() const {
    return arena_.MemoryUsage() + run_bytes_.load(std::memory_order_relaxed);
  }
  // Time to switch to a new memtable: budget bytes are used, or the index stopped taking new
  // keys (many tiny entries fill it before the byte budget; lookups of keys added after that
  // would search the runs).
  bool Full(size_t budget) const {
    return ApproximateMemoryUsage() >= budget || index_full_.load(std::memory_order_relaxed);
  }
  // Entries added so far (every version counts).
  uint64_t NumEntries() const { return num_entries_.load(std::memory_order_relaxed); }

  // REQUIRES: external synchronization (single writer); seq greater than every earlier Add's.
  void Add(uint64_t seq, ValueKind kind, std::string_view key, std::string_view value);

  enum class GetResult { kNotPresent, kFound, kDeleted };
  // The newest version of key.user_key() with sequence <= the lookup sequence: kFound (value
  // copied into *value), kDeleted (a tombstone), or kNotPresent (look in older sources).
  GetResult Get(const LookupKey& key, std::string* value) const;
  // Starts loading the index slot a Get of user_key probes first (DB::Prefetch).
  void Prefetch(std::string_view user_key) const {
    if (index_) __builtin_prefetch(&index_[Hash64(user_key) & index_mask_]);
  }

  // An iterator over internal keys (key() is an internal key) holding every entry added before
  // the call. The memtable must outlive it; the DB keeps a reference while the iterator lives.
  std::unique_ptr<Iterator> NewIterator() const;

  // Merges the runs and pending as they are now into one run that snapshots use until the
  // memtable changes (see the header comment). O(entries); any thread, concurrently with the
  // writer and readers. False if there was nothing to merge (one run or none, or a merged
  // run is current) or a write came during the merge (the result is then dropped).
  bool MergeRuns() const;

  // Sorted runs published so far (pending not counted). For tests.
  size_t NumRuns() const {
    std::lock_guard<std::mutex> l(mu_);
    return runs_.size();
  }
  // Runs an iterator created now would merge (a merged run counts one). For tests.
  size_t NumSnapshotRuns() const { return Snapshot().runs.size(); }

 private:
  ~MemTable() = default;  // via Unref only

  // Entries (or memtable_key()s): varint32 length | internal key, in internal key order.
  // Inline: sorting and merging call it ~10 times per entry.
  struct KeyLess {
    bool operator()(const char* a, const char* b) const {
      uint32_t la = 0, lb = 0;
      a = DecodeLength(a, &la);
      b = DecodeLength(b, &lb);
      int r = CompareBytes(a, la - 8, b, lb - 8);
      if (r != 0) return r < 0;
      return DecodeFixed64(a + la - 8) > DecodeFixed64(b + lb - 8);  // newer first
    }
    static const char* DecodeLength(const char* p, uint32_t* len) {
      if (static_cast<unsigned char>(*p) < 128) {  // internal keys under 128 bytes: one byte
        *len = static_cast<unsigned char>(*p);
        return p + 1;
      }
      return GetVarint32Ptr(p, p + 5, len);
    }
  };
  // A run element: an entry and its head, two words that never decrease in key order, so a
  // smaller head means a smaller user key and most comparisons in sorts, merges and iterators
  // are decided without loading entries (each load is a cache miss: entries are scattered over
  // the arena). With P = head_prefix_ (the bytes most keys start with), a key's rest is what
  // follows P if it starts with P (class 1), else the whole key (class 0 if below every key
  // starting with P, 2 if above). hi = class << 62 | rest bytes 0..6 << 6; lo = rest bytes
  // 7..13 << 8 | len, where len is the rest's length if at most 14, else 15; bytes past the
  // end are zero. Keys like "user:000123" thus differ in their heads although they share
  // "user:000", and equal heads with len < 15 mean equal user keys (versions of one key): their
  // order is by sequence, newest first, which the runs know without loading entries (see
  // Less). Equal heads with len 15 fall back to KeyLess.
  static constexpr uint64_t kLongKey = 15;
  struct Head {
    uint64_t hi, lo;
    bool operator==(const Head&) const = default;
    bool operator<(const Head& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
  };
  struct Elem {
    Head head;
    const char* entry;
  };
  // The head of user_key; {0, kLongKey} when prefix is null (P not chosen yet: every
  // comparison falls back to KeyLess).
  static Head HeadOf(std::string_view user_key, const std::string* prefix);
  // entry with the head of its user key.
  static Elem ElemOf(const char* entry, const std::string* prefix);
  // Orders elements by head, then by KeyLess for long keys. Versions of one short key are
  // equivalent here: every sort and merge that uses it is stable and puts newer elements
  // first (a batch is sorted newest first; runs hold disjoint sequence ranges, newer runs
  // higher), which is the internal key order.
  struct Less {
    bool operator()(const Elem& a, const Elem& b) const {
      if (!(a.head == b.head)) return a.head < b.head;
      return (a.head.lo & 0xff) == kLongKey && KeyLess()(a.entry, b.entry);
    }
  };
  // A sorted, immutable array, shared by the memtable and the iterators using it.
  using Run = std::vector<Elem>;
  using RunRef = std::shared_ptr<const Run>;

  static constexpr size_t kBatch = 256;               // pending entries sorted into one run
  static constexpr size_t kInlineMergeRun = 1 << 12;  // entries: the largest merge done at once
  static constexpr size_t kMergeStep = 1 << 12;       // entries of a big merge per seal
  static constexpr size_t kMaxMergedRun = 1 << 16;    // entries: the largest merge output

  // Sorts pending into a run, merges runs, publishes them. Writer only.
  void SealPending();
  // A merge of two adjacent runs of at least kInlineMergeRun entries, advanced kMergeStep
  // output entries per seal. Writer only.
  struct BigMerge {
    size_t at;  // older's index in the run list, newer's is at + 1 (both stay put: SealPending)
    RunRef older, newer;
    std::shared_ptr<Run> out;
    size_t i = 0, j = 0;  // next element of newer, of older
  };
  // Starts a big merge if none runs and two runs of `runs` qualify, advances it, and when it
  // is done replaces its two runs in `runs` by its output. Writer only.
  void AdvanceBigMerge(std::vector<RunRef>* runs);
  // The position of the first entry of run >= target (a memtable_key() whose user key has
  // head target_head): a binary search of the heads, then of the entries with equal heads.
  static size_t LowerBound(const Run& run, Head target_head, const char* target);
  // A consistent view for a reader: the runs, a sorted copy of pending, and P (null before
  // the first seal; then fixed).
  struct View {
    std::vector<RunRef> runs;
    const std::string* head_prefix = nullptr;
    uint64_t seals = 0;  // the state the view holds: seals_ and the pending count
    size_t pending = 0;
  };
  class MemTableIterator;
  // The runs and a sorted copy of pending, taken under mu_.
  View Snapshot() const;

  // A slot is 0 (empty) or an entry's address in the low kPointerBits bits with the top bits
  // of the user key's hash above them (user-space addresses fit in 48 bits on x86-64 and
  // arm64), so a probe passes other keys' slots without reading their entries.
  using Slot = std::atomic<uintptr_t>;
  static constexpr int kPointerBits = 48;
  static constexpr uintptr_t kPointerMask = (uintptr_t{1} << kPointerBits) - 1;
  static_assert(sizeof(uintptr_t) == 8, "the index packs a tag above a 48-bit pointer");
  static_assert(Slot::is_always_lock_free && sizeof(Slot) == sizeof(uintptr_t),
                "a zeroed Slot (ZeroedArray) must be the value 0");
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
  std::unique_ptr<const char*[]> pending_;  // kBatch slots; [0, pending_count_) are entries
  std::atomic<size_t> pending_count_{0};
  mutable std::mutex mu_;
  std::vector<RunRef> runs_;             // written by the writer under mu_; largest (oldest) first
  std::unique_ptr<BigMerge> big_merge_;  // the writer's alone
  // Guarded by mu_ (read without it by the writer, its only writer): pending emptied this
  // many times. Non-zero: head_prefix_ is chosen, and readers may use it.
  uint64_t seals_ = 0;
  // Guarded by mu_: the last sorted copy of pending and seals_ when it was taken (a copy of
  // the same size from the same generation holds the same entries), so back-to-back
  // iterators with no writes between them (a read-only phase) do not sort pending again.
  mutable RunRef sorted_pending_;
  mutable uint64_t sorted_pending_seals_ = 0;
  // Guarded by mu_: MergeRuns' output and the state it holds (seals_, pending count); null
  // when none was built since the last change.
  mutable RunRef merged_;
  mutable uint64_t merged_seals_ = 0;
  mutable size_t merged_pending_ = 0;
  std::atomic<size_t> run_bytes_{0};
  // P for the heads, chosen by the writer at the first seal (the prefix the middle half of
  // the first batch's distinct keys share, so that a few outliers do not shorten it), then
  // fixed, so every run's heads are comparable; readers use it once seals_ > 0.
  std::string head_prefix_;
  ZeroedArray<Slot> index_;  // empty: no index. Zero bits are an empty slot.
  size_t index_mask_ = 0;
  size_t index_used_ = 0;  // writer only
  std::atomic<bool> index_full_{false};
};

}  // namespace strata::store
