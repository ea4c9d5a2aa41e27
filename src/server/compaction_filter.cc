#include "server/compaction_filter.h"

#include <algorithm>

#include "util/coding.h"

namespace strata::server {

bool NamespaceFilter::ShouldDrop(std::string_view key, std::string_view) const {
  // Data ('d') and expire-index ('e') records carry their namespace in bytes 1..4.
  if (key.size() < 5 || (key[0] != 'd' && key[0] != 'e')) return false;
  uint32_t ns = DecodeBigEndian32(key.data() + 1);
  std::lock_guard<std::mutex> l(mu_);
  if (ns >= next_ns_) return false;  // allocated after our last update: treat as live
  if (std::find(live_.begin(), live_.end(), ns) != live_.end()) return false;
  for (const auto& [p, seq] : pending_) {
    if (p == ns) return false;
  }
  return true;
}

void NamespaceFilter::SetLive(const std::vector<uint32_t>& live, uint32_t next_ns) {
  std::lock_guard<std::mutex> l(mu_);
  live_ = live;
  next_ns_ = next_ns;
}

void NamespaceFilter::AddPending(const std::vector<uint32_t>& ns, uint64_t sequence) {
  std::lock_guard<std::mutex> l(mu_);
  for (uint32_t n : ns) pending_.push_back({n, sequence});
}

void NamespaceFilter::ReleasePending(uint64_t durable_sequence) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(pending_, [&](const auto& p) { return p.second <= durable_sequence; });
}

bool NamespaceFilter::HasPending() const {
  std::lock_guard<std::mutex> l(mu_);
  return !pending_.empty();
}

}  // namespace strata::server
