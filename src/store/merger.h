// Merging iterator: the union of several sorted child iterators, in comparator order, via a
// binary min-heap of the children (O(log n) per Next, not LevelDB's linear scan).
//
// Duplicate keys: entries with equal keys in several children are all returned, the child
// with the lower index first (callers list newer sources first: memtable, L0 newest..oldest,
// L1, ...). So the order is deterministic.
//
// Errors: as soon as any child reports a non-OK status (after a seek or a Next), the merging
// iterator becomes !Valid() with that status. It does not go on with the other children:
// skipping a failed child could surface older versions of keys the failed child overrides.
//
// Forward only, like every store iterator. Not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "store/dbformat.h"
#include "store/iterator.h"

namespace strata::store {

// Takes ownership of the children. With no children, an empty iterator; with one, that child.
std::unique_ptr<Iterator> NewMergingIterator(const Comparator* cmp,
                                             std::vector<std::unique_ptr<Iterator>> children);

}  // namespace strata::store
