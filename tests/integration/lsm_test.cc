// The LSM behind the server (issue 3): with a 1 MB memtable, a million keys loaded through
// the protocol end up in SSTables on several levels; after a restart a sample reads back and
// SCAN returns every key.
#include <filesystem>
#include <set>

#include "harness.h"

namespace strata::integration {
namespace {

std::string Value(int i) { return "value-" + std::to_string(i) + std::string(40, 'x'); }

TEST(LsmTest, MillionKeysSpanSeveralLevelsAndSurviveRestart) {
  STRATA_ONLY();
  const int kKeys = 1000000;
  TestServer server;
  ASSERT_TRUE(server.Start({"--memtable-size", "1mb"}));
  {
    Client c = server.Connect();
    for (int base = 0; base < kKeys; base += 1000) {
      for (int i = base; i < base + 1000; i++)
        c.Append({"SET", "k:" + std::to_string(i), Value(i)});
      for (int i = 0; i < 1000; i++) {
        Reply r = c.GetReply();
        ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS) << Show(r);
      }
    }
    EXPECT_EQ(c.Run("DBSIZE"), ":" + std::to_string(kKeys));
    // Background compaction has pushed data below L0: at least two levels hold tables.
    ASSERT_TRUE(PollUntil(
        [&] {
          Reply info = c.Cmd({"INFO", "storage"});
          if (!info || info->type != REDIS_REPLY_STRING) return false;
          std::string_view text(info->str, info->len);
          int levels = 0;
          for (int l = 0; l < 7; l++) {
            auto files = InfoField(text, "level" + std::to_string(l) + "_files");
            if (files && *files != "0") levels++;
          }
          return levels >= 2;
        },
        60s));
  }
  int ssts = 0;
  for (const auto& e : std::filesystem::directory_iterator(server.dir())) {
    ssts += e.path().extension() == ".sst";
  }
  EXPECT_GE(ssts, 3);

  server.Kill9();  // a crash, not a clean shutdown: recovery must find everything
  ASSERT_TRUE(server.Restart());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("DBSIZE"), ":" + std::to_string(kKeys));
  for (int i = 0; i < kKeys; i += 9973) {
    EXPECT_EQ(c.Run({"GET", "k:" + std::to_string(i)}), "$" + Value(i));
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    Reply r = c.Cmd({"SCAN", cursor, "COUNT", "5000"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) << Show(r);
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (size_t j = 0; j < r->element[1]->elements; j++) {
      seen.emplace(r->element[1]->element[j]->str, r->element[1]->element[j]->len);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), static_cast<size_t>(kKeys));
}

}  // namespace
}  // namespace strata::integration
