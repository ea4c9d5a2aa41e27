// The record stored under a user key (the "value record"): what TYPE, TTL, DEL and every
// command read first. A string keeps its bytes inline; a collection keeps its metadata here
// and its elements as sub-keys (keys.h), so DEL, EXPIRE, RENAME-away or an overwrite of a
// collection of any size rewrites this one record.
//
// Encoding (DO NOT CHANGE: on disk):
//   byte 0            type (low 4 bits, ValueType) | 0x80 if an expiry follows
//   [fixed64]         absolute expiry, unix ms (only with 0x80)
//   string:           the value bytes, to the end of the record
//   collection:       fixed64 version | varint64 size | type-specific tail
//     list tail:      fixed64 head | fixed64 tail   (elements occupy indexes [head, tail))
//
// version: the generation of a collection. Every new collection under a key gets a version
// never used before in this store (Keyspace::NewVersion), and its sub-keys carry it; sub-keys
// of any other version are dead (the collection was deleted or replaced) and invisible, and
// compaction drops them (compaction_filter.h). size: the element count (HLEN, SCARD...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::types {

enum class ValueType : unsigned char {  // DO NOT CHANGE: on disk
  kString = 0,
  kHash = 1,
  kList = 2,
  kSet = 3,
  kZSet = 4,
};
inline constexpr unsigned char kMaxValueType = 4;

// TYPE's answer: "string", "hash", "list", "set", "zset".
const char* TypeName(ValueType t);
inline bool IsCollection(ValueType t) { return t != ValueType::kString; }

struct StoredValue {
  ValueType type = ValueType::kString;
  int64_t expire_ms = -1;  // absolute unix ms, -1 for none
  std::string payload;     // a string's value; unused for collections
  // Collections only.
  uint64_t version = 0;
  uint64_t size = 0;
  uint64_t head = 0, tail = 0;  // lists: elements at indexes [head, tail)

  bool expired(int64_t now_ms) const { return expire_ms >= 0 && expire_ms <= now_ms; }
};

// Appends the record of v to *out (cleared first).
void EncodeValue(const StoredValue& v, std::string* out);
// Decodes a record. with_payload false skips copying a string's bytes. False if damaged or
// of an unknown type.
bool DecodeValue(std::string_view rec, StoredValue* out, bool with_payload);
// Bytes in front of a string's payload in its record (1, or 9 with an expiry).
size_t StringHeaderSize(const StoredValue& v);
// Whether a record carries an expiry, from its first byte alone (counting, expiry index).
inline bool RecordHasExpire(std::string_view rec) {
  return !rec.empty() && (static_cast<unsigned char>(rec[0]) & 0x80) != 0;
}

}  // namespace strata::types
