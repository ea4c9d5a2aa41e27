#include "store/memtable.h"

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

MemTable::MemTable(size_t index_capacity_hint) : table_(KeyComparator(), &arena_) {
  if (index_capacity_hint == 0) return;
  size_t slots = 1024;
  while (slots < index_capacity_hint / 64) slots <<= 1;
  index_ = std::make_unique<Slot[]>(slots);  // value-initialized: empty
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
  char* buf = table_.AllocateKey(encoded_len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(internal_len));
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackTag(seq, kind));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  table_.Insert(buf);
  // After the skiplist insert: an indexed entry is always also reachable by iterators.
  if (index_) IndexEntry(key, buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
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
    Table::Iterator iter(&table_);
    iter.Seek(key.memtable_key());
    if (!iter.Valid()) return GetResult::kNotPresent;
    // The seek landed on the first entry >= (user_key, seq): if it has the same user key, it
    // is the newest version visible at seq.
    entry = iter.key();
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

// Iterates internal keys. Seek takes an internal key and encodes it with a length prefix in
// a reused buffer.
class MemTable::MemTableIterator : public Iterator {
 public:
  explicit MemTableIterator(const Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void Seek(std::string_view target) override {
    scratch_.clear();
    PutVarint32(&scratch_, static_cast<uint32_t>(target.size()));
    scratch_.append(target.data(), target.size());
    iter_.Seek(scratch_.data());
  }
  void Next() override { iter_.Next(); }
  std::string_view key() const override { return GetLengthPrefixedView(iter_.key()); }
  std::string_view value() const override {
    std::string_view k = key();
    return GetLengthPrefixedView(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  Table::Iterator iter_;
  std::string scratch_;
};

std::unique_ptr<Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&table_);
}

}  // namespace strata::store
