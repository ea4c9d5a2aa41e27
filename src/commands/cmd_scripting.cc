// Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT (Redis's eval.c). The Lua side
// is src/script/lua_engine.h; this file parses arguments and runs the commands a script calls
// through the server, as a client with no connection.
//
// A script runs inside the caller's keyspace transaction: every command it calls runs with
// commit = false after a savepoint (a failing command takes back only its own writes), and
// the EVAL's own Execute commits them all as one write batch. So a script is atomic on disk
// as on the loop: after a crash all of its writes are there or none, and under appendfsync
// always it costs one fsync.
#include "commands/commands.h"
#include "script/lua_engine.h"
#include "server/command.h"
#include "server/server.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

// The interpreter, created on first use (one per process; loop thread only).
script::LuaEngine* Engine(CommandContext& ctx) {
  static script::LuaEngine* engine = nullptr;
  if (engine == nullptr) {
    auto* e = new script::LuaEngine();
    Status s = e->Open(kRedisVersion);
    if (!s.ok()) {
      ctx.reply.Error("ERR scripting is unavailable: " + s.ToString());
      delete e;
      return nullptr;
    }
    engine = e;
  }
  return engine;
}

// Runs what a script calls as Redis's script client: the caller's database (a SELECT
// inside the script changes only the script's), never blocking, with the checks scriptCall
// makes before the command's own.
class ScriptCaller : public script::Caller {
 public:
  ScriptCaller(CommandContext& ctx, bool read_only) : ctx_(ctx), read_only_(read_only) {
    client_.db = ctx.client.db;
    client_.deny_blocking = true;
    client_.name = "lua";
  }

  bool Call(const std::vector<std::string_view>& argv, int proto, std::string* reply,
            std::string* error) override {
    Command* cmd = ctx_.server.commands().Find(argv[0]);
    if (cmd == nullptr) {
      *error = "Unknown Redis command called from script";
      return false;
    }
    if ((cmd->arity > 0 && argv.size() != static_cast<size_t>(cmd->arity)) ||
        (cmd->arity < 0 && argv.size() < static_cast<size_t>(-cmd->arity))) {
      *error = "Wrong number of args calling Redis command from script";
      return false;
    }
    if (cmd->flags & kCmdNoScript) {
      *error = "This Redis command is not allowed from script";
      return false;
    }
    if (read_only_ && (cmd->flags & kCmdWrite)) {
      *error = "Write commands are not allowed from read-only scripts.";
      return false;
    }
    client_.proto = proto;
    ctx_.ks.SetSavePoint();
    ctx_.server.Execute(&client_, argv, reply, /*commit=*/false);
    return true;
  }

 private:
  CommandContext& ctx_;
  bool read_only_;
  Client client_;
};

// numkeys as EVAL parses it; replies and returns false on error.
bool ParseNumKeys(CommandContext& ctx, int64_t* numkeys) {
  if (!ParseInt64Strict(ctx.arg(2), numkeys)) {
    ctx.reply.Error(errors::kNotInt);
    return false;
  }
  if (*numkeys > static_cast<int64_t>(ctx.argc() - 3)) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (*numkeys < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  return true;
}

// EVAL script numkeys key... arg... / EVALSHA sha1 numkeys ... (and the _RO variants).
void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  int64_t numkeys;
  if (!ParseNumKeys(ctx, &numkeys)) return;
  script::LuaEngine* engine = Engine(ctx);
  if (engine == nullptr) return;
  std::string sha;
  if (by_sha) {
    // Redis compares the first 40 characters, lower-cased.
    sha = ToLower(ctx.arg(1).substr(0, 40));
    if (ctx.arg(1).size() != 40 || !engine->Has(sha)) {
      return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
    }
  } else {
    std::string error;
    if (!engine->Load(ctx.arg(1), &sha, &error)) return ctx.reply.Error("ERR " + error);
  }
  const auto first_arg = static_cast<size_t>(3 + numkeys);
  std::vector<std::string_view> keys(ctx.argv.begin() + 3, ctx.argv.begin() + first_arg);
  std::vector<std::string_view> args(ctx.argv.begin() + first_arg, ctx.argv.end());
  ScriptCaller caller(ctx, read_only);
  engine->Run(sha, keys, args, &caller, ctx.reply);
  ctx.ks.ClearSavePoint();
}
void EvalCommand(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void EvalShaCommand(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void EvalRoCommand(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void EvalShaRoCommand(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

// SCRIPT LOAD script | EXISTS sha... | FLUSH [ASYNC|SYNC] | KILL | HELP
void ScriptCommand(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  auto arity = [&] {
    ctx.reply.Error("ERR wrong number of arguments for 'script|" + ToLower(sub) + "' command");
  };
  script::LuaEngine* engine = Engine(ctx);
  if (engine == nullptr) return;
  if (EqualsIgnoreCase(sub, "LOAD")) {
    if (argc != 3) return arity();
    std::string sha, error;
    if (!engine->Load(ctx.arg(2), &sha, &error)) return ctx.reply.Error("ERR " + error);
    ctx.reply.Bulk(sha);
  } else if (EqualsIgnoreCase(sub, "EXISTS")) {
    if (argc < 3) return arity();
    ctx.reply.ArrayHeader(static_cast<int64_t>(argc - 2));
    for (size_t i = 2; i < argc; i++) {
      const std::string_view sha = ctx.arg(i);
      ctx.reply.Integer(sha.size() == 40 && engine->Has(ToLower(sha)) ? 1 : 0);
    }
  } else if (EqualsIgnoreCase(sub, "FLUSH")) {
    if (argc > 3) return arity();
    if (argc == 3 && !EqualsIgnoreCase(ctx.arg(2), "ASYNC") &&
        !EqualsIgnoreCase(ctx.arg(2), "SYNC")) {
      return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    engine->Flush();
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "KILL")) {
    if (argc != 2) return arity();
    // Scripts run to completion on the loop: none can be running when a command is read.
    ctx.reply.Error("NOTBUSY No scripts in execution right now.");
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    if (argc != 2) return arity();
    static const char* kHelp[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help."};
    ctx.reply.ArrayHeader(sizeof(kHelp) / sizeof(kHelp[0]));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  }
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"eval", -3, "noscript stale movablekeys", {}, EvalCommand},
    {"evalsha", -3, "noscript stale movablekeys", {}, EvalShaCommand},
    {"eval_ro", -3, "readonly noscript stale movablekeys", {}, EvalRoCommand},
    {"evalsha_ro", -3, "readonly noscript stale movablekeys", {}, EvalShaRoCommand},
    {"script", -2, "", {}, ScriptCommand, "load:3 exists:-3 flush:-2 kill:2 help:2"},
};

}  // namespace

void RegisterScriptingCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
