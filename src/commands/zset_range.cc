#include "commands/zset_range.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace strata::commands {

bool ParseScore(std::string_view arg, double* out) {
  if (arg.empty() || std::isspace(static_cast<unsigned char>(arg[0]))) return false;
  const std::string s(arg);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (static_cast<size_t>(end - s.c_str()) != s.size()) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

namespace {

// One bound of a score range: strtod of the C string after an optional "(".
bool ParseScoreBound(std::string_view arg, double* v, bool* ex) {
  std::string s(arg.substr(0, arg.find('\0')));
  const char* p = s.c_str();
  *ex = false;
  if (*p == '(') {
    *ex = true;
    p++;
  }
  char* end = nullptr;
  *v = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseLexBound(std::string_view arg, LexBound* out) {
  // Redis looks at the C string for "+"/"-" (a NUL ends it) and at the whole argument for
  // "["/"(" strings.
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() > 1 && arg[1] != '\0') return false;
      out->kind = arg[0] == '+' ? LexBound::kPosInf : LexBound::kNegInf;
      out->ex = true;
      return true;
    case '(':
    case '[':
      out->kind = LexBound::kValue;
      out->ex = arg[0] == '(';
      out->value.assign(arg.substr(1));
      return true;
    default:
      return false;
  }
}

// Redis's sdscmplex: a string against a bound, "-" below and "+" above every string.
int CompareToBound(std::string_view v, const LexBound& b) {
  if (b.kind == LexBound::kNegInf) return 1;
  if (b.kind == LexBound::kPosInf) return -1;
  const int c = v.compare(b.value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out) {
  return ParseScoreBound(min, &out->min, &out->minex) &&
         ParseScoreBound(max, &out->max, &out->maxex);
}

bool LexRange::GteMin(std::string_view v) const {
  const int c = CompareToBound(v, min);
  return min.ex ? c > 0 : c >= 0;
}

bool LexRange::LteMax(std::string_view v) const {
  const int c = CompareToBound(v, max);
  return max.ex ? c < 0 : c <= 0;
}

bool LexRange::AlwaysEmpty() const {
  // sdscmplex(min, max), where both may be the special bounds.
  int c;
  if (min.kind == max.kind && min.kind != LexBound::kValue) {
    c = 0;
  } else if (min.kind == LexBound::kNegInf || max.kind == LexBound::kPosInf) {
    c = -1;
  } else if (min.kind == LexBound::kPosInf || max.kind == LexBound::kNegInf) {
    c = 1;
  } else {
    c = min.value.compare(max.value);
  }
  return c > 0 || (c == 0 && (min.ex || max.ex));
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out) {
  return ParseLexBound(min, &out->min) && ParseLexBound(max, &out->max);
}

}  // namespace strata::commands
