#include "types/value.h"

#include "util/coding.h"

namespace strata::types {
namespace {
constexpr unsigned char kHasExpire = 0x80;
constexpr unsigned char kTypeMask = 0x0f;
}  // namespace

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kHash:
      return "hash";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";
}

void EncodeValue(const StoredValue& v, std::string* out) {
  out->clear();
  unsigned char h = static_cast<unsigned char>(v.type);
  if (v.expire_ms >= 0) h |= kHasExpire;
  out->push_back(static_cast<char>(h));
  if (v.expire_ms >= 0) PutFixed64(out, static_cast<uint64_t>(v.expire_ms));
  if (v.type == ValueType::kString) {
    out->append(v.payload);
    return;
  }
  PutFixed64(out, v.version);
  PutVarint64(out, v.size);
  if (v.type == ValueType::kList) {
    PutFixed64(out, v.head);
    PutFixed64(out, v.tail);
  }
}

size_t StringHeaderSize(const StoredValue& v) { return v.expire_ms >= 0 ? 9 : 1; }

bool DecodeValue(std::string_view rec, StoredValue* out, bool with_payload) {
  if (rec.empty()) return false;
  auto h = static_cast<unsigned char>(rec[0]);
  rec.remove_prefix(1);
  if ((h & kTypeMask) > kMaxValueType || (h & ~(kTypeMask | kHasExpire)) != 0) return false;
  out->type = static_cast<ValueType>(h & kTypeMask);
  out->expire_ms = -1;
  if (h & kHasExpire) {
    uint64_t e;
    if (!GetFixed64(&rec, &e)) return false;
    out->expire_ms = static_cast<int64_t>(e);
  }
  if (out->type == ValueType::kString) {
    out->version = out->size = out->head = out->tail = 0;
    if (with_payload) out->payload.assign(rec.data(), rec.size());
    return true;
  }
  out->payload.clear();
  if (!GetFixed64(&rec, &out->version) || !GetVarint64(&rec, &out->size)) return false;
  out->head = out->tail = 0;
  if (out->type == ValueType::kList) {
    if (!GetFixed64(&rec, &out->head) || !GetFixed64(&rec, &out->tail)) return false;
  }
  return rec.empty();
}

}  // namespace strata::types
