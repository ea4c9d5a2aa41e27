// Internal keys: how user keys are versioned inside the engine (memtable, WAL replay, SSTables).
//
//   internal key = user_key | tag: fixed64 little-endian, tag = (sequence << 8) | kind
//
// Ordering: user key ascending (bytewise), then sequence DESCENDING, then kind descending, so
// the newest version of a key comes first and a seek to (key, snapshot_seq) lands on the
// newest version visible at that snapshot.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "util/coding.h"

namespace strata::store {

// Stored on disk: DO NOT CHANGE these values.
enum class ValueKind : unsigned char { kDeletion = 0, kValue = 1 };
// The kind used when seeking: the highest, so (key, seq, kSeekKind) sorts before every entry of
// key with sequence <= seq.
constexpr ValueKind kSeekKind = ValueKind::kValue;

constexpr uint64_t kMaxSequence = (1ull << 56) - 1;

inline uint64_t PackTag(uint64_t seq, ValueKind kind) {
  return (seq << 8) | static_cast<uint64_t>(kind);
}

struct ParsedInternalKey {
  std::string_view user_key;
  uint64_t sequence = 0;
  ValueKind kind = ValueKind::kValue;
};

inline void AppendInternalKey(std::string* dst, std::string_view user_key, uint64_t seq,
                              ValueKind kind) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackTag(seq, kind));
}

// False if ikey is too short or has an unknown kind.
inline bool ParseInternalKey(std::string_view ikey, ParsedInternalKey* out) {
  if (ikey.size() < 8) return false;
  uint64_t tag = DecodeFixed64(ikey.data() + ikey.size() - 8);
  unsigned char k = tag & 0xff;
  if (k > static_cast<unsigned char>(ValueKind::kValue)) return false;
  out->user_key = ikey.substr(0, ikey.size() - 8);
  out->sequence = tag >> 8;
  out->kind = static_cast<ValueKind>(k);
  return true;
}

// REQUIRES: ikey.size() >= 8.
inline std::string_view ExtractUserKey(std::string_view ikey) {
  return ikey.substr(0, ikey.size() - 8);
}
inline uint64_t ExtractTag(std::string_view ikey) {
  return DecodeFixed64(ikey.data() + ikey.size() - 8);
}

// Orders keys. Implementations are stateless and thread-safe.
class Comparator {
 public:
  virtual ~Comparator() = default;
  virtual int Compare(std::string_view a, std::string_view b) const = 0;
  // Changes *start to a short key in [*start, limit) (index block separators).
  virtual void FindShortestSeparator(std::string* start, std::string_view limit) const = 0;
  // Changes *key to a short key >= *key.
  virtual void FindShortSuccessor(std::string* key) const = 0;
};

// Bytewise order of user keys.
const Comparator* BytewiseComparator();
// The internal key order above (user key via BytewiseComparator).
const Comparator* InternalKeyComparator();

// Compares internal keys inline (hot path: memtable, merging iterator).
// Bytewise three-way comparison, 8 bytes at a time: keys in one database share long prefixes
// (tag byte, namespace, the application's "user:" ...), where a library memcmp call costs more
// than the comparison.
inline int CompareBytes(const char* a, size_t na, const char* b, size_t nb) {
  const size_t n = na < nb ? na : nb;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
  for (; i < n; i++) {
    if (a[i] != b[i])
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
  }
  return na < nb ? -1 : (na > nb ? 1 : 0);
}

inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  int r = CompareBytes(a.data(), a.size() - 8, b.data(), b.size() - 8);
  if (r != 0) return r;
  uint64_t ta = ExtractTag(a), tb = ExtractTag(b);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

}  // namespace strata::store
