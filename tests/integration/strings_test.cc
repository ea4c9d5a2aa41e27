// String family: GET/SET and options, SETNX/SETEX/PSETEX, GETSET/GETDEL/GETEX, MGET/MSET/MSETNX,
// INCR/DECR family, INCRBYFLOAT, APPEND/STRLEN, GETRANGE/SUBSTR, SETRANGE.
// Every expected reply below was measured on redis-server 7.0.15.
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class StringsTest : public ServerTest {
 protected:
  long long Int(std::string_view line) {
    Reply r = c_.Cmd(line);
    EXPECT_NE(r, nullptr);
    if (r == nullptr || r->type != REDIS_REPLY_INTEGER) {
      ADD_FAILURE() << line << " -> " << Show(r);
      return -100;
    }
    return r->integer;
  }
};

constexpr char kSyntax[] = "-ERR syntax error";
constexpr char kNotInt[] = "-ERR value is not an integer or out of range";
constexpr char kNotFloat[] = "-ERR value is not a valid float";

TEST_F(StringsTest, GetAndSet) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "$-1\r\n");
  EXPECT_EQ(raw.Exchange("SET k hello\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("GET k\r\n"), "$5\r\nhello\r\n");
  EXPECT_EQ(raw.Exchange("SET k \"\"\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("GET k\r\n"), "$0\r\n\r\n");
  EXPECT_EQ(c_.Run("SET k world"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$world");
  EXPECT_EQ(c_.Run("GET"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c_.Run("GET a b"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c_.Run("SET k"), "-ERR wrong number of arguments for 'set' command");
}

TEST_F(StringsTest, SetExpireOptions) {
  EXPECT_EQ(c_.Run("SET k v EX 100"), "+OK");
  long long ttl = Int("TTL k");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);

  EXPECT_EQ(c_.Run("SET k v PX 100000"), "+OK");
  long long pttl = Int("PTTL k");
  EXPECT_GT(pttl, 90000);
  EXPECT_LE(pttl, 100000);

  EXPECT_EQ(c_.Run({"SET", "k", "v", "EXAT", std::to_string(UnixSeconds() + 100)}), "+OK");
  ttl = Int("TTL k");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 101);

  const int64_t at_ms = UnixMillis() + 100000;
  EXPECT_EQ(c_.Run({"SET", "k", "v", "PXAT", std::to_string(at_ms)}), "+OK");
  EXPECT_EQ(c_.Run("PEXPIRETIME k"), ":" + std::to_string(at_ms));
  // Option names are case-insensitive.
  EXPECT_EQ(c_.Run("SET k v ex 50"), "+OK");
  ttl = Int("TTL k");
  EXPECT_GE(ttl, 40);
  EXPECT_LE(ttl, 50);
  EXPECT_EQ(c_.Run("SET k v"), "+OK");  // a plain SET clears the TTL
  EXPECT_EQ(c_.Run("TTL k"), ":-1");
}

TEST_F(StringsTest, SetWithShortExpiryVanishes) {
  EXPECT_EQ(c_.Run("SET k v PX 100"), "+OK");
  EXPECT_EQ(c_.Run("SET keep v"), "+OK");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("GET k") == "(nil)"; }))
      << "key with PX 100 still readable after 10 s";
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("TTL k"), ":-2");
  EXPECT_EQ(c_.Run("GET keep"), "$v");
  // An expired key can be set again with NX.
  EXPECT_EQ(c_.Run("SET k w NX"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$w");
}

TEST_F(StringsTest, SetNxXx) {
  EXPECT_EQ(c_.Run("SET k v XX"), "(nil)");
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("SET k v NX"), "+OK");
  EXPECT_EQ(c_.Run("SET k w NX"), "(nil)");
  EXPECT_EQ(c_.Run("GET k"), "$v");
  EXPECT_EQ(c_.Run("SET k w XX"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$w");
  EXPECT_EQ(c_.Run("SET k x XX EX 100"), "+OK");
  EXPECT_GT(Int("TTL k"), 0);
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("SET k v NX\r\n"), "$-1\r\n");  // a null bulk, not a null array
}

TEST_F(StringsTest, SetGetOption) {
  EXPECT_EQ(c_.Run("SET k v GET"), "(nil)");
  EXPECT_EQ(c_.Run("GET k"), "$v");
  EXPECT_EQ(c_.Run("SET k w GET"), "$v");
  EXPECT_EQ(c_.Run("GET k"), "$w");
  // NX GET: returns the old value and does not write (allowed since Redis 7.0).
  EXPECT_EQ(c_.Run("SET k x NX GET"), "$w");
  EXPECT_EQ(c_.Run("GET k"), "$w");
  EXPECT_EQ(c_.Run("SET k y XX GET"), "$w");
  EXPECT_EQ(c_.Run("GET k"), "$y");
  EXPECT_EQ(c_.Run("SET n z XX GET"), "(nil)");
  EXPECT_EQ(c_.Run("EXISTS n"), ":0");
  EXPECT_EQ(c_.Run("SET n z NX GET"), "(nil)");
  EXPECT_EQ(c_.Run("GET n"), "$z");
  EXPECT_EQ(c_.Run("SET k v GET EX 100"), "$y");
  EXPECT_GT(Int("TTL k"), 0);
}

TEST_F(StringsTest, SetKeepTtl) {
  EXPECT_EQ(c_.Run("SET k v EX 100"), "+OK");
  EXPECT_EQ(c_.Run("SET k w KEEPTTL"), "+OK");
  long long ttl = Int("TTL k");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);
  EXPECT_EQ(c_.Run("GET k"), "$w");
  EXPECT_EQ(c_.Run("SET k x"), "+OK");
  EXPECT_EQ(c_.Run("TTL k"), ":-1");
  EXPECT_EQ(c_.Run("SET new v KEEPTTL"), "+OK");
  EXPECT_EQ(c_.Run("TTL new"), ":-1");
}

TEST_F(StringsTest, SetInvalidOptionCombinations) {
  EXPECT_EQ(c_.Run("SET k v EX 10 PX 100"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v ex 10 px 100"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v EX 10 EXAT 100"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v PXAT 10 EXAT 100"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v NX XX"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v KEEPTTL EX 10"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v PX 10 KEEPTTL"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v EX"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v FOO"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v 10"), kSyntax);
  EXPECT_EQ(c_.Run("SET k v EX abc"), kNotInt);
  EXPECT_EQ(c_.Run("SET k v PX 1.5"), kNotInt);
  const std::string bad_expire = "-ERR invalid expire time in 'set' command";
  EXPECT_EQ(c_.Run("SET k v EX 0"), bad_expire);
  EXPECT_EQ(c_.Run("SET k v EX -1"), bad_expire);
  EXPECT_EQ(c_.Run("SET k v PX 0"), bad_expire);
  EXPECT_EQ(c_.Run("SET k v EXAT 0"), bad_expire);
  EXPECT_EQ(c_.Run("SET k v PXAT -5"), bad_expire);
  EXPECT_EQ(c_.Run("SET k v EX 9999999999999999"), bad_expire);  // overflows in ms
  EXPECT_EQ(c_.Run("SET k v EX 9223372036854775"), bad_expire);
  EXPECT_EQ(c_.Run("EXISTS k"), ":0") << "a rejected SET must not write";
}

TEST_F(StringsTest, SetnxSetexPsetex) {
  EXPECT_EQ(c_.Run("SETNX k 1"), ":1");
  EXPECT_EQ(c_.Run("SETNX k 2"), ":0");
  EXPECT_EQ(c_.Run("GET k"), "$1");

  EXPECT_EQ(c_.Run("SETEX s 100 v"), "+OK");
  long long ttl = Int("TTL s");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);
  EXPECT_EQ(c_.Run("GET s"), "$v");
  EXPECT_EQ(c_.Run("PSETEX p 100000 v"), "+OK");
  long long pttl = Int("PTTL p");
  EXPECT_GT(pttl, 90000);
  EXPECT_LE(pttl, 100000);

  EXPECT_EQ(c_.Run("SETEX s 0 v"), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(c_.Run("SETEX s -1 v"), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(c_.Run("SETEX s abc v"), kNotInt);
  EXPECT_EQ(c_.Run("PSETEX p 0 v"), "-ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(c_.Run("SETEX s 10"), "-ERR wrong number of arguments for 'setex' command");
  EXPECT_EQ(c_.Run("SETNX k"), "-ERR wrong number of arguments for 'setnx' command");
}

TEST_F(StringsTest, GetsetGetdel) {
  EXPECT_EQ(c_.Run("GETSET k 1"), "(nil)");
  EXPECT_EQ(c_.Run("GETSET k 2"), "$1");
  EXPECT_EQ(c_.Run("GET k"), "$2");
  EXPECT_EQ(c_.Run("EXPIRE k 100"), ":1");
  EXPECT_EQ(c_.Run("GETSET k 3"), "$2");
  EXPECT_EQ(c_.Run("TTL k"), ":-1") << "GETSET clears the TTL";
  EXPECT_EQ(c_.Run("GETDEL k"), "$3");
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("GETDEL k"), "(nil)");
  EXPECT_EQ(c_.Run("GETDEL"), "-ERR wrong number of arguments for 'getdel' command");
}

TEST_F(StringsTest, Getex) {
  EXPECT_EQ(c_.Run("SET k v"), "+OK");
  EXPECT_EQ(c_.Run("GETEX k"), "$v");
  EXPECT_EQ(c_.Run("TTL k"), ":-1");
  EXPECT_EQ(c_.Run("GETEX k EX 100"), "$v");
  long long ttl = Int("TTL k");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);
  EXPECT_EQ(c_.Run("GETEX k PX 200000"), "$v");
  EXPECT_GT(Int("PTTL k"), 100000);
  EXPECT_EQ(c_.Run({"GETEX", "k", "EXAT", std::to_string(UnixSeconds() + 300)}), "$v");
  ttl = Int("TTL k");
  EXPECT_GE(ttl, 290);
  EXPECT_LE(ttl, 301);
  const int64_t at_ms = UnixMillis() + 400000;
  EXPECT_EQ(c_.Run({"GETEX", "k", "PXAT", std::to_string(at_ms)}), "$v");
  EXPECT_EQ(c_.Run("PEXPIRETIME k"), ":" + std::to_string(at_ms));
  EXPECT_EQ(c_.Run("GETEX k PERSIST"), "$v");
  EXPECT_EQ(c_.Run("TTL k"), ":-1");
  EXPECT_EQ(c_.Run("GETEX missing EX 10"), "(nil)");
  EXPECT_EQ(c_.Run("EXISTS missing"), ":0");

  EXPECT_EQ(c_.Run("GETEX k EX 0"), "-ERR invalid expire time in 'getex' command");
  EXPECT_EQ(c_.Run("GETEX k PX -1"), "-ERR invalid expire time in 'getex' command");
  EXPECT_EQ(c_.Run("GETEX k EX 10 PX 10"), kSyntax);
  EXPECT_EQ(c_.Run("GETEX k PERSIST EX 10"), kSyntax);
  EXPECT_EQ(c_.Run("GETEX k FOO"), kSyntax);
  EXPECT_EQ(c_.Run("GETEX k EX"), kSyntax);
  EXPECT_EQ(c_.Run("GETEX k EX x"), kNotInt);
  EXPECT_EQ(c_.Run("TTL k"), ":-1");
}

TEST_F(StringsTest, GetexShortExpiryVanishes) {
  EXPECT_EQ(c_.Run("SET k v"), "+OK");
  EXPECT_EQ(c_.Run("GETEX k PX 50"), "$v");
  EXPECT_TRUE(PollUntil([&] { return c_.Run("EXISTS k") == ":0"; }));
}

TEST_F(StringsTest, MgetMset) {
  EXPECT_EQ(c_.Run("MSET a 1 b 2 c 3"), "+OK");
  EXPECT_EQ(c_.Run("MGET a missing b c"), "[$1, (nil), $2, $3]");
  EXPECT_EQ(c_.Run("MSET a 10 a 11"), "+OK");  // the last one wins
  EXPECT_EQ(c_.Run("GET a"), "$11");
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("MGET b nokey\r\n"), "*2\r\n$1\r\n2\r\n$-1\r\n");
  EXPECT_EQ(c_.Run("MSET a"), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(c_.Run("MSET a 1 b"), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(c_.Run("MGET"), "-ERR wrong number of arguments for 'mget' command");
  EXPECT_EQ(c_.Run("EXPIRE b 100"), ":1");
  EXPECT_EQ(c_.Run("MSET b 5"), "+OK");
  EXPECT_EQ(c_.Run("TTL b"), ":-1") << "MSET clears the TTL";
}

TEST_F(StringsTest, Msetnx) {
  EXPECT_EQ(c_.Run("MSETNX a 1 b 2"), ":1");
  EXPECT_EQ(c_.Run("MSETNX b 3 c 4"), ":0");
  EXPECT_EQ(c_.Run("MGET a b c"), "[$1, $2, (nil)]") << "MSETNX is all or nothing";
  EXPECT_EQ(c_.Run("MSETNX c 1 c 2"), ":1");
  EXPECT_EQ(c_.Run("GET c"), "$2");
  EXPECT_EQ(c_.Run("MSETNX a"), "-ERR wrong number of arguments for 'msetnx' command");
  EXPECT_EQ(c_.Run("MSETNX a 1 b"), "-ERR wrong number of arguments for 'msetnx' command");
}

TEST_F(StringsTest, IncrDecr) {
  EXPECT_EQ(c_.Run("INCR n"), ":1");
  EXPECT_EQ(c_.Run("INCR n"), ":2");
  EXPECT_EQ(c_.Run("INCRBY n 10"), ":12");
  EXPECT_EQ(c_.Run("DECR n"), ":11");
  EXPECT_EQ(c_.Run("DECRBY n 20"), ":-9");
  EXPECT_EQ(c_.Run("INCRBY n -1"), ":-10");
  EXPECT_EQ(c_.Run("GET n"), "$-10");
  EXPECT_EQ(c_.Run("DECR fresh"), ":-1");
  EXPECT_EQ(c_.Run("DECRBY fresh2 5"), ":-5");
  EXPECT_EQ(c_.Run("SET n 9223372036854775806"), "+OK");
  EXPECT_EQ(c_.Run("INCR n"), ":9223372036854775807");
  EXPECT_EQ(c_.Run("SET m -9223372036854775807"), "+OK");
  EXPECT_EQ(c_.Run("DECR m"), ":-9223372036854775808");
  EXPECT_EQ(c_.Run("SET t 5"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE t 100"), ":1");
  EXPECT_EQ(c_.Run("INCR t"), ":6");
  EXPECT_GT(Int("TTL t"), 0) << "INCR keeps the TTL";
}

TEST_F(StringsTest, IncrErrors) {
  const std::string overflow = "-ERR increment or decrement would overflow";
  EXPECT_EQ(c_.Run("SET big 9223372036854775807"), "+OK");
  EXPECT_EQ(c_.Run("INCR big"), overflow);
  EXPECT_EQ(c_.Run("INCRBY big 1"), overflow);
  EXPECT_EQ(c_.Run("GET big"), "$9223372036854775807");
  EXPECT_EQ(c_.Run("SET small -9223372036854775808"), "+OK");
  EXPECT_EQ(c_.Run("DECR small"), overflow);
  EXPECT_EQ(c_.Run("DECRBY small 1"), overflow);
  EXPECT_EQ(c_.Run("SET n 1"), "+OK");
  EXPECT_EQ(c_.Run("INCRBY n 9223372036854775807"), overflow);
  EXPECT_EQ(c_.Run("DECRBY n -9223372036854775808"), "-ERR decrement would overflow");
  EXPECT_EQ(c_.Run("INCRBY n abc"), kNotInt);
  EXPECT_EQ(c_.Run("INCRBY n 1.5"), kNotInt);
  EXPECT_EQ(c_.Run("INCRBY n 9223372036854775808"), kNotInt);
  // Values that are not canonical 64-bit integers.
  for (const char* v : {"abc", " 1", "1 ", "1.5", "", "01", "+1", "-0", "123456789012345678901",
                        "9223372036854775808", "0x10"}) {
    EXPECT_EQ(c_.Run({"SET", "s", v}), "+OK");
    EXPECT_EQ(c_.Run("INCR s"), kNotInt) << "value '" << v << "'";
    EXPECT_EQ(c_.Run({"GET", "s"}), "$" + std::string(v)) << "a failed INCR must not write";
  }
  EXPECT_EQ(c_.Run("SET s -1"), "+OK");
  EXPECT_EQ(c_.Run("INCR s"), ":0");
  EXPECT_EQ(c_.Run("INCR"), "-ERR wrong number of arguments for 'incr' command");
  EXPECT_EQ(c_.Run("INCRBY n"), "-ERR wrong number of arguments for 'incrby' command");
  EXPECT_EQ(c_.Run("DECRBY n"), "-ERR wrong number of arguments for 'decrby' command");
}

TEST_F(StringsTest, IncrbyfloatFormatting) {
  EXPECT_EQ(c_.Run("SET f 10.5"), "+OK");
  EXPECT_EQ(c_.Run("INCRBYFLOAT f 0.1"), "$10.6");
  EXPECT_EQ(c_.Run("GET f"), "$10.6");
  EXPECT_EQ(c_.Run("SET g 5.0e3"), "+OK");
  EXPECT_EQ(c_.Run("INCRBYFLOAT g 2.0e2"), "$5200");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h 3"), "$3");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h 1.5"), "$4.5");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h -4.5"), "$0");
  EXPECT_EQ(c_.Run("INCRBYFLOAT w 0.1"), "$0.1");
  EXPECT_EQ(c_.Run("INCRBYFLOAT w 0.2"), "$0.3");
  EXPECT_EQ(c_.Run("INCRBYFLOAT q 1e20"), "$100000000000000000000");
  EXPECT_EQ(c_.Run("INCRBYFLOAT r 1e-5"), "$0.00001");
  EXPECT_EQ(c_.Run("INCRBYFLOAT v 3.0"), "$3");
  EXPECT_EQ(c_.Run("INCRBYFLOAT x 1.23456789012345678"), "$1.23456789012345678");
  EXPECT_EQ(c_.Run("SET i 7"), "+OK");
  EXPECT_EQ(c_.Run("INCRBYFLOAT i -10"), "$-3");
  EXPECT_EQ(c_.Run("INCR i"), ":-2") << "an integral float result is stored as an integer";
  EXPECT_EQ(c_.Run("SET t 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE t 100"), ":1");
  EXPECT_EQ(c_.Run("INCRBYFLOAT t 1"), "$2");
  EXPECT_GT(Int("TTL t"), 0) << "INCRBYFLOAT keeps the TTL";
}

TEST_F(StringsTest, IncrbyfloatErrors) {
  EXPECT_EQ(c_.Run("SET h 1"), "+OK");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h inf"), "-ERR increment would produce NaN or Infinity");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h -inf"), "-ERR increment would produce NaN or Infinity");
  EXPECT_EQ(c_.Run("INCRBYFLOAT h nan"), kNotFloat);
  EXPECT_EQ(c_.Run("INCRBYFLOAT h abc"), kNotFloat);
  EXPECT_EQ(c_.Run({"INCRBYFLOAT", "h", " 1"}), kNotFloat);
  EXPECT_EQ(c_.Run({"INCRBYFLOAT", "h", ""}), kNotFloat);
  EXPECT_EQ(c_.Run("GET h"), "$1");
  EXPECT_EQ(c_.Run("SET s abc"), "+OK");
  EXPECT_EQ(c_.Run("INCRBYFLOAT s 1"), kNotFloat);
  EXPECT_EQ(c_.Run("INCRBYFLOAT s"), "-ERR wrong number of arguments for 'incrbyfloat' command");
}

TEST_F(StringsTest, IncrbyfloatUsesLongDoublePrecision) {
  // Redis parses with strtold and prints "%.17Lf" with trailing zeros removed.
  EXPECT_EQ(c_.Run("INCRBYFLOAT z 1.7976931348623157e308"),
            "$17976931348623156999592104677410443404838644694432917848531442076517662852312439"
            "6354701868608387085564428793419425520689308708363451136055357897278026477617073498"
            "9776862883948356181632940455944349295374472906274806694173846488791227762183335989"
            "53852832103282504751611691208117720159985926376802466863339536384");
}

TEST_F(StringsTest, AppendStrlen) {
  EXPECT_EQ(c_.Run("APPEND a hello"), ":5");
  EXPECT_EQ(c_.Run({"APPEND", "a", " world"}), ":11");
  EXPECT_EQ(c_.Run("GET a"), "$hello world");
  EXPECT_EQ(c_.Run("STRLEN a"), ":11");
  EXPECT_EQ(c_.Run("STRLEN missing"), ":0");
  EXPECT_EQ(c_.Run({"APPEND", "a", ""}), ":11");
  EXPECT_EQ(c_.Run({"APPEND", "b", std::string("\0\r\n", 3)}), ":3");
  EXPECT_EQ(c_.Run("STRLEN b"), ":3");
  EXPECT_EQ(c_.Run("SET n 12"), "+OK");
  EXPECT_EQ(c_.Run("APPEND n 3"), ":3");
  EXPECT_EQ(c_.Run("INCR n"), ":124");
  EXPECT_EQ(c_.Run("EXPIRE a 100"), ":1");
  EXPECT_EQ(c_.Run("APPEND a !"), ":12");
  EXPECT_GT(Int("TTL a"), 0) << "APPEND keeps the TTL";
  EXPECT_EQ(c_.Run("APPEND a"), "-ERR wrong number of arguments for 'append' command");
  EXPECT_EQ(c_.Run("STRLEN"), "-ERR wrong number of arguments for 'strlen' command");
}

TEST_F(StringsTest, GetrangeAndSubstr) {
  EXPECT_EQ(c_.Run({"SET", "a", "hello world"}), "+OK");
  EXPECT_EQ(c_.Run("GETRANGE a 0 4"), "$hello");
  EXPECT_EQ(c_.Run("GETRANGE a -5 -1"), "$world");
  EXPECT_EQ(c_.Run("GETRANGE a 0 -1"), "$hello world");
  EXPECT_EQ(c_.Run("GETRANGE a 5 2"), "$");
  EXPECT_EQ(c_.Run("GETRANGE a -100 100"), "$hello world");
  EXPECT_EQ(c_.Run("GETRANGE a 100 200"), "$");
  EXPECT_EQ(c_.Run("GETRANGE a -1 -5"), "$");
  EXPECT_EQ(c_.Run("GETRANGE a 0 0"), "$h");
  EXPECT_EQ(c_.Run("GETRANGE a 10 10"), "$d");
  // Redis 7.0-7.2 clamps a too-negative end to 0 (Redis 8 returns "").
  EXPECT_EQ(c_.Run("GETRANGE a 0 -100"), "$h");
  EXPECT_EQ(c_.Run("GETRANGE missing 0 -1"), "$");
  EXPECT_EQ(c_.Run("SUBSTR a 0 2"), "$hel");
  EXPECT_EQ(c_.Run("SUBSTR a -3 -1"), "$rld");
  EXPECT_EQ(c_.Run("GETRANGE a x 1"), kNotInt);
  EXPECT_EQ(c_.Run("GETRANGE a 0"), "-ERR wrong number of arguments for 'getrange' command");
  EXPECT_EQ(c_.Run("SUBSTR a 0"), "-ERR wrong number of arguments for 'substr' command");
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("GETRANGE missing 0 -1\r\n"), "$0\r\n\r\n");
}

TEST_F(StringsTest, Setrange) {
  EXPECT_EQ(c_.Run("SETRANGE s 5 ab"), ":7");
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("GET s\r\n"), "$7\r\n\0\0\0\0\0ab\r\n"s);
  EXPECT_EQ(c_.Run("SETRANGE s 0 XY"), ":7");
  EXPECT_EQ(raw.Exchange("GET s\r\n"), "$7\r\nXY\0\0\0ab\r\n"s);
  EXPECT_EQ(c_.Run("SETRANGE s 6 cdef"), ":10");
  EXPECT_EQ(c_.Run("GETRANGE s 5 -1"), "$acdef");
  EXPECT_EQ(c_.Run({"SETRANGE", "s", "1", ""}), ":10");
  // An empty value never creates a key, whatever the offset.
  EXPECT_EQ(c_.Run({"SETRANGE", "e", "0", ""}), ":0");
  EXPECT_EQ(c_.Run({"SETRANGE", "e", "10", ""}), ":0");
  EXPECT_EQ(c_.Run({"SETRANGE", "e", "536870911", ""}), ":0");
  EXPECT_EQ(c_.Run("EXISTS e"), ":0");

  EXPECT_EQ(c_.Run("SETRANGE s -1 x"), "-ERR offset is out of range");
  EXPECT_EQ(c_.Run("SETRANGE s abc x"), kNotInt);
  const std::string too_big = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  EXPECT_EQ(c_.Run("SETRANGE s 536870912 x"), too_big);
  EXPECT_EQ(c_.Run("SETRANGE s 536870911 xy"), too_big);
  EXPECT_EQ(c_.Run("SETRANGE n 536870912 x"), too_big);
  EXPECT_EQ(c_.Run("EXISTS n"), ":0");
  EXPECT_EQ(c_.Run("STRLEN s"), ":10");
  EXPECT_EQ(c_.Run("EXPIRE s 100"), ":1");
  EXPECT_EQ(c_.Run("SETRANGE s 0 z"), ":10");
  EXPECT_GT(Int("TTL s"), 0) << "SETRANGE keeps the TTL";
  EXPECT_EQ(c_.Run("SETRANGE s 0"), "-ERR wrong number of arguments for 'setrange' command");
}

}  // namespace
}  // namespace strata::integration
