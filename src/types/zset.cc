#include "types/zset.h"

#include "types/score.h"

namespace strata::types {

namespace {
// Zero is stored as +0 (zset.h).
double Canonical(double score) { return score == 0 ? 0.0 : score; }
}  // namespace

ZSet::ZSet(Keyspace* ks, int db, std::string_view key, const StoredValue* existing)
    : ks_(ks),
      db_(db),
      key_(key),
      existed_(existing != nullptr),
      old_expire_ms_(existing != nullptr ? existing->expire_ms : -1) {
  if (existing != nullptr) {
    meta_ = *existing;
  } else {
    meta_.type = ValueType::kZSet;
    meta_.version = 0;  // allocated by the first write
  }
  if (meta_.version != 0) {
    const uint32_t ns = ks_->Namespace(db_);
    SubKeyPrefix(kSubKeyTag, ns, key_, meta_.version, &sprefix_);
    SubKeyPrefix(kScoreTag, ns, key_, meta_.version, &zprefix_);
  }
}

ZSet ZSet::Replacing(Keyspace* ks, int db, std::string_view key, const StoredValue* old) {
  ZSet z(ks, db, key, nullptr);
  z.existed_ = old != nullptr;
  z.old_expire_ms_ = old != nullptr ? old->expire_ms : -1;
  z.changed_ = z.existed_;  // an empty result still deletes the old key
  return z;
}

void ZSet::EnsureVersion() {
  if (meta_.version != 0) return;
  meta_.version = ks_->NewVersion();
  const uint32_t ns = ks_->Namespace(db_);
  SubKeyPrefix(kSubKeyTag, ns, key_, meta_.version, &sprefix_);
  SubKeyPrefix(kScoreTag, ns, key_, meta_.version, &zprefix_);
}

void ZSet::MemberKey(std::string_view member) {
  buf_.assign(sprefix_);
  buf_.append(member);
}

void ZSet::OrderKey(double score, std::string_view member) {
  buf_.assign(zprefix_);
  AppendScore(&buf_, score);
  buf_.append(member);
}

Status ZSet::Score(std::string_view member, double* score) {
  if (meta_.version == 0) return Status::NotFound(std::string_view());
  MemberKey(member);
  std::string v;
  Status s = ks_->GetSubKey(buf_, &v);
  if (!s.ok()) return s;
  if (v.size() != 8) return Status::Corruption("bad sorted-set score record");
  *score = DecodeScore(v.data());
  return Status::OK();
}

Status ZSet::Set(std::string_view member, double score, bool* added) {
  double old;
  Status s = Score(member, &old);
  if (!s.ok() && !s.IsNotFound()) return s;
  *added = s.IsNotFound();
  if (*added) {
    Insert(member, score);
  } else {
    Move(member, old, score);
  }
  return Status::OK();
}

void ZSet::Insert(std::string_view member, double score) {
  EnsureVersion();
  score = Canonical(score);
  char enc[8];
  EncodeScore(score, enc);
  MemberKey(member);
  ks_->StageSubPut(buf_, std::string_view(enc, 8));
  OrderKey(score, member);
  ks_->StageSubPut(buf_, {});
  meta_.size++;
  changed_ = true;
}

void ZSet::Move(std::string_view member, double old_score, double new_score) {
  new_score = Canonical(new_score);
  if (new_score == old_score) return;
  OrderKey(old_score, member);
  ks_->StageSubDelete(buf_);
  char enc[8];
  EncodeScore(new_score, enc);
  MemberKey(member);
  ks_->StageSubPut(buf_, std::string_view(enc, 8));
  OrderKey(new_score, member);
  ks_->StageSubPut(buf_, {});
  changed_ = true;
}

void ZSet::Remove(std::string_view member, double score) {
  MemberKey(member);
  ks_->StageSubDelete(buf_);
  OrderKey(score, member);
  ks_->StageSubDelete(buf_);
  meta_.size--;
  changed_ = true;
}

Status ZSet::Delete(std::string_view member, bool* deleted) {
  double score;
  Status s = Score(member, &score);
  *deleted = s.ok();
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  Remove(member, score);
  return Status::OK();
}

void ZSet::Iterator::Seek(double score) {
  buf_.clear();
  AppendScore(&buf_, Canonical(score));
  it_.Seek(buf_);
}

void ZSet::Iterator::Seek(double score, std::string_view member) {
  buf_.clear();
  AppendScore(&buf_, Canonical(score));
  buf_.append(member);
  it_.Seek(buf_);
}

double ZSet::Iterator::score() const { return DecodeScore(it_.key().data()); }

void ZSet::ReverseIterator::SeekAtOrBelow(double max, bool exclusive) {
  char enc[8];
  EncodeScore(Canonical(max), enc);
  const uint64_t e = DecodeBigEndian64(enc);
  // Every encoding is below UINT64_MAX (+inf's is 0xfff0...), so e + 1 does not wrap.
  Load(exclusive ? e : e + 1);
}

void ZSet::ReverseIterator::Next() {
  if (pos_ == 0) return;
  if (--pos_ == 0) Load(enc_);
}

void ZSet::ReverseIterator::Load(uint64_t bound) {
  group_.clear();
  pos_ = 0;
  char buf[8];
  // The greatest encoding e < bound that some member has: [lo, hi) holds it if any does.
  uint64_t lo = 0, hi = bound;
  bool found = false;
  uint64_t best = 0;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    EncodeBigEndian64(buf, mid);
    it_.it_.Seek(std::string_view(buf, 8));
    if (!it_.Valid()) {
      if (!it_.status().ok()) {
        status_ = it_.status();
        return;
      }
      hi = mid;
      continue;
    }
    const uint64_t e = DecodeBigEndian64(it_.it_.key().data());
    if (e < bound) {
      found = true;
      best = e;
      lo = e + 1;  // a member at e: the answer is e or above
    } else {
      hi = mid;  // nothing in [mid, bound)
    }
  }
  if (!found) return;
  EncodeBigEndian64(buf, best);
  const std::string_view want(buf, 8);
  for (it_.it_.Seek(want); it_.Valid() && it_.it_.key().substr(0, 8) == want; it_.Next()) {
    group_.emplace_back(it_.member());
  }
  if (!it_.status().ok()) {
    status_ = it_.status();
    group_.clear();
    return;
  }
  enc_ = best;
  score_ = DecodeScore(buf);
  pos_ = group_.size();
}

ZSet::Iterator ZSet::Members() {
  // A sorted set with no version yet has no members: iterate a prefix nothing is under.
  std::string prefix = zprefix_;
  if (prefix.empty()) SubKeyPrefix(kScoreTag, ks_->Namespace(db_), key_, 0, &prefix);
  return Iterator(ks_->NewPrefixIterator(std::move(prefix)));
}

void ZSet::Finish() {
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
