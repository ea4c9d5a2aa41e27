// The cursor machinery shared by SCAN, SSCAN, HSCAN (and ZSCAN): Redis's argument rules and
// errors, and a cursor table. A cursor handed to the client is a decimal u64; a bounded table
// maps it to what was scanned (its scope) and the last key or element returned, and the next
// call resumes just after that (as Kvrocks does). A cursor that is unknown (evicted, stale,
// invented, or of another scope) restarts the scan from the beginning: items may repeat,
// but none present for the whole scan is ever skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/command.h"
#include "types/prefix_iterator.h"

namespace strata::commands {

class ScanCursors {
 public:
  static constexpr size_t kSlots = 16384;

  ScanCursors();  // cursors start at a random point, so a restarted server rarely reuses one

  // A new cursor for resuming after `last` in `scope`.
  uint64_t Save(std::string scope, std::string last);
  // The item to resume after, or false to start at the beginning.
  bool Find(uint64_t cursor, std::string_view scope, std::string* last) const;

 private:
  struct Slot {
    uint64_t cursor = 0;
    std::string scope;
    std::string last;
  };
  Slot slots_[kSlots];
  uint64_t next_;
};

// The process-wide table every scan command uses (loop thread only).
ScanCursors& GlobalScanCursors();

// The cursor argument as Redis's parseScanCursorOrReply reads it: strtoull's syntax on the C
// string ("" is 0, "-1" wraps, a leading '+' is allowed, a NUL ends it), no leading space,
// nothing after the number, no overflow. Replies "ERR invalid cursor" and returns false.
bool ParseScanCursorOrReply(server::CommandContext& ctx, std::string_view arg, uint64_t* cursor);

struct ScanOptions {
  std::string_view pattern;
  bool has_pattern = false;  // MATCH given and not "*"
  int64_t count = 10;
  std::string type;       // lower case (SCAN only)
  bool has_type = false;  // TYPE "" matches nothing, as in Redis
};
// [MATCH pattern] [COUNT n] [TYPE t] from argument `first` on, as Redis's scanGenericCommand
// parses them (TYPE only if allow_type: SCAN). Replies the error and returns false.
bool ParseScanOptionsOrReply(server::CommandContext& ctx, size_t first, bool allow_type,
                             ScanOptions* opts);

// SSCAN/HSCAN/ZSCAN over one collection generation's sub-keys (`it`), identified by `scope`
// (it must change when the collection is replaced: its version). Replies
// [cursor, [items...]]: per element its name, and with_values its value after it (for ZSCAN
// the caller's `value` formats a score). Examines at most 10 x COUNT elements per call.
using ScanValueFn = std::string (*)(std::string_view element, std::string_view value);
void ScanCollection(server::CommandContext& ctx, types::PrefixIterator& it, std::string scope,
                    uint64_t cursor, const ScanOptions& opts, bool with_values,
                    ScanValueFn value = nullptr);

}  // namespace strata::commands
