// Keyspace family: DEL/UNLINK/EXISTS/TYPE, KEYS globs, SCAN, RANDOMKEY, RENAME/RENAMENX,
// COPY, MOVE, EXPIRE family with NX/XX/GT/LT, TTL/PTTL/EXPIRETIME/PEXPIRETIME/PERSIST, expiry,
// DBSIZE, FLUSHDB/FLUSHALL, SWAPDB.
// Every expected reply below was measured on redis-server 7.0.15.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class KeyspaceTest : public ServerTest {
 protected:
  long long Int(std::string_view line) {
    Reply r = c_.Cmd(line);
    if (r == nullptr || r->type != REDIS_REPLY_INTEGER) {
      ADD_FAILURE() << line << " -> " << Show(r);
      return -100;
    }
    return r->integer;
  }

  // KEYS <pattern>, sorted.
  std::vector<std::string> Keys(std::string_view pattern) {
    Reply r = c_.Cmd({"KEYS", pattern});
    std::vector<std::string> out;
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY) {
      ADD_FAILURE() << "KEYS " << pattern << " -> " << Show(r);
      return out;
    }
    for (size_t i = 0; i < r->elements; ++i) {
      out.emplace_back(r->element[i]->str, r->element[i]->len);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Writes `n` keys "<prefix><i>" = "v<i>" with pipelined MSETs.
  void Fill(const std::string& prefix, int n) {
    const int kBatch = 500;
    int batches = 0;
    for (int i = 0; i < n; i += kBatch) {
      std::vector<std::string> argv{"MSET"};
      for (int j = i; j < std::min(n, i + kBatch); ++j) {
        argv.push_back(prefix + std::to_string(j));
        argv.push_back("v" + std::to_string(j));
      }
      c_.Append(argv);
      ++batches;
    }
    for (int b = 0; b < batches; ++b) ASSERT_EQ(Show(c_.GetReply()), "+OK");
  }

  // A full SCAN iteration with the given extra arguments. Every cursor must be a bulk string
  // holding a decimal u64. Returns every key returned (with duplicates) or fails.
  std::vector<std::string> ScanAll(const std::vector<std::string>& extra, int* calls = nullptr) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> argv{"SCAN", cursor};
      argv.insert(argv.end(), extra.begin(), extra.end());
      Reply r = c_.Cmd(argv);
      if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
          r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY) {
        ADD_FAILURE() << "bad SCAN reply: " << Show(r);
        return keys;
      }
      cursor.assign(r->element[0]->str, r->element[0]->len);
      if (cursor.empty() || cursor.size() > 20 ||
          !std::all_of(cursor.begin(), cursor.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; })) {
        ADD_FAILURE() << "cursor is not a decimal number: " << cursor;
        return keys;
      }
      for (size_t i = 0; i < r->element[1]->elements; ++i) {
        const redisReply* e = r->element[1]->element[i];
        keys.emplace_back(e->str, e->len);
      }
      if (++n > 100000) {
        ADD_FAILURE() << "SCAN did not terminate";
        return keys;
      }
    } while (cursor != "0");
    if (calls != nullptr) *calls = n;
    return keys;
  }
};

constexpr char kSyntax[] = "-ERR syntax error";
constexpr char kNotInt[] = "-ERR value is not an integer or out of range";

TEST_F(KeyspaceTest, DelUnlinkExistsType) {
  EXPECT_EQ(c_.Run("MSET a 1 b 2 c 3 d 4"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS a a b x"), ":3") << "EXISTS counts duplicates";
  EXPECT_EQ(c_.Run("EXISTS x"), ":0");
  EXPECT_EQ(c_.Run("TYPE a"), "+string");
  EXPECT_EQ(c_.Run("TYPE x"), "+none");
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("TYPE a\r\n"), "+string\r\n");  // a status reply, not a bulk
  EXPECT_EQ(raw.Exchange("TYPE nokey\r\n"), "+none\r\n");
  EXPECT_EQ(c_.Run("DEL a x a"), ":1") << "DEL counts each deleted key once";
  EXPECT_EQ(c_.Run("UNLINK b c x"), ":2");
  EXPECT_EQ(c_.Run("DEL nokey"), ":0");
  EXPECT_EQ(c_.Run("EXISTS a b c d"), ":1");
  EXPECT_EQ(c_.Run("DEL"), "-ERR wrong number of arguments for 'del' command");
  EXPECT_EQ(c_.Run("UNLINK"), "-ERR wrong number of arguments for 'unlink' command");
  EXPECT_EQ(c_.Run("EXISTS"), "-ERR wrong number of arguments for 'exists' command");
  EXPECT_EQ(c_.Run("TYPE"), "-ERR wrong number of arguments for 'type' command");
  EXPECT_EQ(c_.Run("TYPE a b"), "-ERR wrong number of arguments for 'type' command");
}

// What Redis 7.0 answers for values as they are now (checked against redis-server).
TEST_F(KeyspaceTest, ObjectEncodingRefcountFreq) {
  EXPECT_EQ(c_.Run("OBJECT ENCODING nokey"), "(nil)");
  EXPECT_EQ(c_.Run("SET i 123"), "+OK");
  EXPECT_EQ(c_.Run("OBJECT ENCODING i"), "$int");
  EXPECT_EQ(c_.Run("OBJECT REFCOUNT i"), ":2147483647");
  EXPECT_EQ(c_.Run("SET s abc"), "+OK");
  EXPECT_EQ(c_.Run("OBJECT ENCODING s"), "$embstr");
  EXPECT_EQ(c_.Run("OBJECT REFCOUNT s"), ":1");
  EXPECT_EQ(c_.Run({"SET", "r", std::string(45, 'x')}), "+OK");
  EXPECT_EQ(c_.Run("OBJECT ENCODING r"), "$raw");
  EXPECT_EQ(c_.Run("RPUSH l a"), ":1");
  EXPECT_EQ(c_.Run("OBJECT ENCODING l"), "$quicklist");
  EXPECT_EQ(c_.Run("SADD si 1 2"), ":2");
  EXPECT_EQ(c_.Run("OBJECT ENCODING si"), "$intset");
  EXPECT_EQ(c_.Run("SADD ss a"), ":1");
  EXPECT_EQ(c_.Run("OBJECT ENCODING ss"), "$hashtable");
  EXPECT_EQ(c_.Run("HSET h a b"), ":1");
  EXPECT_EQ(c_.Run("OBJECT ENCODING h"), "$listpack");
  EXPECT_EQ(c_.Run({"HSET", "hh", "a", std::string(70, 'x')}), ":1");
  EXPECT_EQ(c_.Run("OBJECT ENCODING hh"), "$hashtable");
  EXPECT_EQ(c_.Run("ZADD z 1 a"), ":1");
  EXPECT_EQ(c_.Run("OBJECT ENCODING z"), "$listpack");
  EXPECT_EQ(c_.Run("OBJECT IDLETIME s"), ":0");
  EXPECT_EQ(c_.Run("OBJECT FREQ s"),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust.");
  EXPECT_EQ(c_.Run("OBJECT ENCODING"),
            "-ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(c_.Run("OBJECT FOO s"), "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
}

TEST_F(KeyspaceTest, KeysGlobs) {
  for (const char* k : {"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h[a]llo", "a\\b",
                        "x-y", "]", "foo", "foobar"}) {
    ASSERT_EQ(c_.Run({"SET", k, "1"}), "+OK");
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(Keys("h?llo"), (V{"h*llo", "hallo", "hello", "hxllo"}));
  EXPECT_EQ(Keys("h*llo"), (V{"h*llo", "h[a]llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(Keys("h[ae]llo"), (V{"hallo", "hello"}));
  EXPECT_EQ(Keys("h[^e]llo"), (V{"h*llo", "hallo", "hxllo"}));
  EXPECT_EQ(Keys("h[a-b]llo"), (V{"hallo"}));
  EXPECT_EQ(Keys("h[b-a]llo"), (V{"hallo"})) << "reversed ranges are swapped";
  EXPECT_EQ(Keys("h[!e]llo"), (V{"hello"})) << "'!' is not a negation";
  EXPECT_EQ(Keys("h\\*llo"), (V{"h*llo"}));
  EXPECT_EQ(Keys("h\\[a\\]llo"), (V{"h[a]llo"}));
  EXPECT_EQ(Keys("foo*"), (V{"foo", "foobar"}));
  EXPECT_EQ(Keys("*o"),
            (V{"foo", "h*llo", "h[a]llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(Keys("[]"), V{});
  EXPECT_EQ(Keys("x[-]y"), (V{"x-y"}));
  EXPECT_EQ(Keys("[\\]]"), (V{"]"}));
  EXPECT_EQ(Keys("a\\\\b"), (V{"a\\b"}));
  EXPECT_EQ(Keys("fo["), V{});
  EXPECT_EQ(Keys("nomatch*"), V{});
  EXPECT_EQ(Keys("*").size(), 12u);
  EXPECT_EQ(Keys("FOO"), V{}) << "matching is case-sensitive";
  EXPECT_EQ(c_.Run("KEYS"), "-ERR wrong number of arguments for 'keys' command");
}

TEST_F(KeyspaceTest, ScanVisitsEveryKeyOver10000Keys) {
  ASSERT_NO_FATAL_FAILURE(Fill("key:", 10000));
  EXPECT_EQ(c_.Run("DBSIZE"), ":10000");
  for (const auto& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"COUNT", "1000"}}) {
    int calls = 0;
    std::vector<std::string> keys = ScanAll(extra, &calls);
    std::set<std::string> unique(keys.begin(), keys.end());
    EXPECT_EQ(unique.size(), 10000u);
    EXPECT_GE(keys.size(), 10000u);
    for (int i = 0; i < 10000; i += 997) {
      EXPECT_EQ(unique.count("key:" + std::to_string(i)), 1u) << i;
    }
    for (const auto& k : unique) {
      ASSERT_EQ(k.rfind("key:", 0), 0u) << "unexpected key " << k;
    }
    EXPECT_GT(calls, 1) << "SCAN must page through 10,000 keys";
  }
}

TEST_F(KeyspaceTest, ScanWhileKeysChange) {
  // Keys present for the whole iteration are returned; added ones may or may not be.
  ASSERT_NO_FATAL_FAILURE(Fill("stable:", 2000));
  std::set<std::string> seen;
  std::string cursor = "0";
  int round = 0;
  do {
    Reply r = c_.Cmd({"SCAN", cursor, "COUNT", "50"});
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (size_t i = 0; i < r->element[1]->elements; ++i) {
      seen.emplace(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
    }
    // Churn: add and delete other keys between pages.
    ASSERT_EQ(c_.Run({"SET", "churn:" + std::to_string(round), "x"}), "+OK");
    if (round > 0) {
      ASSERT_EQ(c_.Run({"DEL", "churn:" + std::to_string(round - 1)}), ":1");
    }
    ++round;
    ASSERT_LT(round, 100000);
  } while (cursor != "0");
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(seen.count("stable:" + std::to_string(i)), 1u) << i;
  }
}

TEST_F(KeyspaceTest, ScanMatchCountType) {
  ASSERT_NO_FATAL_FAILURE(Fill("k1", 300));  // k10 .. k1299
  ASSERT_NO_FATAL_FAILURE(Fill("other", 200));
  std::set<std::string> expected;
  for (int i = 0; i < 300; ++i) expected.insert("k1" + std::to_string(i));

  std::vector<std::string> got = ScanAll({"MATCH", "k1*", "COUNT", "7"});
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
  got = ScanAll({"COUNT", "100", "MATCH", "k1*"});
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
  got = ScanAll({"MATCH", "k1?", "TYPE", "string"});
  std::set<std::string> ten;
  for (int i = 0; i < 10; ++i) ten.insert("k1" + std::to_string(i));
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), ten);
  got = ScanAll({"TYPE", "string"});
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 500u);
  got = ScanAll({"TYPE", "list"});
  EXPECT_TRUE(got.empty());
  got = ScanAll({"MATCH", "nothing*"});
  EXPECT_TRUE(got.empty());
}

TEST_F(KeyspaceTest, ScanErrorsAndShape) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("SCAN 0\r\n"), "*2\r\n$1\r\n0\r\n*0\r\n") << "empty database";
  EXPECT_EQ(raw.Exchange("SET a 1\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("SCAN 0\r\n"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(c_.Run("SCAN 0 COUNT 0"), kSyntax);
  EXPECT_EQ(c_.Run("SCAN 0 COUNT -1"), kSyntax);
  EXPECT_EQ(c_.Run("SCAN 0 COUNT x"), kNotInt);
  EXPECT_EQ(c_.Run("SCAN 0 MATCH"), kSyntax);
  EXPECT_EQ(c_.Run("SCAN 0 COUNT"), kSyntax);
  EXPECT_EQ(c_.Run("SCAN 0 FOO bar"), kSyntax);
  EXPECT_EQ(c_.Run("SCAN abc"), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run({"SCAN", " 0"}), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run({"SCAN", "0 "}), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run("SCAN 18446744073709551616"), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run("SCAN 1.5"), "-ERR invalid cursor");
  EXPECT_EQ(c_.Run("SCAN"), "-ERR wrong number of arguments for 'scan' command");
  // A made-up cursor is undefined behaviour but must not break the server.
  Reply r = c_.Cmd("SCAN 18446744073709551615");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(KeyspaceTest, ScanSkipsExpiredKeys) {
  ASSERT_NO_FATAL_FAILURE(Fill("live:", 100));
  for (int i = 0; i < 100; ++i) {
    c_.Append({"SET", "dying:" + std::to_string(i), "x", "PX", "50"});
  }
  for (int i = 0; i < 100; ++i) ASSERT_EQ(Show(c_.GetReply()), "+OK");
  ASSERT_TRUE(PollUntil([&] { return c_.Run("EXISTS dying:0 dying:50 dying:99") == ":0"; }));
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(c_.Run({"GET", "dying:" + std::to_string(i)}), "(nil)");
  }
  std::vector<std::string> got = ScanAll({"COUNT", "20"});
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), 100u);
  for (const auto& k : unique) EXPECT_EQ(k.rfind("live:", 0), 0u) << k;
  EXPECT_EQ(Keys("dying:*").size(), 0u);
}

TEST_F(KeyspaceTest, Randomkey) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("RANDOMKEY\r\n"), "$-1\r\n");
  EXPECT_EQ(c_.Run("MSET a 1 b 2 c 3"), "+OK");
  for (int i = 0; i < 20; ++i) {
    std::string k = c_.Run("RANDOMKEY");
    EXPECT_TRUE(k == "$a" || k == "$b" || k == "$c") << k;
  }
  EXPECT_EQ(c_.Run("RANDOMKEY x"), "-ERR wrong number of arguments for 'randomkey' command");
}

TEST_F(KeyspaceTest, RenameAndRenamenx) {
  EXPECT_EQ(c_.Run("RENAME nokey x"), "-ERR no such key");
  EXPECT_EQ(c_.Run("RENAMENX nokey x"), "-ERR no such key");
  EXPECT_EQ(c_.Run("SET a 1 EX 100"), "+OK");
  EXPECT_EQ(c_.Run("RENAME a a"), "+OK");
  EXPECT_EQ(c_.Run("RENAME a b"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS a"), ":0");
  EXPECT_EQ(c_.Run("GET b"), "$1");
  long long ttl = Int("TTL b");
  EXPECT_GE(ttl, 90) << "RENAME carries the TTL";
  EXPECT_EQ(c_.Run("SET c 3"), "+OK");
  EXPECT_EQ(c_.Run("RENAME b c"), "+OK") << "RENAME overwrites";
  EXPECT_EQ(c_.Run("GET c"), "$1");
  EXPECT_GE(Int("TTL c"), 90);
  EXPECT_EQ(c_.Run("SET d 4"), "+OK");
  EXPECT_EQ(c_.Run("RENAMENX c d"), ":0");
  EXPECT_EQ(c_.Run("GET d"), "$4");
  EXPECT_EQ(c_.Run("RENAMENX c e"), ":1");
  EXPECT_EQ(c_.Run("MGET c e"), "[(nil), $1]");
  EXPECT_EQ(c_.Run("RENAME a"), "-ERR wrong number of arguments for 'rename' command");
  EXPECT_EQ(c_.Run("RENAMENX a"), "-ERR wrong number of arguments for 'renamenx' command");
}

TEST_F(KeyspaceTest, Copy) {
  EXPECT_EQ(c_.Run("SET src v EX 100"), "+OK");
  EXPECT_EQ(c_.Run("COPY src dst"), ":1");
  EXPECT_EQ(c_.Run("GET dst"), "$v");
  EXPECT_GE(Int("TTL dst"), 90) << "COPY carries the TTL";
  EXPECT_EQ(c_.Run("SET src w"), "+OK");
  EXPECT_EQ(c_.Run("COPY src dst"), ":0");
  EXPECT_EQ(c_.Run("GET dst"), "$v");
  EXPECT_EQ(c_.Run("COPY src dst REPLACE"), ":1");
  EXPECT_EQ(c_.Run("GET dst"), "$w");
  EXPECT_EQ(c_.Run("TTL dst"), ":-1");
  EXPECT_EQ(c_.Run("COPY src dst DB 1"), ":1");
  EXPECT_EQ(c_.Run("COPY src dst DB 1"), ":0");
  EXPECT_EQ(c_.Run("COPY src dst db 1 replace"), ":1");
  EXPECT_EQ(c_.Run("COPY nokey z"), ":0");
  EXPECT_EQ(c_.Run("COPY src src"), "-ERR source and destination objects are the same");
  EXPECT_EQ(c_.Run("COPY src src DB 0"), "-ERR source and destination objects are the same");
  EXPECT_EQ(c_.Run("COPY src dst DB 16"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("COPY src dst DB x"), kNotInt);
  EXPECT_EQ(c_.Run("COPY src dst FOO"), kSyntax);
  EXPECT_EQ(c_.Run("COPY src dst DB"), kSyntax);
  EXPECT_EQ(c_.Run("COPY src"), "-ERR wrong number of arguments for 'copy' command");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("GET dst"), "$w");
  EXPECT_EQ(c_.Run("EXISTS src"), ":0");
}

TEST_F(KeyspaceTest, Move) {
  EXPECT_EQ(c_.Run("SET k v EX 100"), "+OK");
  EXPECT_EQ(c_.Run("MOVE k 1"), ":1");
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("MOVE k 1"), ":0");
  EXPECT_EQ(c_.Run("MOVE nokey 1"), ":0");
  EXPECT_EQ(c_.Run("SET k other"), "+OK");
  EXPECT_EQ(c_.Run("MOVE k 1"), ":0") << "MOVE does not overwrite";
  EXPECT_EQ(c_.Run("GET k"), "$other");
  EXPECT_EQ(c_.Run("MOVE k 0"), "-ERR source and destination objects are the same");
  EXPECT_EQ(c_.Run("MOVE k 16"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("MOVE k x"), kNotInt);
  EXPECT_EQ(c_.Run("MOVE k"), "-ERR wrong number of arguments for 'move' command");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$v");
  EXPECT_GE(Int("TTL k"), 90) << "MOVE carries the TTL";
}

TEST_F(KeyspaceTest, TtlPttlOnMissingAndPersistentKeys) {
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_EQ(c_.Run("TTL a"), ":-1");
  EXPECT_EQ(c_.Run("PTTL a"), ":-1");
  EXPECT_EQ(c_.Run("TTL x"), ":-2");
  EXPECT_EQ(c_.Run("PTTL x"), ":-2");
  EXPECT_EQ(c_.Run("EXPIRETIME a"), ":-1");
  EXPECT_EQ(c_.Run("PEXPIRETIME a"), ":-1");
  EXPECT_EQ(c_.Run("EXPIRETIME x"), ":-2");
  EXPECT_EQ(c_.Run("PEXPIRETIME x"), ":-2");
  EXPECT_EQ(c_.Run("TTL"), "-ERR wrong number of arguments for 'ttl' command");
  EXPECT_EQ(c_.Run("PTTL a b"), "-ERR wrong number of arguments for 'pttl' command");
  EXPECT_EQ(c_.Run("EXPIRETIME"), "-ERR wrong number of arguments for 'expiretime' command");
}

TEST_F(KeyspaceTest, ExpireFamily) {
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE a 100"), ":1");
  long long ttl = Int("TTL a");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);
  EXPECT_EQ(c_.Run("PEXPIRE a 200000"), ":1");
  long long pttl = Int("PTTL a");
  EXPECT_GT(pttl, 190000);
  EXPECT_LE(pttl, 200000);
  EXPECT_EQ(c_.Run("EXPIRE x 100"), ":0");
  EXPECT_EQ(c_.Run("PEXPIRE x 100"), ":0");
  EXPECT_EQ(c_.Run("EXPIREAT x 4102444800"), ":0");

  EXPECT_EQ(c_.Run("SET d 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIREAT d 4102444800"), ":1");
  EXPECT_EQ(c_.Run("EXPIRETIME d"), ":4102444800");
  EXPECT_EQ(c_.Run("PEXPIRETIME d"), ":4102444800000");
  EXPECT_EQ(c_.Run("PEXPIREAT d 4102444800123"), ":1");
  EXPECT_EQ(c_.Run("PEXPIRETIME d"), ":4102444800123");
  EXPECT_EQ(c_.Run("EXPIRETIME d"), ":4102444800");
  EXPECT_EQ(c_.Run("PERSIST d"), ":1");
  EXPECT_EQ(c_.Run("PERSIST d"), ":0");
  EXPECT_EQ(c_.Run("PERSIST nokey"), ":0");
  EXPECT_EQ(c_.Run("TTL d"), ":-1");

  // A TTL in the past deletes the key at once.
  EXPECT_EQ(c_.Run("SET e 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE e -1"), ":1");
  EXPECT_EQ(c_.Run("EXISTS e"), ":0");
  EXPECT_EQ(c_.Run("SET e 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIRE e 0"), ":1");
  EXPECT_EQ(c_.Run("EXISTS e"), ":0");
  EXPECT_EQ(c_.Run("SET e 1"), "+OK");
  EXPECT_EQ(c_.Run("EXPIREAT e 100"), ":1");
  EXPECT_EQ(c_.Run("EXISTS e"), ":0");
  EXPECT_EQ(c_.Run("SET e 1"), "+OK");
  EXPECT_EQ(c_.Run("PEXPIREAT e 0"), ":1");
  EXPECT_EQ(c_.Run("EXISTS e"), ":0");

  EXPECT_EQ(c_.Run("EXPIRE a abc"), kNotInt);
  EXPECT_EQ(c_.Run("EXPIRE a 1.5"), kNotInt);
  EXPECT_EQ(c_.Run("EXPIRE a 9223372036854775807"), "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(c_.Run("EXPIRE a 9223372036854775"), "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(c_.Run("PEXPIRE a 9223372036854775807"),
            "-ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(c_.Run("EXPIRE a"), "-ERR wrong number of arguments for 'expire' command");
  EXPECT_EQ(c_.Run("PERSIST"), "-ERR wrong number of arguments for 'persist' command");
  EXPECT_EQ(c_.Run("EXISTS a"), ":1");
}

TEST_F(KeyspaceTest, ExpireOptions) {
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  // No TTL yet: XX and GT refuse (no TTL counts as infinite), NX and LT accept.
  EXPECT_EQ(c_.Run("EXPIRE a 100 XX"), ":0");
  EXPECT_EQ(c_.Run("EXPIRE a 100 GT"), ":0");
  EXPECT_EQ(c_.Run("TTL a"), ":-1");
  EXPECT_EQ(c_.Run("EXPIRE a 100 NX"), ":1");
  EXPECT_EQ(c_.Run("EXPIRE a 200 NX"), ":0");
  EXPECT_EQ(c_.Run("EXPIRE a 50 GT"), ":0");
  EXPECT_EQ(c_.Run("EXPIRE a 300 GT"), ":1");
  EXPECT_EQ(c_.Run("EXPIRE a 400 LT"), ":0");
  EXPECT_EQ(c_.Run("EXPIRE a 100 LT"), ":1");
  EXPECT_EQ(c_.Run("EXPIRE a 100 XX"), ":1");
  long long ttl = Int("TTL a");
  EXPECT_GE(ttl, 90);
  EXPECT_LE(ttl, 100);
  EXPECT_EQ(c_.Run("PEXPIRE a 500000 gt"), ":1") << "options are case-insensitive";
  EXPECT_EQ(c_.Run("EXPIREAT a 4102444800 LT"), ":0");
  EXPECT_EQ(c_.Run("PEXPIREAT a 1 XX GT"), ":0");
  EXPECT_EQ(c_.Run("PERSIST a"), ":1");
  EXPECT_EQ(c_.Run("EXPIRE a 100 LT"), ":1");

  const std::string nx_err = "-ERR NX and XX, GT or LT options at the same time are not compatible";
  EXPECT_EQ(c_.Run("EXPIRE a 100 NX XX"), nx_err);
  EXPECT_EQ(c_.Run("EXPIRE a 100 NX GT"), nx_err);
  EXPECT_EQ(c_.Run("EXPIRE a 100 LT NX"), nx_err);
  EXPECT_EQ(c_.Run("PEXPIREAT a 100 NX LT"), nx_err);
  EXPECT_EQ(c_.Run("EXPIRE a 100 GT LT"),
            "-ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(c_.Run("EXPIRE a 100 FOO"), "-ERR Unsupported option FOO");
  EXPECT_EQ(c_.Run("EXPIREAT a 100 bar"), "-ERR Unsupported option bar");
  EXPECT_EQ(c_.Run("EXPIRE x 100 NX"), ":0");
  EXPECT_EQ(c_.Run("EXISTS a"), ":1");
}

TEST_F(KeyspaceTest, KeysExpireAndVanish) {
  for (int i = 0; i < 50; ++i) {
    c_.Append({"SET", "short:" + std::to_string(i), "x", "PX", std::to_string(20 + i)});
    c_.Append({"SET", "long:" + std::to_string(i), "x", "EX", "1000"});
    c_.Append({"SET", "plain:" + std::to_string(i), "x"});
  }
  for (int i = 0; i < 150; ++i) ASSERT_EQ(Show(c_.GetReply()), "+OK");
  EXPECT_EQ(c_.Run("SET p 1"), "+OK");
  EXPECT_EQ(c_.Run("PEXPIRE p 30"), ":1");
  // Reads never return an expired key; poll only for the clock to pass.
  ASSERT_TRUE(PollUntil([&] { return c_.Run("EXISTS short:0 short:49 p") == ":0"; }))
      << "keys with a TTL under 100 ms still exist after 10 s";
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(c_.Run({"GET", "short:" + std::to_string(i)}), "(nil)");
  }
  EXPECT_EQ(c_.Run("TTL short:3"), ":-2");
  EXPECT_EQ(c_.Run("PTTL p"), ":-2");
  EXPECT_EQ(Keys("short:*").size(), 0u);
  EXPECT_EQ(c_.Run("GET long:7"), "$x");
  // Expired keys are removed in the background, so DBSIZE converges to the live count.
  EXPECT_TRUE(PollUntil([&] { return c_.Run("DBSIZE") == ":100"; }, 20s, 50ms)) << c_.Run("DBSIZE");
}

TEST_F(KeyspaceTest, DbsizeIsExact) {
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  ASSERT_NO_FATAL_FAILURE(Fill("k", 1000));
  EXPECT_EQ(c_.Run("DBSIZE"), ":1000");
  ASSERT_NO_FATAL_FAILURE(Fill("k", 1000));  // overwrites
  EXPECT_EQ(c_.Run("DBSIZE"), ":1000");
  std::vector<std::string> del{"DEL"};
  for (int i = 0; i < 1000; i += 10) del.push_back("k" + std::to_string(i));
  EXPECT_EQ(c_.Run(del), ":100");
  EXPECT_EQ(c_.Run("DBSIZE"), ":900");
  EXPECT_EQ(c_.Run(del), ":0");
  EXPECT_EQ(c_.Run("DBSIZE"), ":900");
  EXPECT_EQ(c_.Run("SELECT 5"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("DBSIZE x"), "-ERR wrong number of arguments for 'dbsize' command");
}

TEST_F(KeyspaceTest, FlushdbAndFlushall) {
  EXPECT_EQ(c_.Run("MSET a 1 b 2"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("MSET c 3 d 4 e 5"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHDB"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":2") << "FLUSHDB only empties the selected database";
  EXPECT_EQ(c_.Run("SELECT 2"), "+OK");
  EXPECT_EQ(c_.Run("SET f 6"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHALL"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("GET a"), "(nil)");
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHDB ASYNC"), "+OK");
  EXPECT_EQ(c_.Run("EXISTS a"), ":0");
  EXPECT_EQ(c_.Run("FLUSHDB SYNC"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHALL SYNC"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHALL ASYNC"), "+OK");
  EXPECT_EQ(c_.Run("FLUSHALL FOO"), kSyntax);
  EXPECT_EQ(c_.Run("FLUSHDB a b"), kSyntax);
  EXPECT_EQ(c_.Run("SET after 1"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
}

TEST_F(KeyspaceTest, Swapdb) {
  EXPECT_EQ(c_.Run("SET k zero"), "+OK");
  EXPECT_EQ(c_.Run("SET only0 x EX 100"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("SET k one"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  Client other = server_.Connect();
  EXPECT_EQ(other.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("SWAPDB 0 1"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$one") << "connections see the swapped data at once";
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
  EXPECT_EQ(other.Run("GET k"), "$zero");
  EXPECT_GE(Int("DBSIZE"), 1);
  EXPECT_EQ(other.Run("DBSIZE"), ":2");
  Reply ttl = other.Cmd("TTL only0");
  ASSERT_EQ(ttl->type, REDIS_REPLY_INTEGER);
  EXPECT_GE(ttl->integer, 90) << "TTLs move with the database";
  EXPECT_EQ(c_.Run("SWAPDB 0 0"), "+OK");
  EXPECT_EQ(c_.Run("SWAPDB 0 16"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("SWAPDB 0 -1"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("SWAPDB x 1"), "-ERR invalid first DB index");
  EXPECT_EQ(c_.Run("SWAPDB 1 x"), "-ERR invalid second DB index");
  EXPECT_EQ(c_.Run("SWAPDB 0"), "-ERR wrong number of arguments for 'swapdb' command");
}

TEST_F(KeyspaceTest, BinaryKeys) {
  const std::string key = "k\0\r\n\xff "s;
  EXPECT_EQ(c_.Run({"SET", key, "v"}), "+OK");
  EXPECT_EQ(c_.Run({"SET", "k", "plain"}), "+OK");
  EXPECT_EQ(c_.Run({"GET", key}), "$v");
  EXPECT_EQ(c_.Run({"EXISTS", key}), ":1");
  EXPECT_EQ(c_.Run({"EXISTS", "k\0"s}), ":0") << "keys are compared as bytes";
  std::vector<std::string> keys = Keys("k*");
  EXPECT_EQ(keys, (std::vector<std::string>{"k", key}));
  std::vector<std::string> scanned = ScanAll({});
  EXPECT_EQ(std::set<std::string>(scanned.begin(), scanned.end()),
            (std::set<std::string>{"k", key}));
  EXPECT_EQ(c_.Run({"RENAME", key, "k2\0"s}), "+OK");
  EXPECT_EQ(c_.Run({"GET", "k2\0"s}), "$v");
  EXPECT_EQ(c_.Run({"DEL", "k2\0"s}), ":1");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
}

}  // namespace
}  // namespace strata::integration
