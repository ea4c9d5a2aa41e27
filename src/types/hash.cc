#include "types/hash.h"

namespace strata::types {

Hash::Hash(Keyspace* ks, int db, std::string_view key, const StoredValue* existing)
    : ks_(ks),
      db_(db),
      key_(key),
      existed_(existing != nullptr),
      old_expire_ms_(existing != nullptr ? existing->expire_ms : -1) {
  if (existing != nullptr) {
    meta_ = *existing;
  } else {
    meta_.type = ValueType::kHash;
    meta_.version = 0;  // allocated by the first write
  }
  if (meta_.version != 0)
    SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
}

void Hash::FieldKey(std::string_view field) {
  fbuf_.assign(prefix_);
  fbuf_.append(field);
}

Status Hash::Get(std::string_view field, std::string* value) {
  if (meta_.version == 0) return Status::NotFound(std::string_view());
  FieldKey(field);
  return ks_->GetSubKey(fbuf_, value);
}

Status Hash::Set(std::string_view field, std::string_view value, bool* added) {
  if (meta_.version == 0) {
    meta_.version = ks_->NewVersion();
    SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, meta_.version, &prefix_);
  }
  std::string old;
  Status s = Get(field, &old);
  if (!s.ok() && !s.IsNotFound()) return s;
  *added = s.IsNotFound();
  if (*added) meta_.size++;
  FieldKey(field);
  ks_->StageSubPut(fbuf_, value);
  changed_ = true;
  return Status::OK();
}

Status Hash::Delete(std::string_view field, bool* deleted) {
  std::string old;
  Status s = Get(field, &old);
  *deleted = s.ok();
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  FieldKey(field);
  ks_->StageSubDelete(fbuf_);
  meta_.size--;
  changed_ = true;
  return Status::OK();
}

PrefixIterator Hash::Fields() {
  // A hash with no version yet has no fields: iterate a prefix nothing is stored under.
  std::string prefix = prefix_;
  if (prefix.empty()) SubKeyPrefix(kSubKeyTag, ks_->Namespace(db_), key_, 0, &prefix);
  return ks_->NewPrefixIterator(std::move(prefix));
}

void Hash::Finish() {
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
