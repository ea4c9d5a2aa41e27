#include "server/config.h"

#include <gtest/gtest.h>

#include "server/command.h"

namespace strata::server {
namespace {

TEST(Config, ParsesMemoryUnitsLikeRedis) {
  int64_t v;
  ASSERT_TRUE(ParseMemory("100", &v));
  EXPECT_EQ(v, 100);
  ASSERT_TRUE(ParseMemory("1k", &v));
  EXPECT_EQ(v, 1000);
  ASSERT_TRUE(ParseMemory("1kb", &v));
  EXPECT_EQ(v, 1024);
  ASSERT_TRUE(ParseMemory("64MB", &v));
  EXPECT_EQ(v, 64ll << 20);
  ASSERT_TRUE(ParseMemory("1gb", &v));
  EXPECT_EQ(v, 1ll << 30);
  EXPECT_FALSE(ParseMemory("abc", &v));
  EXPECT_FALSE(ParseMemory("-1", &v));
  EXPECT_FALSE(ParseMemory("", &v));
}

TEST(Config, LoadsFileTextThenArgs) {
  Config c;
  ConfigRegistry r(&c);
  std::string err;
  ASSERT_TRUE(
      r.LoadText("# comment\nport 7000\nbind 127.0.0.1 ::1\nlogfile \"\"\n"
                 "memtable-size 1mb\nappendfsync always\nsave \"\"\n",
                 &err))
      << err;
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.memtable_size, 1 << 20);
  EXPECT_EQ(c.appendfsync, "always");
  ASSERT_TRUE(r.LoadArgs({"--port", "7001", "--save", "", "--appendonly", "yes"}, &err)) << err;
  EXPECT_EQ(c.port, 7001);
  EXPECT_FALSE(r.LoadText("nosuchoption 1\n", &err));
  EXPECT_NE(err.find("line 1"), std::string::npos);
  EXPECT_FALSE(r.LoadArgs({"--port", "notanumber"}, &err));
}

TEST(Config, SetUsesRedisErrorTexts) {
  Config c;
  ConfigRegistry r(&c);
  std::string err;
  EXPECT_FALSE(r.Set("nosuch", {"1"}, false, &err));
  EXPECT_EQ(err, "Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_FALSE(r.Set("databases", {"4"}, false, &err));
  EXPECT_EQ(err,
            "CONFIG SET failed (possibly related to argument 'databases') - can't set immutable "
            "config");
  EXPECT_FALSE(r.Set("maxclients", {"x"}, false, &err));
  EXPECT_EQ(err,
            "CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't "
            "be parsed into an integer");
  EXPECT_FALSE(r.Set("protected-mode", {"maybe"}, false, &err));
  EXPECT_NE(err.find("argument must be 'yes' or 'no'"), std::string::npos);
  EXPECT_TRUE(r.Set("MAXCLIENTS", {"50"}, false, &err));
  EXPECT_EQ(c.maxclients, 50);
}

TEST(Config, GetMatchesGlobsCaseInsensitively) {
  Config c;
  ConfigRegistry r(&c);
  auto v = r.Get("SAVE");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].first, "save");
  EXPECT_EQ(r.Get("appendonly")[0].second, "yes");
  EXPECT_EQ(r.Get("databases")[0].second, "16");
  EXPECT_GE(r.Get("*").size(), 30u);
  EXPECT_TRUE(r.Get("nosuch*").empty());
}

TEST(Config, RedisDirectivesWithoutEffectAreKeptAndReported) {
  Config c;
  ConfigRegistry r(&c);
  std::string err;
  ASSERT_TRUE(
      r.LoadText("always-show-logo no\nhash-max-ziplist-entries 256\n"
                 "save 3600 1 300 100\nbind 127.0.0.1 -::1\nlazyfree-lazy-user-del yes\n"
                 "oom-score-adj-values 0 200 800\nnotify-keyspace-events \"\"\n"
                 "client-output-buffer-limit replica 256mb 64mb 60\n",
                 &err))
      << err;
  // An old alias shares its value with the new name.
  EXPECT_EQ(r.Get("hash-max-listpack-entries")[0].second, "256");
  EXPECT_EQ(r.Get("hash-max-ziplist-entries")[0].second, "256");
  EXPECT_EQ(r.Get("save")[0].second, "3600 1 300 100");
  EXPECT_EQ(r.Get("oom-score-adj-values")[0].second, "0 200 800");
  EXPECT_EQ(r.Get("lazyfree-lazy-user-del")[0].second, "yes");
  EXPECT_EQ(r.Get("zset-max-listpack-value")[0].second, "64") << "Redis's default";
  EXPECT_TRUE(r.Set("save", {""}, false, &err)) << err;
  EXPECT_EQ(r.Get("save")[0].second, "");
  EXPECT_FALSE(r.Set("save", {"100"}, false, &err));
  EXPECT_EQ(err,
            "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
  EXPECT_FALSE(r.Set("lazyfree-lazy-user-del", {"maybe"}, false, &err));
  EXPECT_FALSE(r.Set("dbfilename", {"x.rdb"}, false, &err)) << "immutable in Redis too";
  EXPECT_FALSE(r.Set("maxmemory", {"100mb"}, false, &err)) << "the budget is fixed at start-up";
}

TEST(Config, SettingsThatWouldChangeWhatTheServerIsAreRefused) {
  Config c;
  ConfigRegistry r(&c);
  std::string err;
  EXPECT_FALSE(r.LoadText("replicaof 10.0.0.1 6379\n", &err));
  EXPECT_NE(err.find("replication is not supported yet"), std::string::npos) << err;
  EXPECT_FALSE(r.LoadText("tls-port 6380\n", &err));
  EXPECT_FALSE(r.LoadText("cluster-enabled yes\n", &err));
  EXPECT_TRUE(r.LoadText("cluster-enabled no\ntls-port 0\nreplicaof \"\"\n", &err)) << err;
  EXPECT_TRUE(r.LoadText("daemonize yes\n", &err)) << err;
  EXPECT_TRUE(c.daemonize);
}

TEST(CommandTable, StrictIntegerParsingMatchesRedis) {
  int64_t v;
  EXPECT_TRUE(ParseInt64Strict("0", &v));
  EXPECT_TRUE(ParseInt64Strict("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseInt64Strict("9223372036854775807", &v));
  EXPECT_FALSE(ParseInt64Strict("9223372036854775808", &v));
  EXPECT_FALSE(ParseInt64Strict("01", &v));
  EXPECT_FALSE(ParseInt64Strict("+1", &v));
  EXPECT_FALSE(ParseInt64Strict(" 1", &v));
  EXPECT_FALSE(ParseInt64Strict("1 ", &v));
  EXPECT_FALSE(ParseInt64Strict("-0", &v));
  EXPECT_FALSE(ParseInt64Strict("", &v));
  long double d;
  EXPECT_TRUE(ParseLongDouble("1.5e3", &d));
  EXPECT_FALSE(ParseLongDouble("nan", &d));
  EXPECT_FALSE(ParseLongDouble(" 1", &d));
  EXPECT_FALSE(ParseLongDouble("1x", &d));
}

}  // namespace
}  // namespace strata::server
