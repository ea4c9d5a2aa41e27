// Log format: the framing shared by the WAL and the MANIFEST (version_set.h). Modelled on LevelDB's
// doc/log_format.md.
//
// A log file is a sequence of 32 KiB blocks. A logical record (one WriteBatch for the WAL)
// is stored as one or more fragments ("physical records"), each with a 7-byte header:
//
//   checksum: fixed32  MaskChecksum(Checksum(type | payload))   (util/checksum.h, XXH3 low 32)
//   length:   fixed16  payload bytes (little endian)
//   type:     uint8    kFull | kFirst | kMiddle | kLast
//   payload:  length bytes
//
// A record that fits in the rest of the block is one kFull fragment; otherwise kFirst, zero
// or more kMiddle, and kLast, each filling its block. A fragment never starts in the last 6
// bytes of a block: the writer zero-fills them and moves to the next block. Readers can
// therefore resynchronize after damage by skipping to the next block boundary.
//
// There is no file header: the first block's first fragment is the first record. (A format
// version, when needed, will be a record type >= kFirstUnusedType so old readers reject it.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::store::log {

// Stored on disk: DO NOT CHANGE these values.
enum RecordType : uint8_t {
  // Reserved for zero-filled space (preallocation, or a file whose size reached the disk
  // before its data); never written.
  kZeroType = 0,
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
constexpr int kMaxRecordType = kLastType;

constexpr size_t kBlockSize = 32768;
// checksum (4) + length (2) + type (1)
constexpr size_t kHeaderSize = 4 + 2 + 1;

}  // namespace strata::store::log
