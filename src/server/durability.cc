// Server, replies and durability: the WAL write once per loop iteration, and under
// appendfsync always the hold of replies until their writes are on stable storage.
#include <spdlog/spdlog.h>

#include "server/server.h"

namespace strata::server {

// Invariant (appendfsync always): a client's pending replies are written only once every
// write applied so far (LastSequence at the time) is durable, so no reply acknowledging a
// write, or showing its effect, reaches a client before the write is on stable storage. A
// client whose replies wait is `held` (in held_, reading paused) with hold_seq = the sequence
// it waits for. While held_ is non-empty a SyncAsync for sync_requested_seq_ >= every
// hold_seq is in flight, whose callback (OnDurable, on the loop) releases the clients it
// covers. A failed sync closes the clients whose replies waited for it, unsent.
void Server::BeforeSleep() {
  if (blocked_.HasReady()) ServeReadyKeys();
  HandleBlockTimeouts(net::EventLoop::NowMs());
  ResumeUnblocked();
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

}  // namespace strata::server
