// Sorted-set operations (Redis's zunionInterDiffGenericCommand): ZUNION ZUNIONSTORE ZINTER
// ZINTERSTORE ZINTERCARD ZDIFF ZDIFFSTORE, with WEIGHTS, AGGREGATE SUM|MIN|MAX, WITHSCORES and
// LIMIT as Redis parses them.
//
// Each input is read whole (O(total members)); the result is computed in memory in Redis's
// order (inputs sorted by size, stably, as glibc's qsort does; scores aggregated in that order,
// so sums round as Redis's do) and sorted by (score, member).
//
// Plain sets are valid inputs, every member scoring 1, as in Redis.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "commands/commands.h"
#include "commands/zset_common.h"
#include "commands/zset_range.h"
#include "server/command.h"
#include "server/server.h"
#include "types/set.h"

namespace strata::commands {

using namespace server;
using types::ZSet;

namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

struct Source {
  std::vector<ZElement> elems;  // in score order
  std::unordered_map<std::string_view, double> index;
  double weight = 1;
};

void AggregateInto(double* target, double v, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;  // inf + -inf is 0, as in Redis
      break;
    case Aggregate::kMin:
      *target = v < *target ? v : *target;
      break;
    case Aggregate::kMax:
      *target = v > *target ? v : *target;
      break;
  }
}

bool ZOrder(const ZElement& a, const ZElement& b) {
  if (a.score < b.score) return true;
  if (b.score < a.score) return false;
  return a.member < b.member;
}

// dst: the destination of a *STORE (nullptr for the reply variants). numkeys at argv[nk].
void ZSetOpGeneric(CommandContext& ctx, const std::string_view* dst, size_t nk, SetOp op,
                   bool card_only) {
  int64_t setnum;
  if (!ParseInt64Strict(ctx.arg(nk), &setnum)) return ctx.reply.Error(errors::kNotInt);
  if (setnum < 1) {
    return ctx.reply.Error("ERR at least 1 input key is needed for '" + ToLower(ctx.arg(0)) +
                           "' command");
  }
  if (static_cast<uint64_t>(setnum) > ctx.argc() - (nk + 1)) {
    return ctx.reply.Error(errors::kSyntax);
  }
  const auto n = static_cast<size_t>(setnum);
  std::vector<Source> src(n);
  for (size_t i = 0; i < n; i++) {
    const std::string_view key = ctx.arg(nk + 1 + i);
    StoredValue v;
    bool found;
    if (!LookupOrReply(ctx, ctx.client.db, key, &v, &found)) return;
    if (!found) continue;
    if (v.type == ValueType::kSet) {
      types::Set set(&ctx.ks, ctx.client.db, key, &v);
      types::PrefixIterator it = set.Members();
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        src[i].elems.push_back({std::string(it.key()), 1.0});
      }
      if (!it.status().ok()) return ZFail(ctx, it.status());
      continue;
    }
    auto z = OpenZSet(ctx, key, &found);
    if (!z) return;
    Status s = z->size() > 0
                   ? SelectByRank(*z, 0, static_cast<int64_t>(z->size()) - 1, false, &src[i].elems)
                   : Status::OK();
    if (!s.ok()) return ZFail(ctx, s);
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  for (size_t j = nk + 1 + n; j < ctx.argc();) {
    const size_t remaining = ctx.argc() - j;
    std::string_view o = ctx.arg(j);
    if (op != SetOp::kDiff && !card_only && remaining >= n + 1 && EqualsIgnoreCase(o, "weights")) {
      j++;
      for (size_t i = 0; i < n; i++, j++) {
        if (!ParseScore(ctx.arg(j), &src[i].weight)) {
          return ctx.reply.Error("ERR weight value is not a float");
        }
      }
    } else if (op != SetOp::kDiff && !card_only && remaining >= 2 &&
               EqualsIgnoreCase(o, "aggregate")) {
      std::string_view a = ctx.arg(j + 1);
      if (EqualsIgnoreCase(a, "sum")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.reply.Error(errors::kSyntax);
      }
      j += 2;
    } else if (dst == nullptr && !card_only && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
      j++;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(o, "limit")) {
      if (!ParseInt64Strict(ctx.arg(j + 1), &limit) || limit < 0) {
        return ctx.reply.Error("ERR LIMIT can't be negative");
      }
      j += 2;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  for (Source& s : src) {
    for (const ZElement& e : s.elems) s.index.emplace(e.member, e.score);
  }
  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(), [](const Source& a, const Source& b) {
      return a.elems.size() < b.elems.size();
    });
  }
  std::vector<ZElement> out;
  if (op == SetOp::kInter) {
    for (const ZElement& e : src[0].elems) {
      double score = src[0].weight * e.score;
      if (std::isnan(score)) score = 0;
      size_t j = 1;
      for (; j < n; j++) {
        auto it = src[j].index.find(e.member);
        if (it == src[j].index.end()) break;
        AggregateInto(&score, it->second * src[j].weight, agg);
      }
      if (j == n) out.push_back({e.member, score});
    }
  } else if (op == SetOp::kUnion) {
    std::unordered_map<std::string_view, size_t> at;  // member -> index in out
    for (const Source& s : src) {
      for (const ZElement& e : s.elems) {
        double score = s.weight * e.score;
        if (std::isnan(score)) score = 0;
        auto [it, added] = at.emplace(e.member, out.size());
        if (added) {
          out.push_back({e.member, score});
        } else {
          AggregateInto(&out[it->second].score, score, agg);
        }
      }
    }
  } else {
    for (const ZElement& e : src[0].elems) {
      bool elsewhere = false;
      for (size_t j = 1; j < n && !elsewhere; j++) elsewhere = src[j].index.contains(e.member);
      if (!elsewhere) out.push_back(e);
    }
  }
  if (card_only) {
    const auto c = static_cast<int64_t>(out.size());
    return ctx.reply.Integer(limit > 0 && c > limit ? limit : c);
  }
  std::sort(out.begin(), out.end(), ZOrder);
  if (dst != nullptr) {
    Status s = StoreElements(ctx, *dst, out);
    if (!s.ok()) return ZFail(ctx, s);
    return ctx.reply.Integer(static_cast<int64_t>(out.size()));
  }
  ReplyElements(ctx, out, withscores);
}

void Store(CommandContext& ctx, SetOp op) {
  const std::string_view dst = ctx.arg(1);
  ZSetOpGeneric(ctx, &dst, 2, op, false);
}

void ZUnionStoreCommand(CommandContext& ctx) { Store(ctx, SetOp::kUnion); }
void ZInterStoreCommand(CommandContext& ctx) { Store(ctx, SetOp::kInter); }
void ZDiffStoreCommand(CommandContext& ctx) { Store(ctx, SetOp::kDiff); }
void ZUnionCommand(CommandContext& ctx) { ZSetOpGeneric(ctx, nullptr, 1, SetOp::kUnion, false); }
void ZInterCommand(CommandContext& ctx) { ZSetOpGeneric(ctx, nullptr, 1, SetOp::kInter, false); }
void ZInterCardCommand(CommandContext& ctx) { ZSetOpGeneric(ctx, nullptr, 1, SetOp::kInter, true); }
void ZDiffCommand(CommandContext& ctx) { ZSetOpGeneric(ctx, nullptr, 1, SetOp::kDiff, false); }

// name, arity, flags, key positions {first, last, step}, function (Redis's legacy key
// positions: the inputs, counted by numkeys, are "movablekeys").
const CommandSpec kCommands[] = {
    {"zunion", -3, "readonly movablekeys", {}, ZUnionCommand},
    {"zunionstore", -4, "write denyoom movablekeys", {1, 1, 1}, ZUnionStoreCommand},
    {"zinter", -3, "readonly movablekeys", {}, ZInterCommand},
    {"zinterstore", -4, "write denyoom movablekeys", {1, 1, 1}, ZInterStoreCommand},
    {"zintercard", -3, "readonly movablekeys", {}, ZInterCardCommand},
    {"zdiff", -3, "readonly movablekeys", {}, ZDiffCommand},
    {"zdiffstore", -4, "write denyoom movablekeys", {1, 1, 1}, ZDiffStoreCommand},
};

}  // namespace

void RegisterZSetOpCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
