// Checksums for on-disk records and blocks: the low 32 bits of XXH3-64 (libxxhash), masked
// so that a checksum stored inside checksummed data does not checksum to itself trivially
// (LevelDB's crc32c::Mask rationale).
#pragma once

// Inlined: the hash is on every WAL record and block, a library call per use is waste.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace strata {

inline uint32_t Checksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}
// Checksum of a ++ b without concatenating them.
inline uint32_t Checksum2(std::string_view a, std::string_view b) {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  XXH3_64bits_update(&st, a.data(), a.size());
  XXH3_64bits_update(&st, b.data(), b.size());
  return static_cast<uint32_t>(XXH3_64bits_digest(&st));
}

constexpr uint32_t kChecksumMaskDelta = 0xa282ead8ul;
inline uint32_t MaskChecksum(uint32_t c) { return ((c >> 15) | (c << 17)) + kChecksumMaskDelta; }
inline uint32_t UnmaskChecksum(uint32_t m) {
  uint32_t r = m - kChecksumMaskDelta;
  return ((r >> 17) | (r << 15));
}

// 64-bit hash for bloom filters and cache sharding.
inline uint64_t Hash64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace strata
