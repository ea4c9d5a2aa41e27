#include "store/arena.h"

#include <cstdint>

namespace strata::store {

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > kBlockSize / 4) {
    // Large object: its own block, and the current block keeps serving small requests.
    return AllocateNewBlock(bytes);
  }
  // The rest of the current block is wasted (at most a quarter block, see header).
  alloc_ptr_ = AllocateNewBlock(kBlockSize);
  alloc_remaining_ = kBlockSize;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateAligned(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t) > 8 ? 8 : alignof(std::max_align_t);
  static_assert((kAlign & (kAlign - 1)) == 0, "alignment must be a power of two");
  size_t misalign = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlign - 1);
  size_t slop = misalign == 0 ? 0 : kAlign - misalign;
  size_t needed = bytes + slop;
  if (needed <= alloc_remaining_) {
    char* result = alloc_ptr_ + slop;
    alloc_ptr_ += needed;
    alloc_remaining_ -= needed;
    return result;
  }
  // New blocks come from operator new[], which aligns to at least alignof(max_align_t).
  return AllocateFallback(bytes);
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_bytes));
  memory_usage_.fetch_add(block_bytes + sizeof(std::unique_ptr<char[]>), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace strata::store
