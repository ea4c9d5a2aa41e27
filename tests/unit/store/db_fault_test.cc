// The randomized model test (docs/design.md §8.4): random writes, reads, scans and snapshots
// against a std::map, with clean reopens and simulated machine crashes through
// FaultInjectionEnv. After a crash, the store must hold exactly the state after some prefix
// of the writes, and that prefix must include every write acknowledged durable (SyncAsync
// callback with OK, or a sync write that returned OK). The DB must always reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fault_env.h"
#include "store/db.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

struct Op {
  bool del;
  std::string key, value;
};
using Model = std::map<std::string, std::string>;

// The state after the first n single-record batches (the test writes one record per batch,
// so batch i has sequence base + i + 1).
Model ModelAfter(const std::vector<Op>& ops, size_t n) {
  Model m;
  for (size_t i = 0; i < n; i++) {
    if (ops[i].del) {
      m.erase(ops[i].key);
    } else {
      m[ops[i].key] = ops[i].value;
    }
  }
  return m;
}

Model Dump(DB* db, const Snapshot* snap = nullptr) {
  ReadOptions ro;
  ro.snapshot = snap;
  Model m;
  auto it = db->NewIterator(ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) m[std::string(it->key())] = it->value();
  EXPECT_TRUE(it->status().ok());
  return m;
}

class ModelTest : public ::testing::TestWithParam<int> {};

TEST_P(ModelTest, RandomOpsWithReopensAndCrashes) {
  const int seed = GetParam();
  std::mt19937 rnd(seed);
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  Options options;
  options.env = &env;
  options.sync_mode = SyncMode::kAlways;
  options.memtable_size = 16 << 10;  // WAL switches happen
  int torn_warnings = 0;
  options.info_log = [&](LogLevel level, std::string_view msg) {
    if (level == LogLevel::kWarn && msg.find("incomplete record") != std::string_view::npos) {
      torn_warnings++;
    }
  };

  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, dir.path(), &db).ok());

  std::vector<Op> ops;  // every write issued, in sequence order
  size_t acked = 0;     // ops [0, acked) were acknowledged durable
  std::mutex mu;
  std::condition_variable cv;
  size_t callbacks_pending = 0;
  bool crashing = false;  // GUARDED_BY(mu)
  int crashes = 0;
  Model expect;  // ModelAfter(ops, expect_at), cached for point reads
  size_t expect_at = 0;

  auto key = [&] { return "k" + std::to_string(rnd() % 200); };
  for (int step = 0; step < 3000; step++) {
    const int r = rnd() % 1000;
    if (r < 600) {
      WriteOptions o;
      o.buffer_wal = rnd() % 4 != 0;
      o.sync = rnd() % 50 == 0;
      Op op{rnd() % 5 == 0, key(), std::string(rnd() % 300, static_cast<char>('a' + step % 26))};
      Status s = op.del ? db->Delete(o, op.key) : db->Put(o, op.key, op.value);
      ASSERT_TRUE(s.ok()) << s.ToString();
      ops.push_back(op);
      ASSERT_EQ(db->LastSequence(), ops.size());
      if (o.sync) {
        std::lock_guard<std::mutex> l(mu);
        acked = ops.size();
      }
    } else if (r < 700) {
      // What the server does at the end of a loop iteration: flush, ask for durability.
      ASSERT_TRUE(db->FlushWAL().ok());
      const uint64_t seq = db->LastSequence();
      {
        std::lock_guard<std::mutex> l(mu);
        callbacks_pending++;
      }
      db->SyncAsync(seq, [&, seq](Status s) {
        std::lock_guard<std::mutex> l(mu);
        if (!crashing) {
          EXPECT_TRUE(s.ok()) << s.ToString();
        }
        if (s.ok()) acked = std::max<size_t>(acked, seq);
        callbacks_pending--;
        cv.notify_all();
      });
      if (rnd() % 2 == 0) {  // sometimes wait for the acknowledgement
        std::unique_lock<std::mutex> l(mu);
        ASSERT_TRUE(
            cv.wait_for(l, std::chrono::seconds(60), [&] { return callbacks_pending == 0; }));
      }
    } else if (r < 800) {
      if (expect_at != ops.size()) {
        expect = ModelAfter(ops, ops.size());
        expect_at = ops.size();
      }
      std::string k = key(), v;
      Status s = db->Get(ReadOptions(), k, &v);
      auto it = expect.find(k);
      if (it == expect.end()) {
        ASSERT_TRUE(s.IsNotFound()) << k;
      } else {
        ASSERT_TRUE(s.ok()) << k;
        ASSERT_EQ(v, it->second);
      }
    } else if (r < 850) {
      // A snapshot keeps seeing the state of its moment while writes go on.
      const Snapshot* snap = db->GetSnapshot();
      const size_t at = ops.size();
      Op op{false, key(), "after-snapshot"};
      ASSERT_TRUE(db->Put(WriteOptions(), op.key, op.value).ok());
      ops.push_back(op);
      ASSERT_EQ(Dump(db.get(), snap), ModelAfter(ops, at));
      db->ReleaseSnapshot(snap);
    } else if (r < 870) {
      ASSERT_EQ(Dump(db.get()), ModelAfter(ops, ops.size()));
    } else if (r < 885) {
      // Clean reopen: nothing written is lost.
      db.reset();
      {
        std::lock_guard<std::mutex> l(mu);
        ASSERT_EQ(callbacks_pending, 0u);
      }
      ASSERT_TRUE(DB::Open(options, dir.path(), &db).ok());
      ASSERT_EQ(db->LastSequence(), ops.size());
      ASSERT_EQ(Dump(db.get()), ModelAfter(ops, ops.size()));
    } else if (r < 900) {
      // Machine crash: nothing after this instant reaches the disk. (crashing is set first:
      // the syncer may fail a callback as soon as the filesystem goes.)
      {
        std::lock_guard<std::mutex> l(mu);
        crashing = true;
      }
      env.SetFilesystemActive(false);
      db.reset();  // the final sync fails; pending callbacks get the error (or OK if covered)
      size_t acked_at_crash;
      {
        std::lock_guard<std::mutex> l(mu);
        EXPECT_EQ(callbacks_pending, 0u);
        crashing = false;
        acked_at_crash = acked;
      }
      // Half the crashes keep part of the unsynced tail (torn writes), half drop all of it.
      ASSERT_TRUE(env.DropUnsyncedData(rnd() % 2 == 0 ? 0 : rnd() | 1).ok());
      env.SetFilesystemActive(true);
      crashes++;
      Status s = DB::Open(options, dir.path(), &db);
      ASSERT_TRUE(s.ok()) << "reopen after crash " << crashes << ": " << s.ToString();
      const size_t recovered = db->LastSequence();
      ASSERT_GE(recovered, acked_at_crash) << "acknowledged writes lost in crash " << crashes;
      ASSERT_LE(recovered, ops.size());
      ops.resize(recovered);  // the lost tail never happened
      std::lock_guard<std::mutex> l(mu);
      acked = recovered;
      ASSERT_EQ(Dump(db.get()), ModelAfter(ops, ops.size())) << "crash " << crashes;
    }
  }
  db.reset();
  EXPECT_GT(crashes, 0);
  EXPECT_GT(torn_warnings, 0);
  RecordProperty("crashes", crashes);
  RecordProperty("torn_warnings", torn_warnings);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModelTest, ::testing::Values(1, 2, 3, 4));

// --- Recovery from background errors (DB::Resume) ---
//
// Each case makes one kind of write fail (ENOSPC / EIO from FaultInjectionEnv) and checks the
// contract of db.h: writes fail, reads go on; Resume fails while the fault persists and
// succeeds once it is gone; then writes work, and after a machine crash every write
// acknowledged before the fault (durable, or merely in the memtable: Resume flushed it) and
// every synced write after the resume is there, and nothing else comes back.

class ResumeTest : public ::testing::Test {
 protected:
  ResumeTest() : env_(Env::Default()) {
    options_.env = &env_;
    options_.sync_mode = SyncMode::kNo;  // the server's mode: it asks for every fsync
    sync_.sync = true;
  }

  void Open() {
    db_.reset();
    Status s = DB::Open(options_, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The instant of a power failure: the disk keeps only what was synced.
  void CrashAndReopen() {
    testing::PowerCut(&env_, &db_);
    Open();
  }

  std::string Get(const std::string& key) { return testing::GetValue(db_.get(), key); }

  std::string Info(std::string_view name) {
    std::string info;
    EXPECT_TRUE(db_->GetProperty("strata.info", &info));
    const std::string key = "\n" + std::string(name) + ":";
    info = "\n" + info;
    size_t at = info.find(key);
    if (at == std::string::npos) return "(missing)";
    at += key.size();
    return info.substr(at, info.find('\r', at) - at);
  }

  // Writes key=value (or deletes it) and records it as acknowledged if the store says OK.
  void Ack(const WriteOptions& o, const std::string& key, const std::string* value) {
    Status s = value != nullptr ? db_->Put(o, key, *value) : db_->Delete(o, key);
    ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
    if (value != nullptr) {
      acked_[key] = *value;
    } else {
      acked_.erase(key);
    }
  }
  void AckPut(const WriteOptions& o, const std::string& key, const std::string& value) {
    Ack(o, key, &value);
  }
  void AckDelete(const WriteOptions& o, const std::string& key) { Ack(o, key, nullptr); }

  // Every acknowledged key reads its value; every acknowledged deletion reads NOT_FOUND
  // (keys a failed write touched are checked by ExpectExactly).
  void ExpectAcked(const std::string& where) {
    for (const auto& [k, v] : acked_) {
      if (maybe_.count(k) != 0) continue;
      ASSERT_EQ(Get(k), v) << k << " " << where;
    }
    for (const std::string& k : deleted_) ASSERT_EQ(Get(k), "NOT_FOUND") << k << " " << where;
  }

  // The whole store holds exactly the acknowledged state, except that a key a failed write
  // touched may hold that write's outcome instead (its value, or absence for a delete) - but
  // never anything older than its acknowledged state.
  void ExpectExactly(const std::string& where) {
    Model got = Dump(db_.get());
    Model want = acked_;
    for (const auto& [k, failed] : maybe_) {
      auto it = got.find(k);
      const std::string now = it == got.end() ? "NOT_FOUND" : it->second;
      const std::string before = want.count(k) != 0 ? want[k] : "NOT_FOUND";
      const std::string outcome = failed.value_or("NOT_FOUND");
      EXPECT_TRUE(now == before || now == outcome)
          << k << " is " << now << ", neither " << before << " nor " << outcome << " " << where;
      if (it != got.end()) got.erase(it);
      want.erase(k);
    }
    EXPECT_EQ(got, want) << where;
  }

  testing::TempDir dir_;
  FaultInjectionEnv env_;
  Options options_;
  WriteOptions sync_;
  std::unique_ptr<DB> db_;
  Model acked_;                       // acknowledged, must survive a crash after Resume
  std::vector<std::string> deleted_;  // acknowledged deletions (also absent from acked_)
  std::map<std::string, std::optional<std::string>> maybe_;  // failed writes (nullopt: delete)
};

struct FaultCase {
  const char* name;
  FaultOp op;
  const char* file;  // only paths containing this fail ("": every file: the disk is full)
  enum Trigger { kPut, kSyncPut, kFlush, kCompact } trigger;
};

class ResumeFaultTest : public ResumeTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(ResumeFaultTest, WritesFailReadsGoOnResumeRecoversAndLosesNothing) {
  const FaultCase& fc = GetParam();
  Open();
  // Acknowledged durable before the fault: some in a table, some overwritten in the memtable,
  // deletions of values in the table and in the memtable.
  for (int i = 0; i < 200; i++) AckPut(sync_, "a" + std::to_string(i), "v1-" + std::to_string(i));
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  for (int i = 0; i < 200; i += 3) AckPut(sync_, "a" + std::to_string(i), "v2");
  AckDelete(sync_, "a1");
  AckPut(sync_, "gone", "old");
  AckDelete(sync_, "gone");
  deleted_ = {"a1", "gone"};
  // Acknowledged but never synced: in the memtable, their WAL bytes in the OS at most.
  for (int i = 0; i < 100; i++) {
    AckPut(WriteOptions(), "b" + std::to_string(i), std::string(100, 'b'));
  }
  if (fc.trigger == FaultCase::kCompact) {
    // Two L0 tables, an empty memtable: CompactAll then only compacts.
    ASSERT_TRUE(db_->FlushMemTable(true).ok());
  }
  const std::string manifest_before = Info("manifest_file_number");

  env_.SetFault(fc.op, 0, fc.file);
  Status s;
  switch (fc.trigger) {
    case FaultCase::kPut:
      s = db_->Put(WriteOptions(), "a0", "failed");
      maybe_["a0"] = "failed";
      break;
    case FaultCase::kSyncPut:
      // A delete whose fsync fails: it is in the memtable, so it may win after all.
      s = db_->Delete(sync_, "a6");
      maybe_["a6"] = std::nullopt;
      break;
    case FaultCase::kFlush:
      s = db_->FlushMemTable(true);
      break;
    case FaultCase::kCompact:
      s = db_->CompactAll();
      break;
  }
  ASSERT_FALSE(s.ok()) << "the fault was not hit";
  const Status bg = db_->BackgroundError();
  ASSERT_TRUE(bg.IsIOError()) << bg.ToString();
  EXPECT_NE(bg.ToString().find("injected"), std::string::npos) << bg.ToString();

  // Writes fail, with the error; reads go on.
  EXPECT_EQ(db_->Put(WriteOptions(), "x", "1").ToString(), bg.ToString());
  EXPECT_FALSE(db_->Delete(sync_, "a2").ok());
  EXPECT_FALSE(db_->FlushWAL().ok());
  ExpectAcked("while failed");

  // While the fault persists, Resume fails, the error stays, writes still fail.
  s = db_->Resume();
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(db_->BackgroundError().ok());
  EXPECT_FALSE(db_->Put(WriteOptions(), "x", "1").ok());
  ExpectAcked("after a failed resume");
  EXPECT_EQ(Info("background_error_resume_failures"), "1");

  // The fault clears: Resume succeeds, the old WALs are gone, writes work.
  env_.ClearFaults();
  s = db_->Resume();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(db_->BackgroundError().ok());
  EXPECT_TRUE(db_->Resume().ok());  // nothing to do
  EXPECT_EQ(Info("background_error"), "ok");
  EXPECT_EQ(Info("background_error_resumes"), "1");
  EXPECT_EQ(Info("wal_files"), "1");
  EXPECT_EQ(Info("immutable_memtables"), "0");
  EXPECT_EQ(Info("memtable_entries"), "0");
  EXPECT_EQ(Info("durable_sequence"), Info("last_sequence"));
  if (std::string(fc.file) == "MANIFEST") {
    // The MANIFEST that saw the error was replaced, not appended to.
    EXPECT_NE(Info("manifest_file_number"), manifest_before);
  }
  ExpectAcked("after resume");
  for (int i = 0; i < 50; i++) AckPut(sync_, "c" + std::to_string(i), "after");
  AckDelete(sync_, "a3");
  AckDelete(sync_, "b7");
  deleted_.push_back("a3");
  deleted_.push_back("b7");
  AckPut(sync_, "a4", "v3");
  AckPut(WriteOptions(), "d", "synced later");
  ASSERT_TRUE(db_->SyncWAL().ok());
  ASSERT_TRUE(db_->FlushMemTable(true).ok());  // background work runs again
  AckPut(sync_, "e", "in the new WAL");
  ExpectExactly("before the crash");

  CrashAndReopen();
  ExpectAcked("after the crash");
  ExpectExactly("after the crash");
  EXPECT_EQ(Get("x"), "NOT_FOUND");  // refused: never written anywhere
  AckPut(sync_, "g", "still works");
  Open();
  ExpectExactly("after a clean reopen");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ResumeFaultTest,
    ::testing::Values(FaultCase{"WalAppend", FaultOp::kAppend, "", FaultCase::kPut},
                      FaultCase{"WalSync", FaultOp::kSync, "", FaultCase::kSyncPut},
                      FaultCase{"TableWrite", FaultOp::kAppend, ".sst", FaultCase::kFlush},
                      FaultCase{"TableSync", FaultOp::kSync, ".sst", FaultCase::kFlush},
                      FaultCase{"TableCreate", FaultOp::kNewWritableFile, ".sst",
                                FaultCase::kFlush},
                      FaultCase{"Compaction", FaultOp::kAppend, "", FaultCase::kCompact},
                      FaultCase{"ManifestWrite", FaultOp::kAppend, "MANIFEST", FaultCase::kFlush},
                      FaultCase{"ManifestSync", FaultOp::kSync, "MANIFEST", FaultCase::kFlush},
                      FaultCase{"DirSync", FaultOp::kSyncDir, "", FaultCase::kFlush}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.name; });

// docs/design.md §4.7: after a failed fsync the kernel may have dropped the dirty pages, and
// a second fsync "succeeds" without writing them (FaultInjectionEnv models this). Resume must
// therefore not sync the old WAL again but flush what the memtable holds to a table.
TEST_F(ResumeTest, FailedFsyncThenResumeFlushesRatherThanResyncs) {
  Open();
  AckPut(sync_, "durable", "1");
  for (int i = 0; i < 100; i++) AckPut(WriteOptions(), "k" + std::to_string(i), "unsynced");
  const std::string syncs = Info("wal_syncs");
  env_.SetFault(FaultOp::kSync, 0, ".log");
  EXPECT_TRUE(db_->SyncWAL().IsIOError());
  env_.ClearFaults();  // the disk is fine again, but the WAL's dirty pages are gone
  EXPECT_TRUE(db_->SyncWAL().IsIOError()) << "a failed fsync must not be retried";
  ASSERT_TRUE(db_->Resume().ok());
  EXPECT_EQ(Info("wal_syncs"), std::to_string(std::stoi(syncs) + 1));  // the failed one only
  EXPECT_NE(Info("level0_files"), "0");
  CrashAndReopen();
  ExpectExactly("after the crash");
}

// SyncAsync callbacks waiting when the fsync fails get the error, none hangs, none later
// reports success for the failed fsync; after Resume the data is durable (in tables).
TEST_F(ResumeTest, SyncCallbacksFailAndNoneHangs) {
  Open();
  std::mutex mu;
  std::vector<Status> results;
  auto cb = [&](Status st) {
    std::lock_guard<std::mutex> l(mu);
    results.push_back(st);
  };
  auto count = [&] {
    std::lock_guard<std::mutex> l(mu);
    return results.size();
  };
  AckPut(WriteOptions(), "k", "1");
  const uint64_t seq = db_->LastSequence();
  env_.SetFault(FaultOp::kSync, 0, ".log");
  db_->SyncAsync(seq, cb);
  db_->SyncAsync(seq, cb);
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 10000 && count() < n; i++) env_.SleepForMicroseconds(1000);
    return count();
  };
  ASSERT_EQ(wait_for(2), 2u);
  db_->SyncAsync(seq, cb);  // after the error
  ASSERT_EQ(wait_for(3), 3u);
  env_.ClearFaults();
  {
    std::lock_guard<std::mutex> l(mu);
    for (const Status& st : results) EXPECT_TRUE(st.IsIOError()) << st.ToString();
    results.clear();
  }
  EXPECT_LT(db_->DurableSequence(), seq);
  ASSERT_TRUE(db_->Resume().ok());
  EXPECT_GE(db_->DurableSequence(), seq);
  db_->SyncAsync(seq, cb);  // now durable
  ASSERT_EQ(wait_for(1), 1u);
  EXPECT_TRUE(results[0].ok());
  CrashAndReopen();
  EXPECT_EQ(Get("k"), "1");
}

// A failed directory fsync after CURRENT was renamed: CURRENT may name the new MANIFEST, so
// that MANIFEST must not be deleted (it was, and the store could not be opened again).
TEST_F(ResumeTest, FailedCurrentSyncKeepsTheManifestCurrentNames) {
  Open();
  AckPut(sync_, "k", "1");
  db_.reset();
  // Open syncs the directory for its new WAL, then for CURRENT (new MANIFEST): fail that.
  env_.SetFault(FaultOp::kSyncDir, 1);
  std::unique_ptr<DB> db;
  EXPECT_FALSE(DB::Open(options_, dir_.path(), &db).ok());
  env_.ClearFaults();
  Open();
  ExpectExactly("after the failed open");
  db_.reset();
  // Same, then a crash: the rename is undone and the old MANIFEST is current again.
  env_.SetFault(FaultOp::kSyncDir, 1);
  EXPECT_FALSE(DB::Open(options_, dir_.path(), &db).ok());
  env_.ClearFaults();
  testing::PowerCut(&env_, &db_);  // db_ is already closed
  Open();
  ExpectExactly("after the failed open and a crash");
}

TEST_F(ResumeTest, WithoutAnErrorResumeDoesNothing) {
  Open();
  AckPut(sync_, "k", "1");
  ASSERT_TRUE(db_->Resume().ok());
  EXPECT_EQ(Info("background_error_resumes"), "0");
  EXPECT_EQ(Info("wal_files"), "1");
}

// Writers, readers, SyncAsync, flushes and compactions run while faults come and go and a
// thread keeps calling Resume (run under TSan). Every synced write that returned OK survives
// a crash at the end.
TEST_F(ResumeTest, ConcurrentWritersReadersAndResume) {
  options_.memtable_size = 16 << 10;  // switches, flushes and compactions happen
  options_.level0_compaction_trigger = 2;
  options_.compaction_threads = 2;
  Open();
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<Model> acked(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&, t] {
      WriteOptions o;
      for (int i = 0; !stop.load(); i++) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i % 500);
        const std::string value = std::to_string(i) + std::string(50, 'v');
        o.sync = i % 7 == 0;
        o.buffer_wal = i % 3 == 0 && !o.sync;
        Status s = db_->Put(o, key, value);
        if (!s.ok()) {
          errors++;
          acked[t].erase(key);  // the older value may or may not stay: no longer checked
          continue;
        }
        if (o.buffer_wal && !db_->FlushWAL().ok()) {
          acked[t].erase(key);
          continue;
        }
        if (o.sync) {
          acked[t][key] = value;
        } else {
          acked[t].erase(key);
          if (i % 5 == 0) db_->SyncAsync(db_->LastSequence(), [](Status) {});
        }
      }
    });
  }
  threads.emplace_back([&] {
    std::string v;
    for (int i = 0; !stop.load(); i++) {
      Status s = db_->Get(ReadOptions(), "t0-" + std::to_string(i % 500), &v);
      EXPECT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    }
  });
  threads.emplace_back([&] {
    while (!stop.load()) {
      if (!db_->BackgroundError().ok()) db_->Resume();
      env_.SleepForMicroseconds(200);
    }
  });
  const FaultOp ops[] = {FaultOp::kAppend, FaultOp::kSync, FaultOp::kNewWritableFile,
                         FaultOp::kSyncDir};
  for (int round = 0; round < 8; round++) {
    // Let writes go on, then break the disk until the store notices.
    const int before = errors.load();
    env_.SleepForMicroseconds(20000);
    env_.SetFault(ops[round % 4], round % 3);
    for (int i = 0; i < 5000 && errors.load() == before; i++) env_.SleepForMicroseconds(1000);
    env_.SleepForMicroseconds(5000);
    env_.ClearFaults();
  }
  // The resumer thread brings the store back.
  for (int i = 0; i < 10000 && !db_->BackgroundError().ok(); i++) env_.SleepForMicroseconds(1000);
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_GT(errors.load(), 0);
  ASSERT_TRUE(db_->Resume().ok());
  ASSERT_TRUE(db_->BackgroundError().ok());
  EXPECT_NE(Info("background_error_resumes"), "0");
  CrashAndReopen();
  for (const Model& m : acked) {
    for (const auto& [k, v] : m) ASSERT_EQ(Get(k), v) << k;
  }
}

}  // namespace
}  // namespace strata::store
