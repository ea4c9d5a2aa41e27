// Server, transactions: MULTI/EXEC queueing, EXEC as one atomic write batch, WATCH, and the
// keyspace observer that feeds WATCH and blocked clients (Redis's multi.c).
//
// Between MULTI and EXEC, Execute queues every command but EXEC, DISCARD, MULTI, WATCH,
// QUIT and RESET after the checks every command gets (unknown command, arity, NOAUTH,
// MISCONF); a command refused there marks the transaction (dirty_exec) and EXEC then aborts
// with -EXECABORT. EXEC runs the queued commands through Execute with commit = false, each
// after a keyspace savepoint (a failing command takes back its own writes only), and the
// outer Execute of EXEC commits them all as one write batch: after a crash all of an EXEC's
// writes are there or none, and under appendfsync always it costs one fsync. Nothing else
// runs in between: the loop is single-threaded. Inside EXEC, blocking commands do not
// block (deny_blocking).
//
// WATCH: any staged write of a watched key (the keyspace observer, as Redis's
// signalModifiedKey) marks its watchers dirty_cas; so does FLUSHDB/FLUSHALL/SWAPDB when the
// key existed on either side, and EXEC finding that a key which was live when watched has
// since expired. EXEC of a dirty_cas client replies a null array and runs nothing.
#include "server/server.h"

namespace strata::server {

bool Server::IsTransactionControl(const Command& cmd) {
  return cmd.name == "exec" || cmd.name == "discard" || cmd.name == "multi" ||
         cmd.name == "watch" || cmd.name == "quit" || cmd.name == "reset";
}

void Server::QueueCommand(Client* c, const std::vector<std::string_view>& argv) {
  // Redis stops storing commands of a transaction that can no longer run.
  if (c->multi.dirty_exec || c->dirty_cas) return;
  c->multi.queued.emplace_back(argv.begin(), argv.end());
}

void Server::DiscardTransaction(Client* c) {
  c->multi = MultiState();
  c->dirty_cas = false;
  watched_.UnwatchAll(c);
}

bool Server::KeyLookup(int db, std::string_view key, bool* expired) {
  StoredValue v;
  Status s;
  const bool exists = keyspace_->Lookup(db, key, &v, &s) == KeyState::kLive;
  *expired = exists && v.expired(net::EventLoop::NowMs());
  return exists;
}

void Server::Watch(Client* c, std::string_view key) {
  bool expired;
  KeyLookup(c->db, key, &expired);
  watched_.Watch(c, c->db, key, expired);
}

void Server::UnwatchAll(Client* c) {
  watched_.UnwatchAll(c);
  c->dirty_cas = false;
}

void Server::ExecTransaction(CommandContext& ctx) {
  Client* c = &ctx.client;
  if (!c->multi.active) return ctx.reply.Error("ERR EXEC without MULTI");
  // A key that was live when watched and has expired since counts as changed.
  for (const WatchedKey& wk : c->watched) {
    bool expired;
    if (!wk.expired && KeyLookup(wk.db, wk.key, &expired) && expired) c->dirty_cas = true;
  }
  if (c->multi.dirty_exec || c->dirty_cas) {
    if (c->multi.dirty_exec) {
      ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
    } else {
      ctx.reply.NullArray();
    }
    DiscardTransaction(c);
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(c->multi.queued);
  DiscardTransaction(c);  // unwatch first, as Redis: the transaction's own writes touch nothing
  c->deny_blocking = true;
  c->in_exec = true;
  std::string* out = ctx.reply.buffer();
  ctx.reply.ArrayHeader(static_cast<int64_t>(queued.size()));
  std::vector<std::string_view> argv;
  for (const auto& args : queued) {
    argv.assign(args.begin(), args.end());
    keyspace_->SetSavePoint();
    Execute(c, argv, out, /*commit=*/false);
    // A command may switch the protocol (HELLO): the rest of the reply follows it.
    ctx.reply.set_proto(c->proto);
  }
  keyspace_->ClearSavePoint();
  c->deny_blocking = false;
  c->in_exec = false;
  c->last_cmd = "exec";
}

// Redis's execCommandAbort, for EXEC refused by Execute's own checks.
void Server::AbortExec(Client* c, resp::Writer& w, std::string_view error) {
  DiscardTransaction(c);
  if (error.substr(0, 4) == "ERR ") error.remove_prefix(4);
  w.Error("EXECABORT Transaction discarded because of: " + std::string(error));
}

// --- The keyspace observer ---

void Server::OnKeyWritten(int db, std::string_view key, const StoredValue* v) {
  blocked_.OnKeyWritten(db, key, v);
  watched_.Touch(db, key, v);
}

void Server::OnDbReplaced(int db, int replaced_with) {
  blocked_.OnDbReplaced(db, replaced_with);
  TouchWatchedDb(db, replaced_with);
}

void Server::TouchWatchedKeysOfAllDbs() {
  for (int db = 0; db < keyspace_->databases(); db++) TouchWatchedDb(db, -1);
}

void Server::TouchWatchedDb(int db, int replaced_with) {
  if (watched_.empty()) return;
  // Redis's touchAllWatchedKeysInDb: "exists" counts keys past their TTL not yet deleted.
  for (const WatchedKeys::Entry& e : watched_.KeysOf(db)) {
    bool expired_here = false, expired_there = false;
    const bool here = KeyLookup(db, e.key, &expired_here);
    const bool there = replaced_with >= 0 && KeyLookup(replaced_with, e.key, &expired_there);
    if (!here && !there) continue;
    for (Client* c : e.clients) {
      for (WatchedKey& wk : c->watched) {
        if (wk.db != db || wk.key != e.key) continue;
        if (wk.expired) {
          if (!there) {
            wk.expired = false;  // the expired key is gone: no logical change
            continue;
          }
          if (expired_there) continue;  // replaced by a key that is expired too
        } else if (!here && expired_there) {
          wk.expired = true;  // a missing key replaced by an expired one
          continue;
        }
        c->dirty_cas = true;
      }
    }
  }
}

}  // namespace strata::server
