// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX INCR DECR
// INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE (Redis's t_string.c).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"
#include "types/keyspace.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

/*--- Helpers ---*/

// Reads `key` as a live string. Replies and returns false on a store error or wrong type.
bool ReadString(CommandContext& ctx, std::string_view key, StoredValue* v, bool* found) {
  if (!LookupOrReply(ctx, ctx.client.db, key, v, found)) return false;
  if (*found && v->type != ValueType::kString) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  return true;
}

void Put(CommandContext& ctx, std::string_view key, const StoredValue& v, bool existed,
         int64_t old_expire) {
  ctx.ks.StagePut(ctx.client.db, key, v, existed ? KeyState::kLive : KeyState::kMissing,
                  old_expire);
}

bool CheckStringLength(CommandContext& ctx, uint64_t size) {
  if (size > static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len)) {
    ctx.reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

void InvalidExpire(CommandContext& ctx) {
  ctx.reply.Error("ERR invalid expire time in '" + ToLower(ctx.arg(0)) + "' command");
}

enum SetFlags : unsigned {
  kNX = 1,
  kXX = 2,
  kGet = 4,
  kKeepTtl = 8,
  kPersist = 16,
  kEX = 32,
  kPX = 64,
  kEXAT = 128,
  kPXAT = 256,
};
constexpr unsigned kAnyExpire = kEX | kPX | kEXAT | kPXAT;

// Parses SET/GETEX options from argv[first..] (Redis's parseExtendedStringArgumentsOrReply):
// syntax only. The same expiry option may repeat (the last one wins); two different ones, or
// one with KEEPTTL/PERSIST, are a syntax error. *expire_arg: the expiry's argument, if any.
// Replies on error.
bool ParseSetOptions(CommandContext& ctx, size_t first, bool is_set, unsigned* flags,
                     std::string_view* expire_arg) {
  *flags = 0;
  for (size_t j = first; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    const bool has_next = j + 1 < ctx.argc();
    const unsigned f = *flags;
    const unsigned expire_kind = EqualsIgnoreCase(opt, "EX")     ? kEX
                                 : EqualsIgnoreCase(opt, "PX")   ? kPX
                                 : EqualsIgnoreCase(opt, "EXAT") ? kEXAT
                                 : EqualsIgnoreCase(opt, "PXAT") ? kPXAT
                                                                 : 0u;
    if (is_set && EqualsIgnoreCase(opt, "NX") && !(f & kXX)) {
      *flags |= kNX;
    } else if (is_set && EqualsIgnoreCase(opt, "XX") && !(f & kNX)) {
      *flags |= kXX;
    } else if (is_set && EqualsIgnoreCase(opt, "GET")) {
      *flags |= kGet;
    } else if (is_set && EqualsIgnoreCase(opt, "KEEPTTL") && !(f & (kPersist | kAnyExpire))) {
      *flags |= kKeepTtl;
    } else if (!is_set && EqualsIgnoreCase(opt, "PERSIST") && !(f & (kKeepTtl | kAnyExpire))) {
      *flags |= kPersist;
    } else if (expire_kind != 0 && has_next &&
               !(f & (kKeepTtl | kPersist | (kAnyExpire & ~expire_kind)))) {
      *flags |= expire_kind;
      *expire_arg = ctx.arg(++j);
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Turns the parsed expiry into absolute ms (*expire_at, -1 for none), as Redis's
// getExpireMillisecondsOrReply. Replies on error.
bool ResolveExpire(CommandContext& ctx, unsigned flags, std::string_view expire_arg,
                   int64_t* expire_at) {
  *expire_at = -1;
  if (!(flags & kAnyExpire)) return true;
  int64_t v;
  if (!ParseInt64Strict(expire_arg, &v)) {
    ctx.reply.Error(errors::kNotInt);
    return false;
  }
  const bool seconds = flags & (kEX | kEXAT);
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    InvalidExpire(ctx);
    return false;
  }
  if (seconds) v *= 1000;
  if (flags & (kEX | kPX)) {
    if (v > INT64_MAX - ctx.now_ms) {
      InvalidExpire(ctx);
      return false;
    }
    v += ctx.now_ms;
  }
  *expire_at = v;
  return true;
}

/*--- Commands ---*/

void GetCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  if (found) {
    ctx.server.stats().keyspace_hits++;
    ctx.reply.Bulk(v.payload);
  } else {
    ctx.server.stats().keyspace_misses++;
    ctx.reply.Null();
  }
}

void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value, unsigned flags,
                int64_t expire_at) {
  StoredValue old;
  bool found;
  Status s;
  KeyState st = ctx.ks.Lookup(ctx.client.db, key, &old, &s, /*cache_row=*/false);
  if (!s.ok()) return ReplyStoreError(ctx, s);
  found = st == KeyState::kLive && !(old.expire_ms >= 0 && old.expire_ms <= ctx.now_ms);
  if ((flags & kGet) && found && old.type != ValueType::kString) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (((flags & kNX) && found) || ((flags & kXX) && !found)) {
    if (flags & kGet) {
      found ? ctx.reply.Bulk(old.payload) : ctx.reply.Null();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  StoredValue v;
  v.expire_ms = (flags & kKeepTtl) && found ? old.expire_ms : expire_at;
  v.payload.assign(value);
  ctx.ks.StagePut(ctx.client.db, key, v, st, old.expire_ms);
  MarkDirty(ctx);
  if (flags & kGet) {
    found ? ctx.reply.Bulk(old.payload) : ctx.reply.Null();
  } else {
    ctx.reply.Ok();
  }
}

void SetCommand(CommandContext& ctx) {
  unsigned flags;
  int64_t expire_at;
  std::string_view expire_arg;
  if (!ParseSetOptions(ctx, 3, true, &flags, &expire_arg)) return;
  if (!ResolveExpire(ctx, flags, expire_arg, &expire_at)) return;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), flags, expire_at);
}

void SetNxCommand(CommandContext& ctx) {
  StoredValue old;
  bool found;
  // Any live key, whatever its type, makes SETNX a no-op (no WRONGTYPE), as in Redis.
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &old, &found)) return;
  if (found) {
    ctx.reply.Integer(0);
    return;
  }
  StoredValue v;
  v.payload.assign(ctx.arg(2));
  Put(ctx, ctx.arg(1), v, false, -1);
  MarkDirty(ctx);
  ctx.reply.Integer(1);
}

void SetExGeneric(CommandContext& ctx, bool millis) {
  int64_t t;
  if (!ParseInt64Strict(ctx.arg(2), &t)) {
    ctx.reply.Error(errors::kNotInt);
    return;
  }
  if (t <= 0 || (!millis && t > INT64_MAX / 1000)) return InvalidExpire(ctx);
  if (!millis) t *= 1000;
  if (t > INT64_MAX - ctx.now_ms) return InvalidExpire(ctx);
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), 0, ctx.now_ms + t);
}
void SetExCommand(CommandContext& ctx) { SetExGeneric(ctx, false); }
void PSetExCommand(CommandContext& ctx) { SetExGeneric(ctx, true); }

void GetSetCommand(CommandContext& ctx) { SetGeneric(ctx, ctx.arg(1), ctx.arg(2), kGet, -1); }

void GetDelCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  if (!found) {
    ctx.reply.Null();
    return;
  }
  ctx.ks.StageDelete(ctx.client.db, ctx.arg(1), KeyState::kLive, v.expire_ms);
  MarkDirty(ctx);
  ctx.reply.Bulk(v.payload);
}

void GetExCommand(CommandContext& ctx) {
  unsigned flags;
  int64_t expire_at;
  std::string_view expire_arg;
  if (!ParseSetOptions(ctx, 2, false, &flags, &expire_arg)) return;
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  if (!found) {
    ctx.reply.Null();
    return;
  }
  // As Redis: the expiry is checked once the key is known to exist and be a string.
  if (!ResolveExpire(ctx, flags, expire_arg, &expire_at)) return;
  std::string payload = v.payload;
  if (expire_at >= 0 && expire_at <= ctx.now_ms) {
    ctx.ks.StageDelete(ctx.client.db, ctx.arg(1), KeyState::kLive, v.expire_ms);
    MarkDirty(ctx);
  } else if (expire_at >= 0 || ((flags & kPersist) && v.expire_ms >= 0)) {
    int64_t old = v.expire_ms;
    v.expire_ms = expire_at;  // -1 for PERSIST
    Put(ctx, ctx.arg(1), v, true, old);
    MarkDirty(ctx);
  }
  ctx.reply.Bulk(payload);
}

void MGetCommand(CommandContext& ctx) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 1));
  for (size_t i = 1; i < ctx.argc(); i++) {
    StoredValue v;
    Status s;
    bool expired = false;
    bool found = ctx.ks.Get(ctx.client.db, ctx.arg(i), &v, &s, ctx.now_ms, &expired);
    if (expired) ctx.server.stats().expired_keys++;
    if (found && s.ok() && v.type == ValueType::kString) {
      ctx.server.stats().keyspace_hits++;
      ctx.reply.Bulk(v.payload);
    } else {
      ctx.server.stats().keyspace_misses++;
      ctx.reply.Null();
    }
  }
}

// MSET/MSETNX: a key given twice is written once, with its last value.
void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) + "' command");
    return;
  }
  std::unordered_set<std::string_view> seen;
  std::vector<size_t> order;  // argv index of each distinct key's last occurrence
  for (size_t i = ctx.argc() - 2; i >= 1; i -= 2) {
    if (seen.insert(ctx.arg(i)).second) order.push_back(i);
    if (i < 2) break;
  }
  struct Old {
    KeyState state;
    int64_t expire;
  };
  std::vector<Old> olds;
  olds.reserve(order.size());
  for (size_t i : order) {
    StoredValue old;
    Status s;
    KeyState st = ctx.ks.Lookup(ctx.client.db, ctx.arg(i), &old, &s, /*cache_row=*/false);
    if (!s.ok()) return ReplyStoreError(ctx, s);
    bool live = st == KeyState::kLive && !(old.expire_ms >= 0 && old.expire_ms <= ctx.now_ms);
    if (nx && live) {
      ctx.reply.Integer(0);
      return;
    }
    olds.push_back({st, old.expire_ms});
  }
  StoredValue v;
  for (size_t k = 0; k < order.size(); k++) {
    v.payload.assign(ctx.arg(order[k] + 1));
    ctx.ks.StagePut(ctx.client.db, ctx.arg(order[k]), v, olds[k].state, olds[k].expire);
  }
  MarkDirty(ctx, order.size());
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}
void MSetCommand(CommandContext& ctx) { MSetGeneric(ctx, false); }
void MSetNxCommand(CommandContext& ctx) { MSetGeneric(ctx, true); }

void IncrGeneric(CommandContext& ctx, int64_t incr) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  int64_t cur = 0;
  if (found && !ParseInt64Strict(v.payload, &cur)) {
    ctx.reply.Error(errors::kNotInt);
    return;
  }
  if ((incr < 0 && cur < 0 && incr < INT64_MIN - cur) ||
      (incr > 0 && cur > 0 && incr > INT64_MAX - cur)) {
    ctx.reply.Error(errors::kOverflow);
    return;
  }
  int64_t next = cur + incr;
  int64_t old_expire = found ? v.expire_ms : -1;
  if (!found) v.expire_ms = -1;
  v.payload = std::to_string(next);
  Put(ctx, ctx.arg(1), v, found, old_expire);
  MarkDirty(ctx);
  ctx.reply.Integer(next);
}

void IncrCommand(CommandContext& ctx) { IncrGeneric(ctx, 1); }
void DecrCommand(CommandContext& ctx) { IncrGeneric(ctx, -1); }
void IncrByCommand(CommandContext& ctx) {
  int64_t by;
  if (!ParseInt64Strict(ctx.arg(2), &by)) return ctx.reply.Error(errors::kNotInt);
  IncrGeneric(ctx, by);
}
void DecrByCommand(CommandContext& ctx) {
  int64_t by;
  if (!ParseInt64Strict(ctx.arg(2), &by)) return ctx.reply.Error(errors::kNotInt);
  if (by == INT64_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrGeneric(ctx, -by);
}

void IncrByFloatCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  long double cur = 0, incr;
  if (found && !ParseLongDouble(v.payload, &cur)) return ctx.reply.Error(errors::kNotFloat);
  if (!ParseLongDouble(ctx.arg(2), &incr)) return ctx.reply.Error(errors::kNotFloat);
  long double next = cur + incr;
  if (std::isnan(next) || std::isinf(next)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  std::string text;
  if (!FormatLongDouble(next, &text)) return ctx.reply.Error(errors::kNotFloat);
  int64_t old_expire = found ? v.expire_ms : -1;
  if (!found) v.expire_ms = -1;
  v.payload = text;
  Put(ctx, ctx.arg(1), v, found, old_expire);
  MarkDirty(ctx);
  ctx.reply.Bulk(text);
}

void AppendCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  if (!found) v.expire_ms = -1;
  if (!CheckStringLength(ctx, v.payload.size() + ctx.arg(2).size())) return;
  int64_t old_expire = found ? v.expire_ms : -1;
  v.payload.append(ctx.arg(2));
  Put(ctx, ctx.arg(1), v, found, old_expire);
  MarkDirty(ctx);
  ctx.reply.Integer(static_cast<int64_t>(v.payload.size()));
}

void StrlenCommand(CommandContext& ctx) {
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  ctx.reply.Integer(found ? static_cast<int64_t>(v.payload.size()) : 0);
}

void GetRangeCommand(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64Strict(ctx.arg(2), &start) || !ParseInt64Strict(ctx.arg(3), &end)) {
    return ctx.reply.Error(errors::kNotInt);
  }
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  auto len = static_cast<int64_t>(v.payload.size());
  if (!found || (start < 0 && end < 0 && start > end)) return ctx.reply.Bulk("");
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(std::string_view(v.payload).substr(start, end - start + 1));
}

void SetRangeCommand(CommandContext& ctx) {
  int64_t offset;
  if (!ParseInt64Strict(ctx.arg(2), &offset)) return ctx.reply.Error(errors::kNotInt);
  if (offset < 0) return ctx.reply.Error("ERR offset is out of range");
  std::string_view value = ctx.arg(3);
  StoredValue v;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &v, &found)) return;
  if (value.empty()) {
    ctx.reply.Integer(found ? static_cast<int64_t>(v.payload.size()) : 0);
    return;
  }
  if (!CheckStringLength(ctx, static_cast<uint64_t>(offset) + value.size())) return;
  if (!found) v.expire_ms = -1;
  int64_t old_expire = found ? v.expire_ms : -1;
  size_t need = static_cast<size_t>(offset) + value.size();
  if (v.payload.size() < need) v.payload.resize(need, '\0');
  v.payload.replace(static_cast<size_t>(offset), value.size(), value);
  Put(ctx, ctx.arg(1), v, found, old_expire);
  MarkDirty(ctx);
  ctx.reply.Integer(static_cast<int64_t>(v.payload.size()));
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"get", 2, "readonly fast", {1, 1, 1}, GetCommand},
    {"set", -3, "write denyoom", {1, 1, 1}, SetCommand},
    {"setnx", 3, "write denyoom fast", {1, 1, 1}, SetNxCommand},
    {"setex", 4, "write denyoom", {1, 1, 1}, SetExCommand},
    {"psetex", 4, "write denyoom", {1, 1, 1}, PSetExCommand},
    {"getset", 3, "write denyoom fast", {1, 1, 1}, GetSetCommand},
    {"getdel", 2, "write fast", {1, 1, 1}, GetDelCommand},
    {"getex", -2, "write fast", {1, 1, 1}, GetExCommand},
    {"mget", -2, "readonly fast", {1, -1, 1}, MGetCommand},
    {"mset", -3, "write denyoom", {1, -1, 2}, MSetCommand},
    {"msetnx", -3, "write denyoom", {1, -1, 2}, MSetNxCommand},
    {"incr", 2, "write denyoom fast", {1, 1, 1}, IncrCommand},
    {"decr", 2, "write denyoom fast", {1, 1, 1}, DecrCommand},
    {"incrby", 3, "write denyoom fast", {1, 1, 1}, IncrByCommand},
    {"decrby", 3, "write denyoom fast", {1, 1, 1}, DecrByCommand},
    {"incrbyfloat", 3, "write denyoom fast", {1, 1, 1}, IncrByFloatCommand},
    {"append", 3, "write denyoom fast", {1, 1, 1}, AppendCommand},
    {"strlen", 2, "readonly fast", {1, 1, 1}, StrlenCommand},
    {"getrange", 4, "readonly", {1, 1, 1}, GetRangeCommand},
    {"substr", 4, "readonly", {1, 1, 1}, GetRangeCommand},
    {"setrange", 4, "write denyoom", {1, 1, 1}, SetRangeCommand},
};

}  // namespace

void RegisterStringCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
