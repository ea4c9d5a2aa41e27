// Server commands: INFO CONFIG COMMAND TIME LASTSAVE SAVE BGSAVE SHUTDOWN DEBUG SLOWLOG MONITOR
// FUNCTION COMPACT.
#include <cctype>
#include <cmath>
#include <thread>

#include "commands/commands.h"
#include "net/event_loop.h"
#include "server/command.h"
#include "server/info.h"
#include "server/server.h"
#include "types/keyspace.h"
#include "util/glob.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

void SubcommandArityError(CommandContext& ctx) {
  ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) + "|" +
                  ToLower(ctx.arg(1)) + "' command");
}

void UnknownSubcommand(CommandContext& ctx) {
  std::string name(ctx.arg(0));
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ctx.reply.Error("ERR unknown subcommand '" + std::string(CStr(ctx.arg(1)).substr(0, 128)) +
                  "'. Try " + name + " HELP.");
}

void HelpReply(CommandContext& ctx, std::initializer_list<const char*> lines) {
  if (ctx.argc() != 2) return SubcommandArityError(ctx);  // "<container>|help" takes nothing
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (const char* l : lines) ctx.reply.Simple(l);
}

/*--- INFO ---*/

void InfoCommand(CommandContext& ctx) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < ctx.argc(); i++) sections.emplace_back(ctx.arg(i));
  ctx.reply.Verbatim(GenerateInfo(ctx.server, sections));
}

/*--- CONFIG ---*/

void ConfigCommand(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  ConfigRegistry& reg = ctx.server.config_registry();
  if (EqualsIgnoreCase(sub, "GET")) {
    if (ctx.argc() < 3) return SubcommandArityError(ctx);
    std::vector<std::pair<std::string, std::string>> all;
    for (size_t i = 2; i < ctx.argc(); i++) {
      const std::string pattern(ctx.arg(i));
      // As Redis: a name without glob characters is answered under the name as given.
      const bool exact = pattern.find_first_of("*?[") == std::string::npos;
      for (auto& kv : reg.Get(pattern)) {
        if (exact) kv.first = pattern;
        bool dup = false;
        for (auto& e : all) dup |= EqualsIgnoreCase(e.first, kv.first);
        if (!dup) all.push_back(kv);
      }
    }
    ctx.reply.MapHeader(static_cast<int64_t>(all.size()));
    for (auto& [k, v] : all) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
  } else if (EqualsIgnoreCase(sub, "SET")) {
    if (ctx.argc() < 4) return SubcommandArityError(ctx);
    if (ctx.argc() % 2 != 0) return ctx.reply.Error(errors::kSyntax);
    // As Redis: every name is checked before any value, and a bad value changes nothing.
    std::vector<std::string> seen;
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      std::string err;
      if (!reg.CheckSettable(std::string(ctx.arg(i)), false, &err)) {
        return ctx.reply.Error("ERR " + err);
      }
      std::string name = ToLower(ctx.arg(i));
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
        return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" +
                               std::string(ctx.arg(i)) + "') - duplicate parameter");
      }
      seen.push_back(std::move(name));
    }
    Config backup = ctx.server.config();
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      std::string err;
      if (!reg.Set(std::string(ctx.arg(i)), {std::string(ctx.arg(i + 1))}, false, &err)) {
        ctx.server.config() = backup;
        return ctx.reply.Error("ERR " + err);
      }
    }
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "RESETSTAT")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx);
    ctx.server.ResetStats();
    ctx.server.slowlog().clear();
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "REWRITE")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx);
    std::string err;
    if (!reg.Rewrite(&err)) return ctx.reply.Error("ERR " + err);
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    HelpReply(ctx,
              {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET <pattern>",
               "    Return parameters matching the glob-like <pattern> and their values.",
               "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
               "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
               "    Rewrite the configuration file.", "HELP", "    Print this help."});
  } else {
    UnknownSubcommand(ctx);
  }
}

/*--- COMMAND ---*/

void CommandInfoEntry(CommandContext& ctx, const Command& c) {
  resp::Writer& w = ctx.reply;
  w.ArrayHeader(10);
  w.Bulk(c.name);
  w.Integer(c.arity);
  auto flags = FlagNames(c.flags);
  w.SetHeader(static_cast<int64_t>(flags.size()));
  for (auto& f : flags) w.Simple(f);
  w.Integer(c.keys.first);
  w.Integer(c.keys.last);
  w.Integer(c.keys.step);
  std::vector<std::string> cats;
  cats.push_back(c.flags & kCmdWrite ? "@write" : "@read");
  if (c.group == "string" || c.group == "generic" || c.group == "connection") {
    cats.push_back(c.group == "generic" ? "@keyspace" : "@" + c.group);
  }
  if (c.flags & kCmdAdmin) cats.push_back("@admin");
  cats.push_back(c.flags & kCmdFast ? "@fast" : "@slow");
  w.SetHeader(static_cast<int64_t>(cats.size()));
  for (auto& cat : cats) w.Simple(cat);
  w.ArrayHeader(0);  // tips
  w.ArrayHeader(0);  // key specs
  w.ArrayHeader(0);  // subcommands
}

void CommandDocsEntry(CommandContext& ctx, const Command& c) {
  resp::Writer& w = ctx.reply;
  w.Bulk(c.name);
  w.MapHeader(3);
  w.Bulk("summary");
  w.Bulk(c.summary);
  w.Bulk("since");
  w.Bulk(c.since);
  w.Bulk("group");
  w.Bulk(c.group);
}

void CommandCommand(CommandContext& ctx) {
  CommandTable& table = ctx.server.commands();
  auto all = table.All();
  std::sort(all.begin(), all.end(),
            [](const Command* a, const Command* b) { return a->name < b->name; });
  if (ctx.argc() == 1) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
    for (const Command* c : all) CommandInfoEntry(ctx, *c);
    return;
  }
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "COUNT")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx);
    ctx.reply.Integer(static_cast<int64_t>(all.size()));
  } else if (EqualsIgnoreCase(sub, "INFO")) {
    if (ctx.argc() == 2) {
      ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
      for (const Command* c : all) CommandInfoEntry(ctx, *c);
      return;
    }
    ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
    for (size_t i = 2; i < ctx.argc(); i++) {
      const Command* c = table.Find(ctx.arg(i));
      c ? CommandInfoEntry(ctx, *c) : ctx.reply.Null();
    }
  } else if (EqualsIgnoreCase(sub, "DOCS")) {
    std::vector<const Command*> list;
    if (ctx.argc() == 2) {
      list.assign(all.begin(), all.end());
    } else {
      for (size_t i = 2; i < ctx.argc(); i++) {
        if (const Command* c = table.Find(ctx.arg(i))) list.push_back(c);
      }
    }
    ctx.reply.MapHeader(static_cast<int64_t>(list.size()));
    for (const Command* c : list) CommandDocsEntry(ctx, *c);
  } else if (EqualsIgnoreCase(sub, "LIST")) {
    std::string pattern;
    if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "FILTERBY") &&
        EqualsIgnoreCase(ctx.arg(3), "PATTERN")) {
      pattern = ctx.arg(4);
    } else if (ctx.argc() != 2) {
      return ctx.reply.Error(errors::kSyntax);
    }
    std::vector<const Command*> list;
    for (const Command* c : all) {
      if (pattern.empty() || GlobMatch(pattern, c->name, true)) list.push_back(c);
    }
    ctx.reply.ArrayHeader(static_cast<int64_t>(list.size()));
    for (const Command* c : list) ctx.reply.Bulk(c->name);
  } else if (EqualsIgnoreCase(sub, "GETKEYS")) {
    if (ctx.argc() < 4) return SubcommandArityError(ctx);  // command|getkeys: arity -4
    const Command* c = table.Find(ctx.arg(2));
    if (c == nullptr) return ctx.reply.Error("ERR Invalid command specified");
    int64_t argc = static_cast<int64_t>(ctx.argc() - 2);
    if (c->keys.first == 0) return ctx.reply.Error("ERR The command has no key arguments");
    if ((c->arity > 0 && argc != c->arity) || (c->arity < 0 && argc < -c->arity)) {
      return ctx.reply.Error("ERR Invalid number of arguments specified for command");
    }
    std::vector<std::string_view> keys;
    c->ForEachKeyIndex(static_cast<size_t>(argc),
                       [&](size_t i) { keys.push_back(ctx.arg(i + 2)); });
    ctx.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
    for (auto k : keys) ctx.reply.Bulk(k);
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    HelpReply(
        ctx,
        {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "(no subcommand)",
         "    Return details about all Redis commands.", "COUNT",
         "    Return the total number of commands in this Redis server.", "LIST",
         "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
         "    Return details about multiple Redis commands.", "DOCS [<command-name> ...]",
         "    Return documentation details about multiple Redis commands.",
         "GETKEYS <full-command>", "    Return the keys from a full Redis command.", "HELP",
         "    Print this help."});
  } else {
    UnknownSubcommand(ctx);
  }
}

/*--- Persistence and lifecycle ---*/

void TimeCommand(CommandContext& ctx) {
  int64_t us = net::EventLoop::NowUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(us / 1000000));
  ctx.reply.Bulk(std::to_string(us % 1000000));
}

void LastSaveCommand(CommandContext& ctx) { ctx.reply.Integer(ctx.server.last_save_s()); }

// SAVE: the memtable becomes an SSTable and the WAL is synced: a durable point.
void SaveCommand(CommandContext& ctx) {
  Status s = ctx.server.db()->SyncWAL();
  if (s.ok()) s = ctx.server.db()->FlushMemTable(true);
  if (!s.ok()) return ctx.reply.Error("ERR " + s.ToString());
  ctx.server.set_last_save_s(ctx.now_ms / 1000);
  ctx.server.reset_dirty();
  ctx.reply.Ok();
}

void BgSaveCommand(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "SCHEDULE")) {
    schedule = true;
  } else if (ctx.argc() > 1) {
    return ctx.reply.Error(errors::kSyntax);
  }
  Status s = ctx.server.db()->SyncWAL();
  if (s.ok()) s = ctx.server.db()->FlushMemTable(false);
  if (!s.ok()) return ctx.reply.Error("ERR " + s.ToString());
  ctx.server.set_last_save_s(ctx.now_ms / 1000);
  ctx.server.reset_dirty();
  // As Redis when no save is in progress: SCHEDULE starts one at once.
  (void)schedule;
  ctx.reply.Simple("Background saving started");
}

void ShutdownCommand(CommandContext& ctx) {
  bool abort = false, save = false, nosave = false, other = false;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "ABORT")) {
      abort = true;
    } else if (EqualsIgnoreCase(o, "NOSAVE")) {
      nosave = true;
    } else if (EqualsIgnoreCase(o, "SAVE")) {
      save = true;
    } else if (EqualsIgnoreCase(o, "NOW") || EqualsIgnoreCase(o, "FORCE")) {
      other = true;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  // As Redis: ABORT alone, and never SAVE with NOSAVE.
  if ((abort && (save || nosave || other)) || (save && nosave)) {
    return ctx.reply.Error(errors::kSyntax);
  }
  if (abort) return ctx.reply.Error("ERR No shutdown in progress.");
  // Every mode syncs the WAL: nothing acknowledged is dropped, and the next start is instant.
  ctx.server.RequestShutdown();
}

void CompactCommand(CommandContext& ctx) {
  // Make any FLUSHDB/FLUSHALL durable first, so their keys can be dropped by this compaction.
  Status s = ctx.server.db()->SyncWAL();
  ctx.server.ReleaseDeadNamespaces();
  if (s.ok()) s = ctx.server.db()->CompactAll();
  if (!s.ok()) return ctx.reply.Error("ERR " + s.ToString());
  ctx.reply.Ok();
}

/*--- DEBUG, SLOWLOG, MONITOR, FUNCTION ---*/

void DebugCommand(CommandContext& ctx) {
  const std::string& mode = ctx.server.config().enable_debug_command;
  bool local = ctx.client.conn && ctx.client.conn->peer_is_loopback();
  if (mode == "no" || (mode == "local" && !local)) {
    return ctx.reply.Error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
  }
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "SLEEP") && ctx.argc() == 3) {
    long double secs;
    if (!ParseLongDouble(ctx.arg(2), &secs) || secs < 0) secs = 0;
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(secs * 1000000)));
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "SET-ACTIVE-EXPIRE") && ctx.argc() == 3) {
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "RELOAD")) {
    bool flush = true;
    for (size_t i = 2; i < ctx.argc(); i++) {
      if (!EqualsIgnoreCase(ctx.arg(i), "MERGE") && !EqualsIgnoreCase(ctx.arg(i), "NOFLUSH") &&
          !EqualsIgnoreCase(ctx.arg(i), "NOSAVE")) {
        return ctx.reply.Error(
            "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      }
      if (!EqualsIgnoreCase(ctx.arg(i), "NOSAVE")) flush = false;
    }
    // Redis empties every database before reloading them: WATCHed keys that exist count as
    // touched, though the data comes back the same.
    if (flush) ctx.server.TouchWatchedKeysOfAllDbs();
    Status s = ctx.server.db()->FlushMemTable(true);
    if (!s.ok()) return ctx.reply.Error("ERR " + s.ToString());
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    HelpReply(ctx, {"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
                    "RELOAD", "    Flush the memtable to an SSTable.", "SET-ACTIVE-EXPIRE <0|1>",
                    "    Accepted for compatibility.", "HELP", "    Print this help."});
  } else {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(sub.substr(0, 128)) + "'. Try DEBUG HELP.");
  }
}

void SlowlogCommand(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  auto& log = ctx.server.slowlog();
  if (EqualsIgnoreCase(sub, "GET")) {
    if (ctx.argc() > 3) {
      return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                             std::string(CStr(ctx.arg(1))) + "'. Try SLOWLOG HELP.");
    }
    int64_t count = 10;
    if (ctx.argc() == 3) {
      if (!ParseInt64Strict(ctx.arg(2), &count) || count < -1) {
        return ctx.reply.Error("ERR count should be greater than or equal to -1");
      }
      if (count == -1) count = static_cast<int64_t>(log.size());
    }
    size_t n = std::min<size_t>(static_cast<size_t>(count), log.size());
    ctx.reply.ArrayHeader(static_cast<int64_t>(n));
    for (size_t i = 0; i < n; i++) {
      const SlowlogEntry& e = log[i];
      ctx.reply.ArrayHeader(6);
      ctx.reply.Integer(static_cast<int64_t>(e.id));
      ctx.reply.Integer(e.time_s);
      ctx.reply.Integer(e.duration_us);
      ctx.reply.ArrayHeader(static_cast<int64_t>(e.args.size()));
      for (const auto& a : e.args) ctx.reply.Bulk(a);
      ctx.reply.Bulk(e.peer);
      ctx.reply.Bulk(e.name);
    }
  } else if (EqualsIgnoreCase(sub, "LEN")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx);
    ctx.reply.Integer(static_cast<int64_t>(log.size()));
  } else if (EqualsIgnoreCase(sub, "RESET")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx);
    log.clear();
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    HelpReply(ctx,
              {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
               "    Return top <count> entries from the slowlog (default: 10, -1 mean all).", "LEN",
               "    Return the length of the slowlog.", "RESET", "    Reset the slowlog.", "HELP",
               "    Print this help."});
  } else {
    UnknownSubcommand(ctx);
  }
}

void MonitorCommand(CommandContext& ctx) {
  if (ctx.client.monitor) return;
  ctx.client.monitor = true;
  ctx.server.AddMonitor(&ctx.client);
  ctx.reply.Ok();
}

void FunctionCommand(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "FLUSH")) {
    if (ctx.argc() > 3) {
      return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                             std::string(CStr(ctx.arg(1))) + "'. Try FUNCTION HELP.");
    }
    if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "ASYNC") &&
        !EqualsIgnoreCase(ctx.arg(2), "SYNC")) {
      return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    ctx.reply.Ok();  // there are no functions to flush
  } else if (EqualsIgnoreCase(sub, "LIST")) {
    // Arguments are checked as Redis does; there is no library to list.
    bool with_code = false, pattern = false;
    for (size_t i = 2; i < ctx.argc(); i++) {
      if (!with_code && EqualsIgnoreCase(ctx.arg(i), "WITHCODE")) {
        with_code = true;
      } else if (!pattern && EqualsIgnoreCase(ctx.arg(i), "LIBRARYNAME")) {
        if (i + 1 >= ctx.argc()) return ctx.reply.Error("ERR library name argument was not given");
        pattern = true;
        i++;
      } else {
        return ctx.reply.Error("ERR Unknown argument " + std::string(CStr(ctx.arg(i))));
      }
    }
    ctx.reply.ArrayHeader(0);
  } else {
    UnknownSubcommand(ctx);
  }
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"info", -1, "", {}, InfoCommand},
    {"config", -2, "admin", {}, ConfigCommand, "get:-3 set:-4 resetstat:2 rewrite:2 help:2"},
    {"command", -1, "", {}, CommandCommand, "count:2 info:-2 docs:-2 list:-2 getkeys:-4 help:2"},
    {"time", 1, "fast", {}, TimeCommand},
    {"lastsave", 1, "fast", {}, LastSaveCommand},
    {"save", 1, "admin", {}, SaveCommand},
    {"bgsave", -1, "admin", {}, BgSaveCommand},
    {"shutdown", -1, "admin", {}, ShutdownCommand},
    {"compact", 1, "admin", {}, CompactCommand},
    {"debug", -2, "admin", {}, DebugCommand},
    {"slowlog", -2, "admin", {}, SlowlogCommand, "get:-2 len:2 reset:2 help:2"},
    {"monitor", 1, "admin", {}, MonitorCommand},
    {"function", -2, "", {}, FunctionCommand, "flush:-2 list:-2"},
};

}  // namespace

void RegisterServerCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
