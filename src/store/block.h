// Block: an immutable block of sorted entries (layout in block_builder.h) and its iterator.
// A Block is thread-safe to read; each BlockIterator is used by one thread at a time.
//
// Contents are untrusted: a block whose restart array does not fit, an entry whose lengths
// run past the entry area, or (with the internal key comparator) a key shorter than an
// internal key's 8-byte tag makes the iterator stop with Corruption in status(). The iterator
// never reads outside the block's bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/dbformat.h"
#include "store/format.h"
#include "store/iterator.h"

namespace strata::store {

class Block {
 public:
  explicit Block(BlockContents contents);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  size_t size() const { return contents_.data.size(); }
  // Bytes this block keeps alive (the block cache charge).
  size_t charge() const { return size() + sizeof(Block); }
  bool owns_memory() const { return contents_.owned(); }
  // False if the restart array is malformed; iterators then report Corruption.
  bool well_formed() const { return restart_offset_ != kMalformed; }

  // The block must outlive the iterator. cmp orders the keys (internal keys or user keys).
  std::unique_ptr<Iterator> NewIterator(const Comparator* cmp) const;

  // Builds the seek accelerator for a block of internal keys that is searched often (a
  // table's index block, kept for the table's lifetime): for each restart point, 8 bytes of
  // its user key taken after the prefix that the keys in the block share, big-endian, as
  // one integer. Seek then binary-searches this small contiguous array (a few cache lines)
  // instead of restart keys scattered through the block (a cache miss per step), and
  // compares whole keys only among restarts whose 8 bytes tie. Zero padding of short keys
  // keeps the integers in key order. Call before any iterator exists; a malformed block
  // gets none.
  void BuildSearchIndex();

 private:
  friend class BlockIterator;
  static constexpr uint32_t kMalformed = ~0u;

  // user_key's search word: its 8 bytes after common_, or 0 / UINT64_MAX if it lacks common_
  // and sorts before / after every key that has it.
  uint64_t SearchWord(std::string_view user_key) const;
  // The restarts that may hold the last key < target, [*left, *right], narrowed by the
  // search index; false if the block has none (the caller searches all restarts).
  bool NarrowByIndex(std::string_view target, uint32_t* left, uint32_t* right) const;

  BlockContents contents_;
  uint32_t restart_offset_ = kMalformed;  // start of the restart array = end of the entries
  uint32_t num_restarts_ = 0;
  // Search index (BuildSearchIndex): restart_words_[i] is restart key i's user key bytes
  // [common_.size(), +8) big-endian; common_ is the user-key prefix shared by all restart
  // keys but perhaps the first and last (see SearchWord).
  std::vector<uint64_t> restart_words_;
  std::string common_;
};

// Forward iterator over one block. Never allocates for keys up to kInlineKey bytes, and
// at most a few times for longer ones: keys at restart points are views into the block,
// others are rebuilt in one reused buffer; values are always views into the block.
class BlockIterator final : public Iterator {
  friend class Block;  // BuildSearchIndex reads restart keys

 public:
  BlockIterator(const Block* block, const Comparator* cmp);
  ~BlockIterator() override;

  // Runs fn(arg1, arg2) when the iterator is destroyed (e.g. releases a block-cache handle).
  // At most one cleanup.
  using CleanupFn = void (*)(void* arg1, void* arg2);
  void SetCleanup(CleanupFn fn, void* arg1, void* arg2) {
    cleanup_ = fn;
    cleanup_arg1_ = arg1;
    cleanup_arg2_ = arg2;
  }
  // The iterator owns the block and deletes it when destroyed.
  void AdoptBlock(std::unique_ptr<Block> block) { owned_block_ = std::move(block); }

  bool Valid() const override { return current_ < restart_offset_; }
  void SeekToFirst() override;
  void Seek(std::string_view target) override;
  void Next() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  int Compare(std::string_view a, std::string_view b) const {
    return internal_ ? CompareInternalKeys(a, b) : cmp_->Compare(a, b);
  }
  uint32_t RestartPoint(uint32_t index) const {
    return DecodeFixed32(data_ + restart_offset_ + 4 * index);
  }
  // Positions before the first entry of restart block `index`; false on corruption.
  bool SeekToRestartPoint(uint32_t index);
  // Decodes the entry after the current one; false at the end or on corruption.
  bool ParseNextEntry();
  void MarkCorrupt(std::string_view what);
  // The key stored at restart point index (shared must be 0); false on corruption.
  bool RestartKey(uint32_t index, std::string_view* key) const;

  const Block* const block_;
  const Comparator* const cmp_;
  const bool internal_;  // cmp_ is InternalKeyComparator(): compare inline
  const char* data_;
  uint32_t restart_offset_;  // entries end here; current_ == restart_offset_: not Valid
  uint32_t num_restarts_;

  uint32_t current_;        // offset of the current entry
  uint32_t next_;           // offset of the entry after the current one
  uint32_t restart_index_;  // restart block holding current_
  // A growable byte buffer that starts inline, so that a BlockIterator on the stack (a point
  // lookup) allocates nothing for ordinary keys.
  class KeyBuffer {
   public:
    KeyBuffer() = default;
    KeyBuffer(const KeyBuffer&) = delete;
    KeyBuffer& operator=(const KeyBuffer&) = delete;
    void Truncate(size_t n) { size_ = n; }  // REQUIRES: n <= size()
    // REQUIRES: p does not point into this buffer.
    void Append(const char* p, size_t n) {
      if (size_ + n > capacity_) Grow(size_ + n);
      std::memcpy(data_ + size_, p, n);
      size_ += n;
    }
    std::string_view view() const { return std::string_view(data_, size_); }

   private:
    void Grow(size_t need);
    static constexpr size_t kInline = 64;
    char* data_ = inline_;
    size_t size_ = 0;
    size_t capacity_ = kInline;
    std::unique_ptr<char[]> heap_;
    char inline_[kInline];
  };

  std::string_view key_;  // into the block or into key_buf_
  bool key_in_buf_ = false;
  KeyBuffer key_buf_;
  std::string_view value_;
  Status status_;

  CleanupFn cleanup_ = nullptr;
  void* cleanup_arg1_ = nullptr;
  void* cleanup_arg2_ = nullptr;
  std::unique_ptr<Block> owned_block_;
};

}  // namespace strata::store
