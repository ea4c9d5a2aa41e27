#include "server/memory_budget.h"

#include <algorithm>

namespace strata::server {
namespace {
constexpr int64_t kMinMemtable = 64 * 1024;  // the memtable-size option's minimum
}  // namespace

MemoryBudget SplitMemoryBudget(int64_t maxmemory, int64_t memtable_size, int64_t row_cache_size,
                               int64_t block_cache_size,
                               const std::set<std::string>& explicitly_set) {
  MemoryBudget b{memtable_size, 4, row_cache_size, block_cache_size};
  if (maxmemory <= 0) return b;
  b.max_immutable_memtables = 1;
  // Shares in eighths: memtables 2 (two memtables), row cache 3, block cache 3.
  const bool mem_set = explicitly_set.count("memtable-size") != 0;
  const bool row_set = explicitly_set.count("row-cache-size") != 0;
  const bool block_set = explicitly_set.count("block-cache-size") != 0;
  int64_t left = maxmemory;
  int shares = 0;
  if (mem_set) {
    left -= 2 * memtable_size;
  } else {
    shares += 2;
  }
  if (row_set) {
    left -= row_cache_size;
  } else {
    shares += 3;
  }
  if (block_set) {
    left -= block_cache_size;
  } else {
    shares += 3;
  }
  left = std::max<int64_t>(left, 0);
  const int64_t share = shares == 0 ? 0 : left / shares;
  if (!mem_set) b.memtable_size = std::max(kMinMemtable, share);
  if (!row_set) b.row_cache_size = 3 * share;
  if (!block_set) b.block_cache_size = 3 * share;
  return b;
}

}  // namespace strata::server
