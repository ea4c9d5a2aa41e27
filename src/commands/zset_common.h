// What the sorted-set command files share (cmd_zset*.cc, zset_pop.cc), and
// the pop that ZPOPMIN, ZPOPMAX and ZMPOP use, for the blocking BZPOPMIN, BZPOPMAX and BZMPOP
// to call too.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "commands/zset_select.h"
#include "server/command.h"
#include "types/zset.h"
#include "util/status.h"

namespace strata::commands {

// Opens the sorted set at `key` for this command. Replies and returns nullopt on a store error
// or a key of another type. A missing key gives an empty sorted set that the first write
// creates; *found (if given) says whether the key exists.
std::optional<types::ZSet> OpenZSet(server::CommandContext& ctx, std::string_view key,
                                    bool* found = nullptr);
// Replies the store error and takes back what the command staged.
void ZFail(server::CommandContext& ctx, const Status& s);
// Members (and scores) as ZRANGE replies them: a flat array in RESP2, [member, score] pairs
// in RESP3 when withscores.
void ReplyElements(server::CommandContext& ctx, const std::vector<ZElement>& elems,
                   bool withscores);
// Replaces the key `dst` (of any type, its TTL dropped) by a sorted set of `elems` (distinct
// members), or deletes it when `elems` is empty: ZRANGESTORE, ZUNIONSTORE...
Status StoreElements(server::CommandContext& ctx, std::string_view dst,
                     const std::vector<ZElement>& elems);

// The pop of Redis's genericZpopCommand: from the first of `keys` that exists (a key of another
// type replies WRONGTYPE), removes up to `count` members with the lowest (or highest, max)
// scores and replies them:
//   emit_key false, nested false: [m1, s1, m2, s2...]         ZPOPMIN in RESP2, or no count
//   emit_key false, nested true:  [[m1, s1], [m2, s2]...]      ZPOPMIN count in RESP3
//   emit_key true,  nested false: [key, m1, s1...]             BZPOPMIN
//   emit_key true,  nested true:  [key, [[m1, s1]...]]         ZMPOP, BZMPOP
// When no key exists: nil (nil_when_empty) or an empty array, unless defer_when_empty, where
// nothing is replied and false returned (a blocking pop then blocks). count -1 pops one; 0
// replies an empty array. *popped (if given) is the number of members removed. True when a
// reply (or an error) was written.
struct ZPopOptions {
  bool max = false;
  int64_t count = -1;
  bool emit_key = false;
  bool nested = false;
  bool nil_when_empty = false;
  bool defer_when_empty = false;
};
bool ZPopGeneric(server::CommandContext& ctx, const std::vector<std::string_view>& keys,
                 const ZPopOptions& o, int64_t* popped = nullptr);
// Parses ZMPOP's (and BZMPOP's) numkeys key [key ...] MIN|MAX [COUNT count], numkeys at
// argv[numkeys_idx]; fills keys and o (emit_key, nested, nil_when_empty set). Replies the
// error and returns false on bad arguments.
bool ParseZMPopArgs(server::CommandContext& ctx, size_t numkeys_idx,
                    std::vector<std::string_view>* keys, ZPopOptions* o);

// BZPOPMIN / BZPOPMAX key [key ...] timeout, BZMPOP timeout numkeys key... MIN|MAX [COUNT n]
// (zset_pop.cc): the pops above, or the client blocks (server/blocking.cc).
void BZPopMinMaxCommand(server::CommandContext& ctx, bool max);
void BZMPopCommand(server::CommandContext& ctx);

// ZUNION ZUNIONSTORE ZINTER ZINTERSTORE ZINTERCARD ZDIFF ZDIFFSTORE (cmd_zset_setops.cc).
void RegisterZSetOpCommands(server::CommandTable* t);
// ZSCAN (cmd_zset_scan.cc).
void RegisterZScanCommand(server::CommandTable* t);

}  // namespace strata::commands
