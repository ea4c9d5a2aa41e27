// Damaged data directories (issue 5): a flipped byte in a table's data block, in the middle of
// the WAL, or in the MANIFEST. Whatever is damaged, a read returns the right value or an error,
// never wrong data; start-up either recovers what is provably intact or stops with a message
// that names the damage and what to do. Strata-only: the files are Strata's.
#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

std::string Value(int i) { return "value-" + std::to_string(i) + "-" + std::string(60, 'v'); }
std::string Key(int i) { return "key:" + std::to_string(100000 + i); }

// Files in dir whose names end with suffix (or start with it, for "MANIFEST-"), sorted.
std::vector<std::string> FilesLike(const std::string& dir, const std::string& pattern,
                                   bool prefix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    bool match = prefix ? n.rfind(pattern, 0) == 0
                        : n.size() >= pattern.size() &&
                              n.compare(n.size() - pattern.size(), pattern.size(), pattern) == 0;
    if (match) out.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void FlipByte(const std::string& path, size_t offset) {
  std::string data = ReadFile(path);
  ASSERT_LT(offset, data.size()) << path;
  data[offset] = static_cast<char>(data[offset] ^ 0x5a);
  WriteFile(path, data);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

void Load(Client& c, int n) {
  for (int i = 0; i < n; ++i) c.Append({"SET", Key(i), Value(i)});
  for (int i = 0; i < n; ++i) ASSERT_EQ(Show(c.GetReply()), "+OK") << i;
}

TEST(CorruptionTest, FlippedByteInTableIsAnErrorNeverWrongData) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  constexpr int kKeys = 3000;
  Load(c, kKeys);
  ASSERT_EQ(c.Run("SAVE"), "+OK");  // the memtable becomes a table; the WAL is retired
  ASSERT_TRUE(server.Stop());
  std::vector<std::string> tables = FilesLike(server.dir(), ".sst", false);
  ASSERT_EQ(tables.size(), 1u);
  FlipByte(tables[0], 1000);  // inside the first data block

  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  int errors = 0;
  for (int i = 0; i < kKeys; ++i) c.Append({"GET", Key(i)});
  for (int i = 0; i < kKeys; ++i) {
    std::string r = Show(c.GetReply());
    if (r.rfind("-ERR data corruption detected", 0) == 0) {
      errors++;
    } else {
      ASSERT_EQ(r, "$" + Value(i)) << "a damaged table must never give a wrong value";
    }
  }
  EXPECT_GT(errors, 0) << "the damaged block must be reported";
  EXPECT_LT(errors, kKeys / 2) << "only the damaged block's keys are affected";
  EXPECT_EQ(c.Run("PING"), "+PONG");
}

TEST(CorruptionTest, DamagedWalStopsStartUpUnlessSkippingIsAllowed) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  constexpr int kKeys = 3000;  // ~280 KB of WAL: several 32 KiB blocks
  Load(c, kKeys);
  server.Kill9();  // everything is in the WAL only
  std::vector<std::string> wals = FilesLike(server.dir(), ".log", false);
  ASSERT_FALSE(wals.empty());
  std::string wal = wals.back();
  // The WAL a killed server leaves ends in the zeros it reserved ahead of its data (env.h).
  const std::string contents = ReadFile(wal);
  const size_t size = contents.find_last_not_of('\0') + 1;
  ASSERT_GT(size, 100000u);
  FlipByte(wal, size / 2);  // not a torn tail: a record in the middle

  EXPECT_FALSE(server.Restart()) << "a WAL damaged in the middle must stop start-up";
  EXPECT_FALSE(server.Running());
  std::string log = Lower(server.LogTail(20));
  EXPECT_NE(log.find(".log"), std::string::npos) << "the message names the file:\n" << log;
  EXPECT_NE(log.find("skip-corrupt-wal"), std::string::npos) << "and says what to do:\n" << log;

  // The operator accepts the loss: the records before the damage come back intact, and every
  // value that comes back is right.
  ASSERT_TRUE(server.Start({"--skip-corrupt-wal", "yes"}));
  c = server.Connect();
  int present = 0, first_missing = -1;
  for (int i = 0; i < kKeys; ++i) c.Append({"GET", Key(i)});
  for (int i = 0; i < kKeys; ++i) {
    std::string r = Show(c.GetReply());
    if (r == "(nil)") {
      if (first_missing < 0) first_missing = i;
      continue;
    }
    ASSERT_EQ(r, "$" + Value(i)) << i;
    present++;
  }
  EXPECT_GT(first_missing, kKeys / 4) << "records before the damage are kept";
  EXPECT_LT(present, kKeys) << "the damaged record is gone";
  EXPECT_EQ(c.Run("DBSIZE"), ":" + std::to_string(present)) << "the counters agree with the data";
}

TEST(CorruptionTest, DamagedManifestStopsStartUpWithAMessage) {
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  Load(c, 500);
  ASSERT_EQ(c.Run("SAVE"), "+OK");
  ASSERT_TRUE(server.Stop());
  std::vector<std::string> manifests = FilesLike(server.dir(), "MANIFEST-", true);
  ASSERT_EQ(manifests.size(), 1u);
  const size_t size = ReadFile(manifests[0]).size();
  ASSERT_GT(size, 20u);
  FlipByte(manifests[0], size - 10);  // inside the last edit, the one naming the table

  EXPECT_FALSE(server.Restart()) << "a damaged MANIFEST must stop start-up";
  EXPECT_FALSE(server.Running());
  EXPECT_NE(server.exit_status(), 0);
  std::string log = Lower(server.LogTail(20));
  EXPECT_NE(log.find("manifest"), std::string::npos) << "the message names the file:\n" << log;
  EXPECT_NE(log.find("corrupt"), std::string::npos) << "and what is wrong:\n" << log;
}

}  // namespace
}  // namespace strata::integration
