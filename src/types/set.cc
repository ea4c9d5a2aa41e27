#include "types/set.h"

namespace strata::types {

Set::Set(Keyspace* ks, int db, std::string_view key, const StoredValue* existing)
    : ks_(ks),
      db_(db),
      key_(key),
      existed_(existing != nullptr),
      old_expire_ms_(existing != nullptr ? existing->expire_ms : -1) {
  if (existing != nullptr) {
    meta_ = *existing;
  } else {
    meta_.type = ValueType::kSet;
    meta_.version = 0;  // allocated by the first write
  }
  if (meta_.version != 0)
    SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
}

Set Set::Replacing(Keyspace* ks, int db, std::string_view key, const StoredValue* old) {
  Set s(ks, db, key, nullptr);
  s.existed_ = old != nullptr;
  s.old_expire_ms_ = old != nullptr ? old->expire_ms : -1;
  s.changed_ = true;  // the old value goes even if nothing is added
  return s;
}

void Set::EnsureVersion() {
  if (meta_.version != 0) return;
  meta_.version = ks_->NewVersion();
  SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
}

void Set::MemberKey(std::string_view member) {
  mbuf_.assign(prefix_);
  mbuf_.append(member);
}

Status Set::Contains(std::string_view member, bool* found) {
  *found = false;
  if (meta_.version == 0) return Status::OK();
  MemberKey(member);
  std::string unused;
  Status s = ks_->GetSubKey(mbuf_, &unused);
  if (s.IsNotFound()) return Status::OK();
  *found = s.ok();
  return s;
}

Status Set::Add(std::string_view member, bool* added) {
  EnsureVersion();
  bool found;
  Status s = Contains(member, &found);
  if (!s.ok()) return s;
  *added = !found;
  if (found) return Status::OK();
  MemberKey(member);
  ks_->StageSubPut(mbuf_, {});
  meta_.size++;
  changed_ = true;
  return Status::OK();
}

void Set::AddAbsent(std::string_view member) {
  EnsureVersion();
  MemberKey(member);
  ks_->StageSubPut(mbuf_, {});
  meta_.size++;
  changed_ = true;
}

Status Set::Remove(std::string_view member, bool* removed) {
  Status s = Contains(member, removed);
  if (!s.ok() || !*removed) return s;
  MemberKey(member);
  ks_->StageSubDelete(mbuf_);
  meta_.size--;
  changed_ = true;
  return Status::OK();
}

void Set::Clear() {
  if (meta_.size == 0) return;
  meta_.size = 0;
  meta_.version = 0;  // a later Add starts a new generation
  prefix_.clear();
  changed_ = true;
}

PrefixIterator Set::Members() {
  // A set with no version yet has no members: iterate a prefix nothing is stored under.
  std::string prefix = prefix_;
  if (prefix.empty()) SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, 0, &prefix);
  return ks_->NewPrefixIterator(std::move(prefix));
}

void Set::Finish() {
  if (!changed_) return;
  const KeyState old_state = existed_ ? KeyState::kLive : KeyState::kMissing;
  if (meta_.size == 0) {
    ks_->StageDelete(db_, key_, old_state, old_expire_ms_);
  } else {
    ks_->StagePut(db_, key_, meta_, old_state, old_expire_ms_);
  }
  changed_ = false;
}

}  // namespace strata::types
