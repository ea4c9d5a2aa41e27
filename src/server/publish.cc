// Server, pub/sub delivery: PUBLISH/SPUBLISH write the message straight into each
// subscriber's output (a RESP3 push, or a RESP2 array), in subscription order: channel
// subscribers first, then each matching pattern's. The publisher never waits: a subscriber
// whose unsent output passes the pubsub class's hard limit is closed
// (client-output-buffer-limit pubsub, 32 MB by default), checked after every message.
#include "server/server.h"
#include "util/glob.h"

namespace strata::server {

namespace {

void WriteMessage(Client* c, std::string_view kind, const std::string* pattern,
                  std::string_view channel, std::string_view message) {
  resp::Writer w(c->conn->output(), c->proto);
  w.PushHeader(pattern != nullptr ? 4 : 3);
  w.Bulk(kind);
  if (pattern != nullptr) w.Bulk(*pattern);
  w.Bulk(channel);
  w.Bulk(message);
}

}  // namespace

size_t Server::Publish(PubSub::Kind kind, std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  auto deliver = [&](Client* c, std::string_view type, const std::string* pattern) {
    receivers++;
    if (c->conn == nullptr || c->close == CloseMode::kNow) return;
    WriteMessage(c, type, pattern, channel, message);
    if (!EnforceOutputLimit(c)) ScheduleFlush(c);
  };
  // Copies: a subscriber closed for its output limit stays listed until OnClose, but
  // nothing here unsubscribes, so the lists do not change while they are walked.
  if (const std::vector<Client*>* subs = pubsub_.Subscribers(kind, channel)) {
    for (Client* c : *subs) deliver(c, kind == PubSub::kShard ? "smessage" : "message", nullptr);
  }
  if (kind == PubSub::kChannel) {
    for (const std::string& pattern : pubsub_.patterns()) {
      if (!GlobMatch(pattern, channel)) continue;
      if (const std::vector<Client*>* subs = pubsub_.Subscribers(PubSub::kPattern, pattern)) {
        for (Client* c : *subs) deliver(c, "pmessage", &pattern);
      }
    }
  }
  return receivers;
}

}  // namespace strata::server
