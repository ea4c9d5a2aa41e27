// Engine keys: how every record of the keyspace is named in the store. One tag byte first, so
// each kind sorts in its own range; a namespace (ns, 4 bytes big-endian) next, so a database
// is one contiguous range per kind. Database i (SELECT i) maps to a namespace through the
// database map (keyspace.h); FLUSHDB and SWAPDB only change that map.
//
//   'd' ns key                                  -> value record (value.h)
//   'e' ns when_ms:u64be key                    -> ""  expiry index, ordered by deadline
//   's' ns keylen:u32be key version:u64be elem  -> element value (hash field -> value, set
//                                                  member -> "", list index:u64be -> element,
//                                                  zset member -> score:8 (score.h))
//   'z' ns keylen:u32be key version:u64be score:8 member -> ""  (zset score order)
//   'm' "dbmap"                                 -> fixed32 n | n x fixed32 ns | fixed32 next_ns
//   'm' "count" ns                              -> fixed64 keys | fixed64 keys_with_ttl
//   'm' "version"                               -> fixed64 lease (keyspace.h: NewVersion)
// DO NOT CHANGE: on disk.
//
// A sub-key spells out the key's length before the key, so the sub-keys of key "a" never
// interleave with those of "ab", and the sub-keys of one collection generation (ns, key,
// version) are one contiguous range: SubKeyPrefix() is its lower bound and its successor
// the upper bound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::types {

inline constexpr char kDataTag = 'd';
inline constexpr char kExpireTag = 'e';
inline constexpr char kSubKeyTag = 's';
inline constexpr char kScoreTag = 'z';
inline constexpr char kMetaTag = 'm';

// 'd' ns key.
void DataKey(uint32_t ns, std::string_view key, std::string* out);
// 'e' ns when key.
void ExpireKey(uint32_t ns, int64_t when_ms, std::string_view key, std::string* out);
// tag ns keylen key version: the common prefix of a collection generation's sub-keys
// (tag kSubKeyTag or kScoreTag). Append the element to get a sub-key.
void SubKeyPrefix(char tag, uint32_t ns, std::string_view key, uint64_t version, std::string* out);
// The first key after every key that starts with `prefix` ("" if there is none).
std::string PrefixSuccessor(std::string_view prefix);
// 'd'/'e'/'s'/'z' prefix of one namespace (the range of a database's records of one kind).
std::string NamespacePrefix(char tag, uint32_t ns);

// The parts of a sub-key ('s' or 'z'); false if `engine_key` is not one.
struct SubKeyParts {
  char tag;
  uint32_t ns;
  std::string_view key;
  uint64_t version;
  std::string_view element;  // for 'z': score:8 then member
};
bool ParseSubKey(std::string_view engine_key, SubKeyParts* out);
// The namespace of any 'd', 'e', 's' or 'z' key; false for others ('m').
bool KeyNamespace(std::string_view engine_key, uint32_t* ns);

// Meta records.
std::string DbMapKey();
std::string CountKey(uint32_t ns);
std::string VersionLeaseKey();

}  // namespace strata::types
