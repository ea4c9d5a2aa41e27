// CompactionIterator: the rules by which a flush or a compaction decides, entry by entry,
// what it writes out. It wraps an iterator over internal keys in order (a memtable, or the
// merged inputs of a compaction) and yields the entries to keep.
//
// With S = the oldest sequence a reader may still read at (the oldest live snapshot, or the
// last sequence when there is none), for each user key, newest version first:
//   (A) an entry is dropped if a newer version of the same user key with sequence <= S was
//       seen: every reader sees that newer version instead (LevelDB's rule);
//   (B) a tombstone with sequence <= S is dropped if no older data for the key can exist
//       outside the input (is_base_level): there is nothing left for it to hide;
//   (C) a value the CompactionFilter says to drop is dropped outright only if it could also
//       be dropped as a tombstone under (B) (sequence <= S and base level); otherwise it is
//       replaced by a tombstone with the same sequence, so that no older version of the key
//       (below, or kept for a snapshot) becomes visible again (docs/design.md §6.5: RocksDB's
//       kRemove). A snapshot that could see the value then sees the key deleted: the filter
//       declares the value dead, and a dead value is never replaced by an older one. The
//       versions the dropped value shadowed are dropped by (A) when its sequence is <= S.
// Everything else is kept as it is.
//
// Errors: an entry whose key does not parse stops the iteration with Corruption (a table
// being rewritten must not lose entries silently), as does an error from the input.
//
// Not thread-safe. The filter is called from flush and compaction threads concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/dbformat.h"
#include "store/iterator.h"
#include "store/options.h"
#include "util/status.h"

namespace strata::store {

class CompactionIterator {
 public:
  struct Stats {
    uint64_t input_entries = 0;
    uint64_t output_entries = 0;
    uint64_t dropped_shadowed = 0;     // rule (A)
    uint64_t dropped_tombstones = 0;   // rule (B)
    uint64_t filter_dropped = 0;       // rule (C), dropped outright
    uint64_t filter_to_tombstone = 0;  // rule (C), replaced by a tombstone
  };

  // input is not owned and must outlive this iterator. filter may be null. is_base_level
  // is called at most once per user key, in increasing key order.
  // flush: the input is a memtable being flushed (the filter is asked ShouldDropInFlush).
  CompactionIterator(Iterator* input, uint64_t smallest_snapshot, const CompactionFilter* filter,
                     std::function<bool(std::string_view user_key)> is_base_level,
                     bool flush = false);

  CompactionIterator(const CompactionIterator&) = delete;
  CompactionIterator& operator=(const CompactionIterator&) = delete;

  void SeekToFirst();
  bool Valid() const { return valid_; }
  // REQUIRES: Valid().
  void Next();
  // The entry to write. Valid until the next move.
  std::string_view key() const {
    return tombstone_ ? std::string_view(tombstone_key_) : input_->key();
  }
  std::string_view value() const { return tombstone_ ? std::string_view() : input_->value(); }
  // key() is the first entry written for its user key: output files may be cut before it.
  bool starts_user_key() const { return starts_user_key_; }
  // Not OK when iteration stopped at an error rather than the end of the input.
  Status status() const { return status_; }
  const Stats& stats() const { return stats_; }

 private:
  // Moves input_ to the next entry to keep, starting at its current position.
  void FindNextEntry();
  bool IsBaseLevel(std::string_view user_key);

  Iterator* const input_;
  const uint64_t smallest_snapshot_;
  const CompactionFilter* const filter_;
  const bool flush_;
  const std::function<bool(std::string_view)> is_base_level_;

  bool valid_ = false;
  Status status_;
  Stats stats_;

  // State for the current user key.
  std::string current_user_key_;
  bool has_current_user_key_ = false;
  uint64_t last_sequence_for_key_ = 0;  // sequence of the previous entry of this user key
  bool emitted_for_key_ = false;
  int base_level_ = -1;  // -1: not asked yet for this key; else 0/1

  bool starts_user_key_ = false;
  bool tombstone_ = false;  // the current entry is a value turned into a tombstone
  std::string tombstone_key_;
};

}  // namespace strata::store
