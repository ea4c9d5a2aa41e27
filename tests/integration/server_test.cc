// Server family: INFO, CONFIG GET/SET/RESETSTAT/REWRITE, COMMAND *, TIME, LASTSAVE, SAVE,
// BGSAVE, DEBUG SLEEP, SLOWLOG, MONITOR, FUNCTION FLUSH, maxclients; Strata's COMPACT and
// INFO storage.
// Every expected reply below was measured on redis-server 7.0.15.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class ServerCmdTest : public ServerTest {
 protected:
  std::string Info(std::string_view section = "") {
    Reply r = section.empty() ? c_.Cmd({"INFO"}) : c_.Cmd({"INFO", section});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) {
      ADD_FAILURE() << "INFO " << section << " -> " << Show(r);
      return "";
    }
    return std::string(r->str, r->len);
  }

  long long Int(std::string_view line) {
    Reply r = c_.Cmd(line);
    if (r == nullptr || r->type != REDIS_REPLY_INTEGER) {
      ADD_FAILURE() << line << " -> " << Show(r);
      return -100;
    }
    return r->integer;
  }

  // CONFIG GET reply as name -> value.
  std::map<std::string, std::string> ConfigGet(const std::vector<std::string>& params) {
    std::vector<std::string> argv{"CONFIG", "GET"};
    argv.insert(argv.end(), params.begin(), params.end());
    Reply r = c_.Cmd(argv);
    std::map<std::string, std::string> out;
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
      ADD_FAILURE() << "CONFIG GET -> " << Show(r);
      return out;
    }
    for (size_t i = 0; i < r->elements; i += 2) {
      out[std::string(r->element[i]->str, r->element[i]->len)] =
          std::string(r->element[i + 1]->str, r->element[i + 1]->len);
    }
    return out;
  }
};

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- INFO ------------------------------------------------------------------------------------

TEST_F(ServerCmdTest, InfoHasRedisSections) {
  const std::string info = Info();
  for (const char* section : {"# Server\r\n", "# Clients\r\n", "# Memory\r\n", "# Persistence\r\n",
                              "# Stats\r\n", "# Replication\r\n", "# CPU\r\n", "# Keyspace\r\n"}) {
    EXPECT_TRUE(Contains(info, section)) << "missing " << section;
  }
  EXPECT_EQ(info.rfind("# Server\r\n", 0), 0u) << "INFO starts with the server section";
  auto version = InfoField(info, "redis_version");
  ASSERT_TRUE(version.has_value());
  EXPECT_GE(MajorVersion(*version), 7) << *version;
  if (IsRedis()) {
    EXPECT_EQ(*version, "7.0.15");
  }
  // Fields redis-cli --stat and monitoring tools read.
  for (const char* field : {"used_memory", "connected_clients", "total_commands_processed",
                            "total_connections_received", "loading", "tcp_port", "role"}) {
    EXPECT_TRUE(InfoField(info, field).has_value()) << "missing field " << field;
  }
  EXPECT_EQ(InfoField(info, "tcp_port"), std::to_string(server_.port()));
  EXPECT_EQ(InfoField(info, "role"), "master");
  EXPECT_EQ(InfoField(info, "loading"), "0");
}

TEST_F(ServerCmdTest, InfoSectionSelection) {
  const std::string server = Info("server");
  EXPECT_EQ(server.rfind("# Server\r\n", 0), 0u);
  EXPECT_FALSE(Contains(server, "# Clients"));
  EXPECT_TRUE(InfoField(server, "redis_version").has_value());
  const std::string two = Info("clients");
  EXPECT_TRUE(Contains(two, "# Clients\r\n"));
  EXPECT_FALSE(Contains(two, "# Server"));
  for (const char* s : {"memory", "persistence", "stats", "replication", "cpu", "keyspace"}) {
    std::string text = Info(s);
    EXPECT_EQ(text.rfind("# ", 0), 0u) << s << ": " << text.substr(0, 40);
  }
  EXPECT_EQ(Info("SERVER").rfind("# Server\r\n", 0), 0u) << "section names are case-insensitive";
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("INFO nosuchsection\r\n"), "$0\r\n\r\n");
}

TEST_F(ServerCmdTest, InfoCommandstats) {
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_EQ(c_.Run("SET b 2"), "+OK");
  EXPECT_EQ(c_.Run("GET a"), "$1");
  const std::string stats = Info("commandstats");
  EXPECT_EQ(stats.rfind("# Commandstats\r\n", 0), 0u) << stats;
  std::regex set_line("cmdstat_set:calls=2,usec=[0-9]+,usec_per_call=[0-9.]+");
  EXPECT_TRUE(std::regex_search(stats, set_line)) << stats;
  EXPECT_TRUE(Contains(stats, "cmdstat_get:calls=1,")) << stats;
  EXPECT_FALSE(Contains(Info(), "# Commandstats")) << "not part of the default INFO";
  EXPECT_TRUE(Contains(Info("all"), "# Commandstats"));
  EXPECT_TRUE(Contains(Info("everything"), "# Commandstats"));
}

TEST_F(ServerCmdTest, InfoKeyspace) {
  EXPECT_EQ(Info("keyspace"), "# Keyspace\r\n") << "empty databases are not listed";
  EXPECT_EQ(c_.Run("MSET a 1 b 2 c 3"), "+OK");
  EXPECT_EQ(c_.Run("SET d 4 EX 1000"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 3"), "+OK");
  EXPECT_EQ(c_.Run("SET e 5"), "+OK");
  const std::string ks = Info("keyspace");
  std::regex db0("\r\ndb0:keys=4,expires=1,avg_ttl=[0-9]+\r\n");
  std::regex db3("\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n");
  EXPECT_TRUE(std::regex_search(ks, db0)) << ks;
  EXPECT_TRUE(std::regex_search(ks, db3)) << ks;
  EXPECT_FALSE(Contains(ks, "db1:"));
  EXPECT_EQ(c_.Run("FLUSHALL"), "+OK");
  EXPECT_EQ(Info("keyspace"), "# Keyspace\r\n");
}

TEST_F(ServerCmdTest, InfoConnectedClients) {
  auto clients = [&] { return InfoField(Info("clients"), "connected_clients").value_or("?"); };
  ASSERT_TRUE(PollUntil([&] { return clients() == "1"; })) << clients();
  {
    Client other = server_.Connect();
    ASSERT_EQ(other.Run("PING"), "+PONG");
    EXPECT_EQ(clients(), "2");
  }
  EXPECT_TRUE(PollUntil([&] { return clients() == "1"; })) << clients();
}

// --- CONFIG ----------------------------------------------------------------------------------

TEST_F(ServerCmdTest, ConfigGet) {
  // redis-benchmark and redis-cli need exactly these three to be 2-element arrays.
  for (const char* name : {"save", "appendonly", "databases"}) {
    Reply r = c_.Cmd({"CONFIG", "GET", name});
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
    ASSERT_EQ(r->elements, 2u) << name << ": " << Show(r);
    EXPECT_EQ(Show(r->element[0]), std::string("$") + name);
    EXPECT_EQ(r->element[1]->type, REDIS_REPLY_STRING);
  }
  if (IsRedis()) {
    EXPECT_EQ(c_.Run("CONFIG GET save"), "[$save, $]");
    EXPECT_EQ(c_.Run("CONFIG GET appendonly"), "[$appendonly, $yes]");
  }
  EXPECT_EQ(c_.Run("CONFIG GET databases"), "[$databases, $16]");
  EXPECT_EQ(c_.Run("CONFIG GET port"), "[$port, $" + std::to_string(server_.port()) + "]");
  EXPECT_EQ(c_.Run("CONFIG GET bind"), "[$bind, $127.0.0.1]");
  EXPECT_EQ(c_.Run("CONFIG GET appendfsync"), "[$appendfsync, $everysec]");
  EXPECT_EQ(c_.Run("CONFIG GET maxclients"), "[$maxclients, $10000]");
  EXPECT_EQ(c_.Run("CONFIG GET requirepass"), "[$requirepass, $]");
  EXPECT_EQ(c_.Run("CONFIG GET nosuchparam"), "[]");
  EXPECT_EQ(c_.Run("CONFIG GET maxclient*"), "[$maxclients, $10000]");
  EXPECT_EQ(c_.Run("CONFIG GET appendfs?nc"), "[$appendfsync, $everysec]");
  auto many = ConfigGet({"port", "databases"});
  EXPECT_EQ(many.size(), 2u);
  EXPECT_EQ(many["databases"], "16");
  // Glob over every parameter.
  auto all = ConfigGet({"*"});
  EXPECT_GT(all.size(), 10u);
  EXPECT_EQ(all["port"], std::to_string(server_.port()));
  EXPECT_EQ(all["databases"], "16");
  EXPECT_TRUE(all.count("save") == 1 && all.count("appendonly") == 1 && all.count("dir") == 1);
  auto dirs = ConfigGet({"dir"});
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(std::filesystem::canonical(dirs["dir"]), std::filesystem::canonical(server_.dir()));
  EXPECT_EQ(c_.Run("CONFIG GET"), "-ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(c_.Run("CONFIG FOO"), "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
}

TEST_F(ServerCmdTest, ConfigSet) {
  EXPECT_EQ(c_.Run("CONFIG SET maxclients 50"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG GET maxclients"), "[$maxclients, $50]");
  EXPECT_EQ(c_.Run("CONFIG SET maxclients 60 timeout 5"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG GET maxclients"), "[$maxclients, $60]");
  EXPECT_EQ(c_.Run("CONFIG GET timeout"), "[$timeout, $5]");
  EXPECT_EQ(c_.Run("CONFIG SET timeout 0"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG SET nosuch 1"),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(c_.Run("CONFIG SET maxclients abc"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
            "couldn't be parsed into an integer");
  EXPECT_EQ(c_.Run("CONFIG SET databases 5"),
            "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            "immutable config");
  EXPECT_EQ(c_.Run("CONFIG SET maxclients"),
            "-ERR wrong number of arguments for 'config|set' command");
  EXPECT_EQ(c_.Run("CONFIG GET maxclients"), "[$maxclients, $60]") << "failed SETs change nothing";
}

TEST_F(ServerCmdTest, ConfigSetAppendfsyncAtRuntime) {
  // Redis lets the durability policy change at run time.
  EXPECT_EQ(c_.Run("CONFIG SET appendfsync always"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG GET appendfsync"), "[$appendfsync, $always]");
  EXPECT_EQ(c_.Run("SET k v"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG SET appendfsync no"), "+OK");
  EXPECT_EQ(c_.Run("SET k w"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG SET appendfsync everysec"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG GET appendfsync"), "[$appendfsync, $everysec]");
  EXPECT_EQ(c_.Run("CONFIG SET appendfsync sometimes"),
            "-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) "
            "must be one of the following: everysec, always, no");
  EXPECT_EQ(c_.Run("GET k"), "$w");
}

TEST_F(ServerCmdTest, MaxclientsIsEnforced) {
  ASSERT_TRUE(PollUntil([&] {
    return InfoField(Info("clients"), "connected_clients").value_or("?") == "1";
  })) << "only this test's client is connected";
  EXPECT_EQ(c_.Run("CONFIG SET maxclients 2"), "+OK");
  RawConn second = server_.Raw();
  EXPECT_EQ(second.Exchange("PING\r\n"), "+PONG\r\n");
  RawConn third = server_.Raw();
  ASSERT_TRUE(third.ok());
  bool closed = false;
  EXPECT_EQ(third.ReadUntilClose(10s, &closed), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(closed);
  second.Close();
  // Once a slot is free, new connections are served again.
  EXPECT_TRUE(PollUntil([&] {
    RawConn again = server_.Raw();
    return again.Exchange("PING\r\n", 1, 2s) == "+PONG\r\n";
  }));
  EXPECT_EQ(c_.Run("CONFIG SET maxclients 10000"), "+OK");
}

TEST_F(ServerCmdTest, ConfigResetstat) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_TRUE(Contains(Info("commandstats"), "cmdstat_set:calls=5,"));
  EXPECT_EQ(c_.Run("CONFIG RESETSTAT"), "+OK");
  EXPECT_FALSE(Contains(Info("commandstats"), "cmdstat_set:"));
  auto processed = InfoField(Info("stats"), "total_commands_processed");
  ASSERT_TRUE(processed.has_value());
  EXPECT_LE(std::stoll(*processed), 5) << "the counter starts again after RESETSTAT";
}

TEST_F(ServerCmdTest, ConfigRewriteWithoutConfigFile) {
  EXPECT_EQ(c_.Run("CONFIG REWRITE"), "-ERR The server is running without a config file");
}

TEST(ConfigFileTest, ConfigRewritePersistsSettings) {
  TestServer server;
  const std::string conf = server.root() + "/server.conf";
  WriteFile(conf, "# test config\nmaxclients 100\ntimeout 0\n");
  ASSERT_TRUE(server.Start({}, conf));
  Client c = server.Connect();
  EXPECT_EQ(c.Run("CONFIG GET maxclients"), "[$maxclients, $100]") << "read from the file";
  EXPECT_EQ(c.Run("CONFIG SET maxclients 77"), "+OK");
  EXPECT_EQ(c.Run("CONFIG REWRITE"), "+OK");
  const std::string text = ReadFile(conf);
  EXPECT_TRUE(Contains(text, "\nmaxclients 77\n")) << text;
  EXPECT_FALSE(Contains(text, "maxclients 100")) << text;
  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("CONFIG GET maxclients"), "[$maxclients, $77]");
}

TEST(ConfigFileTest, CommandLineOverridesConfigFile) {
  TestServer server;
  const std::string conf = server.root() + "/server.conf";
  WriteFile(conf, "maxclients 100\ntimeout 30\n");
  ASSERT_TRUE(server.Start({"--maxclients", "200"}, conf));
  Client c = server.Connect();
  EXPECT_EQ(c.Run("CONFIG GET maxclients"), "[$maxclients, $200]");
  EXPECT_EQ(c.Run("CONFIG GET timeout"), "[$timeout, $30]");
}

// A Redis user's redis.conf loads: Debian's stock file (every directive of Redis 7.0's
// default redis.conf that Debian leaves active, plus its own daemonize/pidfile/logfile/dir),
// with only the port, the directory, the log and the pid file pointed at the test's own.
TEST(ConfigFileTest, RedisStockConfigFileLoads) {
  const std::string stock = "/etc/redis/redis.conf";
  if (::access(stock.c_str(), R_OK) != 0) {
    GTEST_SKIP() << stock << " is not readable here (Debian's redis-server package installs it)";
  }
  TestServer server;
  const std::string conf = server.root() + "/redis.conf";
  WriteFile(conf, ReadFile(stock));
  ASSERT_TRUE(
      server.Start({"--daemonize", "no", "--pidfile", server.root() + "/server.pid", "--logfile",
                    server.root() + "/" + (IsRedis() ? "stdout.log" : "strata.log")},
                   conf));
  Client c = server.Connect();
  EXPECT_EQ(c.Run("PING"), "+PONG");
  EXPECT_EQ(c.Run("CONFIG GET hash-max-ziplist-entries"), "[$hash-max-ziplist-entries, $512]");
  EXPECT_EQ(c.Run("CONFIG GET lazyfree-lazy-user-del"), "[$lazyfree-lazy-user-del, $no]");
  EXPECT_EQ(c.Run({"CONFIG", "SET", "save", ""}), "+OK") << "as Redis: settable at run time";
  EXPECT_EQ(c.Run("CONFIG GET save"), "[$save, $]");
  EXPECT_EQ(c.Run("CONFIG SET zset-max-ziplist-entries 64"), "+OK");
  EXPECT_EQ(c.Run("CONFIG GET zset-max-listpack-entries"), "[$zset-max-listpack-entries, $64]");
  EXPECT_EQ(c.Run("SET k v"), "+OK");
}

// --- COMMAND ---------------------------------------------------------------------------------

TEST_F(ServerCmdTest, CommandCountAndList) {
  long long count = Int("COMMAND COUNT");
  EXPECT_GE(count, 40) << "every implemented command is counted";
  Reply all = c_.Cmd("COMMAND");
  ASSERT_NE(all, nullptr);
  ASSERT_EQ(all->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(static_cast<long long>(all->elements), count);
  // redis-cli's legacy help path needs [0] string, [1] int, [3] int in each entry.
  for (size_t i = 0; i < all->elements; ++i) {
    const redisReply* e = all->element[i];
    ASSERT_EQ(e->type, REDIS_REPLY_ARRAY);
    ASSERT_GE(e->elements, 6u);
    EXPECT_EQ(e->element[0]->type, REDIS_REPLY_STRING);
    EXPECT_EQ(e->element[1]->type, REDIS_REPLY_INTEGER);
    EXPECT_EQ(e->element[3]->type, REDIS_REPLY_INTEGER);
  }
  Reply list = c_.Cmd("COMMAND LIST");
  ASSERT_EQ(list->type, REDIS_REPLY_ARRAY) << Show(list);
  std::set<std::string> names;
  for (size_t i = 0; i < list->elements; ++i) {
    ASSERT_EQ(list->element[i]->type, REDIS_REPLY_STRING);
    names.emplace(list->element[i]->str, list->element[i]->len);
  }
  for (const char* n : {"get", "set", "scan", "ping", "command", "config", "info", "hello",
                        "client", "incrbyfloat", "getex", "expiretime", "swapdb"}) {
    EXPECT_EQ(names.count(n), 1u) << n;
  }
  Reply filtered = c_.Cmd("COMMAND LIST FILTERBY pattern get*");
  ASSERT_EQ(filtered->type, REDIS_REPLY_ARRAY) << Show(filtered);
  std::set<std::string> got;
  for (size_t i = 0; i < filtered->elements; ++i) got.emplace(filtered->element[i]->str);
  EXPECT_EQ(got.count("get"), 1u);
  EXPECT_EQ(got.count("getset"), 1u);
  EXPECT_EQ(got.count("set"), 0u);
  for (const auto& g : got) EXPECT_EQ(g.rfind("get", 0), 0u) << g;
  EXPECT_EQ(c_.Run("COMMAND FOO"), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
}

TEST_F(ServerCmdTest, CommandInfo) {
  Reply r = c_.Cmd("COMMAND INFO get");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
  ASSERT_EQ(r->elements, 1u);
  const redisReply* get = r->element[0];
  ASSERT_EQ(get->type, REDIS_REPLY_ARRAY);
  ASSERT_GE(get->elements, 6u);
  EXPECT_EQ(Show(get->element[0]), "$get");
  EXPECT_EQ(Show(get->element[1]), ":2");
  std::string flags = Show(get->element[2]);
  EXPECT_TRUE(Contains(flags, "+readonly")) << flags;
  EXPECT_EQ(Show(get->element[3]), ":1");
  EXPECT_EQ(Show(get->element[4]), ":1");
  EXPECT_EQ(Show(get->element[5]), ":1");
  if (IsRedis()) {
    EXPECT_EQ(get->elements, 10u);
  }

  Reply two = c_.Cmd("COMMAND INFO set mset nosuch");
  ASSERT_EQ(two->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(two->elements, 3u);
  ASSERT_EQ(two->element[0]->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(Show(two->element[0]->element[0]), "$set");
  EXPECT_EQ(Show(two->element[0]->element[1]), ":-3");
  EXPECT_EQ(Show(two->element[1]->element[0]), "$mset");
  EXPECT_EQ(Show(two->element[1]->element[1]), ":-3");
  EXPECT_EQ(Show(two->element[1]->element[3]), ":1");
  EXPECT_EQ(Show(two->element[1]->element[4]), ":-1");
  EXPECT_EQ(Show(two->element[1]->element[5]), ":2");
  EXPECT_EQ(Show(two->element[2]), "(nil)");
  EXPECT_EQ(Show(c_.Cmd("COMMAND INFO GET")), Show(r)) << "names are case-insensitive";
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("COMMAND INFO nosuch\r\n"), "*1\r\n$-1\r\n");
}

TEST_F(ServerCmdTest, CommandDocs) {
  // redis-cli asserts: a flat name -> doc map (array in RESP2). An empty array is allowed.
  // The docs nest deeper than hiredis 0.14 can parse, hence the raw connection.
  RawConn raw = server_.Raw();
  for (const char* line : {"COMMAND DOCS\r\n", "COMMAND DOCS get set\r\n"}) {
    auto v = ParseResp(raw.Exchange(line));
    ASSERT_TRUE(v.has_value()) << line;
    ASSERT_EQ(v->type, '*') << line;
    ASSERT_EQ(v->elems.size() % 2, 0u);
    for (size_t i = 0; i < v->elems.size(); i += 2) {
      EXPECT_EQ(v->elems[i].type, '$');
      EXPECT_EQ(v->elems[i + 1].type, '*');
    }
    if (IsRedis()) {
      EXPECT_GT(v->elems.size(), 0u);
    }
  }
  ASSERT_TRUE(ParseResp(raw.Exchange("HELLO 3\r\n")).has_value());
  auto v = ParseResp(raw.Exchange("COMMAND DOCS get\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '%') << "a map in RESP3";
  EXPECT_EQ(raw.Exchange("COMMAND DOCS nosuch\r\n"), "%0\r\n");
  EXPECT_EQ(c_.Run("COMMAND DOCS nosuch"), "[]");
}

TEST_F(ServerCmdTest, CommandGetkeys) {
  EXPECT_EQ(c_.Run("COMMAND GETKEYS set a b"), "[$a]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS SET a b EX 10"), "[$a]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS mset a 1 b 2"), "[$a, $b]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS get a"), "[$a]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS del a b c"), "[$a, $b, $c]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS rename a b"), "[$a, $b]");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS nosuch a"), "-ERR Invalid command specified");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS ping x"), "-ERR The command has no key arguments");
  EXPECT_EQ(c_.Run("COMMAND GETKEYS get a b"),
            "-ERR Invalid number of arguments specified for command");
  EXPECT_EQ(
      c_.Run("COMMAND GETKEYS").rfind("-ERR wrong number of arguments for 'command|getkeys'", 0),
      0u);
}

// --- TIME, LASTSAVE, SAVE, BGSAVE, DEBUG -----------------------------------------------------

TEST_F(ServerCmdTest, Time) {
  Reply r = c_.Cmd("TIME");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
  ASSERT_EQ(r->elements, 2u);
  ASSERT_EQ(r->element[0]->type, REDIS_REPLY_STRING);
  ASSERT_EQ(r->element[1]->type, REDIS_REPLY_STRING);
  long long secs = std::stoll(r->element[0]->str);
  long long micros = std::stoll(r->element[1]->str);
  EXPECT_LE(std::abs(secs - UnixSeconds()), 5);
  EXPECT_GE(micros, 0);
  EXPECT_LT(micros, 1000000);
  EXPECT_EQ(c_.Run("TIME x"), "-ERR wrong number of arguments for 'time' command");
}

TEST_F(ServerCmdTest, SaveAndLastsave) {
  long long before = Int("LASTSAVE");
  EXPECT_GT(before, 0);
  EXPECT_LE(before, UnixSeconds() + 5);
  EXPECT_EQ(c_.Run("SET k v"), "+OK");
  const int64_t t0 = UnixSeconds();
  EXPECT_EQ(c_.Run("SAVE"), "+OK");
  long long after = Int("LASTSAVE");
  EXPECT_GE(after, t0 - 1);
  EXPECT_GE(after, before);
  EXPECT_EQ(c_.Run("GET k"), "$v");
}

TEST_F(ServerCmdTest, Bgsave) {
  EXPECT_EQ(c_.Run("SET k v"), "+OK");
  EXPECT_EQ(c_.Run("BGSAVE"), "+Background saving started");
  // A second save succeeds once the first one is done.
  EXPECT_TRUE(PollUntil([&] { return c_.Run("SAVE") == "+OK"; }, 20s, 50ms));
  EXPECT_EQ(c_.Run("GET k"), "$v");
}

TEST_F(ServerCmdTest, DebugSleepZero) {
  EXPECT_EQ(c_.Run("DEBUG SLEEP 0"), "+OK");
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ServerCmdTest, FunctionFlush) { EXPECT_EQ(c_.Run("FUNCTION FLUSH"), "+OK"); }

// --- SLOWLOG ---------------------------------------------------------------------------------

class SlowlogTest : public ServerCmdTest {
 protected:
  std::vector<std::string> ExtraArgs() const override { return {"--slowlog-log-slower-than", "0"}; }
};

TEST_F(SlowlogTest, GetLenReset) {
  EXPECT_EQ(c_.Run("SET a b"), "+OK");
  Reply r = c_.Cmd("SLOWLOG GET 1");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Show(r);
  ASSERT_EQ(r->elements, 1u);
  const redisReply* e = r->element[0];
  ASSERT_EQ(e->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(e->elements, 6u) << Show(e);
  EXPECT_EQ(e->element[0]->type, REDIS_REPLY_INTEGER);  // id
  ASSERT_EQ(e->element[1]->type, REDIS_REPLY_INTEGER);  // unix time
  EXPECT_LE(std::abs(e->element[1]->integer - UnixSeconds()), 5);
  ASSERT_EQ(e->element[2]->type, REDIS_REPLY_INTEGER);  // microseconds
  EXPECT_GE(e->element[2]->integer, 0);
  EXPECT_EQ(Show(e->element[3]), "[$SET, $a, $b]");
  EXPECT_EQ(Show(e->element[4]).rfind("$127.0.0.1:", 0), 0u) << Show(e->element[4]);
  EXPECT_EQ(Show(e->element[5]), "$");  // client name

  Reply all = c_.Cmd("SLOWLOG GET -1");
  ASSERT_EQ(all->type, REDIS_REPLY_ARRAY);
  EXPECT_GE(all->elements, 2u);
  long long len = 0;
  Reply lr = c_.Cmd("SLOWLOG LEN");
  ASSERT_EQ(lr->type, REDIS_REPLY_INTEGER);
  len = lr->integer;
  EXPECT_GE(len, 2);
  EXPECT_EQ(c_.Run("SLOWLOG RESET"), "+OK");
  Reply after = c_.Cmd("SLOWLOG GET");
  ASSERT_EQ(after->type, REDIS_REPLY_ARRAY);
  EXPECT_LE(after->elements, 1u) << "only SLOWLOG RESET itself may be logged";
  EXPECT_FALSE(Contains(Show(after), "$SET")) << Show(after);
  EXPECT_EQ(c_.Run("SLOWLOG FOO"), "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.");
}

// As Redis: passwords never reach the slow log.
TEST_F(SlowlogTest, AuthArgumentsAreRedacted) {
  EXPECT_EQ(c_.Run("SLOWLOG RESET"), "+OK");
  c_.Cmd("AUTH default secret-password");
  c_.Cmd("HELLO 2 AUTH default other-secret");
  const std::string log = Show(c_.Cmd("SLOWLOG GET -1"));
  EXPECT_FALSE(Contains(log, "secret")) << log;
  EXPECT_TRUE(Contains(log, "[$AUTH, $(redacted), $(redacted)]")) << log;
  EXPECT_TRUE(Contains(log, "[$HELLO, $2, $AUTH, $(redacted), $(redacted)]")) << log;
}

// --- MONITOR ---------------------------------------------------------------------------------

TEST_F(ServerCmdTest, MonitorSeesOtherClientsCommands) {
  RawConn mon = server_.Raw();
  EXPECT_EQ(mon.Exchange("MONITOR\r\n"), "+OK\r\n");
  EXPECT_EQ(c_.Run({"SET", "k\x01", "a b"}), "+OK");
  EXPECT_EQ(c_.Run("SELECT 2"), "+OK");
  EXPECT_EQ(c_.Run({"GET", "x\"y"}), "(nil)");
  std::string feed;
  const std::regex set_line(
      R"(\+[0-9]+\.[0-9]{6} \[0 127\.0\.0\.1:[0-9]+\] "SET" "k\\x01" "a b"\r\n)");
  const std::regex get_line(R"(\+[0-9]+\.[0-9]{6} \[2 127\.0\.0\.1:[0-9]+\] "GET" "x\\"y"\r\n)");
  EXPECT_TRUE(PollUntil(
      [&] {
        feed += mon.ReadFor(50ms);
        return std::regex_search(feed, get_line);
      },
      10s, 1ms))
      << feed;
  EXPECT_TRUE(std::regex_search(feed, set_line)) << feed;
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

// --- Strata-only -----------------------------------------------------------------------------

TEST_F(ServerCmdTest, StrataInfoStorage) {
  STRATA_ONLY();
  ASSERT_EQ(c_.Run("SET k v"), "+OK");
  const std::string storage = Info("storage");
  EXPECT_EQ(storage.rfind("# Storage\r\n", 0), 0u) << storage;
  EXPECT_GT(InfoLines(storage).size(), 3u) << storage;
}

TEST_F(ServerCmdTest, StrataCompactKeepsData) {
  STRATA_ONLY();
  for (int i = 0; i < 2000; ++i) {
    c_.Append({"SET", "k" + std::to_string(i), std::string(100, 'a' + i % 26)});
  }
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(Show(c_.GetReply()), "+OK");
  for (int i = 0; i < 2000; i += 2) c_.Append({"DEL", "k" + std::to_string(i)});
  for (int i = 0; i < 2000; i += 2) ASSERT_EQ(Show(c_.GetReply()), ":1");
  EXPECT_EQ(c_.Run("SAVE"), "+OK");
  EXPECT_EQ(c_.Run("COMPACT"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1000");
  EXPECT_EQ(c_.Run("GET k0"), "(nil)");
  EXPECT_EQ(c_.Run("GET k1"), "$" + std::string(100, 'b'));
  EXPECT_EQ(c_.Run("GET k1999"), "$" + std::string(100, 'a' + 1999 % 26));
}

}  // namespace
}  // namespace strata::integration
