// Black-box integration harness: starts the server binary (Strata, or the reference
// redis-server) on a free loopback port and a fresh temp directory, and talks to it through
// hiredis, raw sockets, command-line tools and a pseudo-terminal.
//
// The binary is named by the environment variable STRATA_SERVER (default: strata-server in the
// build directory next to this test binary, else <repo>/build/strata-server). If its basename
// is "redis-server" the harness runs in the Redis flavor: every expectation in the suite is
// meant to hold for Redis 7.0.15 too, and Strata-only tests skip themselves.
//
// Every wait in this file is a poll with a deadline, never a fixed sleep that a test relies on.
//
// Run:  build/tests/integration_tests                                  (Strata, the default binary)
//       STRATA_SERVER=/usr/bin/redis-server build/tests/integration_tests   (the reference)
// STRATA_KEEP_TEST_DIRS=1 keeps each test's temp dir (server log, data) for a post-mortem; the
// log tail of a failed test is printed anyway. scripts/redis-oracle.sh shows what the reference
// answers to raw bytes.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace strata::integration {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;
// 10s, 200ms, and "a\0b"s (std::string with embedded NULs) in every test file.
using namespace std::chrono_literals;
using namespace std::string_literals;

// ---------------------------------------------------------------------------------------------
// Flavor and binary
// ---------------------------------------------------------------------------------------------

enum class Flavor { kStrata, kRedis };

// Absolute path of the server binary under test.
const std::string& ServerBinary();
Flavor ServerFlavor();
inline bool IsRedis() { return ServerFlavor() == Flavor::kRedis; }

// Skips the current test on the Redis flavor. Use as the first statement of a Strata-only test.
#define STRATA_ONLY()                                                    \
  do {                                                                   \
    if (::strata::integration::IsRedis()) GTEST_SKIP() << "Strata-only"; \
  } while (0)

// ---------------------------------------------------------------------------------------------
// hiredis replies and clients
// ---------------------------------------------------------------------------------------------

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// A compact, typed rendering of a reply for assertions:
//   status "+OK", error "-ERR syntax error", integer ":5", nil "(nil)", bulk "$value",
//   array "[$a, (nil), :3]". Bytes outside printable ASCII in strings are shown as \xNN.
// A null reply (connection error) renders as "(no reply)".
std::string Show(const redisReply* r);
inline std::string Show(const Reply& r) { return Show(r.get()); }

// RAII hiredis connection. Commands are sent as RESP multibulk (binary-safe argv).
class Client {
 public:
  Client() = default;
  explicit Client(redisContext* ctx) : ctx_(ctx) {}
  ~Client();
  Client(Client&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connected and no error so far.
  bool ok() const { return ctx_ != nullptr && ctx_->err == 0; }
  std::string error() const;
  redisContext* get() const { return ctx_; }

  Reply Cmd(std::initializer_list<std::string_view> argv);
  Reply Cmd(const std::vector<std::string>& argv);
  // Splits `line` on single spaces (no quoting); for readable tests without binary data.
  Reply Cmd(std::string_view line);

  // Show(Cmd(...)).
  std::string Run(std::initializer_list<std::string_view> argv) { return Show(Cmd(argv)); }
  std::string Run(const std::vector<std::string>& argv) { return Show(Cmd(argv)); }
  std::string Run(std::string_view line) { return Show(Cmd(line)); }

  // Pipelining: queue commands, then read their replies in order.
  void Append(const std::vector<std::string>& argv);
  void Append(std::initializer_list<std::string_view> argv);
  Reply GetReply();

 private:
  redisContext* ctx_ = nullptr;
};

std::vector<std::string> SplitSpaces(std::string_view line);

// ---------------------------------------------------------------------------------------------
// RESP on raw sockets, for byte-exact checks (hiredis 0.14 has no RESP3)
// ---------------------------------------------------------------------------------------------

// Length of the first complete RESP2/RESP3 reply in `buf`; 0 if incomplete; npos if the bytes
// are not RESP.
size_t RespReplyLength(std::string_view buf);

// A parsed RESP2/RESP3 value. `type` is the RESP type byte ('+', '-', ':', '$', '*', '%', '_',
// ',', '#', '=', '~', '>', '(', '!'); nulls ($-1, *-1) have is_null set.
struct RespValue {
  char type = 0;
  bool is_null = false;
  std::string str;  // simple/bulk/verbatim/error text, double/bignum text
  long long integer = 0;
  std::vector<RespValue> elems;  // arrays, sets, pushes; maps as key, value, key, value...
};
// Parses exactly one reply; nullopt if `buf` does not hold one.
std::optional<RespValue> ParseResp(std::string_view buf);

// A blocking TCP connection with deadline-bounded reads.
class RawConn {
 public:
  RawConn() = default;
  explicit RawConn(int port);
  ~RawConn();
  RawConn(RawConn&& other) noexcept;
  RawConn& operator=(RawConn&& other) noexcept;
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Writes all of `data`, reading (and buffering) whatever the server sends meanwhile so a
  // server that applies back-pressure cannot deadlock with us. False if the peer went away.
  bool Send(std::string_view data, Duration timeout = 30s);
  // The next complete reply (raw bytes), or nullopt on timeout / close.
  std::optional<std::string> ReadReply(Duration timeout = 10s);
  // `n` replies concatenated; stops early (returning what it has) on timeout / close.
  std::string ReadReplies(size_t n, Duration timeout = 10s);
  // Whatever arrives within `d` (plus anything already buffered).
  std::string ReadFor(Duration d);
  // Everything until the peer closes or `timeout` passes; `*closed` says which happened.
  std::string ReadUntilClose(Duration timeout, bool* closed);
  // Send + ReadReplies.
  std::string Exchange(std::string_view request, size_t replies = 1, Duration timeout = 10s);
  void Close();

 private:
  // Reads once into buffer_ with a deadline; false on timeout, EOF or error.
  bool Fill(Clock::time_point deadline);
  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

// RESP2 multibulk encoding of argv.
std::string EncodeCommand(const std::vector<std::string>& argv);
std::string EncodeCommand(std::initializer_list<std::string_view> argv);

// ---------------------------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------------------------

class TestServer {
 public:
  // Creates a fresh temp root (logs) with a data/ subdirectory (--dir).
  TestServer();
  // SIGKILL (a test that wants a clean shutdown calls Stop()); removes the temp root unless
  // the env var STRATA_KEEP_TEST_DIRS is set. Prints the log tail if the current test failed.
  // Fails the current test if the server died by itself (a signal or a non-zero exit that no
  // Stop/WaitExit/Kill9 asked for) or its output holds a sanitizer report.
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Starts the server with the flavor and common arguments plus `extra` ("--name", "value",
  // ...; an option given in `extra` replaces the harness default of the same name). If
  // `conf_file` is non-empty it is passed first, as redis-server expects. Waits until PING
  // answers +PONG (10 s), else fails with the log tail.
  ::testing::AssertionResult Start(std::vector<std::string> extra = {}, std::string conf_file = "");
  // Starts again with the same arguments, directory and port.
  ::testing::AssertionResult Restart();
  // SIGTERM and wait for exit; fails unless the server exits with status 0 in time.
  ::testing::AssertionResult Stop(Duration timeout = 20s);
  // SIGKILL and reap.
  void Kill9();
  // Waits for the process to exit on its own (e.g. after SHUTDOWN); fails on timeout or a
  // non-zero exit.
  ::testing::AssertionResult WaitExit(Duration timeout = 20s);
  bool Running();

  // How the last process exited: its exit code, or -signal if a signal ended it.
  int exit_status() const { return exit_status_; }

  Client Connect() const;
  RawConn Raw() const { return RawConn(port_); }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The data directory (--dir). Set before Start() to share another server's directory.
  const std::string& dir() const { return data_dir_; }
  void set_dir(std::string dir) { data_dir_ = std::move(dir); }
  void set_port(int port) { port_ = port; }
  // Runs the server as `prefix... <binary> <args>` (e.g. nsenter into a mount namespace, see
  // disk_full_test.cc); prefix[0] is an absolute path. Set before Start(); kept by Restart().
  void set_command_prefix(std::vector<std::string> prefix) { prefix_ = std::move(prefix); }
  // Temp root holding logs and any config files a test writes.
  const std::string& root() const { return root_; }
  // The server's own log (Strata: --logfile; Redis: its stdout).
  std::string log_path() const;
  std::string LogTail(size_t lines = 30) const;
  const std::vector<std::string>& args() const { return args_; }

 private:
  ::testing::AssertionResult Launch();
  ::testing::AssertionResult WaitReady(Duration timeout);
  void Reap(int status);
  // ADD_FAILUREs for an unexpected death (died_) and sanitizer reports in the logs.
  void CheckHealth();
  std::vector<std::string> BuildArgs(const std::vector<std::string>& extra,
                                     const std::string& conf_file) const;

  std::string root_;
  std::string data_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int exit_status_ = 0;
  bool exit_expected_ = true;        // not ready yet, or Stop, WaitExit or Kill9 was called
  std::string died_;                 // why the server died unexpectedly, if it did
  std::vector<std::string> args_;    // argv[1..] of the last start
  std::vector<std::string> prefix_;  // set_command_prefix
};

// Picks a currently free loopback TCP port.
int PickFreePort();

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Polls `pred` every `every` until it returns true or `timeout` passes; returns the last value.
template <typename Pred>
bool PollUntil(Pred pred, Duration timeout = 10s, Duration every = 20ms);

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string output;  // stdout and stderr interleaved
};
// Runs argv[0] (PATH lookup) with `stdin_data` on its stdin, capturing stdout+stderr. Kills its
// process group at the deadline.
ProcessResult RunProcess(const std::vector<std::string>& argv, Duration timeout = 60s,
                         std::string_view stdin_data = {});

// A child process on a pseudo-terminal (so redis-cli believes it is interactive). TERM=dumb
// keeps linenoise from emitting escape sequences; the window is 80x24.
class PtySession {
 public:
  PtySession() = default;
  ~PtySession();
  PtySession(const PtySession&) = delete;
  PtySession& operator=(const PtySession&) = delete;

  bool Start(const std::vector<std::string>& argv);
  // Waits until the output after the previous match contains `needle`.
  bool Expect(std::string_view needle, Duration timeout = 10s);
  void Send(std::string_view text);
  // Waits for exit; returns the exit code, or -1 on a signal / timeout (then it is killed).
  int WaitExit(Duration timeout = 10s);
  const std::string& output() const { return output_; }

 private:
  bool ReadSome(Duration timeout);
  pid_t pid_ = -1;
  int master_ = -1;
  std::string output_;
  size_t matched_ = 0;
};

// INFO text -> value of `field` ("redis_version"), or nullopt.
std::optional<std::string> InfoField(std::string_view info, std::string_view field);
// Lines of an INFO reply (split on \r\n).
std::vector<std::string> InfoLines(std::string_view info);
// "7.0.15" -> 7; -1 if not a version.
int MajorVersion(std::string_view version);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view data);
// Seconds since the Unix epoch (wall clock).
int64_t UnixSeconds();
int64_t UnixMillis();

// A test fixture with one server started per test and one connected client.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Extra server arguments for this fixture.
  virtual std::vector<std::string> ExtraArgs() const { return {}; }

  TestServer server_;
  Client c_;
};

// ---------------------------------------------------------------------------------------------

template <typename Pred>
bool PollUntil(Pred pred, Duration timeout, Duration every) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace strata::integration
