// Server, blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP).
//
// A blocking command that finds nothing to serve calls BlockForKeys: the client keeps a copy
// of its command, waits in the queue of each key (BlockedKeys) and runs no further input.
// Any staged write that stores a list or sorted set under a waited-on key marks the key
// ready (the Keyspace observer); after each command (ProcessInput) and in BeforeSleep,
// ServeReadyKeys runs the command of each waiter of each ready key again, oldest waiter
// first, through the same command function. A re-run that finds nothing again calls
// BlockForKeys, which then leaves the client waiting as it was; a re-run that replies
// unblocks it. So a push served by a blocked client is exactly the command the client sent,
// run later, with its normal reply, writes and errors (a BLMOVE whose destination became a
// string replies WRONGTYPE, as Redis does).
//
// A client leaves the blocked state by being served, by its deadline (Cron and BeforeSleep:
// a null reply), by CLIENT UNBLOCK (a null reply or -UNBLOCKED), or by closing (OnClose).
// Its pipelined input runs in BeforeSleep after it is unblocked, in order.
#include <spdlog/spdlog.h>

#include "server/server.h"

namespace strata::server {

bool Server::BlockForKeys(CommandContext& ctx, const std::vector<std::string_view>& keys,
                          int64_t deadline_ms, bool null_array, ValueType wait_type) {
  Client* c = &ctx.client;
  if (c->block.blocked) {
    c->block.still_waiting = true;  // a re-run that found nothing
    return true;
  }
  if (!ctx.may_block || c->conn == nullptr) return false;
  BlockState& b = c->block;
  b.blocked = true;
  b.still_waiting = false;
  b.db = c->db;
  b.argv.assign(ctx.argv.begin(), ctx.argv.end());
  b.keys.assign(keys.begin(), keys.end());
  b.deadline_ms = deadline_ms;
  b.null_array = null_array;
  b.wait_type = static_cast<int>(wait_type);
  blocked_.Add(c);
  return true;
}

void Server::Unblock(Client* c) {
  if (!c->block.blocked) return;
  blocked_.Remove(c);
  c->block = BlockState();
  if (c->conn == nullptr) return;
  ScheduleFlush(c);
  if (!c->unblocked_pending) {
    c->unblocked_pending = true;
    unblocked_.push_back(c->id);
  }
}

void Server::UnblockWithTimeout(Client* c) {
  if (!c->block.blocked || c->conn == nullptr) return;
  resp::Writer w(c->conn->output(), c->proto);
  c->block.null_array ? w.NullArray() : w.Null();
  Unblock(c);
}

void Server::UnblockWithError(Client* c, std::string_view error) {
  if (!c->block.blocked || c->conn == nullptr) return;
  resp::Writer w(c->conn->output(), c->proto);
  w.Error(error);
  stats_.total_error_replies++;
  Unblock(c);
}

bool Server::ClientUnblock(Client* c, bool error) {
  if (!c->block.blocked) return false;
  if (error) {
    UnblockWithError(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    UnblockWithTimeout(c);
  }
  return true;
}

bool Server::RunBlocked(Client* c) {
  const std::vector<std::string> argv_copy = c->block.argv;  // Unblock clears the state
  std::vector<std::string_view> argv(argv_copy.begin(), argv_copy.end());
  Command* cmd = commands_.Find(argv[0]);
  if (cmd == nullptr) {  // renamed away meanwhile: give up as on a timeout
    UnblockWithTimeout(c);
    return true;
  }
  const int saved_db = c->db;
  c->db = c->block.db;
  c->block.still_waiting = false;
  std::string* out = c->conn->output();
  const size_t before = out->size();
  resp::Writer w(out, c->proto);
  CommandContext ctx{*this, *c, argv, w, *keyspace_, net::EventLoop::NowMs()};
  cmd->fn(ctx);
  if (keyspace_->HasStaged()) {
    Status s = keyspace_->Commit();
    if (!s.ok()) {
      spdlog::error("Store error committing '{}': {}", cmd->name, s.ToString());
      out->resize(before);
      w.Error(StoreErrorReply(s));
    }
  }
  c->db = saved_db;
  if (c->block.still_waiting && out->size() == before) return false;
  if (out->size() > before && (*out)[before] == '-') stats_.total_error_replies++;
  Unblock(c);
  return true;
}

void Server::ServeReadyKeys() {
  while (blocked_.HasReady()) {
    for (const BlockedKeys::ReadyKey& rk : blocked_.TakeReady()) {
      for (Client* c : blocked_.Waiters(rk.db, rk.key)) {
        if (!c->block.blocked || c->conn == nullptr) continue;
        if (rk.type >= 0 && rk.type != c->block.wait_type) continue;
        // A waiter that stays blocked found the key not servable: nor would the later ones.
        c->block.serving_key = rk.key;
        if (!RunBlocked(c)) {
          c->block.serving_key.clear();
          break;
        }
      }
    }
  }
}

void Server::HandleBlockTimeouts(int64_t now_ms) {
  if (blocked_.clients() == 0) return;
  for (Client* c : blocked_.Expired(now_ms)) UnblockWithTimeout(c);
}

void Server::ResumeUnblocked() {
  while (!unblocked_.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(unblocked_);
    for (uint64_t id : ids) {
      Client* c = FindClient(id);
      if (c == nullptr) continue;
      c->unblocked_pending = false;
      if (c->close == CloseMode::kOpen && !c->held && !c->conn->closing()) ProcessInput(c);
    }
  }
}

}  // namespace strata::server
