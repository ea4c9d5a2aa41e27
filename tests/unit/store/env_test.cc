// Env::Default (POSIX) and FaultInjectionEnv.
#include "store/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "fault_env.h"
#include "store/filename.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

std::string ReadAll(Env* env, const std::string& fname) {
  std::string s;
  EXPECT_TRUE(ReadFileToString(env, fname, &s).ok());
  return s;
}

Status WriteFile(Env* env, const std::string& fname, std::string_view data, bool sync) {
  std::unique_ptr<WritableFile> f;
  Status s = env->NewWritableFile(fname, &f);
  if (s.ok()) s = f->Append(data);
  if (s.ok() && sync) s = f->Sync();
  if (s.ok()) s = f->Close();
  return s;
}

TEST(PosixEnv, WriteReadAppendAndPermissions) {
  testing::TempDir dir;
  Env* env = Env::Default();
  const std::string fname = dir.Sub("f");
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env->NewWritableFile(fname, &f).ok());
  ASSERT_TRUE(f->Append("hello ").ok());
  std::string big(200000, 'b');  // larger than the user-space buffer
  ASSERT_TRUE(f->Append(big).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("tail").ok());
  ASSERT_TRUE(f->SyncFlushed().ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(env, fname), "hello " + big + "tail");

  ASSERT_TRUE(env->NewAppendableFile(fname, &f).ok());
  ASSERT_TRUE(f->Append("+more").ok());
  ASSERT_TRUE(f->Close().ok());
  uint64_t size;
  ASSERT_TRUE(env->GetFileSize(fname, &size).ok());
  EXPECT_EQ(size, 6 + big.size() + 4 + 5);

  struct stat st;
  ASSERT_EQ(::stat(fname.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(env->CreateDir(dir.Sub("sub")).ok());
  ASSERT_TRUE(env->CreateDir(dir.Sub("sub")).ok());  // exists: fine
  ASSERT_EQ(::stat(dir.Sub("sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_TRUE(env->NewRandomAccessFile(fname, &r).ok());
  char scratch[10];
  std::string_view got;
  ASSERT_TRUE(r->Read(1, 5, &got, scratch).ok());
  EXPECT_EQ(got, "ello ");
  ASSERT_TRUE(r->Read(size - 3, 10, &got, scratch).ok());
  EXPECT_EQ(got, "ore");
}

// NewMappedReadableFile: views into a read-only mapping, clipped at the end of the file like
// pread, valid while the file is open; an empty file is readable (nothing to map).
TEST(PosixEnv, MappedReadableFileReturnsViewsOfTheFile) {
  testing::TempDir dir;
  Env* env = Env::Default();
  std::string data;
  for (int i = 0; data.size() < 3 * 4096 + 100; i++) data += std::to_string(i) + ",";
  const std::string fname = dir.Sub("table");
  ASSERT_TRUE(WriteFile(env, fname, data, true).ok());

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_TRUE(env->NewMappedReadableFile(fname, &r).ok());
  EXPECT_TRUE(r->Mapped());
  std::string_view a, b, c, d;
  ASSERT_TRUE(r->Read(0, 10, &a, nullptr).ok());
  ASSERT_TRUE(r->Read(4090, 20, &b, nullptr).ok());  // across a page boundary
  ASSERT_TRUE(r->Read(data.size() - 5, 100, &c, nullptr).ok());
  ASSERT_TRUE(r->Read(data.size() + 1, 10, &d, nullptr).ok());
  EXPECT_EQ(a, data.substr(0, 10));
  EXPECT_EQ(b, data.substr(4090, 20));
  EXPECT_EQ(c, data.substr(data.size() - 5));  // short at the end, as pread
  EXPECT_TRUE(d.empty());
  // Views of one mapping: reads copy nothing, and earlier views stay valid.
  EXPECT_EQ(b.data(), a.data() + 4090);
  EXPECT_EQ(a, data.substr(0, 10));

  const std::string empty = dir.Sub("empty");
  ASSERT_TRUE(WriteFile(env, empty, "", true).ok());
  ASSERT_TRUE(env->NewMappedReadableFile(empty, &r).ok());
  ASSERT_TRUE(r->Read(0, 10, &a, nullptr).ok());
  EXPECT_TRUE(a.empty());

  EXPECT_TRUE(env->NewMappedReadableFile(dir.Sub("missing"), &r).IsNotFound());
  // The fault-injection env maps through the env it wraps (the model test relies on it).
  FaultInjectionEnv fault(env);
  ASSERT_TRUE(fault.NewMappedReadableFile(fname, &r).ok());
  EXPECT_TRUE(r->Mapped());
}

// NewAppendOnlyFile: appends through a mapping, with space reserved ahead in 1 MiB chunks.
TEST(PosixEnv, AppendOnlyFileReservesAheadAndTrimsOnClose) {
  testing::TempDir dir;
  Env* env = Env::Default();
  const std::string fname = dir.Sub("wal");
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env->NewAppendOnlyFile(fname, &f).ok());
  std::string expected;
  auto append = [&](const std::string& data) {
    ASSERT_TRUE(f->Append(data).ok());
    expected += data;
  };
  for (int i = 0; i < 5000; i++)
    append(std::string(100 + i % 150, static_cast<char>('a' + i % 26)));
  append(std::string(3 << 20, 'L'));  // spans whole chunks
  append("tail");
  ASSERT_TRUE(f->Flush().ok());
  ASSERT_TRUE(f->SyncFlushed().ok());

  // Before Close the file is the data, then zeros up to a chunk boundary: what a process
  // that dies here leaves behind.
  std::string open_contents = ReadAll(env, fname);
  ASSERT_GT(open_contents.size(), expected.size());
  EXPECT_EQ(open_contents.size() % (1 << 20), 0u);
  EXPECT_EQ(open_contents.substr(0, expected.size()), expected);
  EXPECT_TRUE(std::all_of(open_contents.begin() + expected.size(), open_contents.end(),
                          [](char c) { return c == 0; }));

  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(env, fname), expected);
  f.reset();  // a closed file's destructor does nothing more
  EXPECT_EQ(ReadAll(env, fname), expected);

  struct stat st;
  ASSERT_EQ(::stat(fname.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // An empty file closes to zero bytes; the destructor closes (and trims) one not closed.
  ASSERT_TRUE(env->NewAppendOnlyFile(dir.Sub("empty"), &f).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(env, dir.Sub("empty")), "");
  ASSERT_TRUE(env->NewAppendOnlyFile(dir.Sub("dropped"), &f).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  f.reset();
  EXPECT_EQ(ReadAll(env, dir.Sub("dropped")), "abc");
  // Creating over an existing file truncates it.
  ASSERT_TRUE(env->NewAppendOnlyFile(fname, &f).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(env, fname), "");
}

TEST(PosixEnv, ChildrenRenameRemoveAndMissingFiles) {
  testing::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(WriteFile(env, dir.Sub("a"), "1", false).ok());
  ASSERT_TRUE(WriteFile(env, dir.Sub("b"), "2", false).ok());
  ASSERT_TRUE(env->RenameFile(dir.Sub("a"), dir.Sub("b")).ok());
  ASSERT_TRUE(env->SyncDir(dir.path()).ok());
  std::vector<std::string> children;
  ASSERT_TRUE(env->GetChildren(dir.path(), &children).ok());
  EXPECT_EQ(children, std::vector<std::string>{"b"});
  EXPECT_EQ(ReadAll(env, dir.Sub("b")), "1");
  ASSERT_TRUE(env->RemoveFile(dir.Sub("b")).ok());
  EXPECT_FALSE(env->FileExists(dir.Sub("b")));
  std::unique_ptr<SequentialFile> s;
  EXPECT_TRUE(env->NewSequentialFile(dir.Sub("nope"), &s).IsNotFound());
  EXPECT_FALSE(env->RemoveFile(dir.Sub("nope")).ok());
}

TEST(PosixEnv, LockFileIsExclusive) {
  testing::TempDir dir;
  Env* env = Env::Default();
  std::unique_ptr<FileLock> lock1, lock2;
  ASSERT_TRUE(env->LockFile(dir.Sub("LOCK"), &lock1).ok());
  Status s = env->LockFile(dir.Sub("LOCK"), &lock2);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  lock1.reset();
  EXPECT_TRUE(env->LockFile(dir.Sub("LOCK"), &lock2).ok());
}

TEST(FaultInjectionEnv, DropUnsyncedDataTruncatesToTheLastSync) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env.NewWritableFile(dir.Sub("f"), &f).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE(f->Append("durable").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-flushed").ok());
  ASSERT_TRUE(f->Flush().ok());
  ASSERT_TRUE(f->SyncFlushed().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  ASSERT_TRUE(f->Flush().ok());
  env.SetFilesystemActive(false);
  EXPECT_FALSE(f->Append("x").ok());
  EXPECT_FALSE(f->Sync().ok());
  f.reset();
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetFilesystemActive(true);
  EXPECT_EQ(ReadAll(&env, dir.Sub("f")), "durable-flushed");
}

TEST(FaultInjectionEnv, UnsyncedCreationsAndRenamesAreUndone) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  ASSERT_TRUE(WriteFile(&env, dir.Sub("old"), "old-contents", true).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE(WriteFile(&env, dir.Sub("new"), "new-contents", true).ok());  // entry not synced
  ASSERT_TRUE(WriteFile(&env, dir.Sub("tmp"), "replacement", true).ok());
  ASSERT_TRUE(env.RenameFile(dir.Sub("tmp"), dir.Sub("old")).ok());  // rename not synced
  EXPECT_EQ(ReadAll(&env, dir.Sub("old")), "replacement");
  env.SetFilesystemActive(false);
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetFilesystemActive(true);
  EXPECT_EQ(ReadAll(&env, dir.Sub("old")), "old-contents");
  EXPECT_FALSE(env.FileExists(dir.Sub("new")));
  EXPECT_FALSE(env.FileExists(dir.Sub("tmp")));

  // Synced renames and creations survive.
  ASSERT_TRUE(WriteFile(&env, dir.Sub("tmp"), "replacement", true).ok());
  ASSERT_TRUE(env.RenameFile(dir.Sub("tmp"), dir.Sub("old")).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(ReadAll(&env, dir.Sub("old")), "replacement");
}

TEST(FaultInjectionEnv, InjectedErrors) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::unique_ptr<WritableFile> f;
  env.SetFault(FaultOp::kNewWritableFile);
  EXPECT_TRUE(env.NewWritableFile(dir.Sub("f"), &f).IsIOError());
  env.ClearFaults();
  ASSERT_TRUE(env.NewWritableFile(dir.Sub("f"), &f).ok());

  env.SetFault(FaultOp::kAppend, 2);  // two more appends succeed
  EXPECT_TRUE(f->Append("a").ok());
  EXPECT_TRUE(f->Append("b").ok());
  Status s = f->Append("c");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.ToString().find("No space left"), std::string::npos) << s.ToString();
  env.ClearFaults();

  env.SetFault(FaultOp::kSync);
  EXPECT_TRUE(f->Sync().IsIOError());
  EXPECT_TRUE(f->SyncFlushed().IsIOError());
  env.ClearFaults();
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(&env, dir.Sub("f")), "ab");

  env.SetFault(FaultOp::kRename);
  EXPECT_TRUE(env.RenameFile(dir.Sub("f"), dir.Sub("g")).IsIOError());
  EXPECT_TRUE(env.FileExists(dir.Sub("f")));
  env.ClearFaults();
  EXPECT_EQ(env.InjectedFailures(), 5);
}

// Linux after a failed fsync (docs/design.md §4.7): the dirty pages are dropped, a later fsync
// succeeds, and after a crash the bytes the failed one should have written are not there.
TEST(FaultInjectionEnv, FailedSyncLosesItsBytesForGood) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env.NewWritableFile(dir.Sub("f"), &f).ok());
  ASSERT_TRUE(f->Append("synced|").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("lost|").ok());
  env.SetFault(FaultOp::kSync, 0, "/f");
  EXPECT_TRUE(f->Sync().IsIOError());
  env.ClearFaults();
  ASSERT_TRUE(f->Append("later").ok());
  ASSERT_TRUE(f->Sync().ok());  // "succeeds"
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  EXPECT_EQ(ReadAll(&env, dir.Sub("f")), "synced|lost|later");  // the page cache still has it
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(ReadAll(&env, dir.Sub("f")), "synced|" + std::string(5, '\0') + "later");
}

// A fault aimed at one kind of file leaves the others alone and is not used up by them.
TEST(FaultInjectionEnv, FaultsAimedAtOneKindOfFile) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::unique_ptr<WritableFile> log, sst;
  ASSERT_TRUE(env.NewWritableFile(dir.Sub("000001.log"), &log).ok());
  ASSERT_TRUE(env.NewWritableFile(dir.Sub("000002.sst"), &sst).ok());
  env.SetFault(FaultOp::kAppend, 1, ".sst");
  EXPECT_TRUE(log->Append("a").ok());
  EXPECT_TRUE(log->Append("b").ok());
  EXPECT_TRUE(sst->Append("c").ok());
  EXPECT_TRUE(sst->Append("d").IsIOError());
  EXPECT_TRUE(log->Append("e").ok());
  env.ClearFaults();
  EXPECT_TRUE(sst->Append("f").ok());
  EXPECT_EQ(env.InjectedFailures(), 1);
}

}  // namespace
}  // namespace strata::store
