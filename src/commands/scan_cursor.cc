#include "commands/scan_cursor.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <vector>

#include "util/glob.h"

namespace strata::commands {

using namespace server;  // the command API: CommandContext, errors

ScanCursors::ScanCursors() : next_(std::random_device()() % 1000000 + 1) {}

uint64_t ScanCursors::Save(std::string scope, std::string last) {
  uint64_t c = next_++;
  if (c == 0) c = next_++;
  Slot& s = slots_[c % kSlots];
  s.cursor = c;
  s.scope = std::move(scope);
  s.last = std::move(last);
  return c;
}

bool ScanCursors::Find(uint64_t cursor, std::string_view scope, std::string* last) const {
  const Slot& s = slots_[cursor % kSlots];
  if (cursor == 0 || s.cursor != cursor || s.scope != scope) return false;
  *last = s.last;
  return true;
}

ScanCursors& GlobalScanCursors() {
  static ScanCursors* c = new ScanCursors();  // 16384 slots: on the heap, never destroyed
  return *c;
}

bool ParseScanCursorOrReply(CommandContext& ctx, std::string_view arg, uint64_t* cursor) {
  const std::string tmp(CStr(arg));
  char* end = nullptr;
  errno = 0;
  *cursor = std::strtoull(tmp.c_str(), &end, 10);
  if ((!tmp.empty() && std::isspace(static_cast<unsigned char>(tmp[0]))) || *end != '\0' ||
      errno == ERANGE) {
    ctx.reply.Error("ERR invalid cursor");
    return false;
  }
  return true;
}

bool ParseScanOptionsOrReply(CommandContext& ctx, size_t first, bool allow_type,
                             ScanOptions* opts) {
  for (size_t i = first; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    const bool has_value = i + 1 < ctx.argc();
    if (has_value && EqualsIgnoreCase(opt, "COUNT")) {
      if (!ParseInt64Strict(ctx.arg(i + 1), &opts->count)) {
        ctx.reply.Error(errors::kNotInt);
        return false;
      }
      if (opts->count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return false;
      }
    } else if (has_value && EqualsIgnoreCase(opt, "MATCH")) {
      opts->pattern = ctx.arg(i + 1);
      opts->has_pattern = opts->pattern != "*";
    } else if (has_value && allow_type && EqualsIgnoreCase(opt, "TYPE")) {
      opts->type = ToLower(ctx.arg(i + 1));
      opts->has_type = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

void ScanCollection(CommandContext& ctx, types::PrefixIterator& it, std::string scope,
                    uint64_t cursor, const ScanOptions& opts, bool with_values, ScanValueFn value) {
  const std::string prefix = opts.has_pattern ? GlobLiteralPrefix(opts.pattern) : std::string();
  std::string resume;
  const bool resuming = GlobalScanCursors().Find(cursor, scope, &resume);
  // Seek to max(resume element, pattern prefix); a resume element is followed by its first
  // successor.
  if (resuming && resume >= prefix) {
    resume.push_back('\0');
    it.Seek(resume);
  } else {
    it.Seek(prefix);
  }
  std::vector<std::pair<std::string, std::string>> items;
  int64_t budget = opts.count > INT64_MAX / 10 ? INT64_MAX : opts.count * 10;
  std::string last;
  bool done = true;
  for (; it.Valid(); it.Next()) {
    std::string_view k = it.key();
    if (!k.starts_with(prefix)) break;
    if (static_cast<int64_t>(items.size()) >= opts.count || budget-- <= 0) {
      done = false;
      break;
    }
    last.assign(k);
    if (opts.has_pattern && !GlobMatch(opts.pattern, k)) continue;
    items.emplace_back(std::string(k), !with_values       ? std::string()
                                       : value != nullptr ? value(k, it.value())
                                                          : std::string(it.value()));
  }
  if (!it.status().ok()) return ReplyStoreError(ctx, it.status());
  const uint64_t next = done ? 0 : GlobalScanCursors().Save(std::move(scope), std::move(last));
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(items.size() * (with_values ? 2 : 1)));
  for (const auto& [k, v] : items) {
    ctx.reply.Bulk(k);
    if (with_values) ctx.reply.Bulk(v);
  }
}

}  // namespace strata::commands
