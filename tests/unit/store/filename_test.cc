#include "store/filename.h"

#include <gtest/gtest.h>

#include "fault_env.h"
#include "store/env.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

TEST(FileName, MakeAndParse) {
  EXPECT_EQ(LogFileName("/d", 7), "/d/000007.log");
  EXPECT_EQ(TableFileName("/d", 1234567), "/d/1234567.sst");
  EXPECT_EQ(DescriptorFileName("/d", 3), "/d/MANIFEST-000003");
  EXPECT_EQ(CurrentFileName("/d"), "/d/CURRENT");
  EXPECT_EQ(LockFileName("/d"), "/d/LOCK");
  EXPECT_EQ(TempFileName("/d", 9), "/d/000009.dbtmp");

  struct Case {
    const char* name;
    uint64_t number;
    FileType type;
  } cases[] = {
      {"000007.log", 7, FileType::kLogFile},
      {"18446744073709551615.sst", 18446744073709551615ull, FileType::kTableFile},
      {"MANIFEST-000003", 3, FileType::kDescriptorFile},
      {"CURRENT", 0, FileType::kCurrentFile},
      {"LOCK", 0, FileType::kLockFile},
      {"12.dbtmp", 12, FileType::kTempFile},
  };
  for (const Case& c : cases) {
    uint64_t number = 99;
    FileType type;
    ASSERT_TRUE(ParseFileName(c.name, &number, &type)) << c.name;
    EXPECT_EQ(number, c.number) << c.name;
    EXPECT_EQ(type, c.type) << c.name;
  }
  for (const char* bad : {"", "foo", "7.txt", ".log", "x7.log", "MANIFEST-", "MANIFEST-x",
                          "CURRENTx", "18446744073709551616.log", "-1.log"}) {
    uint64_t number;
    FileType type;
    EXPECT_FALSE(ParseFileName(bad, &number, &type)) << bad;
  }
}

TEST(FileName, SetCurrentFileWritesTheManifestName) {
  testing::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(SetCurrentFile(env, dir.path(), 5).ok());
  std::string contents;
  ASSERT_TRUE(ReadFileToString(env, CurrentFileName(dir.path()), &contents).ok());
  EXPECT_EQ(contents, "MANIFEST-000005\n");
  ASSERT_TRUE(SetCurrentFile(env, dir.path(), 6).ok());
  ASSERT_TRUE(ReadFileToString(env, CurrentFileName(dir.path()), &contents).ok());
  EXPECT_EQ(contents, "MANIFEST-000006\n");
  EXPECT_FALSE(env->FileExists(TempFileName(dir.path(), 6)));
}

// After a crash at any point, CURRENT names the old or the new manifest, never neither.
TEST(FileName, SetCurrentFileIsCrashSafe) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  ASSERT_TRUE(SetCurrentFile(&env, dir.path(), 1).ok());

  // A crash right after a complete switch keeps the new name.
  ASSERT_TRUE(SetCurrentFile(&env, dir.path(), 2).ok());
  env.SetFilesystemActive(false);
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetFilesystemActive(true);
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, CurrentFileName(dir.path()), &contents).ok());
  EXPECT_EQ(contents, "MANIFEST-000002\n");

  // A failure at the final directory sync: the rename may be lost, the old name survives.
  env.SetFault(FaultOp::kSyncDir);
  EXPECT_FALSE(SetCurrentFile(&env, dir.path(), 3).ok());
  env.ClearFaults();
  env.SetFilesystemActive(false);
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetFilesystemActive(true);
  ASSERT_TRUE(ReadFileToString(&env, CurrentFileName(dir.path()), &contents).ok());
  EXPECT_EQ(contents, "MANIFEST-000002\n");

  // A failed sync of the temp file never renames it.
  env.SetFault(FaultOp::kSync);
  EXPECT_FALSE(SetCurrentFile(&env, dir.path(), 4).ok());
  env.ClearFaults();
  ASSERT_TRUE(ReadFileToString(&env, CurrentFileName(dir.path()), &contents).ok());
  EXPECT_EQ(contents, "MANIFEST-000002\n");
  EXPECT_FALSE(env.FileExists(TempFileName(dir.path(), 4)));
}

}  // namespace
}  // namespace strata::store
