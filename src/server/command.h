// The command table: every command's name, arity, flags and key positions, and the function
// that runs it (Redis's redisCommand). Argument-count checks, NOAUTH, write refusal on a
// failed disk and per-command statistics happen in one place (Server::Dispatch), never in the
// commands themselves. Each cmd_*.cc file registers its family with a Register* function.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "resp/writer.h"
#include "types/keyspace.h"
#include "util/status.h"

namespace strata::server {

class Server;
struct Client;
using types::Keyspace;
using types::KeyState;
using types::StoredValue;
using types::TypeName;
using types::ValueType;

// Command flags, named in a command table line as words ("write denyoom fast"); the words
// are Redis's COMMAND INFO flag names.
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,     // "write": may modify the keyspace (refused when writes fail)
  kCmdReadOnly = 1 << 1,  // "readonly": reads the keyspace
  kCmdNoAuth = 1 << 2,    // "no_auth": allowed before AUTH (AUTH, HELLO, QUIT, RESET)
  kCmdAdmin = 1 << 3,     // "admin": not shown to MONITOR
  kCmdFast = 1 << 4,      // "fast": O(1) or O(log N), never blocks
  kCmdDenyOom = 1 << 5,   // "denyoom": may grow memory
  kCmdBlocking = 1 << 6,  // "blocking": may block the client (BLPOP...)
  kCmdNoScript = 1 << 7,  // "noscript": refused inside a script
  kCmdLoading = 1 << 8,   // "loading": allowed while the data set loads
  kCmdStale = 1 << 9,     // "stale": allowed on a replica with a broken link
  // "movablekeys": keys are found by parsing the arguments (LMPOP numkeys key...), not by the
  // key spec, which is then empty.
  kCmdMovableKeys = 1 << 10,
  kCmdPubSub = 1 << 11,       // "pubsub": a pub/sub command
  kCmdSkipSlowlog = 1 << 13,  // "skip_slowlog": never logged in SLOWLOG (EXEC: its commands are)
  // "subscribed": allowed to a RESP2 client with subscriptions ((P|S)(UN)SUBSCRIBE, PING,
  // QUIT, RESET). Strata's own word: COMMAND INFO does not show it.
  kCmdPubSubContext = 1 << 12,
};
// The COMMAND INFO names of the flags set in `flags`, in Redis's order.
std::vector<std::string_view> FlagNames(uint32_t flags);

// Redis's legacy key specification: the arguments at first, first+step, ... up to last
// (negative: counted from the end, -1 the last argument) are keys. {} for no keys.
struct KeySpec {
  int first = 0, last = 0, step = 0;
};

struct CommandContext {
  Server& server;
  Client& client;
  const std::vector<std::string_view>& argv;
  resp::Writer& reply;
  Keyspace& ks;
  int64_t now_ms;
  // False inside EXEC and scripts: blocking commands then act as if they timed out.
  bool may_block = true;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
};

using CommandFn = void (*)(CommandContext& ctx);

// One line of a command family's table (src/commands/cmd_*.cc):
//   {"set", -3, "write denyoom", {1, 1, 1}, SetCommand},
//   {"config", -2, "admin noscript loading stale", {}, ConfigCommand, "get set resetstat"},
// flags: words naming CommandFlag bits ("readonly", "write", "fast", "denyoom", "admin",
// "noauth", "blocking", "noscript", "loading", "stale"). subcommands: the container's
// subcommand names, space-separated, each optionally with its arity ("get:-3"), checked
// before the command runs as Redis checks a subcommand's arity.
struct CommandSpec {
  const char* name;  // lower case
  int arity;         // > 0: exactly; < 0: at least -arity (name included)
  const char* flags;
  KeySpec keys;
  CommandFn fn;
  const char* subcommands = "";
  // Subcommands that are admin commands (hidden from MONITOR), for a container that is not.
  const char* admin_subcommands = "";
};

// A registered command: its spec, its docs and its statistics. The key spec drives
// COMMAND GETKEYS, the pipelined-read prefetch and (later) ACL key checks: one source.
struct Command {
  std::string name;  // lower case
  int arity = 0;
  uint32_t flags = 0;
  KeySpec keys;
  CommandFn fn = nullptr;
  std::string group;                     // COMMAND DOCS group: string, generic, connection, server
  std::string summary;                   // COMMAND DOCS summary
  std::string since;                     // Redis version that introduced it
  std::vector<std::string> subcommands;  // "config|get", ... for COMMAND INFO/DOCS
  std::vector<int> subcommand_arity;     // per subcommand, as arity; 0: checked by the command
  std::vector<std::string> admin_subcommands;  // lower case: "kill", ...
  // Admin (never fed to MONITOR): the command, or the subcommand named by argv[1].
  bool IsAdmin(const std::vector<std::string_view>& argv) const;
  // Whether `sub` (any case) is one of this container's subcommands.
  bool HasSubcommand(std::string_view sub) const;
  // False if `sub` has a declared arity that argc (the whole call's) does not meet; *full is
  // then its name as Redis reports it ("config|get").
  bool SubcommandArityOk(std::string_view sub, size_t argc, std::string* full) const;

  // Calls fn(i) for each key position i of a call with argc arguments (name included), by the
  // legacy key spec; none for a command without keys.
  template <class Fn>
  void ForEachKeyIndex(size_t argc, Fn fn) const {
    if (keys.first <= 0 || keys.step <= 0) return;
    const int64_t n = static_cast<int64_t>(argc);
    const int64_t last = keys.last < 0 ? n + keys.last : keys.last;
    for (int64_t i = keys.first; i <= last && i < n; i += keys.step) fn(static_cast<size_t>(i));
  }

  // Statistics for INFO commandstats.
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

class CommandTable {
 public:
  // Fills a command's docs (group, since, summary); false if it has none.
  using DocLookup = std::function<bool(std::string_view name, Command* cmd)>;
  void SetDocLookup(DocLookup lookup) { docs_ = std::move(lookup); }
  // Registers a family's table. A line with an unknown flag word, or a command without
  // docs, is a programming error: it aborts with a message naming the command.
  template <size_t N>
  void AddAll(const CommandSpec (&specs)[N]) {
    for (const CommandSpec& s : specs) Add(s);
  }
  void Add(const CommandSpec& spec);
  // Case-insensitive lookup; nullptr if unknown (or renamed away).
  Command* Find(std::string_view name);
  // rename-command: `from` becomes `to`; an empty `to` disables the command.
  bool Rename(const std::string& from, const std::string& to);
  std::vector<Command*> All();
  void ResetStats();

 private:
  std::unordered_map<std::string, Command> commands_;
  DocLookup docs_;
};

// Shared reply texts and argument parsing (Redis's shared objects and getLongLongFromObject).
namespace errors {
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";
// An integer that does not fit Redis's `int` (getIntFromObjectOrReply).
inline constexpr std::string_view kIntRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
}  // namespace errors

// Strict base-10 int64 as Redis's string2ll: no spaces, no '+', no leading zeros but "0".
bool ParseInt64Strict(std::string_view s, int64_t* out);
// Redis's string2ld-style long double: rejects spaces, empty, nan.
bool ParseLongDouble(std::string_view s, long double* out);
// Redis's ld2string in humanfriendly mode (INCRBYFLOAT, HINCRBYFLOAT): %.17Lf with trailing
// zeros and a trailing point removed, "-0" as "0". False if it does not fit.
bool FormatLongDouble(long double v, std::string* out);
// A blocking command's timeout in seconds (fractions allowed) as Redis's
// getTimeoutFromObjectOrReply: *deadline_ms is the absolute unix ms it ends, 0 for none
// (timeout 0 waits forever). Replies the error and returns false on a bad timeout.
bool ParseTimeoutOrReply(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms);
// A database index argument (SELECT, MOVE, COPY DB) as Redis checks it: not an integer, out
// of int range, out of the configured databases each get Redis's error. Replies and returns
// false on error.
bool ParseDbOrReply(CommandContext& ctx, std::string_view arg, int* db);
// Reply with the error for a failed store operation (MISCONF-style for writes).
void ReplyStoreError(CommandContext& ctx, const Status& s);
// Its text, without the leading '-'.
std::string StoreErrorReply(const Status& s);
// Reads a live (unexpired) key of database `db` into *v; *found says whether it exists.
// Replies the error and returns false if the store failed.
bool LookupOrReply(CommandContext& ctx, int db, std::string_view key, StoredValue* v, bool* found);
// Counts `changes` writes for the dirty counter (INFO rdb_changes_since_last_save). The
// writes themselves are staged in ctx.ks and committed by the server after the command.
void MarkDirty(CommandContext& ctx, uint64_t changes = 1);
std::string ToLower(std::string_view s);
// An argument as Redis's "%s" prints it in an error text: up to its first NUL byte.
inline std::string_view CStr(std::string_view arg) { return arg.substr(0, arg.find('\0')); }
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace strata::server
