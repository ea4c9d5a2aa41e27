// Server: ties the event loop, the connections, the command table and the store together.
//
// Request path (one loop thread): bytes arrive -> Client's parser yields argv views into the
// connection's input buffer -> Dispatch() -> Execute() checks arity/auth/disk state and runs
// the command, which stages writes in the keyspace transaction and appends its reply to the
// connection's output; Execute commits the transaction as one write batch ->
// BeforeSleep(), once per loop iteration, hands all WAL bytes of the iteration to the OS in
// one write(2) and then writes the replies. With appendfsync always, replies wait until the
// WAL is durable, so no reply that depends on a write is ever sent before that write is on
// stable storage: one fsync is shared by every write of the iteration. As Redis does, the
// loop runs that fsync itself (DB::SyncIfIdle) and then writes the replies. Only if an fsync
// is already running does it hand the sync to the store's syncer thread (DB::SyncAsync) and
// hold the clients, paused, until the syncer reports (OnDurable); writes that arrive
// meanwhile share the next fsync.
//
// The Server's methods live in one file per concern: server.cc (lifecycle), clients.cc
// (connections, input, closing), execute.cc (running a command), durability.cc (replies and
// the WAL), cron.cc (periodic work), info.cc (INFO).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/connection.h"
#include "net/event_loop.h"
#include "server/blocked_keys.h"
#include "server/client.h"
#include "server/command.h"
#include "server/config.h"
#include "server/memory_budget.h"
#include "server/pubsub.h"
#include "server/watched_keys.h"
#include "store/db.h"
#include "types/keyspace.h"

namespace strata::server {

inline constexpr const char* kRedisVersion = "7.2.4";  // what clients are told we speak
inline constexpr const char* kStrataVersion = "0.1.0";

struct ServerStats {
  uint64_t connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t commands_processed = 0;
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t client_output_limit_disconnections = 0;
  uint64_t client_query_limit_disconnections = 0;
  // WAL syncs replies waited for (appendfsync always), whether the loop ran the fsync itself
  // or the syncer did (INFO wal_fsync_waits).
  uint64_t wal_syncs_waited = 0;
  uint64_t instantaneous_ops = 0;             // commands/s over the last sampled second
  uint64_t disk_error_recovery_attempts = 0;  // DB::Resume calls (RetryStoreResume)
  uint64_t disk_error_recoveries = 0;         // ... that succeeded
};

struct SlowlogEntry {
  uint64_t id;
  int64_t time_s;
  int64_t duration_us;
  std::vector<std::string> args;
  std::string peer;
  std::string name;
};

class Server : public net::ConnectionHandler, private types::KeyspaceObserver {
 public:
  // config is shared with the registry (CONFIG SET changes it in place); both outlive Server.
  Server(Config* config, ConfigRegistry* registry);
  ~Server() override;

  // Open(), then listens and installs the loop's timers and signal handlers. On failure the
  // message says what to do.
  Status Start();
  // Applies rename-command and opens the store and the keyspace: enough to Execute commands
  // with no socket (tests). The commands are registered into commands() before
  // (commands::RegisterAllCommands).
  Status Open();
  // Runs the loop until shutdown; returns the process exit code.
  int Run();

  // --- For commands ---
  Config& config() { return config_; }
  ConfigRegistry& config_registry() { return *registry_; }
  CommandTable& commands() { return commands_; }
  Keyspace& keyspace() { return *keyspace_; }
  store::DB* db() { return db_.get(); }
  ServerStats& stats() { return stats_; }
  // The sizes the store was opened with (maxmemory split, or the per-part options).
  const MemoryBudget& memory_budget() const { return budget_; }
  net::EventLoop& loop() { return loop_; }
  int64_t start_time_ms() const { return start_ms_; }
  int64_t last_save_s() const { return last_save_s_; }
  void set_last_save_s(int64_t t) { last_save_s_ = t; }
  uint64_t dirty() const { return dirty_; }
  void reset_dirty() { dirty_ = 0; }
  void add_dirty(uint64_t n) { dirty_ += n; }

  // Includes clients closed during this loop iteration (conn == nullptr): skip those.
  const std::unordered_map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }
  void AddMonitor(Client* c) { monitors_.push_back(c); }
  Client* FindClient(uint64_t id);
  // Marks a client to be closed (CLIENT KILL, QUIT, output limits): it runs no further
  // command, and its connection is closed by CloseMarkedClients at the end of the loop
  // iteration, after the running command has finished writing its reply. Never closes
  // anything itself, so it is safe from inside any command, on any client including the
  // caller. after_reply: queued replies are sent first (kNow wins over it).
  void KillClient(Client* c, bool after_reply);
  std::string ClientInfoLine(const Client& c) const;

  // SHUTDOWN / SIGTERM: stop accepting, sync the WAL, close the store, exit 0.
  void RequestShutdown();

  std::deque<SlowlogEntry>& slowlog() { return slowlog_; }
  uint64_t& slowlog_next_id() { return slowlog_next_id_; }
  void ResetStats();

  // Lets compactions drop the keys of databases flushed by changes that are now durable.
  void ReleaseDeadNamespaces();

  // Runs one command for client c and appends its reply to *out, in c's protocol. The one
  // way a command runs: connections (Dispatch), and next EXEC, scripts and replication, all
  // call it. Checks existence, arity, authentication and the disk state; keeps
  // commandstats, slowlog and MONITOR. commit: commit the keyspace transaction after the
  // command, so that its writes are one batch; if that fails the reply becomes the error.
  // With commit false (the commands of an EXEC or a script) the caller commits once. c's
  // connection may be null (a client with no socket). Never closes a connection.
  void Execute(Client* c, const std::vector<std::string_view>& argv, std::string* out,
               bool commit = true);

  // --- Blocking commands (blocking.cc) ---
  // Blocks the client running ctx on `keys` until one of them is written as a `wait_type`
  // value (then the command runs again), deadline_ms passes (0: never; then the reply is a
  // null array if null_array, else a null bulk), or it is unblocked. The command replies
  // nothing when this returns true. False when the client may not block (inside EXEC or a
  // script, or with no connection): the command then replies as on a timeout. Called from
  // a re-run of a blocked command, it keeps the client blocked as it was.
  bool BlockForKeys(CommandContext& ctx, const std::vector<std::string_view>& keys,
                    int64_t deadline_ms, bool null_array, ValueType wait_type);
  // CLIENT UNBLOCK: ends c's wait with the timeout reply, or with -UNBLOCKED if error. False
  // if c is not blocked.
  bool ClientUnblock(Client* c, bool error);
  size_t blocked_clients() const { return blocked_.clients(); }

  // --- Transactions (multi.cc) ---
  // EXEC: runs c's queued commands as one write batch, or fails as Redis does.
  void ExecTransaction(CommandContext& ctx);
  // Leaves MULTI (queued commands dropped) and unwatches every key.
  void DiscardTransaction(Client* c);
  // WATCH key in c's current database; UNWATCH.
  void Watch(Client* c, std::string_view key);
  void UnwatchAll(Client* c);
  // As if every database were emptied (Redis's DEBUG RELOAD): watchers of existing keys are
  // marked dirty.
  void TouchWatchedKeysOfAllDbs();

  // --- Pub/sub (publish.cc) ---
  PubSub& pubsub() { return pubsub_; }
  // Delivers message to the subscribers of channel (kChannel: and of matching patterns;
  // kShard: shard subscribers). Returns how many received it.
  size_t Publish(PubSub::Kind kind, std::string_view channel, std::string_view message);

  // Applies a config change that takes effect at run time (CONFIG SET).
  void OnConfigChanged(const std::string& name);

  // --- ConnectionHandler ---
  void OnOpen(net::Connection* c) override;
  void OnRead(net::Connection* c) override;
  void OnDrained(net::Connection* c) override;
  void OnClose(net::Connection* c) override;

 private:
  void ProcessInput(Client* c);
  // Pipelined input: before running the complete requests in c's buffer, hands the store the
  // keys they name (by the command table's key spec), so that the store's cache misses for a
  // batch of GETs or SETs overlap instead of costing one memory round trip per command (as
  // Valkey 8 prefetches its dict entries). Parses ahead with a scratch parser; stops at the
  // first incomplete or malformed request, which the real parse then handles.
  void PrefetchInput(Client* c);
  static constexpr size_t kPrefetchMinInput = 256;  // less is at most a request or two
  static constexpr int kPrefetchMaxCommands = 64;
  // Room for 16 pipelined MSETs of 10 keys (redis-benchmark -P 16): with less, the later
  // commands of such a batch pay one memory round trip per key.
  static constexpr size_t kPrefetchMaxKeys = 256;
  void Dispatch(Client* c, const std::vector<std::string_view>& argv);
  void FeedMonitors(const Client& c, const std::vector<std::string_view>& argv);
  void AddSlowlogEntry(const Client& c, const std::vector<std::string_view>& argv, int64_t now_ms,
                       int64_t us);
  // The -MISCONF text for writes refused after a disk error (no leading '-').
  std::string MisconfError() const;
  void ScheduleFlush(Client* c);
  // True (and the client is marked kNow) when c's unsent replies exceed the hard
  // client-output-buffer-limit. Checked after every command and every reply appended to
  // another client (MONITOR), so one read of pipelined requests cannot queue more than a
  // reply past the limit, whether or not the loop reaches BeforeSleep in between.
  bool EnforceOutputLimit(Client* c);
  // Closes the connections of the clients KillClient marked. Runs in BeforeSleep, where no
  // command is running.
  void CloseMarkedClients();
  void BeforeSleep();
  // appendfsync always: moves every client of pending_flush_ to held_, paused, until every
  // write up to seq is durable (BeforeSleep, when the loop does not sync itself).
  void HoldPendingReplies(uint64_t seq);
  // Has the syncer make every write up to seq durable and then call OnDurable on the loop,
  // unless a sync covering seq was asked for already.
  void RequestSync(uint64_t seq);
  // A requested sync finished: releases the held clients it covers, or, on failure, logs and
  // closes every held client unsent (ReleaseHeld).
  void OnDurable(Status s);
  // failed: closes every held client without sending its replies. Else writes the replies of
  // the held clients whose hold_seq is durable and resumes them.
  void ReleaseHeld(bool failed);
  void Cron();
  // Transactions (multi.cc).
  // EXEC, DISCARD, MULTI, WATCH, QUIT, RESET: run at once inside MULTI, never queued.
  static bool IsTransactionControl(const Command& cmd);
  void QueueCommand(Client* c, const std::vector<std::string_view>& argv);
  void AbortExec(Client* c, resp::Writer& w, std::string_view error);
  // Whether key exists in database db (even past its TTL); *expired: it is past its TTL.
  bool KeyLookup(int db, std::string_view key, bool* expired);
  // types::KeyspaceObserver: feeds blocked clients and WATCH.
  void OnKeyWritten(int db, std::string_view key, const StoredValue* v) override;
  void OnDbReplaced(int db, int replaced_with) override;
  // Redis's touchAllWatchedKeysInDb.
  void TouchWatchedDb(int db, int replaced_with);
  // Blocking commands (blocking.cc).
  void Unblock(Client* c);  // out of every queue; its pending input runs in BeforeSleep
  void UnblockWithTimeout(Client* c);
  void UnblockWithError(Client* c, std::string_view error);
  // Runs c's blocked command again; false if it is still waiting.
  bool RunBlocked(Client* c);
  // Serves the waiters of every ready key, including keys made ready meanwhile.
  void ServeReadyKeys();
  void HandleBlockTimeouts(int64_t now_ms);
  // Runs the pending input of the clients unblocked in this iteration.
  void ResumeUnblocked();
  // While the store refuses writes after a disk error (DB::BackgroundError), tries DB::Resume
  // once a second on resume_thread_, never on the loop and at most one attempt at a time, and
  // logs the outcome of finished attempts. Writes are accepted again from the moment an
  // attempt succeeds (Dispatch asks the store). Called from Cron.
  void RetryStoreResume(int64_t now_ms);
  // Waits for a running attempt (shutdown).
  void JoinStoreResume();
  // appendfsync always: whether this iteration's replies must wait for the WAL sync of every
  // write up to `last` (BeforeSleep).
  bool RepliesWaitForSync(uint64_t last);
  // Logs a failed WAL write once per error (BeforeSleep meets it at every loop iteration
  // while the store refuses writes), again after a recovery.
  void ReportWalError(const Status& s);
  // What a store error says went wrong, without the file it names: every retry of a failed
  // flush writes a new table, so two errors that differ only in the table are one error to
  // the operator.
  static std::string ErrorKind(const Status& s);
  // Closes clients whose unsent replies stayed over the soft limit for too long.
  void CheckOutputSoftLimits(int64_t now_ms);
  void ApplyParserLimits(Client* c);
  void Shutdown();

  Config& config_;
  ConfigRegistry* registry_;
  net::EventLoop loop_;
  std::unique_ptr<net::Listener> listener_;
  std::unique_ptr<store::DB> db_;
  std::shared_ptr<types::KeyspaceFilter> ns_filter_;
  std::unique_ptr<Keyspace> keyspace_;
  CommandTable commands_;
  ServerStats stats_;
  MemoryBudget budget_;

  std::unordered_map<uint64_t, std::unique_ptr<Client>> clients_;
  std::vector<Client*> pending_flush_;  // clients with replies to write this iteration
  std::vector<Client*> held_;           // clients waiting for a WAL fsync
  std::vector<Client*> monitors_;
  std::vector<Client*> to_close_;       // marked by KillClient; closed in BeforeSleep
  std::vector<uint64_t> dead_clients_;  // closed; erased from clients_ in BeforeSleep
  BlockedKeys blocked_;
  WatchedKeys watched_;
  PubSub pubsub_;
  std::vector<uint64_t> unblocked_;  // ids; ResumeUnblocked runs their input
  resp::Parser prefetch_parser_;     // PrefetchInput's look-ahead
  std::vector<std::string_view> prefetch_keys_;
  uint64_t sync_requested_seq_ = 0;  // the highest sequence a WAL sync was asked for

  std::deque<SlowlogEntry> slowlog_;
  uint64_t slowlog_next_id_ = 0;
  std::string scratch_;  // discarded replies (CLIENT REPLY OFF/SKIP)

  int64_t start_ms_ = 0;
  int64_t ops_sample_ms_ = 0;
  int64_t last_fsync_ms_ = 0;
  uint64_t ops_sample_count_ = 0;
  int64_t last_save_s_ = 0;
  uint64_t dirty_ = 0;
  bool shutting_down_ = false;
  int exit_code_ = 0;

  // RetryStoreResume. resume_result_ is written by resume_thread_ before it sets
  // resume_done_; the rest belongs to the loop thread.
  std::thread resume_thread_;
  std::atomic<bool> resume_done_{false};
  Status resume_result_;
  bool resume_running_ = false;
  int64_t last_resume_ms_ = 0;
  std::string last_resume_error_;  // ErrorKind of the failure logged last; empty after a success
  std::string last_wal_error_;     // ReportWalError: ErrorKind of the error logged last
};

}  // namespace strata::server
