#include "store/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace strata::store {
namespace {

TEST(Arena, EmptyUsesNoMemory) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
}

TEST(Arena, AllocationsKeepTheirContentsAndUsageGrows) {
  Arena arena;
  std::mt19937 rnd(301);
  std::vector<std::pair<size_t, char*>> allocated;
  size_t bytes = 0;
  for (int i = 0; i < 20000; i++) {
    size_t s = (i % 500 == 0) ? 6000 : 1 + rnd() % (i % 10 == 0 ? 1000 : 40);
    char* p = (i % 3 == 0) ? arena.AllocateAligned(s) : arena.Allocate(s);
    if (i % 3 == 0) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
    }
    std::memset(p, i % 256, s);  // every byte writable
    allocated.emplace_back(s, p);
    bytes += s;
    EXPECT_GE(arena.MemoryUsage(), bytes);
    // Waste is bounded: a quarter block per block, plus bookkeeping.
    EXPECT_LE(arena.MemoryUsage(), bytes * 2 + 8192);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    auto [s, p] = allocated[i];
    for (size_t b = 0; b < s; b++) ASSERT_EQ(static_cast<unsigned char>(p[b]), i % 256);
  }
}

}  // namespace
}  // namespace strata::store
