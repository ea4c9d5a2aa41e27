// Hash commands: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HLEN HDEL HEXISTS HSTRLEN
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN (Redis's t_hash.c). The encoding is src/types/hash.h; these
// functions parse arguments and shape replies.
#include <cmath>
#include <optional>

#include "commands/commands.h"
#include "commands/random_reply.h"
#include "commands/scan_cursor.h"
#include "server/command.h"
#include "server/server.h"
#include "types/hash.h"
#include "types/random_pick.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

/*--- Helpers ---*/

// Opens the hash at `key` for this command. Replies and returns nullopt on a store error or a
// key of another type. A missing key gives an empty hash that the first write creates.
std::optional<types::Hash> OpenHash(CommandContext& ctx, std::string_view key) {
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, key, &v, &found)) return std::nullopt;
  if (found && v.type != ValueType::kHash) {
    ctx.reply.Error(errors::kWrongType);
    return std::nullopt;
  }
  return std::optional<types::Hash>(std::in_place, &ctx.ks, ctx.client.db, key,
                                    found ? &v : nullptr);
}

// Replies the store error and takes back what the command staged.
void Fail(CommandContext& ctx, const Status& s) {
  ctx.ks.Abort();
  ReplyStoreError(ctx, s);
}

/*--- Commands ---*/

// HSET key field value [field value ...] -> the number of fields added.
// HMSET: the same, replying +OK.
void HSetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 != 0) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) +
                           "' command");
  }
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    bool is_new;
    Status s = h->Set(ctx.arg(i), ctx.arg(i + 1), &is_new);
    if (!s.ok()) return Fail(ctx, s);
    added += is_new;
  }
  h->Finish();
  MarkDirty(ctx, (ctx.argc() - 2) / 2);
  hmset ? ctx.reply.Ok() : ctx.reply.Integer(added);
}
void HSetCommand(CommandContext& ctx) { HSetGeneric(ctx, false); }
void HMSetCommand(CommandContext& ctx) { HSetGeneric(ctx, true); }

// HSETNX key field value -> 1 if set, 0 if the field existed.
void HSetNxCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string old;
  Status s = h->Get(ctx.arg(2), &old);
  if (s.ok()) return ctx.reply.Integer(0);
  if (!s.IsNotFound()) return Fail(ctx, s);
  bool added;
  s = h->Set(ctx.arg(2), ctx.arg(3), &added);
  if (!s.ok()) return Fail(ctx, s);
  h->Finish();
  MarkDirty(ctx);
  ctx.reply.Integer(1);
}

// HGET key field -> the value, or nil.
void HGetCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string value;
  Status s = h->Get(ctx.arg(2), &value);
  if (s.IsNotFound()) return ctx.reply.Null();
  if (!s.ok()) return Fail(ctx, s);
  ctx.reply.Bulk(value);
}

// HMGET key field [field ...] -> an array of values and nils.
void HMGetCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  std::string value;
  for (size_t i = 2; i < ctx.argc(); i++) {
    Status s = h->Get(ctx.arg(i), &value);
    if (s.ok()) {
      ctx.reply.Bulk(value);
    } else {
      ctx.reply.Null();  // absent, or unreadable (logged by the store)
    }
  }
}

enum class Part { kFields, kValues, kBoth };

// HGETALL (fields and values; a map in RESP3), HKEYS, HVALS.
void ReplyHash(CommandContext& ctx, Part part) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  const auto n = static_cast<int64_t>(h->size());
  // The count comes from the value record; the elements from one consistent iteration.
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(static_cast<size_t>(n));
  types::PrefixIterator it = h->Fields();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    items.emplace_back(part == Part::kValues ? std::string() : std::string(it.key()),
                       part == Part::kFields ? std::string() : std::string(it.value()));
  }
  if (!it.status().ok()) return Fail(ctx, it.status());
  if (part == Part::kBoth) {
    ctx.reply.MapHeader(static_cast<int64_t>(items.size()));
  } else {
    ctx.reply.ArrayHeader(static_cast<int64_t>(items.size()));
  }
  for (const auto& [field, value] : items) {
    if (part != Part::kValues) ctx.reply.Bulk(field);
    if (part != Part::kFields) ctx.reply.Bulk(value);
  }
}
void HGetAllCommand(CommandContext& ctx) { ReplyHash(ctx, Part::kBoth); }
void HKeysCommand(CommandContext& ctx) { ReplyHash(ctx, Part::kFields); }
void HValsCommand(CommandContext& ctx) { ReplyHash(ctx, Part::kValues); }

// HLEN key -> the number of fields.
void HLenCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (h) ctx.reply.Integer(static_cast<int64_t>(h->size()));
}

// HDEL key field [field ...] -> the number of fields removed.
void HDelCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc(); i++) {
    bool gone;
    Status s = h->Delete(ctx.arg(i), &gone);
    if (!s.ok()) return Fail(ctx, s);
    deleted += gone;
  }
  h->Finish();
  MarkDirty(ctx, static_cast<uint64_t>(deleted));
  ctx.reply.Integer(deleted);
}

// HEXISTS key field -> 1 or 0.
void HExistsCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string value;
  Status s = h->Get(ctx.arg(2), &value);
  if (!s.ok() && !s.IsNotFound()) return Fail(ctx, s);
  ctx.reply.Integer(s.ok() ? 1 : 0);
}

// HSTRLEN key field -> the value's length, 0 if absent.
void HStrlenCommand(CommandContext& ctx) {
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string value;
  Status s = h->Get(ctx.arg(2), &value);
  if (!s.ok() && !s.IsNotFound()) return Fail(ctx, s);
  ctx.reply.Integer(s.ok() ? static_cast<int64_t>(value.size()) : 0);
}

// HINCRBY key field increment -> the new value.
void HIncrByCommand(CommandContext& ctx) {
  int64_t by;
  if (!ParseInt64Strict(ctx.arg(3), &by)) return ctx.reply.Error(errors::kNotInt);
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string old;
  Status s = h->Get(ctx.arg(2), &old);
  if (!s.ok() && !s.IsNotFound()) return Fail(ctx, s);
  int64_t cur = 0;
  if (s.ok() && !ParseInt64Strict(old, &cur)) {
    return ctx.reply.Error("ERR hash value is not an integer");
  }
  if ((by < 0 && cur < 0 && by < INT64_MIN - cur) || (by > 0 && cur > 0 && by > INT64_MAX - cur)) {
    return ctx.reply.Error(errors::kOverflow);
  }
  const int64_t next = cur + by;
  bool added;
  s = h->Set(ctx.arg(2), std::to_string(next), &added);
  if (!s.ok()) return Fail(ctx, s);
  h->Finish();
  MarkDirty(ctx);
  ctx.reply.Integer(next);
}

// HINCRBYFLOAT key field increment -> the new value, as a bulk string.
void HIncrByFloatCommand(CommandContext& ctx) {
  long double by;
  if (!ParseLongDouble(ctx.arg(3), &by)) return ctx.reply.Error(errors::kNotFloat);
  if (std::isnan(by) || std::isinf(by)) return ctx.reply.Error("ERR value is NaN or Infinity");
  auto h = OpenHash(ctx, ctx.arg(1));
  if (!h) return;
  std::string old;
  Status s = h->Get(ctx.arg(2), &old);
  if (!s.ok() && !s.IsNotFound()) return Fail(ctx, s);
  long double cur = 0;
  if (s.ok() && !ParseLongDouble(old, &cur)) {
    return ctx.reply.Error("ERR hash value is not a float");
  }
  const long double next = cur + by;
  if (std::isnan(next) || std::isinf(next)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  std::string text;
  if (!FormatLongDouble(next, &text)) return ctx.reply.Error(errors::kNotFloat);
  bool added;
  s = h->Set(ctx.arg(2), text, &added);
  if (!s.ok()) return Fail(ctx, s);
  h->Finish();
  MarkDirty(ctx);
  ctx.reply.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]] -> a random field (nil if none); with a count >= 0 up
// to count distinct fields, with a negative count exactly -count, repeats allowed. With
// WITHVALUES each field is followed by its value (RESP2), or each is a [field, value] pair
// (RESP3).
void HRandFieldCommand(CommandContext& ctx) {
  int64_t count = 1;
  bool withvalues = false;
  const bool with_count = ctx.argc() >= 3;
  if (with_count) {
    if (!ParseInt64Strict(ctx.arg(2), &count)) return ctx.reply.Error(errors::kNotInt);
    if (count == INT64_MIN) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "WITHVALUES"))) {
      return ctx.reply.Error(errors::kSyntax);
    }
    withvalues = ctx.argc() == 4;
    if (withvalues && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  if (found && v.type != ValueType::kHash) return ctx.reply.Error(errors::kWrongType);
  if (!found) return with_count ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  if (count == 0) return ctx.reply.ArrayHeader(0);
  types::Hash h(&ctx.ks, ctx.client.db, ctx.arg(1), &v);
  types::PrefixIterator it = h.Fields();
  types::RandomPicker picker(&it, h.size(), &CommandRng());
  std::vector<types::RandomPicker::Element> picked;
  auto emit = [&](const types::RandomPicker::Element& e) {
    if (withvalues && ctx.reply.proto() > 2) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(e.first);
    if (withvalues) ctx.reply.Bulk(e.second);
  };
  auto header = [&](uint64_t n) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(withvalues && ctx.reply.proto() == 2 ? n * 2 : n));
  };
  if (count > 0) {
    Status s = picker.PickDistinct(static_cast<uint64_t>(count), &picked);
    if (!s.ok()) return Fail(ctx, s);
    if (!with_count) return picked.empty() ? ctx.reply.Null() : ctx.reply.Bulk(picked[0].first);
    header(picked.size());
    for (const auto& e : picked) emit(e);
    return;
  }
  // Repeats: in batches, so neither memory nor the reply grows past the output limit.
  const uint64_t total = static_cast<uint64_t>(-count);
  header(total);
  for (uint64_t done = 0; done < total && !ReplyOverLimit(ctx);) {
    Status s = picker.PickWithRepeats(std::min<uint64_t>(total - done, 1024), &picked);
    if (!s.ok()) return Fail(ctx, s);
    if (picked.empty()) break;
    for (const auto& e : picked) emit(e);
    done += picked.size();
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [field, value, ...]].
void HScanCommand(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursorOrReply(ctx, ctx.arg(2), &cursor)) return;
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &v, &found)) return;
  if (!found) {  // checked before the options, as Redis does
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("0");
    return ctx.reply.ArrayHeader(0);
  }
  if (v.type != ValueType::kHash) return ctx.reply.Error(errors::kWrongType);
  ScanOptions opts;
  if (!ParseScanOptionsOrReply(ctx, 3, /*allow_type=*/false, &opts)) return;
  types::Hash h(&ctx.ks, ctx.client.db, ctx.arg(1), &v);
  types::PrefixIterator it = h.Fields();
  ScanCollection(ctx, it, "hash:" + std::to_string(v.version), cursor, opts,
                 /*with_values=*/true);
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"hset", -4, "write denyoom fast", {1, 1, 1}, HSetCommand},
    {"hmset", -4, "write denyoom fast", {1, 1, 1}, HMSetCommand},
    {"hsetnx", 4, "write denyoom fast", {1, 1, 1}, HSetNxCommand},
    {"hget", 3, "readonly fast", {1, 1, 1}, HGetCommand},
    {"hmget", -3, "readonly fast", {1, 1, 1}, HMGetCommand},
    {"hgetall", 2, "readonly", {1, 1, 1}, HGetAllCommand},
    {"hkeys", 2, "readonly", {1, 1, 1}, HKeysCommand},
    {"hvals", 2, "readonly", {1, 1, 1}, HValsCommand},
    {"hlen", 2, "readonly fast", {1, 1, 1}, HLenCommand},
    {"hdel", -3, "write fast", {1, 1, 1}, HDelCommand},
    {"hexists", 3, "readonly fast", {1, 1, 1}, HExistsCommand},
    {"hstrlen", 3, "readonly fast", {1, 1, 1}, HStrlenCommand},
    {"hincrby", 4, "write denyoom fast", {1, 1, 1}, HIncrByCommand},
    {"hincrbyfloat", 4, "write denyoom fast", {1, 1, 1}, HIncrByFloatCommand},
    {"hrandfield", -2, "readonly", {1, 1, 1}, HRandFieldCommand},
    {"hscan", -3, "readonly", {1, 1, 1}, HScanCommand},
};

}  // namespace

void RegisterHashCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
