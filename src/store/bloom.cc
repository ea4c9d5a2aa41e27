#include "store/bloom.h"

#include <algorithm>

#include "util/checksum.h"

namespace strata::store {
namespace {

constexpr size_t kLineBytes = 64;
constexpr uint32_t kLineBits = kLineBytes * 8;  // 512: a probe index is 9 bits
constexpr size_t kFilterTrailer = 2;            // num_probes, kind

// Maps h uniformly onto [0, n) without a division (Lemire's multiply-shift).
inline uint32_t FastRange32(uint32_t h, uint32_t n) {
  return static_cast<uint32_t>((static_cast<uint64_t>(h) * n) >> 32);
}

// The line is chosen by the high 32 bits of the hash; the probes inside it use the low 32
// bits as h1 and a remix of the high bits as h2 (odd, so it walks all positions), taking the
// top 9 bits of h1 + i*h2 as the bit index.
inline uint32_t LineOf(uint64_t hash, uint32_t num_lines) {
  return FastRange32(static_cast<uint32_t>(hash >> 32), num_lines);
}
inline uint32_t Delta(uint64_t hash) {
  return (static_cast<uint32_t>(hash >> 32) * 0x9e3779b9u) | 1u;
}

}  // namespace

BloomFilterPolicy::BloomFilterPolicy(int bits_per_key) : bits_per_key_(std::max(bits_per_key, 1)) {
  num_probes_ = std::clamp(static_cast<int>(bits_per_key_ * 0.69), 1, 30);
}

uint64_t BloomFilterPolicy::KeyHash(std::string_view key) { return Hash64(key); }

void BloomFilterPolicy::CreateFilter(const std::vector<uint64_t>& key_hashes,
                                     std::string* dst) const {
  uint64_t bits = static_cast<uint64_t>(key_hashes.size()) * bits_per_key_;
  uint64_t lines64 = std::max<uint64_t>(1, (bits + kLineBits - 1) / kLineBits);
  const auto num_lines = static_cast<uint32_t>(std::min<uint64_t>(lines64, UINT32_MAX));

  const size_t start = dst->size();
  dst->resize(start + num_lines * kLineBytes, 0);
  auto* array = reinterpret_cast<unsigned char*>(dst->data() + start);
  for (uint64_t hash : key_hashes) {
    unsigned char* line = array + static_cast<size_t>(LineOf(hash, num_lines)) * kLineBytes;
    uint32_t h = static_cast<uint32_t>(hash);
    const uint32_t delta = Delta(hash);
    for (int i = 0; i < num_probes_; i++, h += delta) {
      const uint32_t bit = h >> 23;
      line[bit >> 3] |= static_cast<unsigned char>(1u << (bit & 7));
    }
  }
  dst->push_back(static_cast<char>(num_probes_));
  dst->push_back(static_cast<char>(kBloomFilterKind));
}

void BloomFilterPolicy::CreateFilterFromKeys(const std::vector<std::string_view>& keys,
                                             std::string* dst) const {
  std::vector<uint64_t> hashes;
  hashes.reserve(keys.size());
  for (std::string_view k : keys) hashes.push_back(KeyHash(k));
  CreateFilter(hashes, dst);
}

bool BloomFilterPolicy::HashMayMatch(uint64_t hash, std::string_view filter) {
  if (filter.size() < kLineBytes + kFilterTrailer) return true;
  const size_t array_bytes = filter.size() - kFilterTrailer;
  if (array_bytes % kLineBytes != 0 || array_bytes / kLineBytes > UINT32_MAX) return true;
  const int k = static_cast<unsigned char>(filter[array_bytes]);
  if (static_cast<unsigned char>(filter[array_bytes + 1]) != kBloomFilterKind || k < 1 || k > 30) {
    return true;
  }
  const auto num_lines = static_cast<uint32_t>(array_bytes / kLineBytes);
  const auto* line = reinterpret_cast<const unsigned char*>(filter.data()) +
                     static_cast<size_t>(LineOf(hash, num_lines)) * kLineBytes;
  uint32_t h = static_cast<uint32_t>(hash);
  const uint32_t delta = Delta(hash);
  for (int i = 0; i < k; i++, h += delta) {
    const uint32_t bit = h >> 23;
    if ((line[bit >> 3] & (1u << (bit & 7))) == 0) return false;
  }
  return true;
}

void BloomFilterBuilder::AddKey(std::string_view user_key) {
  uint64_t h = BloomFilterPolicy::KeyHash(user_key);
  // Versions of one user key are adjacent in a table; equal hashes of different keys add
  // nothing to the filter either, so dropping them is exact.
  if (!hashes_.empty() && hashes_.back() == h) return;
  hashes_.push_back(h);
}

void BloomFilterBuilder::Finish(std::string* dst) {
  policy_.CreateFilter(hashes_, dst);
  hashes_.clear();
  hashes_.shrink_to_fit();
}

}  // namespace strata::store
