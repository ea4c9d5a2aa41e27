#include "types/keyspace.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::types {
namespace {

// Past this many records a transaction's reads find staged records through an index
// instead of scanning them (a command stages a handful; an EXEC or MSET may stage many).
constexpr size_t kScanLimit = 16;

}  // namespace

// --- Keyspace ---

Keyspace::Keyspace(store::DB* db, int databases, KeyspaceFilter* filter)
    : db_(db), filter_(filter), dbmap_(databases, 0) {}

Status Keyspace::Load() {
  Abort();
  store::ReadOptions ro;
  std::string v;
  Status s = db_->Get(ro, VersionLeaseKey(), &v);
  if (s.ok()) {
    std::string_view in(v);
    if (!GetFixed64(&in, &version_lease_)) return Status::Corruption("keyspace: bad version lease");
  } else if (!s.IsNotFound()) {
    return s;
  }
  // Versions below the committed lease may be on disk: start above all of them.
  next_version_ = std::max<uint64_t>(version_lease_, 1);

  s = db_->Get(ro, DbMapKey(), &v);
  if (s.IsNotFound()) {
    // A fresh store: database i -> namespace i+1.
    for (size_t i = 0; i < dbmap_.size(); i++) dbmap_[i] = static_cast<uint32_t>(i + 1);
    committed_dbmap_ = dbmap_;
    next_ns_ = committed_next_ns_ = static_cast<uint32_t>(dbmap_.size() + 1);
    counts_.clear();
    for (uint32_t ns : dbmap_) counts_.push_back({ns, Counts{}});
    dbmap_changed_ = true;
    return Commit();
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
  committed_next_ns_ = next_ns_;
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
  committed_dbmap_ = dbmap_;
  if (grew) {
    dbmap_changed_ = true;
    return Commit();
  }
  if (filter_ != nullptr) filter_->SetLive(dbmap_, next_ns_);
  return Status::OK();
}

Status Keyspace::Recount() {
  Abort();
  store::ReadOptions ro;
  ro.fill_cache = false;
  for (auto& [ns, c] : counts_) {
    Counts fresh;
    const std::string prefix = NamespacePrefix(kDataTag, ns);
    std::unique_ptr<store::Iterator> it = db_->NewIterator(ro);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      fresh.keys++;
      if (RecordHasExpire(it->value())) fresh.expires++;
    }
    if (!it->status().ok()) return it->status();
    CountsFor(ns) = fresh;
  }
  for (auto& [ns, c] : counts_) forced_counts_.push_back(ns);  // rewrite each, changed or not
  return Commit();
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
    if (n == dbmap_[db]) return c.keys;
  }
  return 0;
}

uint64_t Keyspace::ExpiresCount(int db) const {
  for (auto& [n, c] : counts_) {
    if (n == dbmap_[db]) return c.expires;
  }
  return 0;
}

void Keyspace::Prefetch(int db, const std::vector<std::string_view>& keys) {
  if (prefetch_bufs_.size() < keys.size()) prefetch_bufs_.resize(keys.size());
  prefetch_views_.clear();
  for (size_t i = 0; i < keys.size(); i++) {
    DataKey(dbmap_[db], keys[i], &prefetch_bufs_[i]);
    prefetch_views_.push_back(prefetch_bufs_[i]);
  }
  db_->Prefetch(prefetch_views_.data(), prefetch_views_.size());
}

// --- The transaction's records ---

void Keyspace::StageRecord(std::string_view engine_key, const std::string_view* value) {
  const size_t off = batch_.NextRecordOffset();
  if (value != nullptr) {
    batch_.Put(engine_key, *value);
  } else {
    batch_.Delete(engine_key);
  }
  staged_offsets_.push_back(off);
  if (staged_offsets_.size() > kScanLimit) {
    if (index_.empty()) {
      // Build the index once the scan would get long; then keep it up to date.
      for (size_t o : staged_offsets_) {
        bool put;
        std::string_view k, v;
        batch_.RecordAt(o, &put, &k, &v);
        index_[std::string(k)] = o;
      }
    } else {
      index_[std::string(engine_key)] = off;
    }
  }
}

int Keyspace::FindStaged(std::string_view engine_key, std::string_view* value) const {
  if (staged_offsets_.empty()) return -1;
  bool put;
  std::string_view k;
  if (!index_.empty()) {
    auto it = index_.find(engine_key);
    if (it == index_.end()) return -1;
    batch_.RecordAt(it->second, &put, &k, value);
    return put ? 1 : 0;
  }
  for (size_t i = staged_offsets_.size(); i-- > 0;) {
    std::string_view v;
    batch_.RecordAt(staged_offsets_[i], &put, &k, &v);
    if (k == engine_key) {
      *value = v;
      return put ? 1 : 0;
    }
  }
  return -1;
}

Status Keyspace::ReadRecord(std::string_view engine_key, std::string* value, bool cache_row) {
  if (!staged_offsets_.empty()) {  // GET outside a transaction skips this
    std::string_view staged;
    const int found = FindStaged(engine_key, &staged);
    if (found == 1) {
      value->assign(staged);
      return Status::OK();
    }
    if (found == 0) return Status::NotFound(std::string_view());
  }
  store::ReadOptions ro;
  ro.fill_row_cache = cache_row;
  return db_->Get(ro, engine_key, value);
}

KeyState Keyspace::Lookup(int db, std::string_view key, StoredValue* out, Status* s,
                          bool cache_row) {
  DataKey(dbmap_[db], key, &kbuf_);
  // Read the record straight into the payload string, then strip the header in place: the
  // store's copy is the only one (this is on every GET and every SET's read).
  *s = ReadRecord(kbuf_, &out->payload, cache_row);
  if (s->IsNotFound()) {
    *s = Status::OK();
    return KeyState::kMissing;
  }
  if (!s->ok()) return KeyState::kMissing;
  if (!DecodeValue(out->payload, out, false)) {
    *s = Status::Corruption("keyspace: undecodable value record");
    return KeyState::kMissing;
  }
  if (out->type == ValueType::kString) {
    out->payload.erase(0, StringHeaderSize(*out));
  } else {
    out->payload.clear();
  }
  return KeyState::kLive;
}

bool Keyspace::Get(int db, std::string_view key, StoredValue* out, Status* s, int64_t now_ms,
                   bool* expired_deleted) {
  if (expired_deleted != nullptr) *expired_deleted = false;
  KeyState st = Lookup(db, key, out, s);
  if (st != KeyState::kLive) return false;
  if (out->expired(now_ms)) {
    StageDelete(db, key, KeyState::kLive, out->expire_ms);
    if (expired_deleted != nullptr) *expired_deleted = true;
    return false;
  }
  return true;
}

void Keyspace::StagePut(int db, std::string_view key, const StoredValue& v, KeyState old_state,
                        int64_t old_expire_ms) {
  const uint32_t ns = dbmap_[db];
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
  std::string_view value(vbuf_);
  StageRecord(kbuf_, &value);
}

void Keyspace::StageDelete(int db, std::string_view key, KeyState old_state,
                           int64_t old_expire_ms) {
  if (old_state == KeyState::kMissing) return;
  const uint32_t ns = dbmap_[db];
  Counts& c = CountsFor(ns);
  c.keys--;
  if (old_expire_ms >= 0) {
    c.expires--;
    ExpireKey(ns, old_expire_ms, key, &ebuf_);
    batch_.Delete(ebuf_);
  }
  DataKey(ns, key, &kbuf_);
  StageRecord(kbuf_, nullptr);
}

// --- Sub-keys ---

uint64_t Keyspace::NewVersion() {
  const uint64_t v = next_version_++;
  const uint64_t lease = std::max(version_lease_, staged_lease_);
  if (next_version_ > lease) {
    // This batch carries a version past the committed lease: extend the lease in it.
    staged_lease_ = next_version_ + kVersionLeaseStep;
    std::string rec;
    PutFixed64(&rec, staged_lease_);
    batch_.Put(VersionLeaseKey(), rec);
  }
  return v;
}

Status Keyspace::GetSubKey(std::string_view engine_key, std::string* value) {
  return ReadRecord(engine_key, value, /*cache_row=*/false);
}

void Keyspace::StageSubPut(std::string_view engine_key, std::string_view value) {
  StageRecord(engine_key, &value);
}

void Keyspace::StageSubDelete(std::string_view engine_key) { StageRecord(engine_key, nullptr); }

PrefixIterator Keyspace::NewPrefixIterator(std::string prefix, bool fill_cache) {
  store::ReadOptions ro;
  ro.fill_cache = fill_cache;
  std::vector<PrefixIterator::Staged> staged;
  for (size_t i = staged_offsets_.size(); i-- > 0;) {  // newest first: stable sort keeps it
    bool put;
    std::string_view k, v;
    batch_.RecordAt(staged_offsets_[i], &put, &k, &v);
    if (k.starts_with(prefix)) staged.push_back({k, v, !put});
  }
  std::stable_sort(staged.begin(), staged.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  staged.erase(std::unique(staged.begin(), staged.end(),
                           [](const auto& a, const auto& b) { return a.key == b.key; }),
               staged.end());
  return PrefixIterator(db_->NewIterator(ro), std::move(prefix), std::move(staged));
}

Status Keyspace::StageCopyValue(int src_db, std::string_view src_key, const StoredValue& v,
                                int dst_db, std::string_view dst_key, StoredValue* out) {
  *out = v;
  if (!IsCollection(v.type)) return Status::OK();
  out->version = NewVersion();
  std::string dst_prefix;
  for (char tag : {kSubKeyTag, kScoreTag}) {
    std::string src_prefix;
    SubKeyPrefix(tag, dbmap_[src_db], src_key, v.version, &src_prefix);
    SubKeyPrefix(tag, dbmap_[dst_db], dst_key, out->version, &dst_prefix);
    // Collect first: staging into the batch would move the staged records the iterator
    // merges in.
    std::vector<std::pair<std::string, std::string>> elements;
    PrefixIterator it = NewPrefixIterator(src_prefix, /*fill_cache=*/false);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      elements.emplace_back(dst_prefix + std::string(it.key()), std::string(it.value()));
    }
    if (!it.status().ok()) return it.status();
    for (const auto& [k, val] : elements) StageSubPut(k, val);
  }
  return Status::OK();
}

Keyspace::KeyIterator Keyspace::NewKeyIterator(int db, bool fill_cache) {
  return KeyIterator(NewPrefixIterator(NamespacePrefix(kDataTag, dbmap_[db]), fill_cache));
}

// --- Database map ---

void Keyspace::FlushDb(int db) {
  dbmap_changed_ = true;
  dbmap_[db] = next_ns_++;
}

void Keyspace::FlushAll() {
  dbmap_changed_ = true;
  for (auto& ns : dbmap_) ns = next_ns_++;
}

void Keyspace::SwapDb(int a, int b) {
  dbmap_changed_ = true;
  std::swap(dbmap_[a], dbmap_[b]);
}

void Keyspace::WriteDbMapRecord() {
  std::string v;
  PutFixed32(&v, static_cast<uint32_t>(dbmap_.size()));
  for (uint32_t ns : dbmap_) PutFixed32(&v, ns);
  PutFixed32(&v, next_ns_);
  batch_.Put(DbMapKey(), v);
  // Every namespace a database points at gets its counter written, so that a fresh one
  // starts at zero on disk.
  for (uint32_t ns : dbmap_) {
    CountsFor(ns);
    forced_counts_.push_back(ns);
  }
}

// --- Commit ---

Status Keyspace::Commit() {
  if (!HasStaged()) {
    ClearStaged();
    return Status::OK();
  }
  if (dbmap_changed_) WriteDbMapRecord();
  for (auto& [ns, c] : staged_counts_) {
    const bool forced =
        std::find(forced_counts_.begin(), forced_counts_.end(), ns) != forced_counts_.end();
    bool changed = true;
    for (auto& [live_ns, live] : counts_) {
      if (live_ns == ns) changed = live.keys != c.keys || live.expires != c.expires;
    }
    // An overwrite leaves the counts as they were: rewriting the record would double the
    // records of every SET of an existing key or INCR.
    if (!changed && !forced) continue;
    std::string v;
    PutFixed64(&v, c.keys);
    PutFixed64(&v, c.expires);
    batch_.Put(CountKey(ns), v);
  }
  store::WriteOptions wo;
  wo.buffer_wal = true;
  Status s = db_->Write(wo, &batch_);
  if (s.ok()) {
    for (auto& [ns, staged] : staged_counts_) {
      bool found = false;
      for (auto& [n, c] : counts_) {
        if (n == ns) {
          c = staged;
          found = true;
        }
      }
      if (!found) counts_.push_back({ns, staged});
    }
    if (staged_lease_ != 0) version_lease_ = staged_lease_;
  }
  CommitDbMap(s.ok());
  ClearStaged();
  return s;
}

void Keyspace::CommitDbMap(bool ok) {
  if (!dbmap_changed_) return;
  dbmap_changed_ = false;
  if (!ok) {
    dbmap_ = committed_dbmap_;
    next_ns_ = committed_next_ns_;
    return;
  }
  // Namespaces that stop being live here stay protected until this change is durable.
  std::vector<uint32_t> died;
  for (uint32_t ns : committed_dbmap_) {
    if (std::find(dbmap_.begin(), dbmap_.end(), ns) == dbmap_.end()) died.push_back(ns);
  }
  std::erase_if(counts_, [&](const auto& e) {
    return std::find(dbmap_.begin(), dbmap_.end(), e.first) == dbmap_.end();
  });
  committed_dbmap_ = dbmap_;
  committed_next_ns_ = next_ns_;
  if (filter_ != nullptr) {
    if (!died.empty()) filter_->AddPending(died, db_->LastSequence());
    filter_->SetLive(dbmap_, next_ns_);
  }
}

void Keyspace::SetSavePoint() {
  savepoint_set_ = true;
  sp_batch_ = batch_.GetSavePoint();
  sp_offsets_ = staged_offsets_.size();
  sp_counts_.assign(staged_counts_.begin(), staged_counts_.end());
  sp_forced_ = forced_counts_.size();
  sp_dbmap_changed_ = dbmap_changed_;
  sp_dbmap_.assign(dbmap_.begin(), dbmap_.end());
  sp_next_ns_ = next_ns_;
  sp_lease_ = staged_lease_;
}

void Keyspace::Abort() {
  if (!savepoint_set_) {
    CommitDbMap(false);
    ClearStaged();
    return;
  }
  batch_.RollbackTo(sp_batch_);
  staged_offsets_.resize(sp_offsets_);
  staged_counts_.assign(sp_counts_.begin(), sp_counts_.end());
  forced_counts_.resize(sp_forced_);
  dbmap_changed_ = sp_dbmap_changed_;
  dbmap_.assign(sp_dbmap_.begin(), sp_dbmap_.end());
  next_ns_ = sp_next_ns_;
  staged_lease_ = sp_lease_;
  // The index is kept exactly when there are more records than a scan handles (StageRecord
  // only adds to it then): an index left behind over fewer records would miss the next ones.
  index_.clear();
  if (staged_offsets_.size() > kScanLimit) {
    for (size_t o : staged_offsets_) {
      bool put;
      std::string_view k, v;
      batch_.RecordAt(o, &put, &k, &v);
      index_[std::string(k)] = o;
    }
  }
}

void Keyspace::ClearStaged() {
  savepoint_set_ = false;
  batch_.Clear();
  staged_counts_.clear();
  forced_counts_.clear();
  staged_offsets_.clear();
  index_.clear();
  staged_lease_ = 0;
}

// --- Active expiry ---

int Keyspace::ActiveExpireCycle(int64_t now_ms, int budget, bool* more, Status* s) {
  *more = false;
  *s = Status::OK();
  int deleted = 0;
  for (int db = 0; db < databases() && budget > 0; db++) {
    if (ExpiresCount(db) == 0) continue;
    const uint32_t ns = dbmap_[db];
    const std::string prefix = NamespacePrefix(kExpireTag, ns);
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

}  // namespace strata::types
