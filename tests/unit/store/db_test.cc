// DB behaviour: reads and writes, iterators, snapshots, recovery, group commit, the syncer,
// locking and sticky errors. The randomized crash model test is in db_fault_test.cc.
#include "store/db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "fault_env.h"
#include "store/env.h"
#include "store/filename.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using namespace std::chrono_literals;

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

class DBTest : public ::testing::Test {
 protected:
  DBTest() {
    options_.sync_mode = SyncMode::kNo;
    options_.info_log = [this](LogLevel level, std::string_view msg) {
      std::lock_guard<std::mutex> l(log_mutex_);
      log_.push_back({level, std::string(msg)});
    };
  }
  ~DBTest() override { db_.reset(); }

  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dir_.path(), &db_);
  }
  void Reopen() { ASSERT_TRUE(TryOpen().ok()); }

  std::string Get(std::string_view k, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, k, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return s.ToString();
    return v;
  }

  // "k=v k=v ..." via an iterator.
  std::string Contents(const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    auto it = db_->NewIterator(ro);
    std::string out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!out.empty()) out += " ";
      out += std::string(it->key()) + "=" + std::string(it->value());
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  bool Logged(LogLevel level, std::string_view fragment) {
    std::lock_guard<std::mutex> l(log_mutex_);
    for (auto& [lv, msg] : log_) {
      if (lv == level && msg.find(fragment) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<uint64_t> LogFiles() {
    std::vector<std::string> children;
    EXPECT_TRUE(Env::Default()->GetChildren(dir_.path(), &children).ok());
    std::vector<uint64_t> logs;
    for (auto& name : children) {
      uint64_t n;
      FileType t;
      if (ParseFileName(name, &n, &t) && t == FileType::kLogFile) logs.push_back(n);
    }
    std::sort(logs.begin(), logs.end());
    return logs;
  }

  uint64_t InfoValue(const std::string& name) {
    std::string info;
    EXPECT_TRUE(db_->GetProperty("strata.info", &info));
    std::string needle = name + ":";
    size_t pos = info.find("\r\n" + needle);
    pos = (pos == std::string::npos) ? (info.starts_with(needle) ? 0 : pos) : pos + 2;
    EXPECT_NE(pos, std::string::npos) << name;
    return std::strtoull(info.c_str() + pos + needle.size(), nullptr, 10);
  }

  // Calls SyncAsync(seq) and waits for its callback (on whichever thread it runs).
  Status SyncAndWait(uint64_t seq) {
    std::mutex mu;
    std::condition_variable cv;
    bool fired = false;
    Status got;
    db_->SyncAsync(seq, [&](Status s) {
      std::lock_guard<std::mutex> l(mu);
      got = s;
      fired = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> l(mu);
    EXPECT_TRUE(cv.wait_for(l, std::chrono::seconds(60), [&] { return fired; }));
    return got;
  }

  testing::TempDir dir_;
  FaultInjectionEnv fault_env_{Env::Default()};  // outlives db_ (reset in the destructor)
  Options options_;
  std::unique_ptr<DB> db_;
  std::mutex log_mutex_;
  std::vector<std::pair<LogLevel, std::string>> log_;
  WriteOptions wo_;
};

TEST_F(DBTest, PutGetDelete) {
  Reopen();
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  ASSERT_TRUE(db_->Put(wo_, "a", "1").ok());
  ASSERT_TRUE(db_->Put(wo_, "b", "2").ok());
  EXPECT_EQ(Get("a"), "1");
  ASSERT_TRUE(db_->Put(wo_, "a", "3").ok());
  EXPECT_EQ(Get("a"), "3");
  ASSERT_TRUE(db_->Delete(wo_, "a").ok());
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  ASSERT_TRUE(db_->Delete(wo_, "never-existed").ok());
  EXPECT_EQ(Get("b"), "2");
  ASSERT_TRUE(db_->Put(wo_, "", "empty key").ok());
  EXPECT_EQ(Get(""), "empty key");
  EXPECT_EQ(db_->LastSequence(), 6u);
}

TEST_F(DBTest, WriteBatchIsAtomicAndSequenced) {
  Reopen();
  WriteBatch batch;
  batch.Put("x", "1");
  batch.Put("y", "2");
  batch.Delete("x");
  ASSERT_TRUE(db_->Write(wo_, &batch).ok());
  EXPECT_EQ(db_->LastSequence(), 3u);
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  EXPECT_EQ(Get("y"), "2");
  WriteBatch empty;
  ASSERT_TRUE(db_->Write(wo_, &empty).ok());
  EXPECT_EQ(db_->LastSequence(), 3u);
}

TEST_F(DBTest, IteratorHidesTombstonesAndOldVersions) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "b", "b1").ok());
  ASSERT_TRUE(db_->Put(wo_, "a", "a1").ok());
  ASSERT_TRUE(db_->Put(wo_, "c", "c1").ok());
  ASSERT_TRUE(db_->Put(wo_, "b", "b2").ok());
  ASSERT_TRUE(db_->Delete(wo_, "c").ok());
  ASSERT_TRUE(db_->Put(wo_, "d", "d1").ok());
  EXPECT_EQ(Contents(), "a=a1 b=b2 d=d1");

  auto it = db_->NewIterator(ReadOptions());
  it->Seek("b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  EXPECT_EQ(it->value(), "b2");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  it->Seek("bb");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");  // c is deleted
  it->Seek("e");
  EXPECT_FALSE(it->Valid());
  // An iterator is a snapshot: later writes are invisible to it.
  it->SeekToFirst();
  ASSERT_TRUE(db_->Put(wo_, "a0", "new").ok());
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  EXPECT_TRUE(it->status().ok());
}

TEST_F(DBTest, Snapshots) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "k", "v1").ok());
  const Snapshot* s1 = db_->GetSnapshot();
  ASSERT_TRUE(db_->Put(wo_, "k", "v2").ok());
  ASSERT_TRUE(db_->Put(wo_, "other", "o").ok());
  const Snapshot* s2 = db_->GetSnapshot();
  ASSERT_TRUE(db_->Delete(wo_, "k").ok());
  EXPECT_EQ(Get("k", s1), "v1");
  EXPECT_EQ(Get("k", s2), "v2");
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  EXPECT_EQ(Contents(s1), "k=v1");
  EXPECT_EQ(Contents(s2), "k=v2 other=o");
  EXPECT_EQ(Contents(), "other=o");
  EXPECT_EQ(InfoValue("snapshots"), 2u);
  db_->ReleaseSnapshot(s1);
  db_->ReleaseSnapshot(s2);
  EXPECT_EQ(InfoValue("snapshots"), 0u);
}

TEST_F(DBTest, ReopenRecoversEverything) {
  Reopen();
  for (int i = 0; i < 1000; i++) ASSERT_TRUE(db_->Put(wo_, Key(i), "v" + std::to_string(i)).ok());
  for (int i = 0; i < 1000; i += 3) ASSERT_TRUE(db_->Delete(wo_, Key(i)).ok());
  const uint64_t seq = db_->LastSequence();
  std::string before = Contents();
  for (int round = 0; round < 3; round++) {
    Reopen();
    EXPECT_EQ(db_->LastSequence(), seq + round);
    EXPECT_EQ(db_->DurableSequence(), seq + round);
    EXPECT_EQ(Contents(), before);
    EXPECT_EQ(Get(Key(1)), "v1");
    EXPECT_EQ(Get(Key(3)), "NOT_FOUND");
    ASSERT_TRUE(db_->Put(wo_, "round", std::to_string(round)).ok());  // sequences continue
    before = Contents();
  }
  EXPECT_EQ(Get("round"), "2");
}

TEST_F(DBTest, WALsDoNotPileUpAcrossReopens) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "k", "v").ok());
  for (int i = 0; i < 5; i++) Reopen();
  // At most the one with data (until its memtable is flushed) and the live one.
  EXPECT_LE(LogFiles().size(), 2u);
  EXPECT_EQ(Get("k"), "v");
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(LogFiles().size(), 1u);
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(DBTest, BufferedWritesReachTheOSOnFlushWALAndSurviveReopen) {
  // A WAL written with write(2) (the fault env's files), so that its size shows what reached
  // the OS. The POSIX Env's mapped WAL has every Append in the page cache at once.
  FaultInjectionEnv plain(Env::Default());
  options_.env = &plain;
  Reopen();
  WriteOptions buffered;
  buffered.buffer_wal = true;
  for (int i = 0; i < 100; i++) ASSERT_TRUE(db_->Put(buffered, Key(i), "b").ok());
  EXPECT_EQ(InfoValue("wal_buffered"), 1u);
  EXPECT_EQ(InfoValue("write_fast_path"), 100u);
  uint64_t size_before = 0;
  ASSERT_TRUE(
      Env::Default()->GetFileSize(LogFileName(dir_.path(), LogFiles().back()), &size_before).ok());
  EXPECT_EQ(size_before, 0u);  // all in the user-space buffer
  ASSERT_TRUE(db_->FlushWAL().ok());
  EXPECT_EQ(InfoValue("wal_buffered"), 0u);
  uint64_t size_after = 0;
  ASSERT_TRUE(
      Env::Default()->GetFileSize(LogFileName(dir_.path(), LogFiles().back()), &size_after).ok());
  EXPECT_EQ(size_after, InfoValue("wal_bytes"));
  EXPECT_GT(size_after, 100u * 10);
  Reopen();
  EXPECT_EQ(Get(Key(99)), "b");
  db_.reset();  // before `plain` goes
}

// The POSIX Env's WAL is written through a memory mapping with space reserved ahead
// (env.h): the files a process leaves when it dies end in zeros, which recovery takes for
// the end of the data, without a warning and without counting torn bytes.
TEST_F(DBTest, MappedWALRecoversFromAProcessCrashWithoutWarnings) {
  options_.memtable_size = 256 << 10;  // a few WAL switches
  Reopen();
  WriteOptions buffered;
  buffered.buffer_wal = true;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 6000; i++) {
    std::string k = Key(i % 2500), v = std::string(20 + i % 200, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(db_->Put(i % 3 == 0 ? buffered : wo_, k, v).ok());
    model[k] = v;
  }
  ASSERT_GT(InfoValue("wal_switches"), 1u);
  for (int i = 0; i < 1000 && InfoValue("immutable_memtables") > 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // no flush mid-copy
  }
  // What a kill -9 leaves: the files as the page cache has them, the live WAL untrimmed.
  testing::TempDir crashed;
  const uint64_t live_wal = LogFiles().back();
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    if (e.path().filename() == "LOCK") continue;
    std::filesystem::copy_file(e.path(), crashed.path() + "/" + e.path().filename().string());
  }
  uint64_t reserved = 0;
  ASSERT_TRUE(Env::Default()->GetFileSize(LogFileName(crashed.path(), live_wal), &reserved).ok());
  EXPECT_EQ(reserved % (1 << 20), 0u);
  EXPECT_GT(reserved, InfoValue("wal_bytes"));

  // Closed cleanly, every WAL is trimmed to its records.
  const uint64_t wal_bytes = InfoValue("wal_bytes");
  db_.reset();
  uint64_t trimmed = 0;
  ASSERT_TRUE(Env::Default()->GetFileSize(LogFileName(dir_.path(), live_wal), &trimmed).ok());
  EXPECT_EQ(trimmed, wal_bytes);

  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options_, crashed.path(), &db).ok());
  for (const auto& [k, v] : model) {
    std::string got;
    ASSERT_TRUE(db->Get(ReadOptions(), k, &got).ok()) << k;
    ASSERT_EQ(got, v) << k;
  }
  std::string info;
  ASSERT_TRUE(db->GetProperty("strata.info", &info));
  EXPECT_NE(info.find("recovery_dropped_torn_bytes:0\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("recovery_skipped_corrupt_bytes:0\r\n"), std::string::npos) << info;
  // Writes go on, and a second crash-free reopen (the zero-tailed WAL now older) is clean.
  ASSERT_TRUE(db->Put(wo_, "after", "crash").ok());
  db.reset();
  ASSERT_TRUE(DB::Open(options_, crashed.path(), &db).ok());
  std::string got;
  ASSERT_TRUE(db->Get(ReadOptions(), "after", &got).ok());
  EXPECT_EQ(got, "crash");
  ASSERT_TRUE(db->Get(ReadOptions(), Key(2499), &got).ok());
  EXPECT_EQ(got, model[Key(2499)]);
  db.reset();
  std::lock_guard<std::mutex> l(log_mutex_);
  for (const auto& [level, msg] : log_) EXPECT_LT(level, LogLevel::kWarn) << msg;
}

TEST_F(DBTest, UnbufferedWriteReachesTheOSBeforeReturning) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "k", "v").ok());
  uint64_t size = 0;
  ASSERT_TRUE(Env::Default()->GetFileSize(LogFileName(dir_.path(), LogFiles().back()), &size).ok());
  EXPECT_GT(size, 0u);
  EXPECT_EQ(InfoValue("wal_buffered"), 0u);
}

TEST_F(DBTest, FullMemtablesSwitchWALsAndEverythingRecovers) {
  options_.memtable_size = 64 << 10;
  Reopen();
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; i++) {
    std::string k = Key(i % 1500), v = std::string(50, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(db_->Put(wo_, k, v).ok());
    model[k] = v;
  }
  EXPECT_GT(InfoValue("wal_switches"), 2u);
  // A switch syncs the old WAL whole, so durability advanced even in kNo mode.
  EXPECT_GT(db_->DurableSequence(), 0u);
  std::string expect;
  for (auto& [k, v] : model) expect += (expect.empty() ? "" : " ") + k + "=" + v;
  EXPECT_EQ(Contents(), expect);
  Reopen();
  EXPECT_EQ(Contents(), expect);
  EXPECT_EQ(Get(Key(7)), model[Key(7)]);
  // Once everything is flushed, the old WALs are gone (db_lsm_test.cc has the details).
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(LogFiles().size(), 1u);
  Reopen();
  EXPECT_EQ(Contents(), expect);
}

TEST_F(DBTest, SecondOpenOfTheSameDirectoryIsBusy) {
  Reopen();
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, dir_.path(), &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(s.ToString().find("data directory " + dir_.path() + " is locked"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(second, nullptr);
  db_.reset();
  EXPECT_TRUE(DB::Open(options_, dir_.path(), &second).ok());
}

TEST_F(DBTest, CreateIfMissingFalse) {
  options_.create_if_missing = false;
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(options_, dir_.Sub("missing"), &db).IsInvalidArgument());
  options_.create_if_missing = true;
  EXPECT_TRUE(DB::Open(options_, dir_.Sub("missing"), &db).ok());
}

// Many threads writing at once: everything lands, sequences are dense, and the writes go
// through the leader/follower queue (group commit).
TEST_F(DBTest, ConcurrentWritersAllLand) {
  Reopen();
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      WriteOptions o;
      o.buffer_wal = (t % 2 == 0);
      for (int i = 0; i < kPerThread; i++) {
        WriteBatch b;
        b.Put("t" + std::to_string(t) + "-" + Key(i), std::to_string(i));
        ASSERT_TRUE(db_->Write(o, &b).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(db_->LastSequence(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(InfoValue("write_batches"), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(InfoValue("write_groups") + InfoValue("write_fast_path"),
            static_cast<uint64_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < kPerThread; i += 50) {
      EXPECT_EQ(Get("t" + std::to_string(t) + "-" + Key(i)), std::to_string(i));
    }
  }
  Reopen();
  EXPECT_EQ(db_->LastSequence(), static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(DBTest, ConcurrentSyncWritersAreDurableWhenTheyReturn) {
  options_.sync_mode = SyncMode::kAlways;
  Reopen();
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      WriteOptions o;
      o.sync = true;
      for (int i = 0; i < kPerThread; i++) {
        if (!db_->Put(o, "s" + std::to_string(t) + Key(i), "v").ok()) bad = true;
        // Our write is durable, so the durable sequence covers at least one more write.
        if (db_->DurableSequence() == 0) bad = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad.load());
  EXPECT_EQ(db_->DurableSequence(), db_->LastSequence());
  // Shared fsyncs: never more syncs than writes.
  EXPECT_LE(InfoValue("wal_syncs"), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_GE(InfoValue("wal_syncs"), 1u);
}

TEST_F(DBTest, SyncAsyncCallbacksFireInOrderOnTheSyncerThread) {
  options_.sync_mode = SyncMode::kAlways;
  Reopen();
  WriteOptions buffered;
  buffered.buffer_wal = true;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> fired;
  std::vector<uint64_t> durable_seen;
  // A callback runs on the calling thread only inline, inside SyncAsync: that happens when
  // the syncer's last fsync already covered seq (it flushes the WAL buffer itself, and so
  // may take in a write made after the callback it serves was queued).
  bool in_call = false;
  bool stray_on_caller = false;
  int on_syncer = 0;
  const auto me = std::this_thread::get_id();
  constexpr int kWrites = 200;
  for (int i = 0; i < kWrites; i++) {
    ASSERT_TRUE(db_->Put(buffered, Key(i), "v").ok());
    const uint64_t seq = db_->LastSequence();
    if (i % 10 == 9) {
      ASSERT_TRUE(db_->FlushWAL().ok());
    }
    {
      std::lock_guard<std::mutex> l(mu);
      in_call = true;
    }
    db_->SyncAsync(seq, [&, seq](Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      std::lock_guard<std::mutex> l(mu);
      if (std::this_thread::get_id() != me) {
        on_syncer++;
      } else if (!in_call) {
        stray_on_caller = true;
      }
      fired.push_back(seq);
      durable_seen.push_back(db_->DurableSequence());
      cv.notify_all();
    });
    std::lock_guard<std::mutex> l(mu);
    in_call = false;
  }
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, 60s, [&] { return fired.size() == kWrites; }));
  }
  EXPECT_FALSE(stray_on_caller);
  // The first write was buffered, not flushed: its callback cannot have run inline.
  EXPECT_GE(on_syncer, 1);
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
  for (size_t i = 0; i < fired.size(); i++) EXPECT_GE(durable_seen[i], fired[i]);
  EXPECT_EQ(db_->DurableSequence(), static_cast<uint64_t>(kWrites));
  EXPECT_LE(InfoValue("wal_syncs"), static_cast<uint64_t>(kWrites));

  // Already durable: once the syncer is idle (it may still be returning from the last
  // callback: running inline then could overtake it), the callback runs inline, before
  // SyncAsync returns.
  bool ran_inline = false;
  for (int attempt = 0; attempt < 1000 && !ran_inline; attempt++) {
    std::atomic<int> state{0};  // 1: ran inline, 2: ran on another thread
    db_->SyncAsync(5, [&](Status s) {
      EXPECT_TRUE(s.ok());
      state = std::this_thread::get_id() == me ? 1 : 2;
    });
    ran_inline = state.load() == 1;
    while (state.load() == 0) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(ran_inline);
}

TEST_F(DBTest, EverySecSyncsInTheBackground) {
  options_.sync_mode = SyncMode::kEverySec;
  Reopen();
  WriteOptions buffered;
  buffered.buffer_wal = true;
  ASSERT_TRUE(db_->Put(buffered, "k", "v").ok());  // not even flushed: the syncer flushes it
  const uint64_t seq = db_->LastSequence();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (db_->DurableSequence() < seq && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(db_->DurableSequence(), seq);
  EXPECT_GE(InfoValue("wal_syncs"), 1u);
}

TEST_F(DBTest, SyncWALAndFlushMemTableMakeEverythingDurable) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "a", "1").ok());
  ASSERT_TRUE(db_->SyncWAL().ok());
  EXPECT_EQ(db_->DurableSequence(), db_->LastSequence());
  WriteOptions buffered;
  buffered.buffer_wal = true;
  ASSERT_TRUE(db_->Put(buffered, "b", "2").ok());
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(db_->DurableSequence(), db_->LastSequence());
  ASSERT_TRUE(db_->CompactAll().ok());
}

TEST_F(DBTest, Properties) {
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "a", "1").ok());
  std::string v;
  ASSERT_TRUE(db_->GetProperty("strata.info", &v));
  for (const char* name : {"memtable_bytes:", "wal_bytes:", "last_sequence:1\r\n",
                           "durable_sequence:", "wal_syncs:", "background_error:ok\r\n"}) {
    EXPECT_NE(v.find(name), std::string::npos) << name;
  }
  size_t lines = 0;
  for (size_t p = 0; (p = v.find("\r\n", p)) != std::string::npos; p += 2) lines++;
  EXPECT_GT(lines, 10u);
  EXPECT_TRUE(v.ends_with("\r\n"));
  ASSERT_TRUE(db_->GetProperty("strata.memtable-bytes", &v));
  EXPECT_GT(std::stoull(v), 0u);
  ASSERT_TRUE(db_->GetProperty("strata.approximate-keys", &v));
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(db_->GetProperty("strata.num-files-at-level0", &v));
  EXPECT_EQ(v, "0");
  EXPECT_FALSE(db_->GetProperty("strata.nope", &v));
}

// --- Recovery from damaged WALs ---

// Cuts the newest WAL by `bytes` (a crash in the middle of the last write).
void TruncateFile(const std::string& fname, uint64_t bytes) {
  uint64_t size = std::filesystem::file_size(fname);
  std::filesystem::resize_file(fname, size - bytes);
}

TEST_F(DBTest, TornTailOfTheLastWALIsDroppedWithAWarning) {
  Reopen();
  for (int i = 0; i < 10; i++) ASSERT_TRUE(db_->Put(wo_, Key(i), std::string(100, 'x')).ok());
  db_.reset();
  const uint64_t wal = LogFiles().back();
  TruncateFile(LogFileName(dir_.path(), wal), 30);
  Reopen();
  EXPECT_TRUE(Logged(LogLevel::kWarn, "incomplete record")) << "no warning";
  EXPECT_EQ(db_->LastSequence(), 9u);
  EXPECT_EQ(Get(Key(8)), std::string(100, 'x'));
  EXPECT_EQ(Get(Key(9)), "NOT_FOUND");
  ASSERT_TRUE(db_->Put(wo_, "after", "crash").ok());
  // The torn WAL is no longer the newest; it was cut back, so it still opens cleanly.
  Reopen();
  Reopen();
  EXPECT_EQ(Get("after"), "crash");
  EXPECT_EQ(Get(Key(8)), std::string(100, 'x'));
}

TEST_F(DBTest, CorruptionInTheMiddleFailsOpenNamingFileAndOffset) {
  Reopen();
  for (int i = 0; i < 10; i++) ASSERT_TRUE(db_->Put(wo_, Key(i), std::string(100, 'x')).ok());
  db_.reset();
  const std::string fname = LogFileName(dir_.path(), LogFiles().back());
  ASSERT_NO_FATAL_FAILURE(testing::FlipByte(fname, 300, 0x40));
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(fname), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("offset"), std::string::npos) << s.ToString();

  options_.skip_corrupt_wal_records = true;
  ASSERT_TRUE(TryOpen().ok());
  EXPECT_TRUE(Logged(LogLevel::kWarn, "checksum mismatch"));
  EXPECT_EQ(Get(Key(0)), std::string(100, 'x'));  // before the damage
}

TEST_F(DBTest, TornTailOfAnOlderWALIsCorruption) {
  options_.env = &fault_env_;
  Reopen();
  for (int i = 0; i < 10; i++) ASSERT_TRUE(db_->Put(wo_, Key(i), "v").ok());
  // Switch to a new WAL, and make the flush of the old memtable fail (its table cannot be
  // created), so that the old WAL is still needed at the next open.
  fault_env_.SetFault(FaultOp::kNewWritableFile, 1);
  EXPECT_FALSE(db_->FlushMemTable(true).ok());
  fault_env_.ClearFaults();
  db_.reset();
  auto logs = LogFiles();
  ASSERT_EQ(logs.size(), 2u);
  TruncateFile(LogFileName(dir_.path(), logs[0]), 5);
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("not the newest WAL"), std::string::npos) << s.ToString();
}

// --- Sticky errors ---

TEST_F(DBTest, FailedFsyncIsStickyAndReadsGoOn) {
  FaultInjectionEnv& env = fault_env_;
  options_.env = &env;
  options_.sync_mode = SyncMode::kAlways;
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "before", "1").ok());
  ASSERT_TRUE(db_->SyncWAL().ok());
  ASSERT_TRUE(db_->Put(wo_, "unsynced", "2").ok());
  env.SetFault(FaultOp::kSync);
  Status got = SyncAndWait(db_->LastSequence());
  EXPECT_TRUE(got.IsIOError()) << got.ToString();
  env.ClearFaults();  // the disk "recovers": the DB must still refuse, fsync is not retried
  EXPECT_TRUE(db_->BackgroundError().IsIOError());
  EXPECT_TRUE(db_->Put(wo_, "after", "3").IsIOError());
  WriteOptions buffered;
  buffered.buffer_wal = true;
  EXPECT_TRUE(db_->Put(buffered, "after", "3").IsIOError());
  EXPECT_TRUE(db_->SyncWAL().IsIOError());
  EXPECT_LT(db_->DurableSequence(), db_->LastSequence());
  EXPECT_EQ(Get("before"), "1");
  EXPECT_EQ(Get("unsynced"), "2");
  EXPECT_EQ(Get("after"), "NOT_FOUND");
  // Later callbacks get the error too.
  EXPECT_TRUE(SyncAndWait(db_->LastSequence()).IsIOError());
  std::string info;
  ASSERT_TRUE(db_->GetProperty("strata.info", &info));
  EXPECT_EQ(info.find("background_error:ok"), std::string::npos);
  // Reopening clears the state; the process never crashed, so nothing is lost.
  Reopen();
  EXPECT_TRUE(db_->BackgroundError().ok());
  EXPECT_EQ(Get("unsynced"), "2");
  EXPECT_TRUE(db_->Put(wo_, "after", "3").ok());
}

TEST_F(DBTest, FailedWALAppendIsSticky) {
  FaultInjectionEnv& env = fault_env_;
  options_.env = &env;
  Reopen();
  ASSERT_TRUE(db_->Put(wo_, "a", "1").ok());
  env.SetFault(FaultOp::kAppend);
  Status s = db_->Put(wo_, "b", "2");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env.ClearFaults();
  EXPECT_TRUE(db_->Put(wo_, "c", "3").IsIOError());
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), "NOT_FOUND");
  EXPECT_EQ(db_->LastSequence(), 1u);
}

// --- Concurrency (run under TSan) ---

TEST_F(DBTest, ReadersIteratorsWritersAndSyncerTogether) {
  options_.sync_mode = SyncMode::kAlways;
  options_.memtable_size = 32 << 10;  // switches while readers run
  Reopen();
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&, t] {
      WriteOptions o;
      o.buffer_wal = true;
      for (int i = 0; i < 1500; i++) {
        ASSERT_TRUE(
            db_->Put(o, Key(i % 300), "w" + std::to_string(t) + "-" + std::to_string(i)).ok());
        if (i % 20 == 0) {
          ASSERT_TRUE(db_->FlushWAL().ok());
          db_->SyncAsync(db_->LastSequence(), [&](Status s) {
            EXPECT_TRUE(s.ok());
            acked++;
          });
        }
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop) {
      auto it = db_->NewIterator(ReadOptions());
      std::string prev;
      int n = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
        std::string k(it->key());
        EXPECT_TRUE(prev.empty() || prev < k);
        prev = k;
      }
      EXPECT_LE(n, 300);
      const Snapshot* snap = db_->GetSnapshot();
      std::string v;
      db_->Get(ReadOptions(), Key(7), &v);
      db_->ReleaseSnapshot(snap);
    }
  });
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  ASSERT_TRUE(db_->SyncWAL().ok());
  db_.reset();  // runs every pending callback
  EXPECT_EQ(acked.load(), 2 * 75);
  Reopen();
  EXPECT_EQ(db_->LastSequence(), 3000u);
  EXPECT_EQ(Contents().size() > 0, true);
}

// --- The hot path ---

// A buffer_wal Put on an uncontended DB allocates nothing per write once the per-thread batch
// and the WAL buffers are warm: only arena blocks (one per ~4 KiB of entries) and the
// memtable's sorted runs (a few arrays per 256 entries, memtable.h).
TEST_F(DBTest, BufferedPutDoesNotAllocatePerWrite) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "sanitizer build";
  options_.sync_mode = SyncMode::kAlways;
  Reopen();
  WriteOptions buffered;
  buffered.buffer_wal = true;
  std::string key = "key:000000", value(16, 'v');
  for (int i = 0; i < 100; i++) ASSERT_TRUE(db_->Put(buffered, key, value).ok());  // warm up
  ASSERT_TRUE(db_->FlushWAL().ok());
  constexpr int kWrites = 20000;
  testing::StartCountingAllocations();
  for (int i = 0; i < kWrites; i++) {
    key[4 + i % 6] = static_cast<char>('0' + i % 10);
    Status s = db_->Put(buffered, key, value);
    if (!s.ok()) break;
  }
  const size_t allocs = testing::StopCountingAllocations();
  // ~45 bytes per entry => ~220 arena blocks, plus the arena's block list growing, plus
  // ~5 per 256 entries for runs (~400): well under one per 20 writes.
  EXPECT_LT(allocs, static_cast<size_t>(kWrites / 25)) << allocs << " allocations";
  EXPECT_EQ(db_->LastSequence(), 100u + kWrites);
}

}  // namespace
}  // namespace strata::store
