#include "server/memory_budget.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

constexpr int64_t kMiB = 1 << 20;

TEST(MemoryBudget, NoBudgetKeepsEveryPartAsConfigured) {
  MemoryBudget b = SplitMemoryBudget(0, 64 * kMiB, 256 * kMiB, 128 * kMiB, {});
  EXPECT_EQ(b.memtable_size, 64 * kMiB);
  EXPECT_EQ(b.max_immutable_memtables, 4);
  EXPECT_EQ(b.row_cache_size, 256 * kMiB);
  EXPECT_EQ(b.block_cache_size, 128 * kMiB);
}

TEST(MemoryBudget, ABudgetIsSplitAndItsPartsAddUpToIt) {
  MemoryBudget b = SplitMemoryBudget(64 * kMiB, 64 * kMiB, 256 * kMiB, 128 * kMiB, {});
  EXPECT_EQ(b.memtable_size, 8 * kMiB);
  EXPECT_EQ(b.max_immutable_memtables, 1);
  EXPECT_EQ(b.row_cache_size, 24 * kMiB);
  EXPECT_EQ(b.block_cache_size, 24 * kMiB);
  EXPECT_EQ(
      b.memtable_size * (1 + b.max_immutable_memtables) + b.row_cache_size + b.block_cache_size,
      64 * kMiB);
}

TEST(MemoryBudget, AnExplicitPartKeepsItsValueAndTheOthersShareTheRest) {
  MemoryBudget b =
      SplitMemoryBudget(64 * kMiB, 64 * kMiB, 0, 128 * kMiB, {"row-cache-size"});  // no rows
  EXPECT_EQ(b.row_cache_size, 0);
  EXPECT_EQ(b.memtable_size * 2 + b.block_cache_size, 64 * kMiB - 64 * kMiB % 5);
  // A part set larger than the budget leaves the others the minimum.
  b = SplitMemoryBudget(16 * kMiB, 64 * kMiB, 256 * kMiB, 128 * kMiB, {"block-cache-size"});
  EXPECT_EQ(b.block_cache_size, 128 * kMiB);
  EXPECT_EQ(b.row_cache_size, 0);
  EXPECT_EQ(b.memtable_size, 64 * 1024);
}

}  // namespace
}  // namespace strata::server
