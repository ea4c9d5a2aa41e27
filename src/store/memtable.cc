#include "store/memtable.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/checksum.h"
#include "util/coding.h"

namespace strata::store {
namespace {

// Decodes the length-prefixed slice at p. The memtable wrote it, so it is well formed.
inline std::string_view GetLengthPrefixedView(const char* p) {
  uint32_t len = 0;
  p = GetVarint32Ptr(p, p + 5, &len);
  return {p, len};
}

}  // namespace

LookupKey::LookupKey(std::string_view user_key, uint64_t sequence) {
  size_t internal_len = user_key.size() + 8;
  size_t needed = internal_len + 5;
  char* dst = space_;
  if (needed > sizeof(space_)) {
    heap_ = std::make_unique_for_overwrite<char[]>(needed);
    dst = heap_.get();
  }
  start_ = dst;
  dst = EncodeVarint32(dst, static_cast<uint32_t>(internal_len));
  kstart_ = dst;
  if (!user_key.empty()) std::memcpy(dst, user_key.data(), user_key.size());
  dst += user_key.size();
  EncodeFixed64(dst, PackTag(sequence, kSeekKind));
  end_ = dst + 8;
}

MemTable::MemTable(size_t index_capacity_hint) : pending_(std::make_unique<const char*[]>(kBatch)) {
  if (index_capacity_hint == 0) return;
  size_t slots = 1024;
  while (slots < index_capacity_hint / 64) slots <<= 1;
  index_ = ZeroedArray<Slot>(slots);  // all empty; pages fault in as keys arrive
  index_mask_ = slots - 1;
}

MemTable::Slot* MemTable::FindSlot(std::string_view user_key, uint64_t* tagged_hint) const {
  const uint64_t h = Hash64(user_key);
  const uintptr_t tag = static_cast<uintptr_t>(h >> kPointerBits) << kPointerBits;
  *tagged_hint = tag;
  size_t i = h & index_mask_;
  while (true) {
    Slot* slot = &index_[i];
    const uintptr_t v = slot->load(std::memory_order_acquire);
    if (v == 0) return slot;
    // Another key's entry is skipped on its tag alone, without touching its bytes (15 of 16
    // collisions at 3/4 load); a matching tag is confirmed by comparing keys.
    if ((v & ~kPointerMask) == tag &&
        ExtractUserKey(GetLengthPrefixedView(EntryOf(v))) == user_key) {
      return slot;
    }
    i = (i + 1) & index_mask_;  // never loops forever: the table is at most 3/4 full
  }
}

void MemTable::IndexEntry(std::string_view user_key, const char* entry) {
  uint64_t tag;
  Slot* slot = FindSlot(user_key, &tag);
  if (slot->load(std::memory_order_relaxed) == 0) {
    if ((index_used_ + 1) * 4 > (index_mask_ + 1) * 3) {
      index_full_.store(true, std::memory_order_release);
      return;
    }
    index_used_++;
  }
  const auto p = reinterpret_cast<uintptr_t>(entry);
  assert((p & ~kPointerMask) == 0);
  slot->store(p | tag, std::memory_order_release);
}

void MemTable::Add(uint64_t seq, ValueKind kind, std::string_view key, std::string_view value) {
  const size_t internal_len = key.size() + 8;
  const size_t encoded_len =
      VarintLength(internal_len) + internal_len + VarintLength(value.size()) + value.size();
  char* buf = arena_.Allocate(encoded_len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(internal_len));
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackTag(seq, kind));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());

  // Slots at and past the count are the writer's alone; the release store hands this one to
  // readers, who copy [0, count) under mu_.
  const size_t n = pending_count_.load(std::memory_order_relaxed);
  pending_[n] = buf;
  pending_count_.store(n + 1, std::memory_order_release);
  // After the entry is in pending: an indexed entry is always also reachable by iterators.
  if (index_) IndexEntry(key, buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (n + 1 == kBatch) SealPending();
}

MemTable::Head MemTable::HeadOf(std::string_view key, const std::string* prefix) {
  if (prefix == nullptr) return {0, kLongKey};
  const std::string_view p = *prefix;
  const int c = std::memcmp(key.data(), p.data(), std::min(key.size(), p.size()));
  uint64_t cls = 1;
  if (c < 0 || (c == 0 && key.size() < p.size())) {
    cls = 0;
  } else if (c > 0) {
    cls = 2;
  } else {
    key.remove_prefix(p.size());
  }
  auto byte = [&](size_t i) -> uint64_t {
    return i < key.size() ? static_cast<unsigned char>(key[i]) : 0;
  };
  uint64_t hi = 0, lo = 0;
  for (size_t i = 0; i < 7; i++) hi = (hi << 8) | byte(i);
  for (size_t i = 7; i < 14; i++) lo = (lo << 8) | byte(i);
  return {(cls << 62) | (hi << 6), (lo << 8) | std::min<uint64_t>(key.size(), kLongKey)};
}

MemTable::Elem MemTable::ElemOf(const char* entry, const std::string* prefix) {
  return {HeadOf(ExtractUserKey(GetLengthPrefixedView(entry)), prefix), entry};
}

void MemTable::SealPending() {
  if (seals_ == 0) {
    // The prefix the middle half of the batch's distinct keys share: distinct, because one
    // key rewritten by most writes (the server's key counter) must not count many times.
    std::vector<const char*> batch(pending_.get(), pending_.get() + kBatch);
    std::sort(batch.begin(), batch.end(), KeyLess());
    std::vector<std::string_view> keys;
    for (const char* e : batch) {
      std::string_view k = ExtractUserKey(GetLengthPrefixedView(e));
      if (keys.empty() || keys.back() != k) keys.push_back(k);
    }
    std::string_view a = keys[keys.size() / 4];
    std::string_view b = keys[keys.size() * 3 / 4];
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) n++;
    head_prefix_.assign(a.data(), n);
  }
  // Newest first, then a stable sort: versions of one key end up newest first (see Less).
  auto run = std::make_shared<Run>(kBatch);
  for (size_t i = 0; i < kBatch; i++) (*run)[i] = ElemOf(pending_[kBatch - 1 - i], &head_prefix_);
  std::stable_sort(run->begin(), run->end(), Less());

  // Readers keep using runs_ and pending until the swap below, so merging needs no lock.
  // Inline merges stay within kInlineMergeRun, so they never take a run of that size or
  // more: the runs of a big merge stay adjacent and in place until it is done.
  std::vector<RunRef> runs = runs_;
  while (!runs.empty() && runs.back()->size() <= run->size() &&
         runs.back()->size() + run->size() <= kInlineMergeRun) {
    const Run& older = *runs.back();
    auto merged = std::make_shared<Run>(older.size() + run->size());
    // The newer run first: std::merge puts the first range's element before an equivalent one.
    std::merge(run->begin(), run->end(), older.begin(), older.end(), merged->begin(), Less());
    run = std::move(merged);
    runs.pop_back();
  }
  runs.push_back(std::move(run));
  AdvanceBigMerge(&runs);
  size_t elems = 0;
  for (const RunRef& r : runs) elems += r->size();
  RunRef merged;  // a merged run of the old state: dropped after the lock is released
  {
    std::lock_guard<std::mutex> l(mu_);
    runs_.swap(runs);
    pending_count_.store(0, std::memory_order_relaxed);
    seals_++;
    merged.swap(merged_);
  }
  run_bytes_.store(elems * sizeof(Elem), std::memory_order_relaxed);
  // `runs` (the old list) drops here; arrays a reader still holds live on with its snapshot.
}

void MemTable::AdvanceBigMerge(std::vector<RunRef>* runs) {
  if (big_merge_ == nullptr) {
    // The newest qualifying pair, as a binary counter carries.
    for (size_t k = runs->size(); k-- > 1;) {
      const RunRef& older = (*runs)[k - 1];
      const RunRef& newer = (*runs)[k];
      if (older->size() >= kInlineMergeRun && newer->size() >= kInlineMergeRun &&
          older->size() <= newer->size() && older->size() + newer->size() <= kMaxMergedRun) {
        big_merge_ = std::make_unique<BigMerge>();
        big_merge_->at = k - 1;
        big_merge_->older = older;
        big_merge_->newer = newer;
        big_merge_->out = std::make_shared<Run>();
        big_merge_->out->reserve(older->size() + newer->size());
        break;
      }
    }
    if (big_merge_ == nullptr) return;
  }
  BigMerge& m = *big_merge_;
  const Run& a = *m.newer;
  const Run& b = *m.older;
  Run& out = *m.out;
  // std::merge's rule with the newer run first: take from the older only when strictly less.
  // The output was reserved whole, so growing it never moves it.
  const size_t pos = out.size();
  const size_t take = std::min(kMergeStep, a.size() + b.size() - pos);
  out.resize(pos + take);
  Elem* dst = out.data() + pos;
  const Less less;
  size_t i = m.i, j = m.j;
  for (size_t k = 0; k < take; k++) {
    dst[k] = (j < b.size() && (i == a.size() || less(b[j], a[i]))) ? b[j++] : a[i++];
  }
  m.i = i;
  m.j = j;
  if (out.size() < a.size() + b.size()) return;
  // Done: the output takes the two runs' place. Only runs past newer come and go meanwhile
  // (SealPending), so they are where they were.
  assert(m.at + 1 < runs->size() && (*runs)[m.at] == m.older && (*runs)[m.at + 1] == m.newer);
  (*runs)[m.at] = std::move(m.out);
  runs->erase(runs->begin() + static_cast<std::ptrdiff_t>(m.at) + 1);
  big_merge_.reset();
}

MemTable::View MemTable::Snapshot() const {
  View view;
  std::shared_ptr<Run> copy;
  RunRef stale;  // a merged run of an older state: dropped after the lock is released
  uint64_t seals;
  {
    std::lock_guard<std::mutex> l(mu_);
    const size_t n = pending_count_.load(std::memory_order_acquire);
    seals = seals_;
    view.seals = seals;
    view.pending = n;
    if (seals > 0) view.head_prefix = &head_prefix_;
    if (merged_ != nullptr) {
      if (merged_seals_ == seals && merged_pending_ == n) {
        view.runs.push_back(merged_);
        return view;
      }
      stale.swap(merged_);
    }
    view.runs.reserve(runs_.size() + 1);
    view.runs.assign(runs_.begin(), runs_.end());
    if (n == 0) return view;
    if (sorted_pending_ != nullptr && sorted_pending_->size() == n &&
        sorted_pending_seals_ == seals) {
      view.runs.push_back(sorted_pending_);  // nothing added since the last snapshot sorted it
      return view;
    }
    copy = std::make_shared<Run>(n);
    for (size_t i = 0; i < n; i++) (*copy)[i].entry = pending_[n - 1 - i];  // newest first
  }
  for (Elem& e : *copy) e = ElemOf(e.entry, view.head_prefix);
  std::stable_sort(copy->begin(), copy->end(), Less());
  {
    std::lock_guard<std::mutex> l(mu_);
    sorted_pending_ = copy;
    sorted_pending_seals_ = seals;
  }
  view.runs.push_back(std::move(copy));
  return view;
}

size_t MemTable::LowerBound(const Run& run, Head target_head, const char* target) {
  struct ByHead {
    bool operator()(const Elem& e, const Head& h) const { return e.head < h; }
    bool operator()(const Head& h, const Elem& e) const { return h < e.head; }
  };
  auto [lo, hi] = std::equal_range(run.begin(), run.end(), target_head, ByHead());
  auto it = std::lower_bound(lo, hi, target,
                             [](const Elem& e, const char* t) { return KeyLess()(e.entry, t); });
  return it - run.begin();
}

MemTable::GetResult MemTable::Get(const LookupKey& key, std::string* value) const {
  const char* entry = nullptr;
  if (index_) {
    // Read index_full_ first: a key added after the index filled is then surely absent from
    // the index only if the flag was already seen false before the probe.
    bool full = index_full_.load(std::memory_order_acquire);
    uint64_t tag;
    const char* newest = EntryOf(FindSlot(key.user_key(), &tag)->load(std::memory_order_acquire));
    if (newest != nullptr) {
      uint64_t seq = ExtractTag(GetLengthPrefixedView(newest)) >> 8;
      uint64_t want = ExtractTag(key.internal_key()) >> 8;
      if (seq <= want) entry = newest;  // the newest version is visible: no search needed
    } else if (!full) {
      return GetResult::kNotPresent;
    }
  }
  if (entry == nullptr) {
    // The first entry >= (user_key, seq) over all runs: if it has the same user key, it is the
    // newest version visible at seq.
    const View view = Snapshot();
    const Head head = HeadOf(key.user_key(), view.head_prefix);
    for (const RunRef& run : view.runs) {
      const size_t i = LowerBound(*run, head, key.memtable_key());
      if (i == run->size()) continue;
      const char* e = (*run)[i].entry;
      if (entry == nullptr || KeyLess()(e, entry)) entry = e;
    }
    if (entry == nullptr) return GetResult::kNotPresent;
  }
  std::string_view ikey = GetLengthPrefixedView(entry);
  if (ExtractUserKey(ikey) != key.user_key()) return GetResult::kNotPresent;
  switch (static_cast<ValueKind>(ExtractTag(ikey) & 0xff)) {
    case ValueKind::kValue: {
      std::string_view v = GetLengthPrefixedView(ikey.data() + ikey.size());
      value->assign(v.data(), v.size());
      return GetResult::kFound;
    }
    case ValueKind::kDeletion:
      return GetResult::kDeleted;
  }
  return GetResult::kNotPresent;
}

// Iterates the union of a view's runs: one cursor per run, and the current entry is the
// smallest under the cursors. All runs of a view have heads from the same P, so choosing it
// compares integers, loading entries only on equal heads of long keys. Linear in the
// number of runs per step: a 64 MB memtable has about 10 of them.
class MemTable::MemTableIterator : public Iterator {
 public:
  explicit MemTableIterator(View view)
      : view_(std::move(view)), pos_(view_.runs.size(), 0), cur_(kNone) {}

  bool Valid() const override { return cur_ != kNone; }
  void SeekToFirst() override {
    std::fill(pos_.begin(), pos_.end(), 0);
    FindSmallest();
  }
  void Seek(std::string_view target) override {
    scratch_.clear();
    PutVarint32(&scratch_, static_cast<uint32_t>(target.size()));
    scratch_.append(target.data(), target.size());
    const Head head = HeadOf(ExtractUserKey(target), view_.head_prefix);
    for (size_t i = 0; i < pos_.size(); i++) {
      pos_[i] = LowerBound(*view_.runs[i], head, scratch_.data());
    }
    FindSmallest();
  }
  void Next() override {
    // Runs often hold long stretches of consecutive keys (one collection's elements written
    // together): while the current run's next entry is strictly below every other cursor,
    // it is the smallest, and the other cursors need not be compared again.
    const Run& run = *view_.runs[cur_];
    if (++pos_[cur_] < run.size() && second_ != nullptr && Less()(run[pos_[cur_]], *second_)) {
      return;
    }
    FindSmallest();
  }
  std::string_view key() const override { return GetLengthPrefixedView(Current().entry); }
  std::string_view value() const override {
    std::string_view k = key();
    return GetLengthPrefixedView(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  static constexpr size_t kNone = ~size_t{0};

  friend class MemTable;  // MergeRuns collects Current() in order
  const Elem& Current() const { return (*view_.runs[cur_])[pos_[cur_]]; }
  // Newest run first, replacing only on strictly smaller: of equivalent elements (versions of
  // one short key) the newest wins, as the internal key order wants.
  // Also finds the smallest entry under the other cursors (second_), for Next.
  void FindSmallest() {
    cur_ = kNone;
    const Elem* best = nullptr;
    second_ = nullptr;
    for (size_t i = pos_.size(); i-- > 0;) {
      const Run& run = *view_.runs[i];
      if (pos_[i] == run.size()) continue;
      const Elem& e = run[pos_[i]];
      if (best == nullptr || Less()(e, *best)) {
        second_ = best;
        best = &e;
        cur_ = i;
      } else if (second_ == nullptr || Less()(e, *second_)) {
        second_ = &e;
      }
    }
  }

  const View view_;
  std::vector<size_t> pos_;  // per run: the cursor (run size: exhausted)
  size_t cur_;               // the run whose cursor holds the smallest entry, or kNone
  // The smallest entry under the cursors of the runs other than cur_ (nullptr: none). Only
  // cur_'s cursor moves between FindSmallest calls, so it stays right until then.
  const Elem* second_ = nullptr;
  std::string scratch_;
};

std::unique_ptr<Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(Snapshot());
}

bool MemTable::MergeRuns() const {
  View view = Snapshot();
  if (view.runs.size() < 2) return false;
  const uint64_t seals = view.seals;
  const size_t pending = view.pending;
  size_t total = 0;
  for (const RunRef& run : view.runs) total += run->size();
  // The iterator's order is the runs' union in internal key order (versions of one key
  // newest first), which is what a run must hold.
  auto merged = std::make_shared<Run>();
  merged->reserve(total);
  MemTableIterator it(std::move(view));
  for (it.SeekToFirst(); it.Valid(); it.Next()) merged->push_back(it.Current());
  std::lock_guard<std::mutex> l(mu_);
  if (seals_ != seals || pending_count_.load(std::memory_order_acquire) != pending) return false;
  merged_ = std::move(merged);
  merged_seals_ = seals;
  merged_pending_ = pending;
  return true;
}

}  // namespace strata::store
