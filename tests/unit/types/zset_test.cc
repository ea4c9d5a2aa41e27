#include "types/zset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace strata::types {
namespace {

class ZSetTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_zset_" + std::to_string(getpid()) + "_" +
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
  // The sorted set at key as a command would open it.
  ZSet Open(std::string_view key) {
    Status s;
    found_ = ks_->Get(0, key, &meta_, &s, 0);
    EXPECT_TRUE(s.ok());
    if (found_) {
      EXPECT_EQ(meta_.type, ValueType::kZSet);
    }
    return ZSet(ks_.get(), 0, key, found_ ? &meta_ : nullptr);
  }
  // The members in score order, as "member=score".
  static std::vector<std::pair<double, std::string>> Ordered(ZSet& z) {
    std::vector<std::pair<double, std::string>> out;
    ZSet::Iterator it = z.Members();
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      out.emplace_back(it.score(), std::string(it.member()));
    }
    EXPECT_TRUE(it.status().ok());
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<Keyspace> ks_;
  StoredValue meta_;
  bool found_ = false;
};

TEST_F(ZSetTypeTest, MembersAreOrderedByScoreThenMemberBytes) {
  ZSet z = Open("z");
  EXPECT_FALSE(z.exists());
  const double inf = std::numeric_limits<double>::infinity();
  bool added;
  ASSERT_TRUE(z.Set("b", 1, &added).ok());
  ASSERT_TRUE(z.Set("a", 1, &added).ok());
  ASSERT_TRUE(z.Set("\xff", -inf, &added).ok());
  ASSERT_TRUE(z.Set("", inf, &added).ok());
  ASSERT_TRUE(z.Set("c", -2.5, &added).ok());
  ASSERT_TRUE(z.Set("ab", 1, &added).ok());
  EXPECT_TRUE(added);
  ASSERT_TRUE(z.Set("c", 0.5, &added).ok());  // moves
  EXPECT_FALSE(added);
  EXPECT_EQ(z.size(), 6u);
  using E = std::vector<std::pair<double, std::string>>;
  EXPECT_EQ(Ordered(z), (E{{-inf, "\xff"}, {0.5, "c"}, {1, "a"}, {1, "ab"}, {1, "b"}, {inf, ""}}));
  z.Finish();
  ASSERT_TRUE(ks_->Commit().ok());

  ZSet again = Open("z");
  ASSERT_TRUE(found_);
  EXPECT_EQ(again.size(), 6u);
  double score;
  ASSERT_TRUE(again.Score("c", &score).ok());
  EXPECT_EQ(score, 0.5);
  EXPECT_TRUE(again.Score("zz", &score).IsNotFound());
  ZSet::Iterator it = again.Members();
  it.Seek(1.0);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.member(), "a");
  it.Seek(1.0, "aa");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.member(), "ab");
}

TEST_F(ZSetTypeTest, NegativeZeroIsStoredAsZeroSoTiesBreakByMember) {
  ZSet z = Open("z");
  bool added;
  ASSERT_TRUE(z.Set("b", -0.0, &added).ok());
  ASSERT_TRUE(z.Set("a", 0.0, &added).ok());
  double score;
  ASSERT_TRUE(z.Score("b", &score).ok());
  EXPECT_FALSE(std::signbit(score));
  auto order = Ordered(z);
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].second, "a");
  EXPECT_EQ(order[1].second, "b");
  ZSet::Iterator it = z.Members();
  it.Seek(-0.0);  // -0 and +0 are one score
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.member(), "a");
}

TEST_F(ZSetTypeTest, TheLastRemoveDeletesTheKeyAndReplacingDropsTheOldValue) {
  ZSet z = Open("z");
  bool added, deleted;
  ASSERT_TRUE(z.Set("m", 3, &added).ok());
  z.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);

  ZSet again = Open("z");
  ASSERT_TRUE(again.Delete("m", &deleted).ok());
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(again.Delete("m", &deleted).ok());
  EXPECT_FALSE(deleted);
  again.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
  ZSet gone = Open("z");
  EXPECT_FALSE(found_);
  EXPECT_TRUE(Ordered(gone).empty());

  // A replacement of a live key starts empty and keeps none of the old members.
  ZSet first = Open("r");
  ASSERT_TRUE(first.Set("old", 1, &added).ok());
  first.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  Open("r");
  ZSet repl = ZSet::Replacing(ks_.get(), 0, "r", &meta_);
  repl.Insert("new", 2);
  repl.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  ZSet r = Open("r");
  using E = std::vector<std::pair<double, std::string>>;
  EXPECT_EQ(Ordered(r), (E{{2, "new"}}));
  // An empty replacement deletes the key.
  ZSet empty = ZSet::Replacing(ks_.get(), 0, "r", &meta_);
  empty.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 0u);
}

TEST_F(ZSetTypeTest, ReverseIterationSeeksBelowABound) {
  ZSet z = Open("z");
  const double inf = std::numeric_limits<double>::infinity();
  bool added;
  for (auto [m, s] : std::vector<std::pair<std::string, double>>{
           {"a", -inf}, {"b", -1}, {"c", 0}, {"d", 0}, {"e", 2.5}, {"f", 2.5}, {"g", inf}}) {
    ASSERT_TRUE(z.Set(m, s, &added).ok());
  }
  auto walk = [&](double max, bool ex) {
    std::string out;
    ZSet::ReverseIterator it = z.ReverseMembers();
    for (it.SeekAtOrBelow(max, ex); it.Valid(); it.Next()) out += std::string(it.member());
    EXPECT_TRUE(it.status().ok());
    return out;
  };
  EXPECT_EQ(walk(inf, false), "gfedcba");
  EXPECT_EQ(walk(inf, true), "fedcba");
  EXPECT_EQ(walk(2.5, false), "fedcba");
  EXPECT_EQ(walk(2.5, true), "dcba");
  EXPECT_EQ(walk(-0.0, false), "dcba") << "-0 is 0";
  EXPECT_EQ(walk(0, true), "ba");
  EXPECT_EQ(walk(-inf, false), "a");
  EXPECT_EQ(walk(-inf, true), "");
  ZSet empty = Open("none");
  ZSet::ReverseIterator it = empty.ReverseMembers();
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
}

// A random walk of Set/Delete over a few keys, each command's writes committed, aborted, or
// (inside a transaction with a savepoint) rolled back to the savepoint, checked against a
// model: member -> score, and the (score, member) order, which both ZSet orders must match.
TEST_F(ZSetTypeTest, RandomOperationsMatchAModelAcrossCommitAbortAndSavepoints) {
  std::mt19937 rng(20261207);
  using Model = std::map<std::string, std::map<std::string, double>>;  // key -> member -> score
  Model committed, open;
  const std::vector<std::string> keys = {"k1", "k2", std::string("k\0x", 3)};
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> scores = {-inf, -1.5, -0.0, 0.0, 1, 1, 2, 2.5, 1e300, inf};
  const std::vector<std::string> members = {"a", "b", "c", "", "ab", "\xff", std::string("b\0", 2)};
  auto member = [&] { return members[rng() % members.size()]; };
  auto check = [&](const std::map<std::string, std::map<std::string, double>>& model) {
    for (const std::string& key : keys) {
      ZSet z = Open(key);
      auto it = model.find(key);
      const size_t n = it == model.end() ? 0 : it->second.size();
      ASSERT_EQ(found_, n > 0) << key;
      ASSERT_EQ(z.size(), n);
      std::set<std::pair<double, std::string>> order;
      if (n > 0) {
        for (const auto& [m, s] : it->second) {
          double got;
          ASSERT_TRUE(z.Score(m, &got).ok());
          EXPECT_EQ(got, s);
          order.emplace(s, m);
        }
      }
      auto walked = Ordered(z);
      // The reverse walk is the forward one backwards.
      std::vector<std::pair<double, std::string>> back;
      ZSet::ReverseIterator rit = z.ReverseMembers();
      for (rit.SeekToLast(); rit.Valid(); rit.Next()) {
        back.emplace_back(rit.score(), std::string(rit.member()));
      }
      ASSERT_TRUE(rit.status().ok());
      ASSERT_EQ(back.size(), walked.size());
      EXPECT_TRUE(std::equal(back.begin(), back.end(), walked.rbegin()));
      ASSERT_EQ(walked.size(), order.size());
      size_t i = 0;
      for (const auto& e : order) {
        EXPECT_EQ(walked[i].first, e.first);
        EXPECT_EQ(walked[i].second, e.second);
        i++;
      }
    }
  };
  bool in_txn = false;
  Model at_savepoint;
  for (int step = 0; step < 3000; step++) {
    const std::string key = keys[rng() % keys.size()];
    ZSet z = Open(key);
    auto& m = open[key];
    const int ops = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < ops; i++) {
      std::string mem = member();
      if (rng() % 3 == 0) {
        bool deleted;
        ASSERT_TRUE(z.Delete(mem, &deleted).ok());
        EXPECT_EQ(deleted, m.erase(mem) == 1);
      } else {
        double s = scores[rng() % scores.size()];
        if (rng() % 4 == 0) s = static_cast<double>(rng() % 1000) / 7;
        bool added;
        ASSERT_TRUE(z.Set(mem, s, &added).ok());
        EXPECT_EQ(added, m.count(mem) == 0);
        m[mem] = s == 0 ? 0.0 : s;
      }
    }
    if (m.empty()) open.erase(key);
    z.Finish();
    switch (rng() % 6) {
      case 0:  // the command fails: back to the savepoint, or to the last commit
        ks_->Abort();
        open = in_txn ? at_savepoint : committed;
        break;
      case 1:  // start a multi-command transaction: later commands roll back to here
        ks_->SetSavePoint();
        at_savepoint = open;
        in_txn = true;
        break;
      default:
        if (!in_txn || rng() % 3 == 0) {
          ASSERT_TRUE(ks_->Commit().ok());
          ks_->ClearSavePoint();
          in_txn = false;
          committed = open;
        }
        break;
    }
    if (step % 10 == 0) check(open);
    if (::testing::Test::HasFailure()) return;
  }
  ASSERT_TRUE(ks_->Commit().ok());
  check(open);
  // And after a reopen of the store.
  ks_.reset();
  db_.reset();
  ASSERT_TRUE(store::DB::Open(store::Options(), dir_.string(), &db_).ok());
  ks_ = std::make_unique<Keyspace>(db_.get(), 2);
  ASSERT_TRUE(ks_->Load().ok());
  check(open);
}

}  // namespace
}  // namespace strata::types
