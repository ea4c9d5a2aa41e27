// The DB as an LSM tree: flushes to L0, compactions, CompactAll, the compaction filter,
// obsolete-file deletion, recovery that replays only unflushed WALs, write stalls,
// background errors, and readers/iterators running during flushes and compactions.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "fault_env.h"
#include "store/db.h"
#include "store/env.h"
#include "store/filename.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using namespace std::chrono_literals;

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}
// A value that names its key and version, so a reader can tell a torn or foreign value.
std::string Value(int i, int version, size_t size = 100) {
  std::string v = "v" + std::to_string(i) + "." + std::to_string(version) + ":";
  v.resize(std::max(size, v.size()), 'x');
  return v;
}

// Waits (up to a minute) for pred; false if it never held.
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 6000; i++) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class LsmTest : public ::testing::Test {
 protected:
  LsmTest() {
    options_.env = &env_;
    options_.sync_mode = SyncMode::kNo;
    options_.memtable_size = 64 << 10;
    options_.target_file_size = 64 << 10;
    options_.max_bytes_for_level_base = 256 << 10;
    options_.block_cache_size = 1 << 20;
    options_.info_log = [this](LogLevel level, std::string_view msg) {
      std::lock_guard<std::mutex> l(log_mutex_);
      if (level >= LogLevel::kWarn) log_.emplace_back(msg);
    };
  }
  ~LsmTest() override { db_.reset(); }

  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dir_.path(), &db_);
  }
  void Open() {
    Status s = TryOpen();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string Get(std::string_view k, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, k, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return s.ToString();
    return v;
  }

  std::map<std::string, std::string> Dump(const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::map<std::string, std::string> m;
    auto it = db_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) m[std::string(it->key())] = it->value();
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return m;
  }

  uint64_t Info(const std::string& name) {
    std::string info;
    EXPECT_TRUE(db_->GetProperty("strata.info", &info));
    const std::string needle = name + ":";
    size_t pos = info.starts_with(needle) ? 0 : info.find("\r\n" + needle);
    EXPECT_NE(pos, std::string::npos) << name;
    if (pos == std::string::npos) return 0;
    if (pos != 0) pos += 2;
    return std::strtoull(info.c_str() + pos + needle.size(), nullptr, 10);
  }
  int FilesAt(int level) {
    std::string v;
    EXPECT_TRUE(db_->GetProperty("strata.num-files-at-level" + std::to_string(level), &v));
    return std::atoi(v.c_str());
  }
  int TotalFiles() {
    int n = 0;
    for (int level = 0; level < 7; level++) n += FilesAt(level);
    return n;
  }
  // Numbers of the files of `type` in the directory.
  std::vector<uint64_t> FilesOfType(FileType want) {
    std::vector<std::string> children;
    EXPECT_TRUE(Env::Default()->GetChildren(dir_.path(), &children).ok());
    std::vector<uint64_t> r;
    for (const std::string& name : children) {
      uint64_t n;
      FileType t;
      if (ParseFileName(name, &n, &t) && t == want) r.push_back(n);
    }
    std::sort(r.begin(), r.end());
    return r;
  }

  void Fill(int first, int count, int version, WriteOptions wo = WriteOptions()) {
    for (int i = first; i < first + count; i++) {
      ASSERT_TRUE(db_->Put(wo, Key(i), Value(i, version)).ok());
    }
  }

  testing::TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
  Options options_;
  std::unique_ptr<DB> db_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(LsmTest, FlushWritesAnL0TableAndRemovesTheWAL) {
  Open();
  Fill(0, 100, 1);
  ASSERT_TRUE(db_->Delete(WriteOptions(), Key(5)).ok());
  EXPECT_EQ(FilesAt(0), 0);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(FilesAt(0), 1);
  EXPECT_EQ(FilesOfType(FileType::kTableFile).size(), 1u);
  EXPECT_EQ(FilesOfType(FileType::kLogFile).size(), 1u);  // only the live WAL
  EXPECT_EQ(Info("immutable_memtables"), 0u);
  EXPECT_EQ(Info("memtable_entries"), 0u);
  EXPECT_GT(Info("flush_bytes_written"), 0u);
  EXPECT_EQ(Get(Key(7)), Value(7, 1));
  EXPECT_EQ(Get(Key(5)), "NOT_FOUND");
  EXPECT_EQ(Dump().size(), 99u);

  // An empty memtable needs no flush.
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(FilesAt(0), 1);

  Open();  // reopen: the data now comes from the table
  EXPECT_EQ(FilesAt(0), 1);
  EXPECT_EQ(Info("recovered_wal_records"), 0u);
  EXPECT_EQ(Get(Key(7)), Value(7, 1));
  EXPECT_EQ(Get(Key(5)), "NOT_FOUND");
  EXPECT_EQ(db_->LastSequence(), 101u);
}

TEST_F(LsmTest, FullMemtablesFlushInTheBackgroundAndCompact) {
  options_.memtable_size = 32 << 10;
  Open();
  for (int round = 0; round < 4; round++) Fill(0, 2000, round);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  // Background compaction brings L0 under its trigger.
  ASSERT_TRUE(Eventually([&] { return FilesAt(0) < options_.level0_compaction_trigger; }));
  EXPECT_GT(Info("flushes"), 4u);
  EXPECT_GT(Info("compactions") + Info("trivial_moves"), 0u);
  EXPECT_GT(TotalFiles(), FilesAt(0));
  // Old WALs went with their memtables' flushes.
  EXPECT_EQ(FilesOfType(FileType::kLogFile).size(), 1u);
  for (int i = 0; i < 2000; i += 97) EXPECT_EQ(Get(Key(i)), Value(i, 3));
  auto all = Dump();
  ASSERT_EQ(all.size(), 2000u);
  EXPECT_EQ(all[Key(1999)], Value(1999, 3));
  Open();
  EXPECT_EQ(Dump(), all);
}

TEST_F(LsmTest, CompactAllLeavesOneSortedRunWithoutTombstones) {
  Open();
  Fill(0, 3000, 1);
  for (int i = 0; i < 3000; i += 2) ASSERT_TRUE(db_->Delete(WriteOptions(), Key(i)).ok());
  Fill(0, 100, 2);
  ASSERT_TRUE(db_->CompactAll().ok());
  int levels_with_files = 0;
  for (int level = 0; level < 7; level++) levels_with_files += FilesAt(level) > 0;
  EXPECT_EQ(levels_with_files, 1);
  EXPECT_EQ(FilesAt(0), 0);
  // Every file in the directory is live; nothing else is left.
  EXPECT_EQ(FilesOfType(FileType::kTableFile).size(), static_cast<size_t>(TotalFiles()));
  EXPECT_EQ(FilesOfType(FileType::kDescriptorFile).size(), 1u);
  // 100 keys rewritten + 1450 odd keys above 100: tombstones and old versions are gone.
  std::string keys;
  ASSERT_TRUE(db_->GetProperty("strata.approximate-keys", &keys));
  EXPECT_EQ(keys, "1550");
  auto all = Dump();
  EXPECT_EQ(all.size(), 1550u);
  EXPECT_EQ(all[Key(0)], Value(0, 2));
  EXPECT_EQ(Get(Key(2000)), "NOT_FOUND");
  EXPECT_EQ(Get(Key(2001)), Value(2001, 1));
}

TEST_F(LsmTest, IteratorsAndSnapshotsPinWhatTheyRead) {
  Open();
  Fill(0, 1000, 1);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  const Snapshot* snap = db_->GetSnapshot();
  auto it = db_->NewIterator(ReadOptions());
  Fill(0, 1000, 2);
  for (int i = 0; i < 1000; i += 3) ASSERT_TRUE(db_->Delete(WriteOptions(), Key(i)).ok());
  ASSERT_TRUE(db_->CompactAll().ok());
  // The table the iterator reads was compacted away, but stays open until it is done.
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
    ASSERT_EQ(it->value(), Value(n, 1));
  }
  EXPECT_EQ(n, 1000);
  it.reset();
  // The snapshot kept the old versions through the compaction.
  EXPECT_EQ(Get(Key(3), snap), Value(3, 1));
  EXPECT_EQ(Get(Key(3)), "NOT_FOUND");
  EXPECT_EQ(Dump(snap).size(), 1000u);
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(db_->CompactAll().ok());
  EXPECT_EQ(Dump().size(), 666u);
  EXPECT_EQ(FilesOfType(FileType::kTableFile).size(), static_cast<size_t>(TotalFiles()));
}

// A reader that lets go of the last Version listing compacted-away tables gets them deleted
// (and, with mmap_reads, unmapped) at once, not at the flush thread's next one-second tick:
// until then their pages stay in the process's RSS beside the new tables the reads fault in.
// With only the tick the wait was about a second in most rounds (the tick restarts at every
// wake of the flush thread), so three rounds rarely pass without the wake-up.
TEST_F(LsmTest, TablesFreedByTheLastReaderAreDeletedPromptly) {
  options_.mmap_reads = true;
  Open();
  for (int round = 0; round < 3; round++) {
    Fill(0, 500, round);
    ASSERT_TRUE(db_->FlushMemTable(true).ok());
    auto it = db_->NewIterator(ReadOptions());  // pins the version listing the new table
    Fill(0, 500, round + 10);
    ASSERT_TRUE(db_->CompactAll().ok());
    ASSERT_GT(FilesOfType(FileType::kTableFile).size(), static_cast<size_t>(TotalFiles()));
    const auto released = std::chrono::steady_clock::now();
    it.reset();
    while (FilesOfType(FileType::kTableFile).size() > static_cast<size_t>(TotalFiles()) &&
           std::chrono::steady_clock::now() - released < 5s) {
      std::this_thread::sleep_for(2ms);
    }
    const auto waited = std::chrono::steady_clock::now() - released;
    EXPECT_LT(waited, 400ms)
        << "round " << round << ": obsolete tables deleted after "
        << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms";
  }
  EXPECT_EQ(Get(Key(7)), Value(7, 12));
}

// A memtable that takes no write for a second gets its runs merged into one by the flush
// thread (MemTable::MergeRuns): iterators then search one array, see the same data, and see
// the writes that come after it.
TEST_F(LsmTest, AnIdleMemTableIsMergedForReaders) {
  options_.memtable_size = 4 << 20;  // 3000 entries stay in one memtable, in several runs
  Open();
  Fill(0, 3000, 1);
  const Snapshot* snap = db_->GetSnapshot();
  const std::map<std::string, std::string> want = Dump();
  ASSERT_EQ(want.size(), 3000u);
  ASSERT_TRUE(Eventually([&] { return Info("memtable_merges") >= 1; }));
  EXPECT_EQ(Dump(), want);
  EXPECT_EQ(Get(Key(17)), Value(17, 1));

  Fill(0, 10, 2);
  std::map<std::string, std::string> now = Dump();
  EXPECT_EQ(now.size(), 3000u);
  EXPECT_EQ(now[Key(3)], Value(3, 2));
  EXPECT_EQ(now[Key(10)], Value(10, 1));
  EXPECT_EQ(Dump(snap), want);  // the older versions stay visible at the snapshot
  ASSERT_TRUE(Eventually([&] { return Info("memtable_merges") >= 2; }));
  EXPECT_EQ(Dump(snap), want);
  EXPECT_EQ(Dump(), now);
  db_->ReleaseSnapshot(snap);
}

// mmap_reads: tables are read through mappings that live as long as the open table, so an
// iterator keeps reading a table compacted away under it, and a damaged block in a mapped
// table is an error, never wrong data (its checksum is verified on every read: mapped blocks
// bypass the block cache).
TEST_F(LsmTest, MappedTablesServeReadsIteratorsAndReportDamage) {
  options_.mmap_reads = true;
  options_.max_open_files = 20;  // tables are closed (unmapped) and reopened as reads go on
  Open();
  Fill(0, 3000, 1);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  auto it = db_->NewIterator(ReadOptions());
  Fill(0, 3000, 2);
  ASSERT_TRUE(db_->CompactAll().ok());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), n++) ASSERT_EQ(it->value(), Value(n, 1));
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(n, 3000);
  it.reset();
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ(Get(Key(i)), Value(i, 2));
  EXPECT_EQ(Dump().size(), 3000u);

  db_.reset();
  std::vector<uint64_t> tables = FilesOfType(FileType::kTableFile);
  ASSERT_FALSE(tables.empty());
  // The newest: CompactAll's output (tables the iterator pinned may not be deleted yet).
  const std::string fname = TableFileName(dir_.path(), tables.back());
  ASSERT_NO_FATAL_FAILURE(testing::FlipByte(fname, 200, 0x40));  // inside the first data block
  Open();
  int corrupt = 0;
  for (int i = 0; i < 3000; i++) {
    const std::string got = Get(Key(i));
    if (got.find("orruption") != std::string::npos) {
      corrupt++;
    } else {
      ASSERT_EQ(got, Value(i, 2)) << Key(i);
    }
  }
  EXPECT_GT(corrupt, 0);
  EXPECT_LT(corrupt, 3000);
  auto bad = db_->NewIterator(ReadOptions());
  for (bad->SeekToFirst(); bad->Valid(); bad->Next()) {
  }
  EXPECT_TRUE(bad->status().IsCorruption()) << bad->status().ToString();
}

// With mmap_reads, a compaction reads its inputs with pread on files of its own, not through
// the tables' mappings (table_cache.h): read through a mapping, the whole input would stay
// resident in the process. Those reads still verify every block.
TEST_F(LsmTest, CompactionsReadMappedTablesWithPreadAndVerifyThem) {
  options_.mmap_reads = true;
  options_.memtable_size = 4 << 20;  // only the explicit flushes and compactions run
  Open();
  Fill(0, 3000, 1);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  Fill(0, 3000, 2);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  const int pread_before = env_.pread_opens();
  const int mapped_before = env_.mapped_opens();
  ASSERT_TRUE(db_->CompactAll().ok());
  EXPECT_GE(env_.pread_opens() - pread_before, 2);  // both inputs at least
  EXPECT_GT(env_.mapped_opens(), mapped_before);    // the outputs, verified after writing
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ(Get(Key(i)), Value(i, 2));

  db_.reset();
  std::vector<uint64_t> tables = FilesOfType(FileType::kTableFile);
  ASSERT_FALSE(tables.empty());
  ASSERT_NO_FATAL_FAILURE(testing::FlipByte(TableFileName(dir_.path(), tables.front()), 200, 0x40));
  Open();
  Fill(0, 3000, 3);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  Status s = db_->CompactAll();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ(Get(Key(i)), Value(i, 3));
}

// A compaction filter that drops every key under a set of dead prefixes: the server's
// FLUSHALL (it switches key prefixes and declares the old ones dead).
class DeadPrefixes final : public CompactionFilter {
 public:
  void Kill(const std::string& prefix) {
    std::lock_guard<std::mutex> l(mu_);
    dead_.insert(prefix);
  }
  bool ShouldDrop(std::string_view key, std::string_view) const override {
    std::lock_guard<std::mutex> l(mu_);
    for (const std::string& p : dead_) {
      if (key.starts_with(p)) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> dead_;
};

TEST_F(LsmTest, CompactionFilterReclaimsADeadPrefix) {
  auto filter = std::make_shared<DeadPrefixes>();
  options_.compaction_filter = filter;
  Open();
  for (int i = 0; i < 5000; i++) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "A:" + Key(i), Value(i, 1)).ok());
  }
  ASSERT_TRUE(db_->CompactAll().ok());
  const uint64_t full = Info("table_bytes");
  EXPECT_GT(full, 400000u);
  // FLUSHALL: new writes go to prefix B, prefix A is dead.
  filter->Kill("A:");
  for (int i = 0; i < 100; i++) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "B:" + Key(i), Value(i, 2)).ok());
  }
  ASSERT_TRUE(db_->CompactAll().ok());
  EXPECT_LT(Info("table_bytes"), full / 20);
  EXPECT_GE(Info("compaction_filtered_entries"), 5000u);
  auto all = Dump();
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(all.begin()->first, "B:" + Key(0));
}

// Dropping a value must never expose an older version of its key (docs/design.md §6.5).
TEST_F(LsmTest, FilteredValueNeverResurrectsAnOlderOne) {
  class DropDead final : public CompactionFilter {
   public:
    bool ShouldDrop(std::string_view, std::string_view value) const override {
      return value == "DEAD";
    }
  };
  options_.compaction_filter = std::make_shared<DropDead>();
  Open();
  for (int i = 0; i < 200; i++) ASSERT_TRUE(db_->Put(WriteOptions(), Key(i), "old").ok());
  ASSERT_TRUE(db_->CompactAll().ok());  // "old" is at the bottom level
  for (int i = 0; i < 200; i++) ASSERT_TRUE(db_->Put(WriteOptions(), Key(i), "DEAD").ok());
  ASSERT_TRUE(db_->FlushMemTable(true).ok());  // the flush filters them: tombstones in L0
  for (int i = 0; i < 200; i++) {
    const std::string v = Get(Key(i));
    ASSERT_TRUE(v == "NOT_FOUND" || v == "DEAD") << Key(i) << " = " << v;
  }
  EXPECT_EQ(Dump().size(), 0u);
  ASSERT_TRUE(db_->CompactAll().ok());
  EXPECT_EQ(Dump().size(), 0u);
  EXPECT_EQ(Info("table_files"), 0u);
  Open();
  EXPECT_EQ(Dump().size(), 0u);
  EXPECT_EQ(Get(Key(3)), "NOT_FOUND");
}

// Recovery replays only what was not flushed: flushed WALs are gone, so a restart after a
// crash reads at most about (max_immutable_memtables + 1) memtables of WAL.
TEST_F(LsmTest, CrashRecoveryReplaysOnlyUnflushedWALs) {
  options_.sync_mode = SyncMode::kAlways;
  Open();
  WriteOptions sync;
  sync.sync = true;
  const int n = 20000;  // about 40 memtables
  for (int i = 0; i < n; i++) {
    ASSERT_TRUE(db_->Put(i % 100 == 0 ? sync : WriteOptions(), Key(i), Value(i, 1)).ok());
  }
  ASSERT_TRUE(db_->SyncWAL().ok());
  ASSERT_TRUE(Eventually([&] { return Info("immutable_memtables") == 0; }));
  const uint64_t flushed_records = Info("flushed_sequence");
  EXPECT_GT(flushed_records, static_cast<uint64_t>(n) / 2);
  // Machine crash: only what was synced survives.
  testing::PowerCut(&env_, &db_);
  Open();
  EXPECT_EQ(db_->LastSequence(), static_cast<uint64_t>(n));
  EXPECT_LE(Info("recovered_wal_records"), n - flushed_records);
  EXPECT_LT(Info("recovered_wal_records"), 2000u);
  for (int i = 0; i < n; i += 331) EXPECT_EQ(Get(Key(i)), Value(i, 1));
  EXPECT_EQ(Dump().size(), static_cast<size_t>(n));
}

// A memtable that fills during replay goes to the flush thread like any other.
TEST_F(LsmTest, ReplayLargerThanAMemtableIsSplit) {
  options_.memtable_size = 1 << 20;
  Open();
  Fill(0, 5000, 1);  // ~600 KB of memtable
  db_.reset();
  options_.memtable_size = 64 << 10;
  Open();
  EXPECT_EQ(Info("recovered_wal_records"), 5000u);
  ASSERT_TRUE(Eventually([&] { return Info("immutable_memtables") == 0; }));
  EXPECT_GT(Info("flushes"), 3u);
  EXPECT_EQ(Dump().size(), 5000u);
  Open();
  EXPECT_EQ(Info("recovered_wal_records"), 0u);
  EXPECT_EQ(Dump().size(), 5000u);
}

// Blocks ShouldDrop for one key while armed: a compaction that reaches it waits.
class Gate final : public CompactionFilter {
 public:
  void Arm() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
    cv_.notify_all();
  }
  bool blocked() const {
    std::lock_guard<std::mutex> l(mu_);
    return blocked_ > 0;
  }
  static constexpr std::string_view kKey = "key00002000gate";  // sorts among Key(i)
  bool ShouldDrop(std::string_view key, std::string_view) const override {
    if (key != kKey) return false;
    std::unique_lock<std::mutex> l(mu_);
    blocked_++;
    cv_.wait(l, [&] { return !armed_; });
    blocked_--;
    return false;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool armed_ = false;
  mutable int blocked_ = 0;
};

TEST_F(LsmTest, WritesSlowDownThenStopWhileCompactionIsBehind) {
  auto gate = std::make_shared<Gate>();
  options_.compaction_filter = gate;
  options_.memtable_size = 16 << 10;
  options_.level0_compaction_trigger = 2;
  options_.level0_slowdown_trigger = 3;
  options_.level0_stop_trigger = 5;
  // Deterministic whatever the threads' timing: with one immutable memtable at most, L0
  // cannot pass from 3 to 5 files without the writer filling a whole memtable (~120 writes)
  // at 4 files, and at this rate ~10 of them owe the millisecond after which a write
  // sleeps. (With two queued, flushes could carry L0 from 3 to 5 while a starved writer
  // wrote a few entries, as happened under load.)
  options_.max_immutable_memtables = 1;
  options_.delayed_write_rate = 1 << 20;
  Open();
  // An L0 file spanning every key written next, so that the first L0 compaction takes it.
  ASSERT_TRUE(db_->Put(WriteOptions(), Key(0), "first").ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), Gate::kKey, "x").ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), Key(3999), "last").ok());
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  gate->Arm();
  // The first L0 compaction reaches the gate key and waits there; L0 keeps growing.
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < 4000; i++) {
      if (!db_->Put(WriteOptions(), Key(i), Value(i, 1)).ok()) break;
      written++;
    }
  });
  struct Cleanup {
    Gate* gate;
    std::thread* writer;
    ~Cleanup() {
      gate->Release();
      if (writer->joinable()) writer->join();
    }
  } cleanup{gate.get(), &writer};
  ASSERT_TRUE(Eventually([&] { return gate->blocked(); }));
  // L0 reaches the stop trigger: once the memtable is full too, the writer waits.
  ASSERT_TRUE(Eventually(
      [&] { return FilesAt(0) >= options_.level0_stop_trigger && Info("stall_stop_count") > 0; }));
  EXPECT_GT(Info("stall_slowdown_count"), 0u);
  const int stuck_at = written.load();
  EXPECT_LT(stuck_at, 4000);
  // Reads go on while writes wait.
  EXPECT_EQ(Get(Gate::kKey), "x");
  EXPECT_EQ(Get(Key(0)), Value(0, 1));
  gate->Release();
  writer.join();
  EXPECT_EQ(written.load(), 4000);
  EXPECT_GT(Info("stall_micros"), 0u);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  ASSERT_TRUE(Eventually([&] { return FilesAt(0) < options_.level0_compaction_trigger; }));
  EXPECT_EQ(Dump().size(), 4001u);
  EXPECT_EQ(Get(Key(0)), Value(0, 1));
}

TEST_F(LsmTest, FailedTableWriteIsAStickyBackgroundErrorAndReadsGoOn) {
  Open();
  Fill(0, 400, 1);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  const int files = FilesAt(0);
  Fill(400, 100, 1);
  // The memtable switch creates a WAL (allowed), then the flush's table fails to be created.
  env_.SetFault(FaultOp::kNewWritableFile, 1);
  Status s = db_->FlushMemTable(true);
  EXPECT_FALSE(s.ok());
  env_.ClearFaults();
  EXPECT_FALSE(db_->BackgroundError().ok());
  EXPECT_NE(db_->BackgroundError().ToString().find("ENOSPC"), std::string::npos);
  EXPECT_FALSE(db_->Put(WriteOptions(), "x", "y").ok());
  EXPECT_EQ(Get(Key(10)), Value(10, 1));  // still in the immutable memtable
  EXPECT_EQ(Dump().size(), 500u);
  std::string info;
  ASSERT_TRUE(db_->GetProperty("strata.info", &info));
  EXPECT_NE(info.find("background_error:IO error"), std::string::npos);
  // Reopening recovers everything from the WALs that were kept.
  Open();
  EXPECT_TRUE(db_->BackgroundError().ok());
  EXPECT_EQ(Dump().size(), 500u);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  EXPECT_EQ(FilesAt(0), files + 1);
}

TEST_F(LsmTest, FailedManifestSyncIsSticky) {
  Open();
  Fill(0, 400, 1);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  Fill(400, 100, 1);
  // Switch (WAL sync), table sync, then the MANIFEST sync fails.
  env_.SetFault(FaultOp::kSync, 2);
  EXPECT_FALSE(db_->FlushMemTable(true).ok());
  env_.ClearFaults();
  EXPECT_FALSE(db_->BackgroundError().ok());
  EXPECT_EQ(Dump().size(), 500u);
  Open();
  EXPECT_EQ(Dump().size(), 500u);
}

TEST_F(LsmTest, PropertiesDescribeTheTree) {
  Open();
  Fill(0, 2000, 1);
  ASSERT_TRUE(db_->CompactAll().ok());
  for (int i = 0; i < 2000; i++) Get(Key(i) + "-missing");  // inside the table's key range
  std::string info;
  ASSERT_TRUE(db_->GetProperty("strata.info", &info));
  info = "\r\n" + info;
  for (const char* name : {"level0_files",
                           "level0_bytes",
                           "level6_bytes",
                           "memtable_bytes",
                           "immutable_memtables",
                           "immutable_bytes",
                           "pending_compaction_bytes",
                           "block_cache_usage",
                           "block_cache_capacity",
                           "block_cache_hit_ratio",
                           "bloom_useful",
                           "bloom_false_positive",
                           "flush_bytes_written",
                           "compaction_bytes_read",
                           "compaction_bytes_written",
                           "user_bytes_written",
                           "write_amplification",
                           "stall_slowdown_count",
                           "stall_stop_count",
                           "stall_micros",
                           "wal_sync_mode",
                           "wal_bytes_written",
                           "read_compactions",
                           "last_sequence",
                           "background_error"}) {
    EXPECT_NE(info.find(std::string("\r\n") + name + ":"), std::string::npos) << name;
  }
  // Every line is name:value.
  size_t start = 2;
  while (start < info.size()) {
    size_t end = info.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string line = info.substr(start, end - start);
    EXPECT_NE(line.find(':'), std::string::npos) << line;
    start = end + 2;
  }
  EXPECT_GT(Info("bloom_useful"), 1900u);
  EXPECT_GT(Info("user_bytes_written"), 2000u * 100);
  // Every WAL since open: the one CompactAll's flush closed, and the live one.
  EXPECT_GT(Info("wal_bytes_written"), 2000u * 100);
  EXPECT_GT(Info("wal_bytes_written"), Info("wal_bytes"));
  EXPECT_EQ(Info("block_cache_capacity"), 1u << 20);
  std::string v;
  EXPECT_FALSE(db_->GetProperty("strata.num-files-at-level7", &v));
  EXPECT_FALSE(db_->GetProperty("strata.nope", &v));
}

// L0 files below the compaction trigger stay put while nobody reads them, and go down to L1
// once reads (point reads reaching the tables, new iterators) spend the version's budget.
TEST_F(LsmTest, ReadsCompactL0FilesBelowTheTrigger) {
  Open();
  Fill(0, 200, 1);  // 200 entries fit in one memtable
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  Fill(100, 200, 2);
  ASSERT_TRUE(db_->FlushMemTable(true).ok());
  ASSERT_EQ(FilesAt(0), 2);
  ASSERT_LT(2, options_.level0_compaction_trigger);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(FilesAt(0), 2);  // nothing to do without reads

  // Reads the memtable answers, and reads of a DB without L0 files, cost nothing. The
  // budget of a small DB is 4096 reads (version_set.cc); stay well under it.
  ASSERT_TRUE(db_->Put(WriteOptions(), "in-memtable", "x").ok());
  for (int i = 0; i < 3000; i++) ASSERT_EQ(Get("in-memtable"), "x");
  for (int i = 0; i < 1000; i++) Get(Key(i));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(FilesAt(0), 2);
  EXPECT_EQ(Info("read_compactions"), 0u);

  // The rest of the budget, half through iterators.
  for (int i = 0; i < 1600; i++) Get(Key(i % 300));
  for (int i = 0; i < 1600; i++) {
    auto it = db_->NewIterator(ReadOptions());
    it->Seek(Key(i % 300));
  }
  ASSERT_TRUE(Eventually([&] { return FilesAt(0) == 0; }));
  EXPECT_EQ(Info("read_compactions"), 1u);
  EXPECT_GT(FilesAt(1), 0);
  for (int i = 0; i < 300; i++) EXPECT_EQ(Get(Key(i)), Value(i, i < 100 ? 1 : 2));

  // With L0 empty, reads charge nothing and trigger nothing.
  for (int i = 0; i < 10000; i++) Get(Key(i % 300));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Info("read_compactions"), 1u);
  EXPECT_EQ(Dump().size(), 301u);
}

// A level under its size limit above another level (here L1 over L2) goes down one file at a
// time once reads spend a version's budget: scans then merge one cursor less (LevelDB's seek
// compaction of deeper levels). Reads over the whole level spent it, so every file of the
// level has been paid for: the rest follow without further reads.
TEST_F(LsmTest, ReadsCompactALevelIntoTheLevelBelow) {
  options_.level0_compaction_trigger = 1;  // every flush goes on into L1 at once
  Open();
  // ~1.2 MB, more than L1 may hold (256 KiB): CompactAll writes it to L2.
  for (int i = 0; i < 12000; i += 2)
    ASSERT_TRUE(db_->Put(WriteOptions(), Key(i), Value(i, 1, 200)).ok());
  ASSERT_TRUE(db_->CompactAll().ok());
  ASSERT_EQ(FilesAt(1), 0);
  ASSERT_GT(FilesAt(2), 1);
  // New keys between the old ones, in three flushes spread over the key space: L1 files
  // that overlap L2 files, below L1's size limit.
  for (int round = 0; round < 3; round++) {
    for (int i = round * 4000 + 1; i < round * 4000 + 400; i += 2) {
      ASSERT_TRUE(db_->Put(WriteOptions(), Key(i), Value(i, 2, 200)).ok());
    }
    ASSERT_TRUE(db_->FlushMemTable(true).ok());
    ASSERT_TRUE(Eventually([&] { return FilesAt(0) == 0; }));
  }
  ASSERT_GE(FilesAt(1), 2);
  ASSERT_LT(Info("level1_bytes"), options_.max_bytes_for_level_base);
  const uint64_t before = Info("read_compactions");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Info("read_compactions"), before);  // nothing to do without reads

  // Point reads and scans until the first L1 file has gone down; a version's budget is at
  // least 4096 units (version_set.cc): ~4096 reads or ~128 iterators. Then no more reads.
  const auto l1_empty = [&] { return FilesAt(1) == 0; };
  for (int i = 0; i < 200000 && Info("read_compactions") == before; i++) {
    if (i % 2 == 0) {
      Get(Key(i % 12000));
    } else {
      auto it = db_->NewIterator(ReadOptions());
      it->Seek(Key(i % 12000));
    }
    if (i % 1000 == 999) std::this_thread::sleep_for(1ms);  // let the compaction run
  }
  ASSERT_GT(Info("read_compactions"), before);
  ASSERT_TRUE(Eventually(l1_empty));
  EXPECT_GE(Info("read_compactions"), before + 2);
  EXPECT_GT(FilesAt(2), 0);
  for (int i = 0; i < 12000; i++) {
    const bool rewritten = i % 2 == 1 && i % 4000 < 400;
    if (i % 2 == 0) {
      EXPECT_EQ(Get(Key(i)), Value(i, 1, 200));
    } else {
      EXPECT_EQ(Get(Key(i)), rewritten ? Value(i, 2, 200) : "NOT_FOUND");
    }
  }

  // One level of tables: reads charge nothing and trigger nothing.
  const uint64_t after = Info("read_compactions");
  for (int i = 0; i < 20000; i++) Get(Key(i % 12000));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Info("read_compactions"), after);
}

// Readers, iterators and snapshots while writes flush and compact under them (run under
// SAN=thread too).
TEST_F(LsmTest, ReadersAndIteratorsDuringFlushAndCompaction) {
  options_.memtable_size = 16 << 10;
  options_.compaction_threads = 2;
  options_.level0_compaction_trigger = 2;
  options_.target_file_size = 16 << 10;
  options_.max_bytes_for_level_base = 64 << 10;
  Open();
  constexpr int kKeys = 2000;
  Fill(0, kKeys, 0);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int version = 1; version <= 5 && failures == 0; version++) {
      for (int i = 0; i < kKeys; i++) {
        if (!db_->Put(WriteOptions(), Key(i), Value(i, version)).ok()) failures++;
      }
      if (version == 3 && !db_->CompactAll().ok()) failures++;
    }
    stop = true;
  });
  auto check_value = [&](int i, const std::string& v) {
    // Some version of this key's value, never another key's or a torn one.
    const std::string prefix = "v" + std::to_string(i) + ".";
    if (!v.starts_with(prefix) || v.size() != 100) failures++;
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; t++) {
    readers.emplace_back([&, t] {
      std::mt19937 rnd(t);
      while (!stop) {
        const int i = rnd() % kKeys;
        std::string v;
        Status s = db_->Get(ReadOptions(), Key(i), &v);
        if (!s.ok()) {
          failures++;
        } else {
          check_value(i, v);
        }
      }
    });
  }
  readers.emplace_back([&] {
    while (!stop) {
      const Snapshot* snap = db_->GetSnapshot();
      ReadOptions ro;
      ro.snapshot = snap;
      std::vector<std::string> first;
      for (int pass = 0; pass < 2; pass++) {
        auto it = db_->NewIterator(ro);
        int n = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
          if (it->key() != Key(n)) {
            failures++;
            break;
          }
          check_value(n, std::string(it->value()));
          if (pass == 0) {
            first.emplace_back(it->value());
          } else if (first[n] != it->value()) {
            failures++;  // a snapshot reads the same twice
          }
        }
        if (!it->status().ok() || n != kKeys) failures++;
      }
      db_->ReleaseSnapshot(snap);
    }
  });
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(db_->BackgroundError().ok());
  auto all = Dump();
  ASSERT_EQ(all.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; i += 7) EXPECT_EQ(all[Key(i)], Value(i, 5));
}

}  // namespace
}  // namespace strata::store
