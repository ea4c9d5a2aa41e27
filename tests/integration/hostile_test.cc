// Hostile clients: whatever a client sends or fails to read, the server stays up, keeps
// answering everyone else, and its memory stays bounded (issue "prove it survives").
#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>

#include "harness.h"

namespace strata::integration {
namespace {

// The server under test was built with a sanitizer (make test SAN=...): ASan's quarantine
// keeps freed memory resident, so RSS bounds say nothing about the server's own use.
bool SanitizedServer() { return ServerBinary().find("/san-") != std::string::npos; }

// A /proc/<pid>/status field in KiB (0 if unknown): VmRSS now, VmHWM the peak.
long StatusKb(pid_t pid, const char* field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  }
  return 0;
}
long RssKb(pid_t pid) { return StatusKb(pid, "VmRSS:"); }

TEST(HostileTest, ConnectionsBeyondMaxclientsAreRefusedAndOthersServed) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--maxclients", "20"}));
  std::vector<RawConn> conns;
  int refused = 0;
  for (int i = 0; i < 300; i++) {
    RawConn c = server.Raw();
    ASSERT_TRUE(c.ok());
    conns.push_back(std::move(c));
  }
  for (auto& c : conns) {
    std::string r = c.Exchange("PING\r\n", 1, 5s);
    if (r == "-ERR max number of clients reached\r\n") {
      refused++;
    } else {
      EXPECT_EQ(r, "+PONG\r\n");
    }
  }
  EXPECT_GE(refused, 280);
  conns.clear();  // frees the 20 slots
  ASSERT_TRUE(PollUntil([&] {
    Client c = server.Connect();
    return c.ok() && c.Run("PING") == "+PONG";
  }));
}

TEST(HostileTest, RandomBytesNeverTakeTheServerDown) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  std::mt19937 rng(7);
  for (int i = 0; i < 200; i++) {
    RawConn c = server.Raw();
    std::string junk(1 + rng() % 4096, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    if (i % 3 == 0) junk = "*" + std::to_string(rng()) + "\r\n" + junk;  // odd multibulks
    if (i % 5 == 0) junk = "$" + std::to_string(rng()) + "\r\n" + junk;
    c.Send(junk, 5s);
    c.ReadFor(5ms);
  }
  Client c = server.Connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.Run("PING"), "+PONG");
  EXPECT_TRUE(server.Running());
}

TEST(HostileTest, AnnouncedHugeBulksDoNotReserveMemory) {
  STRATA_ONLY();  // Redis preallocates large announced bulks
  TestServer server;
  ASSERT_TRUE(server.Start());
  long before = RssKb(server.pid());
  std::vector<RawConn> conns;
  for (int i = 0; i < 50; i++) {
    RawConn c = server.Raw();
    // 512 MB announced (the maximum), 1 KB sent, then silence.
    c.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n" + std::string(1024, 'x'));
    conns.push_back(std::move(c));
  }
  Client c = server.Connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.Run("PING"), "+PONG");
  long after = RssKb(server.pid());
  if (!SanitizedServer()) {
    EXPECT_LT(after - before, 64 * 1024) << "RSS grew by " << (after - before) << " KiB";
  }
}

TEST(HostileTest, FourGigabyteBulkLengthIsAProtocolError) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  RawConn c = server.Raw();
  c.Send("*2\r\n$3\r\nGET\r\n$4294967296\r\n");
  bool closed = false;
  EXPECT_EQ(c.ReadUntilClose(10s, &closed), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(closed);
}

TEST(HostileTest, HalfSentCommandsDoNotBlockOthers) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  std::vector<RawConn> stalled;
  const char* partials[] = {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab", "*2\r\n$3\r\nGE", "PING",
                            "*1000000\r\n$4\r\nPING\r\n", "$"};
  for (const char* p : partials) {
    RawConn c = server.Raw();
    c.Send(p);
    stalled.push_back(std::move(c));
  }
  Client c = server.Connect();
  EXPECT_EQ(c.Run("SET x 1"), "+OK");
  EXPECT_EQ(c.Run("GET x"), "$1");
  EXPECT_EQ(c.Run("EXISTS k"), ":0");  // the half-sent SET never ran
}

TEST(HostileTest, UnauthenticatedClientsCannotSendBigPayloads) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--requirepass", "s3cret"}));
  RawConn big = server.Raw();
  big.Send("*2\r\n$4\r\nAUTH\r\n$100000\r\n" + std::string(1000, 'x'));
  bool closed = false;
  EXPECT_EQ(big.ReadUntilClose(10s, &closed),
            "-ERR Protocol error: unauthenticated bulk length\r\n");
  EXPECT_TRUE(closed);
  RawConn many = server.Raw();
  many.Send("*11\r\n");
  EXPECT_EQ(many.ReadUntilClose(10s, &closed),
            "-ERR Protocol error: unauthenticated multibulk length\r\n");
  RawConn cmd = server.Raw();
  EXPECT_EQ(cmd.Exchange(EncodeCommand({"GET", "k"})), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(cmd.Exchange(EncodeCommand({"AUTH", "default", "s3cret"})), "+OK\r\n");
  EXPECT_EQ(cmd.Exchange(EncodeCommand({"GET", "k"})), "$-1\r\n");
}

TEST(HostileTest, ClientThatNeverReadsIsDisconnectedAtTheOutputLimit) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--client-output-buffer-limit", "normal 4mb 0 0"}));
  Client setup = server.Connect();
  ASSERT_EQ(setup.Run({"SET", "big", std::string(100000, 'v')}), "+OK");
  RawConn reader = server.Raw();
  std::string burst;
  for (int i = 0; i < 2000; i++) burst += EncodeCommand({"GET", "big"});  // ~200 MB of replies
  reader.Send(burst.substr(0, 1 << 16), 5s);                              // never read the replies
  // Gone when CLIENT LIST shows only the two well-behaved clients (setup and the checker).
  Client checker = server.Connect();
  bool gone = PollUntil([&] {
    Reply r = checker.Cmd({"CLIENT", "LIST"});
    if (!r || r->type != REDIS_REPLY_STRING) return false;
    std::string_view list(r->str, r->len);
    return std::count(list.begin(), list.end(), '\n') == 2;
  });
  EXPECT_TRUE(gone);
  if (!SanitizedServer()) {
    EXPECT_LT(RssKb(server.pid()), 200 * 1024);
  }
  Client c = server.Connect();
  EXPECT_EQ(c.Run("PING"), "+PONG");
}

// The limit holds on the path that appends replies: with no other client active, one read
// holding thousands of pipelined GETs of a big value must not queue gigabytes of replies
// before the loop looks at the buffer.
TEST(HostileTest, OutputLimitHoldsWithinOneReadOnAnIdleServer) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--client-output-buffer-limit", "normal 16mb 0 0"}));
  {
    Client setup = server.Connect();
    ASSERT_EQ(setup.Run({"SET", "big", std::string(1 << 20, 'v')}), "+OK");
  }
  RawConn reader = server.Raw();
  std::string burst;
  for (int i = 0; i < 4000; i++) burst += EncodeCommand({"GET", "big"});  // 4 GB of replies
  ASSERT_TRUE(reader.Send(burst, 10s));
  // The server closes the reader; reading now only drains what it had sent.
  bool closed = false;
  reader.ReadUntilClose(20s, &closed);
  EXPECT_TRUE(closed);
  if (!SanitizedServer()) {
    EXPECT_LT(StatusKb(server.pid(), "VmHWM:"), 150 * 1024) << "peak RSS in KiB";
  }
  Client c = server.Connect();
  EXPECT_EQ(c.Run("PING"), "+PONG");
  if (!IsRedis()) {
    Reply info = c.Cmd("INFO stats");
    ASSERT_TRUE(info && info->type == REDIS_REPLY_STRING);
    EXPECT_EQ(InfoField(std::string_view(info->str, info->len),
                        "client_output_buffer_limit_disconnections"),
              "1");
  }
}

}  // namespace
}  // namespace strata::integration
