// The randomized model test of the LSM engine (docs/design.md §8.4): random writes, batches,
// deletes, point reads, scans, snapshots and long-lived iterators against a std::map, with
// flushes, compactions (background and CompactAll), clean reopens and simulated machine
// crashes (FaultInjectionEnv drops everything not synced) interleaved, under randomly chosen
// options (tiny memtables and files, so the tree gets several levels).
//
// After a crash the store must hold exactly the state after some prefix of the writes (a
// whole number of batches), and that prefix must include every write acknowledged durable.
// The DB must always reopen. A compaction filter drops values equal to "DEAD": reading such a
// key may give the value or NotFound, never an older value (no resurrection).
//
// Any divergence fails with the seed; rerun one seed with STRATA_MODEL_SEED=<seed>.
// STRATA_LONG_TESTS=1 runs many more seeds and steps.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fault_env.h"
#include "store/db.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using Model = std::map<std::string, std::string>;
constexpr std::string_view kDead = "DEAD";

struct Op {
  bool del;
  std::string key, value;
};

class DropDead final : public CompactionFilter {
 public:
  bool ShouldDrop(std::string_view, std::string_view value) const override {
    return value == kDead;
  }
};

bool LongTests() {
  const char* v = std::getenv("STRATA_LONG_TESTS");
  return v != nullptr && std::string_view(v) == "1";
}

// What the store shows (got) matches the model (want), where a "DEAD" value may be gone.
// Returns a description of the first difference, or "".
std::string Diff(const Model& got, const Model& want) {
  for (const auto& [k, v] : got) {
    auto it = want.find(k);
    if (it == want.end()) return "store has " + k + "=" + v.substr(0, 20) + ", model has nothing";
    if (it->second != v) {
      return "store has " + k + "=" + v.substr(0, 20) + ", model has " + it->second.substr(0, 20);
    }
  }
  for (const auto& [k, v] : want) {
    if (got.count(k) == 0 && v != kDead) return "store lacks " + k + "=" + v.substr(0, 20);
  }
  return "";
}

class ModelRun {
 public:
  explicit ModelRun(uint64_t seed) : seed_(seed), rnd_(seed), env_(Env::Default()) {}

  void Run(int steps) {
    RandomOptions();
    Open();
    for (step_ = 0; step_ < steps && !::testing::Test::HasFatalFailure(); step_++) Step();
    ReleaseAll();
    db_.reset();
    Report();
  }

 private:
  void RandomOptions() {
    options_ = Options();
    options_.env = &env_;
    const SyncMode modes[] = {SyncMode::kAlways, SyncMode::kEverySec, SyncMode::kNo};
    options_.sync_mode = modes[rnd_() % 3];
    options_.memtable_size = (8 + rnd_() % 40) << 10;
    options_.max_immutable_memtables = 1 + rnd_() % 3;
    options_.target_file_size = (4 + rnd_() % 28) << 10;
    options_.max_bytes_for_level_base = (16 + rnd_() % 64) << 10;
    options_.level0_compaction_trigger = 2 + rnd_() % 3;
    options_.level0_slowdown_trigger = options_.level0_compaction_trigger + rnd_() % 4;
    options_.level0_stop_trigger = options_.level0_slowdown_trigger + 1 + rnd_() % 4;
    options_.compaction_threads = 1 + rnd_() % 2;
    options_.block_cache_size = rnd_() % 4 == 0 ? 0 : (64 << 10);
    options_.bloom_bits_per_key = rnd_() % 3 == 0 ? 0 : 10;
    options_.block_size = 256 << (rnd_() % 4);
    options_.max_open_files = 20 + rnd_() % 100;
    const Compression c[] = {Compression::kNone, Compression::kLZ4, Compression::kZstd};
    options_.compression = c[rnd_() % 3];
    if (rnd_() % 2 == 0) options_.compaction_filter = std::make_shared<DropDead>();
    options_.row_cache_size = rnd_() % 2 == 0 ? 0 : (32 << 10);
    options_.mmap_reads = rnd_() % 2 == 0;
  }

  std::string Where() const {
    return "seed " + std::to_string(seed_) + " step " + std::to_string(step_) +
           " (rerun: STRATA_MODEL_SEED=" + std::to_string(seed_) + ")";
  }

  void Open() {
    Status s = DB::Open(options_, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << Where() << ": open: " << s.ToString();
  }

  std::string RandomKey() {
    // A few hot keys (many versions) and a wider cold range.
    const int n = rnd_() % 4 == 0 ? rnd_() % 10 : rnd_() % 400;
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%04d", n);
    return buf;
  }
  std::string RandomValue() {
    if (options_.compaction_filter != nullptr && rnd_() % 10 == 0) return std::string(kDead);
    const size_t len = rnd_() % 8 == 0 ? 0 : rnd_() % 200;
    std::string v = std::to_string(step_) + ":";
    v.resize(std::max(len, v.size()), static_cast<char>('a' + rnd_() % 26));
    return v;
  }

  const Model& Current() {
    while (model_at_ < ops_.size()) {
      const Op& op = ops_[model_at_++];
      if (op.del) {
        model_.erase(op.key);
      } else {
        model_[op.key] = op.value;
      }
    }
    return model_;
  }
  Model ModelAfter(size_t n) const {
    Model m;
    for (size_t i = 0; i < n; i++) {
      if (ops_[i].del) {
        m.erase(ops_[i].key);
      } else {
        m[ops_[i].key] = ops_[i].value;
      }
    }
    return m;
  }

  Model Scan(const Snapshot* snap, std::optional<std::string> from = {}, size_t limit = SIZE_MAX) {
    ReadOptions ro;
    ro.snapshot = snap;
    ro.fill_cache = rnd_() % 2 == 0;
    auto it = db_->NewIterator(ro);
    Model m;
    if (from) {
      it->Seek(*from);
    } else {
      it->SeekToFirst();
    }
    for (; it->Valid() && m.size() < limit; it->Next()) m[std::string(it->key())] = it->value();
    EXPECT_TRUE(it->status().ok()) << Where() << ": " << it->status().ToString();
    return m;
  }

  // The part of `model` a scan from `from` with `limit` may show: keys >= from, up to the
  // limit-th key the scan returned.
  static Model Window(const Model& model, const std::string& from, const Model& got, size_t limit) {
    Model w;
    for (auto it = model.lower_bound(from); it != model.end(); ++it) {
      if (got.size() == limit && it->first > got.rbegin()->first) break;
      w.insert(*it);
    }
    return w;
  }

  void CheckGet(const std::string& key, const Model& model, const Snapshot* snap) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, key, &v);
    auto it = model.find(key);
    if (it == model.end()) {
      ASSERT_TRUE(s.IsNotFound()) << Where() << ": Get(" << key << ") = " << s.ToString() << " '"
                                  << v.substr(0, 20) << "', model has nothing";
    } else if (it->second == kDead && s.IsNotFound()) {
      // The filter dropped it.
    } else {
      ASSERT_TRUE(s.ok()) << Where() << ": Get(" << key << ") = " << s.ToString() << ", model has "
                          << it->second.substr(0, 20);
      ASSERT_EQ(v, it->second) << Where() << ": Get(" << key << ")";
    }
  }

  void Write() {
    WriteOptions o;
    o.sync = rnd_() % 40 == 0;
    o.buffer_wal = !o.sync && rnd_() % 3 != 0;
    Status s;
    if (rnd_() % 5 == 0) {
      WriteBatch batch;
      const int n = 1 + rnd_() % 8;
      std::vector<Op> added;
      for (int i = 0; i < n; i++) {
        Op op{rnd_() % 4 == 0, RandomKey(), ""};
        if (op.del) {
          batch.Delete(op.key);
        } else {
          op.value = RandomValue();
          batch.Put(op.key, op.value);
        }
        added.push_back(std::move(op));
      }
      s = db_->Write(o, &batch);
      ASSERT_TRUE(s.ok()) << Where() << ": " << s.ToString();
      for (Op& op : added) ops_.push_back(std::move(op));
    } else {
      Op op{rnd_() % 5 == 0, RandomKey(), ""};
      if (op.del) {
        s = db_->Delete(o, op.key);
      } else {
        op.value = RandomValue();
        s = db_->Put(o, op.key, op.value);
      }
      ASSERT_TRUE(s.ok()) << Where() << ": " << s.ToString();
      ops_.push_back(std::move(op));
    }
    batch_ends_.insert(ops_.size());
    ASSERT_EQ(db_->LastSequence(), ops_.size()) << Where();
    if (o.buffer_wal && rnd_() % 2 == 0) {
      ASSERT_TRUE(db_->FlushWAL().ok());
    }
    if (o.sync) {
      std::lock_guard<std::mutex> l(mu_);
      acked_ = std::max(acked_, ops_.size());
    }
  }

  void RequestDurability(bool wait) {
    ASSERT_TRUE(db_->FlushWAL().ok());
    const uint64_t seq = db_->LastSequence();
    {
      std::lock_guard<std::mutex> l(mu_);
      callbacks_pending_++;
    }
    db_->SyncAsync(seq, [this, seq](Status s) {
      std::lock_guard<std::mutex> l(mu_);
      if (!crashing_) {
        EXPECT_TRUE(s.ok()) << Where() << ": " << s.ToString();
      }
      if (s.ok()) acked_ = std::max<size_t>(acked_, seq);
      callbacks_pending_--;
      cv_.notify_all();
    });
    if (wait) {
      std::unique_lock<std::mutex> l(mu_);
      ASSERT_TRUE(cv_.wait_for(l, std::chrono::seconds(60), [&] {
        return callbacks_pending_ == 0;
      })) << Where();
    }
  }

  void ReleaseAll() {
    for (auto& [snap, model] : snapshots_) db_->ReleaseSnapshot(snap);
    snapshots_.clear();
    iterators_.clear();
  }

  void Reopen() {
    ReleaseAll();
    db_.reset();
    {
      std::lock_guard<std::mutex> l(mu_);
      ASSERT_EQ(callbacks_pending_, 0u) << Where();
    }
    if (rnd_() % 3 == 0) options_.memtable_size = (8 + rnd_() % 40) << 10;
    Open();
    ASSERT_EQ(db_->LastSequence(), ops_.size()) << Where() << ": clean reopen lost writes";
    std::string d = Diff(Scan(nullptr), Current());
    ASSERT_EQ(d, "") << Where() << ": after reopen";
  }

  void Crash() {
    ReleaseAll();
    {
      std::lock_guard<std::mutex> l(mu_);
      crashing_ = true;  // from here on, callbacks may fail
    }
    env_.SetFilesystemActive(false);
    db_.reset();  // the final sync fails; pending callbacks get the error (or OK if covered)
    size_t acked;
    {
      std::lock_guard<std::mutex> l(mu_);
      EXPECT_EQ(callbacks_pending_, 0u) << Where();
      crashing_ = false;
      acked = acked_;
    }
    ASSERT_TRUE(env_.DropUnsyncedData(rnd_() % 2 == 0 ? 0 : rnd_() | 1).ok()) << Where();
    env_.SetFilesystemActive(true);
    crashes_++;
    Open();
    const size_t recovered = db_->LastSequence();
    ASSERT_GE(recovered, acked) << Where() << ": acknowledged writes lost in a crash";
    ASSERT_LE(recovered, ops_.size()) << Where();
    ASSERT_TRUE(recovered == 0 || batch_ends_.count(recovered) != 0)
        << Where() << ": recovered part of a batch (" << recovered << ")";
    ops_.resize(recovered);  // the lost tail never happened
    std::erase_if(batch_ends_, [&](size_t e) { return e > recovered; });
    model_.clear();
    model_at_ = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      acked_ = recovered;
    }
    std::string d = Diff(Scan(nullptr), Current());
    ASSERT_EQ(d, "") << Where() << ": after crash " << crashes_;
  }

  void Step() {
    const int r = rnd_() % 1000;
    if (r < 600) {
      Write();
    } else if (r < 640) {
      RequestDurability(rnd_() % 2 == 0);
    } else if (r < 680) {
      // A range scan from a random key.
      const std::string from = RandomKey();
      const size_t limit = 1 + rnd_() % 50;
      Model got = Scan(nullptr, from, limit);
      std::string d = Diff(got, Window(Current(), from, got, limit));
      ASSERT_EQ(d, "") << Where() << ": scan from " << from;
    } else if (r < 690) {
      std::string d = Diff(Scan(nullptr), Current());
      ASSERT_EQ(d, "") << Where() << ": full scan";
    } else if (r < 720) {
      // Take a snapshot (kept for a while) or read at a live one.
      if (snapshots_.size() < 3 && rnd_() % 2 == 0) {
        snapshots_.emplace_back(db_->GetSnapshot(), Current());
      } else if (!snapshots_.empty()) {
        auto& [snap, model] = snapshots_[rnd_() % snapshots_.size()];
        if (rnd_() % 2 == 0) {
          CheckGet(RandomKey(), model, snap);
        } else {
          std::string d = Diff(Scan(snap), model);
          ASSERT_EQ(d, "") << Where() << ": scan at a snapshot";
        }
      }
    } else if (r < 735) {
      if (!snapshots_.empty()) {
        const size_t i = rnd_() % snapshots_.size();
        db_->ReleaseSnapshot(snapshots_[i].first);
        snapshots_.erase(snapshots_.begin() + i);
      }
    } else if (r < 755) {
      // An iterator kept open across later writes, flushes and compactions sees the state of
      // its creation.
      if (iterators_.size() < 2 && rnd_() % 2 == 0) {
        iterators_.emplace_back(db_->NewIterator(ReadOptions()), Current());
      } else if (!iterators_.empty()) {
        auto& [it, model] = iterators_.back();
        Model got;
        for (it->SeekToFirst(); it->Valid(); it->Next()) got[std::string(it->key())] = it->value();
        ASSERT_TRUE(it->status().ok()) << Where();
        std::string d = Diff(got, model);
        ASSERT_EQ(d, "") << Where() << ": long-lived iterator";
        iterators_.pop_back();
      }
    } else if (r < 785) {
      Status s = db_->FlushMemTable(rnd_() % 2 == 0);
      ASSERT_TRUE(s.ok()) << Where() << ": " << s.ToString();
    } else if (r < 795) {
      Status s = db_->CompactAll();
      ASSERT_TRUE(s.ok()) << Where() << ": " << s.ToString();
    } else if (r < 805) {
      ASSERT_TRUE(db_->BackgroundError().ok()) << Where() << db_->BackgroundError().ToString();
      std::string info;
      ASSERT_TRUE(db_->GetProperty("strata.info", &info));
    } else if (r < 820) {
      Reopen();
    } else if (r < 845) {
      Crash();
    } else {
      CheckGet(RandomKey(), Current(), nullptr);
    }
  }

  void Report() {
    ::testing::Test::RecordProperty("seed_" + std::to_string(seed_) + "_crashes", crashes_);
  }

  const uint64_t seed_;
  std::mt19937_64 rnd_;
  testing::TempDir dir_;
  FaultInjectionEnv env_;
  Options options_;
  std::unique_ptr<DB> db_;
  int step_ = 0;
  int crashes_ = 0;

  std::vector<Op> ops_;          // every write in sequence order (one per sequence number)
  std::set<size_t> batch_ends_;  // ops_.size() after each Write call
  Model model_;                  // the state after ops_[0, model_at_)
  size_t model_at_ = 0;
  std::vector<std::pair<const Snapshot*, Model>> snapshots_;
  std::vector<std::pair<std::unique_ptr<Iterator>, Model>> iterators_;

  std::mutex mu_;
  std::condition_variable cv_;
  size_t acked_ = 0;  // GUARDED_BY(mu_): ops [0, acked_) were acknowledged durable
  size_t callbacks_pending_ = 0;
  bool crashing_ = false;
};

TEST(LsmModelTest, RandomOpsFlushesCompactionsReopensAndCrashes) {
  std::vector<uint64_t> seeds;
  int steps = 3000;
  if (const char* one = std::getenv("STRATA_MODEL_SEED")) {
    seeds.push_back(std::strtoull(one, nullptr, 10));
    steps = LongTests() ? 20000 : 5000;
  } else if (LongTests()) {
    for (uint64_t s = 1; s <= 40; s++) seeds.push_back(s);
    steps = 20000;
  } else {
    seeds = {1, 2, 3, 4};
  }
  for (uint64_t seed : seeds) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ModelRun run(seed);
    run.Run(steps);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace strata::store
