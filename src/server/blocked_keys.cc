#include "server/blocked_keys.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::server {

std::string BlockedKeys::QueueKey(int db, std::string_view key) {
  std::string k;
  PutFixed32(&k, static_cast<uint32_t>(db));
  k.append(key);
  return k;
}

void BlockedKeys::Add(Client* c) {
  for (const std::string& key : c->block.keys) {
    std::deque<Client*>& q = queues_[QueueKey(c->block.db, key)];
    // BLPOP k k waits once on k.
    if (std::find(q.begin(), q.end(), c) == q.end()) q.push_back(c);
  }
  if (c->block.deadline_ms != 0) {
    deadlines_.emplace(c->block.deadline_ms, c->id);
    by_id_[c->id] = c;
  }
  clients_++;
}

void BlockedKeys::Remove(Client* c) {
  for (const std::string& key : c->block.keys) {
    auto it = queues_.find(QueueKey(c->block.db, key));
    if (it == queues_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), c), q.end());
    if (q.empty()) queues_.erase(it);
  }
  if (c->block.deadline_ms != 0) {
    deadlines_.erase({c->block.deadline_ms, c->id});
    by_id_.erase(c->id);
  }
  clients_--;
}

std::vector<Client*> BlockedKeys::Waiters(int db, std::string_view key) const {
  auto it = queues_.find(QueueKey(db, key));
  if (it == queues_.end()) return {};
  return std::vector<Client*>(it->second.begin(), it->second.end());
}

std::vector<BlockedKeys::ReadyKey> BlockedKeys::TakeReady() {
  std::vector<ReadyKey> r;
  r.swap(ready_);
  ready_index_.clear();
  return r;
}

std::vector<Client*> BlockedKeys::Expired(int64_t now_ms) const {
  std::vector<Client*> r;
  for (const auto& [deadline, id] : deadlines_) {
    if (deadline > now_ms) break;
    r.push_back(by_id_.at(id));
  }
  return r;
}

void BlockedKeys::MarkReady(const std::string& qkey, int type) {
  auto [it, added] = ready_index_.emplace(qkey, ready_.size());
  if (!added) {
    if (ready_[it->second].type != type) ready_[it->second].type = -1;
    return;
  }
  ready_.push_back({static_cast<int>(DecodeFixed32(qkey.data())), qkey.substr(4), type});
}

void BlockedKeys::OnKeyWritten(int db, std::string_view key, const types::StoredValue* v) {
  if (queues_.empty() || v == nullptr) return;
  if (v->type != types::ValueType::kList && v->type != types::ValueType::kZSet) return;
  std::string qkey = QueueKey(db, key);
  if (queues_.count(qkey) != 0) MarkReady(qkey, static_cast<int>(v->type));
}

void BlockedKeys::OnDbReplaced(int db, int /*replaced_with*/) {
  for (const auto& [qkey, q] : queues_) {
    if (static_cast<int>(DecodeFixed32(qkey.data())) == db) MarkReady(qkey, -1);
  }
}

}  // namespace strata::server
