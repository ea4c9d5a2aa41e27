#include <algorithm>

#include "commands/zset_common.h"
#include "server/server.h"

namespace strata::commands {

using namespace server;
using types::ZSet;

bool ZPopGeneric(CommandContext& ctx, const std::vector<std::string_view>& keys,
                 const ZPopOptions& o, int64_t* popped) {
  if (popped != nullptr) *popped = 0;
  std::optional<ZSet> z;
  std::string_view key;
  for (std::string_view k : keys) {
    bool found;
    z = OpenZSet(ctx, k, &found);
    if (!z) return true;
    if (found) {
      key = k;
      break;
    }
    z.reset();
  }
  if (!z) {
    if (o.defer_when_empty) return false;
    o.nil_when_empty ? ctx.reply.NullArray() : ctx.reply.ArrayHeader(0);
    return true;
  }
  if (o.count == 0) {
    ctx.reply.ArrayHeader(0);
    return true;
  }
  const auto size = static_cast<int64_t>(z->size());
  const int64_t n = std::min(o.count == -1 ? 1 : o.count, size);
  std::vector<ZElement> elems;
  if (n > 0) {
    Status s = SelectByRank(*z, 0, n - 1, o.max, &elems);  // ranks from the popped end
    if (!s.ok()) {
      ZFail(ctx, s);
      return true;
    }
  }
  for (const ZElement& e : elems) z->Remove(e.member, e.score);
  z->Finish();
  MarkDirty(ctx, elems.size());
  if (popped != nullptr) *popped = static_cast<int64_t>(elems.size());
  const auto len = static_cast<int64_t>(elems.size());
  if (!o.emit_key) {
    ctx.reply.ArrayHeader(o.nested ? len : len * 2);
  } else if (!o.nested) {
    ctx.reply.ArrayHeader(len * 2 + 1);
    ctx.reply.Bulk(key);
  } else {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayHeader(len);
  }
  for (const ZElement& e : elems) {
    if (o.nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(e.member);
    ctx.reply.Double(e.score);
  }
  return true;
}

bool ParseZMPopArgs(CommandContext& ctx, size_t numkeys_idx, std::vector<std::string_view>* keys,
                    ZPopOptions* o) {
  int64_t numkeys;
  if (!ParseInt64Strict(ctx.arg(numkeys_idx), &numkeys) || numkeys < 1) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return false;
  }
  if (static_cast<uint64_t>(numkeys) >= ctx.argc() - numkeys_idx - 1) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
  if (EqualsIgnoreCase(ctx.arg(where_idx), "MIN")) {
    o->max = false;
  } else if (EqualsIgnoreCase(ctx.arg(where_idx), "MAX")) {
    o->max = true;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < ctx.argc(); j++) {
    const bool more = j + 1 < ctx.argc();
    if (count == -1 && EqualsIgnoreCase(ctx.arg(j), "COUNT") && more) {
      j++;
      if (!ParseInt64Strict(ctx.arg(j), &count) || count < 1) {
        ctx.reply.Error("ERR count should be greater than 0");
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  o->count = count == -1 ? 1 : count;
  o->emit_key = true;
  o->nested = true;
  o->nil_when_empty = true;
  keys->assign(ctx.argv.begin() + numkeys_idx + 1, ctx.argv.begin() + where_idx);
  return true;
}

}  // namespace strata::commands

namespace strata::commands {

using namespace server;

namespace {

// Pops as ZPopGeneric, or blocks on every key until one of them gets members. Served after
// blocking, it pops from the key that became ready, as Redis serves it.
void BlockingZPop(CommandContext& ctx, const std::vector<std::string_view>& keys, ZPopOptions o,
                  std::string_view timeout_arg) {
  int64_t deadline;
  if (!ParseTimeoutOrReply(ctx, timeout_arg, &deadline)) return;
  o.defer_when_empty = true;
  const std::string& ready = ctx.client.block.serving_key;
  const bool replied = ctx.client.block.blocked && !ready.empty()
                           ? ZPopGeneric(ctx, {std::string_view(ready)}, o)
                           : ZPopGeneric(ctx, keys, o);
  if (replied) return;
  if (!ctx.server.BlockForKeys(ctx, keys, deadline, true, ValueType::kZSet)) {
    ctx.reply.NullArray();
  }
}

}  // namespace

void BZPopMinMaxCommand(CommandContext& ctx, bool max) {
  ZPopOptions o;
  o.max = max;
  o.emit_key = true;
  BlockingZPop(ctx, {ctx.argv.begin() + 1, ctx.argv.end() - 1}, o, ctx.argv.back());
}

void BZMPopCommand(CommandContext& ctx) {
  ZPopOptions o;
  std::vector<std::string_view> keys;
  if (!ParseZMPopArgs(ctx, 2, &keys, &o)) return;
  BlockingZPop(ctx, keys, o, ctx.arg(1));
}

}  // namespace strata::commands
