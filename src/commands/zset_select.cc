#include "commands/zset_select.h"

#include <algorithm>

namespace strata::commands {

using types::ZSet;

bool ClampRankRange(int64_t size, int64_t* start, int64_t* end) {
  if (*start < 0) *start += size;
  if (*end < 0) *end += size;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= size) return false;
  if (*end >= size) *end = size - 1;
  return true;
}

namespace {

// Applies offset and limit to members already in reply order.
void Window(std::vector<ZElement>* v, int64_t offset, int64_t limit) {
  if (offset < 0 || static_cast<uint64_t>(offset) >= v->size()) {
    v->clear();
    return;
  }
  v->erase(v->begin(), v->begin() + offset);
  if (limit >= 0 && static_cast<uint64_t>(limit) < v->size()) v->resize(limit);
}

}  // namespace

namespace {

// A backward walk costs up to 64 seeks per distinct score (ZSet::ReverseIterator), about
// 20 us a member on a 200,000-member set with distinct scores, where a forward step costs
// about 0.06 us: walk backward only when it visits this many times fewer members than the
// forward walk to the same place would (break-even is near 330).
constexpr int64_t kReverseWalkRatio = 512;

bool WalkBackward(int64_t visited_backward, int64_t size) {
  return visited_backward < size / kReverseWalkRatio;
}

}  // namespace

Status SelectByRank(ZSet& z, int64_t start, int64_t end, bool reverse, std::vector<ZElement>* out) {
  out->clear();
  const int64_t n = static_cast<int64_t>(z.size());
  if (reverse && WalkBackward(end + 1, n)) {
    ZSet::ReverseIterator it = z.ReverseMembers();
    int64_t rank = 0;
    for (it.SeekToLast(); it.Valid() && rank <= end; it.Next(), rank++) {
      if (rank >= start) out->push_back({std::string(it.member()), it.score()});
    }
    return it.status();
  }
  // Forward ranks of the selection.
  const int64_t first = reverse ? n - 1 - end : start;
  const int64_t last = reverse ? n - 1 - start : end;
  ZSet::Iterator it = z.Members();
  int64_t rank = 0;
  for (it.SeekToFirst(); it.Valid() && rank <= last; it.Next(), rank++) {
    if (rank >= first) out->push_back({std::string(it.member()), it.score()});
  }
  if (!it.status().ok()) return it.status();
  if (reverse) std::reverse(out->begin(), out->end());
  return Status::OK();
}

Status SelectByScore(ZSet& z, const ScoreRange& r, bool reverse, int64_t offset, int64_t limit,
                     std::vector<ZElement>* out) {
  out->clear();
  if (offset < 0) return Status::OK();
  if (reverse && limit >= 0 && offset <= INT64_MAX - limit &&
      WalkBackward(offset + limit, static_cast<int64_t>(z.size()))) {
    ZSet::ReverseIterator it = z.ReverseMembers();
    it.SeekAtOrBelow(r.max, r.maxex);
    for (int64_t skip = offset; skip > 0 && it.Valid(); skip--) it.Next();
    for (int64_t left = limit; left > 0 && it.Valid() && r.GteMin(it.score()); it.Next(), left--) {
      out->push_back({std::string(it.member()), it.score()});
    }
    return it.status();
  }
  ZSet::Iterator it = z.Members();
  it.Seek(r.min);
  while (it.Valid() && !r.GteMin(it.score())) it.Next();
  if (reverse) {
    // Everything in range, then the window from the top.
    for (; it.Valid() && r.LteMax(it.score()); it.Next()) {
      out->push_back({std::string(it.member()), it.score()});
    }
    if (!it.status().ok()) return it.status();
    std::reverse(out->begin(), out->end());
    Window(out, offset, limit);
    return Status::OK();
  }
  for (int64_t skip = offset; skip > 0 && it.Valid(); skip--) it.Next();
  for (int64_t left = limit; left != 0 && it.Valid() && r.LteMax(it.score()); it.Next()) {
    out->push_back({std::string(it.member()), it.score()});
    if (left > 0) left--;
  }
  return it.status();
}

Status SelectByLex(ZSet& z, const LexRange& r, bool reverse, int64_t offset, int64_t limit,
                   std::vector<ZElement>* out) {
  out->clear();
  if (r.AlwaysEmpty() || offset < 0 || z.size() == 0) return Status::OK();
  // Redis's listpack walk (zzlFirstInLexRange / zzlLastInLexRange): nothing if the last
  // member is below min or the first above max; else from the first member (in score order;
  // from the last when reverse) that passes the near bound, which must then pass the far
  // bound, as long as members pass the far bound. With equal scores this is the lex range.
  std::vector<ZElement> all;
  all.reserve(z.size());
  ZSet::Iterator it = z.Members();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    all.push_back({std::string(it.member()), it.score()});
  }
  if (!it.status().ok()) return it.status();
  if (all.empty() || !r.GteMin(all.back().member) || !r.LteMax(all.front().member)) {
    return Status::OK();
  }
  if (reverse) std::reverse(all.begin(), all.end());
  auto near = [&](const ZElement& e) { return reverse ? r.LteMax(e.member) : r.GteMin(e.member); };
  auto far = [&](const ZElement& e) { return reverse ? r.GteMin(e.member) : r.LteMax(e.member); };
  size_t i = 0;
  while (i < all.size() && !near(all[i])) i++;
  if (i == all.size() || !far(all[i])) return Status::OK();
  i += std::min<uint64_t>(static_cast<uint64_t>(offset), all.size() - i);
  for (int64_t left = limit; left != 0 && i < all.size() && far(all[i]); i++) {
    out->push_back(std::move(all[i]));
    if (left > 0) left--;
  }
  return Status::OK();
}

Status RankOf(ZSet& z, std::string_view member, bool reverse, int64_t* rank) {
  double score;
  Status s = z.Score(member, &score);
  if (!s.ok()) return s;
  ZSet::Iterator it = z.Members();
  int64_t r = 0;
  if (reverse) {
    // The members after this one, up to the last.
    it.Seek(score, member);
    if (!it.Valid() || it.member() != member) {
      if (!it.status().ok()) return it.status();
      return Status::Corruption("sorted-set member without its score-order record");
    }
    for (it.Next(); it.Valid(); it.Next()) r++;
    if (!it.status().ok()) return it.status();
    *rank = r;
    return Status::OK();
  }
  for (it.SeekToFirst(); it.Valid(); it.Next(), r++) {
    if (it.score() == score && it.member() == member) {
      *rank = r;
      return Status::OK();
    }
  }
  if (!it.status().ok()) return it.status();
  return Status::Corruption("sorted-set member without its score-order record");
}

}  // namespace strata::commands
