// libFuzzer target for resp::SplitInlineArgs and the parser's inline path. Checks: no crash;
// a NUL ends the line; arguments re-quoted with escapes split back to themselves; and the
// parser's quote-free fast path agrees with SplitInlineArgs on every line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "resp/parser.h"

namespace {

// Quotes an argument so that SplitInlineArgs reads it back (Redis's sdscatrepr format).
std::string Quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(static_cast<char>(c));
        } else {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        }
    }
  }
  return out + "\"";
}

bool IsAttack(std::string_view first) {
  first = first.substr(0, first.find('\0'));
  std::string lower(first);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "post" || lower == "host:";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  const bool ok = strata::resp::SplitInlineArgs(line, &args);
  if (!ok) CHECK(args.empty());

  // A NUL ends the line, as in the C string sdssplitargs reads.
  const size_t nul = line.find('\0');
  if (nul != std::string_view::npos) {
    std::vector<std::string> before;
    CHECK(strata::resp::SplitInlineArgs(line.substr(0, nul), &before) == ok);
    CHECK(before == args);
  }

  if (ok) {
    std::string requoted;
    for (const std::string& a : args) requoted += Quote(a) + " ";
    std::vector<std::string> again;
    CHECK(strata::resp::SplitInlineArgs(requoted, &again));
    CHECK(again == args);
  }

  // The parser on the same line as an inline request: the line must hold no '\n' or NUL
  // (they end it earlier) and must not start with '*' (that is a multibulk request).
  const std::string_view body = line.substr(0, std::min(nul, line.find('\n')));
  if (body.size() == line.size() && !body.empty() && body[0] != '*' && body.size() < 60000) {
    std::vector<std::string> want;
    const bool want_ok = strata::resp::SplitInlineArgs(body, &want);
    strata::resp::Parser p;
    const std::string req = std::string(body) + "\r\n";
    const auto r = p.Parse(req);
    if (!want_ok) {
      CHECK(r == strata::resp::Parser::Result::kError);
      CHECK(p.error() == "ERR Protocol error: unbalanced quotes in request");
    } else if (want.empty()) {
      CHECK(r == strata::resp::Parser::Result::kEmpty);
      CHECK(p.consumed() == req.size());
    } else if (IsAttack(want[0])) {
      CHECK(r == strata::resp::Parser::Result::kError && p.close_silently());
    } else {
      CHECK(r == strata::resp::Parser::Result::kOk);
      CHECK(p.consumed() == req.size());
      CHECK(p.args().size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) CHECK(p.args()[i] == want[i]);
    }
  }
  return 0;
}
