// Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH PUBSUB (Redis's pubsub.c). Subscriptions are the server's (PubSub), and
// delivery too (Server::Publish); these functions shape the replies: one "subscribe"-style
// message per channel, a RESP3 push or a RESP2 array, counting the client's subscriptions.
#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

// [kind, name (nil when there was nothing to unsubscribe from), count]
void ReplySubscription(CommandContext& ctx, std::string_view kind, const std::string_view* name,
                       size_t count) {
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(kind);
  if (name != nullptr) {
    ctx.reply.Bulk(*name);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(static_cast<int64_t>(count));
}

size_t CountFor(const Client& c, PubSub::Kind kind) {
  return kind == PubSub::kShard ? c.shard_channels.size() : c.subscriptions();
}

// SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE name [name ...]
void SubscribeGeneric(CommandContext& ctx, PubSub::Kind kind, std::string_view reply_kind,
                      std::string_view upper) {
  Client& c = ctx.client;
  // A client that needs one reply per command (a script; SSUBSCRIBE also inside EXEC)
  // cannot enter subscribed mode.
  if (c.deny_blocking && (kind == PubSub::kShard || !c.in_exec)) {
    return ctx.reply.Error("ERR " + std::string(upper) +
                           " isn't allowed for a DENY BLOCKING client");
  }
  for (size_t i = 1; i < ctx.argc(); i++) {
    ctx.server.pubsub().Subscribe(&c, kind, ctx.arg(i));
    const std::string_view name = ctx.arg(i);
    ReplySubscription(ctx, reply_kind, &name, CountFor(c, kind));
  }
}
void SubscribeCommand(CommandContext& ctx) {
  SubscribeGeneric(ctx, PubSub::kChannel, "subscribe", "SUBSCRIBE");
}
void PSubscribeCommand(CommandContext& ctx) {
  SubscribeGeneric(ctx, PubSub::kPattern, "psubscribe", "PSUBSCRIBE");
}
void SSubscribeCommand(CommandContext& ctx) {
  SubscribeGeneric(ctx, PubSub::kShard, "ssubscribe", "SSUBSCRIBE");
}

// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE [name ...]: with no name, from every one of the
// kind, in subscription order; with none to leave, one message with a nil name.
void UnsubscribeGeneric(CommandContext& ctx, PubSub::Kind kind, std::string_view reply_kind) {
  Client& c = ctx.client;
  PubSub& ps = ctx.server.pubsub();
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); i++) {
      ps.Unsubscribe(&c, kind, ctx.arg(i));
      const std::string_view name = ctx.arg(i);
      ReplySubscription(ctx, reply_kind, &name, CountFor(c, kind));
    }
    return;
  }
  const std::vector<std::string> names = kind == PubSub::kChannel   ? c.channels
                                         : kind == PubSub::kPattern ? c.patterns
                                                                    : c.shard_channels;
  if (names.empty()) return ReplySubscription(ctx, reply_kind, nullptr, CountFor(c, kind));
  for (const std::string& n : names) {
    ps.Unsubscribe(&c, kind, n);
    const std::string_view name = n;
    ReplySubscription(ctx, reply_kind, &name, CountFor(c, kind));
  }
}
void UnsubscribeCommand(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kChannel, "unsubscribe");
}
void PUnsubscribeCommand(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kPattern, "punsubscribe");
}
void SUnsubscribeCommand(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kShard, "sunsubscribe");
}

// PUBLISH channel message -> how many clients received it. SPUBLISH: shard subscribers.
void PublishCommand(CommandContext& ctx) {
  ctx.reply.Integer(
      static_cast<int64_t>(ctx.server.Publish(PubSub::kChannel, ctx.arg(1), ctx.arg(2))));
}
void SPublishCommand(CommandContext& ctx) {
  ctx.reply.Integer(
      static_cast<int64_t>(ctx.server.Publish(PubSub::kShard, ctx.arg(1), ctx.arg(2))));
}

void ReplyChannels(CommandContext& ctx, PubSub::Kind kind) {
  std::string_view glob;
  const bool has_glob = ctx.argc() == 3;
  if (has_glob) glob = ctx.arg(2);
  const std::vector<std::string> names =
      ctx.server.pubsub().Channels(kind, has_glob ? &glob : nullptr);
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void ReplyNumSub(CommandContext& ctx, PubSub::Kind kind) {
  ctx.reply.ArrayHeader(static_cast<int64_t>((ctx.argc() - 2) * 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub().NumSub(kind, ctx.arg(i))));
  }
}

// PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT | SHARDCHANNELS [pattern] |
// SHARDNUMSUB [channel ...] | HELP
void PubSubCommand(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  auto arity = [&] {
    ctx.reply.Error("ERR wrong number of arguments for 'pubsub|" + ToLower(sub) + "' command");
  };
  auto syntax = [&] {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(CStr(sub)) + "'. Try PUBSUB HELP.");
  };
  if (EqualsIgnoreCase(sub, "HELP")) {
    if (argc != 2) return arity();
    static const char* kHelp[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: "
        "'*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help."};
    ctx.reply.ArrayHeader(sizeof(kHelp) / sizeof(kHelp[0]));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  } else if (EqualsIgnoreCase(sub, "CHANNELS")) {
    if (argc > 3) return syntax();
    ReplyChannels(ctx, PubSub::kChannel);
  } else if (EqualsIgnoreCase(sub, "SHARDCHANNELS")) {
    if (argc > 3) return syntax();
    ReplyChannels(ctx, PubSub::kShard);
  } else if (EqualsIgnoreCase(sub, "NUMSUB")) {
    ReplyNumSub(ctx, PubSub::kChannel);
  } else if (EqualsIgnoreCase(sub, "SHARDNUMSUB")) {
    ReplyNumSub(ctx, PubSub::kShard);
  } else if (EqualsIgnoreCase(sub, "NUMPAT")) {
    if (argc != 2) return arity();
    ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub().NumPat()));
  }
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"subscribe", -2, "pubsub noscript loading stale subscribed", {}, SubscribeCommand},
    {"unsubscribe", -1, "pubsub noscript loading stale subscribed", {}, UnsubscribeCommand},
    {"psubscribe", -2, "pubsub noscript loading stale subscribed", {}, PSubscribeCommand},
    {"punsubscribe", -1, "pubsub noscript loading stale subscribed", {}, PUnsubscribeCommand},
    {"ssubscribe", -2, "pubsub noscript loading stale subscribed", {1, -1, 1}, SSubscribeCommand},
    {"sunsubscribe",
     -1,
     "pubsub noscript loading stale subscribed",
     {1, -1, 1},
     SUnsubscribeCommand},
    {"publish", 3, "pubsub loading stale fast", {}, PublishCommand},
    {"spublish", 3, "pubsub loading stale fast", {1, 1, 1}, SPublishCommand},
    {"pubsub",
     -2,
     "",
     {},
     PubSubCommand,
     "channels:-2 numpat:2 numsub:-2 shardchannels:-2 shardnumsub:-2 help:2"},
};

}  // namespace

void RegisterPubSubCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
