#include "store/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace strata::store {
namespace {

// MemTable's destructor is private (reference counted): hold it through Ref/Unref.
class MemTableTest : public ::testing::Test {
 protected:
  MemTableTest() : mem_(new MemTable()) { mem_->Ref(); }
  ~MemTableTest() override { mem_->Unref(); }
  MemTable* mem_;
};

TEST_F(MemTableTest, GetSeesNewestVisibleVersion) {
  mem_->Add(1, ValueKind::kValue, "k", "v1");
  mem_->Add(2, ValueKind::kValue, "k", "v2");
  mem_->Add(3, ValueKind::kDeletion, "k", "");
  mem_->Add(4, ValueKind::kValue, "k", "v4");
  mem_->Add(5, ValueKind::kValue, "other", "o");

  std::string v;
  EXPECT_EQ(mem_->Get(LookupKey("k", 0), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->Get(LookupKey("k", 1), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v1");
  EXPECT_EQ(mem_->Get(LookupKey("k", 2), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v2");
  EXPECT_EQ(mem_->Get(LookupKey("k", 3), &v), MemTable::GetResult::kDeleted);
  EXPECT_EQ(mem_->Get(LookupKey("k", 100), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "v4");
  EXPECT_EQ(mem_->Get(LookupKey("j", 100), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->Get(LookupKey("ka", 100), &v), MemTable::GetResult::kNotPresent);
  EXPECT_EQ(mem_->NumEntries(), 5u);
}

TEST_F(MemTableTest, LongKeysAndEmptyValues) {
  std::string big(1000, 'x');
  mem_->Add(7, ValueKind::kValue, big, "");
  mem_->Add(8, ValueKind::kValue, "", "empty-key");
  std::string v = "junk";
  EXPECT_EQ(mem_->Get(LookupKey(big, 7), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "");
  EXPECT_EQ(mem_->Get(LookupKey("", 8), &v), MemTable::GetResult::kFound);
  EXPECT_EQ(v, "empty-key");
}

TEST_F(MemTableTest, IteratorYieldsInternalKeysInOrder) {
  mem_->Add(1, ValueKind::kValue, "b", "b1");
  mem_->Add(2, ValueKind::kValue, "a", "a2");
  mem_->Add(3, ValueKind::kValue, "b", "b3");
  mem_->Add(4, ValueKind::kDeletion, "c", "");
  auto it = mem_->NewIterator();
  it->SeekToFirst();
  std::string seen;
  for (; it->Valid(); it->Next()) {
    ParsedInternalKey p;
    ASSERT_TRUE(ParseInternalKey(it->key(), &p));
    seen += std::string(p.user_key) + std::to_string(p.sequence) +
            (p.kind == ValueKind::kDeletion ? "D" : "=" + std::string(it->value())) + " ";
  }
  EXPECT_EQ(seen, "a2=a2 b3=b3 b1=b1 c4D ");

  std::string target;
  AppendInternalKey(&target, "b", 2, kSeekKind);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractTag(it->key()) >> 8, 1u);  // b@1: the newest version <= 2
  EXPECT_TRUE(it->status().ok());
}

TEST_F(MemTableTest, MemoryUsageGrows) {
  size_t before = mem_->ApproximateMemoryUsage();
  for (int i = 0; i < 1000; i++) {
    mem_->Add(i + 1, ValueKind::kValue, "key" + std::to_string(i), std::string(100, 'v'));
  }
  EXPECT_GT(mem_->ApproximateMemoryUsage(), before + 100 * 1000);
}

}  // namespace
}  // namespace strata::store

namespace strata::store {
namespace {

// The point-lookup index must answer exactly as the search of the sorted runs does: at every
// snapshot, for present, deleted and absent keys, before and after the index fills up.
TEST(MemTableIndexTest, AgreesWithRunSearchIncludingOverflowAndSnapshots) {
  MemTable* plain = new MemTable();
  MemTable* indexed = new MemTable(64 * 1024);  // 1024 slots: fills after 768 user keys
  plain->Ref();
  indexed->Ref();
  std::mt19937 rng(11);
  uint64_t seq = 0;
  auto check = [&](uint64_t at) {
    for (int k = 0; k < 2500; k += 7) {
      std::string key = "key" + std::to_string(k);
      for (uint64_t s : {at, at / 2, at / 3 + 1}) {
        std::string v1, v2;
        auto r1 = plain->Get(LookupKey(key, s), &v1);
        auto r2 = indexed->Get(LookupKey(key, s), &v2);
        ASSERT_EQ(r1, r2) << key << " at " << s;
        if (r1 == MemTable::GetResult::kFound) {
          ASSERT_EQ(v1, v2);
        }
      }
    }
  };
  for (int i = 0; i < 6000; i++) {
    std::string key = "key" + std::to_string(rng() % 2000);
    bool del = rng() % 5 == 0;
    std::string value = del ? "" : "v" + std::to_string(i);
    ++seq;
    plain->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
    indexed->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
    if (i % 1000 == 999) check(seq);
  }
  check(seq);
  plain->Unref();
  indexed->Unref();
}

// The runs (memtable.h) against a model: entries spread over many batches, merges and run
// sizes, with keys below, inside and above the heads' prefix (all three head classes), must
// come out of iterators in internal key order, each exactly once, and Seek and Get (with and
// without the index) must agree with the model at every snapshot.
struct ModelKey {
  std::string user_key;
  uint64_t seq;
  bool operator<(const ModelKey& o) const {
    return user_key != o.user_key ? user_key < o.user_key : seq > o.seq;  // newest first
  }
};
using Model = std::map<ModelKey, std::pair<ValueKind, std::string>>;

std::string Describe(std::string_view ikey, std::string_view value) {
  ParsedInternalKey p;
  if (!ParseInternalKey(ikey, &p)) return "<bad key>";
  return std::string(p.user_key) + "@" + std::to_string(p.sequence) +
         (p.kind == ValueKind::kDeletion ? "D" : "=" + std::string(value));
}

void CheckAgainstModel(MemTable* mem, const Model& model, uint64_t last_seq, std::mt19937* rng) {
  std::vector<std::string> want;
  for (const auto& [k, v] : model) {
    AppendInternalKey(&want.emplace_back(), k.user_key, k.seq, v.first);
    want.back() = Describe(want.back(), v.second);
  }
  auto it = mem->NewIterator();
  std::vector<std::string> got;
  for (it->SeekToFirst(); it->Valid(); it->Next()) got.push_back(Describe(it->key(), it->value()));
  ASSERT_EQ(got, want);

  std::vector<ModelKey> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  for (int i = 0; i < 200 && !keys.empty(); i++) {
    const ModelKey& pick = keys[(*rng)() % keys.size()];
    // Targets: an existing user key (at a random snapshot), or a neighbour that may be absent.
    std::string user_key = pick.user_key;
    if (i % 3 == 1) user_key += "\x01";
    if (i % 3 == 2 && !user_key.empty()) user_key.pop_back();
    const uint64_t at = 1 + (*rng)() % last_seq;
    std::string target;
    AppendInternalKey(&target, user_key, at, kSeekKind);
    it->Seek(target);
    auto m = model.lower_bound(ModelKey{user_key, at});
    if (m == model.end()) {
      ASSERT_FALSE(it->Valid()) << user_key << "@" << at;
    } else {
      ASSERT_TRUE(it->Valid()) << user_key << "@" << at;
      std::string expect;
      AppendInternalKey(&expect, m->first.user_key, m->first.seq, m->second.first);
      ASSERT_EQ(Describe(it->key(), it->value()), Describe(expect, m->second.second));
    }
    std::string value;
    const MemTable::GetResult r = mem->Get(LookupKey(user_key, at), &value);
    if (m == model.end() || m->first.user_key != user_key) {
      ASSERT_EQ(r, MemTable::GetResult::kNotPresent) << user_key << "@" << at;
    } else if (m->second.first == ValueKind::kDeletion) {
      ASSERT_EQ(r, MemTable::GetResult::kDeleted) << user_key << "@" << at;
    } else {
      ASSERT_EQ(r, MemTable::GetResult::kFound) << user_key << "@" << at;
      ASSERT_EQ(value, m->second.second);
    }
  }
}

TEST(MemTableRunsTest, IteratorsSeekAndGetMatchModelAcrossMergesAndShrinkingPrefix) {
  for (size_t hint : {size_t{0}, size_t{1} << 20}) {
    MemTable* mem = new MemTable(hint);
    mem->Ref();
    Model model;
    std::mt19937 rng(static_cast<uint32_t>(7 + hint));
    uint64_t seq = 0;
    // Phase 1: every key starts with "user:0000" (the heads' prefix comes from these), phase 2
    // adds keys sharing only "user:" (mostly above the prefix), phase 3 keys below it.
    const char* prefixes[] = {"user:0000", "user:", ""};
    for (int phase = 0; phase < 3; phase++) {
      for (int i = 0; i < 7000; i++) {
        std::string key = prefixes[phase] + std::to_string(rng() % 3000);
        if (phase == 2 && i % 2 == 0) key = "user:0000" + std::to_string(rng() % 3000);
        if (i % 97 == 0) key += std::string(20, 'x');  // some keys longer than a head
        const bool del = rng() % 6 == 0;
        std::string value = del ? "" : "v" + std::to_string(seq + 1);
        ++seq;
        mem->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
        model[ModelKey{key, seq}] = {del ? ValueKind::kDeletion : ValueKind::kValue, value};
        if (i % 2500 == 1234) CheckAgainstModel(mem, model, seq, &rng);
      }
      CheckAgainstModel(mem, model, seq, &rng);
    }
    EXPECT_EQ(mem->NumEntries(), seq);
    mem->Unref();
  }
}

// Past kInlineMergeRun entries runs merge a step per seal (up to 64k-entry runs): iterators
// and Gets taken while such merges are half done must still see every entry in order, and
// the merges must keep up, so the run count stays logarithmic.
TEST(MemTableRunsTest, BigMergesSpreadOverSealsKeepOrderAndKeepUp) {
  for (size_t hint : {size_t{0}, size_t{64} << 20}) {
    MemTable* mem = new MemTable(hint);
    mem->Ref();
    Model model;
    std::mt19937 rng(11);
    uint64_t seq = 0;
    size_t most_runs = 0;
    for (int i = 0; i < 200000; i++) {
      const std::string key = "user:" + std::to_string(rng() % 100000);
      const bool del = rng() % 8 == 0;
      const std::string value = del ? "" : "v" + std::to_string(seq + 1);
      ++seq;
      mem->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
      model[ModelKey{key, seq}] = {del ? ValueKind::kDeletion : ValueKind::kValue, value};
      most_runs = std::max(most_runs, mem->NumRuns());
      if (i % 70001 == 70000) CheckAgainstModel(mem, model, seq, &rng);
    }
    CheckAgainstModel(mem, model, seq, &rng);
    // 200k entries: 3 runs of 64k, then about one run per power of two from 32k down to 256
    // (a binary counter), plus a run or two a big merge has not yet absorbed (11 seen). With
    // no big merges they would be 48 runs of 4k.
    EXPECT_LE(most_runs, 20u);
    mem->Unref();
  }
}

// Keys whose bytes after the shared prefix are equal as far as a head reaches, keys that are
// prefixes of each other or end in zero bytes, and many versions of each spread over runs:
// heads tie or compare by padding and length, and the order must still be the internal key
// order (versions of a key newest first).
TEST(MemTableRunsTest, HeadTiesAndZeroBytesKeepFullKeyOrder) {
  MemTable* mem = new MemTable(1 << 20);
  mem->Ref();
  Model model;
  std::mt19937 rng(5);
  uint64_t seq = 0;
  const std::string zero(1, '\0');
  std::vector<std::string> keys = {"p", "p" + zero, "p" + zero + zero, "pa", "pa" + zero};
  for (int i = 0; i < 300; i++) keys.push_back("p" + std::string(12, 'k') + std::to_string(i));
  // Keys longer than a head past the prefix, equal in the head's bytes: KeyLess decides.
  for (int i = 0; i < 40; i++) {
    keys.push_back("p" + std::string(12, 'k') + "longlonglonglonglong" + std::to_string(i % 7));
  }
  for (int round = 0; round < 4000; round++) {
    const std::string& key = keys[rng() % keys.size()];
    ++seq;
    mem->Add(seq, ValueKind::kValue, key, std::to_string(seq));
    model[ModelKey{key, seq}] = {ValueKind::kValue, std::to_string(seq)};
  }
  CheckAgainstModel(mem, model, seq, &rng);
  mem->Unref();
}

// An idle memtable's runs merged into one (MergeRuns): iterators and Gets taken afterwards use
// it and see the same entries in the same order; the next Add makes snapshots go back to the
// runs (with the new entry), a seal drops the merged run, and an iterator taken before the
// merge keeps its own runs.
TEST(MemTableRunsTest, MergedRunServesSnapshotsUntilTheNextWrite) {
  for (size_t hint : {size_t{0}, size_t{1} << 20}) {
    MemTable* mem = new MemTable(hint);
    mem->Ref();
    Model model;
    std::mt19937 rng(static_cast<uint32_t>(13 + hint));
    uint64_t seq = 0;
    auto add = [&](const std::string& key, bool del) {
      const std::string value = del ? "" : "v" + std::to_string(seq + 1);
      ++seq;
      mem->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, key, value);
      model[ModelKey{key, seq}] = {del ? ValueKind::kDeletion : ValueKind::kValue, value};
    };
    auto random_key = [&](int i) {
      std::string key = "user:" + std::to_string(rng() % 2000);
      if (i % 97 == 0) key += std::string(20, 'x');  // longer than a head
      return key;
    };
    for (int i = 0; i < 5000; i++) add(random_key(i), rng() % 6 == 0);
    // 19 seals: runs of 4096, 512 and 256 entries, and 136 pending.
    ASSERT_EQ(mem->NumSnapshotRuns(), 4u);
    auto before = mem->NewIterator();

    ASSERT_TRUE(mem->MergeRuns());
    EXPECT_EQ(mem->NumSnapshotRuns(), 1u);
    EXPECT_FALSE(mem->MergeRuns());  // the merged run is current: nothing to do
    CheckAgainstModel(mem, model, seq, &rng);
    size_t n = 0;
    for (before->SeekToFirst(); before->Valid(); before->Next()) n++;
    EXPECT_EQ(n, model.size());
    before.reset();

    add("user:new", false);  // pending grows: the merged run no longer holds everything
    EXPECT_EQ(mem->NumSnapshotRuns(), 4u);
    CheckAgainstModel(mem, model, seq, &rng);
    ASSERT_TRUE(mem->MergeRuns());
    EXPECT_EQ(mem->NumSnapshotRuns(), 1u);
    CheckAgainstModel(mem, model, seq, &rng);

    for (int i = 0; i < 300; i++) add(random_key(i), rng() % 6 == 0);  // past a seal
    EXPECT_GT(mem->NumSnapshotRuns(), 1u);
    CheckAgainstModel(mem, model, seq, &rng);
    mem->Unref();
  }
}

// One writer adds entries while readers take iterators: each iterator must hold every entry
// added before it was created, in strictly increasing order, with no duplicates (an entry
// sealed into a run while the snapshot is taken must not show up twice or vanish). Run it
// under TSan too after changing the memtable (no make target: build this file, memtable.cc,
// arena.cc, dbformat.cc and src/util/*.cc with -fsanitize=thread and gtest_main).
TEST(MemTableRunsTest, ConcurrentReadersSeeEveryEarlierEntryOnce) {
  MemTable* mem = new MemTable(8 << 20);
  mem->Ref();
  constexpr uint64_t kEntries = 60000;
  constexpr uint64_t kPauseEvery = 10000;
  std::atomic<uint64_t> added{0};
  std::atomic<bool> failed{false};
  // A third thread merges the runs as an idle DB's flush thread would (MergeRuns). A merge
  // lands only if no Add comes while it runs, so every kPauseEvery entries the writer waits
  // (up to 5 s) for one to land: the readers then iterate merged runs while the writer goes on.
  std::atomic<uint64_t> merges{0};
  std::thread writer([&] {
    std::mt19937 rng(3);
    for (uint64_t seq = 1; seq <= kEntries; seq++) {
      mem->Add(seq, ValueKind::kValue, "k" + std::to_string(rng() % 20000), "v");
      added.store(seq, std::memory_order_release);
      if (seq % kPauseEvery == 0 && seq < kEntries) {
        const uint64_t landed = merges.load();
        for (int i = 0; i < 5000 && merges.load() == landed && !failed.load(); i++) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    }
  });
  auto reader = [&] {
    const Comparator* cmp = InternalKeyComparator();
    while (!failed.load() && added.load(std::memory_order_acquire) < kEntries) {
      const uint64_t before = added.load(std::memory_order_acquire);
      auto it = mem->NewIterator();
      std::vector<bool> seen(kEntries + 1, false);
      std::string prev;
      uint64_t count = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const uint64_t seq = ExtractTag(it->key()) >> 8;
        if ((!prev.empty() && cmp->Compare(prev, it->key()) >= 0) || seq > kEntries || seen[seq]) {
          failed.store(true);
          ADD_FAILURE() << "out of order or duplicate at seq " << seq;
          return;
        }
        seen[seq] = true;
        prev.assign(it->key());
        count++;
      }
      for (uint64_t s = 1; s <= before; s++) {
        if (!seen[s]) {
          failed.store(true);
          ADD_FAILURE() << "entry " << s << " added before the iterator is missing";
          return;
        }
      }
      EXPECT_GE(count, before);
    }
  };
  std::thread merger([&] {
    while (!failed.load() && added.load(std::memory_order_acquire) < kEntries) {
      if (mem->MergeRuns()) merges.fetch_add(1);
    }
  });
  std::thread r1(reader), r2(reader);
  writer.join();
  merger.join();
  r1.join();
  r2.join();
  EXPECT_GE(merges.load(), kEntries / kPauseEvery - 1);
  // With the writer done: every entry, including the unsorted newest ones, then the same
  // through a run merged from them.
  auto it = mem->NewIterator();
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) count++;
  EXPECT_EQ(count, kEntries);
  mem->MergeRuns();  // false if the merger already merged this final state
  EXPECT_EQ(mem->NumSnapshotRuns(), 1u);
  it = mem->NewIterator();
  count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) count++;
  EXPECT_EQ(count, kEntries);
  it.reset();
  mem->Unref();
}

}  // namespace
}  // namespace strata::store
