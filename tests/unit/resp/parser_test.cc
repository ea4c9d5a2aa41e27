#include "resp/parser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

// The size of the largest single allocation since the last reset: lets a test check that a
// declared multibulk count does not allocate by itself.
static std::atomic<size_t> g_largest_alloc{0};

// GCC sees operator new/delete inlined into free() calls and mistakes them for a mismatch.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  size_t prev = g_largest_alloc.load(std::memory_order_relaxed);
  while (n > prev && !g_largest_alloc.compare_exchange_weak(prev, n)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace strata::resp {
namespace {

using R = Parser::Result;
using namespace std::string_literals;

// One outcome of parsing: a command, an empty request, or an error (which ends the stream).
struct Event {
  R result;
  std::vector<std::string> args;
  std::string error;
  bool silent = false;
  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  switch (e.result) {
    case R::kOk:
      os << "Ok[";
      for (const auto& a : e.args) os << '"' << a << "\" ";
      return os << ']';
    case R::kEmpty:
      return os << "Empty";
    case R::kError:
      return os << "Error(" << e.error << (e.silent ? ", silent)" : ")");
    case R::kIncomplete:
      return os << "Incomplete";
  }
  return os;
}

Event Ok(std::vector<std::string> args) { return {R::kOk, std::move(args), "", false}; }
Event Empty() { return {R::kEmpty, {}, "", false}; }
Event Err(std::string text) { return {R::kError, {}, std::move(text), false}; }

// Drives a parser the way a connection does: a buffer of unconsumed bytes that grows as
// chunks arrive; every complete request is taken out of it.
class Feeder {
 public:
  explicit Feeder(const ParserLimits& limits = ParserLimits(), bool authenticated = true)
      : parser_(limits) {
    parser_.set_authenticated(authenticated);
  }

  // Appends a chunk and parses what it can. Returns false once an error ended the stream.
  bool Feed(std::string_view chunk) {
    if (failed_) return false;
    buf_.append(chunk);
    while (!buf_.empty()) {
      const R r = parser_.Parse(buf_);
      if (r == R::kIncomplete) break;
      Event e{r, {}, "", false};
      if (r == R::kOk) {
        for (std::string_view a : parser_.args()) e.args.emplace_back(a);
      }
      if (r == R::kError) {
        e.error = parser_.error();
        e.silent = parser_.close_silently();
        events_.push_back(std::move(e));
        failed_ = true;
        return false;
      }
      EXPECT_GT(parser_.consumed(), 0u);
      EXPECT_LE(parser_.consumed(), buf_.size());
      buf_.erase(0, parser_.consumed());
      events_.push_back(std::move(e));
    }
    return true;
  }

  const std::vector<Event>& events() const { return events_; }
  const std::string& pending() const { return buf_; }
  Parser& parser() { return parser_; }

 private:
  Parser parser_;
  std::string buf_;
  std::vector<Event> events_;
  bool failed_ = false;
};

std::vector<Event> ParseOneShot(std::string_view input, const ParserLimits& limits = {},
                                bool authenticated = true) {
  Feeder f(limits, authenticated);
  f.Feed(input);
  return f.events();
}

// Checks that `input` gives `want` whole, byte by byte, and split in two at every point.
void ExpectAllSplits(std::string_view input, const std::vector<Event>& want,
                     const ParserLimits& limits = {}, bool authenticated = true) {
  SCOPED_TRACE(testing::Message() << "input: " << testing::PrintToString(std::string(input)));
  EXPECT_EQ(ParseOneShot(input, limits, authenticated), want);
  {
    Feeder f(limits, authenticated);
    for (char c : input) f.Feed(std::string_view(&c, 1));
    EXPECT_EQ(f.events(), want) << "byte by byte";
  }
  for (size_t i = 1; i < input.size(); ++i) {
    Feeder f(limits, authenticated);
    f.Feed(input.substr(0, i));
    f.Feed(input.substr(i));
    ASSERT_EQ(f.events(), want) << "split at " << i;
  }
}

TEST(Parser, Multibulk) {
  ExpectAllSplits("*1\r\n$4\r\nPING\r\n", {Ok({"PING"})});
  ExpectAllSplits("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n", {Ok({"SET", "k", "value"})});
  ExpectAllSplits("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", {Ok({"ECHO", ""})});
}

TEST(Parser, Inline) {
  ExpectAllSplits("PING\r\n", {Ok({"PING"})});
  ExpectAllSplits("PING\n", {Ok({"PING"})});
  ExpectAllSplits("SET  k\tv \r\n", {Ok({"SET", "k", "v"})});
  // Only a '\r' right before the '\n' is part of the terminator.
  ExpectAllSplits("ECHO a\r\r\n", {Ok({"ECHO", "a"})});
  ExpectAllSplits("ECHO \"a\r\"\r\n", {Ok({"ECHO", "a\r"})});
  // \v and \f are skipped between words but do not end one.
  ExpectAllSplits("\v\fECHO a\vb\r\n", {Ok({"ECHO", "a\vb"})});
  ExpectAllSplits("SET k \"hello world\"\r\n", {Ok({"SET", "k", "hello world"})});
  ExpectAllSplits("SET k \"\\x41\\x42\\n\"\r\n", {Ok({"SET", "k", "AB\n"})});
  ExpectAllSplits("SET k 'it\\'s'\r\n", {Ok({"SET", "k", "it's"})});
  // A bulk header outside a multibulk is just an inline command (Redis 7.0.15 runs
  // "$3\r\nfoo\r\n" as the two inline commands "$3" and "foo").
  ExpectAllSplits("$3\r\nfoo\r\n", {Ok({"$3"}), Ok({"foo"})});
}

TEST(Parser, EmptyRequestsAreSkipped) {
  ExpectAllSplits("\r\n\r\nPING\r\n", {Empty(), Empty(), Ok({"PING"})});
  ExpectAllSplits("\n   \t\r\nPING\r\n", {Empty(), Empty(), Ok({"PING"})});
  ExpectAllSplits("*0\r\n*1\r\n$4\r\nPING\r\n", {Empty(), Ok({"PING"})});
  ExpectAllSplits("*-1\r\n*-10\r\nPING\r\n", {Empty(), Empty(), Ok({"PING"})});
  Parser p;
  EXPECT_EQ(p.Parse(""), R::kIncomplete);
  EXPECT_EQ(p.Parse("*0\r\nxyz"), R::kEmpty);
  EXPECT_EQ(p.consumed(), 4u);
}

TEST(Parser, Pipelined) {
  const std::string in =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
      "PING\r\n"
      "*0\r\n"
      "*1\r\n$4\r\nQUIT\r\n";
  ExpectAllSplits(in,
                  {Ok({"SET", "k", "v"}), Ok({"GET", "k"}), Ok({"PING"}), Empty(), Ok({"QUIT"})});
  // consumed() covers exactly one request.
  Parser p;
  ASSERT_EQ(p.Parse(in), R::kOk);
  EXPECT_EQ(p.consumed(), 27u);
}

TEST(Parser, BinaryArguments) {
  const std::string value = "a\0b\r\nc\r"s;
  const std::string in = "*2\r\n$4\r\nECHO\r\n$" + std::to_string(value.size()) + "\r\n" + value +
                         "\r\n*1\r\n$1\r\n\0\r\n"s;
  ExpectAllSplits(in, {Ok({"ECHO", value}), Ok({"\0"s})});
}

TEST(Parser, ArgsAreViewsIntoTheInput) {
  Parser p;
  const std::string in = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  ASSERT_EQ(p.Parse(in), R::kOk);
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_EQ(p.args()[1].data(), in.data() + 17);
  const std::string inl = "GET key\r\n";
  ASSERT_EQ(p.Parse(inl), R::kOk);
  EXPECT_EQ(p.args()[1].data(), inl.data() + 4);
}

TEST(Parser, BytesAfterCrAndAfterPayloadAreNotChecked) {
  // Redis skips the byte after each '\r' and the two bytes after a payload unseen.
  ExpectAllSplits("*2\rX$4\rYECHOab$1\r\nvcd", {Ok({"ECHO", "v"})});
}

TEST(Parser, MultibulkLengthErrors) {
  const std::string e = "ERR Protocol error: invalid multibulk length";
  ExpectAllSplits("*abc\r\n", {Err(e)});
  ExpectAllSplits("*\r\n", {Err(e)});
  ExpectAllSplits("* 1\r\n", {Err(e)});
  ExpectAllSplits("*01\r\n", {Err(e)});
  ExpectAllSplits("*+1\r\n", {Err(e)});
  ExpectAllSplits("*-0\r\n", {Err(e)});
  ExpectAllSplits("*1 \r\n", {Err(e)});
  ExpectAllSplits("*2147483648\r\n", {Err(e)});
  ExpectAllSplits("*3000000000\r\n", {Err(e)});
  ExpectAllSplits("*99999999999999999999\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$4\r\nPING\r\n*x\r\n", {Ok({"PING"}), Err(e)});
  // INT_MAX itself is allowed and simply waits for its bulks.
  EXPECT_TRUE(ParseOneShot("*2147483647\r\n").empty());
  EXPECT_TRUE(ParseOneShot("*1048577\r\n$3\r\nfoo\r\n").empty());
}

TEST(Parser, BulkLengthErrors) {
  const std::string e = "ERR Protocol error: invalid bulk length";
  ExpectAllSplits("*2\r\n$3\r\nGET\r\n$-5\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$-1\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$blabla\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$03\r\nfoo\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$536870913\r\n", {Err(e)});
  ExpectAllSplits("*1\r\n$2000000000\r\n", {Err(e)});
  // Exactly proto-max-bulk-len waits for the data, and says how much it needs.
  Parser p;
  EXPECT_EQ(p.Parse("*1\r\n$536870912\r\n"), R::kIncomplete);
  EXPECT_EQ(p.bytes_needed(), 16u + 536870912u + 2u);
  ParserLimits small;
  small.max_bulk_len = 5;
  ExpectAllSplits("*1\r\n$5\r\nhello\r\n", {Ok({"hello"})}, small);
  ExpectAllSplits("*1\r\n$6\r\nhello!\r\n", {Err(e)}, small);
}

TEST(Parser, ExpectedDollar) {
  ExpectAllSplits("*2\r\n$3\r\nGET\r\nfoo\r\n", {Err("ERR Protocol error: expected '$', got 'f'")});
  ExpectAllSplits("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
                  {Err("ERR Protocol error: expected '$', got 'f'")});
  // Redis only looks once the header line is complete.
  EXPECT_TRUE(ParseOneShot("*2\r\n$3\r\nGET\r\nfoo").empty());
  // CR and LF are shown as spaces so that the reply stays one line.
  ExpectAllSplits("*1\r\n\r\n", {Err("ERR Protocol error: expected '$', got ' '")});
  ExpectAllSplits("*1\r\n\n\r\n", {Err("ERR Protocol error: expected '$', got ' '")});
  ExpectAllSplits("*1\r\n:1\r\n", {Err("ERR Protocol error: expected '$', got ':'")});
}

TEST(Parser, TooBigLines) {
  const std::string inline_err = "ERR Protocol error: too big inline request";
  // 65536 bytes of line are allowed; one more with no newline is an error.
  const std::string max_line = "ECHO " + std::string(65536 - 5, 'a');
  EXPECT_EQ(ParseOneShot(max_line), std::vector<Event>{});
  EXPECT_EQ(ParseOneShot(max_line + "\n"), (std::vector<Event>{Ok({"ECHO", max_line.substr(5)})}));
  EXPECT_EQ(ParseOneShot(max_line + "a"), std::vector<Event>{Err(inline_err)});
  EXPECT_EQ(ParseOneShot(std::string(70000, 'x')), std::vector<Event>{Err(inline_err)});
  // Split-independent: a line that is too long fails even when its '\n' arrived with it.
  EXPECT_EQ(ParseOneShot(std::string(70000, 'x') + "\n"), std::vector<Event>{Err(inline_err)});

  EXPECT_EQ(ParseOneShot("*" + std::string(70000, '1')),
            std::vector<Event>{Err("ERR Protocol error: too big mbulk count string")});
  EXPECT_EQ(ParseOneShot("*1\r\n$" + std::string(70000, '1')),
            std::vector<Event>{Err("ERR Protocol error: too big bulk count string")});
  // The header byte is only checked once the line ended.
  EXPECT_EQ(ParseOneShot("*1\r\n" + std::string(70000, 'x')),
            std::vector<Event>{Err("ERR Protocol error: too big bulk count string")});

  ParserLimits small;
  small.max_inline_len = 8;
  ExpectAllSplits("12345678\nPING\n", {Ok({"12345678"}), Ok({"PING"})}, small);
  ExpectAllSplits("1234567\r\n", {Ok({"1234567"})}, small);
  ExpectAllSplits("12345678\r\n", {Err(inline_err)}, small);
  ExpectAllSplits("*0000001\r\n", {Err("ERR Protocol error: invalid multibulk length")}, small);
  ExpectAllSplits("*00000001\r\n", {Err("ERR Protocol error: too big mbulk count string")}, small);
  ExpectAllSplits("*1\r\n$0000001\r\nx\r\n", {Err("ERR Protocol error: invalid bulk length")},
                  small);
  ExpectAllSplits("*1\r\n$00000001\r\nx\r\n",
                  {Err("ERR Protocol error: too big bulk count string")}, small);
}

TEST(Parser, NulStopsTheSearchForTheLineEnd) {
  // Redis's protocol desync regression tests: after a NUL, newlines do not end the line, so
  // the request fails once 64 KiB are buffered.
  const std::string payload = std::string(1024, 'A') + "\n";
  for (const auto& [start, text] : std::vector<std::pair<std::string, std::string>>{
           {"\0"s, "too big inline request"},
           {"$\0"s, "too big inline request"},
           {"*\0"s, "too big mbulk count string"},
           {"*1\r\n$\0"s, "too big bulk count string"}}) {
    Feeder f;
    f.Feed(start);
    int chunks = 0;
    while (f.Feed(payload)) ++chunks;
    EXPECT_EQ(chunks, 63) << testing::PrintToString(start);
    EXPECT_EQ(f.events(), std::vector<Event>{Err("ERR Protocol error: " + text)});
  }
  // Before the NUL, a line ends normally.
  ExpectAllSplits("PING\n\0"s, {Ok({"PING"})});
}

TEST(Parser, UnbalancedQuotes) {
  const std::string e = "ERR Protocol error: unbalanced quotes in request";
  ExpectAllSplits("SET a \"b\r\n", {Err(e)});
  ExpectAllSplits("set \"\"\"test-key\"\"\" test-value\r\nping\r\n", {Err(e)});
  ExpectAllSplits("PING\r\nECHO 'a\nPING\r\n", {Ok({"PING"}), Err(e)});
  ExpectAllSplits("ECHO \"a\"b\r\n", {Err(e)});
}

TEST(Parser, UnauthenticatedLimits) {
  const std::string ten = "*10\r\n" + [] {
    std::string s;
    for (int i = 0; i < 10; ++i) s += "$1\r\nx\r\n";
    return s;
  }();
  ExpectAllSplits(ten, {Ok(std::vector<std::string>(10, "x"))}, {}, false);
  ExpectAllSplits("*11\r\n", {Err("ERR Protocol error: unauthenticated multibulk length")}, {},
                  false);
  const std::string big(16384, 'v');
  ExpectAllSplits("*2\r\n$4\r\nAUTH\r\n$16384\r\n" + big + "\r\n", {Ok({"AUTH", big})}, {}, false);
  ExpectAllSplits("*2\r\n$4\r\nAUTH\r\n$16385\r\n",
                  {Err("ERR Protocol error: unauthenticated bulk length")}, {}, false);
  // Validity comes first: a negative length is an invalid length even for a stranger.
  ExpectAllSplits("*1\r\n$-2\r\n", {Err("ERR Protocol error: invalid bulk length")}, {}, false);
  // Inline requests have no argument limit, as in Redis.
  EXPECT_EQ(ParseOneShot("a b c d e f g h i j k l\r\n", {}, false).size(), 1u);
  // Limits are configurable, and authentication can change between requests.
  ParserLimits lim;
  lim.unauth_max_multibulk = 1;
  Feeder f(lim, false);
  f.Feed("*1\r\n$4\r\nAUTH\r\n");
  f.parser().set_authenticated(true);
  f.Feed("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  EXPECT_EQ(f.events(), (std::vector<Event>{Ok({"AUTH"}), Ok({"GET", "k"})}));
}

TEST(Parser, CrossProtocolAttackClosesSilently) {
  for (const std::string& in : std::vector<std::string>{
           "POST / HTTP/1.1\r\n", "Host: 127.0.0.1:6379\r\n", "*1\r\n$4\r\npost\r\n",
           "*2\r\n$5\r\nHOST:\r\n$1\r\nx\r\n", "*1\r\n$6\r\nPoSt\0x\r\n"s}) {
    const auto events = ParseOneShot(in);
    ASSERT_EQ(events.size(), 1u) << testing::PrintToString(in);
    EXPECT_EQ(events[0].result, R::kError);
    EXPECT_TRUE(events[0].silent);
  }
  ExpectAllSplits("POSTS\r\nHOST x\r\n", {Ok({"POSTS"}), Ok({"HOST", "x"})});
  Parser p;
  EXPECT_EQ(p.Parse("*1\r\n$4\r\nPING\r\n"), R::kOk);
  EXPECT_FALSE(p.close_silently());
  EXPECT_EQ(p.Parse("*1\r\n$1\r\n"), R::kIncomplete);
  EXPECT_EQ(p.Parse("*1\r\n$1\r\nx\r\n"), R::kOk);
}

TEST(Parser, ResetForgetsAPartialRequest) {
  Parser p;
  EXPECT_EQ(p.Parse("*2\r\n$3\r\nGET\r\n"), R::kIncomplete);
  p.Reset();
  ASSERT_EQ(p.Parse("PING\r\n"), R::kOk);
  EXPECT_EQ(p.args()[0], "PING");
  // A buffer that shrank (the caller started over without Reset) is also parsed afresh.
  EXPECT_EQ(p.Parse("*2\r\n$3\r\nGET\r\n$5\r\nab"), R::kIncomplete);
  ASSERT_EQ(p.Parse("ECHO x\r\n"), R::kOk);
  EXPECT_EQ(p.args()[1], "x");
}

TEST(Parser, RandomSplitsOfARandomStream) {
  std::mt19937 rng(42);
  auto rand_bytes = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
    return s;
  };
  std::string stream;
  std::vector<Event> want;
  for (int i = 0; i < 300; ++i) {
    switch (rng() % 4) {
      case 0: {
        std::vector<std::string> args;
        std::string req = "*";
        const int n = 1 + rng() % 5;
        req += std::to_string(n) + "\r\n";
        for (int j = 0; j < n; ++j) {
          // A random first argument could be "post"; commands are never random here.
          args.push_back(j == 0 ? "CMD" + rand_bytes(rng() % 8) : rand_bytes(rng() % 40));
          req += "$" + std::to_string(args.back().size()) + "\r\n" + args.back() + "\r\n";
        }
        stream += req;
        want.push_back(Ok(args));
        break;
      }
      case 1:
        stream += "ECHO \"\\x41\\n\" 'b c'\r\n";
        want.push_back(Ok({"ECHO", "A\n", "b c"}));
        break;
      case 2:
        stream += rng() % 2 ? "\r\n" : "*0\r\n";
        want.push_back(Empty());
        break;
      case 3:
        stream += "PING\n";
        want.push_back(Ok({"PING"}));
        break;
    }
  }
  for (int trial = 0; trial < 50; ++trial) {
    Feeder f;
    for (size_t pos = 0; pos < stream.size();) {
      const size_t n = std::min<size_t>(stream.size() - pos, 1 + rng() % 64);
      f.Feed(std::string_view(stream).substr(pos, n));
      pos += n;
    }
    ASSERT_EQ(f.events(), want) << "trial " << trial;
    EXPECT_TRUE(f.pending().empty());
  }
}

TEST(Parser, HugeBulkInSmallPiecesIsLinear) {
  const size_t size = 10 * 1024 * 1024;
  std::string payload(size, 'x');
  for (size_t i = 0; i < size; i += 4093) payload[i] = static_cast<char>(i % 256);
  const std::string in = "*2\r\n$3\r\nSET\r\n$" + std::to_string(size) + "\r\n" + payload + "\r\n";
  Parser p;
  std::string buf;
  size_t calls = 0;
  R r = R::kIncomplete;
  for (size_t pos = 0; pos < in.size(); pos += 4096) {
    buf.append(in, pos, 4096);
    r = p.Parse(buf);
    ++calls;
    if (r != R::kOk) {
      ASSERT_EQ(r, R::kIncomplete);
      if (buf.size() > 30) {
        EXPECT_EQ(p.bytes_needed(), in.size());
      }
    }
  }
  ASSERT_EQ(r, R::kOk);
  EXPECT_EQ(calls, (in.size() + 4095) / 4096);
  EXPECT_EQ(p.consumed(), in.size());
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_TRUE(p.args()[1] == payload);
  // Only the header lines were searched, once each.
  EXPECT_LT(p.bytes_scanned(), 32u);
}

TEST(Parser, HugeMultibulkInSmallPiecesIsLinear) {
  const int n = 1'048'577;
  std::string in = "*" + std::to_string(n) + "\r\n";
  for (int i = 0; i < n; ++i) in += "$1\r\nx\r\n";
  Parser p;
  std::string buf;
  R r = R::kIncomplete;
  for (size_t pos = 0; pos < in.size(); pos += 4096) {
    buf.append(in, pos, 4096);
    r = p.Parse(buf);
    if (r != R::kOk) {
      ASSERT_EQ(r, R::kIncomplete);
    }
  }
  ASSERT_EQ(r, R::kOk);
  EXPECT_EQ(p.args().size(), static_cast<size_t>(n));
  // Each byte of the header lines is examined once however the input was split.
  EXPECT_LE(p.bytes_scanned(), in.size());
}

TEST(Parser, DeclaredCountDoesNotAllocate) {
  Parser p;
  ASSERT_EQ(p.Parse("*1\r\n$1\r\nx\r\n"), R::kOk);  // warm up
  g_largest_alloc = 0;
  EXPECT_EQ(p.Parse("*2147483647\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"), R::kIncomplete);
  EXPECT_LT(g_largest_alloc.load(), 64u * 1024);
}

// sdssplitargs behaviour, case by case.
TEST(SplitInlineArgs, RedisCases) {
  struct Case {
    std::string line;
    bool ok;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {"", true, {}},
      {"   \t ", true, {}},
      {"foo bar \"newline are supported\\n\" and \"\\xff\\x00otherstuff\"",
       true,
       {"foo", "bar", "newline are supported\n", "and", "\xff\0otherstuff"s}},
      {"\"\\x41\\x4a\\x4A\"", true, {"AJJ"}},
      {"\"\\x4\"", true, {"x4"}},
      {"\"\\xZZ\"", true, {"xZZ"}},
      {"\"\\q\\\\\\\"\"", true, {"q\\\""}},
      {"\"\\n\\r\\t\\b\\a\"", true, {"\n\r\t\b\a"}},
      {"'a\\nb'", true, {"a\\nb"}},
      {"'it\\'s'", true, {"it's"}},
      {"\"\" ''", true, {"", ""}},
      {"a\"b c\"d", false, {}},
      {"a\"b c\"", true, {"ab c"}},
      {"a'b c' d", true, {"ab c", "d"}},
      {"\"foo\"bar", false, {}},
      {"\"foo'", false, {}},
      {"'foo'bar", false, {}},
      {"'foo", false, {}},
      {"\"foo", false, {}},
      {"\"foo\\", false, {}},
      {"\"foo\\\"", false, {}},
      {"'a'\"b\"", false, {}},
      {"\"a\"\v\"b\"\f", true, {"a", "b"}},
      {"a\vb \fc", true, {"a\vb", "c"}},
      {"a\rb\nc", true, {"a", "b", "c"}},
      {"a\0b"s, true, {"a"}},
      {"\"a\0b\""s, false, {}},
      {"\xff\x80 \xa0", true, {"\xff\x80", "\xa0"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> out = {"stale"};
    EXPECT_EQ(SplitInlineArgs(c.line, &out), c.ok) << testing::PrintToString(c.line);
    EXPECT_EQ(out, c.args) << testing::PrintToString(c.line);
  }
}

}  // namespace
}  // namespace strata::resp
