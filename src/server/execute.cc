// Server, running commands: Execute (the one entry point), the connection's Dispatch,
// MONITOR and SLOWLOG.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "server/server.h"

namespace strata::server {
namespace {

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

// As Redis: passwords never reach MONITOR or SLOWLOG (AUTH's arguments, HELLO's AUTH pair).
bool Redacted(const std::vector<std::string_view>& argv, size_t i) {
  if (i == 0) return false;
  if (EqualsIgnoreCase(argv[0], "AUTH")) return true;
  return EqualsIgnoreCase(argv[0], "HELLO") && i >= 3 &&
         (EqualsIgnoreCase(argv[i - 1], "AUTH") || EqualsIgnoreCase(argv[i - 2], "AUTH"));
}

}  // namespace

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
      args.append(CStr(argv[i]).substr(0, room));  // Redis prints "%.*s"
      args += "' ";
    }
    std::string name(CStr(argv[0]).substr(0, 128));
    w.Error("ERR unknown command '" + name + "', with args beginning with: " + args);
    if (c->multi.active) c->multi.dirty_exec = true;
    stats_.total_error_replies++;
    return;
  }
  // Redis's rejectCommand: a refused command inside MULTI dooms the transaction, and a
  // refused EXEC aborts it.
  auto reject = [&](std::string_view error) {
    cmd->rejected_calls++;
    stats_.total_error_replies++;
    if (cmd->name != "exec") {
      if (c->multi.active) c->multi.dirty_exec = true;
      w.Error(error);
    } else {
      AbortExec(c, w, error);
    }
  };
  if (!cmd->subcommands.empty() && argv.size() >= 2 && !cmd->HasSubcommand(argv[1])) {
    // As Redis's lookup of a container's subcommand: rejected before it runs, so it never
    // reaches SLOWLOG or MONITOR.
    std::string upper = cmd->name;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return reject("ERR unknown subcommand '" + std::string(CStr(argv[1]).substr(0, 128)) +
                  "'. Try " + upper + " HELP.");
  }
  if ((cmd->arity > 0 && argv.size() != static_cast<size_t>(cmd->arity)) ||
      (cmd->arity < 0 && argv.size() < static_cast<size_t>(-cmd->arity))) {
    return reject("ERR wrong number of arguments for '" + cmd->name + "' command");
  }
  if (std::string full; argv.size() >= 2 && !cmd->subcommand_arity.empty() &&
                        !cmd->SubcommandArityOk(argv[1], argv.size(), &full)) {
    return reject("ERR wrong number of arguments for '" + full + "' command");
  }
  if (!c->authenticated && !(cmd->flags & kCmdNoAuth)) {
    return reject("NOAUTH Authentication required.");
  }
  if ((cmd->flags & kCmdWrite) && !db_->BackgroundError().ok()) return reject(MisconfError());
  if (c->proto == 2 && c->subscribed() && !(cmd->flags & kCmdPubSubContext)) {
    std::string full = cmd->name;
    if (!cmd->subcommands.empty() && argv.size() >= 2) full += "|" + ToLower(argv[1]);
    return reject("ERR Can't execute '" + full +
                  "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                  "in this context");
  }
  if (c->multi.active && !IsTransactionControl(*cmd)) {
    QueueCommand(c, argv);
    w.Simple("QUEUED");
    return;
  }
  c->last_cmd = cmd->name;
  if (!cmd->subcommands.empty() && argv.size() >= 2) {
    // As Redis 7, CLIENT LIST shows a container command with its subcommand: "config|get".
    c->last_cmd += "|" + ToLower(argv[1]);
  }
  const int64_t now = net::EventLoop::NowMs();
  const auto t0 = std::chrono::steady_clock::now();
  CommandContext ctx{*this, *c, argv, w, *keyspace_, now, !c->deny_blocking};
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
  if (!monitors_.empty() && !cmd->IsAdmin(argv)) FeedMonitors(*c, argv);
  if (out->size() > before && (*out)[before] == '-') {
    cmd->failed_calls++;
    stats_.total_error_replies++;
  }
  if (config_.slowlog_log_slower_than >= 0 && us >= config_.slowlog_log_slower_than &&
      config_.slowlog_max_len > 0 && !(cmd->flags & kCmdSkipSlowlog)) {
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
    } else if (Redacted(argv, i)) {
      e.args.emplace_back("(redacted)");
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
  for (size_t i = 0; i < argv.size(); i++) {
    line += Redacted(argv, i) ? " \"(redacted)\"" : " " + Repr(argv[i]);
  }
  line += "\r\n";
  for (Client* m : monitors_) {
    if (m->conn == nullptr || m == &c) continue;
    m->conn->output()->append(line);
    if (!EnforceOutputLimit(m)) ScheduleFlush(m);
  }
}

}  // namespace strata::server
