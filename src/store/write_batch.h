// WriteBatch: updates applied atomically, in order, by DB::Write. One batch becomes one WAL
// record, so a crash leaves all of it or none of it.
//
// Encoding (also the WAL record payload; DO NOT CHANGE without a format version bump):
//   sequence: fixed64 (first sequence number of the batch; assigned by DB::Write)
//   count:    fixed32
//   records:  count x ( kind: 1 byte  (0 = deletion, 1 = value)
//                       key:  varint32 length + bytes
//                       value: varint32 length + bytes   (kind == value only) )
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace strata::store {

class WriteBatch {
 public:
  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  // Empties the batch but keeps its buffer (reuse on the hot path).
  void Clear();

  uint32_t Count() const;
  // Bytes the batch will occupy in the WAL.
  size_t ApproximateSize() const { return rep_.size(); }

  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value) = 0;
    virtual void Delete(std::string_view key) = 0;
  };
  // Calls handler for each record in order; Corruption if the encoding is damaged.
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  std::string rep_;
};

}  // namespace strata::store
