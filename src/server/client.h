// Client: the per-connection state of the command layer (Redis's `client` struct, trimmed).
// Owned by the Server, keyed by connection; lives from accept to close. Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/connection.h"
#include "resp/parser.h"

namespace strata::server {

enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

// A close asked for while commands may be running (CLIENT KILL, QUIT, an output limit). The
// connection itself is closed only by Server::CloseMarkedClients, between commands, so no
// command ever runs on, or writes a reply into, a connection that is already gone.
enum class CloseMode : uint8_t {
  kOpen,        // no close asked for
  kAfterReply,  // send what is queued (the reply to QUIT or CLIENT KILL of itself), then close
  kNow,         // drop unsent output and close
};

// A client blocked by BLPOP, BLMOVE, BLMPOP, BZPOPMIN... (src/server/blocking.cc). While
// blocked it runs no further input; its command is run again whenever one of its keys may
// have become servable, until it replies, times out, or is unblocked or closed.
struct BlockState {
  bool blocked = false;
  // Set by a re-run of the command that still found nothing to serve: it stays blocked.
  bool still_waiting = false;
  int db = 0;
  std::vector<std::string> argv;  // the command, owned: the input buffer moves on
  std::vector<std::string> keys;  // the keys it waits on, in its order
  int64_t deadline_ms = 0;        // absolute unix ms; 0: forever
  bool null_array = true;         // the timeout reply: a null array, else a null bulk
  int wait_type = 0;              // the ValueType it pops: writes of another type never serve
  std::string serving_key;        // during a re-run: the ready key it is served from
};

// MULTI ... EXEC (src/server/multi.cc).
struct MultiState {
  bool active = false;      // between MULTI and EXEC/DISCARD
  bool dirty_exec = false;  // a command was refused while queueing: EXEC aborts
  std::vector<std::vector<std::string>> queued;
};

// A key the client WATCHes (src/server/watched_keys.h).
struct WatchedKey {
  int db;
  std::string key;
  // It existed but had expired when watched: its deletion (by expiry) is not a change.
  bool expired;
};

struct Client {
  uint64_t id = 0;
  net::Connection* conn = nullptr;  // null once the connection closed
  resp::Parser parser;

  int db = 0;
  int proto = 2;
  bool authenticated = true;
  bool monitor = false;
  bool no_evict = false;  // CLIENT NO-EVICT (flag e)
  bool no_touch = false;  // CLIENT NO-TOUCH (Redis 7.2 shows flag T; the 7.0 oracle cannot)
  ReplyMode reply_mode = ReplyMode::kOn;
  // Once not kOpen, no further input of this client is run; it is in the server's close list.
  CloseMode close = CloseMode::kOpen;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string last_cmd = "NULL";

  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;

  // Durability hold (appendfsync always): replies queued while writes they may depend on are
  // not yet on stable storage; released when the store's durable sequence reaches hold_seq.
  bool held = false;
  uint64_t hold_seq = 0;
  // Queued in the server's list of clients to flush at the end of this loop iteration.
  bool pending_flush = false;
  // When the unsent output first went over the soft limit (0: it is under).
  int64_t obuf_soft_since_ms = 0;

  BlockState block;
  MultiState multi;
  bool in_exec = false;  // running the commands of its EXEC
  // Pub/sub subscriptions, in subscription order (src/server/pubsub.h).
  std::vector<std::string> channels, patterns, shard_channels;
  // What SUBSCRIBE/PSUBSCRIBE replies count; SSUBSCRIBE counts shard_channels alone.
  size_t subscriptions() const { return channels.size() + patterns.size(); }
  // RESP2 clients with a subscription may only run (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET.
  bool subscribed() const { return subscriptions() + shard_channels.size() > 0; }
  std::vector<WatchedKey> watched;
  bool dirty_cas = false;      // a watched key changed: EXEC fails with a null reply
  bool deny_blocking = false;  // inside EXEC (and scripts): blocking commands do not block
  // Unblocked during this loop iteration; its remaining input runs in BeforeSleep.
  bool unblocked_pending = false;
};

}  // namespace strata::server
