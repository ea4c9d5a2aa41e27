// Redis glob-style matching (util.c stringmatchlen, Redis 7.2 with the CVE-2024-31228 nesting
// limit), used by KEYS, SCAN MATCH, CONFIG GET and PSUBSCRIBE. Byte-wise; the rules and
// quirks, all Redis's own:
//   *        any run of bytes, including none
//   ?        exactly one byte
//   [abc]    one byte of the set; [^abc] negates it ('!' is not special); [a-z] is a range,
//            [z-a] the same range; [\]] escapes; [] never matches; an unterminated [ is
//            closed at the end of the pattern; [a-] is the range 'a'..']' (the range end is
//            read even when it is ']', and the set then continues past it)
//   \x       x literally; a trailing lone \ matches a backslash
// The whole string must match. The empty string matches only an empty pattern: even "*"
// does not match it (Redis's KEYS and SCAN special-case the pattern "*" before matching).
// Patterns nesting more than 1000 separate '*'s deep do not match (Redis's protection against
// abusive patterns). Once the rest of a pattern after a '*' has failed at every position,
// earlier '*'s are not retried with longer runs, so matching is polynomial:
// `a*a*a*a*a*a*b` against a long run of 'a's is quick.
// Range bounds compare as signed chars, as in Redis, so a range that mixes ASCII with bytes
// >= 0x80 behaves as Redis's does. nocase folds ASCII letters only (the C locale), except
// inside a bracket escape (`[\A]`), which Redis compares exactly.
#pragma once

#include <string>
#include <string_view>

namespace strata {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// The longest literal prefix that every string GlobMatch(pattern, ., nocase=false) accepts
// starts with: the pattern's bytes up to its first '*', '?' or '[', with '\' escapes resolved
// (a trailing lone '\' is a literal backslash). SCAN and KEYS seek there and stop once keys
// no longer start with it. "" when the pattern starts with a special character.
std::string GlobLiteralPrefix(std::string_view pattern);

}  // namespace strata
