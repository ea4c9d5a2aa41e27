// Hashes (docs/design.md §5.9.3): a value record of type kHash whose `size` is the field count,
// and one sub-key per field under the record's version:
//   's' ns keylen key version field -> field value
// DEL, EXPIRE or an overwrite of a hash touches the value record only; the fields of a dead
// version are invisible and compaction drops them.
//
// A Hash is a view of one key's hash inside the open keyspace transaction: reads see the
// transaction's writes, writes are staged in it. Finish() stages the value record (or its
// deletion, once the last field is gone: an emptied hash disappears, as in Redis). Not
// thread-safe; lives for one command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "types/keyspace.h"
#include "types/value.h"
#include "util/status.h"

namespace strata::types {

class Hash {
 public:
  // existing: the key's live record (type kHash), or nullptr when the key does not exist (or
  // has expired): the first write then creates a hash under a new version.
  Hash(Keyspace* ks, int db, std::string_view key, const StoredValue* existing);

  bool exists() const { return existed_ || meta_.size > 0; }
  uint64_t size() const { return meta_.size; }

  // NotFound if the field is absent.
  Status Get(std::string_view field, std::string* value);
  // *added: the field did not exist before.
  Status Set(std::string_view field, std::string_view value, bool* added);
  // *deleted: the field existed.
  Status Delete(std::string_view field, bool* deleted);

  // The fields in field order; Valid only until the next write.
  PrefixIterator Fields();

  // Stages the value record after writes: updated size, or deleted when empty. Writes that
  // changed nothing stage nothing.
  void Finish();

 private:
  void FieldKey(std::string_view field);

  Keyspace* ks_;
  int db_;
  std::string key_;
  bool existed_;
  int64_t old_expire_ms_;
  bool changed_ = false;
  StoredValue meta_;
  std::string prefix_;  // the sub-key prefix of this hash's version
  std::string fbuf_;    // prefix_ + a field
};

}  // namespace strata::types
