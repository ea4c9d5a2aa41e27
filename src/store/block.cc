#include "store/block.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::store {
namespace {

// Decodes an entry header at [p, limit). Returns the byte after the header, or nullptr if
// the header is malformed or the key delta and value do not fit before limit.
inline const char* DecodeEntry(const char* p, const char* limit, uint32_t* shared,
                               uint32_t* non_shared, uint32_t* value_len) {
  if (limit - p < 3) return nullptr;
  *shared = static_cast<unsigned char>(p[0]);
  *non_shared = static_cast<unsigned char>(p[1]);
  *value_len = static_cast<unsigned char>(p[2]);
  if ((*shared | *non_shared | *value_len) < 128) {
    p += 3;  // fast path: all three lengths fit in one byte
  } else {
    if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, value_len)) == nullptr) return nullptr;
  }
  const uint64_t rest = static_cast<uint64_t>(limit - p);
  if (static_cast<uint64_t>(*non_shared) + *value_len > rest) return nullptr;
  return p;
}

}  // namespace

void BlockIterator::KeyBuffer::Grow(size_t need) {
  size_t cap = std::max(need, 2 * capacity_);
  auto bigger = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(bigger.get(), data_, size_);
  heap_ = std::move(bigger);
  data_ = heap_.get();
  capacity_ = cap;
}

Block::Block(BlockContents contents) : contents_(std::move(contents)) {
  const size_t n = contents_.data.size();
  if (n < 4 || n > UINT32_MAX) return;
  uint32_t num = DecodeFixed32(contents_.data.data() + n - 4);
  if (num == 0 || num > (n - 4) / 4) return;
  num_restarts_ = num;
  restart_offset_ = static_cast<uint32_t>(n - 4 - 4 * static_cast<size_t>(num));
}

std::unique_ptr<Iterator> Block::NewIterator(const Comparator* cmp) const {
  return std::make_unique<BlockIterator>(this, cmp);
}

BlockIterator::BlockIterator(const Block* block, const Comparator* cmp)
    : cmp_(cmp),
      internal_(cmp == InternalKeyComparator()),
      data_(block->contents_.data.data()),
      restart_offset_(block->well_formed() ? block->restart_offset_ : 0),
      num_restarts_(block->num_restarts_),
      current_(restart_offset_),
      next_(restart_offset_),
      restart_index_(0) {
  if (!block->well_formed()) status_ = Status::Corruption("bad block contents");
}

BlockIterator::~BlockIterator() {
  if (cleanup_ != nullptr) cleanup_(cleanup_arg1_, cleanup_arg2_);
}

void BlockIterator::MarkCorrupt(std::string_view what) {
  status_ = Status::Corruption("bad entry in block", what);
  current_ = next_ = restart_offset_;
  restart_index_ = num_restarts_;
  key_ = {};
  key_in_buf_ = false;
  value_ = {};
}

bool BlockIterator::SeekToRestartPoint(uint32_t index) {
  uint32_t offset = RestartPoint(index);
  if (offset > restart_offset_) {
    MarkCorrupt("restart point out of range");
    return false;
  }
  restart_index_ = index;
  key_ = {};
  key_in_buf_ = false;
  next_ = offset;
  return true;
}

bool BlockIterator::ParseNextEntry() {
  current_ = next_;
  if (current_ >= restart_offset_) {
    current_ = next_ = restart_offset_;  // end of block: not Valid
    return false;
  }
  const char* p = data_ + current_;
  const char* limit = data_ + restart_offset_;
  uint32_t shared, non_shared, value_len;
  p = DecodeEntry(p, limit, &shared, &non_shared, &value_len);
  if (p == nullptr || shared > key_.size()) {
    MarkCorrupt("malformed entry");
    return false;
  }
  if (shared == 0) {
    key_ = std::string_view(p, non_shared);  // whole key stored: view it in place
    key_in_buf_ = false;
  } else {
    if (key_in_buf_) {
      key_buf_.Truncate(shared);
    } else {
      key_buf_.Truncate(0);
      key_buf_.Append(key_.data(), shared);  // key_ views the block here
      key_in_buf_ = true;
    }
    key_buf_.Append(p, non_shared);
    key_ = key_buf_.view();
  }
  value_ = std::string_view(p + non_shared, value_len);
  next_ = static_cast<uint32_t>(value_.data() + value_len - data_);
  while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) <= current_) {
    restart_index_++;
  }
  return true;
}

bool BlockIterator::RestartKey(uint32_t index, std::string_view* key) const {
  uint32_t offset = RestartPoint(index);
  if (offset >= restart_offset_) return false;
  uint32_t shared, non_shared, value_len;
  const char* p =
      DecodeEntry(data_ + offset, data_ + restart_offset_, &shared, &non_shared, &value_len);
  if (p == nullptr || shared != 0) return false;
  *key = std::string_view(p, non_shared);
  return true;
}

void BlockIterator::SeekToFirst() {
  if (!status_.ok()) return;
  if (SeekToRestartPoint(0)) ParseNextEntry();
}

void BlockIterator::Next() {
  if (!status_.ok()) return;
  ParseNextEntry();
}

void BlockIterator::Seek(std::string_view target) {
  if (!status_.ok()) return;
  // Find the last restart point whose key is < target: the target is in its restart block
  // (or at the start of the next one, reached by the linear scan).
  uint32_t left = 0;
  uint32_t right = num_restarts_ - 1;
  if (Valid()) {
    // Narrow the search with the current position (sequential seeks are common).
    int c = Compare(key_, target);
    if (c < 0) {
      left = restart_index_;
    } else if (c > 0) {
      right = restart_index_;
    } else {
      return;  // already there
    }
  }
  while (left < right) {
    uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) {
      MarkCorrupt("bad restart entry");
      return;
    }
    if (Compare(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  if (!SeekToRestartPoint(left)) return;
  while (ParseNextEntry()) {
    if (Compare(key_, target) >= 0) return;
  }
}

}  // namespace strata::store
