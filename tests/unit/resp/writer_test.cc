#include "resp/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace strata::resp {
namespace {

using namespace std::string_literals;

// Runs `f` against a writer of protocol `proto` and returns the bytes it wrote.
template <typename F>
std::string Write(int proto, F f) {
  std::string out;
  Writer w(&out, proto);
  f(w);
  return out;
}

TEST(Writer, SameInBothProtocols) {
  for (int proto : {2, 3}) {
    SCOPED_TRACE(proto);
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Ok(); }), "+OK\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Simple("PONG"); }), "+PONG\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Simple(""); }), "+\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Simple("a\r\nb"); }), "+a  b\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Error("ERR syntax error"); }),
              "-ERR syntax error\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Error("ERR unknown command 'a\r\nb'"); }),
              "-ERR unknown command 'a  b'\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Integer(0); }), ":0\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Integer(-1); }), ":-1\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Integer(1234567890123); }), ":1234567890123\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Integer(INT64_MAX); }), ":9223372036854775807\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Integer(INT64_MIN); }), ":-9223372036854775808\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Bulk(""); }), "$0\r\n\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Bulk("foo"); }), "$3\r\nfoo\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.Bulk("a\0\r\nb"s); }), "$5\r\na\0\r\nb\r\n"s);
    const std::string big(100000, 'z');
    EXPECT_EQ(Write(proto, [&](Writer& w) { w.Bulk(big); }), "$100000\r\n" + big + "\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.ArrayHeader(0); }), "*0\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.ArrayHeader(3); }), "*3\r\n");
    EXPECT_EQ(Write(proto, [](Writer& w) { w.ArrayHeader(-1); }), "*-1\r\n");
  }
}

TEST(Writer, Resp2Degradation) {
  EXPECT_EQ(Write(2, [](Writer& w) { w.Null(); }), "$-1\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.NullArray(); }), "*-1\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.MapHeader(7); }), "*14\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.MapHeader(0); }), "*0\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.SetHeader(2); }), "*2\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.PushHeader(3); }), "*3\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.Bool(true); }), ":1\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.Bool(false); }), ":0\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.Verbatim("# Server\r\nx:1"); }),
            "$13\r\n# Server\r\nx:1\r\n");
  EXPECT_EQ(Write(2, [](Writer& w) { w.Verbatim("", "mkd"); }), "$0\r\n\r\n");
}

TEST(Writer, Resp3Types) {
  EXPECT_EQ(Write(3, [](Writer& w) { w.Null(); }), "_\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.NullArray(); }), "_\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.MapHeader(7); }), "%7\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.SetHeader(2); }), "~2\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.PushHeader(3); }), ">3\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.Bool(true); }), "#t\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.Bool(false); }), "#f\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.Verbatim("# Server\r\nx:1"); }),
            "=17\r\ntxt:# Server\r\nx:1\r\n");
  EXPECT_EQ(Write(3, [](Writer& w) { w.Verbatim("", "mkd"); }), "=4\r\nmkd:\r\n");
}

TEST(Writer, Doubles) {
  struct Case {
    double v;
    std::string text;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const Case& c : std::vector<Case>{
           {1.5, "1.5"},
           {0, "0"},
           {-0.0, "-0"},
           {3, "3"},
           {-2.25, "-2.25"},
           {0.1, "0.10000000000000001"},
           {1e100, "1e+100"},
           {1e-7, "9.9999999999999995e-08"},
           {123456789012345678.0, "1.2345678901234568e+17"},
           {12345678901234567.0, "12345678901234568"},
           {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
           {std::numeric_limits<double>::denorm_min(), "4.9406564584124654e-324"},
           {inf, "inf"},
           {-inf, "-inf"},
           {nan, "nan"},
           {-nan, "nan"},
       }) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(Write(3, [&](Writer& w) { w.Double(c.v); }), "," + c.text + "\r\n");
    EXPECT_EQ(Write(2, [&](Writer& w) { w.Double(c.v); }),
              "$" + std::to_string(c.text.size()) + "\r\n" + c.text + "\r\n");
    // The same text as printf's %.17g, which Redis 7.0 uses.
    if (std::isfinite(c.v)) {
      char buf[64];
      snprintf(buf, sizeof(buf), "%.17g", c.v);
      EXPECT_EQ(c.text, buf);
    }
  }
}

TEST(Writer, AppendsAndSwitchesProtocol) {
  std::string out = "existing";
  Writer w(&out);
  EXPECT_EQ(w.proto(), 2);
  EXPECT_EQ(w.buffer(), &out);
  w.MapHeader(1);
  w.Bulk("k");
  w.Null();
  w.set_proto(3);
  EXPECT_EQ(w.proto(), 3);
  w.MapHeader(1);
  w.Bulk("k");
  w.Null();
  EXPECT_EQ(out, "existing*2\r\n$1\r\nk\r\n$-1\r\n%1\r\n$1\r\nk\r\n_\r\n");
}

// A HELLO 3 reply as Redis 7.0.15 sends it (a 7-entry map), built from the writer.
TEST(Writer, HelloReplyShape) {
  const std::string got = Write(3, [](Writer& w) {
    w.MapHeader(7);
    w.Bulk("server");
    w.Bulk("redis");
    w.Bulk("version");
    w.Bulk("7.0.15");
    w.Bulk("proto");
    w.Integer(3);
    w.Bulk("id");
    w.Integer(5);
    w.Bulk("mode");
    w.Bulk("standalone");
    w.Bulk("role");
    w.Bulk("master");
    w.Bulk("modules");
    w.ArrayHeader(0);
  });
  EXPECT_EQ(got,
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:"
            "3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster"
            "\r\n$7\r\nmodules\r\n*0\r\n");
}

TEST(Writer, IntegersMatchDecimalFormatting) {
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 10000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int64_t v = static_cast<int64_t>(x) >> (x % 64);
    std::string out;
    Writer w(&out);
    w.Integer(v);
    ASSERT_EQ(out, ":" + std::to_string(v) + "\r\n");
    out.clear();
    w.ArrayHeader(v);
    ASSERT_EQ(out, "*" + std::to_string(v) + "\r\n");
  }
}

}  // namespace
}  // namespace strata::resp
