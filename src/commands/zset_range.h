// Sorted-set arguments as Redis's t_zset.c parses them: scores (ZADD, ZINCRBY, WEIGHTS), score
// ranges (ZRANGEBYSCORE, ZCOUNT...: "1.5", "(1.5", "-inf", "+inf") and lex ranges
// (ZRANGEBYLEX, ZLEXCOUNT...: "[a", "(a", "-", "+"), with the predicates the range walks use.
#pragma once

#include <string>
#include <string_view>

namespace strata::commands {

// A score argument as Redis's string2d: the whole argument must be a strtod number (no leading
// space, no NUL inside), not NaN, and not out of double range (1e400, 1e-400 are refused;
// "inf", "-inf", "+inf" are fine).
bool ParseScore(std::string_view arg, double* out);

// A score range: min and max, each inclusive or exclusive ("(").
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;

  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
};
// Redis's zslParseRange: each bound is strtod of the argument as a C string (up to its first
// NUL; leading spaces allowed, "" is 0, overflow is ±inf), after an optional "(", and must
// not be NaN. False -> "min or max is not a float".
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out);

// A lex range bound: "-" (below every string), "+" (above every string), or a string,
// inclusive ("[") or exclusive ("(").
struct LexBound {
  enum Kind { kNegInf, kPosInf, kValue };
  Kind kind = kValue;
  std::string value;
  bool ex = false;
};
struct LexRange {
  LexBound min, max;

  bool GteMin(std::string_view v) const;
  bool LteMax(std::string_view v) const;
  // Ranges that hold no string whatever the set: min above max, or equal with one end
  // exclusive.
  bool AlwaysEmpty() const;
};
// Redis's zslParseLexRange. False -> "min or max not valid string range item".
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out);

}  // namespace strata::commands
