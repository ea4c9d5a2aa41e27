// libFuzzer target for GlobMatch / GlobLiteralPrefix. Input: one byte of pattern length, the
// pattern, then the string. Checks: no crash or hang (run with -timeout); the result equals
// a plain dynamic-programming matcher over the same pattern grammar (which has neither the
// skip-longer-matches pruning nor recursion); nocase is consistent with lower-casing; every
// match starts with the literal prefix.
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "util/glob.h"

namespace {

int Lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

// One pattern element: '*', or a set of bytes that matches exactly one byte.
struct Atom {
  bool star = false;
  std::bitset<256> bytes;
};

// The pattern grammar of src/util/glob.h (Redis's), written as a parser into atoms.
std::vector<Atom> Compile(std::string_view p, bool nocase) {
  auto same = [nocase](int a, int b) { return nocase ? Lower(a) == Lower(b) : a == b; };
  auto byte_atom = [&](unsigned char lit) {
    Atom a;
    for (int b = 0; b < 256; ++b) a.bytes[b] = same(b, lit);
    return a;
  };
  std::vector<Atom> atoms;
  size_t i = 0;
  const size_t n = p.size();
  while (i < n) {
    const unsigned char c = p[i];
    if (c == '*') {
      while (i < n && p[i] == '*') ++i;
      Atom a;
      a.star = true;
      atoms.push_back(a);
    } else if (c == '?') {
      Atom a;
      a.bytes.set();
      atoms.push_back(a);
      ++i;
    } else if (c == '\\') {
      atoms.push_back(byte_atom(i + 1 < n ? p[i + 1] : '\\'));
      i += i + 1 < n ? 2 : 1;
    } else if (c == '[') {
      size_t j = i + 1;
      const bool negate = j < n && p[j] == '^';
      if (negate) ++j;
      Atom a;
      while (true) {
        if (n - j >= 2 && p[j] == '\\') {  // escaped member, compared exactly
          a.bytes[static_cast<unsigned char>(p[j + 1])] = true;
          j += 2;
        } else if (j < n && p[j] == ']') {
          ++j;
          break;
        } else if (j >= n) {
          break;  // unterminated: the set runs to the end
        } else if (n - j >= 3 && p[j + 1] == '-') {
          int lo = static_cast<signed char>(p[j]);
          int hi = static_cast<signed char>(p[j + 2]);
          if (lo > hi) std::swap(lo, hi);
          if (nocase) {
            lo = Lower(lo);
            hi = Lower(hi);
          }
          for (int b = 0; b < 256; ++b) {
            int v = static_cast<signed char>(b);
            if (nocase) v = Lower(v);
            if (v >= lo && v <= hi) a.bytes[b] = true;
          }
          j += 3;
        } else {
          for (int b = 0; b < 256; ++b) {
            if (same(b, static_cast<unsigned char>(p[j]))) a.bytes[b] = true;
          }
          ++j;
        }
      }
      if (negate) a.bytes.flip();
      atoms.push_back(a);
      i = j;
    } else {
      atoms.push_back(byte_atom(c));
      ++i;
    }
  }
  return atoms;
}

// Matches with a table: ok[i][k] = atoms[i..] match s[k..]. An empty string matches only
// an empty pattern (Redis's loop never runs for it).
bool ReferenceMatch(const std::vector<Atom>& atoms, std::string_view pattern, std::string_view s) {
  if (s.empty()) return pattern.empty();
  const size_t m = s.size();
  std::vector<char> next(m + 1, 0), cur(m + 1, 0);
  next[m] = 1;  // no atoms left: only the end of the string matches
  for (size_t i = atoms.size(); i-- > 0;) {
    const Atom& a = atoms[i];
    cur[m] = a.star ? next[m] : 0;
    for (size_t k = m; k-- > 0;) {
      cur[k] = a.star ? (next[k] || cur[k + 1])
                      : (a.bytes[static_cast<unsigned char>(s[k])] && next[k + 1]);
    }
    std::swap(cur, next);
  }
  return next[0];
}

std::string LowerAll(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(Lower(static_cast<unsigned char>(c)));
  return out;
}

std::string SwapCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t plen = std::min<size_t>(data[0], in.size());
  const std::string_view pattern = in.substr(0, plen);
  const std::string_view str = in.substr(plen);

  const bool m = strata::GlobMatch(pattern, str);
  const bool mi = strata::GlobMatch(pattern, str, true);

  // The nesting limit only bites past 1000 '*'s, which a 255-byte pattern cannot hold.
  CHECK(ReferenceMatch(Compile(pattern, false), pattern, str) == m);
  CHECK(ReferenceMatch(Compile(pattern, true), pattern, str) == mi);

  if (pattern.find('[') == std::string_view::npos) {
    CHECK(mi == strata::GlobMatch(LowerAll(pattern), LowerAll(str)));
  }
  if (pattern.find('\\') == std::string_view::npos) {
    CHECK(mi == strata::GlobMatch(pattern, SwapCase(str), true));
  }
  if (m) {
    const std::string prefix = strata::GlobLiteralPrefix(pattern);
    CHECK(str.substr(0, prefix.size()) == prefix);
  }

  // A long string against the same pattern must stay fast (the -timeout catches a blow-up).
  std::string longer;
  while (longer.size() < 4000 && !str.empty()) longer.append(str);
  strata::GlobMatch(pattern, longer);
  return 0;
}
