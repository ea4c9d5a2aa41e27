// Sorted-set argument parsing (zset_range.h) against what Redis 7.0 accepts, and the lex walk's
// listpack rules (zset_select.h) on members of mixed scores.
#include "commands/zset_range.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "commands/zset_select.h"
#include "store/db.h"
#include "types/keyspace.h"
#include "types/zset.h"

namespace strata::commands {
namespace {

using namespace std::string_literals;

TEST(ZSetScoreParse, AcceptsWhatRedisString2dAccepts) {
  double d;
  EXPECT_TRUE(ParseScore("1.5", &d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(ParseScore("inf", &d));
  EXPECT_TRUE(std::isinf(d) && d > 0);
  EXPECT_TRUE(ParseScore("-inf", &d));
  EXPECT_TRUE(ParseScore("+inf", &d));
  EXPECT_TRUE(ParseScore("0x10", &d));
  EXPECT_EQ(d, 16);
  EXPECT_TRUE(ParseScore("4.9e-324", &d));  // denormal: accepted
  EXPECT_TRUE(ParseScore("-0", &d));
  EXPECT_TRUE(std::signbit(d));
  for (const std::string& bad : {""s, " 1"s, "1 "s, "nan"s, "-nan"s, "1e400"s, "-1e400"s, "1e-400"s,
                                 "abc"s, "1\0"s, "(1"s}) {
    EXPECT_FALSE(ParseScore(bad, &d)) << bad;
  }
}

TEST(ZSetScoreParse, RangesAreStrtodOfTheCString) {
  ScoreRange r;
  ASSERT_TRUE(ParseScoreRange("(1.5", "+inf", &r));
  EXPECT_TRUE(r.minex);
  EXPECT_FALSE(r.maxex);
  EXPECT_FALSE(r.GteMin(1.5));
  EXPECT_TRUE(r.GteMin(1.6));
  EXPECT_TRUE(r.LteMax(std::numeric_limits<double>::infinity()));
  ASSERT_TRUE(ParseScoreRange("", "(", &r));  // both 0, as strtod("") is
  EXPECT_EQ(r.min, 0);
  EXPECT_TRUE(r.maxex);
  ASSERT_TRUE(ParseScoreRange(" 1", "1e400", &r));  // leading space, overflow to inf
  EXPECT_EQ(r.min, 1);
  EXPECT_TRUE(std::isinf(r.max));
  ASSERT_TRUE(ParseScoreRange("1\0junk"s, "2", &r));  // a NUL ends the C string
  EXPECT_EQ(r.min, 1);
  EXPECT_FALSE(ParseScoreRange("nan", "1", &r));
  EXPECT_FALSE(ParseScoreRange("1", "(nan", &r));
  EXPECT_FALSE(ParseScoreRange("((1", "2", &r));
  EXPECT_FALSE(ParseScoreRange("1 ", "2", &r));
  EXPECT_FALSE(ParseScoreRange("[1", "2", &r));
}

TEST(ZSetLexParse, BoundsAndComparisons) {
  LexRange r;
  EXPECT_FALSE(ParseLexRange("a", "+", &r));
  EXPECT_FALSE(ParseLexRange("", "+", &r));
  EXPECT_FALSE(ParseLexRange("-", "+a", &r));
  ASSERT_TRUE(ParseLexRange("-", "+\0x"s, &r));  // "+" up to its C string's end
  EXPECT_TRUE(r.GteMin(""));
  EXPECT_TRUE(r.LteMax("\xff\xff"));
  ASSERT_TRUE(ParseLexRange("[b", "(d", &r));
  EXPECT_FALSE(r.GteMin("a"));
  EXPECT_TRUE(r.GteMin("b"));
  EXPECT_TRUE(r.LteMax("c\xff"));
  EXPECT_FALSE(r.LteMax("d"));
  ASSERT_TRUE(ParseLexRange("(", "[\0"s, &r));  // binary-safe strings after ( and [
  EXPECT_TRUE(r.GteMin("\0"s));
  EXPECT_TRUE(r.LteMax("\0"s));
  EXPECT_FALSE(r.GteMin(""));
  // Always-empty ranges.
  ASSERT_TRUE(ParseLexRange("+", "-", &r));
  EXPECT_TRUE(r.AlwaysEmpty());
  ASSERT_TRUE(ParseLexRange("-", "-", &r));
  EXPECT_TRUE(r.AlwaysEmpty());
  ASSERT_TRUE(ParseLexRange("[a", "(a", &r));
  EXPECT_TRUE(r.AlwaysEmpty());
  ASSERT_TRUE(ParseLexRange("[a", "[a", &r));
  EXPECT_FALSE(r.AlwaysEmpty());
  ASSERT_TRUE(ParseLexRange("[b", "[a", &r));
  EXPECT_TRUE(r.AlwaysEmpty());
}

class ZSetSelectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_zsel_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(store::DB::Open(store::Options(), dir_.string(), &db_).ok());
    ks_ = std::make_unique<types::Keyspace>(db_.get(), 1);
    ASSERT_TRUE(ks_->Load().ok());
  }
  void TearDown() override {
    ks_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  static std::string Members(const std::vector<ZElement>& v) {
    std::string out;
    for (const ZElement& e : v) out += e.member + " ";
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::DB> db_;
  std::unique_ptr<types::Keyspace> ks_;
};

// Members a..e with scores that are not in lex order: the walk follows Redis's listpack rules
// (checked against redis-server 7.0.15 with the same members).
TEST_F(ZSetSelectTest, LexWalksFollowTheListpackRulesOnMixedScores) {
  types::ZSet z(ks_.get(), 0, "z", nullptr);
  bool added;
  for (auto [m, s] : std::vector<std::pair<std::string, double>>{
           {"d", 1}, {"a", 2}, {"e", 3}, {"b", 4}, {"c", 5}}) {
    ASSERT_TRUE(z.Set(m, s, &added).ok());
  }
  // Score order: d a e b c.
  LexRange r;
  std::vector<ZElement> out;
  ASSERT_TRUE(ParseLexRange("[b", "+", &r));
  ASSERT_TRUE(SelectByLex(z, r, false, 0, -1, &out).ok());
  EXPECT_EQ(Members(out), "d a e b c ");  // from the first >= b (d), while <= max
  ASSERT_TRUE(ParseLexRange("[b", "[d", &r));
  ASSERT_TRUE(SelectByLex(z, r, false, 0, -1, &out).ok());
  EXPECT_EQ(Members(out), "d a ");  // e > d stops the walk
  ASSERT_TRUE(ParseLexRange("-", "[c", &r));
  ASSERT_TRUE(SelectByLex(z, r, false, 0, -1, &out).ok());
  EXPECT_EQ(Members(out), "");  // the first member, d, is above c
  ASSERT_TRUE(ParseLexRange("-", "[d", &r));
  ASSERT_TRUE(SelectByLex(z, r, true, 0, -1, &out).ok());
  EXPECT_EQ(Members(out), "c b e a d ");
  ASSERT_TRUE(ParseLexRange("[b", "[c", &r));
  ASSERT_TRUE(SelectByLex(z, r, true, 0, -1, &out).ok());
  EXPECT_EQ(Members(out), "");  // the first member in score order, d, is above c
  ASSERT_TRUE(ParseLexRange("-", "+", &r));
  ASSERT_TRUE(SelectByLex(z, r, false, 1, 2, &out).ok());
  EXPECT_EQ(Members(out), "a e ");
}

TEST_F(ZSetSelectTest, RanksScoresAndLimits) {
  types::ZSet z(ks_.get(), 0, "z", nullptr);
  bool added;
  for (int i = 0; i < 10; i++) ASSERT_TRUE(z.Set("m" + std::to_string(i), i / 2, &added).ok());
  std::vector<ZElement> out;
  ASSERT_TRUE(SelectByRank(z, 0, 2, true, &out).ok());
  EXPECT_EQ(Members(out), "m9 m8 m7 ");
  ScoreRange r;
  ASSERT_TRUE(ParseScoreRange("(1", "3", &r));
  ASSERT_TRUE(SelectByScore(z, r, false, 1, 3, &out).ok());
  EXPECT_EQ(Members(out), "m5 m6 m7 ");
  ASSERT_TRUE(SelectByScore(z, r, true, 0, 2, &out).ok());
  EXPECT_EQ(Members(out), "m7 m6 ");
  ASSERT_TRUE(SelectByScore(z, r, false, -1, 3, &out).ok());
  EXPECT_EQ(Members(out), "");
  ASSERT_TRUE(SelectByScore(z, r, false, 0, -5, &out).ok());
  EXPECT_EQ(Members(out), "m4 m5 m6 m7 ");
  int64_t rank;
  ASSERT_TRUE(RankOf(z, "m3", false, &rank).ok());
  EXPECT_EQ(rank, 3);
  ASSERT_TRUE(RankOf(z, "m3", true, &rank).ok());
  EXPECT_EQ(rank, 6);
  EXPECT_TRUE(RankOf(z, "nope", false, &rank).IsNotFound());
  int64_t start = -3, end = 100;
  ASSERT_TRUE(ClampRankRange(10, &start, &end));
  EXPECT_EQ(start, 7);
  EXPECT_EQ(end, 9);
  start = 5, end = 4;
  EXPECT_FALSE(ClampRankRange(10, &start, &end));
}

}  // namespace
}  // namespace strata::commands
