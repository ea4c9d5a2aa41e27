// EVAL and friends through the real server: replies and error texts as Redis 7.0 gives them
// (checked against redis-server), the sandbox, scripts inside MULTI, and a script's writes
// surviving a kill -9 all or none.
#include <atomic>
#include <thread>

#include "harness.h"

namespace strata::integration {
namespace {

TEST(ScriptingTest, RepliesErrorsAndTheSandbox) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run({"EVAL", "return {1, 'two', 3.9, nil, 5}", "0"}), "[:1, $two, :3]");
  EXPECT_EQ(c.Run({"EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "v"}), "+OK");
  EXPECT_EQ(c.Run({"EVAL", "return redis.call('GET', KEYS[1])", "1", "k"}), "$v");
  EXPECT_EQ(c.Run({"EVAL", "return redis.call('GET', 'missing')", "0"}), "(nil)");
  std::string e = c.Run({"EVAL", "return redis.call('INCR', 'k')", "0"});
  EXPECT_EQ(e.rfind("-ERR value is not an integer or out of range script: ", 0), 0u) << e;
  EXPECT_NE(e.find(", on @user_script:1."), std::string::npos) << e;
  EXPECT_EQ(c.Run({"EVAL", "return redis.pcall('INCR', 'k')", "0"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(c.Run({"EVAL", "return redis.error_reply('MY failure')", "0"}), "-MY failure");
  EXPECT_EQ(c.Run({"EVAL", "return redis.status_reply('FINE')", "0"}), "+FINE");
  e = c.Run({"EVAL", "x = 1", "0"});
  EXPECT_EQ(e.rfind("-ERR user_script:1: Attempt to modify a readonly table script: ", 0), 0u) << e;
  e = c.Run({"EVAL", "return os.time()", "0"});
  EXPECT_EQ(e.rfind("-ERR user_script:1: Script attempted to access nonexistent global "
                    "variable 'os' script: ",
                    0),
            0u)
      << e;
  EXPECT_EQ(c.Run({"EVAL", "return 1 +", "0"}),
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'<eof>'");
  EXPECT_EQ(c.Run({"EVAL", "return 1", "-1"}), "-ERR Number of keys can't be negative");
  EXPECT_EQ(c.Run({"EVAL", "return 1", "2", "a"}),
            "-ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(c.Run({"EVAL", "return cjson.encode({1, 2})", "0"}), "$[1,2]");
  EXPECT_EQ(c.Run({"EVAL", "return bit.band(7, 3)", "0"}), ":3");
}

TEST(ScriptingTest, ScriptCacheAndEvalsha) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  const std::string sha = c.Run({"SCRIPT", "LOAD", "return 'cached'"}).substr(1);
  EXPECT_EQ("$" + sha, c.Run({"EVAL", "return redis.sha1hex(ARGV[1])", "0", "return 'cached'"}));
  EXPECT_EQ(c.Run({"EVALSHA", sha, "0"}), "$cached");
  EXPECT_EQ(c.Run({"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"}),
            "-NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(c.Run({"SCRIPT", "EXISTS", sha, "nope"}), "[:1, :0]");
  EXPECT_EQ(c.Run({"SCRIPT", "FLUSH"}), "+OK");
  EXPECT_EQ(c.Run({"SCRIPT", "EXISTS", sha}), "[:0]");
  EXPECT_EQ(c.Run({"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.");
  EXPECT_EQ(c.Run({"EVAL_RO", "return redis.call('SET', 'a', 1)", "0"})
                .rfind("-ERR Write commands are not allowed from read-only scripts. script: ", 0),
            0u);
}

TEST(ScriptingTest, ScriptsDoNotBlockAndRunInsideMulti) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  // BLPOP is flagged noscript; BLMPOP is not, and does not block inside a script.
  std::string e = c.Run({"EVAL", "return redis.call('BLPOP', 'nolist', 0)", "0"});
  EXPECT_EQ(e.rfind("-ERR This Redis command is not allowed from script script: ", 0), 0u) << e;
  EXPECT_EQ(c.Run({"EVAL", "return redis.call('BLMPOP', 0, 1, 'nolist', 'LEFT')", "0"}), "(nil)");
  e = c.Run({"EVAL", "return redis.call('MULTI')", "0"});
  EXPECT_EQ(e.rfind("-ERR This Redis command is not allowed from script script: ", 0), 0u) << e;
  EXPECT_EQ(c.Run("MULTI"), "+OK");
  EXPECT_EQ(c.Run({"EVAL", "return redis.call('RPUSH', KEYS[1], 'a', 'b')", "1", "l"}), "+QUEUED");
  EXPECT_EQ(c.Run("LLEN l"), "+QUEUED");
  EXPECT_EQ(c.Run("EXEC"), "[:2, :2]");
  // A SELECT inside a script changes only the script's database.
  EXPECT_EQ(c.Run({"EVAL", "redis.call('SELECT', 3) return redis.call('SET', 'in3', 1)", "0"}),
            "+OK");
  EXPECT_EQ(c.Run("EXISTS in3"), ":0");
  EXPECT_EQ(c.Run("SELECT 3"), "+OK");
  EXPECT_EQ(c.Run("EXISTS in3"), ":1");
}

// Each script writes three keys and bumps a counter; the server is killed mid-stream with
// appendfsync always. After the restart every script's writes are there whole or not at all.
TEST(ScriptingTest, AScriptIsAtomicAcrossKillNine) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  const char* body =
      "redis.call('SET', KEYS[1] .. ':a', ARGV[1]) "
      "redis.call('RPUSH', KEYS[1] .. ':b', ARGV[1]) "
      "redis.call('HSET', KEYS[1] .. ':c', 'f', ARGV[1]) "
      "return redis.call('INCR', 'done')";
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Client c = server.Connect();
    for (int i = 0; !stop.load(); i++) {
      const std::string n = std::to_string(i);
      Reply r = c.Cmd({"EVAL", body, "1", "s:" + n, n});
      if (r == nullptr || r->type != REDIS_REPLY_INTEGER) break;
      acked.store(i + 1);
    }
  });
  ASSERT_TRUE(PollUntil([&] { return acked.load() >= 200; }, 30s));
  server.Kill9();
  stop.store(true);
  writer.join();
  ASSERT_TRUE(server.Restart());
  Client c = server.Connect();
  Reply done = c.Cmd("GET done");
  ASSERT_EQ(done->type, REDIS_REPLY_STRING);
  const int committed = std::stoi(std::string(done->str, done->len));
  EXPECT_GE(committed, acked.load());
  for (int i = 0; i < committed + 20; i++) {
    const std::string n = std::to_string(i);
    c.Append({"EXISTS", "s:" + n + ":a", "s:" + n + ":b", "s:" + n + ":c"});
  }
  for (int i = 0; i < committed + 20; i++) {
    Reply r = c.GetReply();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->integer, i < committed ? 3 : 0) << "script " << i << " of " << committed;
  }
}

}  // namespace
}  // namespace strata::integration
