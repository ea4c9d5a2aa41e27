// Hash family: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HLEN HDEL HEXISTS HSTRLEN
// HINCRBY HINCRBYFLOAT, and hashes through the keyspace commands (TYPE, DEL, EXPIRE, RENAME,
// COPY, MOVE, SET over a hash, WRONGTYPE). Every expectation holds for redis-server 7.0.15
// too (STRATA_SERVER=/usr/bin/redis-server), except where a test says it is Strata-only.
#include <string>

#include "harness.h"

namespace strata::integration {
namespace {

constexpr char kWrongType[] = "-WRONGTYPE Operation against a key holding the wrong kind of value";

class HashTest : public ServerTest {};

TEST_F(HashTest, SetGetAndCount) {
  EXPECT_EQ(c_.Run("HSET h a 1 b 2 a 3"), ":2") << "a repeated field counts once";
  EXPECT_EQ(c_.Run("HGET h a"), "$3");
  EXPECT_EQ(c_.Run("HGET h nosuch"), "(nil)");
  EXPECT_EQ(c_.Run("HGET nokey a"), "(nil)");
  EXPECT_EQ(c_.Run("HLEN h"), ":2");
  EXPECT_EQ(c_.Run("HLEN nokey"), ":0");
  EXPECT_EQ(c_.Run("HSET h b 22 c 3"), ":1");
  EXPECT_EQ(c_.Run("HMGET h a nosuch c"), "[$3, (nil), $3]");
  EXPECT_EQ(c_.Run("HMGET nokey a"), "[(nil)]");
  EXPECT_EQ(c_.Run("HGETALL h"), "[$a, $3, $b, $22, $c, $3]");
  EXPECT_EQ(c_.Run("HKEYS h"), "[$a, $b, $c]");
  EXPECT_EQ(c_.Run("HVALS h"), "[$3, $22, $3]");
  EXPECT_EQ(c_.Run("HGETALL nokey"), "[]");
  EXPECT_EQ(c_.Run("HEXISTS h b"), ":1");
  EXPECT_EQ(c_.Run("HEXISTS h z"), ":0");
  EXPECT_EQ(c_.Run("HSTRLEN h b"), ":2");
  EXPECT_EQ(c_.Run("HSTRLEN h z"), ":0");
  EXPECT_EQ(c_.Run("HMSET h d 4"), "+OK");
  EXPECT_EQ(c_.Run("HSETNX h d 5"), ":0");
  EXPECT_EQ(c_.Run("HSETNX h e 5"), ":1");
  EXPECT_EQ(c_.Run("HLEN h"), ":5");
  EXPECT_EQ(c_.Run("TYPE h"), "+hash");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
}

TEST_F(HashTest, BinaryFieldsAndValues) {
  const std::string field("f\0\r\n\xff", 5), value("v\0x", 3);
  EXPECT_EQ(c_.Run({"HSET", "bin", field, value, "", ""}), ":2");
  EXPECT_EQ(Show(c_.Cmd({"HGET", "bin", field})), "$v\\x00x");
  EXPECT_EQ(c_.Run({"HGET", "bin", ""}), "$");
  EXPECT_EQ(c_.Run("HLEN bin"), ":2");
}

TEST_F(HashTest, DeletingTheLastFieldDeletesTheKey) {
  EXPECT_EQ(c_.Run("HSET h a 1 b 2"), ":2");
  EXPECT_EQ(c_.Run("HDEL h a nosuch a"), ":1");
  EXPECT_EQ(c_.Run("HDEL nokey a"), ":0");
  EXPECT_EQ(c_.Run("EXISTS h"), ":1");
  EXPECT_EQ(c_.Run("HDEL h b"), ":1");
  EXPECT_EQ(c_.Run("EXISTS h"), ":0");
  EXPECT_EQ(c_.Run("TYPE h"), "+none");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(HashTest, Increments) {
  EXPECT_EQ(c_.Run("HINCRBY h n 5"), ":5");
  EXPECT_EQ(c_.Run("HINCRBY h n -7"), ":-2");
  EXPECT_EQ(c_.Run("HINCRBY h n x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c_.Run("HSET h s abc"), ":1");
  EXPECT_EQ(c_.Run("HINCRBY h s 1"), "-ERR hash value is not an integer");
  EXPECT_EQ(c_.Run("HSET h big 9223372036854775807"), ":1");
  EXPECT_EQ(c_.Run("HINCRBY h big 1"), "-ERR increment or decrement would overflow");
  EXPECT_EQ(c_.Run("HINCRBYFLOAT h f 10.5"), "$10.5");
  EXPECT_EQ(c_.Run("HINCRBYFLOAT h f -0.5"), "$10");
  EXPECT_EQ(c_.Run("HINCRBYFLOAT h f abc"), "-ERR value is not a valid float");
  EXPECT_EQ(c_.Run("HINCRBYFLOAT h s 1"), "-ERR hash value is not a float");
  EXPECT_EQ(c_.Run("HINCRBYFLOAT h n 1.5"), "$-0.5");
}

TEST_F(HashTest, WrongTypeBothWays) {
  EXPECT_EQ(c_.Run("SET s v"), "+OK");
  EXPECT_EQ(c_.Run("HSET s a 1"), kWrongType);
  EXPECT_EQ(c_.Run("HGET s a"), kWrongType);
  EXPECT_EQ(c_.Run("HGETALL s"), kWrongType);
  EXPECT_EQ(c_.Run("HLEN s"), kWrongType);
  EXPECT_EQ(c_.Run("HSET h a 1"), ":1");
  EXPECT_EQ(c_.Run("GET h"), kWrongType);
  EXPECT_EQ(c_.Run("INCR h"), kWrongType);
  EXPECT_EQ(c_.Run("APPEND h x"), kWrongType);
  EXPECT_EQ(c_.Run("STRLEN h"), kWrongType);
  EXPECT_EQ(c_.Run("GETSET h x"), kWrongType);
  EXPECT_EQ(c_.Run("MGET h s"), "[(nil), $v]");
  // SET replaces a hash whatever its size; the old fields are gone.
  EXPECT_EQ(c_.Run("SET h plain"), "+OK");
  EXPECT_EQ(c_.Run("GET h"), "$plain");
  EXPECT_EQ(c_.Run("DEL h"), ":1");
  EXPECT_EQ(c_.Run("HSET h b 2"), ":1");
  EXPECT_EQ(c_.Run("HGETALL h"), "[$b, $2]") << "a new hash never sees the old one's fields";
}

TEST_F(HashTest, ArityErrors) {
  EXPECT_EQ(c_.Run("HSET h a"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(c_.Run("HSET h a 1 b"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(c_.Run("HMSET h a 1 b"), "-ERR wrong number of arguments for 'hmset' command");
  EXPECT_EQ(c_.Run("HGET h"), "-ERR wrong number of arguments for 'hget' command");
  EXPECT_EQ(c_.Run("HDEL h"), "-ERR wrong number of arguments for 'hdel' command");
}

TEST_F(HashTest, KeyspaceCommandsCarryTheWholeHash) {
  EXPECT_EQ(c_.Run("HSET h a 1 b 2"), ":2");
  EXPECT_EQ(c_.Run("RENAME h h2"), "+OK");
  EXPECT_EQ(c_.Run("HGETALL h2"), "[$a, $1, $b, $2]");
  EXPECT_EQ(c_.Run("EXISTS h"), ":0");
  EXPECT_EQ(c_.Run("COPY h2 h3"), ":1");
  EXPECT_EQ(c_.Run("HSET h3 c 3"), ":1");
  EXPECT_EQ(c_.Run("HLEN h2"), ":2") << "the copy is independent";
  EXPECT_EQ(c_.Run("HLEN h3"), ":3");
  EXPECT_EQ(c_.Run("MOVE h3 1"), ":1");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("HGETALL h3"), "[$a, $1, $b, $2, $c, $3]");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  // RENAME over an existing hash replaces it.
  EXPECT_EQ(c_.Run("HSET other z 26"), ":1");
  EXPECT_EQ(c_.Run("RENAME h2 other"), "+OK");
  EXPECT_EQ(c_.Run("HGETALL other"), "[$a, $1, $b, $2]");
  EXPECT_EQ(c_.Run("SCAN 0 TYPE hash"), "[$0, [$other]]");
}

TEST_F(HashTest, ExpiryRemovesTheWholeHash) {
  EXPECT_EQ(c_.Run("HSET h a 1"), ":1");
  EXPECT_EQ(c_.Run("PEXPIRE h 50"), ":1");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("EXISTS h") == ":0"; }));
  EXPECT_EQ(c_.Run("HGET h a"), "(nil)");
  EXPECT_EQ(c_.Run("HSET h b 2"), ":1");
  EXPECT_EQ(c_.Run("HGETALL h"), "[$b, $2]");
  EXPECT_EQ(c_.Run("TTL h"), ":-1");
}

TEST_F(HashTest, Resp3GetAllIsAMap) {
  RawConn raw = server_.Raw();
  ASSERT_NE(raw.Exchange("HELLO 3\r\n").find("proto"), std::string::npos);
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HSET", "h", "a", "1"})), ":1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HGETALL", "h"})), "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HGETALL", "none"})), "%0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HGET", "h", "x"})), "_\r\n");
}

TEST(HashDurabilityTest, HashesSurviveKill9AndDeletedOnesStayDeleted) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  Client c = server.Connect();
  for (int i = 0; i < 200; i++) {
    c.Append({"HSET", "big", "f" + std::to_string(i), std::to_string(i)});
  }
  for (int i = 0; i < 200; i++) ASSERT_EQ(Show(c.GetReply()), ":1");
  EXPECT_EQ(c.Run("HSET gone a 1"), ":1");
  EXPECT_EQ(c.Run("DEL gone"), ":1");
  EXPECT_EQ(c.Run("HSET gone b 2"), ":1");
  server.Kill9();
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("HLEN big"), ":200");
  EXPECT_EQ(c.Run("HGET big f199"), "$199");
  EXPECT_EQ(c.Run("HGETALL gone"), "[$b, $2]");
  // After compaction the dead generation's fields are gone from disk as well as from view.
  EXPECT_EQ(c.Run("COMPACT"), "+OK");
  EXPECT_EQ(c.Run("HGETALL gone"), "[$b, $2]");
  EXPECT_EQ(c.Run("DBSIZE"), ":2");
}

}  // namespace
}  // namespace strata::integration
