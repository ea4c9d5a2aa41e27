#include "server/watched_keys.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::server {

std::string WatchedKeys::MapKey(int db, std::string_view key) {
  std::string k;
  PutFixed32(&k, static_cast<uint32_t>(db));
  k.append(key);
  return k;
}

void WatchedKeys::Watch(Client* c, int db, std::string_view key, bool expired) {
  for (const WatchedKey& wk : c->watched) {
    if (wk.db == db && wk.key == key) return;  // already watched
  }
  c->watched.push_back({db, std::string(key), expired});
  watchers_[MapKey(db, key)].push_back(c);
}

void WatchedKeys::UnwatchAll(Client* c) {
  for (const WatchedKey& wk : c->watched) {
    auto it = watchers_.find(MapKey(wk.db, wk.key));
    if (it == watchers_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), c), v.end());
    if (v.empty()) watchers_.erase(it);
  }
  c->watched.clear();
}

void WatchedKeys::Touch(int db, std::string_view key, const types::StoredValue* v) {
  if (watchers_.empty()) return;
  auto it = watchers_.find(MapKey(db, key));
  if (it == watchers_.end()) return;
  for (Client* c : it->second) {
    for (WatchedKey& wk : c->watched) {
      if (wk.db != db || wk.key != key) continue;
      if (wk.expired && v == nullptr) {
        // The expired key it watched is now deleted: logically no change, and from now on
        // it is watched as a missing key.
        wk.expired = false;
      } else {
        c->dirty_cas = true;
      }
    }
  }
}

std::vector<WatchedKeys::Entry> WatchedKeys::KeysOf(int db) const {
  std::vector<Entry> r;
  for (const auto& [k, clients] : watchers_) {
    if (static_cast<int>(DecodeFixed32(k.data())) == db) r.push_back({k.substr(4), clients});
  }
  return r;
}

}  // namespace strata::server
