// Protocol family: malformed requests (exact error, then the connection closes while others
// are unaffected), unknown-command and arity texts, pipelining, binary safety, big values,
// concurrent clients, request size limits, RESP3 reply types.
// Every expected byte string below was measured on redis-server 7.0.15.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class ProtocolTest : public ServerTest {};

struct BadRequest {
  const char* name;
  std::string request;
  std::string reply;  // the whole output before the close
};

std::vector<BadRequest> BadRequests() {
  const std::string kBulk = "-ERR Protocol error: invalid bulk length\r\n";
  const std::string kMulti = "-ERR Protocol error: invalid multibulk length\r\n";
  return {
      {"negative bulk length", "*2\r\n$3\r\nGET\r\n$-5\r\n", kBulk},
      {"bulk length over 512MB", "*2\r\n$3\r\nGET\r\n$536870913\r\n", kBulk},
      {"bulk length not a number", "*2\r\n$4\r\nECHO\r\n$x\r\n", kBulk},
      {"bulk length with a space", "*1\r\n$4 \r\nPING\r\n", kBulk},
      {"multibulk length not a number", "*abc\r\n", kMulti},
      {"multibulk length over INT_MAX", "*2147483648\r\n", kMulti},
      {"multibulk length with a space", "*1 \r\n$4\r\nPING\r\n", kMulti},
      {"multibulk length with a plus sign", "*+1\r\n$4\r\nPING\r\n", kMulti},
      {"multibulk length with a leading zero", "*01\r\n$4\r\nPING\r\n", kMulti},
      {"missing $ in multibulk", "*2\r\n$3\r\nGET\r\nfoo\r\n",
       "-ERR Protocol error: expected '$', got 'f'\r\n"},
      {"unbalanced double quote", "SET a \"b\r\n",
       "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"closing quote followed by a letter", "SET k 'it''s'\r\n",
       "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"inline request over 64KB", std::string(70000, 'a'),
       "-ERR Protocol error: too big inline request\r\n"},
      {"multibulk count line over 64KB", "*" + std::string(70000, '1'),
       "-ERR Protocol error: too big mbulk count string\r\n"},
      {"bulk count line over 64KB", "*2\r\n$" + std::string(70000, '1'),
       "-ERR Protocol error: too big bulk count string\r\n"},
      {"valid command then garbage", "*1\r\n$4\r\nPING\r\n" + std::string(70000, 'a'),
       "+PONG\r\n-ERR Protocol error: too big inline request\r\n"},
  };
}

TEST_F(ProtocolTest, MalformedRequestsGetErrorAndClose) {
  RawConn bystander = server_.Raw();
  ASSERT_EQ(bystander.Exchange("SET k before\r\n"), "+OK\r\n");
  for (const BadRequest& bad : BadRequests()) {
    SCOPED_TRACE(bad.name);
    RawConn conn = server_.Raw();
    ASSERT_TRUE(conn.ok());
    conn.Send(bad.request);  // the server may close before it has read everything
    bool closed = false;
    EXPECT_EQ(conn.ReadUntilClose(10s, &closed), bad.reply);
    EXPECT_TRUE(closed) << "the connection must be closed after a protocol error";
    EXPECT_EQ(bystander.Exchange("GET k\r\n"), "$6\r\nbefore\r\n") << "others are unaffected";
  }
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ProtocolTest, CrossProtocolRequestsAreDropped) {
  for (const char* req : {"POST / HTTP/1.1\r\nHost: x\r\n\r\n", "Host: example.com\r\n"}) {
    RawConn conn = server_.Raw();
    conn.Send(req);
    bool closed = false;
    EXPECT_EQ(conn.ReadUntilClose(10s, &closed), "") << req;
    EXPECT_TRUE(closed) << req;
  }
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ProtocolTest, IncompleteRequestsWait) {
  // Exactly 512 MB is a legal bulk length: the server waits for the data.
  RawConn big = server_.Raw();
  ASSERT_TRUE(big.Send("*2\r\n$3\r\nGET\r\n$536870912\r\n"));
  // A million-plus arguments are legal for an authenticated client.
  RawConn many = server_.Raw();
  ASSERT_TRUE(many.Send("*1048577\r\n"));
  RawConn partial = server_.Raw();
  ASSERT_TRUE(partial.Send("*1\r\n$4\r\nPI"));
  EXPECT_EQ(big.ReadFor(200ms), "");
  EXPECT_EQ(many.ReadFor(10ms), "");
  EXPECT_EQ(partial.ReadFor(10ms), "");
  ASSERT_TRUE(partial.Send("NG\r\n"));
  EXPECT_EQ(partial.ReadReplies(1), "+PONG\r\n");
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ProtocolTest, BulkWithoutMultibulkIsInline) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("$3\r\nfoo\r\n", 2),
            "-ERR unknown command '$3', with args beginning with: \r\n"
            "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
}

TEST_F(ProtocolTest, UnknownCommandText) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("*3\r\n$9\r\nnosuchcmd\r\n$1\r\na\r\n$1\r\nb\r\n"),
            "-ERR unknown command 'nosuchcmd', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(raw.Exchange("NOSUCH a b\r\n"),
            "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(raw.Exchange("NoSuch\r\n"),
            "-ERR unknown command 'NoSuch', with args beginning with: \r\n");
  // Arguments are cut off once the list reaches 128 bytes.
  EXPECT_EQ(raw.Exchange("NOSUCH " + std::string(200, 'a') + " b c\r\n"),
            "-ERR unknown command 'NOSUCH', with args beginning with: '" + std::string(128, 'a') +
                "' \r\n");
  std::string many_args = "NOSUCH";
  std::string shown;
  for (int i = 0; i < 80; ++i) many_args += " ab";
  for (int i = 0; i < 26; ++i) shown += "'ab' ";
  EXPECT_EQ(raw.Exchange(many_args + "\r\n"),
            "-ERR unknown command 'NOSUCH', with args beginning with: " + shown + "\r\n");
  // The name is cut at 128 bytes.
  EXPECT_EQ(
      raw.Exchange(std::string(200, 'X') + " a\r\n"),
      "-ERR unknown command '" + std::string(128, 'X') + "', with args beginning with: 'a' \r\n");
  // CR and LF inside arguments become spaces so the error stays one line.
  EXPECT_EQ(raw.Exchange("*3\r\n$6\r\nnosuch\r\n$4\r\na\r\nb\r\n$1\r\nc\r\n"),
            "-ERR unknown command 'nosuch', with args beginning with: 'a  b' 'c' \r\n");
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n") << "unknown commands do not close";
}

TEST_F(ProtocolTest, ArityErrorsNameTheCommandInLowerCase) {
  struct Case {
    const char* request;
    const char* name;
  };
  for (const Case& c : std::vector<Case>{{"*1\r\n$3\r\nGET\r\n", "get"},
                                         {"get\r\n", "get"},
                                         {"SET k\r\n", "set"},
                                         {"GetSet k\r\n", "getset"},
                                         {"MGET\r\n", "mget"},
                                         {"INCR\r\n", "incr"},
                                         {"EXPIRE k\r\n", "expire"},
                                         {"SELECT\r\n", "select"},
                                         {"DBSIZE x\r\n", "dbsize"},
                                         {"CONFIG GET\r\n", "config|get"},
                                         {"CLIENT SETNAME\r\n", "client|setname"},
                                         {"COMMAND INFO\r\n", nullptr}}) {
    RawConn raw = server_.Raw();
    std::string reply = raw.Exchange(c.request);
    if (c.name == nullptr) {  // COMMAND INFO with no names lists every command (7.0+)
      EXPECT_EQ(reply.rfind("*", 0), 0u) << c.request;
      continue;
    }
    EXPECT_EQ(reply, std::string("-ERR wrong number of arguments for '") + c.name + "' command\r\n")
        << c.request;
    EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
  }
}

TEST_F(ProtocolTest, Pipelining10000CommandsInOneWrite) {
  std::string request;
  std::string expected;
  int counter = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string n = std::to_string(i / 3);
    switch (i % 3) {
      case 0:
        request += EncodeCommand({"SET", "k" + n, "v" + n});
        expected += "+OK\r\n";
        break;
      case 1:
        request += EncodeCommand({"GET", "k" + n});
        expected += "$" + std::to_string(n.size() + 1) + "\r\nv" + n + "\r\n";
        break;
      default:
        request += EncodeCommand({"INCR", "counter"});
        expected += ":" + std::to_string(++counter) + "\r\n";
    }
  }
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send(request));
  std::string got = raw.ReadReplies(10000, 60s);
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected)
      << "replies differ from position "
      << std::mismatch(got.begin(), got.end(), expected.begin(), expected.end()).first -
             got.begin();
  EXPECT_EQ(raw.ReadFor(50ms), "") << "exactly one reply per command";
  EXPECT_EQ(c_.Run("GET counter"), "$" + std::to_string(counter));
}

// The server reads ahead in pipelined input to prefetch the keys commands name (by the
// command table's key spec); replies must be as if it did not: SELECT inside the pipeline,
// multi-key commands, keyless commands, a key written then read in one batch, and a request
// split across writes.
TEST_F(ProtocolTest, PipelineAcrossDatabasesAndMultiKeyCommands) {
  std::string request;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    request += EncodeCommand({"SELECT", std::to_string(i % 3)});
    expected += "+OK\r\n";
    request += EncodeCommand({"MSET", "a" + n, "x" + n, "b" + n, "y"});
    expected += "+OK\r\n";
    request += EncodeCommand({"MGET", "a" + n, "missing", "b" + n});
    expected += "*3\r\n$" + std::to_string(n.size() + 1) + "\r\nx" + n + "\r\n$-1\r\n$1\r\ny\r\n";
    request += EncodeCommand({"PING"});
    expected += "+PONG\r\n";
    request += EncodeCommand({"DEL", "b" + n, "nope"});
    expected += ":1\r\n";
    request += EncodeCommand({"EXISTS", "a" + n, "b" + n});
    expected += ":1\r\n";
  }
  RawConn raw = server_.Raw();
  // Split mid-request, so that one read ends with an incomplete request.
  const size_t half = request.size() / 2 + 7;
  ASSERT_TRUE(raw.Send(request.substr(0, half)));
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(raw.Send(request.substr(half)));
  std::string got = raw.ReadReplies(300 * 6, 60s);
  EXPECT_TRUE(got == expected)
      << "replies differ from position "
      << std::mismatch(got.begin(), got.end(), expected.begin(), expected.end()).first -
             got.begin();
  for (int db = 0; db < 3; ++db) {
    c_.Run("SELECT " + std::to_string(db));
    EXPECT_EQ(c_.Run("DBSIZE"), ":100") << "db " << db;
  }
}

TEST_F(ProtocolTest, PipelinedInlineCommands) {
  std::string request;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    request += i % 2 == 0 ? "PING\r\n" : "ECHO " + std::to_string(i) + "\r\n";
    expected += i % 2 == 0 ? "+PONG\r\n"
                           : "$" + std::to_string(std::to_string(i).size()) + "\r\n" +
                                 std::to_string(i) + "\r\n";
  }
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send(request));
  EXPECT_TRUE(raw.ReadReplies(10000, 60s) == expected);
}

TEST_F(ProtocolTest, PipelineWithHiredis) {
  for (int i = 0; i < 5000; ++i) {
    c_.Append({"SET", "key:" + std::to_string(i), std::to_string(i)});
    c_.Append({"INCR", "key:" + std::to_string(i)});
  }
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(Show(c_.GetReply()), "+OK");
    ASSERT_EQ(Show(c_.GetReply()), ":" + std::to_string(i + 1));
  }
  EXPECT_EQ(c_.Run("DBSIZE"), ":5000");
}

TEST_F(ProtocolTest, BinaryKeysAndValues) {
  const std::string key = "bin\0key\r\n"s;
  const std::string value = "\0\r\n$3\r\n*1\r\n\xff\xfe"s;
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange(EncodeCommand({"SET", key, value})), "+OK\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"GET", key})),
            "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"GET", "bin"})), "$-1\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"STRLEN", key})),
            ":" + std::to_string(value.size()) + "\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"KEYS", "bin*"})),
            "*1\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"APPEND", key, "\0"s})),
            ":" + std::to_string(value.size() + 1) + "\r\n");
  EXPECT_EQ(raw.Exchange(EncodeCommand({"GETRANGE", key, "0", "2"})), "$3\r\n\0\r\n\r\n"s);
  // All 256 byte values, as key and as value.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(c_.Run({"SET", all, all}), "+OK");
  Reply r = c_.Cmd({"GET", all});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_TRUE(std::string(r->str, r->len) == all);
}

TEST_F(ProtocolTest, TenMegabyteValueRoundTrip) {
  std::mt19937 rng(42);
  std::string value(10 * 1024 * 1024, '\0');
  for (auto& ch : value) ch = static_cast<char>(rng());
  EXPECT_EQ(c_.Run({"SET", "big", value}), "+OK");
  Reply r = c_.Cmd({"GET", "big"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  ASSERT_EQ(r->len, value.size());
  EXPECT_TRUE(std::string_view(r->str, r->len) == value);
  EXPECT_EQ(c_.Run("STRLEN big"), ":10485760");
  RawConn raw = server_.Raw();
  std::string reply = raw.Exchange("GET big\r\n", 1, 60s);
  EXPECT_EQ(reply.size(), value.size() + 13);
  EXPECT_TRUE(reply == "$10485760\r\n" + value + "\r\n");
  EXPECT_EQ(c_.Run("APPEND big xyz"), ":10485763");
  EXPECT_EQ(c_.Run("GETRANGE big -3 -1"), "$xyz");
}

TEST_F(ProtocolTest, ConcurrentClientsInterleave) {
  constexpr int kPerThread = 5000;
  std::vector<std::vector<long long>> seen(2);
  std::vector<std::string> errors(2);
  auto worker = [&](int t) {
    Client c = server_.Connect();
    if (!c.ok()) {
      errors[t] = "connect failed";
      return;
    }
    for (int i = 0; i < kPerThread; i += 100) {
      for (int j = i; j < i + 100; ++j) {
        c.Append({"INCR", "shared"});
        c.Append({"SET", "t" + std::to_string(t) + ":" + std::to_string(j), std::to_string(j)});
      }
      for (int j = i; j < i + 100; ++j) {
        Reply a = c.GetReply();
        Reply b = c.GetReply();
        if (a == nullptr || a->type != REDIS_REPLY_INTEGER || Show(b) != "+OK") {
          errors[t] = "bad reply: " + Show(a) + " / " + Show(b);
          return;
        }
        seen[t].push_back(a->integer);
      }
    }
  };
  std::thread t0(worker, 0);
  std::thread t1(worker, 1);
  t0.join();
  t1.join();
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  EXPECT_EQ(c_.Run("GET shared"), "$" + std::to_string(2 * kPerThread));
  std::set<long long> all;
  for (const auto& s : seen) {
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end())) << "one client's INCRs are ordered";
    all.insert(s.begin(), s.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(2 * kPerThread)) << "INCR is atomic";
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), 2 * kPerThread);
  EXPECT_EQ(c_.Run("DBSIZE"), ":" + std::to_string(2 * kPerThread + 1));
  EXPECT_EQ(c_.Run("GET t1:4999"), "$4999");
}

TEST_F(ProtocolTest, Resp3ReplyTypes) {
  RawConn raw = server_.Raw();
  auto hello = ParseResp(raw.Exchange("HELLO 3\r\n"));
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->type, '%');
  struct Case {
    const char* request;
    std::string reply;
  };
  for (const Case& c : std::vector<Case>{
           {"RANDOMKEY\r\n", "_\r\n"},
           {"SET k v\r\n", "+OK\r\n"},
           {"GET k\r\n", "$1\r\nv\r\n"},
           {"GET nokey\r\n", "_\r\n"},
           {"MGET k nokey\r\n", "*2\r\n$1\r\nv\r\n_\r\n"},
           {"INCR n\r\n", ":1\r\n"},
           {"INCRBYFLOAT f 1.5\r\n", "$3\r\n1.5\r\n"},
           {"EXISTS k\r\n", ":1\r\n"},
           {"TTL k\r\n", ":-1\r\n"},
           {"TYPE k\r\n", "+string\r\n"},
           {"SET k w GET\r\n", "$1\r\nv\r\n"},
           {"SET k2 v NX GET\r\n", "_\r\n"},
           {"SET k x NX\r\n", "_\r\n"},
           {"GETEX nokey\r\n", "_\r\n"},
           {"GETDEL nokey\r\n", "_\r\n"},
           {"CLIENT GETNAME\r\n", "_\r\n"},
           {"CONFIG GET databases\r\n", "%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n"},
           {"CONFIG GET nosuch\r\n", "%0\r\n"},
           {"COMMAND INFO nosuch\r\n", "*1\r\n_\r\n"},
           {"KEYS nomatch*\r\n", "*0\r\n"},
           {"ECHO x\r\n", "$1\r\nx\r\n"},
           {"PING\r\n", "+PONG\r\n"},
           {"INCR k\r\n", "-ERR value is not an integer or out of range\r\n"},
           {"NOSUCH\r\n", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
       }) {
    EXPECT_EQ(raw.Exchange(c.request), c.reply) << c.request;
  }
  // Server-generated text is a verbatim string ("=<len>\r\ntxt:...").
  std::string info = raw.Exchange("INFO server\r\n");
  auto v = ParseResp(info);
  ASSERT_TRUE(v.has_value()) << info.substr(0, 100);
  EXPECT_EQ(v->type, '=');
  EXPECT_EQ(v->str.rfind("txt:# Server\r\n", 0), 0u) << v->str.substr(0, 40);
  v = ParseResp(raw.Exchange("CLIENT INFO\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '=');
  EXPECT_EQ(v->str.rfind("txt:id=", 0), 0u) << v->str.substr(0, 40);
  v = ParseResp(raw.Exchange("SCAN 0\r\n"));
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->type, '*');
  ASSERT_EQ(v->elems.size(), 2u);
  EXPECT_EQ(v->elems[0].type, '$');
  EXPECT_EQ(v->elems[1].type, '*');
  v = ParseResp(raw.Exchange("TIME\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '*');
  // RESP2 clients are not affected by another connection's HELLO 3.
  EXPECT_EQ(c_.Run("GET nokey"), "(nil)");
  RawConn resp2 = server_.Raw();
  EXPECT_EQ(resp2.Exchange("GET nokey\r\n"), "$-1\r\n");
  EXPECT_EQ(resp2.Exchange("CONFIG GET databases\r\n"), "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
  auto i2 = ParseResp(resp2.Exchange("INFO server\r\n"));
  ASSERT_TRUE(i2.has_value());
  EXPECT_EQ(i2->type, '$');
}

class SmallLimitsTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--proto-max-bulk-len", "2mb", "--client-query-buffer-limit", "1mb"};
  }
};

TEST_F(SmallLimitsTest, ProtoMaxBulkLen) {
  EXPECT_EQ(c_.Run("CONFIG GET proto-max-bulk-len"), "[$proto-max-bulk-len, $2097152]");
  RawConn raw = server_.Raw();
  raw.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097153\r\n");
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(closed);
  // SETRANGE and APPEND use the same limit.
  EXPECT_EQ(c_.Run("SETRANGE k 2097152 x"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(SmallLimitsTest, QueryBufferLimitClosesConnection) {
  EXPECT_EQ(c_.Run("CONFIG GET client-query-buffer-limit"),
            "[$client-query-buffer-limit, $1048576]");
  RawConn small = server_.Raw();
  EXPECT_EQ(small.Exchange(EncodeCommand({"SET", "ok", std::string(900000, 'a')})), "+OK\r\n");
  RawConn raw = server_.Raw();
  raw.Send(EncodeCommand({"SET", "k", std::string(1500000, 'a')}));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_EQ(c_.Run("EXISTS k"), ":0");
  EXPECT_EQ(c_.Run("STRLEN ok"), ":900000");
}

class OutputBufferLimitTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--client-output-buffer-limit", "normal 1mb 1mb 0"};
  }
};

TEST_F(OutputBufferLimitTest, ClientThatDoesNotReadIsDisconnected) {
  EXPECT_EQ(c_.Run({"SET", "big", std::string(100000, 'x')}), "+OK");
  Reply id = c_.Cmd("CLIENT ID");
  ASSERT_EQ(id->type, REDIS_REPLY_INTEGER);
  RawConn slow = server_.Raw();
  ASSERT_TRUE(slow.Send("CLIENT ID\r\n"));
  auto slow_id = ParseResp(slow.ReadReply().value_or(""));
  ASSERT_TRUE(slow_id.has_value());
  // 100 MB of replies that this client never reads.
  std::string request;
  for (int i = 0; i < 1000; ++i) request += "GET big\r\n";
  ASSERT_TRUE(slow.Send(request));
  const std::string needle = "id=" + std::to_string(slow_id->integer) + " ";
  EXPECT_TRUE(PollUntil(
      [&] {
        Reply list = c_.Cmd("CLIENT LIST");
        return list != nullptr && list->type == REDIS_REPLY_STRING &&
               std::string(list->str, list->len).find(needle) == std::string::npos;
      },
      30s, 50ms))
      << "a client over the hard output limit is disconnected";
  bool closed = false;
  std::string got = slow.ReadUntilClose(30s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(got.size(), 1000u * 100000u);
  EXPECT_EQ(c_.Run("STRLEN big"), ":100000") << "other clients are unaffected";
}

TEST_F(OutputBufferLimitTest, ConfigGetShowsTheLimits) {
  EXPECT_EQ(c_.Run("CONFIG GET client-output-buffer-limit"),
            "[$client-output-buffer-limit, $normal 1048576 1048576 0 slave 268435456 67108864 60 "
            "pubsub 33554432 8388608 60]");
}

}  // namespace
}  // namespace strata::integration
