// ZeroedArray<T>: a fixed array of n elements whose bytes all start at zero, for large hash
// tables whose empty slot is all-zero bits (the memtable index, the row cache's tables).
//
// Why not std::make_unique<T[]>(n): value-initialization writes every byte, so creating a
// table touches all of its pages at once, inside whatever call created it (for the memtable
// index, 8 MiB at the default memtable size, that was a pause of the event loop at every
// memtable switch; the figures are in docs/benchmarks-notes.md). So arrays of kMapBytes or
// more come from an anonymous mapping, which the kernel zero-fills
// on first touch (no memset); from 2 MiB on, aligned to 2 MiB and marked MADV_HUGEPAGE so that
// with transparent huge pages in "madvise" or "always" mode a first touch maps 2 MiB at once.
// These tables are dense (hash tables at most 3/4 full, probed everywhere), so their pages are
// all touched soon anyway and a huge page wastes nothing. Without THP the madvise fails and pages
// fault in one by one, spread over the writes that use the table. Small arrays use calloc.
//
// T must be trivially destructible and all-zero bits must be the state the caller wants; for
// std::atomic<integer> (the lock-free ones used here) zero bits are the value 0.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace strata {

template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_destructible_v<T>, "elements are never destroyed");

 public:
  ZeroedArray() = default;
  // How a mapped array's pages come in: on first touch (kLazy: the cost is spread over the
  // writes that use the table), or all at once, in the kernel (kPopulate: for a table about
  // to be filled whole, as a rehash does: about half the cost of faulting the pages in).
  enum class Touch { kLazy, kPopulate };

  explicit ZeroedArray(size_t n, Touch touch = Touch::kLazy) : size_(n) {
    if (n == 0) return;
    void* p;
    if (Mapped()) {
      p = MapAligned(MappedBytes());
      // Best effort (MADV_POPULATE_WRITE is Linux 5.14+): pages not populated fault in later.
      if (touch == Touch::kPopulate) (void)::madvise(p, MappedBytes(), MADV_POPULATE_WRITE);
    } else {
      p = std::calloc(n, sizeof(T));
      if (p == nullptr) throw std::bad_alloc();
    }
    data_ = static_cast<T*>(p);
  }
  ~ZeroedArray() { Release(); }

  ZeroedArray(ZeroedArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  ZeroedArray& operator=(ZeroedArray&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;

  // Shallow const, as std::unique_ptr<T[]>: a const owner may still write the elements (a
  // lock-free table's readers and writer share them).
  T& operator[](size_t i) const { return data_[i]; }
  T* data() const { return data_; }
  T* begin() const { return data_; }
  T* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  explicit operator bool() const { return data_ != nullptr; }

  // Arrays of at least this many bytes are mapped; smaller ones come from calloc.
  static constexpr size_t kMapBytes = 256 << 10;

 private:
  static constexpr size_t kHugePage = 2 << 20;

  bool Mapped() const { return size_ * sizeof(T) >= kMapBytes; }

  // Arrays under a huge page are mapped as they are; larger ones are rounded up to whole huge
  // pages (nothing for the power-of-two tables that use this).
  size_t MappedBytes() const {
    const size_t bytes = size_ * sizeof(T);
    return bytes < kHugePage ? bytes : (bytes + kHugePage - 1) & ~(kHugePage - 1);
  }

  // `bytes` of zeroed memory; from kHugePage bytes on at a kHugePage boundary (maps one huge
  // page more and unmaps the unaligned head and tail) and marked MADV_HUGEPAGE.
  static void* MapAligned(size_t bytes) {
    const bool huge = bytes >= kHugePage;
    const size_t len = huge ? bytes + kHugePage : bytes;
    void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (!huge) return p;
    const uintptr_t start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + kHugePage - 1) & ~uintptr_t{kHugePage - 1};
    if (aligned > start) ::munmap(p, aligned - start);
    const uintptr_t end = start + len;
    if (end > aligned + bytes)
      ::munmap(reinterpret_cast<void*>(aligned + bytes), end - aligned - bytes);
    void* q = reinterpret_cast<void*>(aligned);
    (void)::madvise(q, bytes, MADV_HUGEPAGE);  // a hint: EINVAL without THP support is fine
    return q;
  }

  void Release() {
    if (data_ == nullptr) return;
    if (Mapped()) {
      ::munmap(data_, MappedBytes());
    } else {
      std::free(data_);
    }
    data_ = nullptr;
    size_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;  // with sizeof(T), decides how data_ was allocated (Mapped)
};

}  // namespace strata
