// types::List against a std::deque model: random pushes, pops, sets, inserts, erases and
// trims, committed, aborted and rolled back to savepoints at random points, with the list
// reopened from its value record as a command would open it.
#include "types/list.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace strata::types {
namespace {

using Model = std::deque<std::string>;

class ListTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_list_" + std::to_string(getpid()) + "_" +
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

  // The list at key as a command would open it: from the value record Lookup finds (the
  // open transaction's staged writes included), or a new empty list if there is none.
  std::optional<List> Open(std::string_view key, int db = 0) {
    Status s;
    state_ = ks_->Lookup(db, key, &meta_, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (state_ == KeyState::kLive) {
      EXPECT_EQ(meta_.type, ValueType::kList);
    }
    return std::optional<List>(std::in_place, ks_.get(), db, key,
                               state_ == KeyState::kLive ? &meta_ : nullptr);
  }

  // Elements(from) to the end, checking each key decodes to its position.
  static std::vector<std::string> ElementsFrom(List& l, uint64_t from) {
    std::vector<std::string> out;
    PrefixIterator it = l.Elements(from);
    uint64_t pos = from;
    for (; it.Valid(); it.Next(), pos++) {
      EXPECT_EQ(l.Position(it.key()), pos) << "element " << out.size() << " from " << from;
      out.emplace_back(it.value());
      if (out.size() > l.size() + 10) break;  // runaway: fail below rather than loop
    }
    EXPECT_TRUE(it.status().ok());
    return out;
  }

  // Full check of l against m: size, the iteration from 0 and from a random position, and
  // every element by Get.
  void Check(List& l, const Model& m, std::mt19937_64& rng, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_EQ(l.size(), m.size());
    ASSERT_EQ(ElementsFrom(l, 0), std::vector<std::string>(m.begin(), m.end()));
    if (!m.empty()) {
      const uint64_t from = rng() % (m.size() + 1);
      EXPECT_EQ(ElementsFrom(l, from), std::vector<std::string>(m.begin() + from, m.end()));
    }
    for (uint64_t i = 0; i < m.size(); i++) {
      std::string v;
      ASSERT_TRUE(l.Get(i, &v).ok()) << "Get(" << i << ")";
      ASSERT_EQ(v, m[i]) << "Get(" << i << ")";
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<Keyspace> ks_;
  StoredValue meta_;
  KeyState state_ = KeyState::kMissing;
};

// Sorted, distinct positions to erase from a list of n > 0 elements, in one of several
// shapes: a run at the head, at the tail, in the middle, scattered, or everything.
std::vector<uint64_t> ErasePositions(std::mt19937_64& rng, uint64_t n) {
  std::vector<uint64_t> pos;
  const uint64_t run = 1 + rng() % std::min<uint64_t>(n, 4);
  switch (rng() % 6) {
    case 0:  // at the head
      for (uint64_t i = 0; i < run; i++) pos.push_back(i);
      break;
    case 1:  // at the tail
      for (uint64_t i = n - run; i < n; i++) pos.push_back(i);
      break;
    case 2: {  // a run in the middle
      const uint64_t start = (n - run) / 2 + (rng() % 3) - std::min<uint64_t>((n - run) / 2, 1);
      for (uint64_t i = start; i < std::min(n, start + run); i++) pos.push_back(i);
      break;
    }
    case 3:  // one near the head and one near the tail
      pos.push_back(rng() % std::min<uint64_t>(n, 3));
      pos.push_back(n - 1 - rng() % std::min<uint64_t>(n, 3));
      break;
    case 4:  // everything
      for (uint64_t i = 0; i < n; i++) pos.push_back(i);
      break;
    default:  // scattered
      for (uint64_t i = 0; i < n; i++) {
        if (rng() % 4 == 0) pos.push_back(i);
      }
      if (pos.empty()) pos.push_back(rng() % n);
      break;
  }
  std::sort(pos.begin(), pos.end());
  pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
  return pos;
}

void ModelErase(Model& m, const std::vector<uint64_t>& pos) {
  Model out;
  size_t p = 0;
  for (uint64_t i = 0; i < m.size(); i++) {
    if (p < pos.size() && pos[p] == i) {
      p++;
    } else {
      out.push_back(m[i]);
    }
  }
  m.swap(out);
}

std::string Describe(const std::vector<uint64_t>& pos) {
  std::string s;
  for (uint64_t p : pos) s += std::to_string(p) + " ";
  return s;
}

// The randomized model test. Each step runs one operation on the open List and checks
// everything; between steps the test randomly finishes and commits, finishes and sets a
// savepoint, aborts (to the savepoint, or the whole transaction), or reopens the list from
// its value record. Several seeds, lists of a few dozen elements so ends and middles mix.
TEST_F(ListTypeTest, RandomOperationsMatchADequeModel) {
  for (uint64_t seed = 1; seed <= 12; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const std::string key = "list" + std::to_string(seed);
    Model m;          // what the open List holds
    Model staged;     // what the transaction holds as of the last Finish
    Model savepoint;  // the transaction's state at the savepoint
    Model committed;  // what the store holds
    bool has_savepoint = false;
    std::optional<List> l = Open(key);
    std::vector<std::string> log;  // what ran, printed when a check fails
    auto failed = [&] {
      if (!::testing::Test::HasFailure()) return false;
      std::string tail;
      for (size_t i = log.size() > 40 ? log.size() - 40 : 0; i < log.size(); i++) {
        tail += log[i] + "\n";
      }
      ADD_FAILURE() << "the last operations:\n" << tail;
      return true;
    };
    int next_value = 0;
    auto value = [&] { return "v" + std::to_string(seed) + "_" + std::to_string(next_value++); };

    for (int step = 0; step < 1500; step++) {
      std::string op;
      const uint64_t n = m.size();
      const int r = static_cast<int>(rng() % 100);
      // Push more while small, so the list size wanders between empty and ~60.
      const bool grow = n < 8 || (n < 60 && rng() % 2 == 0);
      if (r < 25 && grow) {
        std::string v = value();
        if (rng() % 2) {
          op = "PushFront";
          l->PushFront(v);
          m.push_front(v);
        } else {
          op = "PushBack";
          l->PushBack(v);
          m.push_back(v);
        }
      } else if (r < 35 && n > 0) {
        std::string v;
        if (rng() % 2) {
          op = "PopFront";
          ASSERT_TRUE(l->PopFront(&v).ok()) << op << " step " << step;
          EXPECT_EQ(v, m.front()) << op << " step " << step;
          m.pop_front();
        } else {
          op = "PopBack";
          ASSERT_TRUE(l->PopBack(&v).ok()) << op << " step " << step;
          EXPECT_EQ(v, m.back()) << op << " step " << step;
          m.pop_back();
        }
      } else if (r < 45 && n > 0) {
        const uint64_t i = rng() % n;
        op = "Set " + std::to_string(i);
        std::string v = value();
        l->Set(i, v);
        m[i] = v;
      } else if (r < 50 && n > 0) {
        const uint64_t i = rng() % n;
        op = "Get " + std::to_string(i);
        std::string v;
        ASSERT_TRUE(l->Get(i, &v).ok()) << op;
        EXPECT_EQ(v, m[i]) << op << " step " << step;
      } else if (r < 68) {
        // Positions 0 and size() (the ends), 1 and size()-1, and anywhere.
        uint64_t i;
        switch (rng() % 5) {
          case 0:
            i = 0;
            break;
          case 1:
            i = n;
            break;
          case 2:
            i = std::min<uint64_t>(1, n);
            break;
          case 3:
            i = n > 0 ? n - 1 : 0;
            break;
          default:
            i = rng() % (n + 1);
            break;
        }
        op = "Insert " + std::to_string(i) + " of " + std::to_string(n);
        std::string v = value();
        ASSERT_TRUE(l->Insert(i, v).ok()) << op << " step " << step;
        m.insert(m.begin() + static_cast<ptrdiff_t>(i), v);
      } else if (r < 82 && n > 0) {
        std::vector<uint64_t> pos = ErasePositions(rng, n);
        op = "Erase " + Describe(pos) + "of " + std::to_string(n);
        ASSERT_TRUE(l->Erase(pos).ok()) << op << " step " << step;
        ModelErase(m, pos);
      } else if (r < 90 && n > 0) {
        const uint64_t front = rng() % (n + 1);
        const uint64_t back = rng() % (n - front + 1);
        op = "Trim " + std::to_string(front) + " " + std::to_string(back) + " of " +
             std::to_string(n);
        l->Trim(front, back);
        m.erase(m.begin(), m.begin() + static_cast<ptrdiff_t>(front));
        m.erase(m.end() - static_cast<ptrdiff_t>(back), m.end());
      } else {
        op = "Get";  // nothing but the check
      }
      const std::string where = "step " + std::to_string(step) + " after " + op;
      log.push_back(std::to_string(step) + ": " + op + " -> size " + std::to_string(m.size()));
      Check(*l, m, rng, where);
      if (failed()) return;

      // The transaction.
      const int t = static_cast<int>(rng() % 100);
      if (t < 12) {  // a command ends: Finish and commit, then maybe reopen
        l->Finish();
        ASSERT_TRUE(ks_->Commit().ok());
        staged = committed = m;
        has_savepoint = false;
        Status s;
        StoredValue sv;
        EXPECT_EQ(ks_->Lookup(0, key, &sv, &s) == KeyState::kLive, !m.empty())
            << "an emptied list's key disappears, " << where;
        if (rng() % 2) l = Open(key);
      } else if (t < 18) {  // Finish, keep the transaction open, reopen (next command)
        l->Finish();
        staged = m;
        l = Open(key);
        EXPECT_EQ(state_ == KeyState::kLive, !m.empty()) << where;
      } else if (t < 22) {  // Finish and set a savepoint (a command in an EXEC begins)
        l->Finish();
        staged = savepoint = m;
        ks_->SetSavePoint();
        has_savepoint = true;
      } else if (t < 27) {  // Abort: back to the savepoint, or to the committed state
        ks_->Abort();
        m = has_savepoint ? savepoint : committed;
        staged = m;
        l = Open(key);
        EXPECT_EQ(state_ == KeyState::kLive, !m.empty()) << "after Abort, " << where;
      }
      if (t < 27) {
        log.push_back(std::to_string(step) + ": " +
                      (t < 12   ? "Commit"
                       : t < 18 ? "Finish, reopen"
                       : t < 22 ? "Finish, SetSavePoint"
                                : (has_savepoint ? "Abort to the savepoint" : "Abort")));
      }
      Check(*l, m, rng, where + " (transaction step " + std::to_string(t) + ")");
      if (failed()) return;
    }
    // Everything committed, the list reopened from the store matches.
    l->Finish();
    ASSERT_TRUE(ks_->Commit().ok());
    l = Open(key);
    Check(*l, m, rng, "final");
    EXPECT_EQ(state_ == KeyState::kLive, !m.empty());
    if (state_ == KeyState::kLive) {
      EXPECT_EQ(meta_.size, m.size());
      EXPECT_EQ(meta_.tail - meta_.head, m.size());
    }
  }
}

TEST_F(ListTypeTest, PushesAreReadBackWithinAndAfterTheTransaction) {
  std::mt19937_64 rng(7);
  auto l = Open("l");
  EXPECT_EQ(state_, KeyState::kMissing);
  EXPECT_EQ(l->size(), 0u);
  Check(*l, {}, rng, "new");
  l->PushBack("b");
  l->PushFront("a");
  l->PushBack("c");
  Check(*l, {"a", "b", "c"}, rng, "staged");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  EXPECT_EQ(ks_->KeyCount(0), 1u);
  l = Open("l");
  ASSERT_EQ(state_, KeyState::kLive);
  EXPECT_EQ(meta_.type, ValueType::kList);
  EXPECT_EQ(meta_.size, 3u);
  EXPECT_EQ(meta_.head, List::kStartIndex - 1) << "a new list starts at 2^63";
  EXPECT_EQ(meta_.tail, List::kStartIndex + 2);
  Check(*l, {"a", "b", "c"}, rng, "committed");
  // Other keys and databases are untouched.
  auto other = Open("l", 1);
  EXPECT_EQ(state_, KeyState::kMissing);
  EXPECT_EQ(other->size(), 0u);
  EXPECT_TRUE(ElementsFrom(*other, 0).empty());
}

TEST_F(ListTypeTest, AnEmptiedListDisappears) {
  std::mt19937_64 rng(8);
  for (int how = 0; how < 4; how++) {
    SCOPED_TRACE("how " + std::to_string(how));
    auto l = Open("l");
    for (int i = 0; i < 5; i++) l->PushBack("e" + std::to_string(i));
    l->Finish();
    ASSERT_TRUE(ks_->Commit().ok());
    EXPECT_EQ(ks_->KeyCount(0), 1u);
    l = Open("l");
    std::string v;
    switch (how) {
      case 0:
        for (int i = 0; i < 5; i++) ASSERT_TRUE(l->PopFront(&v).ok());
        break;
      case 1:
        for (int i = 0; i < 5; i++) ASSERT_TRUE(l->PopBack(&v).ok());
        break;
      case 2:
        l->Trim(2, 3);
        break;
      default:
        ASSERT_TRUE(l->Erase({0, 1, 2, 3, 4}).ok());
        break;
    }
    EXPECT_EQ(l->size(), 0u);
    l->Finish();
    // Within the transaction the key is already gone.
    Status s;
    StoredValue sv;
    EXPECT_EQ(ks_->Lookup(0, "l", &sv, &s), KeyState::kMissing);
    ASSERT_TRUE(ks_->Commit().ok());
    EXPECT_EQ(ks_->KeyCount(0), 0u);
    l = Open("l");
    EXPECT_EQ(state_, KeyState::kMissing);
    Check(*l, {}, rng, "emptied");
  }
}

TEST_F(ListTypeTest, FinishWithoutChangesStagesNothing) {
  auto l = Open("l");
  l->Finish();
  EXPECT_FALSE(ks_->HasStaged());
  l->PushBack("x");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  std::string v;
  ASSERT_TRUE(l->Get(0, &v).ok());
  l->Trim(0, 0);
  l->Finish();
  EXPECT_FALSE(ks_->HasStaged()) << "reads and an empty trim change nothing";
}

TEST_F(ListTypeTest, AbortDropsEverythingSinceTheCommitOrTheSavepoint) {
  std::mt19937_64 rng(9);
  auto l = Open("l");
  l->PushBack("a");
  l->PushBack("b");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());

  // Abort without a savepoint: back to the committed list.
  l = Open("l");
  l->PushFront("x");
  ASSERT_TRUE(l->Insert(1, "y").ok());
  l->Set(2, "B");
  l->Finish();
  ks_->Abort();
  l = Open("l");
  Check(*l, {"a", "b"}, rng, "aborted");

  // A savepoint after one command; the next one's writes are taken back, the first's kept.
  l->PushBack("c");
  l->Finish();
  ks_->SetSavePoint();
  l = Open("l");
  ASSERT_TRUE(l->Erase({0, 2}).ok());
  l->PushFront("z");
  l->Finish();
  l = Open("l");
  Check(*l, {"z", "b"}, rng, "before abort");
  ks_->Abort();
  l = Open("l");
  Check(*l, {"a", "b", "c"}, rng, "rolled back to the savepoint");
  // A command that emptied the list, rolled back: the key is back.
  ks_->SetSavePoint();
  l->Trim(3, 0);
  l->Finish();
  Status s;
  StoredValue sv;
  EXPECT_EQ(ks_->Lookup(0, "l", &sv, &s), KeyState::kMissing);
  ks_->Abort();
  l = Open("l");
  EXPECT_EQ(state_, KeyState::kLive);
  Check(*l, {"a", "b", "c"}, rng, "emptying rolled back");
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  Check(*l, {"a", "b", "c"}, rng, "committed");
  EXPECT_EQ(ks_->KeyCount(0), 1u);
}

// A command that staged many writes (more than the keyspace scans without an index) and was
// rolled back to the savepoint before it: the writes after the rollback must still be seen
// by reads in the same transaction (an EXEC's next command).
TEST_F(ListTypeTest, WritesAfterALongCommandIsRolledBackAreReadBack) {
  std::mt19937_64 rng(12);
  auto l = Open("l");
  l->PushBack("a");
  l->Finish();
  ks_->SetSavePoint();
  l = Open("l");
  for (int i = 0; i < 40; i++) l->PushBack("x" + std::to_string(i));
  l->Finish();
  ks_->Abort();
  l = Open("l");
  Check(*l, {"a"}, rng, "rolled back");
  l->PushBack("b");
  l->PushFront("z");
  Check(*l, {"z", "a", "b"}, rng, "pushed after the rollback");
  l->Finish();
  l = Open("l");
  Check(*l, {"z", "a", "b"}, rng, "reopened after the rollback");
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  Check(*l, {"z", "a", "b"}, rng, "committed");
}

TEST_F(ListTypeTest, ANewListUnderAnOverwrittenKeyNeverSeesTheOldElements) {
  std::mt19937_64 rng(10);
  auto l = Open("l");
  for (int i = 0; i < 10; i++) l->PushBack("old" + std::to_string(i));
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  const uint64_t old_version = meta_.version;

  // DEL, then a new list in the same transaction.
  ks_->StageDelete(0, "l", KeyState::kLive, -1);
  l = Open("l");
  EXPECT_EQ(state_, KeyState::kMissing);
  Check(*l, {}, rng, "deleted");
  l->PushBack("new");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  EXPECT_NE(meta_.version, old_version);
  Check(*l, {"new"}, rng, "new list");
  // Its first index is the old list's too: only the version tells them apart.
  EXPECT_EQ(meta_.tail, List::kStartIndex + 1);

  // A string over the list, then a list again.
  StoredValue str;
  str.payload = "s";
  ks_->StagePut(0, "l", str, KeyState::kLive, -1);
  ASSERT_TRUE(ks_->Commit().ok());
  Status s;
  StoredValue sv;
  ASSERT_EQ(ks_->Lookup(0, "l", &sv, &s), KeyState::kLive);
  EXPECT_EQ(sv.type, ValueType::kString);
  ks_->StageDelete(0, "l", KeyState::kLive, -1);
  List fresh(ks_.get(), 0, "l", nullptr);
  fresh.PushFront("x");
  fresh.PushFront("w");
  fresh.Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  Check(*l, {"w", "x"}, rng, "after a string");
  EXPECT_EQ(ks_->KeyCount(0), 1u);
}

TEST_F(ListTypeTest, InsertAndEraseShiftTheShorterSide) {
  std::mt19937_64 rng(11);
  auto l = Open("l");
  Model m;
  for (int i = 0; i < 20; i++) {
    l->PushBack(std::to_string(i));
    m.push_back(std::to_string(i));
  }
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  const uint64_t head = meta_.head, tail = meta_.tail;
  // Near the head: the head moves, the tail stays.
  ASSERT_TRUE(l->Insert(2, "h").ok());
  m.insert(m.begin() + 2, "h");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  EXPECT_EQ(meta_.head, head - 1);
  EXPECT_EQ(meta_.tail, tail);
  Check(*l, m, rng, "insert near head");
  // Near the tail: the tail moves.
  ASSERT_TRUE(l->Insert(19, "t").ok());
  m.insert(m.begin() + 19, "t");
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  EXPECT_EQ(meta_.head, head - 1);
  EXPECT_EQ(meta_.tail, tail + 1);
  Check(*l, m, rng, "insert near tail");
  // Erase near the head and near the tail.
  ASSERT_TRUE(l->Erase({1, 3}).ok());
  ModelErase(m, {1, 3});
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  EXPECT_EQ(meta_.head, head + 1);
  EXPECT_EQ(meta_.tail, tail + 1);
  Check(*l, m, rng, "erase near head");
  ASSERT_TRUE(l->Erase({m.size() - 3, m.size() - 1}).ok());
  ModelErase(m, {m.size() - 3, m.size() - 1});
  l->Finish();
  ASSERT_TRUE(ks_->Commit().ok());
  l = Open("l");
  EXPECT_EQ(meta_.head, head + 1);
  EXPECT_EQ(meta_.tail, tail - 1);
  Check(*l, m, rng, "erase near tail");
  EXPECT_EQ(meta_.size, m.size());
}

}  // namespace
}  // namespace strata::types
