// Server, periodic work: everysec syncs, disk-error recovery, active expiry, idle clients,
// statistics sampling.
#include <spdlog/spdlog.h>

#include <chrono>

#include "server/server.h"

namespace strata::server {

// What a store error says went wrong, without the file it names: every retry of a failed
// flush writes a new table, so "IO error: /d/000012.sst: No space left on device" and the
// same with 000013.sst are one error to the operator ("IO error: No space left on device").
std::string Server::ErrorKind(const Status& s) {
  const std::string t = s.ToString();
  const size_t first = t.find(": ");
  const size_t last = t.rfind(": ");
  if (first == std::string::npos || first == last) return t;
  return t.substr(0, first) + t.substr(last);
}

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

void Server::JoinStoreResume() {
  if (resume_thread_.joinable()) resume_thread_.join();
  resume_running_ = false;
  resume_done_.store(false, std::memory_order_relaxed);
}

void Server::ReleaseDeadNamespaces() {
  if (ns_filter_->HasPending()) ns_filter_->ReleasePending(db_->DurableSequence());
}

}  // namespace strata::server
