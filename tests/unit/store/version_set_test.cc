// VersionSet: LogAndApply, MANIFEST recovery (also after many edits, a MANIFEST roll-over,
// damage and crashes), level invariants, live files, and Version reads over real tables.
#include "store/version_set.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "fault_env.h"
#include "store/builder.h"
#include "store/cache.h"
#include "store/filename.h"
#include "store/log_writer.h"
#include "store/merger.h"
#include "store/table_cache.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using testing::IKey;

class VersionSetTest : public ::testing::Test {
 protected:
  VersionSetTest() : env_(Env::Default()) {
    options_.env = &env_;
    options_.info_log = [this](LogLevel, std::string_view msg) { log_.emplace_back(msg); };
    block_cache_ = NewLRUCache(1 << 20);
    table_cache_ = std::make_unique<TableCache>(dir_.path(), options_, block_cache_.get());
    NewSet();
  }

  void NewSet() {
    vset_.reset();
    vset_ = std::make_unique<VersionSet>(dir_.path(), options_, table_cache_.get());
  }

  Status Apply(VersionEdit* edit) {
    std::unique_lock<std::mutex> l(mu_);
    return vset_->LogAndApply(edit, &l);
  }

  Status Reopen() {
    NewSet();
    std::lock_guard<std::mutex> l(mu_);
    return vset_->Recover();
  }

  // Adds a (fake) file to a level; only its metadata matters for these tests.
  Status AddFile(int level, uint64_t number, std::string_view smallest, std::string_view largest,
                 uint64_t size = 1000) {
    VersionEdit edit;
    edit.AddFile(level, number, size, IKey(smallest, 100), IKey(largest, 100));
    MarkUsed(number);
    return Apply(&edit);
  }
  void MarkUsed(uint64_t number) {
    std::lock_guard<std::mutex> l(mu_);
    vset_->MarkFileNumberUsed(number);
  }

  std::string Files() { return vset_->current()->DebugString(); }

  testing::TempDir dir_;
  FaultInjectionEnv env_;
  Options options_;
  std::unique_ptr<Cache> block_cache_;
  std::unique_ptr<TableCache> table_cache_;
  std::mutex mu_;
  std::unique_ptr<VersionSet> vset_;
  std::vector<std::string> log_;
};

TEST_F(VersionSetTest, ApplyAndRecover) {
  ASSERT_TRUE(AddFile(0, 10, "a", "m").ok());
  ASSERT_TRUE(AddFile(0, 11, "c", "z").ok());
  ASSERT_TRUE(AddFile(1, 12, "a", "f").ok());
  ASSERT_TRUE(AddFile(1, 13, "g", "k").ok());
  VersionEdit edit;
  edit.RemoveFile(0, 10);
  edit.SetLogNumber(7);
  edit.SetLastSequence(1234);
  ASSERT_TRUE(Apply(&edit).ok());
  const std::string before = Files();
  EXPECT_EQ(before, "L0: #11[c..z]\nL1: #12[a..f] #13[g..k]\nL2:\nL3:\nL4:\nL5:\nL6:\n");
  const uint64_t next = vset_->NextFileNumber();

  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(Files(), before);
  EXPECT_EQ(vset_->LogNumber(), 7u);
  EXPECT_EQ(vset_->LastSequence(), 1234u);
  EXPECT_GE(vset_->NextFileNumber(), next);
  EXPECT_EQ(vset_->current()->NumBytes(1), 2000u);
}

TEST_F(VersionSetTest, L0IsNewestFirstAndDeeperLevelsSorted) {
  ASSERT_TRUE(AddFile(0, 5, "a", "b").ok());
  ASSERT_TRUE(AddFile(0, 9, "a", "b").ok());
  ASSERT_TRUE(AddFile(0, 7, "a", "b").ok());
  ASSERT_TRUE(AddFile(2, 20, "x", "y").ok());
  ASSERT_TRUE(AddFile(2, 21, "a", "b").ok());
  EXPECT_EQ(Files(),
            "L0: #9[a..b] #7[a..b] #5[a..b]\nL1:\nL2: #21[a..b] #20[x..y]\nL3:\nL4:\nL5:\nL6:\n");
}

// docs/design.md §6.1: assert the level invariants after every edit.
TEST_F(VersionSetTest, OverlappingFilesInALevelAreRefused) {
  ASSERT_TRUE(AddFile(1, 10, "a", "f").ok());
  const std::string before = Files();
  Status s = AddFile(1, 11, "f", "k");  // shares the user key "f"
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  s = AddFile(1, 12, "b", "c");
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(Files(), before);
  EXPECT_TRUE(AddFile(0, 13, "b", "c").ok());  // L0 files may overlap

  VersionEdit edit;
  edit.RemoveFile(3, 10);  // not in L3
  EXPECT_TRUE(Apply(&edit).IsCorruption());
  VersionEdit twice;
  twice.AddFile(4, 10, 1, IKey("q", 1), IKey("r", 1));  // #10 is already in L1
  EXPECT_TRUE(Apply(&twice).IsCorruption());
}

TEST_F(VersionSetTest, TrivialMoveEditKeepsTheFile) {
  ASSERT_TRUE(AddFile(1, 10, "a", "f").ok());
  VersionEdit move;
  move.RemoveFile(1, 10);
  move.AddFile(2, 10, 1000, IKey("a", 100), IKey("f", 100));
  ASSERT_TRUE(Apply(&move).ok());
  EXPECT_EQ(Files(), "L0:\nL1:\nL2: #10[a..f]\nL3:\nL4:\nL5:\nL6:\n");
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(Files(), "L0:\nL1:\nL2: #10[a..f]\nL3:\nL4:\nL5:\nL6:\n");
}

TEST_F(VersionSetTest, ReopenAfterManyEdits) {
  std::mt19937 rnd(42);
  std::map<uint64_t, int> model;  // file number -> level (L0 only: no overlap rules)
  uint64_t number = 100;
  const std::string big_key(200, 'k');
  for (int i = 0; i < 1500; i++) {
    VersionEdit edit;
    if (!model.empty() && rnd() % 3 == 0) {
      auto it = model.begin();
      std::advance(it, rnd() % model.size());
      edit.RemoveFile(it->second, it->first);
      model.erase(it);
    } else {
      number++;
      edit.AddFile(0, number, 10, IKey(big_key + "a", number), IKey(big_key + "b", number));
      model[number] = 0;
      MarkUsed(number);
    }
    edit.SetLastSequence(i);
    ASSERT_TRUE(Apply(&edit).ok()) << i;
    if (i % 500 == 499) {
      ASSERT_TRUE(Reopen().ok()) << i;
      EXPECT_EQ(vset_->current()->NumFiles(0), static_cast<int>(model.size()));
      EXPECT_EQ(vset_->LastSequence(), static_cast<uint64_t>(i));
    }
  }
  // Each reopen started a new MANIFEST; CURRENT names the last, and it alone recovers all.
  std::string current;
  ASSERT_TRUE(ReadFileToString(&env_, CurrentFileName(dir_.path()), &current).ok());
  EXPECT_EQ(current, "MANIFEST-" +
                         std::string(6 - std::to_string(vset_->ManifestFileNumber()).size(), '0') +
                         std::to_string(vset_->ManifestFileNumber()) + "\n");
  std::set<uint64_t> live;
  vset_->AddLiveFiles(&live);
  std::set<uint64_t> expect;
  for (auto& [n, level] : model) expect.insert(n);
  EXPECT_EQ(live, expect);
  ASSERT_TRUE(Reopen().ok());
  live.clear();
  vset_->AddLiveFiles(&live);
  EXPECT_EQ(live, expect);
}

TEST_F(VersionSetTest, ManifestRollsOverWhileRunning) {
  const std::string big_key(100000, 'k');
  uint64_t first_manifest = 0;
  for (int i = 0; i < 60; i++) {
    ASSERT_TRUE(AddFile(0, 100 + i, big_key, big_key).ok());
    if (i == 0) first_manifest = vset_->ManifestFileNumber();
  }
  EXPECT_NE(vset_->ManifestFileNumber(), first_manifest);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(vset_->current()->NumFiles(0), 60);
}

// Every LogAndApply that returned OK survives a machine crash right after it.
TEST_F(VersionSetTest, AcknowledgedEditsSurviveACrash) {
  for (int round = 0; round < 5; round++) {
    for (int i = 0; i < 10; i++) ASSERT_TRUE(AddFile(0, 1000 * (round + 1) + i, "a", "b").ok());
    const std::string before = Files();
    env_.SetFilesystemActive(false);
    vset_.reset();
    ASSERT_TRUE(env_.DropUnsyncedData().ok());
    env_.SetFilesystemActive(true);
    Status s = Reopen();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Files(), before) << "round " << round;
  }
}

// A failed switch to a new MANIFEST leaves the old state current, in memory and on disk.
TEST_F(VersionSetTest, FailedManifestSwitchKeepsTheOldState) {
  ASSERT_TRUE(AddFile(0, 10, "a", "b").ok());
  const std::string before = Files();
  // A fresh set starts a new MANIFEST at its first edit: make the CURRENT rename fail.
  ASSERT_TRUE(Reopen().ok());
  env_.SetFault(FaultOp::kRename);
  Status s = AddFile(0, 11, "a", "b");
  EXPECT_FALSE(s.ok());
  env_.ClearFaults();
  EXPECT_EQ(Files(), before);
  env_.SetFilesystemActive(false);
  vset_.reset();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  env_.SetFilesystemActive(true);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(Files(), before);

  // Same with a failing fsync of the new MANIFEST.
  env_.SetFault(FaultOp::kSync);
  EXPECT_FALSE(AddFile(0, 12, "a", "b").ok());
  env_.ClearFaults();
  EXPECT_EQ(Files(), before);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(Files(), before);
}

TEST_F(VersionSetTest, TornManifestTailIsIgnoredAndDamageIsCorruption) {
  ASSERT_TRUE(AddFile(0, 10, "a", "b").ok());
  ASSERT_TRUE(AddFile(0, 11, "c", "d").ok());
  const std::string before = Files();
  const std::string manifest = DescriptorFileName(dir_.path(), vset_->ManifestFileNumber());
  vset_.reset();
  std::string contents;
  ASSERT_TRUE(ReadFileToString(Env::Default(), manifest, &contents).ok());

  // A record cut short at the end: an append that never completed.
  {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(Env::Default()->NewWritableFile(manifest, &f).ok());
    ASSERT_TRUE(f->Append(contents).ok());
    ASSERT_TRUE(f->Append(std::string("\x12\x34\x56\x78\x40\x00\x01partial", 14)).ok());
    ASSERT_TRUE(f->Close().ok());
  }
  Status s = Reopen();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Files(), before);
  vset_.reset();

  // A flipped byte inside a record is corruption, named with the file.
  {
    std::string damaged = contents;
    damaged[10] ^= 0x40;
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(Env::Default()->NewWritableFile(manifest, &f).ok());
    ASSERT_TRUE(f->Append(damaged).ok());
    ASSERT_TRUE(f->Close().ok());
  }
  s = Reopen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("MANIFEST"), std::string::npos);

  // CURRENT naming nothing sensible.
  ASSERT_TRUE(
      WriteStringToFileSync(Env::Default(), "garbage", CurrentFileName(dir_.path()), dir_.path())
          .ok());
  EXPECT_TRUE(Reopen().IsCorruption());
}

TEST_F(VersionSetTest, OldVersionsKeepTheirFilesLive) {
  ASSERT_TRUE(AddFile(1, 10, "a", "b").ok());
  Version* old = vset_->current();
  old->Ref();
  VersionEdit edit;
  edit.RemoveFile(1, 10);
  ASSERT_TRUE(Apply(&edit).ok());
  std::set<uint64_t> live;
  vset_->AddLiveFiles(&live);
  EXPECT_EQ(live.count(10), 1u);
  old->Unref();
  live.clear();
  vset_->AddLiveFiles(&live);
  EXPECT_EQ(live.count(10), 0u);
}

TEST_F(VersionSetTest, OverlapQueries) {
  ASSERT_TRUE(AddFile(0, 10, "c", "e").ok());
  ASSERT_TRUE(AddFile(0, 11, "d", "h").ok());
  ASSERT_TRUE(AddFile(0, 12, "x", "z").ok());
  ASSERT_TRUE(AddFile(1, 20, "a", "b").ok());
  ASSERT_TRUE(AddFile(1, 21, "m", "p").ok());
  Version* v = vset_->current();
  std::vector<FilePtr> in;
  std::string_view b = "a", e = "c";
  v->GetOverlappingInputs(0, &b, &e, &in);  // widens to #11 through #10
  EXPECT_EQ(in.size(), 2u);
  b = "b";
  e = "l";
  v->GetOverlappingInputs(1, &b, &e, &in);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0]->number, 20u);
  v->GetOverlappingInputs(1, nullptr, nullptr, &in);
  EXPECT_EQ(in.size(), 2u);
  EXPECT_TRUE(v->OverlapInLevel(1, "p", "q"));
  EXPECT_FALSE(v->OverlapInLevel(1, "c", "l"));
  EXPECT_TRUE(v->OverlapInLevel(0, "h", "h"));
  EXPECT_FALSE(v->OverlapInLevel(0, "i", "w"));
  EXPECT_TRUE(v->MayContainKey("n"));
  EXPECT_FALSE(v->MayContainKey("q"));
}

// Version::Get and AddIterators over real tables: L0 newest first shadows older L0 files and
// deeper levels; tombstones hide older values.
TEST_F(VersionSetTest, ReadsOverRealTables) {
  auto write_table =
      [&](int level, uint64_t number,
          std::vector<std::tuple<std::string, uint64_t, ValueKind, std::string>> entries) {
        TableFileWriter w(dir_.path(), options_, table_cache_.get());
        ASSERT_TRUE(w.Open(number).ok());
        for (auto& [k, seq, kind, v] : entries) w.Add(IKey(k, seq, kind), v);
        FileMetaData meta;
        ASSERT_TRUE(w.Finish(&meta).ok());
        VersionEdit edit;
        edit.AddFile(level, meta);
        MarkUsed(number);
        ASSERT_TRUE(Apply(&edit).ok());
      };
  write_table(2, 5,
              {{"a", 1, ValueKind::kValue, "a1"},
               {"b", 2, ValueKind::kValue, "b2"},
               {"c", 3, ValueKind::kValue, "c3"}});
  write_table(1, 6, {{"b", 10, ValueKind::kDeletion, ""}, {"d", 11, ValueKind::kValue, "d11"}});
  write_table(0, 7, {{"a", 20, ValueKind::kValue, "a20"}, {"c", 21, ValueKind::kValue, "c21"}});
  write_table(0, 8, {{"c", 30, ValueKind::kValue, "c30"}});

  Version* v = vset_->current();
  auto get = [&](std::string_view k, uint64_t seq) -> std::string {
    std::string value;
    Version::GetResult r;
    Status s = v->Get(ReadOptions(), LookupKey(k, seq), &value, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (r == Version::GetResult::kFound) return value;
    return r == Version::GetResult::kDeleted ? "DELETED" : "ABSENT";
  };
  EXPECT_EQ(get("a", 100), "a20");
  EXPECT_EQ(get("a", 19), "a1");
  EXPECT_EQ(get("b", 100), "DELETED");
  EXPECT_EQ(get("b", 9), "b2");
  EXPECT_EQ(get("c", 100), "c30");
  EXPECT_EQ(get("c", 25), "c21");
  EXPECT_EQ(get("c", 5), "c3");
  EXPECT_EQ(get("d", 100), "d11");
  EXPECT_EQ(get("e", 100), "ABSENT");
  EXPECT_EQ(get("0", 100), "ABSENT");

  std::vector<std::unique_ptr<Iterator>> iters;
  v->AddIterators(ReadOptions(), &iters);
  EXPECT_EQ(iters.size(), 4u);  // two L0 files, L1, L2
  auto merged = NewMergingIterator(InternalKeyComparator(), std::move(iters));
  std::string seen;
  for (merged->SeekToFirst(); merged->Valid(); merged->Next()) {
    ParsedInternalKey p;
    ASSERT_TRUE(ParseInternalKey(merged->key(), &p));
    seen += std::string(p.user_key) + std::to_string(p.sequence) + " ";
  }
  EXPECT_EQ(seen, "a20 a1 b10 b2 c30 c21 c3 d11 ");
}

}  // namespace
}  // namespace strata::store
