// ZSCAN (Redis's zscanCommand and scanGenericCommand for a sorted set): a small sorted set is
// returned whole, as Redis returns a listpack; a large one is walked in score order with a
// cursor table. The table is this file's own (the lead may share one with SCAN, SSCAN, HSCAN).
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "commands/zset_common.h"
#include "server/command.h"
#include "server/server.h"
#include "types/zset.h"
#include "util/glob.h"

namespace strata::commands {

using namespace server;
using types::ZSet;

namespace {

// Redis's text of a score in ZSCAN (a small sorted set's stored text): an integer when the
// score is one (within ±2^62), else as ZSCORE prints it.
std::string ScanScoreText(double d) {
  if (d >= -4611686018427387903.0 && d <= 4611686018427387903.0) {
    const auto ll = static_cast<int64_t>(d);
    if (static_cast<double>(ll) == d) return std::to_string(ll);
  }
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

// ZSCAN cursors: a decimal u64 for the client, and a bounded table mapping it to the member
// to resume after. An unknown cursor restarts from the first member: members may repeat, but
// none present for the whole scan is skipped.
class ZScanCursors {
 public:
  static constexpr size_t kSlots = 4096;

  uint64_t Save(int db, std::string key, double score, std::string member) {
    uint64_t c = next_++;
    if (c == 0) c = next_++;
    Slot& s = slots_[c % kSlots];
    s = Slot{c, db, std::move(key), score, std::move(member)};
    return c;
  }
  bool Find(uint64_t c, int db, std::string_view key, double* score, std::string* member) const {
    const Slot& s = slots_[c % kSlots];
    if (c == 0 || s.cursor != c || s.db != db || s.key != key) return false;
    *score = s.score;
    *member = s.member;
    return true;
  }

 private:
  struct Slot {
    uint64_t cursor = 0;
    int db = -1;
    std::string key;
    double score = 0;
    std::string member;
  };
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
  uint64_t next_ = std::random_device()() % 1000000 + 1;
};

ZScanCursors& ScanCursors() {
  static ZScanCursors c;
  return c;
}

// Up to this many members, ZSCAN returns the whole sorted set in one reply with cursor 0, as
// Redis does for a small (listpack-encoded) sorted set, whatever COUNT says.
constexpr uint64_t kZScanWhole = 128;

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void ZScanCommand(CommandContext& ctx) {
  // The cursor as Redis's parseScanCursorOrReply reads it (strtoull of the C string).
  const std::string tmp(CStr(ctx.arg(2)));
  char* end = nullptr;
  errno = 0;
  const uint64_t cursor = std::strtoull(tmp.c_str(), &end, 10);
  if ((!tmp.empty() && std::isspace(static_cast<unsigned char>(tmp[0]))) || *end != '\0' ||
      errno == ERANGE) {
    return ctx.reply.Error("ERR invalid cursor");
  }
  bool found;
  auto z = OpenZSet(ctx, ctx.arg(1), &found);
  if (!z) return;
  if (!found) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("0");
    return ctx.reply.ArrayHeader(0);
  }
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) return ctx.reply.Error(errors::kSyntax);
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "COUNT")) {
      if (!ParseInt64Strict(ctx.arg(i + 1), &count)) return ctx.reply.Error(errors::kNotInt);
      if (count < 1) return ctx.reply.Error(errors::kSyntax);
    } else if (EqualsIgnoreCase(opt, "MATCH")) {
      pattern = ctx.arg(i + 1);
      has_pattern = pattern != "*";
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  const bool whole = z->size() <= kZScanWhole;
  ZSet::Iterator it = z->Members();
  double rscore;
  std::string rmember;
  const bool resuming =
      !whole && ScanCursors().Find(cursor, ctx.client.db, ctx.arg(1), &rscore, &rmember);
  if (resuming) {
    rmember.push_back('\0');  // the first member after the one returned last
    it.Seek(rscore, rmember);
  } else {
    it.SeekToFirst();
  }
  std::vector<ZElement> out;
  int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  bool done = true;
  double lscore = 0;
  std::string lmember;
  for (; it.Valid(); it.Next()) {
    if (!whole && (static_cast<int64_t>(out.size()) >= count || budget-- <= 0)) {
      done = false;
      break;
    }
    lscore = it.score();
    lmember.assign(it.member());
    if (has_pattern && !GlobMatch(pattern, it.member())) continue;
    out.push_back({lmember, lscore});
  }
  if (!it.status().ok()) return ZFail(ctx, it.status());
  const uint64_t next =
      done ? 0 : ScanCursors().Save(ctx.client.db, std::string(ctx.arg(1)), lscore, lmember);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size() * 2));
  for (const ZElement& e : out) {
    ctx.reply.Bulk(e.member);
    ctx.reply.Bulk(ScanScoreText(e.score));
  }
}

const CommandSpec kCommands[] = {
    {"zscan", -3, "readonly", {1, 1, 1}, ZScanCommand},
};

}  // namespace

void RegisterZScanCommand(CommandTable* t) { t->AddAll(kCommands); }

}  // namespace strata::commands
