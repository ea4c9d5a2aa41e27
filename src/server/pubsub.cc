#include "server/pubsub.h"

#include <algorithm>

#include "util/glob.h"

namespace strata::server {

bool PubSub::Subscribe(Client* c, Kind kind, std::string_view name) {
  std::vector<std::string>& mine = ListOf(c, kind);
  if (std::find(mine.begin(), mine.end(), name) != mine.end()) return false;
  mine.emplace_back(name);
  auto [it, added] = MapOf(kind).try_emplace(std::string(name));
  it->second.push_back(c);
  if (added && kind == kPattern) pattern_order_.emplace_back(name);
  return true;
}

bool PubSub::Unsubscribe(Client* c, Kind kind, std::string_view name) {
  std::vector<std::string>& mine = ListOf(c, kind);
  auto pos = std::find(mine.begin(), mine.end(), name);
  if (pos == mine.end()) return false;
  mine.erase(pos);
  Map& map = MapOf(kind);
  auto it = map.find(std::string(name));
  if (it != map.end()) {
    auto& subs = it->second;
    subs.erase(std::remove(subs.begin(), subs.end(), c), subs.end());
    if (subs.empty()) {
      map.erase(it);
      if (kind == kPattern) {
        pattern_order_.erase(std::find(pattern_order_.begin(), pattern_order_.end(), name));
      }
    }
  }
  return true;
}

void PubSub::UnsubscribeAll(Client* c) {
  for (Kind k : {kChannel, kPattern, kShard}) {
    const std::vector<std::string> names = ListOf(c, k);
    for (const std::string& n : names) Unsubscribe(c, k, n);
  }
}

const std::vector<Client*>* PubSub::Subscribers(Kind kind, std::string_view channel) const {
  const Map& map = MapOf(kind);
  auto it = map.find(std::string(channel));
  return it == map.end() ? nullptr : &it->second;
}

std::vector<std::string> PubSub::Channels(Kind kind, const std::string_view* glob) const {
  std::vector<std::string> r;
  for (const auto& [name, subs] : MapOf(kind)) {
    if (glob == nullptr || GlobMatch(*glob, name)) r.push_back(name);
  }
  return r;
}

size_t PubSub::NumSub(Kind kind, std::string_view channel) const {
  const std::vector<Client*>* subs = Subscribers(kind, channel);
  return subs == nullptr ? 0 : subs->size();
}

}  // namespace strata::server
