// Tools family: redis-cli one-shot, --scan, --bigkeys, --pipe, interactive (on a pty, so it
// sends COMMAND DOCS first), and redis-benchmark with and without pipelining.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class ToolsTest : public ServerTest {
 protected:
  // redis-cli -p <port> <args...>
  ProcessResult Cli(std::vector<std::string> args, std::string_view stdin_data = {}) {
    std::vector<std::string> argv{"redis-cli", "-p", std::to_string(server_.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, 60s, stdin_data);
  }
};

// Output with trailing newlines removed (redis-cli ends an error with an extra blank line).
std::string Chomp(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST_F(ToolsTest, RedisCliOneShot) {
  ProcessResult r = Cli({"set", "a", "b"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "OK\n");
  r = Cli({"get", "a"});
  EXPECT_EQ(r.output, "b\n");
  r = Cli({"get", "missing"});
  EXPECT_EQ(r.output, "\n");
  r = Cli({"ping"});
  EXPECT_EQ(r.output, "PONG\n");
  r = Cli({"incr", "a"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(Chomp(r.output), "ERR value is not an integer or out of range");
  r = Cli({"-e", "incr", "a"});
  EXPECT_EQ(r.exit_code, 1) << "-e turns a server error into a failing exit code";
  r = Cli({"nosuchcommand", "x"});
  EXPECT_EQ(Chomp(r.output), "ERR unknown command 'nosuchcommand', with args beginning with: 'x' ");
  r = Cli({"-n", "3", "set", "x", "in3"});
  EXPECT_EQ(r.output, "OK\n");
  r = Cli({"-n", "3", "get", "x"});
  EXPECT_EQ(r.output, "in3\n");
  r = Cli({"get", "x"});
  EXPECT_EQ(r.output, "\n");
  r = Cli({"dbsize"});
  EXPECT_EQ(r.output, "1\n");
  r = Cli({"config", "get", "databases"});
  EXPECT_EQ(r.output, "databases\n16\n");
  r = Cli({"info", "server"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("redis_version:"), std::string::npos) << r.output;
  // -3: HELLO 3 first (fatal on error), then the command.
  r = Cli({"-3", "get", "a"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "b\n");
  r = Cli({"-3", "mget", "a", "missing"});
  EXPECT_EQ(r.output, "b\n\n");
}

TEST_F(ToolsTest, RedisCliWithPassword) {
  TestServer secured;
  ASSERT_TRUE(secured.Start({"--requirepass", "pw"}));
  const std::string port = std::to_string(secured.port());
  ProcessResult r = RunProcess({"redis-cli", "-p", port, "get", "a"}, 30s);
  EXPECT_EQ(Chomp(r.output), "NOAUTH Authentication required.");
  r = RunProcess({"redis-cli", "-p", port, "--no-auth-warning", "-a", "pw", "set", "a", "1"});
  EXPECT_EQ(r.output, "OK\n");
  r = RunProcess({"redis-cli", "-p", port, "--no-auth-warning", "-a", "bad", "get", "a"});
  EXPECT_NE(r.output.find("WRONGPASS"), std::string::npos) << r.output;
  r = RunProcess({"redis-cli", "-p", port, "--no-auth-warning", "--user", "default", "--pass", "pw",
                  "-3", "get", "a"});
  EXPECT_EQ(r.output, "1\n");
}

TEST_F(ToolsTest, RedisCliScan) {
  std::set<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    c_.Append({"SET", "k" + std::to_string(i), "v"});
    expected.insert("k" + std::to_string(i));
  }
  for (int i = 0; i < 50; ++i) c_.Append({"SET", "other" + std::to_string(i), "v"});
  for (int i = 0; i < 350; ++i) ASSERT_EQ(Show(c_.GetReply()), "+OK");
  ProcessResult r = Cli({"--scan", "--pattern", "k*"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> lines = Lines(r.output);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()), expected);
  r = Cli({"--scan"});
  EXPECT_EQ(r.exit_code, 0);
  lines = Lines(r.output);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 350u);
}

TEST_F(ToolsTest, RedisCliBigkeys) {
  EXPECT_EQ(c_.Run({"SET", "big", std::string(1000, 'x')}), "+OK");
  EXPECT_EQ(c_.Run("SET small y"), "+OK");
  ProcessResult r = Cli({"--bigkeys"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Biggest string found '\"big\"' has 1000 bytes"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Sampled 2 keys in the keyspace!"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 strings with 1001 bytes"), std::string::npos) << r.output;
}

TEST_F(ToolsTest, RedisCliPipe) {
  std::string input;
  for (int i = 0; i < 1000; ++i) {
    input += EncodeCommand({"SET", "p" + std::to_string(i), std::to_string(i)});
  }
  input += "INCR p5\r\n";  // inline commands work through --pipe too
  ProcessResult r = Cli({"--pipe"}, input);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("errors: 0, replies: 1001"), std::string::npos) << r.output;
  EXPECT_EQ(c_.Run("GET p5"), "$6");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1000");
}

TEST_F(ToolsTest, RedisCliInteractive) {
  RawConn monitor = server_.Raw();
  const bool monitoring = monitor.Exchange("MONITOR\r\n") == "+OK\r\n";
  const std::string prompt = "127.0.0.1:" + std::to_string(server_.port()) + "> ";
  {
    PtySession cli;
    ASSERT_TRUE(cli.Start({"redis-cli", "-p", std::to_string(server_.port())}));
    ASSERT_TRUE(cli.Expect(prompt)) << cli.output();
    cli.Send("set a b\r");
    EXPECT_TRUE(cli.Expect("OK\r\n" + prompt)) << cli.output();
    cli.Send("get a\r");
    EXPECT_TRUE(cli.Expect("\"b\"\r\n" + prompt)) << cli.output();
    cli.Send("get nokey\r");
    EXPECT_TRUE(cli.Expect("(nil)\r\n" + prompt)) << cli.output();
    cli.Send("incr a\r");
    EXPECT_TRUE(cli.Expect("(error) ERR value is not an integer or out of range\r\n" + prompt))
        << cli.output();
    cli.Send("mget a nokey\r");
    EXPECT_TRUE(cli.Expect("1) \"b\"\r\n2) (nil)\r\n" + prompt)) << cli.output();
    cli.Send("select 2\r");
    EXPECT_TRUE(cli.Expect("OK\r\n127.0.0.1:" + std::to_string(server_.port()) + "[2]> "))
        << cli.output();
    cli.Send("quit\r");
    EXPECT_EQ(cli.WaitExit(), 0) << cli.output();
    EXPECT_EQ(cli.output().find("Assertion"), std::string::npos) << cli.output();
  }
  if (monitoring) {
    std::string feed = monitor.ReadFor(300ms);
    EXPECT_NE(feed.find("\"COMMAND\" \"DOCS\""), std::string::npos)
        << "an interactive redis-cli asks for COMMAND DOCS first:\n"
        << feed.substr(0, 500);
  }
  // RESP3 interactive session: HELLO 3, then COMMAND DOCS answered as a map.
  PtySession cli3;
  ASSERT_TRUE(cli3.Start({"redis-cli", "-3", "-p", std::to_string(server_.port())}));
  ASSERT_TRUE(cli3.Expect(prompt)) << cli3.output();
  cli3.Send("get a\r");
  EXPECT_TRUE(cli3.Expect("\"b\"\r\n" + prompt)) << cli3.output();
  cli3.Send("get nokey\r");
  EXPECT_TRUE(cli3.Expect("(nil)\r\n" + prompt)) << cli3.output();
  cli3.Send("config get databases\r");
  EXPECT_TRUE(cli3.Expect("1# \"databases\" => \"16\"\r\n" + prompt)) << cli3.output();
  cli3.Send("quit\r");
  EXPECT_EQ(cli3.WaitExit(), 0) << cli3.output();
}

void ExpectBenchmarkOk(const ProcessResult& r,
                       std::initializer_list<const char*> tests = {
                           "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}) {
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("Error"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("WARNING: Could not fetch server CONFIG"), std::string::npos)
      << "CONFIG GET save / appendonly must be 2-element arrays\n"
      << r.output;
  // -q prints one "<TEST>: <n> requests per second" line per test (after \r progress lines).
  std::string text = r.output;
  std::replace(text.begin(), text.end(), '\r', '\n');
  for (const char* test : tests) {
    std::regex done("(^|\n)" +
                    std::regex_replace(std::string(test), std::regex(R"([()])"), R"(\$&)") +
                    ": [0-9.]+ requests per second");
    EXPECT_TRUE(std::regex_search(text, done)) << "no result line for " << test << "\n" << text;
  }
}

TEST_F(ToolsTest, RedisBenchmark) {
  ProcessResult r = RunProcess({"redis-benchmark", "-p", std::to_string(server_.port()), "-t",
                                "ping,set,get,incr,mset", "-n", "20000", "-r", "100000", "-q"},
                               120s);
  ExpectBenchmarkOk(r);
  Reply size = c_.Cmd("DBSIZE");
  ASSERT_EQ(size->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(size->integer, 1000) << "-r spreads the writes over many keys";
  Reply key = c_.Cmd({"KEYS", "key:*"});
  ASSERT_EQ(key->type, REDIS_REPLY_ARRAY);
  ASSERT_GT(key->elements, 0u);
  EXPECT_TRUE(std::regex_match(key->element[0]->str, std::regex("key:[0-9]{12}")))
      << key->element[0]->str;
}

// What people run first: redis-benchmark with its default test list (every data type),
// which must run to the end with no error reply.
TEST_F(ToolsTest, RedisBenchmarkDefaultTestList) {
  for (const char* pipeline : {"1", "16"}) {
    ProcessResult r = RunProcess({"redis-benchmark", "-p", std::to_string(server_.port()), "-n",
                                  "2000", "-c", "10", "-q", "-P", pipeline},
                                 300s);
    ExpectBenchmarkOk(r, {"PING_INLINE",
                          "PING_MBULK",
                          "SET",
                          "GET",
                          "INCR",
                          "LPUSH",
                          "RPUSH",
                          "LPOP",
                          "RPOP",
                          "SADD",
                          "HSET",
                          "SPOP",
                          "ZADD",
                          "ZPOPMIN",
                          "LPUSH (needed to benchmark LRANGE)",
                          "LRANGE_100 (first 100 elements)",
                          "LRANGE_300 (first 300 elements)",
                          "LRANGE_500 (first 500 elements)",
                          "LRANGE_600 (first 600 elements)",
                          "MSET (10 keys)"});
  }
}

TEST_F(ToolsTest, RedisBenchmarkPipelined) {
  ProcessResult r =
      RunProcess({"redis-benchmark", "-p", std::to_string(server_.port()), "-t",
                  "ping,set,get,incr,mset", "-n", "20000", "-r", "100000", "-q", "-P", "16"},
                 120s);
  ExpectBenchmarkOk(r);
}

}  // namespace
}  // namespace strata::integration
