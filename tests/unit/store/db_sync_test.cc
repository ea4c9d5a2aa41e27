// DB::SyncIfIdle, the fsync the server's event loop runs itself with appendfsync always:
// what it returns is durable across a machine crash, it never waits behind another thread's
// fsync (Busy instead), and a failed fsync is reported, sticky and never retried.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fault_env.h"
#include "store/db.h"
#include "store/env.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using namespace std::chrono_literals;

// An Env whose WAL fsyncs (SyncFlushed of a .log file) block while the gate is closed, so
// that a test can hold an fsync "running" on another thread. Everything else is the base's.
class GatedEnv final : public Env {
 public:
  explicit GatedEnv(Env* base) : base_(base) {}

  void CloseGate() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = false;
  }
  void OpenGate() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until an fsync is blocked at the closed gate.
  bool WaitForBlockedSync() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, 10s, [&] { return blocked_ > 0; });
  }

  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override {
    return base_->NewSequentialFile(f, r);
  }
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override {
    return base_->NewRandomAccessFile(f, r);
  }
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return Wrap(f, base_->NewWritableFile(f, r), r);
  }
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return Wrap(f, base_->NewAppendableFile(f, r), r);
  }
  bool FileExists(const std::string& f) override { return base_->FileExists(f); }
  Status GetChildren(const std::string& d, std::vector<std::string>* r) override {
    return base_->GetChildren(d, r);
  }
  Status RemoveFile(const std::string& f) override { return base_->RemoveFile(f); }
  Status CreateDir(const std::string& d) override { return base_->CreateDir(d); }
  Status GetFileSize(const std::string& f, uint64_t* s) override {
    return base_->GetFileSize(f, s);
  }
  Status RenameFile(const std::string& s, const std::string& t) override {
    return base_->RenameFile(s, t);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Status LockFile(const std::string& f, std::unique_ptr<FileLock>* l) override {
    return base_->LockFile(f, l);
  }
  uint64_t NowMicros() override { return base_->NowMicros(); }
  void SleepForMicroseconds(int micros) override { base_->SleepForMicroseconds(micros); }

 private:
  class File final : public WritableFile {
   public:
    File(GatedEnv* env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Flush() override { return base_->Flush(); }
    Status Sync() override { return base_->Sync(); }
    Status Close() override { return base_->Close(); }
    Status SyncFlushed() override {
      env_->PassGate();
      return base_->SyncFlushed();
    }

   private:
    GatedEnv* const env_;
    const std::unique_ptr<WritableFile> base_;
  };

  Status Wrap(const std::string& f, Status s, std::unique_ptr<WritableFile>* r) {
    if (s.ok() && f.ends_with(".log")) *r = std::make_unique<File>(this, std::move(*r));
    return s;
  }
  void PassGate() {
    std::unique_lock<std::mutex> l(mu_);
    blocked_++;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
    blocked_--;
  }

  Env* const base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int blocked_ = 0;
};

class DBSyncTest : public ::testing::Test {
 protected:
  DBSyncTest() {
    options_.sync_mode = SyncMode::kNo;  // as the server runs it: syncs only on request
    buffered_.buffer_wal = true;         // as the server writes: FlushWAL hands them to the OS
  }
  ~DBSyncTest() override { db_.reset(); }

  void Open() {
    db_.reset();
    Status s = DB::Open(options_, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The instant of a power failure: the disk keeps only what was synced.
  void CrashAndReopen() {
    testing::PowerCut(&fault_env_, &db_);
    Open();
  }

  std::string Get(const std::string& key) { return testing::GetValue(db_.get(), key); }

  uint64_t WalSyncs() {
    std::string info;
    EXPECT_TRUE(db_->GetProperty("strata.info", &info));
    const std::string needle = "wal_syncs:";
    size_t pos = info.find(needle);
    EXPECT_NE(pos, std::string::npos);
    return std::strtoull(info.c_str() + pos + needle.size(), nullptr, 10);
  }

  testing::TempDir dir_;
  FaultInjectionEnv fault_env_{Env::Default()};  // both outlive db_
  GatedEnv gated_{Env::Default()};
  Options options_;
  WriteOptions buffered_;
  std::unique_ptr<DB> db_;
};

// Options::mmap_wal. The server (false) buffers its writes and relies on FlushWAL putting
// them in the file, where a crash of the process cannot lose them, before it replies; the
// engine's default (true) copies each record into a mapping of space reserved ahead.
TEST_F(DBSyncTest, BufferedWritesAreInTheWalFileAfterFlushWAL) {
  auto wal_size = [&] {
    uintmax_t size = 0;
    int wals = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      if (e.path().extension() == ".log") {
        size = e.file_size();
        wals++;
      }
    }
    EXPECT_EQ(wals, 1);
    return size;
  };
  for (bool mapped : {false, true}) {
    SCOPED_TRACE(mapped ? "mmap_wal" : "write(2) WAL");
    options_.mmap_wal = mapped;
    Open();
    ASSERT_TRUE(db_->Put(buffered_, "k", std::string(1000, 'v')).ok());
    if (!mapped) {
      EXPECT_EQ(wal_size(), 0u);  // still in the buffer
    }
    ASSERT_TRUE(db_->FlushWAL().ok());
    if (mapped) {
      EXPECT_EQ(wal_size() % (1u << 20), 0u);  // reserved ahead, trimmed at close
    } else {
      EXPECT_GT(wal_size(), 1000u);
      EXPECT_LT(wal_size(), 1100u);
    }
    Open();  // closes the DB: the WAL is replayed
    EXPECT_EQ(Get("k"), std::string(1000, 'v'));
    db_.reset();
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      std::filesystem::remove_all(e.path());
    }
  }
}

TEST_F(DBSyncTest, WhatSyncIfIdleReturnsOkForSurvivesAMachineCrash) {
  options_.env = &fault_env_;
  Open();
  for (int i = 0; i < 100; i++) {
    ASSERT_TRUE(db_->Put(buffered_, "k" + std::to_string(i), "v" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(db_->FlushWAL().ok());
  const uint64_t seq = db_->LastSequence();
  ASSERT_LT(db_->DurableSequence(), seq);
  const uint64_t syncs = WalSyncs();
  ASSERT_TRUE(db_->SyncIfIdle(seq).ok());
  EXPECT_GE(db_->DurableSequence(), seq);
  EXPECT_EQ(WalSyncs(), syncs + 1) << "one fsync for the whole group";
  // Already durable: nothing to do.
  ASSERT_TRUE(db_->SyncIfIdle(seq).ok());
  EXPECT_EQ(WalSyncs(), syncs + 1);
  // Handed to the OS but never synced: a machine crash may lose it (and here does).
  ASSERT_TRUE(db_->Put(buffered_, "unsynced", "x").ok());
  ASSERT_TRUE(db_->FlushWAL().ok());

  CrashAndReopen();
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(Get("k" + std::to_string(i)), "v" + std::to_string(i)) << i;
  }
  EXPECT_EQ(Get("unsynced"), "NOT_FOUND");
}

TEST_F(DBSyncTest, SyncIfIdleFlushesBufferedWalBytesItself) {
  options_.env = &fault_env_;
  Open();
  ASSERT_TRUE(db_->Put(buffered_, "a", "1").ok());  // still in the store's WAL buffer
  ASSERT_TRUE(db_->SyncIfIdle(db_->LastSequence()).ok());
  CrashAndReopen();
  EXPECT_EQ(Get("a"), "1");
}

// The caller (the event loop) must not wait behind the syncer's fsync: Busy, and nothing
// is claimed durable; once that fsync is over, SyncIfIdle syncs itself.
TEST_F(DBSyncTest, SyncIfIdleIsBusyWhileAnotherFsyncRuns) {
  options_.env = &gated_;
  Open();
  ASSERT_TRUE(db_->Put(buffered_, "first", "1").ok());
  gated_.CloseGate();
  auto other = std::async(std::launch::async, [&] { return db_->SyncWAL(); });
  struct Opener {  // lets `other` finish however the test ends
    GatedEnv* env;
    ~Opener() { env->OpenGate(); }
  } opener{&gated_};
  ASSERT_TRUE(gated_.WaitForBlockedSync());

  ASSERT_TRUE(db_->Put(buffered_, "second", "2").ok());
  ASSERT_TRUE(db_->FlushWAL().ok());
  const uint64_t seq = db_->LastSequence();
  Status s = db_->SyncIfIdle(seq);  // returns at once, or this test hangs
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_LT(db_->DurableSequence(), seq);
  EXPECT_TRUE(db_->BackgroundError().ok());

  gated_.OpenGate();
  ASSERT_TRUE(other.get().ok());
  s = db_->SyncIfIdle(seq);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(db_->DurableSequence(), seq);
}

// A failed fsync is the sticky error, as SyncAsync would report it, and is never retried:
// the pages it should have written may be gone (fault_env.h).
TEST_F(DBSyncTest, FailedSyncIfIdleIsStickyAndNeverRetried) {
  options_.env = &fault_env_;
  Open();
  ASSERT_TRUE(db_->Put(buffered_, "durable", "1").ok());
  ASSERT_TRUE(db_->SyncIfIdle(db_->LastSequence()).ok());
  ASSERT_TRUE(db_->Put(buffered_, "lost", "2").ok());
  ASSERT_TRUE(db_->FlushWAL().ok());
  const uint64_t seq = db_->LastSequence();
  const uint64_t syncs = WalSyncs();
  fault_env_.SetFault(FaultOp::kSync, 0, ".log");
  Status s = db_->SyncIfIdle(seq);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(db_->BackgroundError().IsIOError());
  EXPECT_LT(db_->DurableSequence(), seq);
  fault_env_.ClearFaults();  // the disk is fine again, but the WAL's dirty pages are gone
  s = db_->SyncIfIdle(seq);
  EXPECT_TRUE(s.IsIOError()) << "a failed fsync must not be retried: " << s.ToString();
  EXPECT_EQ(WalSyncs(), syncs + 1);
  std::promise<Status> cb;
  db_->SyncAsync(seq, [&](Status st) { cb.set_value(st); });
  EXPECT_TRUE(cb.get_future().get().IsIOError());
  EXPECT_TRUE(db_->Put(buffered_, "after", "3").IsIOError());

  CrashAndReopen();
  EXPECT_EQ(Get("durable"), "1");
  EXPECT_EQ(Get("after"), "NOT_FOUND");
}

}  // namespace
}  // namespace strata::store
