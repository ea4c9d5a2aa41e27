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

  // For readers of a batch under construction (the server's transactions read their own
  // writes): the offset the next Put/Delete will start at, and the record at such an offset.
  size_t NextRecordOffset() const { return rep_.size(); }
  // REQUIRES: offset came from NextRecordOffset() before a record was appended, and the batch
  // was not cleared since. is_put false: a deletion (*value empty).
  void RecordAt(size_t offset, bool* is_put, std::string_view* key, std::string_view* value) const;

  // A point to roll the batch back to: every record appended after it is dropped.
  struct SavePoint {
    size_t size;
    uint32_t count;
  };
  SavePoint GetSavePoint() const { return {rep_.size(), Count()}; }
  // REQUIRES: sp came from this batch, and it was not cleared or rolled back past sp since.
  void RollbackTo(const SavePoint& sp);
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
