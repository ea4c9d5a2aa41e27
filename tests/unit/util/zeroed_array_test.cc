#include "util/zeroed_array.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <utility>

namespace strata {
namespace {

// Every size class: empty, calloc'd, mapped as is, and mapped in whole huge pages (one not a
// multiple of 2 MiB, so the rounding and the unmapping of the alignment slack are exercised).
constexpr size_t kSizes[] = {0,
                             1,
                             1000,
                             ZeroedArray<uint64_t>::kMapBytes / sizeof(uint64_t) - 1,
                             ZeroedArray<uint64_t>::kMapBytes / sizeof(uint64_t),
                             (2u << 20) / sizeof(uint64_t),
                             (5u << 20) / sizeof(uint64_t) + 3};

TEST(ZeroedArray, StartsZeroedAndKeepsWhatIsWritten) {
  using Touch = ZeroedArray<uint64_t>::Touch;
  for (auto [n, touch] : {std::pair{size_t{0}, Touch::kLazy},
                          {kSizes[1], Touch::kLazy},
                          {kSizes[2], Touch::kPopulate},
                          {kSizes[3], Touch::kLazy},
                          {kSizes[4], Touch::kPopulate},
                          {kSizes[4], Touch::kLazy},
                          {kSizes[5], Touch::kPopulate},
                          {kSizes[6], Touch::kLazy},
                          {kSizes[6], Touch::kPopulate}}) {
    ZeroedArray<uint64_t> a(n, touch);
    ASSERT_EQ(a.size(), n);
    EXPECT_EQ(a.empty(), n == 0);
    EXPECT_EQ(static_cast<bool>(a), n != 0);
    for (size_t i = 0; i < n; i++) ASSERT_EQ(a[i], 0u) << "n=" << n << " i=" << i;
    for (size_t i = 0; i < n; i++) a[i] = i * 7 + 1;
    for (size_t i = 0; i < n; i++) ASSERT_EQ(a[i], i * 7 + 1) << "n=" << n << " i=" << i;
    size_t count = 0;
    for (uint64_t v : a) count += v != 0;
    EXPECT_EQ(count, n);
  }
}

TEST(ZeroedArray, ArraysOfHugePagesStartOnAHugePageBoundary) {
  ZeroedArray<uint64_t> a((5u << 20) / sizeof(uint64_t) + 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % (2u << 20), 0u);
  ZeroedArray<uint64_t> b(ZeroedArray<uint64_t>::kMapBytes / sizeof(uint64_t));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 4096, 0u);  // a mapping of its own
}

TEST(ZeroedArray, AtomicsStartAtZero) {
  ZeroedArray<std::atomic<uintptr_t>> a((4u << 20) / sizeof(uintptr_t));
  for (size_t i = 0; i < a.size(); i += 4096 / sizeof(uintptr_t)) {
    ASSERT_EQ(a[i].load(), 0u);
    a[i].store(i);
  }
  EXPECT_EQ(a[512].load(), 512u);
}

TEST(ZeroedArray, MovesOwnership) {
  for (size_t n : kSizes) {
    ZeroedArray<uint64_t> a(n);
    if (n > 0) a[n - 1] = 42;
    uint64_t* p = a.data();
    ZeroedArray<uint64_t> b(std::move(a));
    EXPECT_EQ(b.data(), p);
    EXPECT_EQ(b.size(), n);
    EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from array is empty
    EXPECT_FALSE(a);
    ZeroedArray<uint64_t> c(16);
    c = std::move(b);  // c's own array is released
    EXPECT_EQ(c.data(), p);
    if (n > 0) {
      EXPECT_EQ(c[n - 1], 42u);
    }
    c = ZeroedArray<uint64_t>();
    EXPECT_TRUE(c.empty());
  }
}

}  // namespace
}  // namespace strata
