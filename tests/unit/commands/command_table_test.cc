// The command tables: every registered command is well formed, and renames work.
#include <gtest/gtest.h>

#include "commands/commands.h"
#include "server/command.h"

namespace strata::server {
namespace {

TEST(CommandTable, EveryCommandHasSaneArityKeySpecAndDocs) {
  CommandTable t;
  commands::RegisterAllCommands(&t);
  for (Command* c : t.All()) {
    EXPECT_NE(c->arity, 0) << c->name;
    EXPECT_EQ(c->name, ToLower(c->name));
    if (c->keys.first > 0) {
      EXPECT_GE(c->keys.step, 1) << c->name;
      EXPECT_TRUE(c->keys.last < 0 || c->keys.last >= c->keys.first) << c->name;
    }
  }
  for (Command* c : t.All()) {
    EXPECT_FALSE(c->summary.empty()) << c->name;
    EXPECT_FALSE(c->group.empty()) << c->name;
  }
  ASSERT_NE(t.Find("GET"), nullptr);
  EXPECT_EQ(t.Find("get")->flags, kCmdReadOnly | kCmdFast);
  EXPECT_EQ(FlagNames(t.Find("set")->flags), (std::vector<std::string_view>{"write", "denyoom"}));
  EXPECT_EQ(t.Find("get")->arity, 2);
  EXPECT_EQ(t.Find("set")->arity, -3);
  EXPECT_EQ(t.Find("mset")->keys.step, 2);
  // Flags in Redis's COMMAND INFO order, whatever the order of the table line.
  EXPECT_EQ(FlagNames(t.Find("blpop")->flags),
            (std::vector<std::string_view>{"write", "noscript", "blocking"}));
  EXPECT_EQ(FlagNames(t.Find("lmpop")->flags),
            (std::vector<std::string_view>{"write", "movablekeys"}));
  EXPECT_EQ(t.Find("nosuch"), nullptr);
  EXPECT_TRUE(t.Rename("flushall", ""));
  EXPECT_EQ(t.Find("flushall"), nullptr);
  EXPECT_TRUE(t.Rename("config", "secret-config"));
  EXPECT_NE(t.Find("SECRET-CONFIG"), nullptr);
}

}  // namespace
}  // namespace strata::server
