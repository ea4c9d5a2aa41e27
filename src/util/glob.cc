// A reimplementation of Redis's stringmatchlen_impl() over string_views. Where the C code
// reads one byte past the pattern's end (it relies on the NUL after an sds), this code treats
// that byte as '\0', which is what Redis sees for a KEYS/SCAN argument.
#include "util/glob.h"

#include <cstddef>
#include <utility>

namespace strata {
namespace {

constexpr int kMaxNesting = 1000;

// tolower() in the C locale: ASCII letters only.
int Lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

class Matcher {
 public:
  explicit Matcher(bool nocase) : nocase_(nocase) {}

  // Matches pattern p[0, plen) against s[0, slen). Returns false without trying longer runs
  // for earlier '*'s once skip_longer_ is set (see the header).
  bool Match(const char* p, size_t plen, const char* s, size_t slen, int nesting) {
    if (nesting > kMaxNesting) return false;
    while (plen > 0 && slen > 0) {
      switch (p[0]) {
        case '*': {
          while (plen > 1 && p[1] == '*') {
            ++p;
            --plen;
          }
          if (plen == 1) return true;  // a trailing '*' matches the rest
          while (slen > 0) {
            if (Match(p + 1, plen - 1, s, slen, nesting + 1)) return true;
            if (skip_longer_) return false;
            ++s;
            --slen;
          }
          // The rest of the pattern matched nowhere in the rest of the string, so longer runs
          // for any earlier '*' (which leave it even less string) cannot match either.
          skip_longer_ = true;
          return false;
        }
        case '?':
          ++s;
          --slen;
          break;
        case '[': {
          ++p;
          --plen;
          const bool negate = plen > 0 && p[0] == '^';
          if (negate) {
            ++p;
            --plen;
          }
          bool match = false;
          while (true) {
            if (plen >= 2 && p[0] == '\\') {
              ++p;
              --plen;
              if (p[0] == s[0]) match = true;
            } else if (plen > 0 && p[0] == ']') {
              break;
            } else if (plen == 0) {
              // Unterminated: step back onto the last byte, which the ++p below consumes.
              --p;
              ++plen;
              break;
            } else if (plen >= 3 && p[1] == '-') {
              // Redis keeps these as (signed) char values.
              int start = static_cast<signed char>(p[0]);
              int end = static_cast<signed char>(p[2]);
              int c = static_cast<signed char>(s[0]);
              if (start > end) std::swap(start, end);
              if (nocase_) {
                start = Lower(start);
                end = Lower(end);
                c = Lower(c);
              }
              p += 2;
              plen -= 2;
              if (c >= start && c <= end) match = true;
            } else if (nocase_ ? Lower(static_cast<unsigned char>(p[0])) ==
                                     Lower(static_cast<unsigned char>(s[0]))
                               : p[0] == s[0]) {
              match = true;
            }
            ++p;
            --plen;
          }
          if (negate) match = !match;
          if (!match) return false;
          ++s;
          --slen;
          break;
        }
        case '\\':
          if (plen >= 2) {
            ++p;
            --plen;
          }
          [[fallthrough]];
        default:
          if (nocase_ ? Lower(static_cast<unsigned char>(p[0])) !=
                            Lower(static_cast<unsigned char>(s[0]))
                      : p[0] != s[0]) {
            return false;
          }
          ++s;
          --slen;
          break;
      }
      ++p;
      --plen;
      if (slen == 0) {
        while (plen > 0 && p[0] == '*') {
          ++p;
          --plen;
        }
        break;
      }
    }
    return plen == 0 && slen == 0;
  }

 private:
  const bool nocase_;
  bool skip_longer_ = false;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  Matcher m(nocase);
  return m.Match(pattern.data(), pattern.size(), str.data(), str.size(), 0);
}

std::string GlobLiteralPrefix(std::string_view pattern) {
  std::string prefix;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '*' || c == '?' || c == '[') break;
    if (c == '\\' && i + 1 < pattern.size()) ++i;
    prefix.push_back(pattern[i]);
  }
  return prefix;
}

}  // namespace strata
