// libFuzzer target for resp::Parser. The first input byte picks the limits and the
// authentication state, the rest is the stream. Checks, besides "no crash, no sanitizer
// report": parsing the stream in one piece and in random pieces (as a connection buffer
// grows) gives the same results; consumed() and args() stay inside the buffer; the work done
// stays linear (bytes_scanned()); every parsed command re-encoded as a multibulk parses back
// to the same arguments.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "resp/parser.h"

namespace {

using strata::resp::Parser;
using strata::resp::ParserLimits;

struct Event {
  Parser::Result result;
  std::vector<std::string> args;
  std::string error;
  bool operator==(const Event&) const = default;
};

std::string Multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Feeds `stream` in pieces whose sizes come from `sizes` (cycled; empty: one piece).
std::vector<Event> Run(std::string_view stream, const ParserLimits& limits, bool auth,
                       std::string_view sizes) {
  Parser p(limits);
  p.set_authenticated(auth);
  std::vector<Event> events;
  std::string buf;
  size_t calls = 0;
  size_t pos = 0;
  size_t turn = 0;
  bool failed = false;
  while (pos < stream.size() && !failed) {
    size_t n = stream.size() - pos;
    if (!sizes.empty()) {
      n = std::min<size_t>(n, 1 + static_cast<uint8_t>(sizes[turn++ % sizes.size()]) % 64);
    }
    buf.append(stream.substr(pos, n));
    pos += n;
    while (!buf.empty()) {
      ++calls;
      const Parser::Result r = p.Parse(buf);
      if (r == Parser::Result::kIncomplete) break;
      Event e{r, {}, ""};
      if (r == Parser::Result::kError) {
        CHECK(p.error().rfind("ERR Protocol error: ", 0) == 0);
        CHECK(p.error().find_first_of("\r\n") == std::string::npos);
        e.error = p.error();
        events.push_back(std::move(e));
        failed = true;
        break;
      }
      CHECK(p.consumed() > 0 && p.consumed() <= buf.size());
      if (r == Parser::Result::kOk) {
        CHECK(!p.args().empty());
        for (std::string_view a : p.args()) e.args.emplace_back(a);
      } else {
        CHECK(p.args().empty());
      }
      buf.erase(0, p.consumed());
      events.push_back(std::move(e));
    }
  }
  // Each byte is searched at most once, plus one byte per call that waits for the byte
  // after a '\r' it already found.
  CHECK(p.bytes_scanned() <= stream.size() + calls);
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const uint8_t split_seed = data[1];
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  ParserLimits limits;
  if (mode & 1) {  // small limits, so that short inputs reach them
    limits.max_inline_len = 4 + (mode >> 4);
    limits.max_bulk_len = (mode >> 2) & 3 ? 100 : 3;
    limits.unauth_max_multibulk = 2;
    limits.unauth_max_bulk_len = 5;
  }
  const bool auth = !(mode & 2);

  const std::vector<Event> whole = Run(stream, limits, auth, "");
  // Byte-sized pieces, and pieces drawn from the input itself.
  std::string sizes(1, '\0');
  CHECK(Run(stream, limits, auth, sizes) == whole);
  sizes.assign(stream.substr(0, std::min<size_t>(stream.size(), 16)));
  for (char& c : sizes) c = static_cast<char>(c ^ split_seed);
  CHECK(Run(stream, limits, auth, sizes) == whole);

  // Round trip: commands re-encoded as multibulk parse back the same (unlimited parser).
  for (const Event& e : whole) {
    if (e.result != Parser::Result::kOk) continue;
    const std::string enc = Multibulk(e.args);
    Parser p;
    CHECK(p.Parse(enc) == Parser::Result::kOk);
    CHECK(p.consumed() == enc.size());
    CHECK(p.args().size() == e.args.size());
    for (size_t i = 0; i < e.args.size(); ++i) CHECK(p.args()[i] == e.args[i]);
  }
  return 0;
}
