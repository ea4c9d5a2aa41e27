// PubSub: who is subscribed to which channel, pattern or shard channel (Redis's
// server.pubsub_channels, pubsub_patterns, pubsubshard_channels). Bookkeeping only: the
// Server writes the messages (Server::Publish). Loop thread only.
//
// Invariants: a client is in the subscriber list of a name exactly when the name is in its
// own list of that kind (Client::channels, patterns, shard_channels); a name with no
// subscriber has no entry; subscriber lists are in subscription order (delivery order).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/client.h"

namespace strata::server {

class PubSub {
 public:
  enum Kind { kChannel, kPattern, kShard };

  // False if c already had / did not have that subscription.
  bool Subscribe(Client* c, Kind kind, std::string_view name);
  bool Unsubscribe(Client* c, Kind kind, std::string_view name);
  void UnsubscribeAll(Client* c);

  // The subscribers of channel (kChannel or kShard), in order.
  const std::vector<Client*>* Subscribers(Kind kind, std::string_view channel) const;
  // The patterns with subscribers, in the order they were first subscribed.
  const std::vector<std::string>& patterns() const { return pattern_order_; }

  // Channels (kChannel or kShard) with subscribers that match the glob (all if null).
  std::vector<std::string> Channels(Kind kind, const std::string_view* glob) const;
  size_t NumSub(Kind kind, std::string_view channel) const;
  size_t NumPat() const { return pattern_order_.size(); }

 private:
  using Map = std::unordered_map<std::string, std::vector<Client*>>;
  Map& MapOf(Kind k) { return k == kChannel ? channels_ : k == kPattern ? patterns_ : shard_; }
  const Map& MapOf(Kind k) const {
    return k == kChannel ? channels_ : k == kPattern ? patterns_ : shard_;
  }
  static std::vector<std::string>& ListOf(Client* c, Kind k) {
    return k == kChannel ? c->channels : k == kPattern ? c->patterns : c->shard_channels;
  }

  Map channels_, patterns_, shard_;
  std::vector<std::string> pattern_order_;
};

}  // namespace strata::server
