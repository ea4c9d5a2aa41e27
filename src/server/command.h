// The command table: every command's name, arity, flags and key positions, and the function
// that runs it (Redis's redisCommand). Argument-count checks, NOAUTH, write refusal on a
// failed disk and per-command statistics happen in one place (Server::Dispatch), never in the
// commands themselves. Each cmd_*.cc file registers its family with a Register* function.
#pragma once

#include <cstdint>
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

enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,     // may modify the keyspace (refused when writes fail)
  kCmdReadOnly = 1 << 1,  // reads the keyspace
  kCmdNoAuth = 1 << 2,    // allowed before AUTH (AUTH, HELLO, QUIT, RESET)
  kCmdAdmin = 1 << 3,     // not shown to MONITOR
  kCmdFast = 1 << 4,
  kCmdDenyOom = 1 << 5,
};

struct CommandContext {
  Server& server;
  Client& client;
  const std::vector<std::string_view>& argv;
  resp::Writer& reply;
  Keyspace& ks;
  int64_t now_ms;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
};

using CommandFn = void (*)(CommandContext& ctx);

struct Command {
  std::string name;  // lower case
  int arity;         // > 0: exactly; < 0: at least -arity (name included)
  uint32_t flags;
  int first_key, last_key, key_step;  // Redis's legacy key spec (last -1 = until the end)
  CommandFn fn;
  std::string group;                     // COMMAND DOCS group: string, generic, connection, server
  std::string summary;                   // COMMAND DOCS summary
  std::string since;                     // Redis version that introduced it
  std::vector<std::string> subcommands;  // "config|get", ... for COMMAND INFO/DOCS

  // Calls fn(i) for each key position i of a call with argc arguments (name included), by the
  // legacy key spec; none for a command without keys.
  template <class Fn>
  void ForEachKeyIndex(size_t argc, Fn fn) const {
    if (first_key <= 0 || key_step <= 0) return;
    const int64_t n = static_cast<int64_t>(argc);
    const int64_t last = last_key < 0 ? n + last_key : last_key;
    for (int64_t i = first_key; i <= last && i < n; i += key_step) fn(static_cast<size_t>(i));
  }

  // Statistics for INFO commandstats.
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

class CommandTable {
 public:
  void Add(Command cmd);
  // Case-insensitive lookup; nullptr if unknown (or renamed away).
  Command* Find(std::string_view name);
  // rename-command: `from` becomes `to`; an empty `to` disables the command.
  bool Rename(const std::string& from, const std::string& to);
  std::vector<Command*> All();
  void ResetStats();

 private:
  std::unordered_map<std::string, Command> commands_;
};

void RegisterConnectionCommands(CommandTable* t);
void RegisterStringCommands(CommandTable* t);
void RegisterKeyspaceCommands(CommandTable* t);
void RegisterServerCommands(CommandTable* t);

// Shared reply texts and argument parsing (Redis's shared objects and getLongLongFromObject).
namespace errors {
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";
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
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace strata::server
