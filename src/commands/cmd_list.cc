// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM LINSERT LREM
// LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (Redis's
// t_list.c). The encoding is src/types/list.h; blocking is the server's (blocking.cc). Each
// command parses and checks its arguments in Redis's order, so the same bad call gets the
// same error.
#include <algorithm>
#include <optional>

#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"
#include "types/list.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

/*--- Helpers ---*/

enum class End { kHead, kTail };

// Opens the list at `key`. Replies and returns nullopt on a store error or a key of another
// type. A missing key gives an empty list (size 0) that a push creates; *found says which.
std::optional<types::List> OpenList(CommandContext& ctx, std::string_view key,
                                    bool* found = nullptr) {
  StoredValue v;
  bool f;
  if (!LookupOrReply(ctx, ctx.client.db, key, &v, &f)) return std::nullopt;
  if (f && v.type != ValueType::kList) {
    ctx.reply.Error(errors::kWrongType);
    return std::nullopt;
  }
  if (found != nullptr) *found = f;
  return std::optional<types::List>(std::in_place, &ctx.ks, ctx.client.db, key, f ? &v : nullptr);
}

void Fail(CommandContext& ctx, const Status& s) {
  ctx.ks.Abort();
  ReplyStoreError(ctx, s);
}

// Redis's getLongFromObjectOrReply with no message.
bool ParseLongOrReply(CommandContext& ctx, std::string_view arg, int64_t* v) {
  if (ParseInt64Strict(arg, v)) return true;
  ctx.reply.Error(errors::kNotInt);
  return false;
}

// Redis's getRangeLongFromObjectOrReply(min, LONG_MAX) with one message for every failure.
bool ParseAtLeastOrReply(CommandContext& ctx, std::string_view arg, int64_t min, int64_t* v,
                         std::string_view msg) {
  if (ParseInt64Strict(arg, v) && *v >= min) return true;
  ctx.reply.Error(msg);
  return false;
}

// LEFT | RIGHT (any case).
bool ParseEndOrReply(CommandContext& ctx, std::string_view arg, End* end) {
  if (EqualsIgnoreCase(arg, "LEFT")) {
    *end = End::kHead;
  } else if (EqualsIgnoreCase(arg, "RIGHT")) {
    *end = End::kTail;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

Status Pop(types::List& l, End end, std::string* v) {
  return end == End::kHead ? l.PopFront(v) : l.PopBack(v);
}

void Push(types::List& l, End end, std::string_view v) {
  end == End::kHead ? l.PushFront(v) : l.PushBack(v);
}

// Redis's list range normalisation (addListRangeReply, LTRIM): negative indexes count from
// the end; false if the range is empty, else [*start, *stop] lies within [0, n).
bool NormalizeRange(int64_t start, int64_t stop, int64_t n, int64_t* s, int64_t* e) {
  if (start < 0) start = n + start;
  if (stop < 0) stop = n + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *s = start;
  *e = stop;
  return true;
}

// Replies with the elements at positions [start, stop] of l (reverse: from stop down to
// start). REQUIRES: the range lies within the list. Forward replies stream straight from the
// iterator into the reply; if the store fails midway the partial reply is taken back.
void ReplyRange(CommandContext& ctx, types::List& l, int64_t start, int64_t stop, bool reverse) {
  const auto n = static_cast<size_t>(stop - start + 1);
  std::string* out = ctx.reply.buffer();
  const size_t before = out->size();
  std::vector<std::string> items;
  if (reverse) {
    items.reserve(n);
  } else {
    ctx.reply.ArrayHeader(static_cast<int64_t>(n));
  }
  size_t got = 0;
  types::PrefixIterator it = l.Elements(static_cast<uint64_t>(start));
  for (; it.Valid() && got < n; it.Next(), got++) {
    if (reverse) {
      items.emplace_back(it.value());
    } else {
      ctx.reply.Bulk(it.value());
    }
  }
  Status s = it.status();
  if (s.ok() && got != n) s = Status::Corruption("list element missing");
  if (!s.ok()) {
    out->resize(before);
    return Fail(ctx, s);
  }
  if (reverse) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(n));
    for (size_t i = n; i-- > 0;) ctx.reply.Bulk(items[i]);
  }
}

// Pops up to `count` elements from `end` of l, replying with them as an array in pop order.
// Used by LPOP/RPOP with a count and (nested under the key) by LMPOP and BLMPOP.
void PopRangeReply(CommandContext& ctx, types::List& l, End end, int64_t count) {
  const auto n = static_cast<int64_t>(l.size());
  const int64_t k = count > n ? n : count;
  if (end == End::kHead) {
    ReplyRange(ctx, l, 0, k - 1, false);
  } else {
    ReplyRange(ctx, l, n - k, n - 1, true);
  }
  l.Trim(end == End::kHead ? static_cast<uint64_t>(k) : 0,
         end == End::kTail ? static_cast<uint64_t>(k) : 0);
  l.Finish();
  MarkDirty(ctx, static_cast<uint64_t>(k));
}

/*--- Commands ---*/

// LPUSH / RPUSH key element [element ...]; LPUSHX / RPUSHX only push to an existing list.
// -> the length after the pushes.
void PushGeneric(CommandContext& ctx, End end, bool xx) {
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found && xx) return ctx.reply.Integer(0);
  for (size_t i = 2; i < ctx.argc(); i++) Push(*l, end, ctx.arg(i));
  l->Finish();
  MarkDirty(ctx, ctx.argc() - 2);
  ctx.reply.Integer(static_cast<int64_t>(l->size()));
}
void LPushCommand(CommandContext& ctx) { PushGeneric(ctx, End::kHead, false); }
void RPushCommand(CommandContext& ctx) { PushGeneric(ctx, End::kTail, false); }
void LPushXCommand(CommandContext& ctx) { PushGeneric(ctx, End::kHead, true); }
void RPushXCommand(CommandContext& ctx) { PushGeneric(ctx, End::kTail, true); }

// LPOP / RPOP key [count] -> one element (a bulk), or with a count an array.
void PopGeneric(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) +
                           "' command");
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 0;
  if (has_count && !ParseAtLeastOrReply(ctx, ctx.arg(2), 0, &count,
                                        "ERR value is out of range, must be positive")) {
    return;
  }
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (has_count && count == 0) return ctx.reply.ArrayHeader(0);
  if (!has_count) {
    std::string v;
    Status s = Pop(*l, end, &v);
    if (!s.ok()) return Fail(ctx, s);
    l->Finish();
    MarkDirty(ctx);
    return ctx.reply.Bulk(v);
  }
  PopRangeReply(ctx, *l, end, count);
}
void LPopCommand(CommandContext& ctx) { PopGeneric(ctx, End::kHead); }
void RPopCommand(CommandContext& ctx) { PopGeneric(ctx, End::kTail); }

// LLEN key -> the length.
void LLenCommand(CommandContext& ctx) {
  auto l = OpenList(ctx, ctx.arg(1));
  if (l) ctx.reply.Integer(static_cast<int64_t>(l->size()));
}

// LINDEX key index -> the element, or nil.
void LIndexCommand(CommandContext& ctx) {
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found) return ctx.reply.Null();
  int64_t index;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &index)) return;
  const auto n = static_cast<int64_t>(l->size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return ctx.reply.Null();
  std::string v;
  Status s = l->Get(static_cast<uint64_t>(index), &v);
  if (!s.ok()) return Fail(ctx, s);
  ctx.reply.Bulk(v);
}

// LSET key index element -> OK.
void LSetCommand(CommandContext& ctx) {
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found) return ctx.reply.Error(errors::kNoSuchKey);
  int64_t index;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &index)) return;
  const auto n = static_cast<int64_t>(l->size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return ctx.reply.Error("ERR index out of range");
  l->Set(static_cast<uint64_t>(index), ctx.arg(3));
  l->Finish();
  MarkDirty(ctx);
  ctx.reply.Ok();
}

// LRANGE key start stop -> the elements in [start, stop].
void LRangeCommand(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &start) || !ParseLongOrReply(ctx, ctx.arg(3), &stop)) {
    return;
  }
  auto l = OpenList(ctx, ctx.arg(1));
  if (!l) return;
  int64_t s, e;
  if (!NormalizeRange(start, stop, static_cast<int64_t>(l->size()), &s, &e)) {
    return ctx.reply.ArrayHeader(0);
  }
  ReplyRange(ctx, *l, s, e, false);
}

// LTRIM key start stop -> OK; keeps only [start, stop].
void LTrimCommand(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &start) || !ParseLongOrReply(ctx, ctx.arg(3), &stop)) {
    return;
  }
  auto l = OpenList(ctx, ctx.arg(1));
  if (!l) return;
  const auto n = static_cast<int64_t>(l->size());
  int64_t s, e, front, back;
  if (NormalizeRange(start, stop, n, &s, &e)) {
    front = s;
    back = n - e - 1;
  } else {
    front = n;
    back = 0;
  }
  l->Trim(static_cast<uint64_t>(front), static_cast<uint64_t>(back));
  l->Finish();
  MarkDirty(ctx, static_cast<uint64_t>(front + back));
  ctx.reply.Ok();
}

// Positions of the elements equal to `element`, scanning from the head (from_tail false) or
// the tail, stopping after `limit` matches (0: all) or `maxlen` elements looked at (0: all).
// The positions are in scan order.
Status FindMatches(types::List& l, std::string_view element, bool from_tail, uint64_t limit,
                   uint64_t maxlen, std::vector<uint64_t>* out) {
  const uint64_t n = l.size();
  const uint64_t scan = maxlen == 0 || maxlen > n ? n : maxlen;
  if (!from_tail) {
    types::PrefixIterator it = l.Elements(0);
    for (uint64_t pos = 0; it.Valid() && pos < scan; it.Next(), pos++) {
      if (it.value() == element) {
        out->push_back(pos);
        if (limit != 0 && out->size() >= limit) break;
      }
    }
    return it.status();
  }
  // From the tail: point reads, newest position first (the iterator only goes forward).
  std::string v;
  for (uint64_t k = 0; k < scan; k++) {
    const uint64_t pos = n - 1 - k;
    Status s = l.Get(pos, &v);
    if (!s.ok()) return s;
    if (v == element) {
      out->push_back(pos);
      if (limit != 0 && out->size() >= limit) break;
    }
  }
  return Status::OK();
}

// LINSERT key BEFORE|AFTER pivot element -> the new length, -1 without the pivot, 0 without
// the key.
void LInsertCommand(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "BEFORE")) {
    after = false;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found) return ctx.reply.Integer(0);
  std::vector<uint64_t> pos;
  Status s = FindMatches(*l, ctx.arg(3), false, 1, 0, &pos);
  if (!s.ok()) return Fail(ctx, s);
  if (pos.empty()) return ctx.reply.Integer(-1);
  s = l->Insert(pos[0] + (after ? 1 : 0), ctx.arg(4));
  if (!s.ok()) return Fail(ctx, s);
  l->Finish();
  MarkDirty(ctx);
  ctx.reply.Integer(static_cast<int64_t>(l->size()));
}

// LREM key count element -> how many were removed (count > 0: first count from the head,
// < 0: from the tail, 0: all).
void LRemCommand(CommandContext& ctx) {
  int64_t count;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &count)) return;
  auto l = OpenList(ctx, ctx.arg(1));
  if (!l) return;
  std::vector<uint64_t> pos;
  const uint64_t limit =
      count == INT64_MIN ? uint64_t{1} << 63 : static_cast<uint64_t>(count < 0 ? -count : count);
  Status s = FindMatches(*l, ctx.arg(3), count < 0, limit, 0, &pos);
  if (!s.ok()) return Fail(ctx, s);
  if (count < 0) std::reverse(pos.begin(), pos.end());
  s = l->Erase(pos);
  if (!s.ok()) return Fail(ctx, s);
  l->Finish();
  MarkDirty(ctx, pos.size());
  ctx.reply.Integer(static_cast<int64_t>(pos.size()));
}

// LPOS key element [RANK rank] [COUNT num] [MAXLEN len] -> a position or nil; with COUNT an
// array of positions.
void LPosCommand(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  for (size_t j = 3; j < ctx.argc(); j++) {
    const std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "RANK") && more) {
      if (!ParseLongOrReply(ctx, ctx.arg(++j), &rank)) return;
      if (rank == 0) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
    } else if (EqualsIgnoreCase(opt, "COUNT") && more) {
      if (!ParseAtLeastOrReply(ctx, ctx.arg(++j), 0, &count, "ERR COUNT can't be negative")) {
        return;
      }
    } else if (EqualsIgnoreCase(opt, "MAXLEN") && more) {
      if (!ParseAtLeastOrReply(ctx, ctx.arg(++j), 0, &maxlen, "ERR MAXLEN can't be negative")) {
        return;
      }
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  const bool from_tail = rank < 0;
  // Redis negates RANK LONG_MIN into LONG_MIN again: every match then counts, from the
  // first one met from the tail, and COUNT never stops the scan.
  const bool rank_min = rank == INT64_MIN;
  const uint64_t skip = rank_min ? 0 : static_cast<uint64_t>(from_tail ? -rank : rank) - 1;
  if (rank_min && count > 0) count = 0;
  bool found;
  auto l = OpenList(ctx, ctx.arg(1), &found);
  if (!l) return;
  if (!found) return count != -1 ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  // Matches wanted: the first `skip` are passed over; COUNT 0 means all.
  const uint64_t want =
      count > 0 ? skip + static_cast<uint64_t>(count) : (count == 0 ? 0 : skip + 1);
  std::vector<uint64_t> pos;
  Status s = FindMatches(*l, ctx.arg(2), from_tail, want < skip ? 0 : want,
                         static_cast<uint64_t>(maxlen), &pos);
  if (!s.ok()) return Fail(ctx, s);
  if (count == -1) {
    if (pos.size() > skip) return ctx.reply.Integer(static_cast<int64_t>(pos[skip]));
    return ctx.reply.Null();
  }
  const size_t first = pos.size() > skip ? skip : pos.size();
  ctx.reply.ArrayHeader(static_cast<int64_t>(pos.size() - first));
  for (size_t i = first; i < pos.size(); i++) ctx.reply.Integer(static_cast<int64_t>(pos[i]));
}

// Moves one element from the `from` end of src to the `to` end of dst and replies with it, or
// with nil when src is missing (LMOVE, RPOPLPUSH, and BLMOVE/BRPOPLPUSH with data). *empty:
// src was missing and nothing was replied (for the blocking variants to decide).
void MoveGeneric(CommandContext& ctx, End from, End to, bool* empty) {
  *empty = false;
  const std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  bool found;
  auto src = OpenList(ctx, src_key, &found);
  if (!src) return;
  if (!found) {
    *empty = true;
    return;
  }
  std::string v;
  if (src_key == dst_key) {
    Status s = Pop(*src, from, &v);
    if (!s.ok()) return Fail(ctx, s);
    Push(*src, to, v);
    src->Finish();
  } else {
    auto dst = OpenList(ctx, dst_key);
    if (!dst) return;
    Status s = Pop(*src, from, &v);
    if (!s.ok()) return Fail(ctx, s);
    Push(*dst, to, v);
    dst->Finish();
    src->Finish();
  }
  MarkDirty(ctx);
  ctx.reply.Bulk(v);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT -> the element moved, or nil.
void LMoveCommand(CommandContext& ctx) {
  End from, to;
  if (!ParseEndOrReply(ctx, ctx.arg(3), &from) || !ParseEndOrReply(ctx, ctx.arg(4), &to)) return;
  bool empty;
  MoveGeneric(ctx, from, to, &empty);
  if (empty) ctx.reply.Null();
}

// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
void RPopLPushCommand(CommandContext& ctx) {
  bool empty;
  MoveGeneric(ctx, End::kTail, End::kHead, &empty);
  if (empty) ctx.reply.Null();
}

// Pops from the first non-empty list of `keys`: [key, element] (count < 0, BLPOP/BRPOP) or
// [key, [elements...]] (LMPOP/BLMPOP). *none: every key was missing and nothing was replied.
void PopFirstNonEmpty(CommandContext& ctx, const std::vector<std::string_view>& keys, End end,
                      int64_t count, bool* none) {
  *none = false;
  for (std::string_view key : keys) {
    bool found;
    auto l = OpenList(ctx, key, &found);
    if (!l) return;
    if (!found) continue;
    if (count < 0) {
      std::string v;
      Status s = Pop(*l, end, &v);
      if (!s.ok()) return Fail(ctx, s);
      l->Finish();
      MarkDirty(ctx);
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      ctx.reply.Bulk(v);
    } else {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      PopRangeReply(ctx, *l, end, count);
    }
    return;
  }
  *none = true;
}

// Parses "numkeys key... LEFT|RIGHT [COUNT count]" starting at argv[numkeys_idx] (LMPOP,
// BLMPOP) with Redis's checks and errors.
bool ParseMPopOrReply(CommandContext& ctx, size_t numkeys_idx, std::vector<std::string_view>* keys,
                      End* end, int64_t* count) {
  int64_t numkeys;
  if (!ParseAtLeastOrReply(ctx, ctx.arg(numkeys_idx), 1, &numkeys,
                           "ERR numkeys should be greater than 0")) {
    return false;
  }
  const size_t argc = ctx.argc();
  // LEFT|RIGHT must follow the keys: where_idx = numkeys_idx + numkeys + 1 < argc.
  if (static_cast<uint64_t>(numkeys) >= argc - numkeys_idx - 1) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
  if (!ParseEndOrReply(ctx, ctx.arg(where_idx), end)) return false;
  *count = -1;
  for (size_t j = where_idx + 1; j < argc; j++) {
    if (*count == -1 && EqualsIgnoreCase(ctx.arg(j), "COUNT") && j + 1 < argc) {
      if (!ParseAtLeastOrReply(ctx, ctx.arg(++j), 1, count, "ERR count should be greater than 0")) {
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  keys->assign(ctx.argv.begin() + static_cast<ptrdiff_t>(numkeys_idx) + 1,
               ctx.argv.begin() + static_cast<ptrdiff_t>(where_idx));
  return true;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] -> [key, [elements]] or a null array.
void LMPopCommand(CommandContext& ctx) {
  std::vector<std::string_view> keys;
  End end;
  int64_t count;
  if (!ParseMPopOrReply(ctx, 1, &keys, &end, &count)) return;
  bool none;
  PopFirstNonEmpty(ctx, keys, end, count, &none);
  if (none) ctx.reply.NullArray();
}

/*--- Blocking variants ---*/

// Pops as PopFirstNonEmpty, or blocks on every key until one gets elements.
void BlockingPop(CommandContext& ctx, const std::vector<std::string_view>& keys, End end,
                 int64_t count, std::string_view timeout_arg) {
  int64_t deadline;
  if (!ParseTimeoutOrReply(ctx, timeout_arg, &deadline)) return;
  bool none;
  // Served after blocking: from the key that became ready, whatever its place among the
  // keys, as Redis serves it (the others may have been filled by the same EXEC).
  const std::string& ready = ctx.client.block.serving_key;
  if (ctx.client.block.blocked && !ready.empty()) {
    PopFirstNonEmpty(ctx, {ready}, end, count, &none);
  } else {
    PopFirstNonEmpty(ctx, keys, end, count, &none);
  }
  if (!none) return;
  if (!ctx.server.BlockForKeys(ctx, keys, deadline, true, ValueType::kList)) {
    ctx.reply.NullArray();
  }
}

// BLPOP / BRPOP key [key ...] timeout -> [key, element], or a null array on timeout.
void BPopGeneric(CommandContext& ctx, End end) {
  std::vector<std::string_view> keys(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  BlockingPop(ctx, keys, end, -1, ctx.argv.back());
}
void BLPopCommand(CommandContext& ctx) { BPopGeneric(ctx, End::kHead); }
void BRPopCommand(CommandContext& ctx) { BPopGeneric(ctx, End::kTail); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
void BLMPopCommand(CommandContext& ctx) {
  std::vector<std::string_view> keys;
  End end;
  int64_t count;
  if (!ParseMPopOrReply(ctx, 2, &keys, &end, &count)) return;
  BlockingPop(ctx, keys, end, count, ctx.arg(1));
}

// BLMOVE / BRPOPLPUSH: LMOVE, or block on the source until it gets elements.
void BlockingMove(CommandContext& ctx, End from, End to, std::string_view timeout_arg) {
  int64_t deadline;
  if (!ParseTimeoutOrReply(ctx, timeout_arg, &deadline)) return;
  bool empty;
  MoveGeneric(ctx, from, to, &empty);
  if (!empty) return;
  // As Redis: a timeout replies a null array, the refusal to block (EXEC, scripts) a null.
  if (!ctx.server.BlockForKeys(ctx, {ctx.arg(1)}, deadline, true, ValueType::kList)) {
    ctx.reply.Null();
  }
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
void BLMoveCommand(CommandContext& ctx) {
  End from, to;
  if (!ParseEndOrReply(ctx, ctx.arg(3), &from) || !ParseEndOrReply(ctx, ctx.arg(4), &to)) return;
  BlockingMove(ctx, from, to, ctx.arg(5));
}

// BRPOPLPUSH source destination timeout.
void BRPopLPushCommand(CommandContext& ctx) {
  BlockingMove(ctx, End::kTail, End::kHead, ctx.arg(3));
}

// name, arity, flags, key positions {first, last, step}, function
const CommandSpec kCommands[] = {
    {"lpush", -3, "write denyoom fast", {1, 1, 1}, LPushCommand},
    {"rpush", -3, "write denyoom fast", {1, 1, 1}, RPushCommand},
    {"lpushx", -3, "write denyoom fast", {1, 1, 1}, LPushXCommand},
    {"rpushx", -3, "write denyoom fast", {1, 1, 1}, RPushXCommand},
    {"lpop", -2, "write fast", {1, 1, 1}, LPopCommand},
    {"rpop", -2, "write fast", {1, 1, 1}, RPopCommand},
    {"llen", 2, "readonly fast", {1, 1, 1}, LLenCommand},
    {"lindex", 3, "readonly", {1, 1, 1}, LIndexCommand},
    {"lset", 4, "write denyoom", {1, 1, 1}, LSetCommand},
    {"lrange", 4, "readonly", {1, 1, 1}, LRangeCommand},
    {"ltrim", 4, "write", {1, 1, 1}, LTrimCommand},
    {"linsert", 5, "write denyoom", {1, 1, 1}, LInsertCommand},
    {"lrem", 4, "write", {1, 1, 1}, LRemCommand},
    {"lpos", -3, "readonly", {1, 1, 1}, LPosCommand},
    {"lmove", 5, "write denyoom", {1, 2, 1}, LMoveCommand},
    {"rpoplpush", 3, "write denyoom", {1, 2, 1}, RPopLPushCommand},
    {"lmpop", -4, "write movablekeys", {}, LMPopCommand},
    {"blpop", -3, "write noscript blocking", {1, -2, 1}, BLPopCommand},
    {"brpop", -3, "write noscript blocking", {1, -2, 1}, BRPopCommand},
    {"blmove", 6, "write denyoom noscript blocking", {1, 2, 1}, BLMoveCommand},
    {"brpoplpush", 4, "write denyoom noscript blocking", {1, 2, 1}, BRPopLPushCommand},
    {"blmpop", -5, "write blocking movablekeys", {}, BLMPopCommand},
};

}  // namespace

void RegisterListCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
