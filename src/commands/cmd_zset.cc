// Sorted-set commands (Redis's t_zset.c): ZADD ZINCRBY ZSCORE ZMSCORE ZCARD ZREM ZRANGE
// ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZCOUNT ZLEXCOUNT ZRANK
// ZREVRANK ZPOPMIN ZPOPMAX ZMPOP ZRANGESTORE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
// ZRANDMEMBER, the set operations (cmd_zset_setops.cc) and ZSCAN (cmd_zset_scan.cc). The encoding
// is src/types/zset.h, the range walks commands/zset_select.h; these functions parse arguments and
// shape replies, in Redis's order of checks (argument errors, then the key's type, ...).
#include <algorithm>
#include <cmath>
#include <random>

#include "commands/commands.h"
#include "commands/zset_common.h"
#include "commands/zset_range.h"
#include "commands/zset_select.h"
#include "server/command.h"
#include "server/server.h"
#include "types/zset.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors
using types::ZSet;

std::optional<ZSet> OpenZSet(CommandContext& ctx, std::string_view key, bool* found) {
  StoredValue v;
  bool f;
  if (!LookupOrReply(ctx, ctx.client.db, key, &v, &f)) return std::nullopt;
  if (f && v.type != ValueType::kZSet) {
    ctx.reply.Error(errors::kWrongType);
    return std::nullopt;
  }
  if (found != nullptr) *found = f;
  return std::optional<ZSet>(std::in_place, &ctx.ks, ctx.client.db, key, f ? &v : nullptr);
}

void ZFail(CommandContext& ctx, const Status& s) {
  ctx.ks.Abort();
  ReplyStoreError(ctx, s);
}

void ReplyElements(CommandContext& ctx, const std::vector<ZElement>& elems, bool withscores) {
  const auto n = static_cast<int64_t>(elems.size());
  const bool nested = withscores && ctx.reply.proto() >= 3;
  ctx.reply.ArrayHeader(withscores && !nested ? n * 2 : n);
  for (const ZElement& e : elems) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(e.member);
    if (withscores) ctx.reply.Double(e.score);
  }
}

Status StoreElements(CommandContext& ctx, std::string_view dst,
                     const std::vector<ZElement>& elems) {
  StoredValue old;
  Status s;
  bool expired = false;
  // An expired destination is deleted here (staged), as any read of it would.
  const bool found = ctx.ks.Get(ctx.client.db, dst, &old, &s, ctx.now_ms, &expired);
  if (expired) ctx.server.stats().expired_keys++;
  if (!s.ok()) return s;
  ZSet z = ZSet::Replacing(&ctx.ks, ctx.client.db, dst, found ? &old : nullptr);
  for (const ZElement& e : elems) z.Insert(e.member, e.score);
  z.Finish();
  if (!elems.empty() || found) MarkDirty(ctx);
  return Status::OK();
}

namespace {

/*--- ZADD, ZINCRBY ---*/

constexpr std::string_view kNaNResult = "ERR resulting score is not a number (NaN)";

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
// ZINCRBY key increment member: ZADD with INCR (options are parsed the same way).
void ZAddGeneric(CommandContext& ctx, bool incr) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false;
  size_t i = 2;
  for (; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(o, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(o, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(o, "incr")) {
      incr = true;
    } else if (EqualsIgnoreCase(o, "gt")) {
      gt = true;
    } else if (EqualsIgnoreCase(o, "lt")) {
      lt = true;
    } else {
      break;
    }
  }
  const size_t rest = ctx.argc() - i;
  if (rest == 0 || rest % 2 != 0) return ctx.reply.Error(errors::kSyntax);
  if (nx && xx) return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && rest > 2) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores(rest / 2);
  for (size_t j = 0; j < scores.size(); j++) {
    if (!ParseScore(ctx.arg(i + 2 * j), &scores[j])) return ctx.reply.Error(errors::kNotFloat);
  }
  bool found;
  auto z = OpenZSet(ctx, ctx.arg(1), &found);
  if (!z) return;
  int64_t added = 0, updated = 0, processed = 0;
  double last = 0;
  if (found || !xx) {
    for (size_t j = 0; j < scores.size(); j++) {
      std::string_view member = ctx.arg(i + 2 * j + 1);
      double score = scores[j];
      double cur;
      Status s = z->Score(member, &cur);
      if (!s.ok() && !s.IsNotFound()) return ZFail(ctx, s);
      if (s.ok()) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (std::isnan(score)) {
            z->Finish();
            return ctx.reply.Error(kNaNResult);
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        last = score;
        processed++;
        if (score != cur) {
          z->Move(member, cur, score);
          updated++;
        }
      } else if (!xx) {
        z->Insert(member, score);
        last = score;
        added++;
        processed++;
      }
    }
    z->Finish();
    MarkDirty(ctx, static_cast<uint64_t>(added + updated));
  }
  if (incr) {
    processed ? ctx.reply.Double(last) : ctx.reply.Null();
  } else {
    ctx.reply.Integer(ch ? added + updated : added);
  }
}
void ZAddCommand(CommandContext& ctx) { ZAddGeneric(ctx, false); }
void ZIncrByCommand(CommandContext& ctx) { ZAddGeneric(ctx, true); }

/*--- Reads of members ---*/

// ZSCORE key member -> the score, or nil.
void ZScoreCommand(CommandContext& ctx) {
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  double score;
  Status s = z->Score(ctx.arg(2), &score);
  if (s.IsNotFound()) return ctx.reply.Null();
  if (!s.ok()) return ZFail(ctx, s);
  ctx.reply.Double(score);
}

// ZMSCORE key member [member ...] -> scores and nils.
void ZMScoreCommand(CommandContext& ctx) {
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  std::vector<std::optional<double>> out;
  for (size_t i = 2; i < ctx.argc(); i++) {
    double score;
    Status s = z->Score(ctx.arg(i), &score);
    if (!s.ok() && !s.IsNotFound()) return ZFail(ctx, s);
    out.push_back(s.ok() ? std::optional<double>(score) : std::nullopt);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (const auto& v : out) v ? ctx.reply.Double(*v) : ctx.reply.Null();
}

// ZCARD key -> the member count.
void ZCardCommand(CommandContext& ctx) {
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (z) ctx.reply.Integer(static_cast<int64_t>(z->size()));
}

// ZREM key member [member ...] -> the number removed.
void ZRemCommand(CommandContext& ctx) {
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc() && z->size() > 0; i++) {
    bool gone;
    Status s = z->Delete(ctx.arg(i), &gone);
    if (!s.ok()) return ZFail(ctx, s);
    deleted += gone;
  }
  z->Finish();
  MarkDirty(ctx, static_cast<uint64_t>(deleted));
  ctx.reply.Integer(deleted);
}

// ZRANK / ZREVRANK key member -> the rank, or nil. O(rank) (zset_select.h).
void ZRankGeneric(CommandContext& ctx, bool reverse) {
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  int64_t rank;
  Status s = RankOf(*z, ctx.arg(2), reverse, &rank);
  if (s.IsNotFound()) return ctx.reply.Null();
  if (!s.ok()) return ZFail(ctx, s);
  ctx.reply.Integer(rank);
}
void ZRankCommand(CommandContext& ctx) { ZRankGeneric(ctx, false); }
void ZRevRankCommand(CommandContext& ctx) { ZRankGeneric(ctx, true); }

/*--- ZRANGE and its variants ---*/

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

constexpr std::string_view kNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kNotLexRange = "ERR min or max not valid string range item";

// Redis's zrangeGenericCommand: the key at argv[first], min and max after it, then options.
// store: ZRANGESTORE (argv[1] is the destination; no WITHSCORES).
void ZRangeGeneric(CommandContext& ctx, size_t first, bool store, RangeType type, Direction dir) {
  size_t minidx = first + 1, maxidx = first + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = first + 3; j < ctx.argc(); j++) {
    const size_t left = ctx.argc() - j - 1;
    std::string_view o = ctx.arg(j);
    if (!store && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(o, "limit") && left >= 2) {
      if (!ParseInt64Strict(ctx.arg(j + 1), &offset) || !ParseInt64Strict(ctx.arg(j + 2), &limit)) {
        return ctx.reply.Error(errors::kNotInt);
      }
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(o, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(o, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(o, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withscores && type == RangeType::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const bool reverse = dir == Direction::kReverse;
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  switch (type) {
    case RangeType::kScore:
      if (!ParseScoreRange(ctx.arg(minidx), ctx.arg(maxidx), &sr)) {
        return ctx.reply.Error(kNotFloatRange);
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(ctx.arg(minidx), ctx.arg(maxidx), &lr)) {
        return ctx.reply.Error(kNotLexRange);
      }
      break;
    default:
      if (!ParseInt64Strict(ctx.arg(minidx), &start) || !ParseInt64Strict(ctx.arg(maxidx), &end)) {
        return ctx.reply.Error(errors::kNotInt);
      }
      break;
  }
  bool found;
  auto z = OpenZSet(ctx, ctx.arg(first), &found);
  if (!z) return;
  std::vector<ZElement> elems;
  Status s;
  if (found) {
    switch (type) {
      case RangeType::kScore:
        s = SelectByScore(*z, sr, reverse, offset, limit, &elems);
        break;
      case RangeType::kLex:
        s = SelectByLex(*z, lr, reverse, offset, limit, &elems);
        break;
      default:
        if (ClampRankRange(static_cast<int64_t>(z->size()), &start, &end)) {
          s = SelectByRank(*z, start, end, reverse, &elems);
        }
        break;
    }
    if (!s.ok()) return ZFail(ctx, s);
  }
  if (store) {
    s = StoreElements(ctx, ctx.arg(1), elems);
    if (!s.ok()) return ZFail(ctx, s);
    return ctx.reply.Integer(static_cast<int64_t>(elems.size()));
  }
  ReplyElements(ctx, elems, withscores);
}

void ZRangeCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
void ZRangeStoreCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
void ZRevRangeCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
void ZRangeByScoreCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void ZRevRangeByScoreCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void ZRangeByLexCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
void ZRevRangeByLexCommand(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// ZCOUNT key min max -> the members within the score range.
void ZCountCommand(CommandContext& ctx) {
  ScoreRange r;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &r)) return ctx.reply.Error(kNotFloatRange);
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  std::vector<ZElement> elems;
  Status s = SelectByScore(*z, r, false, 0, -1, &elems);
  if (!s.ok()) return ZFail(ctx, s);
  ctx.reply.Integer(static_cast<int64_t>(elems.size()));
}

// ZLEXCOUNT key min max -> the members within the lex range.
void ZLexCountCommand(CommandContext& ctx) {
  LexRange r;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &r)) return ctx.reply.Error(kNotLexRange);
  auto z = OpenZSet(ctx, ctx.arg(1));
  if (!z) return;
  std::vector<ZElement> elems;
  Status s = SelectByLex(*z, r, false, 0, -1, &elems);
  if (!s.ok()) return ZFail(ctx, s);
  ctx.reply.Integer(static_cast<int64_t>(elems.size()));
}

/*--- ZREMRANGEBY* ---*/

// ZREMRANGEBYRANK / BYSCORE / BYLEX key min max -> the number removed.
void ZRemRangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  if (type == RangeType::kRank) {
    if (!ParseInt64Strict(ctx.arg(2), &start) || !ParseInt64Strict(ctx.arg(3), &end)) {
      return ctx.reply.Error(errors::kNotInt);
    }
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &sr)) return ctx.reply.Error(kNotFloatRange);
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &lr)) {
    return ctx.reply.Error(kNotLexRange);
  }
  bool found;
  auto z = OpenZSet(ctx, ctx.arg(1), &found);
  if (!z) return;
  if (!found) return ctx.reply.Integer(0);
  std::vector<ZElement> elems;
  Status s;
  if (type == RangeType::kRank) {
    if (ClampRankRange(static_cast<int64_t>(z->size()), &start, &end)) {
      s = SelectByRank(*z, start, end, false, &elems);
    }
  } else if (type == RangeType::kScore) {
    s = SelectByScore(*z, sr, false, 0, -1, &elems);
  } else {
    s = SelectByLex(*z, lr, false, 0, -1, &elems);
  }
  if (!s.ok()) return ZFail(ctx, s);
  for (const ZElement& e : elems) z->Remove(e.member, e.score);
  z->Finish();
  MarkDirty(ctx, elems.size());
  ctx.reply.Integer(static_cast<int64_t>(elems.size()));
}
void ZRemRangeByRankCommand(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeType::kRank); }
void ZRemRangeByScoreCommand(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeType::kScore); }
void ZRemRangeByLexCommand(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeType::kLex); }

/*--- ZPOPMIN, ZPOPMAX, ZMPOP ---*/

// ZPOPMIN / ZPOPMAX key [count]
void ZPopMinMax(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  int64_t count = -1;
  if (ctx.argc() == 3 && (!ParseInt64Strict(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply.Error("ERR value is out of range, must be positive");
  }
  ZPopOptions o;
  o.max = max;
  o.count = count;
  o.nested = ctx.reply.proto() >= 3 && count != -1;
  ZPopGeneric(ctx, {ctx.argv.begin() + 1, ctx.argv.begin() + 2}, o);
}
void ZPopMinCommand(CommandContext& ctx) { ZPopMinMax(ctx, false); }
void ZPopMaxCommand(CommandContext& ctx) { ZPopMinMax(ctx, true); }
void BZPopMinCommand(CommandContext& ctx) { BZPopMinMaxCommand(ctx, false); }
void BZPopMaxCommand(CommandContext& ctx) { BZPopMinMaxCommand(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void ZMPopCommand(CommandContext& ctx) {
  ZPopOptions o;
  std::vector<std::string_view> keys;
  if (!ParseZMPopArgs(ctx, 1, &keys, &o)) return;
  ZPopGeneric(ctx, keys, o);
}

/*--- ZRANDMEMBER ---*/

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMemberCommand(CommandContext& ctx) {
  if (ctx.argc() < 3) {
    auto z = OpenZSet(ctx, ctx.arg(1));
    if (!z) return;
    if (z->size() == 0) return ctx.reply.Null();
    std::vector<ZElement> one;
    const auto r = static_cast<int64_t>(Rng()() % z->size());
    Status s = SelectByRank(*z, r, r, false, &one);
    if (!s.ok()) return ZFail(ctx, s);
    if (one.empty()) return ctx.reply.Null();
    return ctx.reply.Bulk(one[0].member);
  }
  int64_t l;
  if (!ParseInt64Strict(ctx.arg(2), &l)) return ctx.reply.Error(errors::kNotInt);
  if (l < -INT64_MAX) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  bool withscores = false;
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
    return ctx.reply.Error(errors::kSyntax);
  }
  if (ctx.argc() == 4) {
    withscores = true;
    if (l < -INT64_MAX / 2 || l > INT64_MAX / 2)
      return ctx.reply.Error("ERR value is out of range");
  }
  bool found;
  auto z = OpenZSet(ctx, ctx.arg(1), &found);
  if (!z) return;
  if (!found || l == 0) return ctx.reply.ArrayHeader(0);
  const auto size = static_cast<int64_t>(z->size());
  std::vector<ZElement> all;
  Status s = SelectByRank(*z, 0, size - 1, false, &all);
  if (!s.ok()) return ZFail(ctx, s);
  std::vector<ZElement> out;
  if (l < 0 || l == 1) {
    // With repetitions (any count), drawn independently.
    const uint64_t n = l < 0 ? static_cast<uint64_t>(-l) : 1;
    const bool nested = withscores && ctx.reply.proto() >= 3;
    ctx.reply.ArrayHeader(static_cast<int64_t>(withscores && !nested ? n * 2 : n));
    // A reply past the client's output limit gets the client closed after the command, as
    // Redis stops such a loop once the client is marked to close: stop there too.
    const int64_t limit = ctx.server.config().client_output_buffer_limit;
    for (uint64_t i = 0; i < n; i++) {
      if (limit > 0 && ctx.reply.buffer()->size() > static_cast<size_t>(limit)) break;
      const ZElement& e = all[Rng()() % all.size()];
      if (nested) ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(e.member);
      if (withscores) ctx.reply.Double(e.score);
    }
    return;
  }
  if (l >= size) {
    // The whole set, walked from the highest score down as Redis's iterator does.
    std::reverse(all.begin(), all.end());
    return ReplyElements(ctx, all, withscores);
  }
  // l distinct members: a partial Fisher-Yates shuffle.
  for (int64_t i = 0; i < l; i++) {
    const int64_t j = i + static_cast<int64_t>(Rng()() % static_cast<uint64_t>(size - i));
    std::swap(all[i], all[j]);
  }
  all.resize(l);
  ReplyElements(ctx, all, withscores);
}

// name, arity, flags, key positions {first, last, step}, function
// (Redis also flags ZMPOP and the set operations "movablekeys", a flag Strata's table has no
// word for; their key positions are Redis's legacy ones.)
const CommandSpec kCommands[] = {
    {"zadd", -4, "write denyoom fast", {1, 1, 1}, ZAddCommand},
    {"zincrby", 4, "write denyoom fast", {1, 1, 1}, ZIncrByCommand},
    {"zscore", 3, "readonly fast", {1, 1, 1}, ZScoreCommand},
    {"zmscore", -3, "readonly fast", {1, 1, 1}, ZMScoreCommand},
    {"zcard", 2, "readonly fast", {1, 1, 1}, ZCardCommand},
    {"zrem", -3, "write fast", {1, 1, 1}, ZRemCommand},
    {"zrange", -4, "readonly", {1, 1, 1}, ZRangeCommand},
    {"zrangestore", -5, "write denyoom", {1, 2, 1}, ZRangeStoreCommand},
    {"zrevrange", -4, "readonly", {1, 1, 1}, ZRevRangeCommand},
    {"zrangebyscore", -4, "readonly", {1, 1, 1}, ZRangeByScoreCommand},
    {"zrevrangebyscore", -4, "readonly", {1, 1, 1}, ZRevRangeByScoreCommand},
    {"zrangebylex", -4, "readonly", {1, 1, 1}, ZRangeByLexCommand},
    {"zrevrangebylex", -4, "readonly", {1, 1, 1}, ZRevRangeByLexCommand},
    {"zcount", 4, "readonly fast", {1, 1, 1}, ZCountCommand},
    {"zlexcount", 4, "readonly fast", {1, 1, 1}, ZLexCountCommand},
    {"zrank", 3, "readonly fast", {1, 1, 1}, ZRankCommand},
    {"zrevrank", 3, "readonly fast", {1, 1, 1}, ZRevRankCommand},
    {"zpopmin", -2, "write fast", {1, 1, 1}, ZPopMinCommand},
    {"zpopmax", -2, "write fast", {1, 1, 1}, ZPopMaxCommand},
    {"zmpop", -4, "write movablekeys", {}, ZMPopCommand},
    {"bzpopmin", -3, "write noscript blocking fast", {1, -2, 1}, BZPopMinCommand},
    {"bzpopmax", -3, "write noscript blocking fast", {1, -2, 1}, BZPopMaxCommand},
    {"bzmpop", -5, "write blocking movablekeys", {}, BZMPopCommand},
    {"zremrangebyrank", 4, "write", {1, 1, 1}, ZRemRangeByRankCommand},
    {"zremrangebyscore", 4, "write", {1, 1, 1}, ZRemRangeByScoreCommand},
    {"zremrangebylex", 4, "write", {1, 1, 1}, ZRemRangeByLexCommand},
    {"zrandmember", -2, "readonly", {1, 1, 1}, ZRandMemberCommand},
};

}  // namespace

void RegisterZSetCommands(CommandTable* t) {
  t->AddAll(kCommands);
  RegisterZSetOpCommands(t);
  RegisterZScanCommand(t);
}

}  // namespace strata::commands
