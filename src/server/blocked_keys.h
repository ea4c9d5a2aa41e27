// BlockedKeys: which clients wait on which keys (BLPOP, BLMOVE, BLMPOP, BZPOPMIN...), which
// of those keys may have become servable, and when each waiter times out. The Server's
// blocking logic (blocking.cc) drives it; it only keeps the books. Loop thread only.
//
// Invariants:
// - A client is in the queue of every (db, key) it waits on exactly once, and in the
//   deadline index once if it has a deadline, from Add to Remove.
// - Each queue is in blocking order: clients are served first come, first served.
// - A key is reported ready at most once between two TakeReady calls, and only if some
//   client waits on it when it is written as a list or sorted set (or its database is
//   replaced): a ready key may turn out not to be servable; the waiter's re-run decides.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/client.h"
#include "types/keyspace.h"

namespace strata::server {

class BlockedKeys : public types::KeyspaceObserver {
 public:
  struct ReadyKey {
    int db;
    std::string key;
    int type;  // the ValueType it was written as; -1: unknown (its database was replaced)
  };

  // c's BlockState (db, keys, deadline) must be filled.
  void Add(Client* c);
  void Remove(Client* c);

  // The clients waiting on (db, key), oldest first; empty if none.
  std::vector<Client*> Waiters(int db, std::string_view key) const;
  bool HasReady() const { return !ready_.empty(); }
  std::vector<ReadyKey> TakeReady();
  // Clients whose deadline is <= now_ms, in deadline order.
  std::vector<Client*> Expired(int64_t now_ms) const;

  size_t clients() const { return clients_; }

  // types::KeyspaceObserver
  void OnKeyWritten(int db, std::string_view key, const types::StoredValue* v) override;
  void OnDbReplaced(int db, int replaced_with) override;

 private:
  static std::string QueueKey(int db, std::string_view key);
  void MarkReady(const std::string& qkey, int type);

  // QueueKey(db, key) -> waiters, oldest first.
  std::unordered_map<std::string, std::deque<Client*>> queues_;
  std::vector<ReadyKey> ready_;
  std::unordered_map<std::string, size_t> ready_index_;  // QueueKey -> its place in ready_
  std::set<std::pair<int64_t, uint64_t>> deadlines_;     // (deadline, client id)
  std::unordered_map<uint64_t, Client*> by_id_;          // clients with a deadline
  size_t clients_ = 0;
};

}  // namespace strata::server
