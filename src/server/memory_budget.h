// One memory budget for the store (maxmemory). For a store on disk, maxmemory does not cap
// the data set, which lives on disk and may be far larger: it caps the memory the store uses
// to hold data in memory, that is its memtables (writes not yet flushed) and its two caches
// (the row cache of hot values and the block cache of table blocks). Redis's maxmemory
// evicts keys; Strata's never loses a key: the caches evict, and writes flush sooner.
//
// Split of a budget B (docs/design.md §7.5):
//   memtables   B/4: two memtables of B/8 each (the one written, and one being flushed;
//                     writers wait for the flush rather than queue more)
//   row cache   3B/8
//   block cache 3B/8
// A part whose option was given explicitly (memtable-size, row-cache-size,
// block-cache-size) keeps that value and is taken out of the budget; the parts left share
// what remains in the same proportions. With maxmemory 0 (the default) every part uses its
// own option.
//
// Not in the budget, and bounded separately: connections' buffers (client-query-buffer-limit,
// client-output-buffer-limit), the memtable's point-lookup index (about 1/8 of the memtable
// size), table index and filter blocks of open tables, and the code and stacks. The README
// gives the fixed overhead measured above the budget.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace strata::server {

struct MemoryBudget {
  int64_t memtable_size = 0;  // each memtable
  int max_immutable_memtables = 0;
  int64_t row_cache_size = 0;
  int64_t block_cache_size = 0;
};

// The sizes to open the store with. `explicitly_set`: the names of the options the operator
// gave (config file or command line).
MemoryBudget SplitMemoryBudget(int64_t maxmemory, int64_t memtable_size, int64_t row_cache_size,
                               int64_t block_cache_size,
                               const std::set<std::string>& explicitly_set);

}  // namespace strata::server
