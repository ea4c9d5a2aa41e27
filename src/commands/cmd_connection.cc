// Connection commands: PING ECHO QUIT AUTH HELLO SELECT RESET CLIENT READONLY.
#include <algorithm>

#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"
#include "types/keyspace.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

/*--- Helpers ---*/

// Redis's validateClientName: printable ASCII with no spaces.
bool ValidClientName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char ch) { return ch > ' ' && ch <= '~'; });
}

void SubcommandArityError(CommandContext& ctx, std::string_view sub) {
  ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) + "|" + ToLower(sub) +
                  "' command");
}

// Checks a password for `user` against requirepass. Replies the error and returns false on
// failure. Redis semantics: with no requirepass the default user has no password and any
// password authenticates it.
bool CheckAuth(CommandContext& ctx, std::string_view user, std::string_view pass) {
  const std::string& required = ctx.server.config().requirepass;
  if (user != "default" || (!required.empty() && pass != required)) {
    ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  ctx.client.authenticated = true;
  ctx.client.parser.set_authenticated(true);
  return true;
}

/*--- Commands ---*/

void PingCommand(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
  } else if (ctx.client.proto == 2 && ctx.client.subscribed()) {
    // A RESP2 subscriber reads pushes: PING answers in their shape.
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
  } else if (ctx.argc() == 2) {
    ctx.reply.Bulk(ctx.arg(1));
  } else {
    ctx.reply.Simple("PONG");
  }
}

void EchoCommand(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

void QuitCommand(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.server.KillClient(&ctx.client, true);
}

void AuthCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.argc() == 2 && ctx.server.config().requirepass.empty()) {
    ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
    return;
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.argc() == 3 ? ctx.arg(2) : ctx.arg(1);
  if (CheckAuth(ctx, user, pass)) ctx.reply.Ok();
}

void HelloCommand(CommandContext& ctx) {
  int64_t ver = ctx.client.proto;
  size_t i = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64Strict(ctx.arg(1), &ver)) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    i = 2;
    if (ver < 2 || ver > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  // As Redis, each option takes effect as it is read: AUTH authenticates at once, SETNAME is
  // checked at once, so an error later in the line does not undo an AUTH before it.
  for (; i < ctx.argc(); i++) {
    size_t more = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(ctx.arg(i), "AUTH") && more >= 2) {
      if (!CheckAuth(ctx, ctx.arg(i + 1), ctx.arg(i + 2))) return;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "SETNAME") && more >= 1) {
      if (!ValidClientName(ctx.arg(i + 1))) {
        ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      ctx.client.name = std::string(ctx.arg(i + 1));  // at once, as Redis
      i += 1;
    } else {
      ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(CStr(ctx.arg(i))) + "'");
      return;
    }
  }
  if (!ctx.client.authenticated) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  ctx.client.proto = static_cast<int>(ver);
  ctx.reply.set_proto(ctx.client.proto);
  resp::Writer& w = ctx.reply;
  w.MapHeader(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisVersion);
  w.Bulk("proto");
  w.Integer(ver);
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(ctx.client.id));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.ArrayHeader(0);
}

void SelectCommand(CommandContext& ctx) {
  int db;
  if (!ParseDbOrReply(ctx, ctx.arg(1), &db)) return;
  ctx.client.db = db;
  ctx.reply.Ok();
}

void ResetCommand(CommandContext& ctx) {
  Client& c = ctx.client;
  ctx.server.DiscardTransaction(&c);
  ctx.server.pubsub().UnsubscribeAll(&c);
  c.db = 0;
  c.proto = 2;
  ctx.reply.set_proto(2);
  c.reply_mode = ReplyMode::kOn;
  c.name.clear();
  c.monitor = false;
  c.authenticated = ctx.server.config().requirepass.empty();
  c.parser.set_authenticated(c.authenticated);
  ctx.reply.Simple("RESET");
}

void ReadonlyCommand(CommandContext& ctx) {
  ctx.reply.Error("ERR This instance has cluster support disabled");
}

/*--- CLIENT ---*/

// Redis's getClientType for the kinds of client Strata has: a client with a subscription is
// "pubsub", any other "normal" (MONITOR included).
std::string_view ClientType(const Client& c) { return c.subscribed() ? "pubsub" : "normal"; }

void ClientKill(CommandContext& ctx) {
  Server& srv = ctx.server;
  if (ctx.argc() == 3) {
    // Old form: CLIENT KILL addr:port.
    for (auto& [id, c] : srv.clients()) {
      if (c->conn && c->conn->peer() == ctx.arg(2)) {
        srv.KillClient(c.get(), c.get() == &ctx.client);
        ctx.reply.Ok();
        return;
      }
    }
    ctx.reply.Error("ERR No such client");
    return;
  }
  // As Redis: the filters are read in order, each checked as it is read; a filter with no
  // value is a syntax error when it is reached.
  int64_t want_id = -1;
  std::string addr, laddr, type;
  bool has_addr = false, has_laddr = false;  // ADDR "" matches no client
  bool skipme = true;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "ID")) {
      if (!ParseInt64Strict(val, &want_id) || want_id <= 0) {
        ctx.reply.Error("ERR client-id should be greater than 0");
        return;
      }
    } else if (EqualsIgnoreCase(opt, "ADDR")) {
      addr = val;
      has_addr = true;
    } else if (EqualsIgnoreCase(opt, "LADDR")) {
      laddr = val;
      has_laddr = true;
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      type = ToLower(val);
      if (type == "slave") type = "replica";
      if (type != "normal" && type != "master" && type != "replica" && type != "pubsub") {
        ctx.reply.Error("ERR Unknown client type '" + std::string(CStr(val)) + "'");
        return;
      }
    } else if (EqualsIgnoreCase(opt, "USER")) {
      if (val != "default") {
        ctx.reply.Error("ERR No such user '" + std::string(CStr(val)) + "'");
        return;
      }
    } else if (EqualsIgnoreCase(opt, "SKIPME")) {
      if (EqualsIgnoreCase(val, "yes")) {
        skipme = true;
      } else if (EqualsIgnoreCase(val, "no")) {
        skipme = false;
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  std::vector<Client*> victims;
  for (auto& [id, c] : srv.clients()) {
    if (c->conn == nullptr) continue;
    if (want_id > 0 && c->id != static_cast<uint64_t>(want_id)) continue;
    if (has_addr && c->conn->peer() != addr) continue;
    if (has_laddr && c->conn->local() != laddr) continue;
    if (!type.empty() && type != ClientType(*c)) continue;
    if (skipme && c.get() == &ctx.client) continue;
    victims.push_back(c.get());
  }
  for (Client* v : victims) srv.KillClient(v, v == &ctx.client);
  ctx.reply.Integer(static_cast<int64_t>(victims.size()));
}

void ClientCommand(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  size_t argc = ctx.argc();
  Client& me = ctx.client;
  if (EqualsIgnoreCase(sub, "ID")) {
    if (argc != 2) return SubcommandArityError(ctx, sub);
    ctx.reply.Integer(static_cast<int64_t>(me.id));
  } else if (EqualsIgnoreCase(sub, "SETNAME")) {
    if (argc != 3) return SubcommandArityError(ctx, sub);
    if (!ValidClientName(ctx.arg(2))) {
      ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    me.name = std::string(ctx.arg(2));
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "GETNAME")) {
    if (argc != 2) return SubcommandArityError(ctx, sub);
    if (me.name.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(me.name);
    }
  } else if (EqualsIgnoreCase(sub, "SETINFO")) {
    if (argc != 4) return SubcommandArityError(ctx, sub);
    std::string_view attr = ctx.arg(2), val = ctx.arg(3);
    bool name = EqualsIgnoreCase(attr, "LIB-NAME");
    if (!name && !EqualsIgnoreCase(attr, "LIB-VER")) {
      ctx.reply.Error("ERR Unrecognized option '" + std::string(attr) + "'");
      return;
    }
    if (!ValidClientName(val)) {
      ctx.reply.Error("ERR " + std::string(name ? "lib-name" : "lib-ver") +
                      " cannot contain spaces, newlines or special characters.");
      return;
    }
    (name ? me.lib_name : me.lib_ver) = std::string(val);
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "LIST")) {
    // As Redis 7.0: CLIENT LIST, CLIENT LIST TYPE <type> (exactly), or CLIENT LIST ID <id>...
    // (each id in turn, repeats included; an id of no client is skipped).
    std::string out;
    std::string type_filter;
    if (argc == 4 && EqualsIgnoreCase(ctx.arg(2), "TYPE")) {
      type_filter = ToLower(ctx.arg(3));
      if (type_filter == "slave") type_filter = "replica";
      if (type_filter != "normal" && type_filter != "master" && type_filter != "replica" &&
          type_filter != "pubsub") {
        return ctx.reply.Error("ERR Unknown client type '" + std::string(CStr(ctx.arg(3))) + "'");
      }
    } else if (argc > 3 && EqualsIgnoreCase(ctx.arg(2), "ID")) {
      std::vector<int64_t> ids;
      for (size_t i = 3; i < argc; i++) {
        int64_t id;
        if (!ParseInt64Strict(ctx.arg(i), &id)) return ctx.reply.Error("ERR Invalid client ID");
        ids.push_back(id);
      }
      for (int64_t id : ids) {
        const Client* c = id > 0 ? ctx.server.FindClient(static_cast<uint64_t>(id)) : nullptr;
        if (c != nullptr) out += ctx.server.ClientInfoLine(*c) + "\n";
      }
      return ctx.reply.Verbatim(out);
    } else if (argc != 2) {
      return ctx.reply.Error(errors::kSyntax);
    }
    std::vector<const Client*> list;
    for (auto& [id, c] : ctx.server.clients()) {
      if (c->conn == nullptr) continue;
      if (!type_filter.empty() && type_filter != ClientType(*c)) continue;
      list.push_back(c.get());
    }
    std::sort(list.begin(), list.end(),
              [](const Client* a, const Client* b) { return a->id < b->id; });
    for (const Client* c : list) out += ctx.server.ClientInfoLine(*c) + "\n";
    ctx.reply.Verbatim(out);
  } else if (EqualsIgnoreCase(sub, "INFO")) {
    if (argc != 2) return SubcommandArityError(ctx, sub);
    ctx.reply.Verbatim(ctx.server.ClientInfoLine(me) + "\n");
  } else if (EqualsIgnoreCase(sub, "KILL")) {
    if (argc < 3) return SubcommandArityError(ctx, sub);
    ClientKill(ctx);
  } else if (EqualsIgnoreCase(sub, "REPLY")) {
    if (argc != 3) return SubcommandArityError(ctx, sub);
    std::string_view mode = ctx.arg(2);
    if (EqualsIgnoreCase(mode, "ON")) {
      me.reply_mode = ReplyMode::kOn;
      // This command's own reply may be going to the discard buffer: write to the socket.
      me.conn->output()->append("+OK\r\n");
    } else if (EqualsIgnoreCase(mode, "OFF")) {
      me.reply_mode = ReplyMode::kOff;
    } else if (EqualsIgnoreCase(mode, "SKIP")) {
      if (me.reply_mode != ReplyMode::kOff) me.reply_mode = ReplyMode::kSkipNext;
    } else {
      ctx.reply.Error(errors::kSyntax);
    }
  } else if (EqualsIgnoreCase(sub, "NO-EVICT") || EqualsIgnoreCase(sub, "NO-TOUCH")) {
    if (argc != 3) return SubcommandArityError(ctx, sub);
    if (!EqualsIgnoreCase(ctx.arg(2), "ON") && !EqualsIgnoreCase(ctx.arg(2), "OFF")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    // Kept and shown in CLIENT LIST (flags e, T); Strata evicts no client for memory and
    // keeps no LRU clock for keys, so neither changes what the server does.
    const bool on = EqualsIgnoreCase(ctx.arg(2), "ON");
    (EqualsIgnoreCase(sub, "NO-EVICT") ? me.no_evict : me.no_touch) = on;
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(sub, "UNBLOCK")) {
    // CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as Redis.
    if (argc != 3 && argc != 4) return SubcommandArityError(ctx, sub);
    bool error = false;
    if (argc == 4) {
      if (EqualsIgnoreCase(ctx.arg(3), "ERROR")) {
        error = true;
      } else if (!EqualsIgnoreCase(ctx.arg(3), "TIMEOUT")) {
        return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      }
    }
    int64_t id;
    if (!ParseInt64Strict(ctx.arg(2), &id)) return ctx.reply.Error(errors::kNotInt);
    Client* target = id > 0 ? ctx.server.FindClient(static_cast<uint64_t>(id)) : nullptr;
    ctx.reply.Integer(target != nullptr && ctx.server.ClientUnblock(target, error) ? 1 : 0);
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    if (ctx.argc() != 2) return SubcommandArityError(ctx, sub);
    static const char* kHelp[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME.",
        "LIST [TYPE normal|master|replica|pubsub] [ID <id> [<id> ...]]",
        "    Return information about client connections.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr: LIB-NAME, LIB-VER.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "HELP",
        "    Print this help."};
    ctx.reply.ArrayHeader(sizeof(kHelp) / sizeof(kHelp[0]));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  } else {
    ctx.reply.Error("ERR unknown subcommand '" + std::string(CStr(sub).substr(0, 128)) +
                    "'. Try CLIENT HELP.");
  }
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    {"ping", -1, "fast subscribed", {}, PingCommand},
    {"echo", 2, "fast", {}, EchoCommand},
    {"quit", -1, "noauth fast subscribed", {}, QuitCommand},
    {"auth", -2, "noauth fast", {}, AuthCommand},
    {"hello", -1, "noauth fast", {}, HelloCommand},
    {"select", 2, "fast", {}, SelectCommand},
    {"reset", 1, "noauth fast subscribed", {}, ResetCommand},
    {"readonly", 1, "fast", {}, ReadonlyCommand},
    {"client",
     -2,
     "",
     {},
     ClientCommand,
     "id:2 setname:3 getname:2 setinfo:4 list:-2 info:2 kill:-3 reply:3 no-evict:3 no-touch:3 "
     "unblock:-3 help:2",
     "kill list no-evict unblock"},
};

}  // namespace

void RegisterConnectionCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
