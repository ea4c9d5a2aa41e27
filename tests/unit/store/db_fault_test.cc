// The randomized model test (DESIGN.md §9): random writes, reads, scans and snapshots
// against a std::map, with clean reopens and simulated machine crashes through
// FaultInjectionEnv. After a crash, the store must hold exactly the state after some prefix
// of the writes, and that prefix must include every write acknowledged durable (SyncAsync
// callback with OK, or a sync write that returned OK). The DB must always reopen.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/fault_env.h"
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

}  // namespace
}  // namespace strata::store
