// Compaction picking (scores, round-robin, L0 widening, trivial moves, busy inputs, full
// compactions), the per-compaction cursors, and CompactionJob over real tables.
#include "store/compaction.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "store/builder.h"
#include "store/cache.h"
#include "store/compaction_iterator.h"
#include "store/compaction_job.h"
#include "store/dbformat.h"
#include "store/filename.h"
#include "store/table_cache.h"
#include "store/version_set.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using testing::IKey;

class CompactionTest : public ::testing::Test {
 protected:
  CompactionTest() {
    options_.env = Env::Default();
    options_.level0_compaction_trigger = 4;
    options_.max_bytes_for_level_base = 10000;
    options_.target_file_size = 1000;
    block_cache_ = NewLRUCache(1 << 20);
    Reset();
  }

  // A fresh, empty set using options_ (call before adding files).
  void Reset() {
    vset_.reset();
    table_cache_ = std::make_unique<TableCache>(dir_.path(), options_, block_cache_.get());
    vset_ = std::make_unique<VersionSet>(dir_.path(), options_, table_cache_.get());
  }

  Status Apply(VersionEdit* edit) {
    std::unique_lock<std::mutex> l(mu_);
    return vset_->LogAndApply(edit, &l);
  }

  void Add(int level, uint64_t number, std::string_view smallest, std::string_view largest,
           uint64_t size = 1000) {
    VersionEdit edit;
    edit.AddFile(level, number, size, IKey(smallest, number), IKey(largest, number));
    {
      std::lock_guard<std::mutex> l(mu_);
      vset_->MarkFileNumberUsed(number);
    }
    Status s = Apply(&edit);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::unique_ptr<Compaction> Pick() {
    std::lock_guard<std::mutex> l(mu_);
    return PickCompaction(vset_.get());
  }

  static std::vector<uint64_t> Numbers(const std::vector<FilePtr>& files) {
    std::vector<uint64_t> r;
    for (const FilePtr& f : files) r.push_back(f->number);
    std::sort(r.begin(), r.end());
    return r;
  }

  testing::TempDir dir_;
  Options options_;
  std::unique_ptr<Cache> block_cache_;
  std::unique_ptr<TableCache> table_cache_;
  std::mutex mu_;
  std::unique_ptr<VersionSet> vset_;
};

TEST_F(CompactionTest, NothingToDoBelowTheTriggers) {
  Add(0, 10, "a", "c");
  Add(0, 11, "b", "d");
  Add(0, 12, "e", "f");
  Add(1, 20, "a", "z", 9000);
  EXPECT_EQ(Pick(), nullptr);
}

TEST_F(CompactionTest, Level0TakesOverlappingFilesAndTheLevelBelow) {
  Add(1, 20, "a", "b");
  Add(1, 21, "c", "e");
  Add(1, 22, "x", "y");
  Add(0, 10, "c", "d");  // oldest: picked first
  Add(0, 11, "d", "g");  // overlaps 10
  Add(0, 12, "g", "h");  // overlaps 11 (transitively)
  Add(0, 13, "p", "q");  // overlaps nothing
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->start_level(), 0);
  EXPECT_EQ(c->output_level(), 1);
  EXPECT_EQ(Numbers(c->inputs(0)), (std::vector<uint64_t>{10, 11, 12}));
  EXPECT_EQ(Numbers(c->inputs(1)), (std::vector<uint64_t>{21}));
  EXPECT_FALSE(c->IsTrivialMove());

  // While it runs, no second L0 compaction starts.
  {
    std::lock_guard<std::mutex> l(mu_);
    c->MarkInputs(true);
  }
  EXPECT_EQ(Pick(), nullptr);
  {
    std::lock_guard<std::mutex> l(mu_);
    c->MarkInputs(false);
  }
  EXPECT_NE(Pick(), nullptr);
}

TEST_F(CompactionTest, SizeCompactionGoesRoundRobinAndSkipsBusyFiles) {
  // L1 holds 12000 bytes > 10000: one file at a time moves down, starting after the last.
  Add(1, 20, "a", "b", 3000);
  Add(1, 21, "c", "d", 3000);
  Add(1, 22, "e", "f", 3000);
  Add(1, 23, "g", "h", 3000);
  Add(2, 30, "c", "c", 1000);
  Add(2, 31, "d", "e", 1000);  // overlaps both 21 and 22

  auto c1 = Pick();
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->start_level(), 1);
  EXPECT_EQ(Numbers(c1->inputs(1)), (std::vector<uint64_t>{20}));
  EXPECT_TRUE(c1->IsTrivialMove());  // nothing below [a, b]

  // The pointer moved past 20: the next pick takes 21 (with 30 and 31 below) and widens to
  // 22, which pulls in no more of L2.
  auto c2 = Pick();
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(Numbers(c2->inputs(1)), (std::vector<uint64_t>{21, 22}));
  EXPECT_EQ(Numbers(c2->inputs(2)), (std::vector<uint64_t>{30, 31}));
  EXPECT_FALSE(c2->IsTrivialMove());
  {
    std::lock_guard<std::mutex> l(mu_);
    c1->MarkInputs(true);
    c2->MarkInputs(true);
  }
  // 20, 21, 22 are busy: the next candidate is 23.
  auto c3 = Pick();
  ASSERT_NE(c3, nullptr);
  EXPECT_EQ(Numbers(c3->inputs(1)), (std::vector<uint64_t>{23}));
  {
    std::lock_guard<std::mutex> l(mu_);
    c3->MarkInputs(true);
  }
  EXPECT_EQ(Pick(), nullptr);  // everything in L1 is busy
}

TEST_F(CompactionTest, MostUrgentLevelFirst) {
  for (int i = 0; i < 8; i++) Add(0, 100 + i, "a", "b");  // score 2
  Add(2, 30, "a", "b", 400000);                           // 400000 / 100000 = score 4
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->start_level(), 2);
}

TEST_F(CompactionTest, BaseLevelCursor) {
  Add(1, 20, "c", "m", 20000);  // L1 over its limit
  Add(2, 30, "d", "e");
  Add(2, 31, "f", "g");
  Add(3, 40, "b", "c");
  Add(3, 41, "k", "n");
  Add(4, 50, "x", "z");
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->start_level(), 1);
  EXPECT_EQ(Numbers(c->inputs(2)), (std::vector<uint64_t>{30, 31}));
  // Keys in the range of a file below L2 are not at their base level.
  EXPECT_TRUE(c->IsBaseLevelForKey("a"));
  EXPECT_FALSE(c->IsBaseLevelForKey("b"));
  EXPECT_FALSE(c->IsBaseLevelForKey("c"));
  EXPECT_TRUE(c->IsBaseLevelForKey("d"));
  EXPECT_TRUE(c->IsBaseLevelForKey("j"));
  EXPECT_FALSE(c->IsBaseLevelForKey("k"));
  EXPECT_TRUE(c->IsBaseLevelForKey("o"));
  EXPECT_FALSE(c->IsBaseLevelForKey("y"));
  EXPECT_TRUE(c->IsBaseLevelForKey("zz"));
}

TEST_F(CompactionTest, FullCompactionTakesEverythingToTheDeepestLevel) {
  Add(0, 10, "a", "b");
  Add(1, 20, "a", "b");
  Add(3, 40, "c", "d");
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->is_full());
  EXPECT_EQ(c->output_level(), 3);
  EXPECT_EQ(c->num_input_files(), 3u);
  EXPECT_FALSE(c->IsTrivialMove());
  EXPECT_TRUE(c->IsBaseLevelForKey("a"));
  EXPECT_TRUE(c->IsBaseLevelForKey("z"));
}

TEST_F(CompactionTest, FullCompactionGoesDeepEnoughForTheData) {
  Add(0, 10, "a", "b", 5000);
  Add(1, 20, "c", "d", 500000);  // more than L1 (10000) and L2 (100000) can hold
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->output_level(), 3);
  {
    std::lock_guard<std::mutex> l(mu_);
    c->MarkInputs(true);
    EXPECT_EQ(PickFullCompaction(vset_.get()), nullptr);  // busy
    c->MarkInputs(false);
  }
}

TEST_F(CompactionTest, ShouldStopBeforeCutsOnGrandparentOverlap) {
  options_.target_file_size = 100;  // grandparent limit: 1000 bytes
  Reset();
  Add(1, 20, "a", "z", 100000);  // over the L1 limit
  for (int i = 0; i < 10; i++) {
    std::string k(1, static_cast<char>('a' + 2 * i));
    Add(3, 40 + i, k, k, 600);
  }
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->output_level(), 2);
  int cuts = 0;
  for (char k = 'a'; k <= 'z'; k++) {
    if (c->ShouldStopBefore(IKey(std::string(1, k), 1))) cuts++;
  }
  // 600 bytes per grandparent file passed, cut when over 1000: about every second file.
  EXPECT_GE(cuts, 3);
  EXPECT_LE(cuts, 6);
}

// --- CompactionIterator ------------------------------------------------------------------

// An iterator over a sorted vector of (internal key, value).
class VectorIterator final : public Iterator {
 public:
  explicit VectorIterator(std::vector<std::pair<std::string, std::string>> entries)
      : entries_(std::move(entries)) {}
  bool Valid() const override { return i_ < entries_.size(); }
  void SeekToFirst() override { i_ = 0; }
  void Seek(std::string_view) override {}
  void Next() override { i_++; }
  std::string_view key() const override { return entries_[i_].first; }
  std::string_view value() const override { return entries_[i_].second; }
  Status status() const override { return Status::OK(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  size_t i_ = 0;
};

TEST(CompactionIterator, MarksUserKeyStartsAndAsksBaseLevelOncePerKey) {
  VectorIterator input({{IKey("a", 9, ValueKind::kDeletion), ""},
                        {IKey("a", 5), "a5"},
                        {IKey("a", 2), "a2"},
                        {IKey("b", 7), "b7"},
                        {IKey("c", 8, ValueKind::kDeletion), ""}});
  std::vector<std::string> asked;
  // S = 6: a@9 is above it (kept, with a@5 which a snapshot at 6 reads); a@2 is shadowed by
  // a@5; c@8 is above S, so kept although nothing is below.
  CompactionIterator it(&input, 6, nullptr, [&](std::string_view k) {
    asked.emplace_back(k);
    return true;
  });
  std::string out;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ParsedInternalKey p;
    ASSERT_TRUE(ParseInternalKey(it.key(), &p));
    out += (it.starts_user_key() ? "|" : "") + std::string(p.user_key) + std::to_string(p.sequence);
  }
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(out, "|a9a5|b7|c8");
  EXPECT_TRUE(asked.empty());  // no tombstone at or below S, no filter
  EXPECT_EQ(it.stats().dropped_shadowed, 1u);
  EXPECT_EQ(it.stats().output_entries, 4u);
}

TEST(CompactionIterator, MalformedKeyStopsWithCorruption) {
  VectorIterator input({{IKey("a", 1), "a"}, {"bad", "x"}, {IKey("c", 1), "c"}});
  CompactionIterator it(&input, 100, nullptr, [](std::string_view) { return true; });
  int n = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) n++;
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(it.status().IsCorruption());
}

// --- CompactionJob over real tables ---------------------------------------------------

class DropPrefix final : public CompactionFilter {
 public:
  explicit DropPrefix(std::string prefix) : prefix_(std::move(prefix)) {}
  bool ShouldDrop(std::string_view key, std::string_view) const override {
    return key.starts_with(prefix_);
  }

 private:
  std::string prefix_;
};

class CompactionJobTest : public CompactionTest {
 protected:
  // Writes a table of entries (user key, seq, kind, value) and adds it to `level`.
  void Table(int level, std::vector<std::tuple<std::string, uint64_t, ValueKind, std::string>> e) {
    uint64_t number;
    {
      std::lock_guard<std::mutex> l(mu_);
      number = vset_->NewFileNumber();
    }
    TableFileWriter w(dir_.path(), options_, table_cache_.get());
    ASSERT_TRUE(w.Open(number).ok());
    for (auto& [k, seq, kind, v] : e) w.Add(IKey(k, seq, kind), v);
    FileMetaData meta;
    ASSERT_TRUE(w.Finish(&meta).ok());
    VersionEdit edit;
    edit.AddFile(level, meta);
    ASSERT_TRUE(Apply(&edit).ok());
  }

  // Runs c as a job and installs it. Returns the job's stats.
  CompactionJob::Stats Run(Compaction* c, uint64_t smallest_snapshot) {
    std::atomic<bool> cancel{false};
    CompactionJob job(
        dir_.path(), options_, vset_.get(), c, smallest_snapshot,
        [this] {
          std::lock_guard<std::mutex> l(mu_);
          return vset_->NewFileNumber();
        },
        &cancel);
    Status s = job.Run();
    EXPECT_TRUE(s.ok()) << s.ToString();
    job.AddToEdit();
    s = Apply(c->edit());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return job.stats();
  }

  // Every entry of the current version: "key@seq=value" or "key@seq DEL".
  std::string Dump() {
    std::vector<std::unique_ptr<Iterator>> iters;
    vset_->current()->AddIterators(ReadOptions(), &iters);
    std::string out;
    for (auto& it : iters) {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ParsedInternalKey p;
        EXPECT_TRUE(ParseInternalKey(it->key(), &p));
        out += std::string(p.user_key) + "@" + std::to_string(p.sequence) +
               (p.kind == ValueKind::kValue ? "=" + std::string(it->value()) : " DEL") + " ";
      }
      EXPECT_TRUE(it->status().ok());
    }
    return out;
  }
};

TEST_F(CompactionJobTest, DropsShadowedVersionsAndTombstonesAtTheBase) {
  Table(2, {{"a", 1, ValueKind::kValue, "a1"},
            {"b", 2, ValueKind::kValue, "b2"},
            {"c", 3, ValueKind::kValue, "c3"}});
  Table(1, {{"a", 10, ValueKind::kValue, "a10"},
            {"b", 11, ValueKind::kDeletion, ""},
            {"d", 12, ValueKind::kDeletion, ""}});
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  ASSERT_NE(c, nullptr);
  auto stats = Run(c.get(), /*smallest_snapshot=*/100);
  EXPECT_EQ(Dump(), "a@10=a10 c@3=c3 ");
  EXPECT_EQ(stats.entries.dropped_shadowed, 2u);    // a@1, b@2
  EXPECT_EQ(stats.entries.dropped_tombstones, 2u);  // b@11, d@12
}

TEST_F(CompactionJobTest, SnapshotsKeepOldVersionsAndTombstones) {
  Table(2, {{"a", 1, ValueKind::kValue, "a1"}, {"b", 2, ValueKind::kValue, "b2"}});
  Table(1, {{"a", 10, ValueKind::kValue, "a10"}, {"b", 11, ValueKind::kDeletion, ""}});
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  Run(c.get(), /*smallest_snapshot=*/5);  // a snapshot at 5 still reads a@1 and b@2
  EXPECT_EQ(Dump(), "a@10=a10 a@1=a1 b@11 DEL b@2=b2 ");
}

TEST_F(CompactionJobTest, TombstoneAboveOlderDataIsKept) {
  options_.max_bytes_for_level_base = 1;  // L1 always wants compacting
  Reset();
  Table(3, {{"k", 1, ValueKind::kValue, "old"}});
  Table(1, {{"k", 5, ValueKind::kDeletion, ""}, {"z", 6, ValueKind::kValue, "z"}});
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->start_level(), 1);
  Run(c.get(), 100);
  EXPECT_EQ(Dump(), "k@5 DEL z@6=z k@1=old ");
}

// A filtered value never lets an older version of its key reappear (docs/design.md §6.5).
TEST_F(CompactionJobTest, FilteredValuesBecomeTombstonesUnlessAtTheBase) {
  options_.compaction_filter = std::make_shared<DropPrefix>("dead:");
  options_.max_bytes_for_level_base = 1;
  Reset();
  Table(3, {{"dead:a", 1, ValueKind::kValue, "old-a"}});
  Table(3, {{"live", 2, ValueKind::kValue, "l2"}});
  Table(1, {{"dead:a", 10, ValueKind::kValue, "new-a"},
            {"dead:b", 11, ValueKind::kValue, "b"},
            {"live", 12, ValueKind::kValue, "l12"}});
  // L1 into L2: L3 still holds dead:a, so its newest value becomes a tombstone; dead:b has
  // nothing below and is dropped.
  auto c = Pick();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->start_level(), 1);
  auto stats = Run(c.get(), 100);
  EXPECT_EQ(stats.entries.filter_to_tombstone, 1u);
  EXPECT_EQ(stats.entries.filter_dropped, 1u);
  EXPECT_EQ(Dump(), "dead:a@10 DEL live@12=l12 dead:a@1=old-a live@2=l2 ");

  // A full compaction reaches the base: everything dead goes, nothing old comes back.
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  ASSERT_NE(c, nullptr);
  Run(c.get(), 100);
  EXPECT_EQ(Dump(), "live@12=l12 ");
}

class DropValue final : public CompactionFilter {
 public:
  bool ShouldDrop(std::string_view, std::string_view value) const override {
    return value == "DEAD";
  }
};

// A filtered value newer than a snapshot becomes a tombstone, and the older version the
// snapshot reads stays: the latest state never shows the old value again, the snapshot
// keeps its view.
TEST_F(CompactionJobTest, FilterUnderASnapshotNeverResurrects) {
  options_.compaction_filter = std::make_shared<DropValue>();
  Reset();
  Table(1, {{"k", 10, ValueKind::kValue, "DEAD"}, {"k", 3, ValueKind::kValue, "old"}});
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  Run(c.get(), /*smallest_snapshot=*/5);
  EXPECT_EQ(Dump(), "k@10 DEL k@3=old ");
  // Once the snapshot is gone both go.
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  Run(c.get(), /*smallest_snapshot=*/100);
  EXPECT_EQ(Dump(), "");
}

TEST_F(CompactionJobTest, OutputsAreCutAtTargetSizeBetweenUserKeys) {
  options_.target_file_size = 4096;
  Reset();
  std::vector<std::tuple<std::string, uint64_t, ValueKind, std::string>> entries;
  // 200 keys with 5 versions of 100 bytes each; S = 0 keeps every version.
  uint64_t seq = 10000;
  for (int k = 0; k < 200; k++) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%04d", k);
    for (int v = 0; v < 5; v++)
      entries.emplace_back(key, seq--, ValueKind::kValue, std::string(100, 'v'));
  }
  Table(0, entries);
  std::unique_ptr<Compaction> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = PickFullCompaction(vset_.get());
  }
  auto stats = Run(c.get(), /*smallest_snapshot=*/0);
  EXPECT_EQ(stats.entries.output_entries, 1000u);
  Version* v = vset_->current();
  const int out = c->output_level();
  ASSERT_GT(v->NumFiles(out), 10);
  // At most the target, plus the user key that crossed it (5 versions, ~600 bytes), plus the
  // index, filter and footer.
  for (const FilePtr& f : v->files(out)) {
    EXPECT_LT(f->file_size, 4096u + 1280u);
  }
  // Level invariants held (LogAndApply checks them); the data is all there.
  std::string dump = Dump();
  EXPECT_EQ(std::count(dump.begin(), dump.end(), '='), 1000);
}

}  // namespace
}  // namespace strata::store
