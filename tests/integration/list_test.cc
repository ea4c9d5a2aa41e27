// List family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM LINSERT LREM
// LPOS LMOVE RPOPLPUSH LMPOP, lists through the keyspace commands, and the blocking commands
// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP with CLIENT UNBLOCK / CLIENT KILL / disconnects.
// Every expectation holds for redis-server 7.0.15 too (STRATA_SERVER=/usr/bin/redis-server).
// Waits are polls with deadlines; the only timing assertions are generous bounds.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

constexpr char kWrongType[] = "-WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr char kNotInt[] = "-ERR value is not an integer or out of range";
constexpr char kSyntax[] = "-ERR syntax error";

class ListTest : public ServerTest {
 protected:
  // "[$a, $b]" for the elements of a model list.
  static std::string ShowList(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", $" : "$") + v[i];
    return s + "]";
  }
};

// --- Basic replies ---------------------------------------------------------------------------

TEST_F(ListTest, PushPopAndRead) {
  EXPECT_EQ(c_.Run("LPUSH l a b c"), ":3");
  EXPECT_EQ(c_.Run("RPUSH l d e"), ":5");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$c, $b, $a, $d, $e]");
  EXPECT_EQ(c_.Run("LPUSHX nokey a"), ":0");
  EXPECT_EQ(c_.Run("RPUSHX nokey a"), ":0");
  EXPECT_EQ(c_.Run("EXISTS nokey"), ":0");
  EXPECT_EQ(c_.Run("LPUSHX l z"), ":6");
  EXPECT_EQ(c_.Run("RPUSHX l y x"), ":8");
  EXPECT_EQ(c_.Run("LLEN l"), ":8");
  EXPECT_EQ(c_.Run("LLEN nokey"), ":0");
  EXPECT_EQ(c_.Run("LINDEX l 0"), "$z");
  EXPECT_EQ(c_.Run("LINDEX l -1"), "$x");
  EXPECT_EQ(c_.Run("LINDEX l 3"), "$a");
  EXPECT_EQ(c_.Run("LINDEX l -8"), "$z");
  EXPECT_EQ(c_.Run("LINDEX l 8"), "(nil)");
  EXPECT_EQ(c_.Run("LINDEX l -9"), "(nil)");
  EXPECT_EQ(c_.Run("LINDEX l x"), kNotInt);
  EXPECT_EQ(c_.Run("LINDEX nokey x"), "(nil)") << "the key is looked up first";
  EXPECT_EQ(c_.Run("LSET l 1 B"), "+OK");
  EXPECT_EQ(c_.Run("LSET l -1 X"), "+OK");
  EXPECT_EQ(c_.Run("LSET l 8 x"), "-ERR index out of range");
  EXPECT_EQ(c_.Run("LSET l x y"), kNotInt);
  EXPECT_EQ(c_.Run("LSET nokey 0 x"), "-ERR no such key");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$z, $B, $b, $a, $d, $e, $y, $X]");
  EXPECT_EQ(c_.Run("LRANGE l -3 -2"), "[$e, $y]");
  EXPECT_EQ(c_.Run("LRANGE l 5 1"), "[]");
  EXPECT_EQ(c_.Run("LRANGE l -100 1"), "[$z, $B]");
  EXPECT_EQ(c_.Run("LRANGE l 6 100"), "[$y, $X]");
  EXPECT_EQ(c_.Run("LRANGE l 8 100"), "[]");
  EXPECT_EQ(c_.Run("LRANGE l x 1"), kNotInt);
  EXPECT_EQ(c_.Run("LRANGE nokey 0 -1"), "[]");
  EXPECT_EQ(c_.Run("LPOP l"), "$z");
  EXPECT_EQ(c_.Run("RPOP l"), "$X");
  EXPECT_EQ(c_.Run("LPOP l 2"), "[$B, $b]");
  EXPECT_EQ(c_.Run("RPOP l 2"), "[$y, $e]");
  EXPECT_EQ(c_.Run("LPOP l 0"), "[]");
  EXPECT_EQ(c_.Run("LPOP l -1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(c_.Run("LPOP l x"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(c_.Run("LPOP l 1 2"), "-ERR wrong number of arguments for 'lpop' command");
  EXPECT_EQ(c_.Run("LPOP nokey"), "(nil)");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$a, $d]");
  EXPECT_EQ(c_.Run("RPOP l 10"), "[$d, $a]");
  EXPECT_EQ(c_.Run("EXISTS l"), ":0") << "an emptied list disappears";
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("TYPE l"), "+none");
}

TEST_F(ListTest, NullRepliesAreTheRightKind) {
  // A missing key: a null bulk without a count, a null array with one.
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOP", "nokey"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"RPOP", "nokey", "2"})), "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOP", "nokey", "0"})), "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LINDEX", "nokey", "0"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LMOVE", "nokey", "d", "LEFT", "LEFT"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"RPOPLPUSH", "nokey", "d"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LMPOP", "1", "nokey", "LEFT"})), "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOS", "nokey", "a"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOS", "nokey", "a", "COUNT", "1"})), "*0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LRANGE", "nokey", "0", "-1"})), "*0\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLPOP", "nokey", "0.01"})), "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLMPOP", "0.01", "1", "nokey", "LEFT"})), "*-1\r\n");
  // Redis 7.0 times BLMOVE and BRPOPLPUSH out with a null ARRAY (replyToBlockedClientTimedOut
  // answers every list command so), though LMOVE and a BLMOVE that cannot block reply a null
  // bulk.
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"})),
            "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BRPOPLPUSH", "nokey", "d", "0.01"})), "*-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"EXISTS", "d"})), ":0\r\n");
  // RESP3: the nulls are _ either way.
  ASSERT_NE(raw.Exchange("HELLO 3\r\n").find("proto"), std::string::npos);
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOP", "nokey"})), "_\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"LPOP", "nokey", "2"})), "_\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLPOP", "nokey", "0.01"})), "_\r\n");
}

TEST_F(ListTest, BinaryElements) {
  const std::string v1("a\0b\r\n", 5), v2("\xff", 1);
  EXPECT_EQ(c_.Run({"RPUSH", "bin", v1, "", v2}), ":3");
  EXPECT_EQ(c_.Run("LRANGE bin 0 -1"), "[$a\\x00b\\x0d\\x0a, $, $\\xff]");
  EXPECT_EQ(c_.Run({"LPOS", "bin", v2}), ":2");
  EXPECT_EQ(c_.Run({"LREM", "bin", "0", ""}), ":1");
  EXPECT_EQ(c_.Run({"LINSERT", "bin", "AFTER", v1, "mid"}), ":3");
  EXPECT_EQ(c_.Run("LRANGE bin 0 -1"), "[$a\\x00b\\x0d\\x0a, $mid, $\\xff]");
}

TEST_F(ListTest, ArityAndArgumentErrors) {
  EXPECT_EQ(c_.Run("LPUSH l"), "-ERR wrong number of arguments for 'lpush' command");
  EXPECT_EQ(c_.Run("RPUSHX l"), "-ERR wrong number of arguments for 'rpushx' command");
  EXPECT_EQ(c_.Run("LINDEX l 0 1"), "-ERR wrong number of arguments for 'lindex' command");
  EXPECT_EQ(c_.Run("LRANGE l 0"), "-ERR wrong number of arguments for 'lrange' command");
  EXPECT_EQ(c_.Run("BLPOP l"), "-ERR wrong number of arguments for 'blpop' command");
  EXPECT_EQ(c_.Run("BLMOVE a b LEFT LEFT"), "-ERR wrong number of arguments for 'blmove' command");
  EXPECT_EQ(c_.Run("LMPOP 1 k"), "-ERR wrong number of arguments for 'lmpop' command");
  EXPECT_EQ(c_.Run("BLPOP k -1"), "-ERR timeout is negative");
  EXPECT_EQ(c_.Run("BLPOP k abc"), "-ERR timeout is not a float or out of range");
  EXPECT_EQ(c_.Run("BRPOP k 0.05x"), "-ERR timeout is not a float or out of range");
  EXPECT_EQ(c_.Run("BLMOVE a b UP LEFT 0"), kSyntax);
  EXPECT_EQ(c_.Run("BLMOVE a b LEFT LEFT -1"), "-ERR timeout is negative");
  EXPECT_EQ(c_.Run("BRPOPLPUSH a b -1"), "-ERR timeout is negative");
  EXPECT_EQ(c_.Run("LMOVE a b UP LEFT"), kSyntax);
  EXPECT_EQ(c_.Run("LMOVE a b left right"), "(nil)") << "LEFT/RIGHT in any case";
  EXPECT_EQ(c_.Run("LMPOP 0 k LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("LMPOP x k LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("LMPOP 1 k MIDDLE"), kSyntax);
  EXPECT_EQ(c_.Run("LMPOP 1 k LEFT COUNT 0"), "-ERR count should be greater than 0");
  EXPECT_EQ(c_.Run("LMPOP 1 k LEFT COUNT 1 COUNT 2"), kSyntax);
  EXPECT_EQ(c_.Run("LMPOP 1 k LEFT FOO"), kSyntax);
  EXPECT_EQ(c_.Run("LMPOP 1 k LEFT COUNT"), kSyntax);
  EXPECT_EQ(c_.Run("LMPOP 5 k LEFT"), kSyntax) << "more keys than arguments";
  EXPECT_EQ(c_.Run("LMPOP 2 k LEFT"), kSyntax) << "numkeys swallows the direction";
  EXPECT_EQ(c_.Run("BLMPOP 0 0 k LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(c_.Run("BLMPOP -1 1 k LEFT"), "-ERR timeout is negative");
  EXPECT_EQ(c_.Run("BLMPOP 0 2 k LEFT"), kSyntax) << "numkeys swallows the direction";
  EXPECT_EQ(c_.Run("LINSERT l MIDDLE a b"), kSyntax);
  EXPECT_EQ(c_.Run("LREM l x a"), kNotInt);
  EXPECT_EQ(c_.Run("LTRIM l x 1"), kNotInt);
  EXPECT_EQ(c_.Run("PING"), "+PONG");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0") << "no failed command created a key";
}

TEST_F(ListTest, WrongTypeOnAStringKey) {
  EXPECT_EQ(c_.Run("SET s v"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH l a"), ":1");
  for (const char* cmd : {"LPUSH s a",
                          "RPUSH s a",
                          "LPUSHX s a",
                          "RPUSHX s a",
                          "LPOP s",
                          "RPOP s 2",
                          "LLEN s",
                          "LINDEX s 0",
                          "LINDEX s x",
                          "LSET s 0 a",
                          "LRANGE s 0 -1",
                          "LTRIM s 0 1",
                          "LINSERT s BEFORE a b",
                          "LREM s 0 a",
                          "LPOS s a",
                          "LMOVE s l LEFT LEFT",
                          "LMOVE l s LEFT LEFT",
                          "RPOPLPUSH s l",
                          "RPOPLPUSH l s",
                          "LMPOP 1 s LEFT",
                          "LMPOP 2 nokey s LEFT",
                          "BLPOP s 0",
                          "BRPOP nokey s 0",
                          "BLMOVE s l LEFT LEFT 0",
                          "BLMOVE l s LEFT LEFT 0",
                          "BRPOPLPUSH s l 0",
                          "BLMPOP 0 1 s RIGHT"}) {
    EXPECT_EQ(c_.Run(cmd), kWrongType) << cmd;
  }
  EXPECT_EQ(c_.Run("GET s"), "$v");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$a]") << "a failed move leaves the source alone";
  EXPECT_EQ(c_.Run("GET l"), kWrongType);
  EXPECT_EQ(c_.Run("INCR l"), kWrongType);
  EXPECT_EQ(c_.Run("HSET l f v"), kWrongType);
  EXPECT_EQ(c_.Run("TYPE l"), "+list");
  EXPECT_EQ(c_.Run("MGET l s"), "[(nil), $v]");
  // A missing source is nil whatever the destination holds.
  EXPECT_EQ(c_.Run("LMOVE nokey s LEFT LEFT"), "(nil)");
  // SET replaces a list; a new list never sees the old elements.
  EXPECT_EQ(c_.Run("RPUSH l b c"), ":3");
  EXPECT_EQ(c_.Run("SET l plain"), "+OK");
  EXPECT_EQ(c_.Run("GET l"), "$plain");
  EXPECT_EQ(c_.Run("DEL l"), ":1");
  EXPECT_EQ(c_.Run("RPUSH l new"), ":1");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$new]");
}

TEST_F(ListTest, LtrimAndEmptying) {
  EXPECT_EQ(c_.Run("RPUSH l 0 1 2 3 4 5 6 7 8 9"), ":10");
  EXPECT_EQ(c_.Run("LTRIM l 1 -2"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$1, $2, $3, $4, $5, $6, $7, $8]");
  EXPECT_EQ(c_.Run("LTRIM l -3 100"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$6, $7, $8]");
  EXPECT_EQ(c_.Run("LTRIM l 0 -1"), "+OK");
  EXPECT_EQ(c_.Run("LLEN l"), ":3");
  EXPECT_EQ(c_.Run("LTRIM nokey 0 1"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS nokey"), ":0");
  EXPECT_EQ(c_.Run("LTRIM l 2 1"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS l"), ":0") << "an empty range empties the list";
  // Every way to empty a list removes the key.
  EXPECT_EQ(c_.Run("RPUSH l a b"), ":2");
  EXPECT_EQ(c_.Run("LREM l 0 a"), ":1");
  EXPECT_EQ(c_.Run("LREM l 0 b"), ":1");
  EXPECT_EQ(c_.Run("EXISTS l"), ":0");
  EXPECT_EQ(c_.Run("RPUSH l a"), ":1");
  EXPECT_EQ(c_.Run("LMOVE l other LEFT RIGHT"), "$a");
  EXPECT_EQ(c_.Run("EXISTS l"), ":0");
  EXPECT_EQ(c_.Run("LMPOP 1 other RIGHT COUNT 5"), "[$other, [$a]]");
  EXPECT_EQ(c_.Run("EXISTS other"), ":0");
  EXPECT_EQ(c_.Run("RPUSH l a"), ":1");
  EXPECT_EQ(c_.Run("RPOPLPUSH l l"), "$a") << "rotating a one-element list keeps it";
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$a]");
  EXPECT_EQ(c_.Run("LPOP l"), "$a");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(ListTest, LmoveAndRpoplpush) {
  EXPECT_EQ(c_.Run("RPUSH src a b c"), ":3");
  EXPECT_EQ(c_.Run("LMOVE src dst LEFT RIGHT"), "$a");
  EXPECT_EQ(c_.Run("LMOVE src dst RIGHT LEFT"), "$c");
  EXPECT_EQ(c_.Run("LRANGE dst 0 -1"), "[$c, $a]");
  EXPECT_EQ(c_.Run("RPOPLPUSH dst src"), "$a");
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$a, $b]");
  EXPECT_EQ(c_.Run("LMOVE src src LEFT RIGHT"), "$a") << "rotation";
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$b, $a]");
  EXPECT_EQ(c_.Run("LMOVE src src RIGHT LEFT"), "$a");
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$a, $b]");
  EXPECT_EQ(c_.Run("LMOVE src src LEFT LEFT"), "$a");
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$a, $b]");
}

TEST_F(ListTest, Lmpop) {
  EXPECT_EQ(c_.Run("RPUSH k2 a b c d"), ":4");
  EXPECT_EQ(c_.Run("LMPOP 2 k1 k2 LEFT"), "[$k2, [$a]]");
  EXPECT_EQ(c_.Run("LMPOP 2 k1 k2 RIGHT COUNT 2"), "[$k2, [$d, $c]]");
  EXPECT_EQ(c_.Run("RPUSH k1 x"), ":1");
  EXPECT_EQ(c_.Run("LMPOP 2 k1 k2 left count 10"), "[$k1, [$x]]");
  EXPECT_EQ(c_.Run("LMPOP 2 k1 k2 LEFT COUNT 10"), "[$k2, [$b]]");
  EXPECT_EQ(c_.Run("LMPOP 2 k1 k2 LEFT"), "(nil)");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(ListTest, Lpos) {
  EXPECT_EQ(c_.Run("RPUSH l a b c 1 2 3 c c"), ":8");
  EXPECT_EQ(c_.Run("LPOS l c"), ":2");
  EXPECT_EQ(c_.Run("LPOS l zz"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS l c RANK 1"), ":2");
  EXPECT_EQ(c_.Run("LPOS l c RANK 2"), ":6");
  EXPECT_EQ(c_.Run("LPOS l c RANK 4"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS l c RANK -1"), ":7");
  EXPECT_EQ(c_.Run("LPOS l c RANK -3"), ":2");
  EXPECT_EQ(c_.Run("LPOS l c COUNT 2"), "[:2, :6]");
  EXPECT_EQ(c_.Run("LPOS l c COUNT 0"), "[:2, :6, :7]");
  EXPECT_EQ(c_.Run("LPOS l c COUNT 10"), "[:2, :6, :7]");
  EXPECT_EQ(c_.Run("LPOS l zz COUNT 0"), "[]");
  EXPECT_EQ(c_.Run("LPOS l c RANK -1 COUNT 2"), "[:7, :6]");
  EXPECT_EQ(c_.Run("LPOS l c RANK 2 COUNT 0"), "[:6, :7]");
  EXPECT_EQ(c_.Run("LPOS l c RANK -2 COUNT 0"), "[:6, :2]");
  EXPECT_EQ(c_.Run("LPOS l c RANK 5 COUNT 0"), "[]");
  EXPECT_EQ(c_.Run("LPOS l c MAXLEN 2"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS l c MAXLEN 3"), ":2");
  EXPECT_EQ(c_.Run("LPOS l c COUNT 0 MAXLEN 7"), "[:2, :6]");
  EXPECT_EQ(c_.Run("LPOS l c RANK -1 COUNT 0 MAXLEN 2"), "[:7, :6]");
  EXPECT_EQ(c_.Run("LPOS l a RANK -1 MAXLEN 7"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS l c MAXLEN 0 COUNT 0"), "[:2, :6, :7]") << "MAXLEN 0: no limit";
  EXPECT_EQ(c_.Run("LPOS l c rank 2 count 1 maxlen 100"), "[:6]");
  EXPECT_EQ(c_.Run("LPOS l c RANK 1 RANK 2"), ":6") << "the last option wins";
  EXPECT_EQ(c_.Run("LPOS l c RANK 0"),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
  EXPECT_EQ(c_.Run("LPOS l c COUNT -1"), "-ERR COUNT can't be negative");
  EXPECT_EQ(c_.Run("LPOS l c MAXLEN -1"), "-ERR MAXLEN can't be negative");
  EXPECT_EQ(c_.Run("LPOS l c FOO 1"), kSyntax);
  EXPECT_EQ(c_.Run("LPOS l c RANK"), kSyntax);
  EXPECT_EQ(c_.Run("LPOS l c RANK x"), kNotInt);
  EXPECT_EQ(c_.Run("LPOS l c COUNT x"), "-ERR COUNT can't be negative");
  EXPECT_EQ(c_.Run("LPOS nokey c"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS nokey c COUNT 1"), "[]");
  EXPECT_EQ(c_.Run("LPOS nokey c RANK 0"),
            "-ERR RANK can't be zero: use 1 to start from the "
            "first match, 2 from the second ... or use negative "
            "to start from the end of the list")
      << "options are checked before the key";
}

TEST_F(ListTest, LinsertAndLremSimple) {
  EXPECT_EQ(c_.Run("RPUSH l a b c b"), ":4");
  EXPECT_EQ(c_.Run("LINSERT l BEFORE b x"), ":5");
  EXPECT_EQ(c_.Run("LINSERT l after b y"), ":6");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$a, $x, $b, $y, $c, $b]");
  EXPECT_EQ(c_.Run("LINSERT l BEFORE zz q"), ":-1");
  EXPECT_EQ(c_.Run("LINSERT nokey BEFORE a q"), ":0");
  EXPECT_EQ(c_.Run("EXISTS nokey"), ":0");
  EXPECT_EQ(c_.Run("LINSERT l BEFORE a first"), ":7");
  EXPECT_EQ(c_.Run("LINSERT l AFTER c last"), ":8");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$first, $a, $x, $b, $y, $c, $last, $b]");
  EXPECT_EQ(c_.Run("LREM l -1 b"), ":1");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$first, $a, $x, $b, $y, $c, $last]");
  EXPECT_EQ(c_.Run("RPUSH l b b"), ":9");
  EXPECT_EQ(c_.Run("LREM l 2 b"), ":2");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "[$first, $a, $x, $y, $c, $last, $b]");
  EXPECT_EQ(c_.Run("LREM l 0 zz"), ":0");
  EXPECT_EQ(c_.Run("LREM nokey 0 zz"), ":0");
  EXPECT_EQ(c_.Run("LREM l -9223372036854775808 b"), ":1");
  EXPECT_EQ(c_.Run("LLEN l"), ":6");
}

// LINSERT and LREM at random middle positions of a ~200-element list with many duplicates,
// against a model; the whole list is compared after every command.
TEST_F(ListTest, LinsertAndLremAgainstAModel) {
  std::mt19937 rng(42);
  std::vector<std::string> model;
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 200; i++) {
    model.push_back("e" + std::to_string(rng() % 25));
    push.push_back(model.back());
  }
  ASSERT_EQ(c_.Run(push), ":200");
  int next = 0;
  for (int step = 0; step < 150; step++) {
    std::string cmd_text;
    if (rng() % 2 == 0 || model.size() < 150) {
      const std::string pivot = "e" + std::to_string(rng() % 27);  // e25, e26 never present
      const bool after = rng() % 2;
      const std::string value = "n" + std::to_string(next++);
      auto it = std::find(model.begin(), model.end(), pivot);
      std::string expected;
      if (it == model.end()) {
        expected = ":-1";
      } else {
        model.insert(after ? it + 1 : it, value);
        expected = ":" + std::to_string(model.size());
      }
      cmd_text = "LINSERT l " + std::string(after ? "AFTER " : "BEFORE ") + pivot + " " + value;
      ASSERT_EQ(c_.Run(cmd_text), expected) << "step " << step;
    } else {
      const std::string value = "e" + std::to_string(rng() % 26);
      const int count = static_cast<int>(rng() % 7) - 3;  // -3..3, 0: all
      size_t removed = 0;
      if (count >= 0) {
        for (auto it = model.begin(); it != model.end();) {
          if (*it == value && (count == 0 || removed < static_cast<size_t>(count))) {
            it = model.erase(it);
            removed++;
          } else {
            ++it;
          }
        }
      } else {
        for (size_t i = model.size(); i-- > 0;) {
          if (model[i] == value && removed < static_cast<size_t>(-count)) {
            model.erase(model.begin() + static_cast<ptrdiff_t>(i));
            removed++;
          }
        }
      }
      cmd_text = "LREM l " + std::to_string(count) + " " + value;
      ASSERT_EQ(c_.Run(cmd_text), ":" + std::to_string(removed)) << "step " << step;
    }
    ASSERT_EQ(c_.Run("LRANGE l 0 -1"), ShowList(model)) << "step " << step << ": " << cmd_text;
    ASSERT_EQ(c_.Run("LLEN l"), ":" + std::to_string(model.size()));
  }
  // Point reads agree too.
  for (size_t i = 0; i < model.size(); i += 17) {
    EXPECT_EQ(c_.Run("LINDEX l " + std::to_string(i)), "$" + model[i]);
    EXPECT_EQ(
        c_.Run("LPOS l " + model[i]),
        ":" + std::to_string(std::find(model.begin(), model.end(), model[i]) - model.begin()));
  }
}

TEST_F(ListTest, LargeListRangesAndCounts) {
  std::vector<std::string> push = {"RPUSH", "big"};
  for (int i = 0; i < 5000; i++) push.push_back(std::to_string(i));
  ASSERT_EQ(c_.Run(push), ":5000");
  Reply all = c_.Cmd("LRANGE big 0 -1");
  ASSERT_EQ(all->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(all->elements, 5000u);
  for (size_t i = 0; i < all->elements; i++) {
    ASSERT_EQ(std::string(all->element[i]->str, all->element[i]->len), std::to_string(i));
  }
  EXPECT_EQ(c_.Run("LRANGE big 2500 2503"), "[$2500, $2501, $2502, $2503]");
  EXPECT_EQ(c_.Run("LRANGE big -2 9223372036854775807"), "[$4998, $4999]");
  EXPECT_EQ(c_.Run("LRANGE big -9223372036854775808 1"), "[$0, $1]");
  EXPECT_EQ(c_.Run("LRANGE big 9223372036854775807 -9223372036854775808"), "[]");
  EXPECT_EQ(c_.Run("LINDEX big -9223372036854775808"), "(nil)");
  EXPECT_EQ(c_.Run("LINDEX big 9223372036854775807"), "(nil)");
  EXPECT_EQ(c_.Run("LSET big -9223372036854775808 x"), "-ERR index out of range");
  EXPECT_EQ(c_.Run("LPOS big 4999"), ":4999");
  EXPECT_EQ(c_.Run("LPOS big 0 RANK -1"), ":0");
  EXPECT_EQ(c_.Run("LPOS big 4999 MAXLEN 4999"), "(nil)");
  EXPECT_EQ(c_.Run("LPOS big 0 RANK -1 MAXLEN 4999"), "(nil)");
  Reply popped = c_.Cmd("RPOP big 1000");
  ASSERT_EQ(popped->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(popped->elements, 1000u);
  EXPECT_EQ(std::string(popped->element[0]->str), "4999");
  EXPECT_EQ(std::string(popped->element[999]->str), "4000");
  EXPECT_EQ(c_.Run("LPOP big 9223372036854775807")[0], '[');
  EXPECT_EQ(c_.Run("EXISTS big"), ":0");
  // LPOS with RANK LONG_MIN: Redis 7.0 negates it into itself, so it counts every match
  // from the tail.
  EXPECT_EQ(c_.Run("RPUSH l a c b c"), ":4");
  EXPECT_EQ(c_.Run("LPOS l c RANK -9223372036854775808"), ":3");
  EXPECT_EQ(c_.Run("LPOS l c RANK -9223372036854775808 COUNT 1"), "[:3, :1]");
}

TEST_F(ListTest, KeyspaceCommandsCarryTheWholeList) {
  EXPECT_EQ(c_.Run("RPUSH l a b c"), ":3");
  EXPECT_EQ(c_.Run("TYPE l"), "+list");
  EXPECT_EQ(c_.Run("EXPIRE l 100"), ":1");
  Reply ttl = c_.Cmd("TTL l");
  ASSERT_EQ(ttl->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(ttl->integer, 90);
  EXPECT_LE(ttl->integer, 100);
  EXPECT_EQ(c_.Run("RPUSH l d"), ":4");
  EXPECT_GT(c_.Cmd("TTL l")->integer, 90) << "a push keeps the TTL";
  EXPECT_EQ(c_.Run("PERSIST l"), ":1");
  EXPECT_EQ(c_.Run("TTL l"), ":-1");
  EXPECT_EQ(c_.Run("RENAME l l2"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS l"), ":0");
  EXPECT_EQ(c_.Run("LRANGE l2 0 -1"), "[$a, $b, $c, $d]");
  EXPECT_EQ(c_.Run("COPY l2 l3"), ":1");
  EXPECT_EQ(c_.Run("RPUSH l3 e"), ":5");
  EXPECT_EQ(c_.Run("LSET l3 0 A"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE l2 0 -1"), "[$a, $b, $c, $d]") << "the copy is independent";
  EXPECT_EQ(c_.Run("LRANGE l3 0 -1"), "[$A, $b, $c, $d, $e]");
  EXPECT_EQ(c_.Run("COPY l2 l3"), ":0");
  EXPECT_EQ(c_.Run("COPY l2 l3 REPLACE"), ":1");
  EXPECT_EQ(c_.Run("LRANGE l3 0 -1"), "[$a, $b, $c, $d]");
  EXPECT_EQ(c_.Run("MOVE l3 1"), ":1");
  EXPECT_EQ(c_.Run("EXISTS l3"), ":0");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE l3 0 -1"), "[$a, $b, $c, $d]");
  EXPECT_EQ(c_.Run("LPOP l3"), "$a");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH other z"), ":1");
  EXPECT_EQ(c_.Run("RENAME l2 other"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE other 0 -1"), "[$a, $b, $c, $d]") << "RENAME replaces the target";
  EXPECT_EQ(c_.Run("SCAN 0 TYPE list"), "[$0, [$other]]");
  EXPECT_EQ(c_.Run("DEL other"), ":1");
  EXPECT_EQ(c_.Run("LRANGE other 0 -1"), "[]");
  EXPECT_EQ(c_.Run("RPUSH other x"), ":1");
  EXPECT_EQ(c_.Run("LRANGE other 0 -1"), "[$x]") << "a new list never sees a deleted one's";
  // Expiry removes the whole list.
  EXPECT_EQ(c_.Run("PEXPIRE other 50"), ":1");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("EXISTS other") == ":0"; }));
  EXPECT_EQ(c_.Run("LLEN other"), ":0");
  EXPECT_EQ(c_.Run("RPUSH other y"), ":1");
  EXPECT_EQ(c_.Run("LRANGE other 0 -1"), "[$y]");
  EXPECT_EQ(c_.Run("TTL other"), ":-1");
}

TEST_F(ListTest, ListsSurviveARestart) {
  std::vector<std::string> push = {"RPUSH", "big"};
  for (int i = 0; i < 300; i++) push.push_back("v" + std::to_string(i));
  ASSERT_EQ(c_.Run(push), ":300");
  EXPECT_EQ(c_.Run("LPUSH big h1 h2"), ":302");
  EXPECT_EQ(c_.Run("LINSERT big AFTER v150 mid"), ":303");
  EXPECT_EQ(c_.Run("LREM big 0 v10"), ":1");
  EXPECT_EQ(c_.Run("LTRIM big 1 -2"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH gone a"), ":1");
  EXPECT_EQ(c_.Run("LPOP gone"), "$a");
  EXPECT_EQ(c_.Run("RPUSH ttl a"), ":1");
  EXPECT_EQ(c_.Run("EXPIRE ttl 1000"), ":1");
  const std::string before = c_.Run("LRANGE big 0 -1");
  ASSERT_TRUE(server_.Stop());
  ASSERT_TRUE(server_.Restart());
  c_ = server_.Connect();
  ASSERT_TRUE(c_.ok());
  EXPECT_EQ(c_.Run("LLEN big"), ":300");
  EXPECT_EQ(c_.Run("LRANGE big 0 -1"), before);
  EXPECT_EQ(c_.Run("LINDEX big 0"), "$h1");
  EXPECT_EQ(c_.Run("LINDEX big -1"), "$v298");
  EXPECT_EQ(c_.Run("EXISTS gone"), ":0");
  EXPECT_EQ(c_.Run("TYPE ttl"), "+list");
  EXPECT_GT(c_.Cmd("TTL ttl")->integer, 900);
  EXPECT_EQ(c_.Run("DBSIZE"), ":2");
  // And they keep working after the restart.
  EXPECT_EQ(c_.Run("LPUSH big new"), ":301");
  EXPECT_EQ(c_.Run("RPOP big"), "$v298");
  EXPECT_EQ(c_.Run("LINDEX big 0"), "$new");
}

// MULTI/EXEC: skipped while the server has no MULTI.
bool HasMulti(Client& c) { return c.Run("COMMAND INFO multi") != "[(nil)]"; }

TEST_F(ListTest, MultiExecSeesEarlierWrites) {
  if (!HasMulti(c_)) GTEST_SKIP() << "no MULTI yet";
  RawConn raw = server_.Raw();
  // Blocking commands in a transaction never block: BLMOVE and BRPOPLPUSH reply a null bulk
  // there, BLPOP and BLMPOP a null array.
  EXPECT_EQ(
      raw.Exchange(
          EncodeCommand({"MULTI"}) + EncodeCommand({"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"}) +
              EncodeCommand({"BRPOPLPUSH", "nokey", "d", "0"}) +
              EncodeCommand({"BLPOP", "nokey", "0"}) +
              EncodeCommand({"BLMPOP", "0", "1", "nokey", "LEFT"}) + EncodeCommand({"EXEC"}),
          6),
      "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n");
  EXPECT_EQ(c_.Run("MULTI"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH l a b c"), "+QUEUED");
  EXPECT_EQ(c_.Run("LINSERT l AFTER a x"), "+QUEUED");
  EXPECT_EQ(c_.Run("LPOP l"), "+QUEUED");
  EXPECT_EQ(c_.Run("LSET l 5 y"), "+QUEUED");
  EXPECT_EQ(c_.Run("BLPOP nokey 0"), "+QUEUED");
  EXPECT_EQ(c_.Run("LRANGE l 0 -1"), "+QUEUED");
  EXPECT_EQ(c_.Run("EXEC"), "[:3, :4, $a, -ERR index out of range, (nil), [$x, $b, $c]]")
      << "BLPOP in a transaction never blocks";
}

// --- Blocking --------------------------------------------------------------------------------

class BlockingTest : public ServerTest {
 protected:
  // Sends what was appended to `c` without waiting for a reply.
  static void Flush(Client& c) {
    int done = 0;
    while (!done) {
      if (redisBufferWrite(c.get(), &done) != REDIS_OK) return;
    }
  }
  // Sends argv on c without reading the reply (a command that blocks).
  static void Send(Client& c, std::initializer_list<std::string_view> argv) {
    c.Append(argv);
    Flush(c);
  }
  long long BlockedClients() {
    Reply r = c_.Cmd("INFO clients");
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return -1;
    auto v = InfoField(std::string(r->str, r->len), "blocked_clients");
    return v ? std::stoll(*v) : -1;
  }
  // Waits until exactly n clients are blocked.
  ::testing::AssertionResult WaitBlocked(long long n) {
    if (PollUntil([&] { return BlockedClients() == n; }, 10s, 5ms)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "blocked_clients is " << BlockedClients() << ", expected " << n;
  }
  static long long Id(Client& c) {
    Reply r = c.Cmd("CLIENT ID");
    return r != nullptr && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
  }
  Client Connect() {
    Client c = server_.Connect();
    EXPECT_TRUE(c.ok()) << c.error();
    return c;
  }
};

// Redis converts the timeout to ceil(seconds * 1000) ms in a long long: values out of its
// range (inf included) come out negative, a tiny positive one is 1 ms.
TEST_F(BlockingTest, TimeoutArgumentEdgeCases) {
  for (const char* t : {"9999999999999999", "1e20", "inf", "+inf", "1e400", "-inf"}) {
    EXPECT_EQ(c_.Run({"BLPOP", "k", t}), "-ERR timeout is negative") << t;
  }
  for (const char* t : {"nan", "", " 1", "1 ", "1s", "--1"}) {
    EXPECT_EQ(c_.Run({"BLPOP", "k", t}), "-ERR timeout is not a float or out of range") << t;
  }
  for (const char* t : {"1e-5", "0.0000001", "0.001"}) {
    EXPECT_EQ(c_.Run({"BLPOP", "k", t}), "(nil)") << t;
    EXPECT_EQ(c_.Run({"BLMOVE", "k", "d", "LEFT", "LEFT", t}), "(nil)") << t;
    EXPECT_EQ(c_.Run({"BLMPOP", t, "1", "k", "LEFT"}), "(nil)") << t;
  }
  EXPECT_TRUE(WaitBlocked(0));
}

TEST_F(BlockingTest, BlpopServedByAPushFromAnotherClient) {
  Client b = Connect();
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $v]");
  EXPECT_EQ(c_.Run("EXISTS k"), ":0") << "the served pop emptied the list";
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(b.Run("PING"), "+PONG") << "the served client runs commands again";
}

TEST_F(BlockingTest, ImmediateServeWithoutBlocking) {
  EXPECT_EQ(c_.Run("RPUSH k2 a b"), ":2");
  EXPECT_EQ(c_.Run("BLPOP k1 k2 0"), "[$k2, $a]");
  EXPECT_EQ(c_.Run("BRPOP k1 k2 0"), "[$k2, $b]");
  EXPECT_EQ(c_.Run("RPUSH k1 x y z"), ":3");
  EXPECT_EQ(c_.Run("BLMPOP 0 2 k2 k1 RIGHT COUNT 2"), "[$k1, [$z, $y]]");
  EXPECT_EQ(c_.Run("BLMOVE k1 d LEFT RIGHT 0"), "$x");
  EXPECT_EQ(c_.Run("BRPOPLPUSH d d 0"), "$x");
  EXPECT_EQ(c_.Run("LRANGE d 0 -1"), "[$x]");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
}

TEST_F(BlockingTest, BlockedOnSeveralKeysServedByTheFirstPushed) {
  Client b = Connect();
  Send(b, {"BRPOP", "k1", "k2", "k3", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k3 a b"), ":2");
  EXPECT_EQ(Show(b.GetReply()), "[$k3, $b]");
  EXPECT_EQ(c_.Run("LRANGE k3 0 -1"), "[$a]");
}

TEST_F(BlockingTest, WaitersAreServedFirstComeFirstServed) {
  Client a = Connect(), b = Connect();
  Send(a, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(2));
  EXPECT_EQ(c_.Run("RPUSH k one"), ":1");
  EXPECT_EQ(Show(a.GetReply()), "[$k, $one]");
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k two"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $two]");
  EXPECT_TRUE(WaitBlocked(0));
}

TEST_F(BlockingTest, OnePushOfSeveralElementsServesSeveralWaiters) {
  Client a = Connect(), b = Connect(), d = Connect();
  Send(a, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  Send(b, {"BRPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(2));
  Send(d, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(3));
  EXPECT_EQ(c_.Run("RPUSH k x y"), ":2") << "the pusher sees the length before serving";
  EXPECT_EQ(Show(a.GetReply()), "[$k, $x]");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $y]");
  EXPECT_TRUE(WaitBlocked(1)) << "the third waiter still waits";
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("LPUSH k z"), ":1");
  EXPECT_EQ(Show(d.GetReply()), "[$k, $z]");
}

TEST_F(BlockingTest, TimeoutRepliesNullAfterRoughlyTheTimeout) {
  Client b = Connect();
  const auto start = Clock::now();
  EXPECT_EQ(b.Run("BLPOP k 0.1"), "(nil)");
  const auto took = std::chrono::duration_cast<Duration>(Clock::now() - start);
  EXPECT_GE(took.count(), 80) << "the timeout must not fire early";
  EXPECT_LT(took.count(), 3000);
  RawConn raw = server_.Raw();
  const auto start2 = Clock::now();
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLMOVE", "k", "d", "LEFT", "LEFT", "0.1"})), "*-1\r\n")
      << "Redis 7.0 times BLMOVE out with a null array";
  const auto took2 = std::chrono::duration_cast<Duration>(Clock::now() - start2);
  EXPECT_GE(took2.count(), 80);
  EXPECT_LT(took2.count(), 3000);
  EXPECT_EQ(raw.Exchange(EncodeCommand({"BLMPOP", "0.1", "1", "k", "LEFT"})), "*-1\r\n");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(BlockingTest, BlmoveServedByAPushMovesTheElement) {
  Client b = Connect();
  Send(b, {"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH dst old"), ":1");
  ASSERT_TRUE(WaitBlocked(1)) << "a push to the destination does not serve";
  EXPECT_EQ(c_.Run("RPUSH src a b"), ":2");
  EXPECT_EQ(Show(b.GetReply()), "$b");
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$a]");
  EXPECT_EQ(c_.Run("LRANGE dst 0 -1"), "[$b, $old]");
}

TEST_F(BlockingTest, BrpoplpushServedByAPush) {
  Client b = Connect();
  Send(b, {"BRPOPLPUSH", "src", "dst", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("LPUSH src x"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "$x");
  EXPECT_EQ(c_.Run("EXISTS src"), ":0");
  EXPECT_EQ(c_.Run("LRANGE dst 0 -1"), "[$x]");
}

TEST_F(BlockingTest, BlmoveOntoItsOwnSource) {
  Client b = Connect();
  Send(b, {"BLMOVE", "k", "k", "LEFT", "RIGHT", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k a b"), ":2");
  EXPECT_EQ(Show(b.GetReply()), "$a");
  EXPECT_EQ(c_.Run("LRANGE k 0 -1"), "[$b, $a]");
}

TEST_F(BlockingTest, BlmpopWithCount) {
  Client b = Connect();
  Send(b, {"BLMPOP", "0", "2", "k1", "k2", "LEFT", "COUNT", "2"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k2 a b c"), ":3");
  EXPECT_EQ(Show(b.GetReply()), "[$k2, [$a, $b]]");
  EXPECT_EQ(c_.Run("LRANGE k2 0 -1"), "[$c]");
  Send(b, {"BLMPOP", "0", "1", "k3", "RIGHT", "COUNT", "10"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k3 x y"), ":2");
  EXPECT_EQ(Show(b.GetReply()), "[$k3, [$y, $x]]");
  EXPECT_EQ(c_.Run("EXISTS k3"), ":0");
}

TEST_F(BlockingTest, PipelinedCommandsWaitForTheBlockedOne) {
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send(EncodeCommand({"BLPOP", "k", "0"}) + EncodeCommand({"PING"}) +
                       EncodeCommand({"LLEN", "k"})));
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(raw.ReadFor(200ms), "") << "nothing is answered while the BLPOP waits";
  EXPECT_EQ(c_.Run("RPUSH k v w"), ":2");
  EXPECT_EQ(raw.ReadReplies(3), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n+PONG\r\n:1\r\n");
  EXPECT_TRUE(WaitBlocked(0));
}

TEST_F(BlockingTest, PipelinedBlockingCommandsBlockInTurn) {
  Client b = Connect();
  b.Append({"BLPOP", "k", "0"});
  b.Append({"BLPOP", "k", "0"});
  b.Append({"PING"});
  Flush(b);
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k 1"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $1]");
  ASSERT_TRUE(WaitBlocked(1)) << "the second BLPOP blocks in turn";
  EXPECT_EQ(c_.Run("RPUSH k 2"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $2]");
  EXPECT_EQ(Show(b.GetReply()), "+PONG");
}

TEST_F(BlockingTest, ADisconnectedWaiterIsRemovedAndLaterPushesStay) {
  {
    Client b = Connect();
    Send(b, {"BLPOP", "k", "0"});
    ASSERT_TRUE(WaitBlocked(1));
  }  // closes the connection
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(c_.Run("LLEN k"), ":1") << "nobody took the element";
  EXPECT_EQ(c_.Run("LRANGE k 0 -1"), "[$v]");
}

TEST_F(BlockingTest, ClientKillOfABlockedClient) {
  Client b = Connect();
  const long long id = Id(b);
  ASSERT_GT(id, 0);
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "KILL", "ID", std::to_string(id)}), ":1");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(b.GetReply(), nullptr) << "the killed client's connection is closed";
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(c_.Run("LLEN k"), ":1");
}

TEST_F(BlockingTest, ClientUnblock) {
  Client b = Connect();
  const long long id = Id(b);
  ASSERT_GT(id, 0);
  const std::string ids = std::to_string(id);
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids}), ":0") << "not blocked";
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids}), ":1");
  EXPECT_EQ(Show(b.GetReply()), "(nil)");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids}), ":0");

  Send(b, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids, "TIMEOUT"}), ":1");
  EXPECT_EQ(Show(b.GetReply()), "(nil)");

  Send(b, {"BRPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids, "FOO"}),
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", ids, "error"}), ":1");
  EXPECT_EQ(Show(b.GetReply()), "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(b.Run("PING"), "+PONG");
  // A later push is not taken by the unblocked client.
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(c_.Run("LLEN k"), ":1");

  // The RESP bytes of both unblock replies.
  RawConn raw = server_.Raw();
  std::string rid = raw.Exchange("CLIENT ID\r\n");
  ASSERT_EQ(rid.front(), ':');
  rid = rid.substr(1, rid.size() - 3);
  ASSERT_TRUE(raw.Send(EncodeCommand({"BLPOP", "nokey", "0"})));
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", rid}), ":1");
  EXPECT_EQ(raw.ReadReply(), "*-1\r\n");
  ASSERT_TRUE(raw.Send(EncodeCommand({"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"})));
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", rid, "TIMEOUT"}), ":1");
  EXPECT_EQ(raw.ReadReply(), "*-1\r\n") << "as on a timeout: a null array, also for BLMOVE";
  ASSERT_TRUE(raw.Send(EncodeCommand({"BRPOPLPUSH", "nokey", "d", "0"})));
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run({"CLIENT", "UNBLOCK", rid, "ERROR"}), ":1");
  EXPECT_EQ(raw.ReadReply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(c_.Run("CLIENT UNBLOCK 999999"), ":0");
  EXPECT_EQ(c_.Run("CLIENT UNBLOCK abc"), kNotInt);
  EXPECT_EQ(c_.Run("CLIENT UNBLOCK"),
            "-ERR wrong number of arguments for 'client|unblock' command");
}

TEST_F(BlockingTest, ClientListShowsTheBlockedFlag) {
  Client b = Connect();
  const long long id = Id(b);
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  Reply list = c_.Cmd("CLIENT LIST");
  ASSERT_EQ(list->type, REDIS_REPLY_STRING);
  const std::string text(list->str, list->len);
  const std::string prefix = "id=" + std::to_string(id) + " ";
  size_t at = text.find(prefix);
  ASSERT_NE(at, std::string::npos) << text;
  const std::string line = text.substr(at, text.find('\n', at) - at);
  EXPECT_NE(line.find(" flags=b "), std::string::npos) << line;
  EXPECT_NE(line.find(" cmd=blpop "), std::string::npos) << line;
  // The caller is not blocked.
  const std::string own = c_.Run("CLIENT INFO");
  EXPECT_NE(own.find(" flags=N "), std::string::npos) << own;
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $v]");
  const std::string after = Show(b.Cmd("CLIENT INFO"));
  EXPECT_NE(after.find(" flags=N "), std::string::npos) << after;
}

TEST_F(BlockingTest, AKeyOfAnotherTypeDoesNotServeTheWaiter) {
  Client b = Connect();
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("SET k str"), "+OK");
  EXPECT_EQ(c_.Run("APPEND k more"), ":7");
  EXPECT_EQ(c_.Run("PING"), "+PONG");
  EXPECT_TRUE(WaitBlocked(1)) << "a string does not wake a BLPOP";
  EXPECT_EQ(c_.Run("DEL k"), ":1");
  EXPECT_EQ(c_.Run("HSET k f v"), ":1");
  EXPECT_TRUE(WaitBlocked(1)) << "nor does a hash";
  EXPECT_EQ(c_.Run("DEL k"), ":1");
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $v]") << "the first reply it gets is the real serve";
}

// Pushed and popped again inside one transaction: the list is gone when the waiter could
// be served, so it keeps waiting; a transaction that leaves elements serves it after EXEC.
TEST_F(BlockingTest, ServedOnlyByWhatATransactionLeaves) {
  if (!HasMulti(c_)) GTEST_SKIP() << "no MULTI yet";
  Client b = Connect();
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("MULTI"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH k a"), "+QUEUED");
  EXPECT_EQ(c_.Run("LPOP k"), "+QUEUED");
  EXPECT_EQ(c_.Run("EXEC"), "[:1, $a]");
  EXPECT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("MULTI"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH k x y"), "+QUEUED");
  EXPECT_EQ(c_.Run("LPOP k"), "+QUEUED");
  EXPECT_EQ(c_.Run("EXEC"), "[:2, $x]");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $y]") << "served once the transaction is done";
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
}

TEST_F(BlockingTest, BlmoveToADestinationOfAnotherTypeFails) {
  Client b = Connect();
  Send(b, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("SET dst str"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH src a"), ":1");
  EXPECT_EQ(Show(b.GetReply()), kWrongType);
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$a]") << "nothing was moved";
  EXPECT_TRUE(WaitBlocked(0));
}

TEST_F(BlockingTest, ServedInAnotherDatabase) {
  Client b = Connect();
  EXPECT_EQ(b.Run("SELECT 3"), "+OK");
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k db0"), ":1");
  EXPECT_TRUE(WaitBlocked(1)) << "the same key in database 0 does not serve";
  EXPECT_EQ(c_.Run("SELECT 3"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH k db3"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $db3]");
  EXPECT_EQ(b.Run("LLEN k"), ":0") << "the served client stays in its database";
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("LRANGE k 0 -1"), "[$db0]");
}

TEST_F(BlockingTest, ServedByLmoveRenameAndCopy) {
  Client b = Connect();
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH src a b"), ":2");
  EXPECT_EQ(c_.Run("LMOVE src k LEFT LEFT"), "$a");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $a]");
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RENAME src k"), "+OK");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $b]");
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH other z"), ":1");
  EXPECT_EQ(c_.Run("COPY other k"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $z]");
  EXPECT_EQ(c_.Run("LRANGE other 0 -1"), "[$z]");
}

TEST_F(BlockingTest, AServedClientGetsNoLateTimeout) {
  Client b = Connect();
  Send(b, {"BLPOP", "k", "k", "0.3"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("RPUSH k v"), ":1");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $v]") << "a key named twice is served once";
  std::this_thread::sleep_for(500ms);  // past the old deadline
  EXPECT_EQ(b.Run("PING"), "+PONG") << "no stray null reply from the old deadline";
  EXPECT_EQ(c_.Run("RPUSH k w"), ":1");
  EXPECT_EQ(c_.Run("LLEN k"), ":1");
}

TEST_F(BlockingTest, ATimedOutWaiterLeavesEveryQueue) {
  Client b = Connect();
  EXPECT_EQ(b.Run("BLPOP a b c 0.05"), "(nil)");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(c_.Run("RPUSH b x"), ":1");
  EXPECT_EQ(c_.Run("RPUSH c y"), ":1");
  EXPECT_EQ(c_.Run("LLEN b"), ":1");
  EXPECT_EQ(c_.Run("LLEN c"), ":1");
}

// A BLMOVE served by a push pushes onto its destination, which serves a client waiting
// there: one push, two serves.
TEST_F(BlockingTest, ServesChainThroughBlmove) {
  Client mover = Connect(), popper = Connect();
  Send(popper, {"BLPOP", "dst", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  Send(mover, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"});
  ASSERT_TRUE(WaitBlocked(2));
  EXPECT_EQ(c_.Run("RPUSH src a"), ":1");
  EXPECT_EQ(Show(mover.GetReply()), "$a");
  EXPECT_EQ(Show(popper.GetReply()), "[$dst, $a]");
  EXPECT_TRUE(WaitBlocked(0));
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
}

TEST_F(BlockingTest, ServedByTheFirstKeyATransactionPushes) {
  if (!HasMulti(c_)) GTEST_SKIP() << "no MULTI yet";
  Client b = Connect();
  Send(b, {"BLPOP", "k1", "k2", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("MULTI"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH k2 a"), "+QUEUED");
  EXPECT_EQ(c_.Run("RPUSH k1 b"), "+QUEUED");
  EXPECT_EQ(c_.Run("EXEC"), "[:1, :1]");
  EXPECT_EQ(Show(b.GetReply()), "[$k2, $a]");
  EXPECT_EQ(c_.Run("LRANGE k1 0 -1"), "[$b]");
}

TEST_F(BlockingTest, AServedPopIsDurable) {
  Client b = Connect();
  Send(b, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  Client b2 = Connect();
  Send(b2, {"BLPOP", "q", "0"});
  ASSERT_TRUE(WaitBlocked(2));
  EXPECT_EQ(c_.Run("RPUSH src a b"), ":2");
  EXPECT_EQ(Show(b.GetReply()), "$a");
  EXPECT_EQ(c_.Run("RPUSH q only"), ":1");
  EXPECT_EQ(Show(b2.GetReply()), "[$q, $only]");
  // Killed without a clean shutdown: what the served clients were told is on disk.
  server_.Kill9();
  ASSERT_TRUE(server_.Restart());
  c_ = server_.Connect();
  ASSERT_TRUE(c_.ok());
  EXPECT_EQ(c_.Run("LRANGE src 0 -1"), "[$b]");
  EXPECT_EQ(c_.Run("LRANGE dst 0 -1"), "[$a]");
  EXPECT_EQ(c_.Run("EXISTS q"), ":0");
  EXPECT_EQ(c_.Run("DBSIZE"), ":2");
}

TEST_F(BlockingTest, FlushallAndSwapdbWhileBlocked) {
  Client b = Connect();
  Send(b, {"BLPOP", "k", "0"});
  ASSERT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("FLUSHALL"), "+OK");
  EXPECT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("RPUSH k fromdb1"), ":1");
  EXPECT_EQ(c_.Run("SWAPDB 0 1"), "+OK");
  EXPECT_EQ(Show(b.GetReply()), "[$k, $fromdb1]") << "SWAPDB brings a list to the waiter";
}

}  // namespace
}  // namespace strata::integration
