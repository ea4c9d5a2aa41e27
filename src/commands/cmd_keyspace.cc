// Keyspace commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST DBSIZE FLUSHDB
// FLUSHALL SWAPDB TOUCH (Redis's db.c and expire.c).
#include <array>
#include <cctype>
#include <cstdlib>
#include <random>
#include <unordered_set>

#include "commands/commands.h"
#include "commands/scan_cursor.h"
#include "server/command.h"
#include "server/server.h"
#include "types/keyspace.h"
#include "util/glob.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

/*--- Helpers ---*/

// Redis's getIntFromObject for DB indexes.
bool ParseDbIndex(std::string_view s, int64_t* db) {
  return ParseInt64Strict(s, db) && *db >= INT32_MIN && *db <= INT32_MAX;
}

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

/*--- DEL, EXISTS, TYPE ---*/

void DelCommand(CommandContext& ctx) {
  std::unordered_set<std::string_view> seen;
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (!seen.insert(ctx.arg(i)).second) continue;
    StoredValue v;
    bool found;
    if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(i), &v, &found)) return ctx.ks.Abort();
    if (!found) continue;
    ctx.ks.StageDelete(ctx.client.db, ctx.arg(i), KeyState::kLive, v.expire_ms);
    deleted++;
  }
  MarkDirty(ctx, deleted);
  ctx.reply.Integer(deleted);
}

void ExistsCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    StoredValue v;
    bool found;
    if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(i), &v, &found)) return;
    n += found;
  }
  ctx.reply.Integer(n);
}

void TouchCommand(CommandContext& ctx) { ExistsCommand(ctx); }

void TypeCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  ctx.reply.Simple(found ? TypeName(v.type) : "none");
}

/*--- KEYS, SCAN, RANDOMKEY ---*/

void KeysCommand(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  std::string prefix = GlobLiteralPrefix(pattern);
  auto it = ctx.ks.NewKeyIterator(ctx.client.db);
  std::vector<std::string> keys;
  StoredValue v;
  for (it.Seek(prefix); it.Valid(); it.Next()) {
    std::string_view k = it.key();
    if (!k.starts_with(prefix)) break;
    if (!all && !GlobMatch(pattern, k)) continue;
    if (!it.Decode(&v, false) || (v.expire_ms >= 0 && v.expire_ms <= ctx.now_ms)) continue;
    keys.emplace_back(k);
  }
  if (!it.status().ok()) return ReplyStoreError(ctx, it.status());
  ctx.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (const auto& k : keys) ctx.reply.Bulk(k);
}

void ScanCommand(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursorOrReply(ctx, ctx.arg(1), &cursor)) return;
  ScanOptions opts;
  if (!ParseScanOptionsOrReply(ctx, 2, /*allow_type=*/true, &opts)) return;
  const std::string_view pattern = opts.pattern;
  const bool has_pattern = opts.has_pattern;
  const int64_t count = opts.count;
  const std::string scope = "db" + std::to_string(ctx.client.db);
  std::string prefix = has_pattern ? GlobLiteralPrefix(pattern) : std::string();
  std::string resume;
  bool resuming = GlobalScanCursors().Find(cursor, scope, &resume);
  auto it = ctx.ks.NewKeyIterator(ctx.client.db);
  // Seek to max(resume key, pattern prefix); a resume key is followed by its first successor.
  if (resuming && resume >= prefix) {
    resume.push_back('\0');
    it.Seek(resume);
  } else {
    it.Seek(prefix);
  }
  std::vector<std::string> keys;
  // Bounded work per call: at most 10 x COUNT entries examined, matching or not.
  int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  std::string last;
  bool done = true;
  StoredValue v;
  for (; it.Valid(); it.Next()) {
    std::string_view k = it.key();
    if (!k.starts_with(prefix)) break;
    if (static_cast<int64_t>(keys.size()) >= count || budget-- <= 0) {
      done = false;
      break;
    }
    last.assign(k);
    if (has_pattern && !GlobMatch(pattern, k)) continue;
    if (!it.Decode(&v, false) || (v.expire_ms >= 0 && v.expire_ms <= ctx.now_ms)) continue;
    if (opts.has_type && opts.type != TypeName(v.type)) continue;
    keys.emplace_back(k);
  }
  if (!it.status().ok()) return ReplyStoreError(ctx, it.status());
  uint64_t next = done ? 0 : GlobalScanCursors().Save(scope, last);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (const auto& k : keys) ctx.reply.Bulk(k);
}

void RandomKeyCommand(CommandContext& ctx) {
  if (ctx.ks.KeyCount(ctx.client.db) == 0) return ctx.reply.Null();
  auto it = ctx.ks.NewKeyIterator(ctx.client.db);
  StoredValue v;
  // Seek to a random point of the key space; skip a bounded number of expired keys.
  for (int attempt = 0; attempt < 16; attempt++) {
    uint64_t r = Rng()();
    std::string probe(reinterpret_cast<const char*>(&r), sizeof(r));
    it.Seek(probe);
    if (!it.Valid()) it.Seek("");
    for (int skip = 0; skip < 64 && it.Valid(); skip++, it.Next()) {
      if (it.Decode(&v, false) && !(v.expire_ms >= 0 && v.expire_ms <= ctx.now_ms)) {
        return ctx.reply.Bulk(it.key());
      }
    }
  }
  if (!it.status().ok()) return ReplyStoreError(ctx, it.status());
  ctx.reply.Null();
}

/*--- RENAME, COPY, MOVE ---*/

void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, src, &v, &found)) return;
  if (!found) return ctx.reply.Error(errors::kNoSuchKey);
  if (src == dst) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  StoredValue old;
  Status s;
  KeyState st = ctx.ks.Lookup(ctx.client.db, dst, &old, &s);
  if (!s.ok()) return ReplyStoreError(ctx, s);
  bool dst_live = st == KeyState::kLive && !(old.expire_ms >= 0 && old.expire_ms <= ctx.now_ms);
  if (nx && dst_live) return ctx.reply.Integer(0);
  StoredValue moved;
  s = ctx.ks.StageCopyValue(ctx.client.db, src, v, ctx.client.db, dst, &moved);
  if (!s.ok()) {
    ctx.ks.Abort();
    return ReplyStoreError(ctx, s);
  }
  ctx.ks.StageDelete(ctx.client.db, src, KeyState::kLive, v.expire_ms);
  ctx.ks.StagePut(ctx.client.db, dst, moved, st, old.expire_ms);
  MarkDirty(ctx);
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}
void RenameCommand(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenameNxCommand(CommandContext& ctx) { RenameGeneric(ctx, true); }

// Copies src (db src_db) to dst (db dst_db), keeping its TTL. Returns 1, 0 (not copied), or
// -1 after replying an error.
int CopyKey(CommandContext& ctx, int src_db, std::string_view src, int dst_db, std::string_view dst,
            bool replace, bool delete_src) {
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, src_db, src, &v, &found)) return -1;
  if (!found) return 0;
  StoredValue old;
  Status s;
  KeyState st = ctx.ks.Lookup(dst_db, dst, &old, &s);
  if (!s.ok()) {
    ReplyStoreError(ctx, s);
    return -1;
  }
  bool dst_live = st == KeyState::kLive && !(old.expire_ms >= 0 && old.expire_ms <= ctx.now_ms);
  if (dst_live && !replace) return 0;
  StoredValue copy;
  s = ctx.ks.StageCopyValue(src_db, src, v, dst_db, dst, &copy);
  if (!s.ok()) {
    ctx.ks.Abort();
    ReplyStoreError(ctx, s);
    return -1;
  }
  if (delete_src) ctx.ks.StageDelete(src_db, src, KeyState::kLive, v.expire_ms);
  ctx.ks.StagePut(dst_db, dst, copy, st, old.expire_ms);
  MarkDirty(ctx);
  return 1;
}

void CopyCommand(CommandContext& ctx) {
  int dst_db = ctx.client.db;
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); i++) {
    if (EqualsIgnoreCase(ctx.arg(i), "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "DB") && i + 1 < ctx.argc()) {
      if (!ParseDbOrReply(ctx, ctx.arg(++i), &dst_db)) return;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (dst_db == ctx.client.db && ctx.arg(1) == ctx.arg(2)) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  int r = CopyKey(ctx, ctx.client.db, ctx.arg(1), dst_db, ctx.arg(2), replace, false);
  if (r >= 0) ctx.reply.Integer(r);
}

void MoveCommand(CommandContext& ctx) {
  int db;
  if (!ParseDbOrReply(ctx, ctx.arg(2), &db)) return;
  if (db == ctx.client.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  int r = CopyKey(ctx, ctx.client.db, ctx.arg(1), db, ctx.arg(1), false, true);
  if (r >= 0) ctx.reply.Integer(r);
}

/*--- Expiry ---*/

enum ExpireFlags : unsigned { kNX = 1, kXX = 2, kGT = 4, kLT = 8 };

// EXPIRE key when [NX|XX|GT|LT]: `seconds` for EXPIRE/EXPIREAT, `relative` for EXPIRE/PEXPIRE.
void ExpireGeneric(CommandContext& ctx, bool seconds, bool relative) {
  unsigned flags = 0;
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "NX")) {
      flags |= kNX;
    } else if (EqualsIgnoreCase(o, "XX")) {
      flags |= kXX;
    } else if (EqualsIgnoreCase(o, "GT")) {
      flags |= kGT;
    } else if (EqualsIgnoreCase(o, "LT")) {
      flags |= kLT;
    } else {
      // Redis 7.0 trims trailing CR/LF from this one argument (measured; its other
      // errors turn them into spaces).
      std::string_view opt = CStr(o);
      while (!opt.empty() && (opt.back() == '\r' || opt.back() == '\n')) opt.remove_suffix(1);
      return ctx.reply.Error("ERR Unsupported option " + std::string(opt));
    }
  }
  if ((flags & kNX) && (flags & (kXX | kGT | kLT))) {
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & kGT) && (flags & kLT)) {
    return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  }
  int64_t when;
  if (!ParseInt64Strict(ctx.arg(2), &when)) return ctx.reply.Error(errors::kNotInt);
  auto invalid = [&] {
    ctx.reply.Error("ERR invalid expire time in '" + ToLower(ctx.arg(0)) + "' command");
  };
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (relative) {
    if (when > INT64_MAX - ctx.now_ms) return invalid();
    when += ctx.now_ms;
  }
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  if (!found) return ctx.reply.Integer(0);
  bool has_ttl = v.expire_ms >= 0;
  if (((flags & kNX) && has_ttl) || ((flags & kXX) && !has_ttl) ||
      ((flags & kGT) && (!has_ttl || when <= v.expire_ms)) ||
      ((flags & kLT) && has_ttl && when >= v.expire_ms)) {
    return ctx.reply.Integer(0);
  }
  if (when <= ctx.now_ms) {
    ctx.ks.StageDelete(ctx.client.db, ctx.arg(1), KeyState::kLive, v.expire_ms);
  } else {
    int64_t old = v.expire_ms;
    v.expire_ms = when;
    ctx.ks.StagePut(ctx.client.db, ctx.arg(1), v, KeyState::kLive, old);
  }
  MarkDirty(ctx);
  ctx.reply.Integer(1);
}
void ExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, true, true); }
void PExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, false, true); }
void ExpireAtCommand(CommandContext& ctx) { ExpireGeneric(ctx, true, false); }
void PExpireAtCommand(CommandContext& ctx) { ExpireGeneric(ctx, false, false); }

// TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 missing, -1 no TTL.
void TtlGeneric(CommandContext& ctx, bool millis, bool absolute) {
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  if (!found) return ctx.reply.Integer(-2);
  if (v.expire_ms < 0) return ctx.reply.Integer(-1);
  int64_t t = absolute ? v.expire_ms : std::max<int64_t>(v.expire_ms - ctx.now_ms, 0);
  if (!millis) t = absolute ? t / 1000 : (t + 500) / 1000;
  ctx.reply.Integer(t);
}
void TtlCommand(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PTtlCommand(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTimeCommand(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTimeCommand(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void PersistCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  if (!found || v.expire_ms < 0) return ctx.reply.Integer(0);
  int64_t old = v.expire_ms;
  v.expire_ms = -1;
  ctx.ks.StagePut(ctx.client.db, ctx.arg(1), v, KeyState::kLive, old);
  MarkDirty(ctx);
  ctx.reply.Integer(1);
}

/*--- Databases ---*/

void DbSizeCommand(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.ks.KeyCount(ctx.client.db)));
}

bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "ASYNC") &&
                         !EqualsIgnoreCase(ctx.arg(1), "SYNC"))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

void FlushDbCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  MarkDirty(ctx, ctx.ks.KeyCount(ctx.client.db) + 1);
  ctx.ks.FlushDb(ctx.client.db);
  ctx.reply.Ok();
}

void FlushAllCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.ks.FlushAll();
  MarkDirty(ctx);
  ctx.reply.Ok();
}

void SwapDbCommand(CommandContext& ctx) {
  int64_t a, b;
  if (!ParseDbIndex(ctx.arg(1), &a)) return ctx.reply.Error("ERR invalid first DB index");
  if (!ParseDbIndex(ctx.arg(2), &b)) return ctx.reply.Error("ERR invalid second DB index");
  if (a < 0 || a >= ctx.ks.databases() || b < 0 || b >= ctx.ks.databases()) {
    return ctx.reply.Error(errors::kDbIndex);
  }
  if (a != b) {
    ctx.ks.SwapDb(static_cast<int>(a), static_cast<int>(b));
    MarkDirty(ctx);
  }
  ctx.reply.Ok();
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"del", -2, "write", {1, -1, 1}, DelCommand},
    {"unlink", -2, "write fast", {1, -1, 1}, DelCommand},
    {"exists", -2, "readonly fast", {1, -1, 1}, ExistsCommand},
    {"touch", -2, "readonly fast", {1, -1, 1}, TouchCommand},
    {"type", 2, "readonly fast", {1, 1, 1}, TypeCommand},
    {"keys", 2, "readonly", {}, KeysCommand},
    {"scan", -2, "readonly", {}, ScanCommand},
    {"randomkey", 1, "readonly", {}, RandomKeyCommand},
    {"rename", 3, "write", {1, 2, 1}, RenameCommand},
    {"renamenx", 3, "write fast", {1, 2, 1}, RenameNxCommand},
    {"copy", -3, "write", {1, 2, 1}, CopyCommand},
    {"move", 3, "write fast", {1, 1, 1}, MoveCommand},
    {"expire", -3, "write fast", {1, 1, 1}, ExpireCommand},
    {"pexpire", -3, "write fast", {1, 1, 1}, PExpireCommand},
    {"expireat", -3, "write fast", {1, 1, 1}, ExpireAtCommand},
    {"pexpireat", -3, "write fast", {1, 1, 1}, PExpireAtCommand},
    {"ttl", 2, "readonly fast", {1, 1, 1}, TtlCommand},
    {"pttl", 2, "readonly fast", {1, 1, 1}, PTtlCommand},
    {"expiretime", 2, "readonly fast", {1, 1, 1}, ExpireTimeCommand},
    {"pexpiretime", 2, "readonly fast", {1, 1, 1}, PExpireTimeCommand},
    {"persist", 2, "write fast", {1, 1, 1}, PersistCommand},
    {"dbsize", 1, "readonly fast", {}, DbSizeCommand},
    {"flushdb", -1, "write", {}, FlushDbCommand},
    {"flushall", -1, "write", {}, FlushAllCommand},
    {"swapdb", 3, "write fast", {}, SwapDbCommand},
};

}  // namespace

void RegisterKeyspaceCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
