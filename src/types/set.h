// Sets (docs/design.md §5.9.3): a value record of type kSet whose `size` is the member count,
// and one sub-key per member under the record's version:
//   's' ns keylen key version member -> ""
// Members come out of Members() in byte order, which the set algebra (SINTER, SUNION, SDIFF)
// merges. DEL, EXPIRE or an overwrite of a set touches the value record only; the members of
// a dead version are invisible and compaction drops them.
//
// A Set is a view of one key's set inside the open keyspace transaction: reads see the
// transaction's writes, writes are staged in it. Finish() stages the value record (or its
// deletion, once the last member is gone: an emptied set disappears, as in Redis). Not
// thread-safe; lives for one command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "types/keyspace.h"
#include "types/value.h"
#include "util/status.h"

namespace strata::types {

class Set {
 public:
  // existing: the key's live record (type kSet), or nullptr when the key does not exist (or
  // has expired): the first write then creates a set under a new version.
  Set(Keyspace* ks, int db, std::string_view key, const StoredValue* existing);

  // An empty set that replaces whatever `key` holds (SINTERSTORE and the other *STORE
  // commands): `old` is the key's live record of any type, or nullptr. Finish() stages the
  // new set without a TTL, or deletes the key when the new set is empty.
  static Set Replacing(Keyspace* ks, int db, std::string_view key, const StoredValue* old);

  bool exists() const { return existed_ || meta_.size > 0; }
  uint64_t size() const { return meta_.size; }

  Status Contains(std::string_view member, bool* found);
  // *added: the member was not there before.
  Status Add(std::string_view member, bool* added);
  // Add for a member known to be absent (a new set fed distinct members): no read.
  void AddAbsent(std::string_view member);
  // *removed: the member was there.
  Status Remove(std::string_view member, bool* removed);
  // Forgets every member at once: the key is deleted by Finish() (O(1): the members of the
  // old version become dead).
  void Clear();

  // The members in byte order (keys; values are empty); valid only until the next write.
  PrefixIterator Members();

  // Stages the value record after writes: updated size, or deleted when empty. Writes that
  // changed nothing stage nothing.
  void Finish();

 private:
  void MemberKey(std::string_view member);
  void EnsureVersion();

  Keyspace* ks_;
  int db_;
  std::string key_;
  bool existed_;
  int64_t old_expire_ms_;
  bool changed_ = false;
  StoredValue meta_;
  std::string prefix_;  // the sub-key prefix of this set's version ("" before it has one)
  std::string mbuf_;    // prefix_ + a member
};

}  // namespace strata::types
