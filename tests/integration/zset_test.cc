// Sorted-set family: ZADD ZINCRBY ZSCORE ZMSCORE ZCARD ZREM, the ZRANGE family, ZCOUNT
// ZLEXCOUNT ZRANK ZREVRANK, pops, ZREMRANGEBY*, ZRANDMEMBER, ZSCAN, the set operations, and
// sorted sets through the keyspace commands (TYPE, DEL, EXPIRE, RENAME, COPY, MOVE, WRONGTYPE,
// restart). Every expectation holds for redis-server 7.0.15 too
// (STRATA_SERVER=/usr/bin/redis-server), except where a test says it is Strata-only.
#include <set>
#include <string>

#include "harness.h"

namespace strata::integration {
namespace {

constexpr char kWrongType[] = "-WRONGTYPE Operation against a key holding the wrong kind of value";

class ZSetTest : public ServerTest {};

TEST_F(ZSetTest, AddScoreCardAndRemove) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b 3 c 1 a"), ":3") << "a repeated member counts once";
  EXPECT_EQ(c_.Run("ZCARD z"), ":3");
  EXPECT_EQ(c_.Run("ZCARD nokey"), ":0");
  EXPECT_EQ(c_.Run("ZSCORE z b"), "$2");
  EXPECT_EQ(c_.Run("ZSCORE z nosuch"), "(nil)");
  EXPECT_EQ(c_.Run("ZSCORE nokey a"), "(nil)");
  EXPECT_EQ(c_.Run("ZMSCORE z a nosuch c"), "[$1, (nil), $3]");
  EXPECT_EQ(c_.Run("ZMSCORE nokey a"), "[(nil)]");
  EXPECT_EQ(c_.Run("ZADD z 0.1 d"), ":1");
  EXPECT_EQ(c_.Run("ZSCORE z d"), "$0.10000000000000001");
  EXPECT_EQ(c_.Run("ZREM z a nosuch a"), ":1");
  EXPECT_EQ(c_.Run("ZREM nokey a"), ":0");
  EXPECT_EQ(c_.Run("ZRANGE z 0 -1"), "[$d, $b, $c]");
  EXPECT_EQ(c_.Run("TYPE z"), "+zset");
}

TEST_F(ZSetTest, AddOptionsAndTheirErrors) {
  EXPECT_EQ(c_.Run("ZADD z 1 a"), ":1");
  EXPECT_EQ(c_.Run("ZADD z NX 5 a 2 b"), ":1");
  EXPECT_EQ(c_.Run("ZSCORE z a"), "$1");
  EXPECT_EQ(c_.Run("ZADD z XX 5 a 3 c"), ":0");
  EXPECT_EQ(c_.Run("ZSCORE z a"), "$5");
  EXPECT_EQ(c_.Run("ZSCORE z c"), "(nil)");
  EXPECT_EQ(c_.Run("ZADD z GT CH 4 a 6 b"), ":1") << "a not lowered, b raised";
  EXPECT_EQ(c_.Run("ZADD z LT CH 4 a 9 b"), ":1");
  EXPECT_EQ(c_.Run("ZADD z CH 4 a 7 new"), ":1");
  EXPECT_EQ(c_.Run("ZADD z INCR 2.5 a"), "$6.5");
  EXPECT_EQ(c_.Run("ZADD z NX INCR 1 a"), "(nil)");
  EXPECT_EQ(c_.Run("ZADD z XX INCR 1 nosuch"), "(nil)");
  EXPECT_EQ(c_.Run("ZADD nokey XX 1 a"), ":0");
  EXPECT_EQ(c_.Run("EXISTS nokey"), ":0");
  EXPECT_EQ(c_.Run("ZINCRBY z -1.5 a"), "$5");
  EXPECT_EQ(c_.Run("ZINCRBY z 1 fresh"), "$1");
  EXPECT_EQ(c_.Run("ZADD z NX XX 1 a"),
            "-ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(c_.Run("ZADD z GT LT 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(c_.Run("ZADD z NX GT 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(c_.Run("ZADD z INCR 1 a 2 b"),
            "-ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(c_.Run("ZADD z 1 a 2"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("ZADD z NX CH"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("ZADD z nan a"), "-ERR value is not a valid float");
  EXPECT_EQ(c_.Run("ZADD z 1e400 a"), "-ERR value is not a valid float");
  EXPECT_EQ(c_.Run("ZINCRBY z abc a"), "-ERR value is not a valid float");
  EXPECT_EQ(c_.Run("ZINCRBY z NX a"), "-ERR syntax error") << "options are parsed as ZADD's";
  EXPECT_EQ(c_.Run("ZADD z"), "-ERR wrong number of arguments for 'zadd' command");
}

TEST_F(ZSetTest, InfinitiesZeroesAndNaN) {
  EXPECT_EQ(c_.Run("ZADD z inf a -inf b +inf c -0 d 0 e"), ":5");
  EXPECT_EQ(c_.Run("ZRANGE z 0 -1 WITHSCORES"), "[$b, $-inf, $d, $0, $e, $0, $a, $inf, $c, $inf]");
  EXPECT_EQ(c_.Run("ZINCRBY z -inf a"), "-ERR resulting score is not a number (NaN)");
  EXPECT_EQ(c_.Run("ZSCORE z a"), "$inf");
  EXPECT_EQ(c_.Run("ZINCRBY z 1 a"), "$inf");
  EXPECT_EQ(c_.Run("ZCOUNT z -inf +inf"), ":5");
  EXPECT_EQ(c_.Run("ZCOUNT z 0 0"), ":2") << "-0 and 0 are one score";
  EXPECT_EQ(c_.Run("ZCOUNT z (-inf (inf"), ":2");
  EXPECT_EQ(c_.Run("ZCOUNT z nan 1"), "-ERR min or max is not a float");
  EXPECT_EQ(c_.Run("ZUNION 1 z WEIGHTS 0 WITHSCORES"), "[$a, $0, $b, $0, $c, $0, $d, $0, $e, $0]")
      << "0 * inf is NaN, counted as 0";
}

TEST_F(ZSetTest, RangesByRankScoreAndLex) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b 3 c 4 d 5 e"), ":5");
  EXPECT_EQ(c_.Run("ZRANGE z 1 -2"), "[$b, $c, $d]");
  EXPECT_EQ(c_.Run("ZRANGE z -100 100"), "[$a, $b, $c, $d, $e]");
  EXPECT_EQ(c_.Run("ZRANGE z 3 1"), "[]");
  EXPECT_EQ(c_.Run("ZREVRANGE z 0 1 WITHSCORES"), "[$e, $5, $d, $4]");
  EXPECT_EQ(c_.Run("ZRANGE z 0 1 REV"), "[$e, $d]");
  EXPECT_EQ(c_.Run("ZRANGEBYSCORE z (1 3"), "[$b, $c]");
  EXPECT_EQ(c_.Run("ZRANGEBYSCORE z -inf +inf LIMIT 1 2"), "[$b, $c]");
  EXPECT_EQ(c_.Run("ZRANGEBYSCORE z -inf +inf LIMIT 1 -1"), "[$b, $c, $d, $e]");
  EXPECT_EQ(c_.Run("ZRANGEBYSCORE z -inf +inf LIMIT -1 2"), "[]");
  EXPECT_EQ(c_.Run("ZREVRANGEBYSCORE z 4 (1 LIMIT 1 2"), "[$c, $b]");
  EXPECT_EQ(c_.Run("ZRANGE z 4 (1 BYSCORE REV WITHSCORES"), "[$d, $4, $c, $3, $b, $2]");
  EXPECT_EQ(c_.Run("ZRANGE z 0 -1 LIMIT 0 1"),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
  EXPECT_EQ(c_.Run("ZRANGE z [a [c BYLEX WITHSCORES"),
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  EXPECT_EQ(c_.Run("ZRANGE z 0 1 BYSCORE BYLEX"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("ZRANGE z a b"), "-ERR value is not an integer or out of range");

  EXPECT_EQ(c_.Run("ZADD l 0 a 0 b 0 c 0 d"), ":4");
  EXPECT_EQ(c_.Run("ZRANGEBYLEX l [b (d"), "[$b, $c]");
  EXPECT_EQ(c_.Run("ZRANGEBYLEX l - + LIMIT 1 2"), "[$b, $c]");
  EXPECT_EQ(c_.Run("ZREVRANGEBYLEX l + (b"), "[$d, $c]");
  EXPECT_EQ(c_.Run("ZRANGE l (d - BYLEX REV"), "[$c, $b, $a]");
  EXPECT_EQ(c_.Run("ZLEXCOUNT l [b +"), ":3");
  EXPECT_EQ(c_.Run("ZLEXCOUNT l b +"), "-ERR min or max not valid string range item");
  EXPECT_EQ(c_.Run("ZRANGE nokey 0 -1"), "[]");
}

TEST_F(ZSetTest, Ranks) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b 2 c 3 d"), ":4");
  EXPECT_EQ(c_.Run("ZRANK z a"), ":0");
  EXPECT_EQ(c_.Run("ZRANK z c"), ":2");
  EXPECT_EQ(c_.Run("ZREVRANK z c"), ":1");
  EXPECT_EQ(c_.Run("ZRANK z nosuch"), "(nil)");
  EXPECT_EQ(c_.Run("ZRANK nokey a"), "(nil)");
}

TEST_F(ZSetTest, PopsAndEmptiedSetsDisappear) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b 3 c 4 d"), ":4");
  EXPECT_EQ(c_.Run("ZPOPMIN z"), "[$a, $1]");
  EXPECT_EQ(c_.Run("ZPOPMAX z 2"), "[$d, $4, $c, $3]");
  EXPECT_EQ(c_.Run("ZPOPMAX z 0"), "[]");
  EXPECT_EQ(c_.Run("ZPOPMIN z -1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(c_.Run("ZPOPMIN z 1 2"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("ZPOPMIN z 10"), "[$b, $2]");
  EXPECT_EQ(c_.Run("EXISTS z"), ":0");
  EXPECT_EQ(c_.Run("ZPOPMIN z"), "[]");

  EXPECT_EQ(c_.Run("ZADD y 1 a 2 b 3 c"), ":3");
  EXPECT_EQ(c_.Run("ZMPOP 2 z y MAX COUNT 2"), "[$y, [[$c, $3], [$b, $2]]]");
  EXPECT_EQ(c_.Run("ZMPOP 2 z y MIN"), "[$y, [[$a, $1]]]");
  EXPECT_EQ(c_.Run("ZMPOP 2 z y MIN"), "(nil)");
  EXPECT_EQ(c_.Run("ZMPOP 0 z MIN"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("ZMPOP 1 z MIN COUNT 0"), "-ERR count should be greater than 0");
  EXPECT_EQ(c_.Run("ZMPOP 1 z SIDEWAYS"), "-ERR syntax error");

  EXPECT_EQ(c_.Run("ZADD r 1 a 2 b 3 c 4 d 5 e"), ":5");
  EXPECT_EQ(c_.Run("ZREMRANGEBYRANK r 0 0"), ":1");
  EXPECT_EQ(c_.Run("ZREMRANGEBYSCORE r (2 3"), ":1");
  EXPECT_EQ(c_.Run("ZREMRANGEBYLEX r [d +"), ":2") << "lex rules on a set of mixed scores";
  EXPECT_EQ(c_.Run("ZRANGE r 0 -1"), "[$b]");
  EXPECT_EQ(c_.Run("ZREMRANGEBYRANK r 0 -1"), ":1");
  EXPECT_EQ(c_.Run("EXISTS r"), ":0");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(ZSetTest, RandomMembers) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b 3 c"), ":3");
  const std::string one = c_.Run("ZRANDMEMBER z");
  EXPECT_TRUE(one == "$a" || one == "$b" || one == "$c") << one;
  EXPECT_EQ(c_.Run("ZRANDMEMBER z 5"), "[$c, $b, $a]") << "all of them, from the highest";
  Reply r = c_.Cmd("ZRANDMEMBER z -7 WITHSCORES");
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(r->elements, 14u);
  r = c_.Cmd("ZRANDMEMBER z 2");
  ASSERT_EQ(r->elements, 2u);
  EXPECT_NE(std::string(r->element[0]->str), std::string(r->element[1]->str));
  EXPECT_EQ(c_.Run("ZRANDMEMBER nokey"), "(nil)");
  EXPECT_EQ(c_.Run("ZRANDMEMBER nokey -3"), "[]");
  EXPECT_EQ(c_.Run("ZRANDMEMBER z 1 SCORES"), "-ERR syntax error");
}

TEST_F(ZSetTest, Scan) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2.5 b 3 c"), ":3");
  EXPECT_EQ(c_.Run("ZSCAN z 0"), "[$0, [$a, $1, $b, $2.5, $c, $3]]");
  EXPECT_EQ(c_.Run("ZSCAN z 0 MATCH b*"), "[$0, [$b, $2.5]]");
  EXPECT_EQ(c_.Run("ZSCAN z x"), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run("ZSCAN nokey 0"), "[$0, []]");
}

TEST_F(ZSetTest, LargeScanVisitsEveryMemberOnce) {
  for (int i = 0; i < 300; i++) {
    c_.Append({"ZADD", "big", std::to_string(i % 7), "m" + std::to_string(i)});
  }
  for (int i = 0; i < 300; i++) ASSERT_EQ(Show(c_.GetReply()), ":1");
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = c_.Cmd({"ZSCAN", "big", cursor, "COUNT", "50"});
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
    cursor = r->element[0]->str;
    for (size_t i = 0; i < r->element[1]->elements; i += 2) {
      seen.insert(r->element[1]->element[i]->str);
    }
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 300u);
}

// On a large set the top few members are found walking backward (zset_select.h); the
// answers must be those of the forward walk, ties between equal scores included.
TEST_F(ZSetTest, TopOfALargeSetMatchesTheForwardOrder) {
  for (int i = 0; i < 3000; i++) {
    c_.Append({"ZADD", "big", std::to_string(i % 1000), "m" + std::to_string(i)});
  }
  for (int i = 0; i < 3000; i++) ASSERT_EQ(Show(c_.GetReply()), ":1");
  // Ties sort by member bytes: "m999" > "m2999" > "m1999".
  EXPECT_EQ(c_.Run("ZREVRANGE big 0 3 WITHSCORES"),
            "[$m999, $999, $m2999, $999, $m1999, $999, $m998, $998]");
  EXPECT_EQ(c_.Run("ZRANGE big -4 -1"), "[$m998, $m1999, $m2999, $m999]");
  EXPECT_EQ(c_.Run("ZREVRANGEBYSCORE big (999 -inf LIMIT 1 3"), "[$m2998, $m1998, $m997]");
  EXPECT_EQ(c_.Run("ZREVRANGEBYSCORE big 0 -inf LIMIT 0 5"), "[$m2000, $m1000, $m0]");
  EXPECT_EQ(c_.Run("ZRANGE big +inf 998 BYSCORE REV LIMIT 2 2"), "[$m1999, $m998]");
  EXPECT_EQ(c_.Run("ZPOPMAX big 2"), "[$m999, $999, $m2999, $999]");
  EXPECT_EQ(c_.Run("ZREVRANK big m1999"), ":0");
  EXPECT_EQ(c_.Run("ZREVRANGE big 0 0"), "[$m1999]");
}

TEST_F(ZSetTest, SetOperations) {
  EXPECT_EQ(c_.Run("ZADD x 1 a 2 b 3 c"), ":3");
  EXPECT_EQ(c_.Run("ZADD y 10 b 20 c 30 d"), ":3");
  EXPECT_EQ(c_.Run("ZUNION 2 x y WITHSCORES"), "[$a, $1, $b, $12, $c, $23, $d, $30]");
  EXPECT_EQ(c_.Run("ZUNION 2 x y WEIGHTS 2 1 AGGREGATE MAX WITHSCORES"),
            "[$a, $2, $b, $10, $c, $20, $d, $30]");
  EXPECT_EQ(c_.Run("ZINTER 2 x y AGGREGATE MIN WITHSCORES"), "[$b, $2, $c, $3]");
  EXPECT_EQ(c_.Run("ZINTERCARD 2 x y"), ":2");
  EXPECT_EQ(c_.Run("ZINTERCARD 2 x y LIMIT 1"), ":1");
  EXPECT_EQ(c_.Run("ZDIFF 2 x y WITHSCORES"), "[$a, $1]");
  EXPECT_EQ(c_.Run("ZUNIONSTORE dst 2 x y"), ":4");
  EXPECT_EQ(c_.Run("ZRANGE dst 0 -1"), "[$a, $b, $c, $d]");
  EXPECT_EQ(c_.Run("ZINTERSTORE dst 2 x nokey"), ":0");
  EXPECT_EQ(c_.Run("EXISTS dst"), ":0") << "an empty result deletes the destination";
  EXPECT_EQ(c_.Run("SET s v"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE s 100"), ":1");
  EXPECT_EQ(c_.Run("ZDIFFSTORE s 1 x"), ":3");
  EXPECT_EQ(c_.Run("TYPE s"), "+zset");
  EXPECT_EQ(c_.Run("TTL s"), ":-1") << "the stored result drops the old TTL";
  EXPECT_EQ(c_.Run("ZRANGESTORE s2 x 1 -1"), ":2");
  EXPECT_EQ(c_.Run("ZRANGE s2 0 -1 WITHSCORES"), "[$b, $2, $c, $3]");
  EXPECT_EQ(c_.Run("ZUNION 0 x"), "-ERR at least 1 input key is needed for 'zunion' command");
  EXPECT_EQ(c_.Run("ZUNION 3 x y"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("ZUNION 2 x y WEIGHTS 1 abc"), "-ERR weight value is not a float");
  EXPECT_EQ(c_.Run("ZINTERCARD 1 x LIMIT -1"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(c_.Run("ZDIFF 1 x WEIGHTS 1"), "-ERR syntax error");
}

TEST_F(ZSetTest, WrongTypeBothWays) {
  EXPECT_EQ(c_.Run("SET s v"), "+OK");
  for (const char* cmd :
       {"ZADD s 1 a", "ZINCRBY s 1 a", "ZSCORE s a", "ZMSCORE s a", "ZCARD s", "ZREM s a",
        "ZRANGE s 0 -1", "ZRANGEBYSCORE s 0 1", "ZRANGEBYLEX s - +", "ZCOUNT s 0 1",
        "ZLEXCOUNT s - +", "ZRANK s a", "ZPOPMIN s", "ZMPOP 1 s MIN", "ZREMRANGEBYRANK s 0 1",
        "ZRANDMEMBER s", "ZSCAN s 0", "ZUNION 1 s", "ZRANGESTORE d s 0 1"}) {
    EXPECT_EQ(c_.Run(cmd), kWrongType) << cmd;
  }
  EXPECT_EQ(c_.Run("ZADD z 1 a"), ":1");
  EXPECT_EQ(c_.Run("GET z"), kWrongType);
  EXPECT_EQ(c_.Run("HGET z a"), kWrongType);
  EXPECT_EQ(c_.Run("SET z v"), "+OK");
  EXPECT_EQ(c_.Run("GET z"), "$v");
}

TEST_F(ZSetTest, KeyspaceCommandsCarryTheWholeSortedSet) {
  EXPECT_EQ(c_.Run("ZADD z 1 a 2 b"), ":2");
  EXPECT_EQ(c_.Run("RENAME z z2"), "+OK");
  EXPECT_EQ(c_.Run("ZRANGE z2 0 -1 WITHSCORES"), "[$a, $1, $b, $2]");
  EXPECT_EQ(c_.Run("EXISTS z"), ":0");
  EXPECT_EQ(c_.Run("COPY z2 z3"), ":1");
  EXPECT_EQ(c_.Run("ZADD z3 3 c"), ":1");
  EXPECT_EQ(c_.Run("ZCARD z2"), ":2") << "the copy is independent";
  EXPECT_EQ(c_.Run("ZRANGEBYSCORE z3 2 +inf"), "[$b, $c]");
  EXPECT_EQ(c_.Run("MOVE z3 1"), ":1");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("ZRANGE z3 0 -1"), "[$a, $b, $c]");
  EXPECT_EQ(c_.Run("ZSCORE z3 c"), "$3");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("DEL z2"), ":1");
  EXPECT_EQ(c_.Run("ZADD z2 5 x"), ":1");
  EXPECT_EQ(c_.Run("ZRANGE z2 0 -1"), "[$x]") << "a new sorted set starts empty";
  EXPECT_EQ(c_.Run("PEXPIRE z2 50"), ":1");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("EXISTS z2") == ":0"; }));
  EXPECT_EQ(c_.Run("ZCARD z2"), ":0");
}

TEST_F(ZSetTest, BinaryMembers) {
  const std::string m("m\0\r\n\xff", 5);
  EXPECT_EQ(c_.Run({"ZADD", "bin", "1", m, "1", ""}), ":2");
  EXPECT_EQ(c_.Run({"ZRANGE", "bin", "0", "-1"}), "[$, $m\\x00\\x0d\\x0a\\xff]");
  EXPECT_EQ(c_.Run({"ZSCORE", "bin", m}), "$1");
  EXPECT_EQ(c_.Run({"ZRANGEBYLEX", "bin", "(", "+"}), "[$m\\x00\\x0d\\x0a\\xff]");
}

TEST_F(ZSetTest, Resp3RepliesUseDoublesAndPairs) {
  RawConn raw = server_.Raw();
  ASSERT_NE(raw.Exchange("HELLO 3\r\n").find("proto"), std::string::npos);
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZADD", "z", "1.5", "a", "inf", "b"})), ":2\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZSCORE", "z", "a"})), ",1.5\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZSCORE", "z", "b"})), ",inf\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZSCORE", "z", "x"})), "_\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZRANGE", "z", "0", "-1", "WITHSCORES"})),
            "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,inf\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZPOPMIN", "z", "1"})), "*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ZPOPMIN", "z"})), "*2\r\n$1\r\nb\r\n,inf\r\n");
}

TEST(ZSetDurabilityTest, SortedSetsSurviveKill9AndRestart) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  Client c = server.Connect();
  for (int i = 0; i < 200; i++) {
    c.Append({"ZADD", "big", std::to_string(200 - i), "m" + std::to_string(i)});
  }
  for (int i = 0; i < 200; i++) ASSERT_EQ(Show(c.GetReply()), ":1");
  EXPECT_EQ(c.Run("ZINCRBY big 1000 m5"), "$1195");
  EXPECT_EQ(c.Run("ZADD gone 1 a"), ":1");
  EXPECT_EQ(c.Run("DEL gone"), ":1");
  EXPECT_EQ(c.Run("ZADD gone 2 b"), ":1");
  server.Kill9();
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("ZCARD big"), ":200");
  EXPECT_EQ(c.Run("ZRANGE big 0 1"), "[$m199, $m198]");
  EXPECT_EQ(c.Run("ZREVRANGE big 0 0 WITHSCORES"), "[$m5, $1195]");
  EXPECT_EQ(c.Run("ZRANK big m0"), ":198");
  EXPECT_EQ(c.Run("ZRANGE gone 0 -1 WITHSCORES"), "[$b, $2]");
  EXPECT_EQ(c.Run("COMPACT"), "+OK");
  EXPECT_EQ(c.Run("ZRANGE gone 0 -1 WITHSCORES"), "[$b, $2]");
  EXPECT_EQ(c.Run("DBSIZE"), ":2");
}

}  // namespace
}  // namespace strata::integration
