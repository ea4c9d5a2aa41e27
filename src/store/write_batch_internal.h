// WriteBatchInternal: the engine's access to a WriteBatch's encoding (see write_batch.h for
// the format). Not part of the public face: only the DB, WAL replay and tests use it.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/write_batch.h"
#include "util/status.h"

namespace strata::store {

class MemTable;

class WriteBatchInternal {
 public:
  // sequence (8) + count (4)
  static constexpr size_t kHeaderSize = 12;

  static uint32_t Count(const WriteBatch* batch);
  static void SetCount(WriteBatch* batch, uint32_t n);

  // The sequence number of the batch's first record.
  static uint64_t Sequence(const WriteBatch* batch);
  static void SetSequence(WriteBatch* batch, uint64_t seq);

  // The encoded batch: what goes into one WAL record.
  static std::string_view Contents(const WriteBatch* batch) { return batch->rep_; }
  static size_t ByteSize(const WriteBatch* batch) { return batch->rep_.size(); }

  // Replaces the batch with an encoding read back from the WAL. InvalidArgument-free: the
  // contents are checked when iterated (Corruption if too short for a header).
  static Status SetContents(WriteBatch* batch, std::string_view contents);

  // Adds every record to mem with consecutive sequence numbers starting at Sequence(batch).
  // REQUIRES: the caller is mem's single writer. Corruption if the encoding is damaged (the
  // records before the damage have been added).
  static Status InsertInto(const WriteBatch* batch, MemTable* mem);

  // Appends src's records to dst (dst keeps its sequence number).
  static void Append(WriteBatch* dst, const WriteBatch* src);
};

}  // namespace strata::store
