// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN (Redis's t_set.c). The
// encoding is src/types/set.h, the merges src/types/set_algebra.h, random choice
// src/types/random_pick.h; these functions parse arguments and shape replies.
#include <algorithm>
#include <optional>

#include "commands/commands.h"
#include "commands/random_reply.h"
#include "commands/scan_cursor.h"
#include "server/command.h"
#include "server/server.h"
#include "types/random_pick.h"
#include "types/set.h"
#include "types/set_algebra.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors
using types::Set;

namespace {

/*--- Helpers ---*/

// Opens the set at `key` for this command. Replies and returns nullopt on a store error or a
// key of another type. A missing key gives an empty set (*found false) that the first write
// creates.
std::optional<Set> OpenSet(CommandContext& ctx, std::string_view key, bool* found = nullptr) {
  StoredValue v;
  bool exists;
  if (!LookupOrReply(ctx, ctx.client.db, key, &v, &exists)) return std::nullopt;
  if (exists && v.type != ValueType::kSet) {
    ctx.reply.Error(errors::kWrongType);
    return std::nullopt;
  }
  if (found != nullptr) *found = exists;
  return std::optional<Set>(std::in_place, &ctx.ks, ctx.client.db, key, exists ? &v : nullptr);
}

// Replies the store error and takes back what the command staged.
void Fail(CommandContext& ctx, const Status& s) {
  ctx.ks.Abort();
  ReplyStoreError(ctx, s);
}

// Redis's getRangeLongFromObjectOrReply: an integer in [min, max]; `msg` replaces both the
// not-an-integer and the out-of-range texts when given.
bool ParseRangeOrReply(CommandContext& ctx, std::string_view arg, int64_t min, int64_t max,
                       const char* msg, int64_t* out) {
  if (!ParseInt64Strict(arg, out)) {
    ctx.reply.Error(msg != nullptr ? std::string("ERR ") + msg : std::string(errors::kNotInt));
    return false;
  }
  if (*out < min || *out > max) {
    ctx.reply.Error(msg != nullptr ? std::string("ERR ") + msg
                                   : "ERR value is out of range, value must between " +
                                         std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  return true;
}

// Redis's getPositiveLongFromObjectOrReply (SPOP's count).
bool ParsePositiveOrReply(CommandContext& ctx, std::string_view arg, int64_t* out) {
  return ParseRangeOrReply(ctx, arg, 0, INT64_MAX, "value is out of range, must be positive", out);
}

// The source sets of a multi-key command, looked up in argument order as Redis does: the
// first key of another type is the WRONGTYPE error; missing keys are empty sets (nullopt).
// Returns false after replying an error.
bool OpenSources(CommandContext& ctx, size_t first, size_t n,
                 std::vector<std::optional<Set>>* out) {
  out->clear();
  for (size_t i = first; i < first + n; i++) {
    bool found;
    auto s = OpenSet(ctx, ctx.arg(i), &found);
    if (!s) return false;
    if (found) {
      out->push_back(std::move(s));
    } else {
      out->emplace_back(std::nullopt);
    }
  }
  return true;
}

enum class SetOp { kInter, kUnion, kDiff };

// Computes op over the sources; emit gets each member of the result in byte order and may
// stop the computation by returning false.
Status Compute(SetOp op, std::vector<std::optional<Set>>& sets, const types::MemberFn& emit) {
  std::vector<Set*> present;
  for (auto& s : sets) {
    if (s) present.push_back(&*s);
  }
  if (op == SetOp::kInter) {
    if (present.size() != sets.size()) return Status::OK();  // with an empty set: empty
    // Smallest first: the leapfrog join walks it, the others seek.
    std::stable_sort(present.begin(), present.end(),
                     [](const Set* a, const Set* b) { return a->size() < b->size(); });
  }
  if (op == SetOp::kDiff && !sets[0]) return Status::OK();
  std::vector<types::PrefixIterator> its;
  its.reserve(present.size());
  for (Set* s : present) its.push_back(s->Members());
  std::vector<types::PrefixIterator*> ptrs;
  for (auto& it : its) ptrs.push_back(&it);
  switch (op) {
    case SetOp::kInter:
      return types::Intersect(ptrs, emit);
    case SetOp::kUnion:
      return types::Union(ptrs, emit);
    case SetOp::kDiff:
      return types::Difference(ptrs, emit);
  }
  return Status::OK();
}

// SINTER, SUNION, SDIFF (and SMEMBERS): the result as a set reply.
void SetOpReply(CommandContext& ctx, SetOp op, size_t first) {
  std::vector<std::optional<Set>> sets;
  if (!OpenSources(ctx, first, ctx.argc() - first, &sets)) return;
  std::string body;  // the members, written before their count is known
  resp::Writer w(&body, ctx.reply.proto());
  int64_t n = 0;
  Status s = Compute(op, sets, [&](std::string_view m) {
    w.Bulk(m);
    n++;
    return true;
  });
  if (!s.ok()) return Fail(ctx, s);
  ctx.reply.SetHeader(n);
  ctx.reply.buffer()->append(body);
}

// SINTERSTORE, SUNIONSTORE, SDIFFSTORE: the result replaces `dst` whatever it held (without
// a TTL), or deletes it when empty. Replies the result's size.
void SetOpStore(CommandContext& ctx, SetOp op) {
  std::vector<std::optional<Set>> sets;
  if (!OpenSources(ctx, 2, ctx.argc() - 2, &sets)) return;
  std::vector<std::string> result;
  Status s = Compute(op, sets, [&](std::string_view m) {
    result.emplace_back(m);
    return true;
  });
  if (!s.ok()) return Fail(ctx, s);
  StoredValue old;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &old, &found)) return ctx.ks.Abort();
  Set dst = Set::Replacing(&ctx.ks, ctx.client.db, ctx.arg(1), found ? &old : nullptr);
  for (const auto& m : result) dst.AddAbsent(m);
  dst.Finish();
  if (found || !result.empty()) MarkDirty(ctx);
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

/*--- Commands ---*/

// SADD key member [member ...] -> the number of members added.
void SAddCommand(CommandContext& ctx) {
  auto set = OpenSet(ctx, ctx.arg(1));
  if (!set) return;
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i++) {
    bool is_new;
    Status s = set->Add(ctx.arg(i), &is_new);
    if (!s.ok()) return Fail(ctx, s);
    added += is_new;
  }
  set->Finish();
  MarkDirty(ctx, static_cast<uint64_t>(added));
  ctx.reply.Integer(added);
}

// SREM key member [member ...] -> the number of members removed.
void SRemCommand(CommandContext& ctx) {
  auto set = OpenSet(ctx, ctx.arg(1));
  if (!set) return;
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && set->size() > 0; i++) {
    bool gone;
    Status s = set->Remove(ctx.arg(i), &gone);
    if (!s.ok()) return Fail(ctx, s);
    removed += gone;
  }
  set->Finish();
  MarkDirty(ctx, static_cast<uint64_t>(removed));
  ctx.reply.Integer(removed);
}

// SMEMBERS key -> every member (a set in RESP3).
void SMembersCommand(CommandContext& ctx) { SetOpReply(ctx, SetOp::kInter, 1); }

// SISMEMBER key member -> 1 or 0.
void SIsMemberCommand(CommandContext& ctx) {
  auto set = OpenSet(ctx, ctx.arg(1));
  if (!set) return;
  bool found;
  Status s = set->Contains(ctx.arg(2), &found);
  if (!s.ok()) return Fail(ctx, s);
  ctx.reply.Integer(found ? 1 : 0);
}

// SMISMEMBER key member [member ...] -> 1 or 0 for each.
void SMIsMemberCommand(CommandContext& ctx) {
  auto set = OpenSet(ctx, ctx.arg(1));
  if (!set) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    bool found = false;
    Status s = set->Contains(ctx.arg(i), &found);
    ctx.reply.Integer(s.ok() && found ? 1 : 0);  // unreadable: logged by the store
  }
}

// SCARD key -> the number of members.
void SCardCommand(CommandContext& ctx) {
  auto set = OpenSet(ctx, ctx.arg(1));
  if (set) ctx.reply.Integer(static_cast<int64_t>(set->size()));
}

// SPOP key [count] -> a random member (nil if none), or up to count distinct members (a set
// in RESP3), removed from the set.
void SPopCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count && !ParsePositiveOrReply(ctx, ctx.arg(2), &count)) return;
  bool found;
  auto set = OpenSet(ctx, ctx.arg(1), &found);
  if (!set) return;
  if (!found || count == 0) return with_count ? ctx.reply.SetHeader(0) : ctx.reply.Null();
  std::vector<types::RandomPicker::Element> picked;
  {
    types::PrefixIterator it = set->Members();
    types::RandomPicker picker(&it, set->size(), &CommandRng());
    Status s = picker.PickDistinct(static_cast<uint64_t>(count), &picked);
    if (!s.ok()) return Fail(ctx, s);
  }
  if (picked.size() >= set->size()) {
    set->Clear();  // everything goes: the record alone is deleted
  } else {
    for (const auto& [m, unused] : picked) {
      bool gone;
      Status s = set->Remove(m, &gone);
      if (!s.ok()) return Fail(ctx, s);
    }
  }
  set->Finish();
  MarkDirty(ctx, picked.size());
  if (!with_count) return picked.empty() ? ctx.reply.Null() : ctx.reply.Bulk(picked[0].first);
  ctx.reply.SetHeader(static_cast<int64_t>(picked.size()));
  for (const auto& [m, unused] : picked) ctx.reply.Bulk(m);
}

// SRANDMEMBER key [count] -> a random member (nil if none); with a count >= 0 up to count
// distinct members, with a negative count exactly -count members, repeats allowed.
void SRandMemberCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count && !ParseRangeOrReply(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX, nullptr, &count)) {
    return;
  }
  bool found;
  auto set = OpenSet(ctx, ctx.arg(1), &found);
  if (!set) return;
  if (!found) return with_count ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  if (count == 0) return ctx.reply.ArrayHeader(0);
  types::PrefixIterator it = set->Members();
  types::RandomPicker picker(&it, set->size(), &CommandRng());
  std::vector<types::RandomPicker::Element> picked;
  if (count > 0) {
    Status s = picker.PickDistinct(static_cast<uint64_t>(count), &picked);
    if (!s.ok()) return Fail(ctx, s);
    if (!with_count) return picked.empty() ? ctx.reply.Null() : ctx.reply.Bulk(picked[0].first);
    ctx.reply.ArrayHeader(static_cast<int64_t>(picked.size()));
    for (const auto& [m, unused] : picked) ctx.reply.Bulk(m);
    return;
  }
  // Repeats: in batches, so neither memory nor the reply grows past the output limit.
  const uint64_t total = static_cast<uint64_t>(-count);
  ctx.reply.ArrayHeader(static_cast<int64_t>(total));
  for (uint64_t done = 0; done < total && !ReplyOverLimit(ctx);) {
    Status s = picker.PickWithRepeats(std::min<uint64_t>(total - done, 1024), &picked);
    if (!s.ok()) return Fail(ctx, s);  // only the first batch can fail before any reply
    if (picked.empty()) break;
    for (const auto& [m, unused] : picked) ctx.reply.Bulk(m);
    done += picked.size();
  }
}

// SMOVE source destination member -> 1 if moved, 0 if not in source.
void SMoveCommand(CommandContext& ctx) {
  bool src_found, dst_found;
  StoredValue sv, dv;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(1), &sv, &src_found)) return;
  if (!LookupOrReply(ctx, ctx.client.db, ctx.arg(2), &dv, &dst_found)) return;
  if (!src_found) return ctx.reply.Integer(0);
  if (sv.type != ValueType::kSet || (dst_found && dv.type != ValueType::kSet)) {
    return ctx.reply.Error(errors::kWrongType);
  }
  Set src(&ctx.ks, ctx.client.db, ctx.arg(1), &sv);
  if (ctx.arg(1) == ctx.arg(2)) {
    bool member;
    Status s = src.Contains(ctx.arg(3), &member);
    if (!s.ok()) return Fail(ctx, s);
    return ctx.reply.Integer(member ? 1 : 0);
  }
  bool removed;
  Status s = src.Remove(ctx.arg(3), &removed);
  if (!s.ok()) return Fail(ctx, s);
  if (!removed) return ctx.reply.Integer(0);
  src.Finish();
  Set dst(&ctx.ks, ctx.client.db, ctx.arg(2), dst_found ? &dv : nullptr);
  bool added;
  s = dst.Add(ctx.arg(3), &added);
  if (!s.ok()) return Fail(ctx, s);
  dst.Finish();
  MarkDirty(ctx, added ? 2 : 1);
  ctx.reply.Integer(1);
}

void SInterCommand(CommandContext& ctx) { SetOpReply(ctx, SetOp::kInter, 1); }
void SUnionCommand(CommandContext& ctx) { SetOpReply(ctx, SetOp::kUnion, 1); }
void SDiffCommand(CommandContext& ctx) { SetOpReply(ctx, SetOp::kDiff, 1); }
void SInterStoreCommand(CommandContext& ctx) { SetOpStore(ctx, SetOp::kInter); }
void SUnionStoreCommand(CommandContext& ctx) { SetOpStore(ctx, SetOp::kUnion); }
void SDiffStoreCommand(CommandContext& ctx) { SetOpStore(ctx, SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit] -> the intersection's size, counted up to
// limit (0: no limit).
void SInterCardCommand(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseRangeOrReply(ctx, ctx.arg(1), 1, INT64_MAX, "numkeys should be greater than 0",
                         &numkeys)) {
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  int64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < ctx.argc(); i++) {
    if (EqualsIgnoreCase(ctx.arg(i), "LIMIT") && i + 1 < ctx.argc()) {
      if (!ParseRangeOrReply(ctx, ctx.arg(++i), 0, INT64_MAX, "LIMIT can't be negative", &limit)) {
        return;
      }
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  std::vector<std::optional<Set>> sets;
  if (!OpenSources(ctx, 2, static_cast<size_t>(numkeys), &sets)) return;
  int64_t n = 0;
  Status s = Compute(SetOp::kInter, sets, [&](std::string_view) {
    n++;
    return limit == 0 || n < limit;
  });
  if (!s.ok()) return Fail(ctx, s);
  ctx.reply.Integer(n);
}

// SSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [members...]].
void SScanCommand(CommandContext& ctx) {
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
  if (v.type != ValueType::kSet) return ctx.reply.Error(errors::kWrongType);
  ScanOptions opts;
  if (!ParseScanOptionsOrReply(ctx, 3, /*allow_type=*/false, &opts)) return;
  Set set(&ctx.ks, ctx.client.db, ctx.arg(1), &v);
  types::PrefixIterator it = set.Members();
  ScanCollection(ctx, it, "set:" + std::to_string(v.version), cursor, opts,
                 /*with_values=*/false);
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"sadd", -3, "write denyoom fast", {1, 1, 1}, SAddCommand},
    {"srem", -3, "write fast", {1, 1, 1}, SRemCommand},
    {"smembers", 2, "readonly", {1, 1, 1}, SMembersCommand},
    {"sismember", 3, "readonly fast", {1, 1, 1}, SIsMemberCommand},
    {"smismember", -3, "readonly fast", {1, 1, 1}, SMIsMemberCommand},
    {"scard", 2, "readonly fast", {1, 1, 1}, SCardCommand},
    {"spop", -2, "write fast", {1, 1, 1}, SPopCommand},
    {"srandmember", -2, "readonly", {1, 1, 1}, SRandMemberCommand},
    {"smove", 4, "write fast", {1, 2, 1}, SMoveCommand},
    {"sinter", -2, "readonly", {1, -1, 1}, SInterCommand},
    {"sintercard", -3, "readonly movablekeys", {}, SInterCardCommand},
    {"sinterstore", -3, "write denyoom", {1, -1, 1}, SInterStoreCommand},
    {"sunion", -2, "readonly", {1, -1, 1}, SUnionCommand},
    {"sunionstore", -3, "write denyoom", {1, -1, 1}, SUnionStoreCommand},
    {"sdiff", -2, "readonly", {1, -1, 1}, SDiffCommand},
    {"sdiffstore", -3, "write denyoom", {1, -1, 1}, SDiffStoreCommand},
    {"sscan", -3, "readonly", {1, 1, 1}, SScanCommand},
};

}  // namespace

void RegisterSetCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
