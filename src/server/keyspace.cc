#include "server/keyspace.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::server {
namespace {

constexpr char kDataTag = Keyspace::kDataKeyPrefix[0];
constexpr char kExpireTag = 'e';
constexpr char kMetaTag = 'm';
constexpr unsigned char kHasExpire = 0x80;
const std::string kDbMapKey = std::string(1, kMetaTag) + "dbmap";

void AppendNs(std::string* out, uint32_t ns) {
  char buf[4];
  EncodeBigEndian32(buf, ns);
  out->append(buf, 4);
}

}  // namespace

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
  }
  return "none";
}

Keyspace::Keyspace(store::DB* db, int databases, NamespaceFilter* filter)
    : db_(db), filter_(filter), dbmap_(databases, 0) {}

void Keyspace::EncodeValue(const StoredValue& v, std::string* out) {
  out->clear();
  unsigned char h = static_cast<unsigned char>(v.type);
  if (v.expire_ms >= 0) h |= kHasExpire;
  out->push_back(static_cast<char>(h));
  if (v.expire_ms >= 0) PutFixed64(out, static_cast<uint64_t>(v.expire_ms));
  out->append(v.payload);
}

size_t Keyspace::HeaderSize(const StoredValue& v) { return v.expire_ms >= 0 ? 9 : 1; }

bool Keyspace::DecodeValue(std::string_view rec, StoredValue* out, bool with_payload) {
  if (rec.empty()) return false;
  auto h = static_cast<unsigned char>(rec[0]);
  rec.remove_prefix(1);
  if ((h & 0x0f) != static_cast<unsigned char>(ValueType::kString)) return false;
  out->type = static_cast<ValueType>(h & 0x0f);
  out->expire_ms = -1;
  if (h & kHasExpire) {
    uint64_t e;
    if (!GetFixed64(&rec, &e)) return false;
    out->expire_ms = static_cast<int64_t>(e);
  }
  if (with_payload) out->payload.assign(rec.data(), rec.size());
  return true;
}

void Keyspace::DataKey(uint32_t ns, std::string_view key, std::string* out) const {
  out->clear();
  out->push_back(kDataTag);
  AppendNs(out, ns);
  out->append(key);
}

void Keyspace::ExpireKey(uint32_t ns, int64_t when, std::string_view key, std::string* out) const {
  out->clear();
  out->push_back(kExpireTag);
  AppendNs(out, ns);
  char buf[8];
  EncodeBigEndian64(buf, static_cast<uint64_t>(when));
  out->append(buf, 8);
  out->append(key);
}

std::string Keyspace::CountKey(uint32_t ns) {
  std::string k(1, kMetaTag);
  k += "count";
  AppendNs(&k, ns);
  return k;
}

Status Keyspace::Load() {
  std::string v;
  store::ReadOptions ro;
  Status s = db_->Get(ro, kDbMapKey, &v);
  if (s.IsNotFound()) {
    // A fresh store: database i -> namespace i+1.
    for (size_t i = 0; i < dbmap_.size(); i++) dbmap_[i] = static_cast<uint32_t>(i + 1);
    next_ns_ = static_cast<uint32_t>(dbmap_.size() + 1);
    counts_.clear();
    for (uint32_t ns : dbmap_) counts_.push_back({ns, Counts{}});
    return WriteDbMap();
  }
  if (!s.ok()) return s;
  std::string_view in(v);
  uint32_t n;
  if (!GetFixed32(&in, &n)) return Status::Corruption("keyspace: bad database map");
  std::vector<uint32_t> stored(n);
  for (uint32_t i = 0; i < n; i++) {
    if (!GetFixed32(&in, &stored[i])) return Status::Corruption("keyspace: bad database map");
  }
  if (!GetFixed32(&in, &next_ns_)) return Status::Corruption("keyspace: bad database map");
  // The `databases` setting may have changed since the map was written: keep what exists,
  // give new databases fresh namespaces.
  bool grew = false;
  for (size_t i = 0; i < dbmap_.size(); i++) {
    if (i < stored.size()) {
      dbmap_[i] = stored[i];
    } else {
      dbmap_[i] = next_ns_++;
      grew = true;
    }
  }
  counts_.clear();
  for (uint32_t ns : dbmap_) {
    Counts c;
    std::string cv;
    s = db_->Get(ro, CountKey(ns), &cv);
    if (s.ok()) {
      std::string_view cin(cv);
      if (!GetFixed64(&cin, &c.keys) || !GetFixed64(&cin, &c.expires)) {
        return Status::Corruption("keyspace: bad key counter");
      }
    } else if (!s.IsNotFound()) {
      return s;
    }
    counts_.push_back({ns, c});
  }
  if (grew) return WriteDbMap();
  if (filter_ != nullptr) filter_->SetLive(dbmap_, next_ns_);
  return Status::OK();
}

Status Keyspace::Recount() {
  store::ReadOptions ro;
  ro.fill_cache = false;
  for (auto& [ns, c] : counts_) {
    c = Counts{};
    std::string prefix;
    DataKey(ns, {}, &prefix);
    std::unique_ptr<store::Iterator> it = db_->NewIterator(ro);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      c.keys++;
      std::string_view v = it->value();
      if (!v.empty() && (static_cast<unsigned char>(v[0]) & kHasExpire)) c.expires++;
    }
    if (!it->status().ok()) return it->status();
  }
  return WriteDbMap();
}

Keyspace::Counts& Keyspace::CountsFor(uint32_t ns) {
  for (auto& [n, c] : staged_counts_) {
    if (n == ns) return c;
  }
  Counts base;
  for (auto& [n, c] : counts_) {
    if (n == ns) base = c;
  }
  staged_counts_.push_back({ns, base});
  return staged_counts_.back().second;
}

uint64_t Keyspace::KeyCount(int db) const {
  for (auto& [n, c] : counts_) {
    if (n == Ns(db)) return c.keys;
  }
  return 0;
}

uint64_t Keyspace::ExpiresCount(int db) const {
  for (auto& [n, c] : counts_) {
    if (n == Ns(db)) return c.expires;
  }
  return 0;
}

void Keyspace::Prefetch(int db, const std::vector<std::string_view>& keys) {
  if (prefetch_bufs_.size() < keys.size()) prefetch_bufs_.resize(keys.size());
  prefetch_views_.clear();
  for (size_t i = 0; i < keys.size(); i++) {
    DataKey(Ns(db), keys[i], &prefetch_bufs_[i]);
    prefetch_views_.push_back(prefetch_bufs_[i]);
  }
  db_->Prefetch(prefetch_views_.data(), prefetch_views_.size());
}

KeyState Keyspace::Lookup(int db, std::string_view key, StoredValue* out, Status* s,
                          bool cache_row) {
  DataKey(Ns(db), key, &kbuf_);
  // Read the record straight into the payload string, then strip the header in place: the
  // store's copy is the only one (this is on every GET and every SET's read).
  store::ReadOptions ro;
  ro.fill_row_cache = cache_row;
  *s = db_->Get(ro, kbuf_, &out->payload);
  if (s->IsNotFound()) {
    *s = Status::OK();
    return KeyState::kMissing;
  }
  if (!s->ok()) return KeyState::kMissing;
  if (!DecodeValue(out->payload, out, false)) {
    *s = Status::Corruption("keyspace: undecodable value record");
    return KeyState::kMissing;
  }
  out->payload.erase(0, HeaderSize(*out));
  return KeyState::kLive;
}

bool Keyspace::Get(int db, std::string_view key, StoredValue* out, Status* s, int64_t now_ms) {
  KeyState st = Lookup(db, key, out, s);
  if (st != KeyState::kLive) return false;
  if (out->expire_ms >= 0 && out->expire_ms <= now_ms) {
    StageDelete(db, key, KeyState::kLive, out->expire_ms);
    *s = Commit();
    return false;
  }
  return true;
}

void Keyspace::StagePut(int db, std::string_view key, const StoredValue& v, KeyState old_state,
                        int64_t old_expire_ms) {
  uint32_t ns = Ns(db);
  Counts& c = CountsFor(ns);
  if (old_state == KeyState::kMissing) c.keys++;
  if (old_state != KeyState::kMissing && old_expire_ms >= 0) {
    c.expires--;
    if (old_expire_ms != v.expire_ms) {
      ExpireKey(ns, old_expire_ms, key, &ebuf_);
      batch_.Delete(ebuf_);
    }
  }
  if (v.expire_ms >= 0) {
    c.expires++;
    if (old_state == KeyState::kMissing || old_expire_ms != v.expire_ms) {
      ExpireKey(ns, v.expire_ms, key, &ebuf_);
      batch_.Put(ebuf_, {});
    }
  }
  DataKey(ns, key, &kbuf_);
  EncodeValue(v, &vbuf_);
  batch_.Put(kbuf_, vbuf_);
}

void Keyspace::StageDelete(int db, std::string_view key, KeyState old_state,
                           int64_t old_expire_ms) {
  if (old_state == KeyState::kMissing) return;
  uint32_t ns = Ns(db);
  Counts& c = CountsFor(ns);
  c.keys--;
  if (old_expire_ms >= 0) {
    c.expires--;
    ExpireKey(ns, old_expire_ms, key, &ebuf_);
    batch_.Delete(ebuf_);
  }
  DataKey(ns, key, &kbuf_);
  batch_.Delete(kbuf_);
}

void Keyspace::StageCounts(uint32_t ns) {
  for (auto& [n, c] : staged_counts_) {
    if (n != ns) continue;
    // An overwrite leaves the counts as they were: the stored record is still right, and
    // rewriting it would double the records of every SET of an existing key or INCR.
    bool changed = true;
    for (auto& [live_ns, live] : counts_) {
      if (live_ns == ns) changed = live.keys != c.keys || live.expires != c.expires;
    }
    if (!changed) continue;
    std::string v;
    PutFixed64(&v, c.keys);
    PutFixed64(&v, c.expires);
    batch_.Put(CountKey(ns), v);
  }
}

Status Keyspace::Commit() {
  if (batch_.Count() == 0) {
    staged_counts_.clear();
    return Status::OK();
  }
  for (auto& [ns, c] : staged_counts_) StageCounts(ns);
  store::WriteOptions wo;
  wo.buffer_wal = true;
  Status s = db_->Write(wo, &batch_);
  if (s.ok()) {
    for (auto& [ns, staged] : staged_counts_) {
      for (auto& [n, c] : counts_) {
        if (n == ns) c = staged;
      }
    }
  }
  batch_.Clear();
  staged_counts_.clear();
  return s;
}

void Keyspace::Abort() {
  batch_.Clear();
  staged_counts_.clear();
}

Status Keyspace::WriteDbMap() {
  std::vector<uint32_t> was_live;
  for (auto& [n, c] : counts_) was_live.push_back(n);
  std::string v;
  PutFixed32(&v, static_cast<uint32_t>(dbmap_.size()));
  for (uint32_t ns : dbmap_) PutFixed32(&v, ns);
  PutFixed32(&v, next_ns_);
  batch_.Put(kDbMapKey, v);
  // Every live namespace's counter is rewritten so a fresh namespace starts at zero on disk.
  std::vector<std::pair<uint32_t, Counts>> fresh;
  for (uint32_t ns : dbmap_) {
    Counts c;
    for (auto& [n, cc] : counts_) {
      if (n == ns) c = cc;
    }
    fresh.push_back({ns, c});
  }
  counts_ = fresh;
  staged_counts_ = fresh;
  Status s = Commit();
  if (filter_ != nullptr) {
    // Namespaces that stop being live here stay protected until this change is durable.
    std::vector<uint32_t> died;
    for (uint32_t ns : was_live) {
      if (std::find(dbmap_.begin(), dbmap_.end(), ns) == dbmap_.end()) died.push_back(ns);
    }
    if (s.ok() && !died.empty()) filter_->AddPending(died, db_->LastSequence());
    filter_->SetLive(dbmap_, next_ns_);
  }
  return s;
}

Status Keyspace::FlushDb(int db) {
  Abort();
  dbmap_[db] = next_ns_++;
  return WriteDbMap();
}

Status Keyspace::FlushAll() {
  Abort();
  for (auto& ns : dbmap_) ns = next_ns_++;
  return WriteDbMap();
}

Status Keyspace::SwapDb(int a, int b) {
  Abort();
  std::swap(dbmap_[a], dbmap_[b]);
  return WriteDbMap();
}

Keyspace::KeyIterator::KeyIterator(std::unique_ptr<store::Iterator> it, std::string prefix)
    : it_(std::move(it)), prefix_(std::move(prefix)) {}

void Keyspace::KeyIterator::Seek(std::string_view start) {
  seek_buf_ = prefix_;
  seek_buf_.append(start);
  it_->Seek(seek_buf_);
}

bool Keyspace::KeyIterator::Valid() const {
  return it_->Valid() && it_->key().starts_with(prefix_);
}

void Keyspace::KeyIterator::Next() { it_->Next(); }

std::string_view Keyspace::KeyIterator::key() const { return it_->key().substr(prefix_.size()); }

bool Keyspace::KeyIterator::Decode(StoredValue* out, bool with_payload) const {
  return DecodeValue(it_->value(), out, with_payload);
}

Keyspace::KeyIterator Keyspace::NewKeyIterator(int db, bool fill_cache) {
  store::ReadOptions ro;
  ro.fill_cache = fill_cache;
  std::string prefix(1, kDataTag);
  AppendNs(&prefix, Ns(db));
  return KeyIterator(db_->NewIterator(ro), std::move(prefix));
}

int Keyspace::ActiveExpireCycle(int64_t now_ms, int budget, bool* more, Status* s) {
  *more = false;
  *s = Status::OK();
  int deleted = 0;
  Abort();
  for (int db = 0; db < databases() && budget > 0; db++) {
    if (ExpiresCount(db) == 0) continue;
    uint32_t ns = Ns(db);
    std::string prefix(1, kExpireTag);
    AppendNs(&prefix, ns);
    store::ReadOptions ro;
    ro.fill_cache = false;
    auto it = db_->NewIterator(ro);
    std::vector<std::pair<int64_t, std::string>> due;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::string_view k = it->key().substr(prefix.size());
      if (k.size() < 8) continue;
      auto when = static_cast<int64_t>(DecodeBigEndian64(k.data()));
      if (when > now_ms) break;
      if (budget-- <= 0) {
        *more = true;
        break;
      }
      due.emplace_back(when, std::string(k.substr(8)));
    }
    if (!it->status().ok()) *s = it->status();
    for (auto& [when, key] : due) {
      StoredValue v;
      Status ls;
      KeyState st = Lookup(db, key, &v, &ls);
      if (!ls.ok()) {
        *s = ls;
        continue;
      }
      if (st == KeyState::kLive && v.expire_ms == when) {
        StageDelete(db, key, st, v.expire_ms);
        deleted++;
      } else {
        // A stale index entry (the key was rewritten without the old deadline).
        ExpireKey(ns, when, key, &ebuf_);
        batch_.Delete(ebuf_);
      }
    }
  }
  Status cs = Commit();
  if (s->ok()) *s = cs;
  return deleted;
}

}  // namespace strata::server
