#include "types/keys.h"

#include "util/coding.h"

namespace strata::types {
namespace {

void AppendBig32(std::string* out, uint32_t v) {
  char buf[4];
  EncodeBigEndian32(buf, v);
  out->append(buf, 4);
}

void AppendBig64(std::string* out, uint64_t v) {
  char buf[8];
  EncodeBigEndian64(buf, v);
  out->append(buf, 8);
}

}  // namespace

void DataKey(uint32_t ns, std::string_view key, std::string* out) {
  out->clear();
  out->push_back(kDataTag);
  AppendBig32(out, ns);
  out->append(key);
}

void ExpireKey(uint32_t ns, int64_t when_ms, std::string_view key, std::string* out) {
  out->clear();
  out->push_back(kExpireTag);
  AppendBig32(out, ns);
  AppendBig64(out, static_cast<uint64_t>(when_ms));
  out->append(key);
}

void SubKeyPrefix(char tag, uint32_t ns, std::string_view key, uint64_t version, std::string* out) {
  out->clear();
  out->push_back(tag);
  AppendBig32(out, ns);
  AppendBig32(out, static_cast<uint32_t>(key.size()));
  out->append(key);
  AppendBig64(out, version);
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    if (static_cast<unsigned char>(s.back()) != 0xff) {
      s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

std::string NamespacePrefix(char tag, uint32_t ns) {
  std::string p(1, tag);
  AppendBig32(&p, ns);
  return p;
}

bool ParseSubKey(std::string_view k, SubKeyParts* out) {
  if (k.size() < 1 + 4 + 4 + 8 || (k[0] != kSubKeyTag && k[0] != kScoreTag)) return false;
  out->tag = k[0];
  out->ns = DecodeBigEndian32(k.data() + 1);
  uint32_t len = DecodeBigEndian32(k.data() + 5);
  if (k.size() - 9 < static_cast<size_t>(len) + 8) return false;
  out->key = k.substr(9, len);
  out->version = DecodeBigEndian64(k.data() + 9 + len);
  out->element = k.substr(9 + len + 8);
  return true;
}

bool KeyNamespace(std::string_view k, uint32_t* ns) {
  if (k.size() < 5) return false;
  if (k[0] != kDataTag && k[0] != kExpireTag && k[0] != kSubKeyTag && k[0] != kScoreTag) {
    return false;
  }
  *ns = DecodeBigEndian32(k.data() + 1);
  return true;
}

std::string DbMapKey() { return std::string(1, kMetaTag) + "dbmap"; }

std::string CountKey(uint32_t ns) {
  std::string k(1, kMetaTag);
  k += "count";
  AppendBig32(&k, ns);
  return k;
}

std::string VersionLeaseKey() { return std::string(1, kMetaTag) + "version"; }

}  // namespace strata::types
