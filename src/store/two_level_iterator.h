// Two-level iteration: an index iterator whose values name blocks (a table's index block ->
// data blocks; later, a level's file list -> tables), and a function that opens the iterator
// for one such value. The result iterates over the concatenation of those iterators.
//
// Errors stop iteration: if the index iterator or a block iterator reports a non-OK status,
// the two-level iterator becomes !Valid() with that status. It never skips a bad block and
// goes on, since a merging reader above would then surface older versions of the skipped keys.
//
// Also small iterators every iterator user needs: empty/error, and one running a cleanup.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "store/iterator.h"
#include "util/status.h"

namespace strata::store {

// Opens the iterator for one index value. Returns nullptr or an iterator whose status() says
// why it failed. Called on the thread using the two-level iterator.
using BlockFunction = std::function<std::unique_ptr<Iterator>(std::string_view index_value)>;

// The keys of the index iterator must be >= every key of the block they name and < every key
// of the following blocks (a table's index separators, or a file's largest key).
std::unique_ptr<Iterator> NewTwoLevelIterator(std::unique_ptr<Iterator> index_iter,
                                              BlockFunction block_function);

// An iterator over nothing, with the given status (OK: just empty).
std::unique_ptr<Iterator> NewEmptyIterator(Status status = Status::OK());

// Wraps iter so that cleanup() runs right after iter is destroyed: e.g. to release the
// table-cache handle (or shared_ptr) that keeps the Table under a table iterator alive, or a
// Version pinned by a DB iterator. Costs one extra virtual call per operation.
std::unique_ptr<Iterator> NewCleanupIterator(std::unique_ptr<Iterator> iter,
                                             std::function<void()> cleanup);

}  // namespace strata::store
