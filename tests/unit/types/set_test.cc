#include "types/set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "types/random_pick.h"
#include "types/set_algebra.h"

namespace strata::types {
namespace {

class SetTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_set_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(store::DB::Open(store::Options(), dir_.string(), &db_).ok());
    ks_ = std::make_unique<Keyspace>(db_.get(), 2);
    ASSERT_TRUE(ks_->Load().ok());
  }
  void TearDown() override {
    ks_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // The set at key as a command would open it (found_ and meta_ describe the record).
  Set Open(std::string_view key) {
    Status s;
    found_ = ks_->Get(0, key, &meta_, &s, 0);
    EXPECT_TRUE(s.ok());
    if (found_) {
      EXPECT_EQ(meta_.type, ValueType::kSet);
    }
    return Set(ks_.get(), 0, key, found_ ? &meta_ : nullptr);
  }
  static std::vector<std::string> Members(Set& set) {
    std::vector<std::string> out;
    PrefixIterator it = set.Members();
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      EXPECT_TRUE(it.value().empty());
      out.emplace_back(it.key());
    }
    EXPECT_TRUE(it.status().ok());
    return out;
  }
  void Fill(std::string_view key, const std::vector<std::string>& members) {
    Set s = Open(key);
    for (const auto& m : members) {
      bool added;
      ASSERT_TRUE(s.Add(m, &added).ok());
    }
    s.Finish();
    ASSERT_TRUE(ks_->Commit().ok());
  }
  // Checks the stored set at key against the model (committed or staged state alike).
  void Expect(std::string_view key, const std::set<std::string>& model) {
    Set s = Open(key);
    EXPECT_EQ(found_, !model.empty());
    EXPECT_EQ(s.size(), model.size());
    EXPECT_EQ(Members(s), std::vector<std::string>(model.begin(), model.end()));
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<Keyspace> ks_;
  StoredValue meta_;
  bool found_ = false;
};

std::string RandomMember(std::mt19937_64& rng) {
  static const std::vector<std::string> kPool = {"a", "b",  "ab", "",
                                                 "1", "10", "2",  std::string("\0x", 2)};
  if (rng() % 4 != 0) return kPool[rng() % kPool.size()];
  std::string m;
  for (size_t n = rng() % 6; n > 0; n--) m.push_back(static_cast<char>(rng() % 256));
  return m;
}

// Random adds and removes, with commits, aborts and savepoints, against std::set.
TEST_F(SetTypeTest, RandomOperationsMatchAModelAcrossCommitAbortAndSavepoints) {
  std::mt19937_64 rng(42);
  std::set<std::string> committed, staged;  // the model: durable, and with staged writes
  std::set<std::string> at_savepoint;
  bool savepoint = false;
  for (int round = 0; round < 300; round++) {
    {
      Set s = Open("k");
      const int ops = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < ops; i++) {
        const std::string m = RandomMember(rng);
        if (rng() % 3 != 0) {
          bool added;
          ASSERT_TRUE(s.Add(m, &added).ok());
          EXPECT_EQ(added, staged.insert(m).second) << "round " << round;
        } else {
          bool removed;
          ASSERT_TRUE(s.Remove(m, &removed).ok());
          EXPECT_EQ(removed, staged.erase(m) == 1) << "round " << round;
        }
        bool found;
        ASSERT_TRUE(s.Contains(m, &found).ok());
        EXPECT_EQ(found, staged.count(m) == 1);
        EXPECT_EQ(s.size(), staged.size());
      }
      s.Finish();
    }
    Expect("k", staged);  // reads see the staged writes
    switch (rng() % 5) {
      case 0:
      case 1:
        ASSERT_TRUE(ks_->Commit().ok());
        committed = staged;
        savepoint = false;
        break;
      case 2:
        ks_->Abort();  // back to the savepoint, or to the last commit
        staged = savepoint ? at_savepoint : committed;
        break;
      case 3:
        ks_->SetSavePoint();
        at_savepoint = staged;
        savepoint = true;
        break;
      default:
        break;  // keep staging
    }
    Expect("k", staged);
    EXPECT_EQ(ks_->KeyCount(0), staged.empty() ? 0u : 1u);  // the transaction's own view
  }
  ASSERT_TRUE(ks_->Commit().ok());
  Expect("k", staged);
}

TEST_F(SetTypeTest, TheLastRemoveDeletesTheKeyAndClearIsOneRecordWrite) {
  Fill("s", {"a", "b"});
  {
    Set s = Open("s");
    bool removed;
    ASSERT_TRUE(s.Remove("a", &removed).ok());
    ASSERT_TRUE(s.Remove("b", &removed).ok());
    s.Finish();
    ASSERT_TRUE(ks_->Commit().ok());
  }
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  Expect("s", {});

  Fill("s", {"x", "y", "z"});
  {
    Set s = Open("s");
    s.Clear();
    bool added;
    ASSERT_TRUE(s.Add("new", &added).ok());  // a new generation: the old members are gone
    EXPECT_TRUE(added);
    s.Finish();
    ASSERT_TRUE(ks_->Commit().ok());
  }
  Expect("s", {"new"});
  {
    Set s = Open("s");
    s.Clear();
    s.Finish();
    ASSERT_TRUE(ks_->Commit().ok());
  }
  Expect("s", {});
  EXPECT_EQ(ks_->KeyCount(0), 0u);
}

TEST_F(SetTypeTest, ReplacingOverwritesAnyTypeAndDropsItsTtl) {
  StoredValue str;
  str.payload = "v";
  str.expire_ms = 4102444800000;
  ks_->StagePut(0, "d", str, KeyState::kMissing, -1);
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->ExpiresCount(0), 1u);
  Status st;
  StoredValue old;
  ASSERT_TRUE(ks_->Get(0, "d", &old, &st, 0));
  {
    Set dst = Set::Replacing(ks_.get(), 0, "d", &old);
    dst.AddAbsent("m1");
    dst.AddAbsent("m2");
    dst.Finish();
    ASSERT_TRUE(ks_->Commit().ok());
  }
  Expect("d", {"m1", "m2"});
  EXPECT_EQ(meta_.expire_ms, -1);
  EXPECT_EQ(ks_->ExpiresCount(0), 0u);
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  // An empty result deletes the destination; on a missing key it writes nothing.
  ASSERT_TRUE(ks_->Get(0, "d", &old, &st, 0));
  Set::Replacing(ks_.get(), 0, "d", &old).Finish();
  Set::Replacing(ks_.get(), 0, "missing", nullptr).Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  Expect("d", {});
}

// Intersect, Union and Difference against std::set_* on random inputs.
TEST_F(SetTypeTest, SetAlgebraMatchesTheStandardAlgorithms) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; round++) {
    const int n = 1 + static_cast<int>(rng() % 4);
    std::vector<std::set<std::string>> models(n);
    for (int i = 0; i < n; i++) {
      const int size = static_cast<int>(rng() % 30);
      for (int j = 0; j < size; j++) models[i].insert(std::to_string(rng() % 40));
      const std::string key = "r" + std::to_string(round) + "_" + std::to_string(i);
      Fill(key, std::vector<std::string>(models[i].begin(), models[i].end()));
    }
    std::vector<Set> sets;
    for (int i = 0; i < n; i++)
      sets.push_back(Open("r" + std::to_string(round) + "_" + std::to_string(i)));
    auto run = [&](auto fn) {
      std::vector<PrefixIterator> its;
      for (auto& s : sets) its.push_back(s.Members());
      std::vector<PrefixIterator*> ptrs;
      for (auto& it : its) ptrs.push_back(&it);
      std::vector<std::string> out;
      EXPECT_TRUE(fn(ptrs, [&](std::string_view m) {
                    out.emplace_back(m);
                    return true;
                  }).ok());
      return out;
    };
    std::set<std::string> inter = models[0], uni, diff = models[0];
    for (int i = 1; i < n; i++) {
      std::set<std::string> tmp;
      std::set_intersection(inter.begin(), inter.end(), models[i].begin(), models[i].end(),
                            std::inserter(tmp, tmp.end()));
      inter = tmp;
      for (const auto& m : models[i]) diff.erase(m);
    }
    for (const auto& m : models) uni.insert(m.begin(), m.end());
    auto as_vec = [](const std::set<std::string>& s) {
      return std::vector<std::string>(s.begin(), s.end());
    };
    EXPECT_EQ(run(Intersect), as_vec(inter)) << "round " << round;
    EXPECT_EQ(run(Union), as_vec(uni)) << "round " << round;
    EXPECT_EQ(run(Difference), as_vec(diff)) << "round " << round;
  }
}

// Distinct picks are distinct members; picks with repeats are members; every member of a
// small set is reachable; a large set (the seek-based path) spreads picks over members with
// a long common prefix.
TEST_F(SetTypeTest, RandomPicksAreMembersAndSpreadOut) {
  std::mt19937_64 rng(3);
  std::vector<std::string> small = {"a", "b", "c", "d", "e"};
  Fill("small", small);
  std::vector<std::string> large;
  for (int i = 0; i < 3000; i++) large.push_back("user:" + std::to_string(100000 + i * 7));
  Fill("large", large);
  for (const char* key : {"small", "large"}) {
    Set s = Open(key);
    const std::vector<std::string> all = Members(s);
    const std::set<std::string> members(all.begin(), all.end());
    PrefixIterator it = s.Members();
    RandomPicker picker(&it, s.size(), &rng);
    std::vector<RandomPicker::Element> picked;
    for (uint64_t count :
         {uint64_t{1}, uint64_t{3}, uint64_t{100}, uint64_t{2000}, s.size(), s.size() + 5}) {
      ASSERT_TRUE(picker.PickDistinct(count, &picked).ok());
      EXPECT_EQ(picked.size(), std::min<uint64_t>(count, s.size()));
      std::set<std::string> seen;
      for (const auto& [m, v] : picked) {
        EXPECT_TRUE(members.count(m)) << m;
        EXPECT_TRUE(seen.insert(m).second) << "repeated " << m;
      }
    }
    std::map<std::string, int> hits;
    for (int round = 0; round < 20; round++) {
      ASSERT_TRUE(picker.PickWithRepeats(500, &picked).ok());
      ASSERT_EQ(picked.size(), 500u);
      for (const auto& [m, v] : picked) {
        EXPECT_TRUE(members.count(m)) << m;
        hits[m]++;
      }
    }
    if (s.size() == small.size()) {
      EXPECT_EQ(hits.size(), small.size());  // 10000 uniform picks reach all 5
    } else {
      // Not uniform, but far from always the first member: most picks hit distinct members.
      EXPECT_GT(hits.size(), 2000u);
    }
  }
}

}  // namespace
}  // namespace strata::types
