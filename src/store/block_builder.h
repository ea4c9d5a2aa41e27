// BlockBuilder: builds a block of sorted key/value entries with prefix-compressed keys. Used for
// data blocks, the index block and the properties block of a table (format.h).
//
// Block layout (DO NOT CHANGE: on disk; integers little-endian):
//
//   entry*:   shared:    varint32  bytes of the key shared with the previous entry's key
//             unshared:  varint32  bytes of the key that follow
//             value_len: varint32
//             key_delta: char[unshared]   (key = prev_key[0, shared) ++ key_delta)
//             value:     char[value_len]
//   restarts: fixed32[num_restarts]  offsets of the restart entries, ascending
//   num_restarts: fixed32  (>= 1)
//
// Every restart_interval-th entry is a restart point: it stores its whole key (shared = 0),
// so a reader can binary-search the restart array and then scan at most restart_interval
// entries. The first entry is always a restart point, at offset 0.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::store {

class BlockBuilder {
 public:
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval);

  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Starts a new, empty block; keeps the buffers.
  void Reset();

  // REQUIRES: Finish() not called since Reset(); key > every key added before (the caller
  // checks the order).
  void Add(std::string_view key, std::string_view value);

  // Appends the restart array; returns the block, valid until Reset() or destruction.
  std::string_view Finish();

  // Size of the block Finish() would return now.
  size_t CurrentSizeEstimate() const { return buffer_.size() + restarts_.size() * 4 + 4; }
  bool empty() const { return buffer_.empty(); }
  int num_entries() const { return num_entries_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  int num_entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace strata::store
