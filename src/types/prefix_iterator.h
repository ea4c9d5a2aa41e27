// PrefixIterator: the engine keys under one prefix as a transaction sees them (keyspace.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/iterator.h"
#include "util/status.h"

namespace strata::types {

class Keyspace;

// An iterator over the engine keys that start with one prefix, at the latest state with the
// open transaction's staged writes merged in (staged deletions hide keys, staged puts add or
// replace them). Keys are returned without the prefix. Valid only until the transaction
// stages another write or ends.
class PrefixIterator {
 public:
  void Seek(std::string_view suffix);  // first key >= prefix + suffix
  void SeekToFirst() { Seek({}); }
  bool Valid() const { return valid_; }
  void Next();
  std::string_view key() const { return key_; }  // without the prefix
  std::string_view value() const { return value_; }
  Status status() const { return it_->status(); }

 private:
  friend class Keyspace;
  struct Staged {
    std::string_view key;  // full engine key
    std::string_view value;
    bool deleted;
  };
  PrefixIterator(std::unique_ptr<store::Iterator> it, std::string prefix,
                 std::vector<Staged> staged);
  void Settle();  // positions on the smallest visible entry of the two sources

  std::unique_ptr<store::Iterator> it_;
  std::string prefix_, seek_buf_;
  std::vector<Staged> staged_;  // sorted by key, newest per key only
  size_t si_ = 0;
  bool valid_ = false;
  bool from_staged_ = false;  // the current entry is staged_[si_]
  std::string_view key_, value_;
};

}  // namespace strata::types
