// Server, lifecycle: start-up (store, keyspace, listeners, signals), shutdown, run-time
// configuration changes.
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

Server::Server(Config* config, ConfigRegistry* registry) : config_(*config), registry_(registry) {}

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

Status Server::Open() {
  for (const auto& [from, to] : config_.renamed_commands) {
    if (!commands_.Rename(from, to)) {
      spdlog::warn("rename-command: no such command '{}'", from);
    }
  }
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
  budget_ = SplitMemoryBudget(config_.maxmemory, config_.memtable_size, config_.row_cache_size,
                              config_.block_cache_size, config_.explicitly_set);
  o.memtable_size = static_cast<size_t>(budget_.memtable_size);
  o.max_immutable_memtables = budget_.max_immutable_memtables;
  o.block_cache_size = static_cast<size_t>(budget_.block_cache_size);
  o.row_cache_size = static_cast<size_t>(budget_.row_cache_size);
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
  keyspace_->SetObserver(this);
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
  return Status::OK();
}

Status Server::Start() {
  Status s = Open();
  if (!s.ok()) return s;
  listener_ = std::make_unique<net::Listener>(loop_.uv(), this);
  listener_->set_keepalive(config_.tcp_keepalive);
  // Redis 7's bind syntax: "*" is every IPv4 address, "::*" every IPv6 one, and a leading
  // "-" marks an address that may be missing on this host (skipped if it cannot be bound).
  int listening = 0;
  for (std::string addr : config_.bind) {
    const bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr.erase(0, 1);
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    std::string err;
    if (listener_->Listen(addr, config_.port, config_.tcp_backlog, &err)) {
      listening++;
    } else if (optional) {
      spdlog::warn("Skipping optional bind address {}: {}", addr, err);
    } else {
      return Status::IOError(err);
    }
  }
  if (listening == 0) return Status::IOError("no bind address could be listened on");
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

void Server::ResetStats() {
  stats_ = ServerStats{};
  commands_.ResetStats();
}

void Server::OnConfigChanged(const std::string& name) {
  if (name == "tcp-keepalive") {
    if (listener_) listener_->set_keepalive(config_.tcp_keepalive);
  } else if (name == "requirepass" || name == "proto-max-bulk-len") {
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
