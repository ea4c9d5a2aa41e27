#include "types/compaction_filter.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "types/keys.h"
#include "types/value.h"

namespace strata::types {

bool KeyspaceFilter::ShouldDrop(std::string_view key, std::string_view value) const {
  if (ShouldDropInFlush(key, value)) return true;
  return SubKeyDead(key);
}

bool KeyspaceFilter::ShouldDropInFlush(std::string_view key, std::string_view) const {
  uint32_t ns;
  return KeyNamespace(key, &ns) && NamespaceDead(ns);
}

bool KeyspaceFilter::NamespaceDead(uint32_t ns) const {
  std::lock_guard<std::mutex> l(mu_);
  if (ns >= next_ns_) return false;  // allocated after our last update: treat as live
  if (std::find(live_.begin(), live_.end(), ns) != live_.end()) return false;
  for (const auto& [p, seq] : pending_) {
    if (p == ns) return false;
  }
  return true;
}

bool KeyspaceFilter::SubKeyDead(std::string_view key) const {
  SubKeyParts parts;
  if (!ParseSubKey(key, &parts)) return false;
  store::DB* db = db_.load(std::memory_order_acquire);
  if (db == nullptr) return false;
  // The sub-keys of one collection are adjacent in a compaction's input: one lookup serves
  // them all. A cached "dead" stays true forever (versions are never reused); a cached
  // "live" is trusted for a moment only, so it keeps garbage no longer than that.
  struct Last {
    std::string data_key;
    uint64_t version = 0;
    bool dead = false;
    std::chrono::steady_clock::time_point at;
  };
  thread_local Last last;
  std::string data_key;
  DataKey(parts.ns, parts.key, &data_key);
  const auto now = std::chrono::steady_clock::now();
  if (data_key == last.data_key && parts.version == last.version &&
      (last.dead || now - last.at < std::chrono::milliseconds(100))) {
    return last.dead;
  }
  std::string rec;
  store::ReadOptions ro;
  ro.tables_only = true;
  ro.fill_cache = false;
  ro.fill_row_cache = false;
  Status s = db->Get(ro, data_key, &rec);
  bool dead = false;
  StoredValue v;
  if (s.IsNotFound()) {
    dead = true;
  } else if (s.ok() && DecodeValue(rec, &v, false)) {
    dead = !IsCollection(v.type) || v.version != parts.version;
  }  // else unreadable: keep
  last.data_key = std::move(data_key);
  last.version = parts.version;
  last.dead = dead;
  last.at = now;
  return dead;
}

void KeyspaceFilter::SetLive(const std::vector<uint32_t>& live, uint32_t next_ns) {
  std::lock_guard<std::mutex> l(mu_);
  live_ = live;
  next_ns_ = next_ns;
}

void KeyspaceFilter::AddPending(const std::vector<uint32_t>& ns, uint64_t sequence) {
  std::lock_guard<std::mutex> l(mu_);
  for (uint32_t n : ns) pending_.push_back({n, sequence});
}

void KeyspaceFilter::ReleasePending(uint64_t durable_sequence) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(pending_, [&](const auto& p) { return p.second <= durable_sequence; });
}

bool KeyspaceFilter::HasPending() const {
  std::lock_guard<std::mutex> l(mu_);
  return !pending_.empty();
}

}  // namespace strata::types
