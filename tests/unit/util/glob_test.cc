#include "util/glob.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace strata {
namespace {

using namespace std::string_literals;

struct Case {
  std::string pattern;
  std::string str;
  bool match;
};

void ExpectCases(const std::vector<Case>& cases, bool nocase = false) {
  for (const Case& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.str, nocase), c.match)
        << "pattern " << testing::PrintToString(c.pattern) << " string "
        << testing::PrintToString(c.str) << (nocase ? " nocase" : "");
  }
}

// The examples of the KEYS documentation.
TEST(Glob, DocumentedExamples) {
  ExpectCases({
      {"h?llo", "hello", true},
      {"h?llo", "hallo", true},
      {"h?llo", "hxllo", true},
      {"h?llo", "hllo", false},
      {"h*llo", "hllo", true},
      {"h*llo", "heeeello", true},
      {"h*llo", "hello world", false},
      {"h[ae]llo", "hello", true},
      {"h[ae]llo", "hallo", true},
      {"h[ae]llo", "hillo", false},
      {"h[^e]llo", "hallo", true},
      {"h[^e]llo", "hbllo", true},
      {"h[^e]llo", "hello", false},
      {"h[a-b]llo", "hallo", true},
      {"h[a-b]llo", "hbllo", true},
      {"h[a-b]llo", "hcllo", false},
      {"h\\*llo", "h*llo", true},
      {"h\\*llo", "hello", false},
  });
}

TEST(Glob, StarsAndEmptyStrings) {
  ExpectCases({
      {"", "", true},
      {"", "a", false},
      {"a", "", false},
      // The empty string matches only the empty pattern, even against "*" (Redis's KEYS
      // and SCAN special-case "*" before they match).
      {"*", "", false},
      {"**", "", false},
      {"*", "anything", true},
      {"a*", "a", true},
      {"a**", "a", true},
      {"a*?", "a", false},
      {"*a", "a", true},
      {"*a", "ba", true},
      {"*a", "ab", false},
      {"a*b*c", "abc", true},
      {"a*b*c", "aXbYc", true},
      {"a*b*c", "aXbY", false},
      {"*?*", "x", true},
      {"?*?", "x", false},
      {"?*?", "xy", true},
      {"a*b", "a", false},
      {"***a***", "xxaxx", true},
  });
}

TEST(Glob, BracketQuirks) {
  ExpectCases({
      // '!' is not a negation.
      {"[!a]", "!", true},
      {"[!a]", "b", false},
      // Reversed ranges are swapped.
      {"[z-a]", "m", true},
      {"[z-a]", "A", false},
      // [] is an empty set: never matches, so "[]a]" does not mean "']' or 'a'".
      {"[]", "]", false},
      {"[]a]", "a", false},
      {"[]a]", "]a]", false},
      {"[^]", "x", true},
      {"[^]x", "yx", true},
      // Escapes inside a set.
      {"[\\]]", "]", true},
      {"[\\]a]", "a", true},
      {"[\\-]", "-", true},
      {"[\\-]", "\\", false},
      {"[a\\-z]", "b", false},
      {"[a\\-z]", "-", true},
      // A '-' at the start or before ']' is the range quirk: [a-] is 'a'..']', and the set
      // then goes on past that ']'.
      {"[a-]", "_", true},
      {"[a-]", "]", true},
      {"[a-]", "a", true},
      {"[a-]", "-", false},
      {"[a-]", "b", false},
      {"[a-]x]", "x", true},
      {"[a-]x]", "x]", false},
      {"[-a]", "-", true},
      {"[-a]", "a", true},
      {"[-a]", "b", false},
      // Unterminated sets are closed at the end of the pattern.
      {"[abc", "b", true},
      {"[abc", "ab", false},
      {"x[", "x[", false},
      {"x[", "x", false},
      {"[", "[", false},
      {"[^", "z", true},
      {"[^a", "a", false},
      {"[\\", "\\", true},
      {"[a-", "a", true},
      {"[a-", "-", true},
      {"a[b-d]e", "ace", true},
      {"a[^b-d]e", "ace", false},
      {"a[^b-d]e", "aae", true},
  });
}

TEST(Glob, Escapes) {
  ExpectCases({
      {"\\", "\\", true},
      {"a\\", "a\\", true},
      {"\\a", "a", true},
      {"\\?", "?", true},
      {"\\?", "x", false},
      {"\\[a]", "[a]", true},
      {"\\\\", "\\", true},
      {"\\\\*", "\\abc", true},
  });
}

TEST(Glob, BytesAreSignedCharsInRanges) {
  // Redis compares range bounds as (signed) char: [a-\xff] is -1..97, which takes in the
  // bytes 0x00..0x61 and 0xff but not 0x80..0xfe or 'b'.
  ExpectCases({
      {"[a-\xff]", "\0"s, true},
      {"[a-\xff]", "\xff", true},
      {"[a-\xff]", "A", true},
      {"[a-\xff]", "\x80", false},
      {"[a-\xff]", "b", false},
      {"[\x80-\xff]", "\x90", true},
      {"[\x80-\xff]", "a", false},
      {"\xe4\xbd\xa0*", "\xe4\xbd\xa0\xe5\xa5\xbd", true},
      {"?", "\xe4", true},
      {"a\0*"s, "a\0b"s, true},
      {"a\0*"s, "a", false},
  });
}

TEST(Glob, Nocase) {
  ExpectCases(
      {
          {"HeLLo", "hello", true},
          {"h*O", "HELLO", true},
          {"[A-Z]", "q", true},
          {"[a-z]", "Q", true},
          {"[HX]ello", "hello", true},
          {"[^h]ello", "Hello", false},
          // Redis lowers the bounds after swapping them: [a-Z] becomes 'z'..'a', empty.
          {"[a-Z]", "a", false},
          {"[a-Z]", "_", false},
          // Escapes inside a set compare exactly, even without case.
          {"[\\A]", "A", true},
          {"[\\A]", "a", false},
          {"\\A", "a", true},
          {"\xc4", "\xe4", false},  // only ASCII letters fold
      },
      true);
  ExpectCases({{"HeLLo", "hello", false}, {"[a-Z]", "_", true}, {"[a-Z]", "a", true}});
}

TEST(Glob, PathologicalPatternsAreFast) {
  const std::string a40(40, 'a');
  const std::string a100k(100000, 'a');
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", a40));
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", a100k));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", a100k));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*?b", a100k));
  // Redis's regression test for CVE-2024-31228.
  std::string stars;
  for (int i = 0; i < 50000; ++i) stars += "*?";
  EXPECT_FALSE(GlobMatch(stars, std::string(50000, 'a')));
}

TEST(Glob, NestingLimit) {
  // 1000 separate '*' may nest; the 1001st counts as no match.
  auto pattern = [](int n) {
    std::string p;
    for (int i = 0; i < n; ++i) p += "*?";
    return p;
  };
  EXPECT_TRUE(GlobMatch(pattern(1000), std::string(1000, 'a')));
  EXPECT_FALSE(GlobMatch(pattern(1001), std::string(1001, 'a')));
  EXPECT_FALSE(GlobMatch(pattern(1001), std::string(5000, 'a')));
  // Collapsed runs of '*' count once.
  EXPECT_TRUE(GlobMatch("***" + pattern(999), std::string(1000, 'a')));
}

TEST(Glob, LiteralPrefix) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},         {"*", ""},           {"foo", "foo"},           {"foo*", "foo"},
      {"foo?x", "foo"}, {"foo[ab]", "foo"},  {"user:*:name", "user:"}, {"a\\*b*", "a*b"},
      {"a\\[b", "a[b"}, {"a\\\\*", "a\\"},   {"ab\\", "ab\\"},         {"\\", "\\"},
      {"]x*", "]x"},    {"a^b-c*", "a^b-c"}, {"\0a*"s, "\0a"s},
  };
  for (const auto& [pattern, prefix] : cases) {
    EXPECT_EQ(GlobLiteralPrefix(pattern), prefix) << testing::PrintToString(pattern);
  }
}

// Every string a pattern matches starts with its literal prefix; and a pattern that is all
// literal matches exactly its prefix.
TEST(Glob, LiteralPrefixIsAPrefixOfEveryMatch) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab*?[]^-\\";
  int matches = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string p, s;
    for (int n = rng() % 8; n > 0; --n) p.push_back(alphabet[rng() % alphabet.size()]);
    for (int n = rng() % 8; n > 0; --n) s.push_back(alphabet[rng() % alphabet.size()]);
    const std::string prefix = GlobLiteralPrefix(p);
    if (GlobMatch(p, s)) {
      ++matches;
      ASSERT_EQ(s.substr(0, prefix.size()), prefix) << p << " " << s;
    }
    if (p.find_first_of("*?[") == std::string::npos && !prefix.empty()) {
      ASSERT_TRUE(GlobMatch(p, prefix)) << p;
    }
  }
  EXPECT_GT(matches, 1000);
}

// Results checked against redis-server 7.0.15 (Debian 7.0.15-1~deb12u10) with KEYS by
// fuzz/redis_diff.py; a few of the cases it generated.
TEST(Glob, AgreesWithRedis) {
  ExpectCases({
      {"*[b-a]?", "bab", true},
      {"a[^]b", "aab", true},
      {"[^-]", "-", false},
      {"[--a]", "-", true},
      {"[a-]b", "ab", false},
      {"\\[^a]", "[^a]", true},
      {"*\\", "ab\\", true},
      {"[*]", "*", true},
      {"[?]", "a", false},
      {"?[", "a[", false},
      {"[[]", "[", true},
      {"*[^", "ab", true},
  });
}

}  // namespace
}  // namespace strata
