// Arena: a bump allocator for memtable entries. Memory is handed out from
// 4 KiB blocks and freed all at once when the arena is destroyed; there is no per-allocation
// free. Requests larger than a quarter block get a block of their own, so at most a quarter
// of each block is wasted at its end.
//
// Thread safety: Allocate/AllocateAligned require external synchronization (the memtable's
// single writer); MemoryUsage may be called from any thread at any time.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace strata::store {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns bytes of uninitialized memory, valid until the arena is destroyed. REQUIRES: bytes > 0.
  char* Allocate(size_t bytes);
  // Like Allocate, aligned for any pointer or 8-byte integer (e.g. structs holding atomics).
  char* AllocateAligned(size_t bytes);

  // Bytes reserved from the system (blocks plus their bookkeeping), approximately.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockSize = 4096;

  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  char* alloc_ptr_ = nullptr;   // next free byte of the current block
  size_t alloc_remaining_ = 0;  // bytes left in the current block
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  if (bytes <= alloc_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace strata::store
