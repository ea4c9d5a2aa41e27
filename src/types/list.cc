#include "types/list.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::types {

List::List(Keyspace* ks, int db, std::string_view key, const StoredValue* existing)
    : ks_(ks),
      db_(db),
      key_(key),
      existed_(existing != nullptr),
      old_expire_ms_(existing != nullptr ? existing->expire_ms : -1) {
  if (existing != nullptr) {
    meta_ = *existing;
  } else {
    meta_.type = ValueType::kList;
    meta_.version = 0;  // allocated by the first push
    meta_.head = meta_.tail = kStartIndex;
  }
  if (meta_.version != 0)
    SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
}

void List::EnsureVersion() {
  if (meta_.version != 0) return;
  meta_.version = ks_->NewVersion();
  SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
}

void List::ElementKey(uint64_t index) {
  ebuf_.assign(prefix_);
  char buf[8];
  EncodeBigEndian64(buf, index);
  ebuf_.append(buf, 8);
}

uint64_t List::Position(std::string_view index_key) const {
  return DecodeBigEndian64(index_key.data()) - meta_.head;
}

Status List::Get(uint64_t i, std::string* value) {
  ElementKey(meta_.head + i);
  return ks_->GetSubKey(ebuf_, value);
}

void List::Set(uint64_t i, std::string_view value) {
  ElementKey(meta_.head + i);
  ks_->StageSubPut(ebuf_, value);
  changed_ = true;
}

void List::PushFront(std::string_view value) {
  EnsureVersion();
  ElementKey(--meta_.head);
  ks_->StageSubPut(ebuf_, value);
  changed_ = true;
}

void List::PushBack(std::string_view value) {
  EnsureVersion();
  ElementKey(meta_.tail++);
  ks_->StageSubPut(ebuf_, value);
  changed_ = true;
}

Status List::PopFront(std::string* value) {
  ElementKey(meta_.head);
  Status s = ks_->GetSubKey(ebuf_, value);
  if (!s.ok()) return s;
  ks_->StageSubDelete(ebuf_);
  meta_.head++;
  changed_ = true;
  return Status::OK();
}

Status List::PopBack(std::string* value) {
  ElementKey(meta_.tail - 1);
  Status s = ks_->GetSubKey(ebuf_, value);
  if (!s.ok()) return s;
  ks_->StageSubDelete(ebuf_);
  meta_.tail--;
  changed_ = true;
  return Status::OK();
}

Status List::Insert(uint64_t i, std::string_view value) {
  EnsureVersion();
  const uint64_t n = size();
  // Read the side that moves first: staging invalidates iterators.
  std::vector<std::string> moved;
  if (i < n - i) {
    moved.reserve(i);
    PrefixIterator it = Elements(0);
    for (; it.Valid() && moved.size() < i; it.Next()) moved.emplace_back(it.value());
    if (!it.status().ok()) return it.status();
    if (moved.size() != i) return Status::Corruption("list element missing");
    meta_.head--;  // positions 0..i-1 move one index towards the head
    for (uint64_t j = 0; j < i; j++) Set(j, moved[j]);
  } else {
    moved.reserve(n - i);
    PrefixIterator it = Elements(i);
    for (; it.Valid() && moved.size() < n - i; it.Next()) moved.emplace_back(it.value());
    if (!it.status().ok()) return it.status();
    if (moved.size() != n - i) return Status::Corruption("list element missing");
    meta_.tail++;  // positions i..n-1 move one index towards the tail
    for (uint64_t j = 0; j < moved.size(); j++) Set(i + 1 + j, moved[j]);
  }
  Set(i, value);
  return Status::OK();
}

Status List::Erase(const std::vector<uint64_t>& positions) {
  if (positions.empty()) return Status::OK();
  const uint64_t n = size();
  const uint64_t first = positions.front(), last = positions.back();
  const uint64_t k = positions.size();
  std::vector<std::string> kept;
  if (n - first <= last + 1) {
    // Close the gaps towards the head: everything after `first` that stays moves left.
    PrefixIterator it = Elements(first);
    size_t p = 0;
    for (uint64_t pos = first; it.Valid() && pos < n; it.Next(), pos++) {
      if (p < k && positions[p] == pos) {
        p++;
      } else {
        kept.emplace_back(it.value());
      }
    }
    if (!it.status().ok()) return it.status();
    if (kept.size() != n - first - k) return Status::Corruption("list element missing");
    for (uint64_t j = 0; j < kept.size(); j++) Set(first + j, kept[j]);
    for (uint64_t j = 0; j < k; j++) {
      ElementKey(--meta_.tail);
      ks_->StageSubDelete(ebuf_);
    }
  } else {
    // Close the gaps towards the tail: everything before `last` that stays moves right.
    PrefixIterator it = Elements(0);
    size_t p = 0;
    for (uint64_t pos = 0; it.Valid() && pos <= last; it.Next(), pos++) {
      if (p < k && positions[p] == pos) {
        p++;
      } else {
        kept.emplace_back(it.value());
      }
    }
    if (!it.status().ok()) return it.status();
    if (kept.size() != last + 1 - k) return Status::Corruption("list element missing");
    for (uint64_t j = 0; j < k; j++) {
      ElementKey(meta_.head++);
      ks_->StageSubDelete(ebuf_);
    }
    for (uint64_t j = 0; j < kept.size(); j++) Set(j, kept[j]);
  }
  changed_ = true;
  return Status::OK();
}

void List::Trim(uint64_t front, uint64_t back) {
  for (uint64_t j = 0; j < front; j++) {
    ElementKey(meta_.head++);
    ks_->StageSubDelete(ebuf_);
  }
  for (uint64_t j = 0; j < back; j++) {
    ElementKey(--meta_.tail);
    ks_->StageSubDelete(ebuf_);
  }
  if (front + back > 0) changed_ = true;
}

PrefixIterator List::Elements(uint64_t from) {
  std::string prefix = prefix_;
  if (prefix.empty()) SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, 0, &prefix);
  PrefixIterator it = ks_->NewPrefixIterator(std::move(prefix));
  char buf[8];
  EncodeBigEndian64(buf, meta_.head + from);
  it.Seek(std::string_view(buf, 8));
  return it;
}

void List::Finish() {
  if (!changed_) return;
  const KeyState old_state = existed_ ? KeyState::kLive : KeyState::kMissing;
  meta_.size = size();
  if (meta_.size == 0) {
    ks_->StageDelete(db_, key_, old_state, old_expire_ms_);
  } else {
    ks_->StagePut(db_, key_, meta_, old_state, old_expire_ms_);
  }
  // A later Finish (a command that writes again) sees what this one staged.
  existed_ = meta_.size > 0;
  old_expire_ms_ = existed_ ? meta_.expire_ms : -1;
  changed_ = false;
}

}  // namespace strata::types
