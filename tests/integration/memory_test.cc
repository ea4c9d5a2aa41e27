// maxmemory: one budget for the store's memtables and caches. More data than the budget is
// loaded; the server keeps all of it (on disk) and its resident memory stays within the budget
// plus a fixed overhead (docs/design.md §7.5, README "Memory").
#include <fstream>

#include "harness.h"

namespace strata::integration {
namespace {

long PeakRssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

TEST(MemoryTest, TheBudgetBoundsResidentMemoryWhileMoreDataIsLoaded) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--maxmemory", "16mb"}));
  Client c = server.Connect();
  const std::string info = Show(c.Cmd("INFO memory"));
  EXPECT_NE(info.find("maxmemory:16777216"), std::string::npos) << info;
  EXPECT_NE(info.find("strata_row_cache_budget:6291456"), std::string::npos) << info;
  // 150k values of 1 KiB: about ten times the budget.
  const std::string value(1024, 'x');
  for (int batch = 0; batch < 150; batch++) {
    for (int i = 0; i < 1000; i++) {
      c.Append({"SET", "key:" + std::to_string(batch * 1000 + i), value});
    }
    for (int i = 0; i < 1000; i++) ASSERT_EQ(Show(c.GetReply()), "+OK");
  }
  EXPECT_EQ(c.Run("DBSIZE"), ":150000");
  EXPECT_EQ(c.Run("STRLEN key:0"), ":1024");
  EXPECT_EQ(c.Run("STRLEN key:149999"), ":1024");
  if (ServerBinary().find("/san-") == std::string::npos) {  // ASan keeps freed memory resident
    // The budget plus the fixed overhead measured by scripts/bench-memory.sh (under 10 MiB),
    // with room for the allocator's slack on a small budget.
    EXPECT_LT(PeakRssKb(server.pid()), (16 + 48) * 1024) << "peak RSS in KiB";
    std::printf("memory: peak RSS %ld KiB with maxmemory 16 MiB\n", PeakRssKb(server.pid()));
  }
}

}  // namespace
}  // namespace strata::integration
