// Replaces the global operator new/delete of the store's test binary with malloc/free plus a
// per-thread counter (see store_test_util.h). Kept in its own file so that no test's code
// inlines these definitions. Not under ASan/TSan: they own operator new themselves (and a
// replacement would trip ASan's alloc-dealloc-mismatch check).
#include <cstdlib>
#include <new>

#include "store_test_util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRATA_COUNT_ALLOCATIONS 0
#else
#define STRATA_COUNT_ALLOCATIONS 1
#endif

namespace {
thread_local bool counting = false;
thread_local size_t allocations = 0;
}  // namespace

#if STRATA_COUNT_ALLOCATIONS

void* operator new(size_t n) {
  if (counting) allocations++;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (counting) allocations++;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

#endif  // STRATA_COUNT_ALLOCATIONS

namespace strata::store::testing {

bool AllocationCountingAvailable() { return STRATA_COUNT_ALLOCATIONS; }

void StartCountingAllocations() {
  allocations = 0;
  counting = true;
}

size_t StopCountingAllocations() {
  counting = false;
  return allocations;
}

}  // namespace strata::store::testing
