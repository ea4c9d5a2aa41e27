// Pub/sub through the real server: delivery to channel and pattern subscribers of other
// connections, RESP2's subscribed mode, RESP3 pushes, PUBSUB introspection, fan-out to a
// thousand subscribers, and a slow subscriber cut off by the pubsub output limit while the
// publisher carries on. Expected texts were checked against redis-server 7.0.
#include <chrono>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

std::string Msg(std::string_view kind, std::string_view channel, std::string_view payload) {
  auto bulk = [](std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
  };
  return "*3\r\n" + bulk(kind) + bulk(channel) + bulk(payload);
}

TEST(PubSubTest, ChannelAndPatternSubscribersReceive) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  RawConn sub = server.Raw();
  RawConn psub = server.Raw();
  EXPECT_EQ(sub.Exchange(EncodeCommand({"SUBSCRIBE", "news"})),
            "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  EXPECT_EQ(psub.Exchange(EncodeCommand({"PSUBSCRIBE", "n*"})),
            "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n");
  Client pub = server.Connect();
  EXPECT_EQ(pub.Run("PUBLISH news hello"), ":2");
  EXPECT_EQ(pub.Run("PUBLISH other x"), ":0");
  EXPECT_EQ(sub.ReadReply().value_or(""), Msg("message", "news", "hello"));
  EXPECT_EQ(psub.ReadReply().value_or(""),
            "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  EXPECT_EQ(pub.Run("PUBSUB NUMSUB news other"), "[$news, :1, $other, :0]");
  EXPECT_EQ(pub.Run("PUBSUB NUMPAT"), ":1");
  EXPECT_EQ(pub.Run("PUBSUB CHANNELS"), "[$news]");
  EXPECT_EQ(pub.Run("PUBSUB CHANNELS x*"), "[]");
  // A subscriber that goes away is unsubscribed.
  sub.Close();
  EXPECT_TRUE(PollUntil([&] { return pub.Run("PUBSUB NUMSUB news") == "[$news, :0]"; }));
  EXPECT_EQ(pub.Run("PUBLISH news again"), ":1");
}

TEST(PubSubTest, Resp2SubscribedModeAllowsOnlyPubSubCommands) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  RawConn c = server.Raw();
  EXPECT_EQ(c.Exchange(EncodeCommand({"SUBSCRIBE", "a", "b"}), 2),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"GET", "k"})),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"PING"})), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"UNSUBSCRIBE", "a", "b"}), 2),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n"
            ":0\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"UNSUBSCRIBE"})),
            "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"PING"})), "+PONG\r\n");
  // RESET leaves subscribed mode.
  EXPECT_EQ(c.Exchange(EncodeCommand({"SUBSCRIBE", "a"})),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"RESET"})), "+RESET\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"GET", "k"})), "$-1\r\n");
}

TEST(PubSubTest, Resp3SubscribersGetPushesBetweenReplies) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  RawConn c = server.Raw();
  ASSERT_NE(c.Exchange(EncodeCommand({"HELLO", "3"})), "");
  EXPECT_EQ(c.Exchange(EncodeCommand({"SUBSCRIBE", "a"})),
            ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(c.Exchange(EncodeCommand({"GET", "k"})), "_\r\n");
  // Its own PUBLISH: the push comes before the reply.
  EXPECT_EQ(c.Exchange(EncodeCommand({"PUBLISH", "a", "m"}), 2),
            ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n:1\r\n");
}

TEST(PubSubTest, PublishReachesAThousandSubscribers) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  constexpr int kSubs = 1000;
  std::vector<RawConn> subs;
  subs.reserve(kSubs);
  for (int i = 0; i < kSubs; i++) {
    subs.push_back(server.Raw());
    ASSERT_TRUE(subs.back().Send(EncodeCommand({"SUBSCRIBE", "fanout"})));
  }
  for (auto& s : subs) ASSERT_TRUE(s.ReadReply().has_value());
  Client pub = server.Connect();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(pub.Run("PUBLISH fanout payload"), ":" + std::to_string(kSubs));
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  std::printf("PUBLISH to %d subscribers: %lld us round trip\n", kSubs, static_cast<long long>(us));
  for (auto& s : subs) EXPECT_EQ(s.ReadReply().value_or(""), Msg("message", "fanout", "payload"));
}

TEST(PubSubTest, ASlowSubscriberIsCutOffAndThePublisherNeverWaits) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client admin = server.Connect();
  EXPECT_EQ(admin.Run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"}), "+OK");
  RawConn slow = server.Raw();  // subscribes, then never reads
  EXPECT_EQ(slow.Exchange(EncodeCommand({"SUBSCRIBE", "firehose"})),
            "*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n");
  const std::string payload(64 * 1024, 'x');
  // 64 MB published; the slow subscriber's socket buffers hold a few MB at most.
  for (int i = 0; i < 1024; i++) admin.Append({"PUBLISH", "firehose", payload});
  int delivered_to_none = 0;
  for (int i = 0; i < 1024; i++) {
    Reply r = admin.GetReply();
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
    delivered_to_none += r->integer == 0;
  }
  EXPECT_GT(delivered_to_none, 0) << "the slow subscriber was never disconnected";
  EXPECT_NE(admin.Run("INFO stats").find("client_output_buffer_limit_disconnections:1"),
            std::string::npos);
  EXPECT_EQ(admin.Run("PUBSUB NUMSUB firehose"), "[$firehose, :0]");
}

}  // namespace
}  // namespace strata::integration
