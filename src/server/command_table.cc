#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/command.h"
#include "server/server.h"
#include "types/keyspace.h"

namespace strata::server {

std::string ToLower(std::string_view s) {
  std::string r(s);
  for (auto& ch : r) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + ('a' - 'A'));
  }
  return r;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

namespace {

struct FlagWord {
  std::string_view word;  // in a table line
  std::string_view name;  // in COMMAND INFO
  uint32_t bit;
};
// In the order Redis's COMMAND INFO lists flags.
constexpr FlagWord kFlagWords[] = {
    {"write", "write", kCmdWrite},
    {"readonly", "readonly", kCmdReadOnly},
    {"denyoom", "denyoom", kCmdDenyOom},
    {"admin", "admin", kCmdAdmin},
    {"pubsub", "pubsub", kCmdPubSub},
    {"noscript", "noscript", kCmdNoScript},
    {"blocking", "blocking", kCmdBlocking},
    {"loading", "loading", kCmdLoading},
    {"stale", "stale", kCmdStale},
    {"skip_slowlog", "skip_slowlog", kCmdSkipSlowlog},
    {"fast", "fast", kCmdFast},
    {"noauth", "no_auth", kCmdNoAuth},
    {"movablekeys", "movablekeys", kCmdMovableKeys},
    {"subscribed", "", kCmdPubSubContext},  // not shown by COMMAND INFO
};

[[noreturn]] void BadTable(std::string_view name, const std::string& why) {
  spdlog::critical("command table: '{}': {}", name, why);
  std::abort();
}

}  // namespace

bool Command::HasSubcommand(std::string_view sub) const {
  for (const std::string& s : subcommands) {
    const std::string_view tail = std::string_view(s).substr(name.size() + 1);  // "name|tail"
    if (EqualsIgnoreCase(tail, sub)) return true;
  }
  return false;
}

bool Command::SubcommandArityOk(std::string_view sub, size_t argc, std::string* full) const {
  for (size_t i = 0; i < subcommands.size(); i++) {
    const std::string_view tail = std::string_view(subcommands[i]).substr(name.size() + 1);
    if (!EqualsIgnoreCase(tail, sub)) continue;
    const int a = subcommand_arity[i];
    *full = subcommands[i];
    return a == 0 || (a > 0 && argc == static_cast<size_t>(a)) ||
           (a < 0 && argc >= static_cast<size_t>(-a));
  }
  return true;
}

bool Command::IsAdmin(const std::vector<std::string_view>& argv) const {
  if (flags & kCmdAdmin) return true;
  if (argv.size() < 2) return false;
  for (const std::string& s : admin_subcommands) {
    if (EqualsIgnoreCase(argv[1], s)) return true;
  }
  return false;
}

std::vector<std::string_view> FlagNames(uint32_t flags) {
  std::vector<std::string_view> names;
  for (const FlagWord& f : kFlagWords) {
    if ((flags & f.bit) && !f.name.empty()) names.push_back(f.name);
  }
  return names;
}

void CommandTable::Add(const CommandSpec& spec) {
  Command cmd;
  cmd.name = spec.name;
  cmd.arity = spec.arity;
  cmd.keys = spec.keys;
  cmd.fn = spec.fn;
  std::string_view words(spec.flags);
  while (!words.empty()) {
    const size_t sp = words.find(' ');
    const std::string_view w = words.substr(0, sp);
    words.remove_prefix(sp == std::string_view::npos ? words.size() : sp + 1);
    if (w.empty()) continue;
    const FlagWord* f = std::find_if(std::begin(kFlagWords), std::end(kFlagWords),
                                     [&](const FlagWord& x) { return x.word == w; });
    if (f == std::end(kFlagWords)) BadTable(cmd.name, "unknown flag '" + std::string(w) + "'");
    cmd.flags |= f->bit;
  }
  std::string_view subs(spec.subcommands);
  while (!subs.empty()) {
    const size_t sp = subs.find(' ');
    std::string_view word = subs.substr(0, sp);
    int arity = 0;  // "name:arity" checks the subcommand's arity as Redis 7 does
    if (const size_t colon = word.find(':'); colon != std::string_view::npos) {
      arity = std::atoi(std::string(word.substr(colon + 1)).c_str());
      if (arity == 0) BadTable(cmd.name, "bad subcommand arity in '" + std::string(word) + "'");
      word = word.substr(0, colon);
    }
    cmd.subcommands.push_back(cmd.name + "|" + std::string(word));
    cmd.subcommand_arity.push_back(arity);
    subs.remove_prefix(sp == std::string_view::npos ? subs.size() : sp + 1);
  }
  std::string_view admin(spec.admin_subcommands);
  while (!admin.empty()) {
    const size_t sp = admin.find(' ');
    cmd.admin_subcommands.emplace_back(admin.substr(0, sp));
    admin.remove_prefix(sp == std::string_view::npos ? admin.size() : sp + 1);
  }
  if (!docs_ || !docs_(cmd.name, &cmd)) BadTable(cmd.name, "no COMMAND DOCS entry");
  if (commands_.count(cmd.name) != 0) BadTable(cmd.name, "registered twice");
  std::string key = cmd.name;
  commands_[key] = std::move(cmd);
}

Command* CommandTable::Find(std::string_view name) {
  // Command names are short: lower-case into a stack buffer, no allocation.
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); i++) {
    char ch = name[i];
    buf[i] = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
  }
  std::string_view key(buf, name.size());
  // unordered_map<string> has no heterogeneous find before C++20 transparent hashing; a
  // small static string avoids a heap allocation for names within SSO length.
  thread_local std::string k;
  k.assign(key);
  auto it = commands_.find(k);
  return it == commands_.end() ? nullptr : &it->second;
}

bool CommandTable::Rename(const std::string& from, const std::string& to) {
  auto it = commands_.find(ToLower(from));
  if (it == commands_.end()) return false;
  Command cmd = std::move(it->second);
  commands_.erase(it);
  if (!to.empty()) {
    cmd.name = ToLower(to);
    commands_[cmd.name] = std::move(cmd);
  }
  return true;
}

std::vector<Command*> CommandTable::All() {
  std::vector<Command*> v;
  for (auto& [name, cmd] : commands_) v.push_back(&cmd);
  return v;
}

void CommandTable::ResetStats() {
  for (auto& [name, cmd] : commands_) {
    cmd.calls = cmd.usec = cmd.rejected_calls = cmd.failed_calls = 0;
  }
}

bool ParseInt64Strict(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] == '0' && s.size() > i + 1) return false;  // no leading zeros
  if (s[i] == '0') {
    if (neg) return false;  // "-0"
    *out = 0;
    return true;
  }
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= 5 * 1024) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) return false;
  *out = v;
  return true;
}

bool ParseTimeoutOrReply(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms) {
  long double secs;
  if (!ParseLongDouble(arg, &secs)) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis converts ceil(secs * 1000) to a long long; on x86 a value out of its range
  // (inf included) becomes LLONG_MIN, which is then "negative".
  const long double ms = std::ceil(secs * 1000.0L);
  const int64_t t = ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L
                        ? static_cast<int64_t>(ms)
                        : INT64_MIN;
  if (t < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  // Redis adds the clock with a wrapping add: a deadline past INT64_MAX is already over.
  *deadline_ms =
      t == 0 ? 0
             : static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(ctx.now_ms));
  if (t != 0 && *deadline_ms == 0) *deadline_ms = -1;
  return true;
}

bool LookupOrReply(CommandContext& ctx, int db, std::string_view key, StoredValue* v, bool* found) {
  Status s;
  bool expired = false;
  *found = ctx.ks.Get(db, key, v, &s, ctx.now_ms, &expired);
  if (expired) ctx.server.stats().expired_keys++;
  if (!s.ok()) {
    ReplyStoreError(ctx, s);
    return false;
  }
  return true;
}

void MarkDirty(CommandContext& ctx, uint64_t changes) { ctx.server.add_dirty(changes); }

bool FormatLongDouble(long double v, std::string* out) {
  char buf[5 * 1024 + 64];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf) - 1) return false;
  if (std::strchr(buf, '.') != nullptr) {
    while (n > 0 && buf[n - 1] == '0') n--;
    if (n > 0 && buf[n - 1] == '.') n--;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    n = 1;
  }
  out->assign(buf, n);
  return true;
}

bool ParseDbOrReply(CommandContext& ctx, std::string_view arg, int* db) {
  int64_t v;
  if (!ParseInt64Strict(arg, &v)) {
    ctx.reply.Error(errors::kNotInt);
  } else if (v < INT32_MIN || v > INT32_MAX) {
    ctx.reply.Error(errors::kIntRange);
  } else if (v < 0 || v >= ctx.ks.databases()) {
    ctx.reply.Error(errors::kDbIndex);
  } else {
    *db = static_cast<int>(v);
    return true;
  }
  return false;
}

void ReplyStoreError(CommandContext& ctx, const Status& s) {
  spdlog::error("Store error in '{}': {}", ctx.argv.empty() ? "" : ToLower(ctx.arg(0)),
                s.ToString());
  ctx.reply.Error(StoreErrorReply(s));
}

std::string StoreErrorReply(const Status& s) {
  if (s.IsCorruption()) return "ERR data corruption detected: " + std::string(s.message());
  return "MISCONF Errors writing to the write-ahead log: " + s.ToString() +
         ". Commands that may modify the data set are disabled until the disk problem is fixed "
         "(the server retries every second). Please check the server log for details.";
}

}  // namespace strata::server
