// Server, connections: accepting and closing clients, reading and running their input,
// closing clients that asked for or earned it (CLIENT KILL, QUIT, output limits), CLIENT LIST.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/server.h"

namespace strata::server {
namespace {

void RemoveFrom(std::vector<Client*>* v, Client* c) {
  v->erase(std::remove(v->begin(), v->end(), c), v->end());
}

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

}  // namespace

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
  if (c->block.blocked) {
    blocked_.Remove(c);
    c->block = BlockState();
  }
  DiscardTransaction(c);
  pubsub_.UnsubscribeAll(c);
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
  if (c == nullptr || c->held || c->close != CloseMode::kOpen || c->block.blocked) return;
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
  while (!conn->close_pending() && !c->held && c->close == CloseMode::kOpen && !c->block.blocked) {
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
      if (blocked_.HasReady()) ServeReadyKeys();
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

void Server::KillClient(Client* c, bool after_reply) {
  if (c->conn == nullptr || c->close == CloseMode::kNow) return;
  if (c->close == CloseMode::kOpen) to_close_.push_back(c);
  c->close = after_reply ? CloseMode::kAfterReply : CloseMode::kNow;
}

bool Server::EnforceOutputLimit(Client* c) {
  const int64_t limit = c->subscribed() ? config_.client_output_buffer_pubsub_limit
                                        : config_.client_output_buffer_limit;
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

void Server::CheckOutputSoftLimits(int64_t now) {
  std::vector<Client*> over;
  for (auto& [id, c] : clients_) {
    if (c->conn == nullptr) continue;
    const bool pubsub = c->subscribed();
    const int64_t soft = pubsub ? config_.client_output_buffer_pubsub_soft_limit
                                : config_.client_output_buffer_soft_limit;
    const int64_t secs = pubsub ? config_.client_output_buffer_pubsub_soft_seconds
                                : config_.client_output_buffer_soft_seconds;
    if (soft <= 0) continue;
    if (c->conn->pending_output() <= static_cast<size_t>(soft)) {
      c->obuf_soft_since_ms = 0;
    } else if (c->obuf_soft_since_ms == 0) {
      c->obuf_soft_since_ms = now;
    } else if (now - c->obuf_soft_since_ms >= secs * 1000) {
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
  // In Redis's order.
  if (c.subscribed()) flags += "P";
  if (c.multi.active) flags += "x";
  if (c.block.blocked) flags += "b";
  if (c.dirty_cas) flags += "d";
  if (c.no_evict) flags += "e";
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
  line +=
      " sub=" + std::to_string(c.channels.size()) + " psub=" + std::to_string(c.patterns.size()) +
      " ssub=" + std::to_string(c.shard_channels.size()) +
      " multi=" + std::to_string(c.multi.active ? static_cast<int64_t>(c.multi.queued.size()) : -1);
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

}  // namespace strata::server
