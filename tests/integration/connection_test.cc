// Connection family: PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT *.
// Every expected byte string below was measured on redis-server 7.0.15.
#include <algorithm>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

class ConnectionTest : public ServerTest {
 protected:
  // redis_version from INFO server.
  std::string Version() {
    Reply r = c_.Cmd({"INFO", "server"});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return "";
    return InfoField(std::string(r->str, r->len), "redis_version").value_or("");
  }

  // Reads CLIENT ID on a raw connection.
  static long long RawClientId(RawConn& raw) {
    auto v = ParseResp(raw.Exchange("CLIENT ID\r\n"));
    return v && v->type == ':' ? v->integer : -1;
  }
};

constexpr char kNoAuth[] = "-NOAUTH Authentication required.\r\n";
constexpr char kWrongPass[] = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// The exact HELLO reply: a 7-pair map in RESP3, a flat 14-element array in RESP2.
std::string HelloBytes(int proto, const std::string& version, long long id) {
  std::string s = proto == 3 ? "%7\r\n" : "*14\r\n";
  s += Bulk("server") + Bulk("redis");
  s += Bulk("version") + Bulk(version);
  s += Bulk("proto") + ":" + std::to_string(proto) + "\r\n";
  s += Bulk("id") + ":" + std::to_string(id) + "\r\n";
  s += Bulk("mode") + Bulk("standalone");
  s += Bulk("role") + Bulk("master");
  s += Bulk("modules") + "*0\r\n";
  return s;
}

// --- PING / ECHO / QUIT ----------------------------------------------------------------------

TEST_F(ConnectionTest, PingMultibulk) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("*1\r\n$4\r\nPING\r\n"), "+PONG\r\n");
  EXPECT_EQ(raw.Exchange("*2\r\n$4\r\nPING\r\n$5\r\nhello\r\n"), "$5\r\nhello\r\n");
  EXPECT_EQ(raw.Exchange("*2\r\n$4\r\nping\r\n$0\r\n\r\n"), "$0\r\n\r\n");
  EXPECT_EQ(raw.Exchange("*3\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\nb\r\n"),
            "-ERR wrong number of arguments for 'ping' command\r\n");
}

TEST_F(ConnectionTest, PingInline) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
  EXPECT_EQ(raw.Exchange("ping\r\n"), "+PONG\r\n");
  EXPECT_EQ(raw.Exchange("PING hello\r\n"), "$5\r\nhello\r\n");
  EXPECT_EQ(raw.Exchange("PING \"hello world\"\r\n"), "$11\r\nhello world\r\n");
  // A bare LF also ends an inline command.
  EXPECT_EQ(raw.Exchange("PING\nPING\n", 2), "+PONG\r\n+PONG\r\n");
}

TEST_F(ConnectionTest, EmptyInlineLinesAreIgnored) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("\r\n\r\nPING\r\n"), "+PONG\r\n");
  ASSERT_TRUE(raw.Send("\r\n"));
  EXPECT_EQ(raw.ReadFor(200ms), "");  // nothing at all comes back
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
}

TEST_F(ConnectionTest, EmptyAndNegativeMultibulkAreIgnored) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("*0\r\n*1\r\n$4\r\nPING\r\n"), "+PONG\r\n");
  EXPECT_EQ(raw.Exchange("*-1\r\n*1\r\n$4\r\nPING\r\n"), "+PONG\r\n");
  ASSERT_TRUE(raw.Send("*0\r\n*-1\r\n*0\r\n"));
  EXPECT_EQ(raw.ReadFor(200ms), "");
  EXPECT_EQ(raw.Exchange("*1\r\n$4\r\nPING\r\n"), "+PONG\r\n");
}

TEST_F(ConnectionTest, EchoIsBinarySafe) {
  const std::string value("a\0b\r\nc\xff", 7);
  EXPECT_EQ(c_.Run({"ECHO", value}), "$a\\x00b\\x0d\\x0ac\\xff");
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ECHO", value})), Bulk(value));
  EXPECT_EQ(raw.Exchange(EncodeCommand({"ECHO", ""})), "$0\r\n\r\n");
  EXPECT_EQ(raw.Exchange("ECHO \"a\\x00b\\r\\n\"\r\n"), Bulk(std::string("a\0b\r\n", 5)));
  EXPECT_EQ(c_.Run("ECHO"), "-ERR wrong number of arguments for 'echo' command");
  EXPECT_EQ(c_.Run("ECHO a b"), "-ERR wrong number of arguments for 'echo' command");
}

TEST_F(ConnectionTest, QuitRepliesOkThenCloses) {
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), "+OK\r\n");  // the PING is never answered
  EXPECT_TRUE(closed);

  RawConn inline_conn = server_.Raw();
  ASSERT_TRUE(inline_conn.Send("quit\r\n"));
  EXPECT_EQ(inline_conn.ReadUntilClose(10s, &closed), "+OK\r\n");
  EXPECT_TRUE(closed);
  EXPECT_EQ(c_.Run("PING"), "+PONG");  // others are unaffected
}

// --- HELLO -----------------------------------------------------------------------------------

TEST_F(ConnectionTest, HelloWithoutArgumentsIsRESP2Array) {
  const std::string version = Version();
  ASSERT_GE(MajorVersion(version), 7) << version;
  RawConn raw = server_.Raw();
  long long id = RawClientId(raw);
  ASSERT_GT(id, 0);
  EXPECT_EQ(raw.Exchange("HELLO\r\n"), HelloBytes(2, version, id));
  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "$-1\r\n");
}

TEST_F(ConnectionTest, Hello2) {
  const std::string version = Version();
  RawConn raw = server_.Raw();
  long long id = RawClientId(raw);
  EXPECT_EQ(raw.Exchange("HELLO 2\r\n"), HelloBytes(2, version, id));
  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "$-1\r\n");
  if (IsRedis()) {
    EXPECT_EQ(version, "7.0.15");
  }
}

TEST_F(ConnectionTest, Hello3IsRESP3MapAndNullsChange) {
  const std::string version = Version();
  ASSERT_GE(MajorVersion(version), 7) << version;
  RawConn raw = server_.Raw();
  long long id = RawClientId(raw);
  std::string reply = raw.Exchange(EncodeCommand({"HELLO", "3"}));
  EXPECT_EQ(reply, HelloBytes(3, version, id));
  // The field types clients check: keys are bulk strings, id and proto are integers.
  auto v = ParseResp(reply);
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->type, '%');
  ASSERT_EQ(v->elems.size(), 14u);
  for (size_t i = 0; i < v->elems.size(); i += 2) EXPECT_EQ(v->elems[i].type, '$');
  EXPECT_EQ(v->elems[5].type, ':');  // proto
  EXPECT_EQ(v->elems[7].type, ':');  // id

  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "_\r\n");
  EXPECT_EQ(raw.Exchange("SET k v\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("GET k\r\n"), "$1\r\nv\r\n");
  // Back to RESP2 on the same connection.
  EXPECT_EQ(raw.Exchange("HELLO 2\r\n"), HelloBytes(2, version, id));
  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "$-1\r\n");
}

TEST_F(ConnectionTest, HelloUnsupportedProtocol) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("HELLO 4\r\n"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(raw.Exchange("HELLO 1\r\n"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(raw.Exchange("HELLO x\r\n"),
            "-ERR Protocol version is not an integer or out of range\r\n");
  // A refused HELLO leaves the connection in RESP2.
  EXPECT_EQ(raw.Exchange("GET missing\r\n"), "$-1\r\n");
}

TEST_F(ConnectionTest, HelloSetnameAndOptionErrors) {
  RawConn raw = server_.Raw();
  auto v = ParseResp(raw.Exchange("HELLO 3 SETNAME myname\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '%');
  EXPECT_EQ(raw.Exchange("CLIENT GETNAME\r\n"), "$6\r\nmyname\r\n");
  EXPECT_EQ(raw.Exchange("HELLO 3 SETNAME\r\n"), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
  EXPECT_EQ(raw.Exchange("HELLO 3 AUTH default\r\n"),
            "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  EXPECT_EQ(raw.Exchange("HELLO 3 FOO\r\n"), "-ERR Syntax error in HELLO option 'FOO'\r\n");
}

TEST_F(ConnectionTest, HelloAuthWithoutPasswordConfigured) {
  // The default user has no password, so any password is accepted for it.
  RawConn raw = server_.Raw();
  auto v = ParseResp(raw.Exchange("HELLO 3 AUTH default whatever\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '%');
}

// --- AUTH ------------------------------------------------------------------------------------

class AuthTest : public ConnectionTest {
 protected:
  std::vector<std::string> ExtraArgs() const override { return {"--requirepass", "sekret"}; }
};

TEST_F(AuthTest, CommandsNeedAuthentication) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("GET a\r\n"), kNoAuth);
  EXPECT_EQ(raw.Exchange("PING\r\n"), kNoAuth);
  EXPECT_EQ(raw.Exchange("SELECT 1\r\n"), kNoAuth);
  EXPECT_EQ(raw.Exchange("CLIENT ID\r\n"), kNoAuth);
  EXPECT_EQ(raw.Exchange("CONFIG GET save\r\n"), kNoAuth);
  // Unknown command and arity errors come before the authentication check.
  EXPECT_EQ(raw.Exchange("NOSUCH\r\n"),
            "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
  EXPECT_EQ(raw.Exchange("GET\r\n"), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(raw.Exchange("AUTH sekret\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("GET a\r\n"), "$-1\r\n");
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
}

TEST_F(AuthTest, WrongPasswords) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("AUTH wrong\r\n"), kWrongPass);
  EXPECT_EQ(raw.Exchange("AUTH default wrong\r\n"), kWrongPass);
  EXPECT_EQ(raw.Exchange("AUTH bob sekret\r\n"), kWrongPass);
  EXPECT_EQ(raw.Exchange("AUTH a b c\r\n"), "-ERR syntax error\r\n");
  EXPECT_EQ(raw.Exchange("AUTH\r\n"), "-ERR wrong number of arguments for 'auth' command\r\n");
  EXPECT_EQ(raw.Exchange("GET a\r\n"), kNoAuth);
}

TEST_F(AuthTest, AuthDefaultUser) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("AUTH default sekret\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("SET a 1\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("GET a\r\n"), "$1\r\n1\r\n");
}

TEST_F(AuthTest, QuitAndResetAllowedBeforeAuth) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("AUTH sekret\r\n"), "+OK\r\n");
  // RESET drops the authentication again.
  EXPECT_EQ(raw.Exchange("RESET\r\n"), "+RESET\r\n");
  EXPECT_EQ(raw.Exchange("GET a\r\n"), kNoAuth);
  ASSERT_TRUE(raw.Send("QUIT\r\n"));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), "+OK\r\n");
  EXPECT_TRUE(closed);
}

TEST_F(AuthTest, HelloNeedsAuthOrAuthOption) {
  RawConn raw = server_.Raw();
  // Redis 7.0 and 7.2 word this error differently; either is acceptable.
  const std::string v70 =
      "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
      "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
      "protocol version at the same time\r\n";
  const std::string v72 =
      "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
      "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
      "RESP protocol version at the same time\r\n";
  std::string reply = raw.Exchange("HELLO 3\r\n");
  EXPECT_TRUE(reply == v70 || reply == v72) << reply;
  reply = raw.Exchange("HELLO\r\n");
  EXPECT_TRUE(reply == v70 || reply == v72) << reply;
  EXPECT_EQ(raw.Exchange("HELLO 3 AUTH default wrong\r\n"), kWrongPass);
  EXPECT_EQ(raw.Exchange("GET a\r\n"), kNoAuth);

  auto v = ParseResp(raw.Exchange("HELLO 3 AUTH default sekret\r\n"));
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->type, '%');
  ASSERT_EQ(v->elems.size(), 14u);
  EXPECT_EQ(v->elems[4].str, "proto");
  EXPECT_EQ(v->elems[5].integer, 3);
  EXPECT_EQ(raw.Exchange("GET a\r\n"), "_\r\n");

  RawConn raw2 = server_.Raw();
  v = ParseResp(raw2.Exchange("HELLO 2 AUTH default sekret SETNAME n2\r\n"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '*');
  EXPECT_EQ(raw2.Exchange("CLIENT GETNAME\r\n"), "$2\r\nn2\r\n");
}

TEST_F(AuthTest, UnauthenticatedRequestSizeLimits) {
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send("*11\r\n"));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed),
            "-ERR Protocol error: unauthenticated multibulk length\r\n");
  EXPECT_TRUE(closed);

  RawConn raw2 = server_.Raw();
  ASSERT_TRUE(raw2.Send("*2\r\n$4\r\nECHO\r\n$16385\r\n"));
  EXPECT_EQ(raw2.ReadUntilClose(10s, &closed),
            "-ERR Protocol error: unauthenticated bulk length\r\n");
  EXPECT_TRUE(closed);

  // Up to 10 arguments and 16 KiB per argument are fine before AUTH.
  RawConn raw3 = server_.Raw();
  ASSERT_TRUE(raw3.Send("*10\r\n"));
  EXPECT_EQ(raw3.ReadFor(200ms), "");
  raw3.Close();
  RawConn raw4 = server_.Raw();
  EXPECT_EQ(raw4.Exchange(EncodeCommand({"AUTH", std::string(16384, 'x')})), kWrongPass);
}

TEST_F(ConnectionTest, AuthWithoutConfiguredPassword) {
  EXPECT_EQ(c_.Run("AUTH x"),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
  // The default user is "nopass": any password works when the username is given.
  EXPECT_EQ(c_.Run("AUTH default x"), "+OK");
  EXPECT_EQ(c_.Run("AUTH someone x"),
            "-WRONGPASS invalid username-password pair or user is disabled.");
}

TEST_F(ConnectionTest, RequirepassSetAtRuntime) {
  EXPECT_EQ(c_.Run("SET a 1"), "+OK");
  EXPECT_EQ(c_.Run("CONFIG SET requirepass pw"), "+OK");
  RawConn fresh = server_.Raw();
  EXPECT_EQ(fresh.Exchange("GET a\r\n"), kNoAuth);
  EXPECT_EQ(c_.Run("GET a"), "$1") << "connections already open stay authenticated";
  EXPECT_EQ(fresh.Exchange("AUTH pw\r\nGET a\r\n", 2), "+OK\r\n$1\r\n1\r\n");
  EXPECT_EQ(c_.Run({"CONFIG", "SET", "requirepass", ""}), "+OK");
  RawConn open = server_.Raw();
  EXPECT_EQ(open.Exchange("GET a\r\n"), "$1\r\n1\r\n");
  EXPECT_EQ(c_.Run("CONFIG GET requirepass"), "[$requirepass, $]");
}

TEST(IdleTimeoutTest, IdleConnectionsAreClosed) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--timeout", "1"}));
  RawConn raw = server.Raw();
  EXPECT_EQ(raw.Exchange("PING\r\n"), "+PONG\r\n");
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(20s, &closed), "") << "closed silently";
  EXPECT_TRUE(closed) << "a client idle for longer than `timeout` seconds is disconnected";
  Client c = server.Connect();
  EXPECT_EQ(c.Run("CONFIG GET timeout"), "[$timeout, $1]");
}

// --- SELECT ----------------------------------------------------------------------------------

TEST_F(ConnectionTest, SelectRangeAndErrors) {
  for (int db = 0; db < 16; ++db) {
    EXPECT_EQ(c_.Run({"SELECT", std::to_string(db)}), "+OK") << db;
  }
  EXPECT_EQ(c_.Run("SELECT 16"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("SELECT -1"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("SELECT x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c_.Run("SELECT"), "-ERR wrong number of arguments for 'select' command");
}

TEST_F(ConnectionTest, SelectIsolatesData) {
  EXPECT_EQ(c_.Run("SET k zero"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "(nil)");
  EXPECT_EQ(c_.Run("DBSIZE"), ":0");
  EXPECT_EQ(c_.Run("SET k one"), "+OK");
  EXPECT_EQ(c_.Run("SET only1 x"), "+OK");
  EXPECT_EQ(c_.Run("DBSIZE"), ":2");
  EXPECT_EQ(c_.Run("SELECT 15"), "+OK");
  EXPECT_EQ(c_.Run("SET k fifteen"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 0"), "+OK");
  EXPECT_EQ(c_.Run("GET k"), "$zero");
  EXPECT_EQ(c_.Run("EXISTS only1"), ":0");
  EXPECT_EQ(c_.Run("DBSIZE"), ":1");
  // Another connection starts in db 0 whatever this one selected.
  EXPECT_EQ(c_.Run("SELECT 1"), "+OK");
  Client other = server_.Connect();
  EXPECT_EQ(other.Run("GET k"), "$zero");
  EXPECT_EQ(c_.Run("GET k"), "$one");
}

class FourDatabasesTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override { return {"--databases", "4"}; }
};

TEST_F(FourDatabasesTest, DatabasesOptionLimitsSelect) {
  EXPECT_EQ(c_.Run("SELECT 3"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 4"), "-ERR DB index is out of range");
  EXPECT_EQ(c_.Run("CONFIG GET databases"), "[$databases, $4]");
}

// --- RESET -----------------------------------------------------------------------------------

TEST_F(ConnectionTest, ResetRestoresConnectionDefaults) {
  RawConn raw = server_.Raw();
  EXPECT_EQ(raw.Exchange("SET k db0\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("CLIENT SETNAME foo\r\n"), "+OK\r\n");
  EXPECT_EQ(raw.Exchange("SELECT 3\r\n"), "+OK\r\n");
  ASSERT_TRUE(ParseResp(raw.Exchange("HELLO 3\r\n")).has_value());
  EXPECT_EQ(raw.Exchange("GET k\r\n"), "_\r\n");  // db 3, RESP3
  EXPECT_EQ(raw.Exchange("RESET\r\n"), "+RESET\r\n");
  EXPECT_EQ(raw.Exchange("CLIENT GETNAME\r\n"), "$-1\r\n");  // RESP2 again, no name
  EXPECT_EQ(raw.Exchange("GET k\r\n"), "$3\r\ndb0\r\n");     // db 0 again
  EXPECT_EQ(raw.Exchange("RESET x\r\n"), "-ERR wrong number of arguments for 'reset' command\r\n");
}

// --- CLIENT ----------------------------------------------------------------------------------

TEST_F(ConnectionTest, ClientIdIsUniqueAndIncreasing) {
  Reply a = c_.Cmd("CLIENT ID");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(a->integer, 0);
  EXPECT_EQ(c_.Run("CLIENT ID"), ":" + std::to_string(a->integer));  // stable per connection
  Client other = server_.Connect();
  Reply b = other.Cmd("CLIENT ID");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(b->integer, a->integer);
}

TEST_F(ConnectionTest, ClientInfoAndList) {
  Reply id = c_.Cmd("CLIENT ID");
  ASSERT_EQ(id->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(c_.Run("CLIENT SETNAME me"), "+OK");
  EXPECT_EQ(c_.Run("SELECT 2"), "+OK");
  Reply info = c_.Cmd("CLIENT INFO");
  ASSERT_EQ(info->type, REDIS_REPLY_STRING) << Show(info);
  std::string line(info->str, info->len);
  EXPECT_EQ(line.rfind("id=" + std::to_string(id->integer) + " addr=127.0.0.1:", 0), 0u) << line;
  EXPECT_NE(line.find(" name=me "), std::string::npos) << line;
  EXPECT_NE(line.find(" db=2 "), std::string::npos) << line;
  EXPECT_NE(line.find(" laddr=127.0.0.1:" + std::to_string(server_.port()) + " "),
            std::string::npos)
      << line;
  EXPECT_EQ(line.back(), '\n');

  Client other = server_.Connect();
  Reply other_id = other.Cmd("CLIENT ID");
  ASSERT_EQ(other_id->type, REDIS_REPLY_INTEGER);
  std::string text;
  auto lines = [&] {
    Reply list = c_.Cmd("CLIENT LIST");
    if (list == nullptr || list->type != REDIS_REPLY_STRING) {
      text = Show(list);
      return size_t{0};
    }
    text.assign(list->str, list->len);
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  };
  // One line per connection; poll in case a closed connection is still being torn down.
  EXPECT_TRUE(PollUntil([&] { return lines() == 2; })) << text;
  EXPECT_NE(text.find("id=" + std::to_string(id->integer) + " "), std::string::npos);
  EXPECT_NE(text.find("id=" + std::to_string(other_id->integer) + " "), std::string::npos);
  EXPECT_EQ(text.rfind("id=", 0), 0u) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(c_.Run("CLIENT FOO"), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
}

TEST_F(ConnectionTest, ClientSetnameGetname) {
  EXPECT_EQ(c_.Run("CLIENT GETNAME"), "(nil)");
  EXPECT_EQ(c_.Run("CLIENT SETNAME conn-1"), "+OK");
  EXPECT_EQ(c_.Run("CLIENT GETNAME"), "$conn-1");
  EXPECT_EQ(c_.Run({"CLIENT", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(c_.Run({"CLIENT", "SETNAME", "a\nb"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(c_.Run("CLIENT GETNAME"), "$conn-1");
  EXPECT_EQ(c_.Run({"CLIENT", "SETNAME", ""}), "+OK");  // clears the name
  EXPECT_EQ(c_.Run("CLIENT GETNAME"), "(nil)");
  EXPECT_EQ(c_.Run("CLIENT SETNAME"),
            "-ERR wrong number of arguments for 'client|setname' command");
}

TEST_F(ConnectionTest, ClientKill) {
  Client victim = server_.Connect();
  Reply id = victim.Cmd("CLIENT ID");
  ASSERT_EQ(id->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(c_.Run({"CLIENT", "KILL", "ID", std::to_string(id->integer)}), ":1");
  // The close may take a moment; once it has happened every command fails.
  EXPECT_TRUE(PollUntil([&] { return victim.Cmd("PING") == nullptr; }))
      << "the killed connection must be closed";
  EXPECT_EQ(c_.Run("CLIENT KILL ID 999999"), ":0");
  EXPECT_EQ(c_.Run("CLIENT KILL 1.2.3.4:5"), "-ERR No such client");
  EXPECT_EQ(c_.Run("CLIENT KILL ID abc"), "-ERR client-id should be greater than 0");
  EXPECT_EQ(c_.Run("CLIENT KILL FOO bar"), "-ERR syntax error");
  EXPECT_EQ(c_.Run("CLIENT KILL"), "-ERR wrong number of arguments for 'client|kill' command");

  // Old form: CLIENT KILL addr:port, found through CLIENT INFO of the victim.
  Client victim2 = server_.Connect();
  Reply info = victim2.Cmd("CLIENT INFO");
  ASSERT_EQ(info->type, REDIS_REPLY_STRING);
  std::string line(info->str, info->len);
  size_t a = line.find(" addr=") + 6;
  std::string addr = line.substr(a, line.find(' ', a) - a);
  EXPECT_EQ(c_.Run({"CLIENT", "KILL", addr}), "+OK");
  EXPECT_TRUE(PollUntil([&] { return victim2.Cmd("PING") == nullptr; }));
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

// A connection closed during its own command is released only after the command and its
// reply are done: each of these once crashed the server (the harness fails a test whose
// server died, so "the reply is right" and "the server lived" are both checked).
TEST_F(ConnectionTest, ClientKillSkipmeNoKillsTheCallerAfterItsReply) {
  RawConn raw = server_.Raw();
  // First in its read, as `redis-cli client kill skipme no` sends it: nothing is queued
  // for the caller yet when it is marked.
  ASSERT_TRUE(raw.Send("CLIENT KILL SKIPME no\r\nPING\r\n"));
  bool closed = false;
  // Two clients: raw and the fixture's c_, both killed; the PING is never run.
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), ":2\r\n");
  EXPECT_TRUE(closed);
  EXPECT_TRUE(PollUntil([&] { return c_.Cmd("PING") == nullptr; }));
  Client fresh = server_.Connect();
  EXPECT_EQ(fresh.Run("PING"), "+PONG");
}

TEST_F(ConnectionTest, ClientKillOwnIdRepliesThenCloses) {
  RawConn raw = server_.Raw();
  std::string id = raw.Exchange("CLIENT ID\r\n");
  ASSERT_EQ(id.front(), ':');
  id = id.substr(1, id.size() - 3);
  // SKIPME defaults to yes, also when the ID names the caller.
  EXPECT_EQ(raw.Exchange("CLIENT KILL ID " + id + "\r\n"), ":0\r\n");
  ASSERT_TRUE(raw.Send("CLIENT KILL ID " + id + " SKIPME no\r\nPING\r\n"));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), ":1\r\n");
  EXPECT_TRUE(closed);
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ConnectionTest, ClientKillTypeNormalFromAPipeline) {
  Client other = server_.Connect();
  ASSERT_EQ(other.Run("PING"), "+PONG");
  RawConn raw = server_.Raw();
  std::string pipeline;
  for (int i = 0; i < 50; i++) pipeline += EncodeCommand({"SET", "k" + std::to_string(i), "v"});
  pipeline += EncodeCommand({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"});
  for (int i = 0; i < 50; i++) pipeline += EncodeCommand({"SET", "after" + std::to_string(i), "v"});
  ASSERT_TRUE(raw.Send(pipeline));
  bool closed = false;
  std::string expected;
  for (int i = 0; i < 50; i++) expected += "+OK\r\n";
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), expected + ":3\r\n");
  EXPECT_TRUE(closed);
  Client fresh = server_.Connect();
  EXPECT_EQ(fresh.Run("EXISTS k49"), ":1");
  EXPECT_EQ(fresh.Run("EXISTS after0"), ":0");  // nothing after the kill ran
}

TEST_F(ConnectionTest, QuitInTheMiddleOfAPipeline) {
  RawConn raw = server_.Raw();
  ASSERT_TRUE(raw.Send(EncodeCommand({"SET", "a", "1"}) + EncodeCommand({"QUIT"}) +
                       EncodeCommand({"SET", "b", "2"}) + EncodeCommand({"QUIT"})));
  bool closed = false;
  EXPECT_EQ(raw.ReadUntilClose(10s, &closed), "+OK\r\n+OK\r\n");
  EXPECT_TRUE(closed);
  EXPECT_EQ(c_.Run("EXISTS a"), ":1");
  EXPECT_EQ(c_.Run("EXISTS b"), ":0");
}

TEST_F(ConnectionTest, KillingAMonitorWhileCommandsFlow) {
  RawConn monitor = server_.Raw();
  ASSERT_EQ(monitor.Exchange("MONITOR\r\n"), "+OK\r\n");
  std::string mid = c_.Run("CLIENT LIST");
  // Every command fed to the monitor while another kills it, and the monitor killing itself.
  RawConn raw = server_.Raw();
  std::string pipeline;
  for (int i = 0; i < 20; i++) pipeline += EncodeCommand({"SET", "m", std::to_string(i)});
  pipeline += EncodeCommand({"CLIENT", "KILL", "TYPE", "normal"});
  for (int i = 0; i < 20; i++) pipeline += EncodeCommand({"GET", "m"});
  std::string replies = raw.Exchange(pipeline, 41);
  EXPECT_NE(replies.find(":2\r\n"), std::string::npos) << replies;  // the monitor and c_
  bool closed = false;
  monitor.ReadUntilClose(10s, &closed);
  EXPECT_TRUE(closed);
  Client fresh = server_.Connect();
  EXPECT_EQ(fresh.Run("GET m"), "$19");
}

TEST_F(ConnectionTest, ClientSetinfo) {
  if (IsRedis()) {
    // CLIENT SETINFO arrived in Redis 7.2; the 7.0.15 reference does not know it.
    EXPECT_EQ(c_.Run("CLIENT SETINFO lib-name redis-py"),
              "-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.");
    return;
  }
  // Clients send these on every connect (redis-py >= 5.0, go-redis v9 and Lettuce >= 6.3 send
  // CLIENT SETINFO, and Lettuce 6.3-6.4 failed its handshake on an error); Strata accepts them.
  EXPECT_EQ(c_.Run("CLIENT SETINFO lib-name redis-py"), "+OK");
  EXPECT_EQ(c_.Run("CLIENT SETINFO LIB-VER 5.0.1"), "+OK");
  EXPECT_EQ(c_.Run("PING"), "+PONG");
}

TEST_F(ConnectionTest, ClientReplyOnOffSkip) {
  RawConn raw = server_.Raw();
  ASSERT_TRUE(
      raw.Send("CLIENT REPLY OFF\r\nPING\r\nSET a 1\r\nCLIENT REPLY ON\r\nPING x\r\n"
               "CLIENT REPLY SKIP\r\nPING a\r\nPING b\r\nGET a\r\n"));
  EXPECT_EQ(raw.ReadReplies(4), "+OK\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\n1\r\n");
  EXPECT_EQ(raw.ReadFor(100ms), "");
  EXPECT_EQ(raw.Exchange("CLIENT REPLY FOO\r\n"), "-ERR syntax error\r\n");
  EXPECT_EQ(raw.Exchange("CLIENT REPLY\r\n"),
            "-ERR wrong number of arguments for 'client|reply' command\r\n");
}

}  // namespace
}  // namespace strata::integration
