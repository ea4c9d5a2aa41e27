// DBIter: turns an iterator over internal keys (a merge of memtables and, later, tables) into
// the user-facing Iterator of DB::NewIterator, as of one sequence number.
//
// For each user key it yields the newest version with sequence <= the snapshot sequence, if
// that version is a value; versions newer than the snapshot are invisible, older ones are
// shadowed, and a deletion hides the key. Forward only (SCAN never goes backwards, so the
// direction-switch bugs of leveldb#200 cannot arise).
//
// key() and value() view the internal iterator's current entry: valid until the next move.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "store/iterator.h"

namespace strata::store {

// `internal` yields internal keys in InternalKeyComparator order. `release` runs when the
// iterator is destroyed, after `internal` is: it drops whatever kept the sources alive.
std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<Iterator> internal, uint64_t sequence,
                                        std::function<void()> release);

}  // namespace strata::store
