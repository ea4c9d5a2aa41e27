// Set family: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, HRANDFIELD and HSCAN, and
// sets through the keyspace commands (TYPE, DEL, EXPIRE, RENAME, COPY, MOVE, WRONGTYPE).
// Every expectation holds for redis-server 7.0.15 too (STRATA_SERVER=/usr/bin/redis-server):
// replies whose order Redis leaves unspecified are compared sorted.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

constexpr char kWrongType[] = "-WRONGTYPE Operation against a key holding the wrong kind of value";

// The string items of an array reply.
std::vector<std::string> Items(const Reply& r) {
  std::vector<std::string> out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; i++) {
    out.emplace_back(r->element[i]->str, r->element[i]->len);
  }
  return out;
}

// An array reply as a sorted, comma-separated list: "a,b,c".
std::string Sorted(const Reply& r) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return Show(r);
  std::vector<std::string> items = Items(r);
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Every member (or field/value pair, flattened) an SSCAN/HSCAN iteration returns, from
// cursor 0 until the cursor is 0 again.
std::vector<std::string> ScanAll(Client& c, const std::string& cmd, const std::string& key,
                                 const std::vector<std::string>& opts = {}) {
  std::vector<std::string> out;
  std::string cursor = "0";
  for (int calls = 0; calls < 100000; calls++) {
    std::vector<std::string> argv = {cmd, key, cursor};
    argv.insert(argv.end(), opts.begin(), opts.end());
    Reply r = c.Cmd(argv);
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
      ADD_FAILURE() << Show(r);
      return out;
    }
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (size_t i = 0; i < r->element[1]->elements; i++) {
      out.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
    }
    if (cursor == "0") break;
  }
  return out;
}

class SetTest : public ServerTest {};

TEST_F(SetTest, AddRemoveAndMembership) {
  EXPECT_EQ(c_.Run("SADD s a b a c"), ":3") << "a repeated member counts once";
  EXPECT_EQ(c_.Run("SADD s c d"), ":1");
  EXPECT_EQ(c_.Run("SCARD s"), ":4");
  EXPECT_EQ(c_.Run("SCARD nokey"), ":0");
  EXPECT_EQ(c_.Run("SISMEMBER s a"), ":1");
  EXPECT_EQ(c_.Run("SISMEMBER s z"), ":0");
  EXPECT_EQ(c_.Run("SISMEMBER nokey a"), ":0");
  EXPECT_EQ(c_.Run("SMISMEMBER s a z d"), "[:1, :0, :1]");
  EXPECT_EQ(c_.Run("SMISMEMBER nokey a b"), "[:0, :0]");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS s")), "a,b,c,d");
  EXPECT_EQ(c_.Run("SMEMBERS nokey"), "[]");
  EXPECT_EQ(c_.Run("SREM s a z a"), ":1");
  EXPECT_EQ(c_.Run("SREM nokey a"), ":0");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS s")), "b,c,d");
  EXPECT_EQ(c_.Run("TYPE s"), "+set");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
}

TEST_F(SetTest, BinaryAndEmptyMembers) {
  const std::string m("m\0\r\n\xff", 5);
  EXPECT_EQ(c_.Run({"SADD", "bin", m, "", "x"}), ":3");
  EXPECT_EQ(c_.Run({"SISMEMBER", "bin", m}), ":1");
  EXPECT_EQ(c_.Run({"SISMEMBER", "bin", ""}), ":1");
  EXPECT_EQ(c_.Run({"SISMEMBER", "bin", std::string("m\0", 2)}), ":0");
  EXPECT_EQ(c_.Run({"SREM", "bin", ""}), ":1");
  EXPECT_EQ(c_.Run("SCARD bin"), ":2");
}

TEST_F(SetTest, AnEmptiedSetDisappears) {
  EXPECT_EQ(c_.Run("SADD s a b"), ":2");
  EXPECT_EQ(c_.Run("SREM s a b"), ":2");
  EXPECT_EQ(c_.Run("EXISTS s"), ":0");
  EXPECT_EQ(c_.Run("SADD s a"), ":1");
  EXPECT_EQ(c_.Run("SPOP s"), "$a");
  EXPECT_EQ(c_.Run("EXISTS s"), ":0");
  EXPECT_EQ(c_.Run("SADD s a b"), ":2");
  EXPECT_EQ(Sorted(c_.Cmd("SPOP s 5")), "a,b");
  EXPECT_EQ(c_.Run("EXISTS s"), ":0");
  EXPECT_EQ(c_.Run("SADD s a"), ":1");
  EXPECT_EQ(c_.Run("SMOVE s t a"), ":1");
  EXPECT_EQ(c_.Run("EXISTS s"), ":0");
  EXPECT_EQ(c_.Run("SMEMBERS t"), "[$a]");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
  // A new set under the name never sees the old one's members.
  EXPECT_EQ(c_.Run("SADD t b"), ":1");
  EXPECT_EQ(c_.Run("DEL t"), ":1");
  EXPECT_EQ(c_.Run("SADD t c"), ":1");
  EXPECT_EQ(c_.Run("SMEMBERS t"), "[$c]");
}

TEST_F(SetTest, WrongType) {
  EXPECT_EQ(c_.Run("SET str v"), "+OK");
  EXPECT_EQ(c_.Run("HSET h f v"), ":1");
  EXPECT_EQ(c_.Run("SADD s a"), ":1");
  for (const char* cmd : {"SADD str a",
                          "SREM str a",
                          "SMEMBERS str",
                          "SISMEMBER str a",
                          "SMISMEMBER str a",
                          "SCARD str",
                          "SPOP str",
                          "SPOP str 2",
                          "SRANDMEMBER str",
                          "SRANDMEMBER str 0",
                          "SSCAN str 0",
                          "SINTER s str",
                          "SINTER nokey str",
                          "SUNION s h",
                          "SDIFF str s",
                          "SDIFF nokey str",
                          "SINTERCARD 2 s str",
                          "SINTERSTORE d s str",
                          "SUNIONSTORE d h",
                          "SDIFFSTORE d s str",
                          "SMOVE str s a",
                          "SMOVE s str a",
                          "HRANDFIELD s",
                          "HRANDFIELD s 2",
                          "HSCAN s 0",
                          "GET s",
                          "HGET s a"}) {
    EXPECT_EQ(c_.Run(cmd), kWrongType) << cmd;
  }
  // A missing source is 0 before the destination's type is looked at.
  EXPECT_EQ(c_.Run("SMOVE nokey str a"), ":0");
  // SSCAN of a missing key replies before it reads the options.
  EXPECT_EQ(c_.Run("SSCAN nokey 0 TYPE x"), "[$0, []]");
  EXPECT_EQ(c_.Run("DBSIZE"), ":3");
}

TEST_F(SetTest, Algebra) {
  EXPECT_EQ(c_.Run("SADD a 1 2 3 4 x"), ":5");
  EXPECT_EQ(c_.Run("SADD b 3 4 5 x"), ":4");
  EXPECT_EQ(c_.Run("SADD c 4 x y"), ":3");
  EXPECT_EQ(Sorted(c_.Cmd("SINTER a b c")), "4,x");
  EXPECT_EQ(Sorted(c_.Cmd("SINTER a a")), "1,2,3,4,x");
  EXPECT_EQ(c_.Run("SINTER a nokey"), "[]");
  EXPECT_EQ(Sorted(c_.Cmd("SUNION a b nokey c")), "1,2,3,4,5,x,y");
  EXPECT_EQ(Sorted(c_.Cmd("SDIFF a b")), "1,2");
  EXPECT_EQ(Sorted(c_.Cmd("SDIFF a nokey c")), "1,2,3");
  EXPECT_EQ(c_.Run("SDIFF a a"), "[]");
  EXPECT_EQ(c_.Run("SDIFF nokey a"), "[]");
  EXPECT_EQ(c_.Run("SINTERCARD 3 a b c"), ":2");
  EXPECT_EQ(c_.Run("SINTERCARD 2 a b LIMIT 2"), ":2");
  EXPECT_EQ(c_.Run("SINTERCARD 2 a b limit 0"), ":3");
  EXPECT_EQ(c_.Run("SINTERCARD 2 a nokey"), ":0");
  // The *STORE commands replace the destination, whatever it held, without its TTL.
  EXPECT_EQ(c_.Run("SET dst v EX 1000"), "+OK");
  EXPECT_EQ(c_.Run("SINTERSTORE dst a b"), ":3");
  EXPECT_EQ(c_.Run("TYPE dst"), "+set");
  EXPECT_EQ(c_.Run("TTL dst"), ":-1");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS dst")), "3,4,x");
  EXPECT_EQ(c_.Run("SUNIONSTORE dst dst c"), ":4") << "the destination may be a source";
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS dst")), "3,4,x,y");
  EXPECT_EQ(c_.Run("SDIFFSTORE dst a b"), ":2");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS dst")), "1,2");
  // An empty result deletes the destination.
  EXPECT_EQ(c_.Run("SINTERSTORE dst a nokey"), ":0");
  EXPECT_EQ(c_.Run("EXISTS dst"), ":0");
  EXPECT_EQ(c_.Run("SET dst v"), "+OK");
  EXPECT_EQ(c_.Run("SDIFFSTORE dst a a"), ":0");
  EXPECT_EQ(c_.Run("EXISTS dst"), ":0");
  EXPECT_EQ(c_.Run("SUNIONSTORE dst nokey"), ":0");
  EXPECT_EQ(c_.Run("DBSIZE"), ":3");
}

TEST_F(SetTest, MoveBetweenSets) {
  EXPECT_EQ(c_.Run("SADD src a b"), ":2");
  EXPECT_EQ(c_.Run("SADD dst b"), ":1");
  EXPECT_EQ(c_.Run("SMOVE src dst z"), ":0");
  EXPECT_EQ(c_.Run("SMOVE src dst b"), ":1") << "already in the destination";
  EXPECT_EQ(c_.Run("SMEMBERS src"), "[$a]");
  EXPECT_EQ(c_.Run("SMEMBERS dst"), "[$b]");
  EXPECT_EQ(c_.Run("SMOVE src src a"), ":1");
  EXPECT_EQ(c_.Run("SMOVE src src z"), ":0");
  EXPECT_EQ(c_.Run("SMOVE src new a"), ":1");
  EXPECT_EQ(c_.Run("SMEMBERS new"), "[$a]");
  EXPECT_EQ(c_.Run("EXISTS src"), ":0");
}

TEST_F(SetTest, PopAndRandomMembers) {
  EXPECT_EQ(c_.Run("SADD s a b c d e"), ":5");
  const std::set<std::string> all = {"a", "b", "c", "d", "e"};
  Reply one = c_.Cmd("SRANDMEMBER s");
  ASSERT_EQ(one->type, REDIS_REPLY_STRING);
  EXPECT_TRUE(all.count(one->str));
  std::vector<std::string> three = Items(c_.Cmd("SRANDMEMBER s 3"));
  EXPECT_EQ(three.size(), 3u);
  EXPECT_EQ(std::set<std::string>(three.begin(), three.end()).size(), 3u) << "distinct";
  EXPECT_EQ(Sorted(c_.Cmd("SRANDMEMBER s 10")), "a,b,c,d,e");
  std::vector<std::string> repeats = Items(c_.Cmd("SRANDMEMBER s -20"));
  EXPECT_EQ(repeats.size(), 20u);
  for (const auto& m : repeats) EXPECT_TRUE(all.count(m)) << m;
  EXPECT_EQ(c_.Run("SRANDMEMBER s 0"), "[]");
  EXPECT_EQ(c_.Run("SRANDMEMBER nokey"), "(nil)");
  EXPECT_EQ(c_.Run("SRANDMEMBER nokey 3"), "[]");
  EXPECT_EQ(c_.Run("SCARD s"), ":5") << "SRANDMEMBER does not remove";

  std::vector<std::string> popped = Items(c_.Cmd("SPOP s 2"));
  ASSERT_EQ(popped.size(), 2u);
  EXPECT_EQ(c_.Run("SCARD s"), ":3");
  for (const auto& m : popped) EXPECT_EQ(c_.Run({"SISMEMBER", "s", m}), ":0") << m;
  EXPECT_EQ(c_.Run("SPOP s 0"), "[]");
  EXPECT_EQ(c_.Run("SPOP nokey"), "(nil)");
  EXPECT_EQ(c_.Run("SPOP nokey 2"), "[]");
  Reply last = c_.Cmd("SPOP s");
  ASSERT_EQ(last->type, REDIS_REPLY_STRING);
  EXPECT_EQ(c_.Run("SCARD s"), ":2");
}

TEST_F(SetTest, ArgumentErrors) {
  EXPECT_EQ(c_.Run("SADD s a"), ":1");
  EXPECT_EQ(c_.Run("SPOP s -1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(c_.Run("SPOP s abc"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(c_.Run("SPOP s 1 2"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SRANDMEMBER s abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c_.Run("SRANDMEMBER s -9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(c_.Run("SRANDMEMBER s 1 2"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SINTERCARD 0 s"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("SINTERCARD x s"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("SINTERCARD 2 s"), "-ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(c_.Run("SINTERCARD 1 s LIMIT -1"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(c_.Run("SINTERCARD 1 s LIMIT"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SINTERCARD 1 s FOO 1"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SSCAN s abc"), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run("SSCAN s 0 COUNT 0"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SSCAN s 0 COUNT x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c_.Run("SSCAN s 0 TYPE set"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SSCAN s 0 MATCH"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("SADD s"), "-ERR wrong number of arguments for 'sadd' command");
  EXPECT_EQ(c_.Run("SMOVE a b"), "-ERR wrong number of arguments for 'smove' command");
  EXPECT_EQ(c_.Run("SINTERSTORE d"), "-ERR wrong number of arguments for 'sinterstore' command");
}

TEST_F(SetTest, LargeSetsScanAndPickEveryMember) {
  constexpr int kN = 3000;
  for (int i = 0; i < kN; i++) c_.Append({"SADD", "big", "member:" + std::to_string(i * 13)});
  for (int i = 0; i < kN; i++) ASSERT_EQ(Show(c_.GetReply()), ":1");
  EXPECT_EQ(c_.Run("SCARD big"), ":3000");
  std::vector<std::string> scanned = ScanAll(c_, "SSCAN", "big", {"COUNT", "100"});
  std::set<std::string> distinct(scanned.begin(), scanned.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kN));
  std::vector<std::string> matched = ScanAll(c_, "SSCAN", "big", {"MATCH", "member:1?"});
  EXPECT_EQ(std::set<std::string>(matched.begin(), matched.end()),
            (std::set<std::string>{"member:13"}));
  std::vector<std::string> sample = Items(c_.Cmd("SRANDMEMBER big 50"));
  EXPECT_EQ(std::set<std::string>(sample.begin(), sample.end()).size(), 50u);
  for (const auto& m : sample) EXPECT_TRUE(distinct.count(m)) << m;
  std::set<std::string> popped;
  for (int i = 0; i < 100; i++) {
    Reply r = c_.Cmd("SPOP big");
    ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    popped.emplace(r->str, r->len);
  }
  EXPECT_EQ(popped.size(), 100u);
  EXPECT_EQ(c_.Run("SCARD big"), ":2900");
  std::vector<std::string> many = Items(c_.Cmd("SPOP big 2000"));
  EXPECT_EQ(std::set<std::string>(many.begin(), many.end()).size(), 2000u);
  EXPECT_EQ(c_.Run("SCARD big"), ":900");
}

TEST_F(SetTest, KeyspaceCommandsCarryTheWholeSet) {
  EXPECT_EQ(c_.Run("SADD s a b"), ":2");
  EXPECT_EQ(c_.Run("RENAME s s2"), "+OK");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS s2")), "a,b");
  EXPECT_EQ(c_.Run("EXISTS s"), ":0");
  EXPECT_EQ(c_.Run("COPY s2 s3"), ":1");
  EXPECT_EQ(c_.Run("SADD s3 c"), ":1");
  EXPECT_EQ(c_.Run("SCARD s2"), ":2") << "the copy is independent";
  EXPECT_EQ(c_.Run("MOVE s3 1"), ":1");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(Sorted(c_.Cmd("SMEMBERS s3")), "a,b,c");
  EXPECT_EQ(c_.Run("TYPE s3"), "+set");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("SCAN 0 TYPE set"), "[$0, [$s2]]");
  EXPECT_EQ(c_.Run("PEXPIRE s2 50"), ":1");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("EXISTS s2") == ":0"; }));
  EXPECT_EQ(c_.Run("SISMEMBER s2 a"), ":0");
  EXPECT_EQ(c_.Run("SADD s2 z"), ":1");
  EXPECT_EQ(c_.Run("SMEMBERS s2"), "[$z]");
  EXPECT_EQ(c_.Run("TTL s2"), ":-1");
  EXPECT_EQ(c_.Run("DEL s2"), ":1");
  EXPECT_EQ(c_.Run("TYPE s2"), "+none");
}

TEST_F(SetTest, HashRandomFieldsAndScan) {
  EXPECT_EQ(c_.Run("HSET h a 1 b 2 c 3"), ":3");
  Reply one = c_.Cmd("HRANDFIELD h");
  ASSERT_EQ(one->type, REDIS_REPLY_STRING);
  EXPECT_EQ(Sorted(c_.Cmd("HRANDFIELD h 5")), "a,b,c");
  std::vector<std::string> pairs = Items(c_.Cmd("HRANDFIELD h -6 WITHVALUES"));
  ASSERT_EQ(pairs.size(), 12u);
  for (size_t i = 0; i < pairs.size(); i += 2) {
    EXPECT_EQ(c_.Run({"HGET", "h", pairs[i]}), "$" + pairs[i + 1]);
  }
  EXPECT_EQ(c_.Run("HRANDFIELD h 0"), "[]");
  EXPECT_EQ(c_.Run("HRANDFIELD nokey"), "(nil)");
  EXPECT_EQ(c_.Run("HRANDFIELD nokey 2 WITHVALUES"), "[]");
  EXPECT_EQ(c_.Run("HRANDFIELD h 1 FOO"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("HRANDFIELD h 5000000000000000000 WITHVALUES"), "-ERR value is out of range");
  EXPECT_EQ(c_.Run("HRANDFIELD h x"), "-ERR value is not an integer or out of range");
  std::vector<std::string> scanned = ScanAll(c_, "HSCAN", "h");
  std::vector<std::pair<std::string, std::string>> got;
  for (size_t i = 0; i + 1 < scanned.size(); i += 2) got.emplace_back(scanned[i], scanned[i + 1]);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got,
            (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(c_.Run("HSCAN h 0 MATCH b"), "[$0, [$b, $2]]");
  EXPECT_EQ(c_.Run("HSCAN nokey 0"), "[$0, []]");
  for (int i = 0; i < 500; i++) c_.Append({"HSET", "bigh", "f" + std::to_string(i), "v"});
  for (int i = 0; i < 500; i++) ASSERT_EQ(Show(c_.GetReply()), ":1");
  std::vector<std::string> big = ScanAll(c_, "HSCAN", "bigh", {"COUNT", "7"});
  std::set<std::string> fields;
  for (size_t i = 0; i < big.size(); i += 2) fields.insert(big[i]);
  EXPECT_EQ(fields.size(), 500u);
}

TEST_F(SetTest, Resp3Shapes) {
  RawConn raw = server_.Raw();
  ASSERT_NE(raw.Exchange("HELLO 3\r\n").find("proto"), std::string::npos);
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SADD", "s", "a"})), ":1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SMEMBERS", "s"})), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SMEMBERS", "nokey"})), "~0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SINTER", "s", "nokey"})), "~0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SRANDMEMBER", "s", "1"})), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SPOP", "nokey"})), "_\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SPOP", "nokey", "1"})), "~0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HSET", "h", "f", "v"})), ":1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HRANDFIELD", "h", "1", "WITHVALUES"})),
            "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"HRANDFIELD", "nokey"})), "_\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SPOP", "s", "1"})), "~1\r\n$1\r\na\r\n");
}

// SRANDMEMBER with a huge negative count (2^63 - 1 picks) stops at the client's output
// limit and the client is closed, as Redis does at its CLIENT_CLOSE_ASAP; the server lives on.
// Strata-only: Redis's default normal-client limit is unlimited.
TEST_F(SetTest, HugeRepeatedPicksStopAtTheOutputLimit) {
  STRATA_ONLY();
  EXPECT_EQ(c_.Run("SADD s a b c"), ":3");
  EXPECT_EQ(c_.Run("HSET h f v"), ":1");
  EXPECT_EQ(c_.Run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"}), "+OK");
  for (const char* cmd :
       {"SRANDMEMBER s -9223372036854775807", "HRANDFIELD h -4611686018427387903 WITHVALUES"}) {
    Client victim = server_.Connect();
    Reply r = victim.Cmd(cmd);
    EXPECT_TRUE(r == nullptr || r->type == REDIS_REPLY_ERROR) << cmd << ": " << Show(r);
    EXPECT_EQ(c_.Run("SCARD s"), ":3") << cmd;
  }
}

TEST(SetDurabilityTest, SetsSurviveKill9AndDeletedOnesStayDeleted) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  Client c = server.Connect();
  for (int i = 0; i < 300; i++) c.Append({"SADD", "big", "m" + std::to_string(i)});
  for (int i = 0; i < 300; i++) ASSERT_EQ(Show(c.GetReply()), ":1");
  EXPECT_EQ(c.Run("SADD gone a b"), ":2");
  EXPECT_EQ(c.Run("SPOP gone 2").size() > 0, true);
  EXPECT_EQ(c.Run("SADD gone c"), ":1");
  EXPECT_EQ(c.Run("SADD x 1 2 3"), ":3");
  EXPECT_EQ(c.Run("SUNIONSTORE u x gone"), ":4");
  server.Kill9();
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("SCARD big"), ":300");
  EXPECT_EQ(c.Run("SISMEMBER big m299"), ":1");
  EXPECT_EQ(c.Run("SMEMBERS gone"), "[$c]");
  EXPECT_EQ(Sorted(c.Cmd("SMEMBERS u")), "1,2,3,c");
  EXPECT_EQ(c.Run("COMPACT"), "+OK");
  EXPECT_EQ(c.Run("SMEMBERS gone"), "[$c]");
  EXPECT_EQ(c.Run("DBSIZE"), ":4");
}

}  // namespace
}  // namespace strata::integration
