// WatchedKeys: which clients WATCH which keys, for MULTI/EXEC's check-and-set. Marks a
// client's dirty_cas when a key it watches may have changed (any staged write of it, as
// Redis's signalModifiedKey), so its next EXEC fails. The Server drives it; loop thread
// only.
//
// Invariant: a client is in the list of each (db, key) of its `watched` exactly once, from
// Watch to UnwatchAll (EXEC, DISCARD, UNWATCH, RESET, close).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/client.h"
#include "types/value.h"

namespace strata::server {

class WatchedKeys {
 public:
  // expired: the key exists but its TTL has passed.
  void Watch(Client* c, int db, std::string_view key, bool expired);
  void UnwatchAll(Client* c);
  bool empty() const { return watchers_.empty(); }

  // key of database db was written (v) or deleted (nullptr).
  void Touch(int db, std::string_view key, const types::StoredValue* v);
  // The watched keys of database db, with their watchers (FLUSHDB, SWAPDB).
  struct Entry {
    std::string key;
    std::vector<Client*> clients;
  };
  std::vector<Entry> KeysOf(int db) const;

 private:
  static std::string MapKey(int db, std::string_view key);
  std::unordered_map<std::string, std::vector<Client*>> watchers_;
};

}  // namespace strata::server
