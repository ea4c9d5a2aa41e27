// Lists (docs/design.md §5.9.3): a value record of type kList whose [head, tail) is the range
// of physical indexes the elements occupy, and one sub-key per element under the record's
// version:
//   's' ns keylen key version index:u64be -> element
// The element at list position i (LINDEX i, 0-based from the head) is at index head + i, so
// pushes and pops at either end, LINDEX and LSET are one point read or write each. A new list
// starts with head = tail = 2^63, so it can grow 2^63 elements in either direction.
// Inserting or removing in the middle shifts the elements of the shorter side by one index.
//
// A List is a view of one key's list inside the open keyspace transaction: reads see the
// transaction's writes, writes are staged in it. Finish() stages the value record (or its
// deletion once the last element is gone: an emptied list disappears, as in Redis). Not
// thread-safe; lives for one command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "types/keyspace.h"
#include "types/value.h"
#include "util/status.h"

namespace strata::types {

class List {
 public:
  static constexpr uint64_t kStartIndex = uint64_t{1} << 63;

  // existing: the key's live record (type kList), or nullptr when the key does not exist (or
  // has expired): the first push then creates a list under a new version.
  List(Keyspace* ks, int db, std::string_view key, const StoredValue* existing);

  uint64_t size() const { return meta_.tail - meta_.head; }

  // Position i in [0, size()). Get: NotFound only if the store lost the element.
  Status Get(uint64_t i, std::string* value);
  void Set(uint64_t i, std::string_view value);

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);
  // REQUIRES: size() > 0.
  Status PopFront(std::string* value);
  Status PopBack(std::string* value);

  // Inserts value so that it ends up at position i (0 <= i <= size()), shifting the shorter
  // side. O(min(i, size() - i)) reads and writes.
  Status Insert(uint64_t i, std::string_view value);
  // Removes the elements at the given positions (sorted ascending, distinct), closing the
  // gaps by shifting the cheaper side. O(elements moved).
  Status Erase(const std::vector<uint64_t>& positions);
  // Drops `front` elements from the head and `back` from the tail (LTRIM).
  void Trim(uint64_t front, uint64_t back);

  // Iterates the elements from position `from` towards the tail; key() is the u64be
  // physical index (Position() turns it into a position). Valid only until the next write.
  PrefixIterator Elements(uint64_t from);
  uint64_t Position(std::string_view index_key) const;

  // Stages the value record after writes: updated range, or deleted when empty. Writes that
  // changed nothing stage nothing.
  void Finish();

 private:
  void ElementKey(uint64_t index);  // into ebuf_
  void EnsureVersion();

  Keyspace* ks_;
  int db_;
  std::string key_;
  bool existed_;
  int64_t old_expire_ms_;
  bool changed_ = false;
  StoredValue meta_;
  std::string prefix_;  // the sub-key prefix of this list's version
  std::string ebuf_;    // prefix_ + an index
};

}  // namespace strata::types
