// MULTI / EXEC / DISCARD / WATCH through the real server: replies as Redis 7.0 gives them
// (each expected text was checked against redis-server), WATCH across clients and databases,
// blocking commands inside EXEC, and an EXEC's writes surviving a kill -9 all or none.
#include <atomic>
#include <thread>

#include "harness.h"

namespace strata::integration {
namespace {

TEST(TransactionTest, QueuesThenRunsInOrder) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("SET a 1"), "+QUEUED");
  EXPECT_EQ(c.Run("INCR a"), "+QUEUED");
  EXPECT_EQ(c.Run("LPUSH a x"), "+QUEUED");
  EXPECT_EQ(c.Run("GET a"), "+QUEUED");
  EXPECT_EQ(c.Run("EXEC"),
            "[+OK, :2, -WRONGTYPE Operation against a key holding the wrong kind of value, $2]");
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("EXEC"), "[]");
  EXPECT_EQ(c.Run("EXEC"), "-ERR EXEC without MULTI");
  EXPECT_EQ(c.Run("DISCARD"), "-ERR DISCARD without MULTI");
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("MULTI"), "-ERR MULTI calls can not be nested");
  EXPECT_EQ(c.Run("WATCH a"), "-ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(c.Run("SET a 9"), "+QUEUED");
  EXPECT_EQ(c.Run("DISCARD"), "+OK");
  EXPECT_EQ(c.Run("GET a"), "$2");
}

TEST(TransactionTest, QueueTimeErrorsAbortTheWholeTransaction) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("SET b 1"), "+QUEUED");
  EXPECT_EQ(c.Run("NOSUCHCMD x"),
            "-ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' ");
  EXPECT_EQ(c.Run("GET"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(c.Run("EXISTS b"), ":0");
  // A refused EXEC aborts too, with the reason.
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("SET b 1"), "+QUEUED");
  EXPECT_EQ(c.Run("EXEC x"),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command");
  EXPECT_EQ(c.Run("EXEC"), "-ERR EXEC without MULTI");
  EXPECT_EQ(c.Run("EXISTS b"), ":0");
}

TEST(TransactionTest, WatchedKeyTouchedByAnotherClientFailsExec) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client a = server.Connect();
  Client b = server.Connect();
  EXPECT_EQ(a.Run("SET balance 100"), "+OK");
  EXPECT_EQ(a.Run("WATCH balance"), "+OK");
  EXPECT_EQ(b.Run("INCRBY balance 5"), ":105");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("SET balance 0"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "(nil)");
  EXPECT_EQ(a.Run("GET balance"), "$105");
  // EXEC unwatched everything: the next transaction runs.
  EXPECT_EQ(b.Run("INCR balance"), ":106");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("SET balance 0"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "[+OK]");
  // Untouched watched keys (and a touch in another database) let EXEC run.
  EXPECT_EQ(a.Run("WATCH balance other"), "+OK");
  EXPECT_EQ(b.Run("SELECT 1"), "+OK");
  EXPECT_EQ(b.Run("SET balance elsewhere"), "+OK");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("GET balance"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "[$0]");
  // UNWATCH forgets a touched key.
  EXPECT_EQ(a.Run("WATCH balance"), "+OK");
  EXPECT_EQ(b.Run("SELECT 0"), "+OK");
  EXPECT_EQ(b.Run("DEL balance"), ":1");
  EXPECT_EQ(a.Run("UNWATCH"), "+OK");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("EXISTS balance"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "[:0]");
}

TEST(TransactionTest, WatchSeesFlushSwapdbAndExpiry) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client a = server.Connect();
  Client b = server.Connect();
  // FLUSHALL touches a watched key that existed...
  EXPECT_EQ(a.Run("SET k v"), "+OK");
  EXPECT_EQ(a.Run("WATCH k"), "+OK");
  EXPECT_EQ(b.Run("FLUSHALL"), "+OK");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("PING"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "(nil)");
  // ...but not one that did not exist on either side.
  EXPECT_EQ(a.Run("WATCH missing"), "+OK");
  EXPECT_EQ(b.Run("FLUSHALL"), "+OK");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("PING"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "[+PONG]");
  // SWAPDB brings a key into the watched database.
  EXPECT_EQ(b.Run("SELECT 1"), "+OK");
  EXPECT_EQ(b.Run("SET s v"), "+OK");
  EXPECT_EQ(a.Run("WATCH s"), "+OK");
  EXPECT_EQ(b.Run("SWAPDB 0 1"), "+OK");
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("GET s"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "(nil)");
  // A key that expires after WATCH counts as changed.
  EXPECT_EQ(a.Run("SET t v PX 100"), "+OK");
  EXPECT_EQ(a.Run("WATCH t"), "+OK");
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(a.Run("MULTI"), "+OK");
  EXPECT_EQ(a.Run("PING"), "+QUEUED");
  EXPECT_EQ(a.Run("EXEC"), "(nil)");
}

TEST(TransactionTest, BlockingCommandsInsideExecDoNotBlock) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("BLPOP nolist 0"), "+QUEUED");
  EXPECT_EQ(c.Run("BLMOVE nolist dst LEFT RIGHT 0"), "+QUEUED");
  EXPECT_EQ(c.Run("RPUSH l a"), "+QUEUED");
  EXPECT_EQ(c.Run("BRPOP l 0"), "+QUEUED");
  EXPECT_EQ(c.Run("EXEC"), "[(nil), (nil), :1, [$l, $a]]");
  EXPECT_EQ(c.Run("INFO clients").find("blocked_clients:0") != std::string::npos, true);
}

TEST(TransactionTest, ExecWakesABlockedClient) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  RawConn waiter = server.Raw();
  Client c = server.Connect();
  ASSERT_TRUE(waiter.Send(EncodeCommand({"BLPOP", "jobs", "0"})));
  ASSERT_TRUE(PollUntil(
      [&] { return c.Run("INFO clients").find("blocked_clients:1") != std::string::npos; }));
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("RPUSH jobs j1"), "+QUEUED");
  EXPECT_EQ(c.Run("RPUSH jobs j2"), "+QUEUED");
  EXPECT_EQ(c.Run("EXEC"), "[:1, :2]");
  EXPECT_EQ(waiter.ReadReply().value_or("(none)"), "*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n");
  EXPECT_EQ(c.Run("LRANGE jobs 0 -1"), "[$j2]");
}

TEST(TransactionTest, ClientListShowsTheTransaction) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run("SET a 1"), "+QUEUED");
  EXPECT_EQ(c.Run("SET b 1"), "+QUEUED");
  Client other = server.Connect();
  std::string list = other.Run("CLIENT LIST");
  EXPECT_NE(list.find("flags=x"), std::string::npos) << list;
  EXPECT_NE(list.find("multi=2"), std::string::npos) << list;
  EXPECT_EQ(c.Run("RESET"), "+RESET");
  EXPECT_EQ(c.Run("EXEC"), "-ERR EXEC without MULTI");
}

// Every EXEC writes the three keys of one transaction and bumps a counter, with appendfsync
// always; the server is killed mid-stream. After the restart, every transaction is there
// whole or not at all, and every acknowledged one is there.
TEST(TransactionTest, ExecIsAtomicAcrossKillNine) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Client c = server.Connect();
    for (int i = 0; !stop.load(); i++) {
      const std::string n = std::to_string(i);
      c.Append({"MULTI"});
      c.Append({"SET", "tx:" + n + ":a", n});
      c.Append({"RPUSH", "tx:" + n + ":b", n, n});
      c.Append({"HSET", "tx:" + n + ":c", "f", n});
      c.Append({"INCR", "done"});
      c.Append({"EXEC"});
      bool ok = true;
      for (int r = 0; r < 6; r++) {
        Reply reply = c.GetReply();
        if (reply == nullptr) {
          ok = false;
          break;
        }
        if (r == 5) ok = reply->type == REDIS_REPLY_ARRAY && reply->elements == 4;
      }
      if (!ok) break;
      acked.store(i + 1);
    }
  });
  ASSERT_TRUE(PollUntil([&] { return acked.load() >= 300; }, 30s));
  server.Kill9();
  stop.store(true);
  writer.join();
  const int acknowledged = acked.load();
  ASSERT_TRUE(server.Restart());
  Client c = server.Connect();
  Reply done = c.Cmd("GET done");
  ASSERT_EQ(done->type, REDIS_REPLY_STRING);
  const int committed = std::stoi(std::string(done->str, done->len));
  EXPECT_GE(committed, acknowledged);
  // Transactions 0..committed-1 whole; the ones after it absent (checked a little past it).
  for (int i = 0; i < committed + 50; i++) {
    const std::string n = std::to_string(i);
    c.Append({"EXISTS", "tx:" + n + ":a", "tx:" + n + ":b", "tx:" + n + ":c"});
  }
  for (int i = 0; i < committed + 50; i++) {
    Reply r = c.GetReply();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->integer, i < committed ? 3 : 0) << "transaction " << i << " of " << committed;
  }
  EXPECT_EQ(c.Run("DBSIZE"), ":" + std::to_string(3 * committed + 1));
}

}  // namespace
}  // namespace strata::integration
