// OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT key, OBJECT HELP (Redis's object.c).
//
// Strata keeps no in-memory objects, so OBJECT answers what Redis 7.0 would report for the
// value as it is now: ENCODING from the value's type, size and contents with Redis's default
// thresholds (an intset up to 512 integers, listpacks up to 128 elements of at most 64
// bytes, strings "int"/"embstr"/"raw"). Redis never converts a collection back to its small
// encoding, so after shrinking a large collection the two can differ. There are no access
// times or counts: IDLETIME is 0, and FREQ replies Redis's error for a server whose
// maxmemory-policy is not LFU (Strata evicts nothing). REFCOUNT is Redis's: shared integers
// below 10000 report INT_MAX, anything else 1.
#include "commands/commands.h"
#include "server/command.h"
#include "server/server.h"
#include "types/hash.h"
#include "types/set.h"
#include "types/zset.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, Server, Client, errors

namespace {

constexpr uint64_t kListpackEntries = 128;  // hash-max-listpack-entries, zset-max-...
constexpr size_t kListpackValue = 64;       // hash-max-listpack-value, zset-max-...
constexpr uint64_t kIntsetEntries = 512;    // set-max-intset-entries
constexpr size_t kEmbstrLimit = 44;         // OBJ_ENCODING_EMBSTR_SIZE_LIMIT

bool IsRedisInteger(std::string_view s) {
  int64_t v;
  return s.size() <= 20 && ParseInt64Strict(s, &v);
}

// The encoding Redis 7.0 would give v now; false (with the reply sent) on a store error.
bool Encoding(CommandContext& ctx, std::string_view key, const StoredValue& v, const char** enc) {
  Status s;
  switch (v.type) {
    case ValueType::kString:
      *enc = IsRedisInteger(v.payload)          ? "int"
             : v.payload.size() <= kEmbstrLimit ? "embstr"
                                                : "raw";
      return true;
    case ValueType::kList:
      *enc = "quicklist";
      return true;
    case ValueType::kHash: {
      *enc = "listpack";
      if (v.size > kListpackEntries) {
        *enc = "hashtable";
        return true;
      }
      types::Hash h(&ctx.ks, ctx.client.db, key, &v);
      types::PrefixIterator it = h.Fields();
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        if (it.key().size() > kListpackValue || it.value().size() > kListpackValue) {
          *enc = "hashtable";
          break;
        }
      }
      s = it.status();
      break;
    }
    case ValueType::kSet: {
      *enc = "intset";
      if (v.size > kIntsetEntries) {
        *enc = "hashtable";
        return true;
      }
      types::Set set(&ctx.ks, ctx.client.db, key, &v);
      types::PrefixIterator it = set.Members();
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        if (!IsRedisInteger(it.key())) {
          *enc = "hashtable";
          break;
        }
      }
      s = it.status();
      break;
    }
    case ValueType::kZSet: {
      *enc = "listpack";
      if (v.size > kListpackEntries) {
        *enc = "skiplist";
        return true;
      }
      types::ZSet z(&ctx.ks, ctx.client.db, key, &v);
      types::ZSet::Iterator it = z.Members();
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        if (it.member().size() > kListpackValue) {
          *enc = "skiplist";
          break;
        }
      }
      s = it.status();
      break;
    }
  }
  if (!s.ok()) {
    ReplyStoreError(ctx, s);
    return false;
  }
  return true;
}

void ObjectCommand(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP")) {
    static const char* kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    ctx.reply.ArrayHeader(sizeof(kHelp) / sizeof(kHelp[0]));
    for (const char* l : kHelp) ctx.reply.Simple(l);
    return;
  }
  // Subcommand arities are checked by the table: here argc is 3.
  const std::string_view key = ctx.arg(2);
  StoredValue v;
  bool found;
  if (!LookupOrReply(ctx, ctx.client.db, key, &v, &found)) return;
  if (!found) return ctx.reply.Null();
  if (EqualsIgnoreCase(sub, "ENCODING")) {
    const char* enc = nullptr;
    if (Encoding(ctx, key, v, &enc)) ctx.reply.Bulk(enc);
  } else if (EqualsIgnoreCase(sub, "FREQ")) {
    ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take some "
        "time to adjust.");
  } else if (EqualsIgnoreCase(sub, "IDLETIME")) {
    ctx.reply.Integer(0);
  } else if (EqualsIgnoreCase(sub, "REFCOUNT")) {
    int64_t n;
    const bool shared = v.type == ValueType::kString && IsRedisInteger(v.payload) &&
                        ParseInt64Strict(v.payload, &n) && n >= 0 && n < 10000;
    ctx.reply.Integer(shared ? 2147483647 : 1);
  }
}

// name, arity, flags, key positions {first, last, step}, function[, subcommands]
const CommandSpec kCommands[] = {
    // As Redis: the container has no key positions; its subcommands have.
    {"object", -2, "", {}, ObjectCommand, "encoding:3 freq:3 idletime:3 refcount:3 help:2"},
};

}  // namespace

void RegisterObjectCommands(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
