// Set algebra over members in byte order (SINTER, SUNION, SDIFF and their *STORE and CARD
// forms). Each input is a PrefixIterator over one set's member sub-keys (Set::Members()), so
// every input yields its members sorted and the result comes out sorted too, computed by
// merging: no hash table of any input is built. No write may be staged in the transaction
// while these run (the iterators would be invalidated); *STORE callers collect the result
// first and write it afterwards.
//
// Each function calls emit(member) for the result's members in byte order; emit returns
// false to stop early (SINTERCARD LIMIT). Returns the first iterator error.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "types/prefix_iterator.h"
#include "util/status.h"

namespace strata::types {

using MemberFn = std::function<bool(std::string_view member)>;

// Members in every input. Leapfrog join: each input seeks to the largest member seen so far,
// so the cost is about (size of the smallest input) x (inputs) seeks; put the smallest
// input first. Empty input list: empty result.
Status Intersect(const std::vector<PrefixIterator*>& sets, const MemberFn& emit);
// Members in any input: a k-way merge over a heap, O(total members x log inputs).
Status Union(const std::vector<PrefixIterator*>& sets, const MemberFn& emit);
// Members of sets[0] in none of the others: one pass over sets[0], the others advanced
// alongside it, O(size of sets[0] x inputs) steps or seeks at most.
Status Difference(const std::vector<PrefixIterator*>& sets, const MemberFn& emit);

}  // namespace strata::types
