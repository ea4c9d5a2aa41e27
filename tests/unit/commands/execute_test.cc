// Commands run through Server::Execute with no socket: the path EXEC, scripts and
// replication use. Replies land in a plain string, in the client's protocol, and a command's
// writes are one committed batch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/commands.h"
#include "server/client.h"
#include "server/config.h"
#include "server/server.h"

namespace strata::server {
namespace {

class ExecuteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_exec_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.dir = dir_.string();
    registry_ = std::make_unique<ConfigRegistry>(&config_);
    server_ = std::make_unique<Server>(&config_, registry_.get());
    commands::RegisterAllCommands(&server_->commands());
    ASSERT_TRUE(server_->Open().ok());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs one command for client_ and returns the raw reply bytes.
  std::string Run(std::vector<std::string> args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    std::string out;
    server_->Execute(&client_, argv, &out);
    return out;
  }

  std::filesystem::path dir_;
  Config config_;
  std::unique_ptr<ConfigRegistry> registry_;
  std::unique_ptr<Server> server_;
  Client client_;  // no connection
};

TEST_F(ExecuteTest, CommandsRunWithoutAConnection) {
  EXPECT_EQ(Run({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(Run({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Run({"INCR", "n"}), ":1\r\n");
  EXPECT_EQ(Run({"DBSIZE"}), ":2\r\n");
  EXPECT_EQ(Run({"NOSUCH", "a"}),
            "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n");
  EXPECT_EQ(Run({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  // Commands about the connection itself have nothing to act on and must not crash.
  EXPECT_EQ(Run({"CLIENT", "KILL", "SKIPME", "no"}), ":0\r\n");
  EXPECT_EQ(Run({"QUIT"}), "+OK\r\n");
  EXPECT_EQ(Run({"PING"}), "+PONG\r\n");
}

TEST_F(ExecuteTest, RepliesFollowTheClientProtocol) {
  EXPECT_EQ(Run({"GET", "missing"}), "$-1\r\n");
  client_.proto = 3;
  EXPECT_EQ(Run({"GET", "missing"}), "_\r\n");
}

TEST_F(ExecuteTest, EachCommandCommitsItsWritesAsOneBatch) {
  const uint64_t before = server_->db()->LastSequence();
  EXPECT_EQ(Run({"MSET", "a", "1", "b", "2", "c", "3"}), "+OK\r\n");
  EXPECT_FALSE(server_->keyspace().HasStaged());
  // Three values and one counter record, written by one batch.
  EXPECT_EQ(server_->db()->LastSequence(), before + 4);
  EXPECT_EQ(Run({"MGET", "a", "c"}), "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
}

TEST_F(ExecuteTest, UncommittedCommandsShareATransaction) {
  // What EXEC and scripts do: run several commands, commit once.
  std::string out;
  std::vector<std::string> a = {"SET", "x", "1"}, b = {"INCR", "x"}, c = {"GET", "x"};
  for (auto* args : {&a, &b, &c}) {
    std::vector<std::string_view> argv(args->begin(), args->end());
    server_->Execute(&client_, argv, &out, /*commit=*/false);
  }
  EXPECT_EQ(out, "+OK\r\n:2\r\n$1\r\n2\r\n");  // later commands see earlier writes
  ASSERT_TRUE(server_->keyspace().HasStaged());
  const uint64_t before = server_->db()->LastSequence();
  ASSERT_TRUE(server_->keyspace().Commit().ok());
  // One batch of three records: both writes of x (in order) and the key counter.
  EXPECT_EQ(server_->db()->LastSequence(), before + 3);
  EXPECT_EQ(Run({"GET", "x"}), "$1\r\n2\r\n");
}

}  // namespace
}  // namespace strata::server
