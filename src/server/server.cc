#include "server/server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace strata::server {
namespace {

const char kProtectedModeError[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Set up an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from "
    "the outside.\r\n";

void RemoveFrom(std::vector<Client*>* v, Client* c) {
  v->erase(std::remove(v->begin(), v->end(), c), v->end());
}

// Redis's sdscatrepr: a quoted, escaped rendering of binary-safe bytes (MONITOR, SLOWLOG).
std::string Repr(std::string_view s) {
  std::string r = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '\\':
        r += "\\\\";
        break;
      case '"':
        r += "\\\"";
        break;
      case '\n':
        r += "\\n";
        break;
      case '\r':
        r += "\\r";
        break;
      case '\t':
        r += "\\t";
        break;
      case '\a':
        r += "\\a";
        break;
      case '\b':
        r += "\\b";
        break;
      default:
        if (std::isprint(ch)) {
          r += static_cast<char>(ch);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", ch);
          r += buf;
        }
    }
  }
  return r + "\"";
}

// What a store error says went wrong, without the file it names: every retry of a failed
// flush writes a new table, so "IO error: /d/000012.sst: No space left on device" and the
// same with 000013.sst are one error to the operator ("IO error: No space left on device").
std::string ErrorKind(const Status& s) {
  const std::string t = s.ToString();
  const size_t first = t.find(": ");
  const size_t last = t.rfind(": ");
  if (first == std::string::npos || first == last) return t;
  return t.substr(0, first) + t.substr(last);
}

}  // namespace

Server::Server(Config* config, ConfigRegistry* registry) : config_(*config), registry_(registry) {
  RegisterConnectionCommands(&commands_);
  RegisterStringCommands(&commands_);
  RegisterKeyspaceCommands(&commands_);
  RegisterServerCommands(&commands_);
  for (const auto& [from, to] : config_.renamed_commands) {
    if (!commands_.Rename(from, to)) {
      spdlog::warn("rename-command: no such command '{}'", from);
    }
  }
}

Server::~Server() {
  JoinStoreResume();
  // Connections reference this server as their handler: close them before members go away.
  std::vector<net::Connection*> conns;
  for (auto& [id, c] : clients_) {
    if (c->conn) conns.push_back(c->conn);
  }
  for (auto* conn : conns) conn->Close();
  listener_.reset();
}

Status Server::Start() {
  start_ms_ = net::EventLoop::NowMs();
  last_save_s_ = start_ms_ / 1000;
  if (::mkdir(config_.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("can't create data directory '" + config_.dir + "'",
                           std::strerror(errno));
  }
  // Like Redis (which chdir()s there), report the directory as an absolute path.
  if (char* abs = ::realpath(config_.dir.c_str(), nullptr)) {
    config_.dir = abs;
    std::free(abs);
  }

  store::Options o;
  // The server applies the appendfsync policy itself (BeforeSleep for always, Cron for
  // everysec), so CONFIG SET appendfsync takes effect at once; the store only syncs on request.
  o.sync_mode = store::SyncMode::kNo;
  o.skip_corrupt_wal_records = config_.skip_corrupt_wal;
  o.memtable_size = static_cast<size_t>(config_.memtable_size);
  o.block_cache_size = static_cast<size_t>(config_.block_cache_size);
  o.row_cache_size = static_cast<size_t>(config_.row_cache_size);
  o.row_cache_prefix = std::string(Keyspace::kDataKeyPrefix);
  // The loop buffers its writes and flushes the WAL once per iteration (BeforeSleep, before
  // any reply): one write(2) there costs less than the mapped WAL's page faults (see
  // store::Options::mmap_wal).
  o.mmap_wal = false;
  o.mmap_reads = config_.mmap_reads;
  o.bloom_bits_per_key = config_.bloom_bits_per_key;
  o.block_size = static_cast<size_t>(config_.block_size);
  o.compression = config_.compression == "lz4"    ? store::Compression::kLZ4
                  : config_.compression == "zstd" ? store::Compression::kZstd
                                                  : store::Compression::kNone;
  o.compaction_threads = config_.compaction_threads;
  o.level0_compaction_trigger = config_.level0_compaction_trigger;
  o.level0_slowdown_trigger = config_.level0_slowdown_trigger;
  o.level0_stop_trigger = config_.level0_stop_trigger;
  o.max_open_files = config_.max_open_files;
  o.info_log = [](store::LogLevel level, std::string_view msg) {
    switch (level) {
      case store::LogLevel::kDebug:
        spdlog::debug("store: {}", msg);
        break;
      case store::LogLevel::kInfo:
        spdlog::info("store: {}", msg);
        break;
      case store::LogLevel::kWarn:
        spdlog::warn("store: {}", msg);
        break;
      case store::LogLevel::kError:
        spdlog::error("store: {}", msg);
        break;
    }
  };

  ns_filter_ = std::make_shared<types::KeyspaceFilter>();
  o.compaction_filter = ns_filter_;

  auto t0 = std::chrono::steady_clock::now();
  Status s = store::DB::Open(o, config_.dir, &db_);
  if (!s.ok()) return s;
  ns_filter_->AttachDb(db_.get());
  keyspace_ = std::make_unique<Keyspace>(db_.get(), config_.databases, ns_filter_.get());
  s = keyspace_->Load();
  if (!s.ok()) return s;
  if (std::string skipped;
      db_->GetProperty("strata.wal-damage-skipped", &skipped) && skipped != "0") {
    spdlog::warn(
        "Recovery skipped {} damaged part(s) of the WAL (skip-corrupt-wal yes): the writes in "
        "them are lost. Recounting keys so that DBSIZE agrees with what survived.",
        skipped);
    s = keyspace_->Recount();
    if (!s.ok()) return s;
  }
  s = db_->FlushWAL();
  if (!s.ok()) return s;
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  spdlog::info("DB loaded from disk: {:.3f} seconds", ms / 1000.0);

  listener_ = std::make_unique<net::Listener>(loop_.uv(), this);
  for (const auto& addr : config_.bind) {
    std::string err;
    if (!listener_->Listen(addr, config_.port, config_.tcp_backlog, &err)) {
      return Status::IOError(err);
    }
  }
  loop_.SetBeforeSleep([this] { BeforeSleep(); });
  loop_.AddTimer(std::max(1, 1000 / config_.hz), [this] { Cron(); });
  loop_.OnSignal(SIGTERM, [this] {
    spdlog::warn("Received SIGTERM scheduling shutdown...");
    RequestShutdown();
  });
  loop_.OnSignal(SIGINT, [this] {
    spdlog::warn("Received SIGINT scheduling shutdown...");
    RequestShutdown();
  });
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::info("Ready to accept connections tcp on port {}", config_.port);
  return Status::OK();
}

int Server::Run() {
  loop_.Run();
  return exit_code_;
}

Client* Server::FindClient(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() || it->second->conn == nullptr ? nullptr : it->second.get();
}

void Server::ApplyParserLimits(Client* c) {
  resp::ParserLimits l;
  l.max_bulk_len = config_.proto_max_bulk_len;
  c->parser.set_limits(l);
  c->parser.set_authenticated(c->authenticated);
}

// --- Connections ---

void Server::OnOpen(net::Connection* conn) {
  stats_.connections_received++;
  if (shutting_down_) {
    conn->Close();
    return;
  }
  if (clients_.size() - dead_clients_.size() >= static_cast<size_t>(config_.maxclients)) {
    stats_.rejected_connections++;
    conn->output()->append("-ERR max number of clients reached\r\n");
    conn->CloseAfterWrite();
    conn->Flush();
    return;
  }
  if (config_.protected_mode && config_.requirepass.empty() && !conn->peer_is_loopback()) {
    stats_.rejected_connections++;
    conn->output()->append(kProtectedModeError);
    conn->CloseAfterWrite();
    conn->Flush();
    return;
  }
  auto client = std::make_unique<Client>();
  client->id = conn->id();
  client->conn = conn;
  client->authenticated = config_.requirepass.empty();
  client->created_ms = client->last_interaction_ms = net::EventLoop::NowMs();
  ApplyParserLimits(client.get());
  conn->set_context(client.get());
  clients_[client->id] = std::move(client);
}

void Server::OnClose(net::Connection* conn) {
  auto* c = static_cast<Client*>(conn->context());
  if (c == nullptr) return;
  conn->set_context(nullptr);
  RemoveFrom(&pending_flush_, c);
  RemoveFrom(&held_, c);
  RemoveFrom(&monitors_, c);
  RemoveFrom(&to_close_, c);
  // Freed at the next BeforeSleep, never under a running command that may still use it.
  c->conn = nullptr;
  dead_clients_.push_back(c->id);
}

void Server::OnRead(net::Connection* conn) {
  auto* c = static_cast<Client*>(conn->context());
  if (c == nullptr) return;
  c->last_interaction_ms = net::EventLoop::NowMs();
  ProcessInput(c);
}

void Server::OnDrained(net::Connection* conn) {
  auto* c = static_cast<Client*>(conn->context());
  if (c == nullptr || c->held || c->close != CloseMode::kOpen) return;
  if (!conn->reading() && !conn->closing()) {
    conn->ResumeReading();
    ProcessInput(c);
  }
}

void Server::ProcessInput(Client* c) {
  net::Connection* conn = c->conn;
  // As Redis checks after every read: unprocessed input beyond the limit closes the client,
  // with no reply, whether or not it already holds a complete request.
  if (conn->input().size() > static_cast<size_t>(config_.client_query_buffer_limit)) {
    spdlog::warn("Closing client that reached max query buffer length: id={} addr={}", c->id,
                 conn->peer());
    stats_.client_query_limit_disconnections++;
    conn->Close();
    return;
  }
  if (conn->input().size() >= kPrefetchMinInput && c->authenticated) PrefetchInput(c);
  while (!conn->close_pending() && !c->held && c->close == CloseMode::kOpen) {
    std::string_view in = conn->input();
    if (in.empty()) break;
    resp::Parser::Result r = c->parser.Parse(in);
    if (r == resp::Parser::Result::kIncomplete) {
      size_t need = c->parser.bytes_needed();
      // Reserve the whole announced request once most of it has arrived (saves the last
      // doubling); never earlier, so an announcement alone allocates nothing.
      if (need > in.size() && need <= 2 * in.size() &&
          need <= static_cast<size_t>(config_.client_query_buffer_limit)) {
        conn->ReserveInput(need);
      }
      break;
    }
    if (r == resp::Parser::Result::kError) {
      if (c->parser.close_silently()) {
        // A cross-protocol attack (an HTTP request): Redis logs it and closes, no reply.
        spdlog::warn(
            "Possible SECURITY ATTACK detected. It looks like somebody is sending POST "
            "or Host: commands to Redis. Connection from {} aborted.",
            conn->peer());
        conn->Close();
        return;
      }
      stats_.total_error_replies++;
      conn->output()->append("-").append(c->parser.error()).append("\r\n");
      spdlog::debug("Protocol error ({}) from client: id={} addr={}", c->parser.error(), c->id,
                    conn->peer());
      conn->CloseAfterWrite();
      ScheduleFlush(c);
      return;
    }
    if (r == resp::Parser::Result::kOk) {
      stats_.net_input_bytes += c->parser.consumed();
      Dispatch(c, c->parser.args());
      EnforceOutputLimit(c);
    }
    conn->Consume(c->parser.consumed());
  }
  if (conn->closing()) return;
  ScheduleFlush(c);
}

void Server::PrefetchInput(Client* c) {
  std::string_view in = c->conn->input();
  prefetch_parser_.Reset();
  prefetch_keys_.clear();
  for (int n = 0; n < kPrefetchMaxCommands && !in.empty(); n++) {
    if (prefetch_parser_.Parse(in) != resp::Parser::Result::kOk) break;  // the real parse reports
    const std::vector<std::string_view>& argv = prefetch_parser_.args();
    in.remove_prefix(prefetch_parser_.consumed());
    const Command* cmd = argv.empty() ? nullptr : commands_.Find(argv[0]);
    if (cmd == nullptr) continue;
    cmd->ForEachKeyIndex(argv.size(), [&](size_t i) {
      if (prefetch_keys_.size() < kPrefetchMaxKeys) prefetch_keys_.push_back(argv[i]);
    });
  }
  if (prefetch_keys_.size() >= 2) keyspace_->Prefetch(c->db, prefetch_keys_);
}

void Server::ScheduleFlush(Client* c) {
  if (c->pending_flush || c->held || c->conn == nullptr) return;
  c->pending_flush = true;
  pending_flush_.push_back(c);
}

// --- Dispatch ---

void Server::Dispatch(Client* c, const std::vector<std::string_view>& argv) {
  std::string* out = c->conn->output();
  const bool suppress = c->reply_mode == ReplyMode::kOff || c->reply_mode == ReplyMode::kSkipThis;
  if (suppress) {
    scratch_.clear();
    out = &scratch_;
  }
  const size_t before = out->size();
  Execute(c, argv, out);
  if (c->reply_mode == ReplyMode::kSkipThis) {
    c->reply_mode = ReplyMode::kOn;
  } else if (c->reply_mode == ReplyMode::kSkipNext) {
    c->reply_mode = ReplyMode::kSkipThis;
  }
  if (!suppress) stats_.net_output_bytes += out->size() - before;
}

void Server::Execute(Client* c, const std::vector<std::string_view>& argv, std::string* out,
                     bool commit) {
  stats_.commands_processed++;
  resp::Writer w(out, c->proto);
  const size_t before = out->size();

  Command* cmd = commands_.Find(argv[0]);
  if (cmd == nullptr) {
    std::string args;
    for (size_t i = 1; i < argv.size() && args.size() < 128; i++) {
      size_t room = 128 - args.size();
      args += "'";
      args.append(argv[i].substr(0, room));
      args += "' ";
    }
    std::string name(argv[0].substr(0, 128));
    w.Error("ERR unknown command '" + name + "', with args beginning with: " + args);
    stats_.total_error_replies++;
    return;
  }
  if ((cmd->arity > 0 && argv.size() != static_cast<size_t>(cmd->arity)) ||
      (cmd->arity < 0 && argv.size() < static_cast<size_t>(-cmd->arity))) {
    w.Error("ERR wrong number of arguments for '" + cmd->name + "' command");
    cmd->rejected_calls++;
    stats_.total_error_replies++;
    return;
  }
  if (!c->authenticated && !(cmd->flags & kCmdNoAuth)) {
    w.Error("NOAUTH Authentication required.");
    cmd->rejected_calls++;
    stats_.total_error_replies++;
    return;
  }
  if ((cmd->flags & kCmdWrite) && !db_->BackgroundError().ok()) {
    w.Error(MisconfError());
    cmd->rejected_calls++;
    stats_.total_error_replies++;
    return;
  }
  c->last_cmd = cmd->name;
  if (!cmd->subcommands.empty() && argv.size() >= 2) {
    // As Redis 7, CLIENT LIST shows a container command with its subcommand: "config|get".
    std::string full = cmd->name + "|" + ToLower(argv[1]);
    if (std::find(cmd->subcommands.begin(), cmd->subcommands.end(), full) !=
        cmd->subcommands.end()) {
      c->last_cmd = std::move(full);
    }
  }
  const int64_t now = net::EventLoop::NowMs();
  const auto t0 = std::chrono::steady_clock::now();
  CommandContext ctx{*this, *c, argv, w, *keyspace_, now};
  cmd->fn(ctx);
  if (commit && keyspace_->HasStaged()) {
    Status s = keyspace_->Commit();
    if (!s.ok()) {
      // Nothing of the command was applied: its reply must not say otherwise.
      spdlog::error("Store error committing '{}': {}", cmd->name, s.ToString());
      out->resize(before);
      w.Error(StoreErrorReply(s));
    }
  }
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  cmd->calls++;
  cmd->usec += static_cast<uint64_t>(us);
  // After execution, as Redis does: SELECT shows the database it switched to.
  if (!monitors_.empty() && !(cmd->flags & kCmdAdmin)) FeedMonitors(*c, argv);
  if (out->size() > before && (*out)[before] == '-') {
    cmd->failed_calls++;
    stats_.total_error_replies++;
  }
  if (config_.slowlog_log_slower_than >= 0 && us >= config_.slowlog_log_slower_than &&
      config_.slowlog_max_len > 0) {
    AddSlowlogEntry(*c, argv, now, us);
  }
}

void Server::AddSlowlogEntry(const Client& c, const std::vector<std::string_view>& argv,
                             int64_t now_ms, int64_t us) {
  SlowlogEntry e{slowlog_next_id_++, now_ms / 1000, us, {}, c.conn ? c.conn->peer() : "", c.name};
  const size_t n = std::min<size_t>(argv.size(), 32);
  for (size_t i = 0; i < n; i++) {
    if (i == 31 && argv.size() > 32) {
      e.args.push_back("... (" + std::to_string(argv.size() - 31) + " more arguments)");
    } else if (argv[i].size() > 128) {
      e.args.push_back(std::string(argv[i].substr(0, 128)) + "... (" +
                       std::to_string(argv[i].size() - 128) + " more bytes)");
    } else {
      e.args.emplace_back(argv[i]);
    }
  }
  slowlog_.push_front(std::move(e));
  while (slowlog_.size() > static_cast<size_t>(config_.slowlog_max_len)) slowlog_.pop_back();
}

std::string Server::MisconfError() const {
  return "MISCONF Errors writing to the write-ahead log: " + db_->BackgroundError().ToString() +
         ". Commands that may modify the data set are disabled until the disk problem is fixed "
         "(the server retries every second). Please check the server log for details.";
}

void Server::FeedMonitors(const Client& c, const std::vector<std::string_view>& argv) {
  int64_t us = net::EventLoop::NowUs();
  char head[96];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000), c.db, c.conn ? c.conn->peer().c_str() : "?");
  std::string line = head;
  for (auto a : argv) line += " " + Repr(a);
  line += "\r\n";
  for (Client* m : monitors_) {
    if (m->conn == nullptr || m == &c) continue;
    m->conn->output()->append(line);
    if (!EnforceOutputLimit(m)) ScheduleFlush(m);
  }
}

void Server::KillClient(Client* c, bool after_reply) {
  if (c->conn == nullptr || c->close == CloseMode::kNow) return;
  if (c->close == CloseMode::kOpen) to_close_.push_back(c);
  c->close = after_reply ? CloseMode::kAfterReply : CloseMode::kNow;
}

bool Server::EnforceOutputLimit(Client* c) {
  const int64_t limit = config_.client_output_buffer_limit;
  if (c->conn == nullptr || c->close == CloseMode::kNow || limit <= 0 ||
      c->conn->pending_output() <= static_cast<size_t>(limit)) {
    return false;
  }
  spdlog::warn("Client id={} addr={} closed for overcoming of output buffer limits.", c->id,
               c->conn->peer());
  stats_.client_output_limit_disconnections++;
  KillClient(c, false);
  return true;
}

void Server::CloseMarkedClients() {
  // Closing calls OnClose, which edits to_close_: work on a copy.
  std::vector<Client*> marked;
  marked.swap(to_close_);
  for (Client* c : marked) {
    if (c->conn == nullptr) continue;
    if (c->close == CloseMode::kNow) {
      c->conn->Close();
    } else {
      ScheduleFlush(c);  // before CloseAfterWrite, which may close at once (OnClose unlists)
      c->conn->CloseAfterWrite();
    }
  }
}

// --- Replies and durability ---

// Invariant (appendfsync always): a client's pending replies are written only once every
// write applied so far (LastSequence at the time) is durable, so no reply acknowledging a
// write, or showing its effect, reaches a client before the write is on stable storage. A
// client whose replies wait is `held` (in held_, reading paused) with hold_seq = the sequence
// it waits for. While held_ is non-empty a SyncAsync for sync_requested_seq_ >= every
// hold_seq is in flight, whose callback (OnDurable, on the loop) releases the clients it
// covers. A failed sync closes the clients whose replies waited for it, unsent.
void Server::BeforeSleep() {
  CloseMarkedClients();
  for (uint64_t id : dead_clients_) clients_.erase(id);
  dead_clients_.clear();
  if (db_ == nullptr) return;
  Status s = db_->FlushWAL();
  if (!s.ok()) ReportWalError(s);
  if (pending_flush_.empty()) return;

  uint64_t last = db_->LastSequence();
  if (config_.appendfsync == "always" && RepliesWaitForSync(last)) {
    // As Redis fsyncs its AOF in beforeSleep: the loop runs the fsync itself and then writes
    // the replies, with no hand-off to the syncer thread and back. Only when no sync is in
    // flight for held clients (the syncer is then fsyncing, or about to, and the new replies
    // join that group commit) and no other fsync is running (SyncIfIdle says Busy): the loop
    // never waits behind another thread's fsync, and meanwhile keeps serving other clients.
    Status st = held_.empty() ? db_->SyncIfIdle(last) : Status::Busy("a WAL sync is in flight");
    if (!st.IsBusy()) {
      stats_.wal_syncs_waited++;
      sync_requested_seq_ = std::max(sync_requested_seq_, last);
    }
    if (!st.ok()) {
      HoldPendingReplies(last);
      if (st.IsBusy()) {
        RequestSync(last);
      } else {
        OnDurable(st);  // as when SyncAsync's callback reports the error: closes them
      }
      return;
    }
  }
  std::vector<Client*> batch;
  batch.swap(pending_flush_);
  for (Client* c : batch) {
    c->pending_flush = false;
    if (c->conn == nullptr) continue;
    c->conn->Flush();
    if (c->conn && EnforceOutputLimit(c)) {
      c->conn->Close();  // no command is running here
    } else if (c->conn && c->conn->pending_output() > (1u << 20)) {
      c->conn->PauseReading();  // backpressure: resume in OnDrained
    }
  }
  batch.clear();
  if (pending_flush_.empty()) pending_flush_.swap(batch);
}

void Server::HoldPendingReplies(uint64_t seq) {
  for (Client* c : pending_flush_) {
    c->pending_flush = false;
    c->held = true;
    c->hold_seq = seq;
    if (c->conn) c->conn->PauseReading();
    held_.push_back(c);
  }
  pending_flush_.clear();
}

void Server::RequestSync(uint64_t seq) {
  // A sync for sync_requested_seq_ >= seq in flight covers these clients too.
  if (seq <= sync_requested_seq_) return;
  sync_requested_seq_ = seq;
  stats_.wal_syncs_waited++;
  db_->SyncAsync(seq, [this](Status st) { loop_.Post([this, st] { OnDurable(st); }); });
}

void Server::OnDurable(Status s) {
  if (!s.ok()) {
    spdlog::error("Syncing the WAL failed: {}. Writes are refused until the store recovers.",
                  s.ToString());
    ReleaseHeld(true);
    return;
  }
  ReleaseHeld(false);
}

void Server::ReleaseHeld(bool failed) {
  // Taken out of held_ first: closing a connection (here, or in ProcessInput) calls OnClose,
  // which removes the client from held_.
  std::vector<Client*> held;
  held.swap(held_);
  if (failed) {
    // The replies may acknowledge writes that are not durable: never send them.
    for (Client* c : held) {
      if (c->conn) c->conn->Close();
    }
    return;
  }
  uint64_t durable = db_->DurableSequence();
  std::vector<Client*> ready;
  for (Client* c : held) {
    if (c->hold_seq <= durable) {
      ready.push_back(c);
    } else {
      held_.push_back(c);
    }
  }
  for (Client* c : ready) {
    c->held = false;
    if (c->conn == nullptr) continue;
    c->conn->Flush();
    if (c->conn && !c->conn->closing() && c->close == CloseMode::kOpen) {
      c->conn->ResumeReading();
      ProcessInput(c);
    }
  }
}

// --- Periodic work ---

void Server::Cron() {
  int64_t now = net::EventLoop::NowMs();
  RetryStoreResume(now);
  if (config_.appendfsync == "everysec" && now - last_fsync_ms_ >= 1000) {
    last_fsync_ms_ = now;
    uint64_t last = db_->LastSequence();
    // After a disk error nothing can be synced until the store recovers (RetryStoreResume),
    // which makes everything durable: asking every second would only fail every second.
    if (db_->DurableSequence() < last && db_->BackgroundError().ok()) {
      db_->SyncAsync(last, [this](Status s) {
        if (!s.ok()) loop_.Post([this, s] { OnDurable(s); });
      });
    }
  }
  CheckOutputSoftLimits(now);
  ReleaseDeadNamespaces();
  if (now - ops_sample_ms_ >= 1000) {
    uint64_t ops = stats_.commands_processed - ops_sample_count_;
    stats_.instantaneous_ops =
        ops_sample_ms_ == 0 ? 0 : ops * 1000 / static_cast<uint64_t>(now - ops_sample_ms_);
    ops_sample_ms_ = now;
    ops_sample_count_ = stats_.commands_processed;
  }
  // Active expiry: delete keys whose TTL passed, a bounded amount per tick (Redis's
  // activeExpireCycle), so DBSIZE and INFO keyspace converge without reads touching them.
  auto start = std::chrono::steady_clock::now();
  bool more = true;
  while (more && std::chrono::steady_clock::now() - start < std::chrono::milliseconds(25)) {
    Status s;
    int n = keyspace_->ActiveExpireCycle(now, 200, &more, &s);
    stats_.expired_keys += static_cast<uint64_t>(n);
    if (!s.ok()) {
      spdlog::warn("Active expiry failed: {}", s.ToString());
      break;
    }
  }
  if (config_.timeout > 0) {
    std::vector<Client*> idle;
    for (auto& [id, c] : clients_) {
      if (!c->monitor && !c->held && now - c->last_interaction_ms > config_.timeout * 1000LL) {
        idle.push_back(c.get());
      }
    }
    for (Client* c : idle) {
      spdlog::debug("Closing idle client id={}", c->id);
      if (c->conn) c->conn->Close();
    }
  }
}

void Server::RetryStoreResume(int64_t now) {
  if (resume_running_) {
    if (!resume_done_.load(std::memory_order_acquire)) return;
    JoinStoreResume();
    if (resume_result_.ok()) {
      stats_.disk_error_recoveries++;
      last_resume_error_.clear();
      last_wal_error_.clear();
      spdlog::info(
          "Disk error cleared: the store flushed its memtables to new tables and started a new "
          "WAL. Writes are accepted again.");
    } else if (std::string kind = ErrorKind(resume_result_); kind != last_resume_error_) {
      spdlog::warn(
          "Recovering from the disk error failed: {}. Writes stay disabled; retrying "
          "every second.",
          resume_result_.ToString());
      last_resume_error_ = std::move(kind);
    }
  }
  if (now - last_resume_ms_ < 1000 || db_->BackgroundError().ok()) return;
  last_resume_ms_ = now;
  stats_.disk_error_recovery_attempts++;
  resume_running_ = true;
  resume_thread_ = std::thread([this] {
    resume_result_ = db_->Resume();
    resume_done_.store(true, std::memory_order_release);
  });
}

bool Server::RepliesWaitForSync(uint64_t last) {
  if (db_->DurableSequence() >= last) return false;
  // The sync for every write so far was asked for and the store has failed: no reply of this
  // iteration acknowledges a write (writes got -MISCONF), and until the store recovers
  // nothing becomes durable, so waiting would only hang reads, PING and the -MISCONF replies.
  return last > sync_requested_seq_ || db_->BackgroundError().ok();
}

void Server::ReportWalError(const Status& s) {
  std::string kind = ErrorKind(s);
  if (kind == last_wal_error_) return;
  spdlog::error("Writing the WAL failed: {}", s.ToString());
  last_wal_error_ = std::move(kind);
}

void Server::JoinStoreResume() {
  if (resume_thread_.joinable()) resume_thread_.join();
  resume_running_ = false;
  resume_done_.store(false, std::memory_order_relaxed);
}

void Server::CheckOutputSoftLimits(int64_t now) {
  int64_t soft = config_.client_output_buffer_soft_limit;
  if (soft <= 0) return;
  std::vector<Client*> over;
  for (auto& [id, c] : clients_) {
    if (c->conn == nullptr) continue;
    if (c->conn->pending_output() <= static_cast<size_t>(soft)) {
      c->obuf_soft_since_ms = 0;
    } else if (c->obuf_soft_since_ms == 0) {
      c->obuf_soft_since_ms = now;
    } else if (now - c->obuf_soft_since_ms >= config_.client_output_buffer_soft_seconds * 1000) {
      over.push_back(c.get());
    }
  }
  for (Client* c : over) {
    spdlog::warn("Client id={} addr={} closed for overcoming of output buffer limits.", c->id,
                 c->conn->peer());
    stats_.client_output_limit_disconnections++;
    c->conn->Close();
  }
}

std::string Server::ClientInfoLine(const Client& c) const {
  int64_t now = net::EventLoop::NowMs();
  std::string flags;
  if (c.monitor) flags += "O";
  if (flags.empty()) flags = "N";
  const net::Connection* conn = c.conn;
  std::string line;
  line += "id=" + std::to_string(c.id);
  line += " addr=" + (conn ? conn->peer() : std::string("?"));
  line += " laddr=" + (conn ? conn->local() : std::string("?"));
  line += " fd=" + std::to_string(conn ? conn->fd() : -1);
  line += " name=" + c.name;
  line += " age=" + std::to_string((now - c.created_ms) / 1000);
  line += " idle=" + std::to_string((now - c.last_interaction_ms) / 1000);
  line += " flags=" + flags;
  line += " db=" + std::to_string(c.db);
  line += " sub=0 psub=0 ssub=0 multi=-1";
  line += " qbuf=" + std::to_string(conn ? conn->input().size() : 0);
  line += " qbuf-free=" + std::to_string(conn ? conn->input_capacity() - conn->input().size() : 0);
  line += " argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0";
  line += " omem=" + std::to_string(conn ? conn->pending_output() : 0);
  line += " tot-mem=" + std::to_string(conn ? conn->input_capacity() + conn->pending_output() : 0);
  line += " events=r cmd=" + c.last_cmd + " user=default redir=-1";
  line += " resp=" + std::to_string(c.proto);
  line += " lib-name=" + c.lib_name + " lib-ver=" + c.lib_ver;
  return line;
}

void Server::RequestShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  loop_.Post([this] { Shutdown(); });
}

void Server::Shutdown() {
  spdlog::warn("User requested shutdown...");
  if (listener_) listener_->StopListening();
  JoinStoreResume();  // a recovery in progress ends first
  // After a disk error, one last attempt to make what the memtables hold durable.
  if (!db_->BackgroundError().ok()) db_->Resume();
  Status s = db_->SyncWAL();
  if (!s.ok()) {
    spdlog::error("Error syncing the WAL on shutdown: {}", s.ToString());
    exit_code_ = 1;
  }
  // Replies held for durability are now safe to send.
  ReleaseHeld(!s.ok());
  BeforeSleep();
  std::vector<net::Connection*> conns;
  for (auto& [id, c] : clients_) {
    if (c->conn) conns.push_back(c->conn);
  }
  for (auto* conn : conns) conn->CloseAfterWrite();
  spdlog::warn("Strata is now ready to exit, bye bye...");
  loop_.Stop();
}

void Server::ReleaseDeadNamespaces() {
  if (ns_filter_->HasPending()) ns_filter_->ReleasePending(db_->DurableSequence());
}

void Server::ResetStats() {
  stats_ = ServerStats{};
  commands_.ResetStats();
}

void Server::OnConfigChanged(const std::string& name) {
  if (name == "requirepass" || name == "proto-max-bulk-len") {
    for (auto& [id, c] : clients_) ApplyParserLimits(c.get());
  } else if (name == "loglevel") {
    const std::string& l = config_.loglevel;
    spdlog::set_level(l == "debug"     ? spdlog::level::debug
                      : l == "verbose" ? spdlog::level::debug
                      : l == "warning" ? spdlog::level::warn
                                       : spdlog::level::info);
  }
}

}  // namespace strata::server
