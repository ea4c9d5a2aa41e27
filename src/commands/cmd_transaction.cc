// Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH (Redis's multi.c). The server keeps
// the queue and runs EXEC (src/server/multi.cc); these functions check the client's state
// and reply.
#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

// MULTI -> OK; later commands are queued until EXEC or DISCARD.
void MultiCommand(CommandContext& ctx) {
  if (ctx.client.multi.active) return ctx.reply.Error("ERR MULTI calls can not be nested");
  ctx.client.multi.active = true;
  ctx.reply.Ok();
}

// EXEC -> the replies of the queued commands, a null array if a watched key changed, or
// -EXECABORT if a command was refused while queueing.
void ExecCommand(CommandContext& ctx) { ctx.server.ExecTransaction(ctx); }

// DISCARD -> OK; drops the queue and unwatches every key.
void DiscardCommand(CommandContext& ctx) {
  if (!ctx.client.multi.active) return ctx.reply.Error("ERR DISCARD without MULTI");
  ctx.server.DiscardTransaction(&ctx.client);
  ctx.reply.Ok();
}

// WATCH key [key ...] -> OK.
void WatchCommand(CommandContext& ctx) {
  if (ctx.client.multi.active) return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  // Once a watched key changed, EXEC fails whatever else is watched.
  if (!ctx.client.dirty_cas) {
    for (size_t i = 1; i < ctx.argc(); i++) ctx.server.Watch(&ctx.client, ctx.arg(i));
  }
  ctx.reply.Ok();
}

// UNWATCH -> OK.
void UnwatchCommand(CommandContext& ctx) {
  ctx.server.UnwatchAll(&ctx.client);
  ctx.reply.Ok();
}

// name, arity, flags, key positions {first, last, step}, function
const CommandSpec kCommands[] = {
    {"multi", 1, "noscript loading stale fast", {}, MultiCommand},
    {"exec", 1, "noscript loading stale skip_slowlog", {}, ExecCommand},
    {"discard", 1, "noscript loading stale fast", {}, DiscardCommand},
    {"watch", -2, "noscript loading stale fast", {1, -1, 1}, WatchCommand},
    {"unwatch", 1, "noscript loading stale fast", {}, UnwatchCommand},
};

}  // namespace

void RegisterTransactionCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
