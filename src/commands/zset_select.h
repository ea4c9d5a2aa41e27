// The range walks of the sorted-set commands over a types::ZSet, with Redis's semantics for
// each kind of range (t_zset.c): by rank, by score, by lex, forward or reverse, with LIMIT's
// offset and count. They return the members selected, in reply order; the commands reply,
// store or remove them.
//
// Cost (n members, k selected; the walks use the 'z' score order):
//   by rank, forward:  O(start + k)
//   by rank, reverse:  O(n - start) forward steps, or, when end + 1 is small against n,
//                      (end + 1) backward steps of up to 64 seeks each (ZSet::ReverseIterator)
//   by score, forward: O(log n + offset + k)
//   by score, reverse: O(log n + members in the score range), or, with a LIMIT small against
//                      n, (offset + count) backward steps
//   by lex:            O(n): Redis's small-set (listpack) rules look at the first and last
//                      member and then scan in score order, and so do these walks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands/zset_range.h"
#include "types/zset.h"
#include "util/status.h"

namespace strata::commands {

struct ZElement {
  std::string member;
  double score;
};

// Ranks as Redis's ZRANGE takes them: negative from the end, clamped. Sets *start and *end to
// a non-empty range [start, end] within [0, size) and returns true, or returns false when the
// range is empty.
bool ClampRankRange(int64_t size, int64_t* start, int64_t* end);

// The members at ranks [start, end] (REQUIRES: 0 <= start <= end < size), ranked from the
// lowest score, or from the highest when reverse.
Status SelectByRank(types::ZSet& z, int64_t start, int64_t end, bool reverse,
                    std::vector<ZElement>* out);

// The members within the range, from the lowest score (reverse: from the highest), skipping
// `offset` of them (negative: none are selected, as in Redis) and selecting at most `limit`
// (negative: no limit).
Status SelectByScore(types::ZSet& z, const ScoreRange& r, bool reverse, int64_t offset,
                     int64_t limit, std::vector<ZElement>* out);
Status SelectByLex(types::ZSet& z, const LexRange& r, bool reverse, int64_t offset, int64_t limit,
                   std::vector<ZElement>* out);

// ZRANK: the member's rank from the lowest score (reverse: from the highest); NotFound if
// absent. O(rank) either way: a walk from the first member to it, or (reverse) from it to the
// last member.
Status RankOf(types::ZSet& z, std::string_view member, bool reverse, int64_t* rank);

}  // namespace strata::commands
