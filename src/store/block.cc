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

namespace {

// The 8 bytes of key at [skip, skip + 8) as a big-endian integer, zero-padded.
inline uint64_t KeyWord(std::string_view key, size_t skip) {
  char buf[8] = {};
  if (key.size() > skip) {
    std::memcpy(buf, key.data() + skip, std::min<size_t>(8, key.size() - skip));
  }
  return DecodeBigEndian64(buf);
}

}  // namespace

uint64_t Block::SearchWord(std::string_view user_key) const {
  const size_t m = std::min(user_key.size(), common_.size());
  const int c = m == 0 ? 0 : std::memcmp(user_key.data(), common_.data(), m);
  if (c == 0 && user_key.size() >= common_.size()) return KeyWord(user_key, common_.size());
  // Keys with the prefix form one contiguous range; one without it sorts wholly before or
  // wholly after that range.
  return (c < 0 || c == 0) ? 0 : UINT64_MAX;
}

void Block::BuildSearchIndex() {
  if (!well_formed()) return;
  // Restart keys are whole keys in the block: views, no copies (a table open runs this over
  // thousands of restarts).
  BlockIterator it(this, InternalKeyComparator());
  auto user_key = [&](uint32_t i, std::string_view* k) {
    if (!it.RestartKey(i, k) || k->size() < 8) return false;  // malformed: no index
    *k = ExtractUserKey(*k);
    return true;
  };
  // The prefix shared by the first and the second-to-last key is shared by every key between
  // them (keys are sorted). The last one is skipped: an index block ends with a short
  // successor key (e.g. "e" after "d...") that shares nothing; SearchWord maps such keys to
  // 0 or UINT64_MAX, which keeps the words in key order.
  std::string_view a, b;
  if (!user_key(0, &a) || !user_key(num_restarts_ >= 2 ? num_restarts_ - 2 : 0, &b)) return;
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) n++;
  common_.assign(a.substr(0, n));
  std::vector<uint64_t> words(num_restarts_);
  for (uint32_t i = 0; i < num_restarts_; i++) {
    std::string_view k;
    if (!user_key(i, &k)) return;
    words[i] = SearchWord(k);
  }
  restart_words_ = std::move(words);
}

bool Block::NarrowByIndex(std::string_view target, uint32_t* left, uint32_t* right) const {
  if (restart_words_.empty() || target.size() < 8) return false;
  const uint64_t w = SearchWord(ExtractUserKey(target));
  auto lo = std::lower_bound(restart_words_.begin(), restart_words_.end(), w);
  auto hi = std::upper_bound(lo, restart_words_.end(), w);
  // word(a) < word(b) implies a < b, so restarts before lo are < target and those from hi on
  // are > target; between them the words tie and whole keys decide.
  const auto l = static_cast<uint32_t>(lo - restart_words_.begin());
  const auto h = static_cast<uint32_t>(hi - restart_words_.begin());
  *left = l > 0 ? l - 1 : 0;
  *right = h > 0 ? h - 1 : 0;
  return true;
}

BlockIterator::BlockIterator(const Block* block, const Comparator* cmp)
    : block_(block),
      cmp_(cmp),
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
  if (internal_ && key_.size() < 8) {
    // CompareInternalKeys reads a key's last 8 bytes as its tag.
    MarkCorrupt("internal key shorter than its tag");
    return false;
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
  if (p == nullptr || shared != 0 || (internal_ && non_shared < 8)) return false;
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
  if (internal_ && block_->NarrowByIndex(target, &left, &right)) {
    // [left, right] holds the answer (left's key is < target unless left is 0).
  } else if (Valid()) {
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
