// Iterator: a forward cursor over (key, value) pairs in ascending byte order of keys. Not
// thread-safe; the data it sees is fixed when it is created (a snapshot).
#pragma once

#include <string_view>

#include "util/status.h"

namespace strata::store {

class Iterator {
 public:
  virtual ~Iterator() = default;
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  // Positions at the first key >= target.
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid(). The views stay valid until the iterator moves or is destroyed.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Not ok when iteration stopped on an error (e.g. a checksum failure) rather than the end.
  virtual Status status() const = 0;
};

}  // namespace strata::store
