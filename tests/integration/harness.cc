#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

extern char** environ;

namespace strata::integration {
namespace {

namespace fs = std::filesystem;

// A server killed under a pipelining client must not kill the test binary with SIGPIPE.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

std::string TailLines(const std::string& text, size_t lines) {
  size_t start = text.size();
  if (start > 0 && text[start - 1] == '\n') --start;  // ignore the final newline
  for (size_t seen = 0; start > 0; --start) {
    if (text[start - 1] == '\n' && ++seen == lines) break;
  }
  return text.substr(start);
}

bool ParseLongLong(std::string_view s, long long* out) {
  if (s.empty() || s.size() > 20) return false;
  errno = 0;
  std::string tmp(s);
  char* end = nullptr;
  long long v = std::strtoll(tmp.c_str(), &end, 10);
  if (errno != 0 || end != tmp.c_str() + tmp.size()) return false;
  *out = v;
  return true;
}

// Parses one RESP value starting at `pos`. Returns the position just past it, 0 if the buffer
// ends before the value does, npos if the bytes are not RESP.
size_t ParseAt(std::string_view buf, size_t pos, RespValue* out) {
  if (pos >= buf.size()) return 0;
  const char type = buf[pos];
  size_t eol = buf.find("\r\n", pos + 1);
  if (eol == std::string_view::npos) return 0;
  std::string_view line = buf.substr(pos + 1, eol - pos - 1);
  size_t next = eol + 2;
  if (out != nullptr) out->type = type;
  switch (type) {
    case '+':
    case '-':
    case ',':
    case '(':
      if (out != nullptr) out->str = std::string(line);
      return next;
    case '#':
      if (out != nullptr) out->str = std::string(line);
      return next;
    case '_':
      if (out != nullptr) out->is_null = true;
      return next;
    case ':': {
      long long v;
      if (!ParseLongLong(line, &v)) return std::string_view::npos;
      if (out != nullptr) out->integer = v;
      return next;
    }
    case '$':
    case '=':
    case '!': {
      long long n;
      if (!ParseLongLong(line, &n)) return std::string_view::npos;
      if (n < 0) {
        if (out != nullptr) out->is_null = true;
        return next;
      }
      if (buf.size() < next + n + 2) return 0;
      if (buf.substr(next + n, 2) != "\r\n") return std::string_view::npos;
      if (out != nullptr) out->str = std::string(buf.substr(next, n));
      return next + n + 2;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      long long n;
      if (!ParseLongLong(line, &n)) return std::string_view::npos;
      if (n < 0) {
        if (out != nullptr) out->is_null = true;
        return next;
      }
      if (type == '%' || type == '|') n *= 2;
      for (long long i = 0; i < n; ++i) {
        RespValue child;
        size_t end = ParseAt(buf, next, out != nullptr ? &child : nullptr);
        if (end == 0 || end == std::string_view::npos) return end;
        if (out != nullptr) out->elems.push_back(std::move(child));
        next = end;
      }
      if (type == '|') {  // an attribute precedes the real reply
        RespValue real;
        size_t end = ParseAt(buf, next, out != nullptr ? &real : nullptr);
        if (end == 0 || end == std::string_view::npos) return end;
        if (out != nullptr) *out = std::move(real);
        return end;
      }
      return next;
    }
    default:
      return std::string_view::npos;
  }
}

void AppendEscaped(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char ch : s) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out->push_back(static_cast<char>(ch));
    } else if (ch == '\\') {
      out->append("\\\\");
    } else {
      out->append("\\x");
      out->push_back(kHex[ch >> 4]);
      out->push_back(kHex[ch & 15]);
    }
  }
}

void ShowInto(std::string* out, const redisReply* r) {
  if (r == nullptr) {
    out->append("(no reply)");
    return;
  }
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      out->push_back('+');
      AppendEscaped(out, std::string_view(r->str, r->len));
      break;
    case REDIS_REPLY_ERROR:
      out->push_back('-');
      AppendEscaped(out, std::string_view(r->str, r->len));
      break;
    case REDIS_REPLY_INTEGER:
      out->push_back(':');
      out->append(std::to_string(r->integer));
      break;
    case REDIS_REPLY_NIL:
      out->append("(nil)");
      break;
    case REDIS_REPLY_STRING:
      out->push_back('$');
      AppendEscaped(out, std::string_view(r->str, r->len));
      break;
    case REDIS_REPLY_ARRAY:
      out->push_back('[');
      for (size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out->append(", ");
        ShowInto(out, r->element[i]);
      }
      out->push_back(']');
      break;
    default:
      out->append("(type " + std::to_string(r->type) + ")");
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Flavor and binary
// ---------------------------------------------------------------------------------------------

const std::string& ServerBinary() {
  static const std::string path = []() -> std::string {
    if (const char* env = std::getenv("STRATA_SERVER"); env != nullptr && *env != '\0') {
      std::error_code ec;
      fs::path p = fs::absolute(env, ec);
      return ec ? std::string(env) : p.string();
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      // <build>/tests/integration -> <build>/strata-server (also for sanitizer build dirs).
      fs::path beside = exe.parent_path().parent_path() / "strata-server";
      if (fs::exists(beside)) return beside.string();
      for (fs::path p = exe.parent_path(); p.has_relative_path(); p = p.parent_path()) {
        if (fs::exists(p / "Makefile") && fs::exists(p / "src")) {
          return (p / "build" / "strata-server").string();
        }
      }
    }
    return fs::absolute("build/strata-server").string();
  }();
  return path;
}

Flavor ServerFlavor() {
  static const Flavor flavor =
      fs::path(ServerBinary()).filename() == "redis-server" ? Flavor::kRedis : Flavor::kStrata;
  return flavor;
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

std::string Show(const redisReply* r) {
  std::string out;
  ShowInto(&out, r);
  return out;
}

Client::~Client() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = other.ctx_;
    other.ctx_ = nullptr;
  }
  return *this;
}

std::string Client::error() const {
  if (ctx_ == nullptr) return "no connection";
  return ctx_->err != 0 ? std::string(ctx_->errstr) : std::string();
}

std::vector<std::string> SplitSpaces(std::string_view line) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string_view::npos) sp = line.size();
    out.emplace_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return out;
}

Reply Client::Cmd(const std::vector<std::string>& argv) {
  if (ctx_ == nullptr) return nullptr;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* r = redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  return Reply(static_cast<redisReply*>(r));
}

Reply Client::Cmd(std::initializer_list<std::string_view> argv) {
  return Cmd(std::vector<std::string>(argv.begin(), argv.end()));
}

Reply Client::Cmd(std::string_view line) { return Cmd(SplitSpaces(line)); }

void Client::Append(const std::vector<std::string>& argv) {
  if (ctx_ == nullptr) return;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

void Client::Append(std::initializer_list<std::string_view> argv) {
  Append(std::vector<std::string>(argv.begin(), argv.end()));
}

Reply Client::GetReply() {
  if (ctx_ == nullptr) return nullptr;
  void* r = nullptr;
  if (redisGetReply(ctx_, &r) != REDIS_OK) return nullptr;
  return Reply(static_cast<redisReply*>(r));
}

// ---------------------------------------------------------------------------------------------
// RESP
// ---------------------------------------------------------------------------------------------

size_t RespReplyLength(std::string_view buf) { return ParseAt(buf, 0, nullptr); }

std::optional<RespValue> ParseResp(std::string_view buf) {
  RespValue v;
  size_t end = ParseAt(buf, 0, &v);
  if (end == 0 || end == std::string_view::npos || end != buf.size()) return std::nullopt;
  return v;
}

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

std::string EncodeCommand(std::initializer_list<std::string_view> argv) {
  return EncodeCommand(std::vector<std::string>(argv.begin(), argv.end()));
}

// ---------------------------------------------------------------------------------------------
// RawConn
// ---------------------------------------------------------------------------------------------

RawConn::RawConn(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fd_ = fd;
}

RawConn::~RawConn() { Close(); }

RawConn::RawConn(RawConn&& other) noexcept
    : fd_(other.fd_), eof_(other.eof_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

RawConn& RawConn::operator=(RawConn&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    eof_ = other.eof_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

void RawConn::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConn::Send(std::string_view data, Duration timeout) {
  if (fd_ < 0) return false;
  const auto deadline = Clock::now() + timeout;
  size_t sent = 0;
  char tmp[65536];
  while (sent < data.size()) {
    pollfd p{fd_, static_cast<short>(POLLOUT | (eof_ ? 0 : POLLIN)), 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if ((p.revents & POLLIN) != 0 && !eof_) {
      ssize_t r = ::recv(fd_, tmp, sizeof(tmp), MSG_DONTWAIT);
      if (r > 0) buffer_.append(tmp, static_cast<size_t>(r));
      if (r == 0) eof_ = true;
    }
    if ((p.revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t w = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return false;
      }
      sent += static_cast<size_t>(w);
    }
  }
  return true;
}

bool RawConn::Fill(Clock::time_point deadline) {
  if (fd_ < 0 || eof_) return false;
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    char tmp[65536];
    ssize_t r = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      eof_ = true;  // orderly close, or a reset
      return false;
    }
    buffer_.append(tmp, static_cast<size_t>(r));
    return true;
  }
}

std::optional<std::string> RawConn::ReadReply(Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t len = RespReplyLength(buffer_);
    if (len == std::string_view::npos) {  // not RESP: hand everything over for the diff
      std::string all = std::move(buffer_);
      buffer_.clear();
      return all;
    }
    if (len > 0) {
      std::string reply = buffer_.substr(0, len);
      buffer_.erase(0, len);
      return reply;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::string RawConn::ReadReplies(size_t n, Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    auto r = ReadReply(std::chrono::duration_cast<Duration>(deadline - Clock::now()));
    if (!r) {  // include the partial tail so a failed comparison shows it
      out += buffer_;
      buffer_.clear();
      break;
    }
    out += *r;
  }
  return out;
}

std::string RawConn::ReadFor(Duration d) {
  const auto deadline = Clock::now() + d;
  while (Clock::now() < deadline && Fill(deadline)) {
  }
  std::string out = std::move(buffer_);
  buffer_.clear();
  return out;
}

std::string RawConn::ReadUntilClose(Duration timeout, bool* closed) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_ && Fill(deadline)) {
  }
  *closed = eof_;
  std::string out = std::move(buffer_);
  buffer_.clear();
  return out;
}

std::string RawConn::Exchange(std::string_view request, size_t replies, Duration timeout) {
  if (!Send(request, timeout)) {
    // The server may have answered and closed; report what it said.
  }
  return ReadReplies(replies, timeout);
}

// ---------------------------------------------------------------------------------------------
// TestServer
// ---------------------------------------------------------------------------------------------

int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

TestServer::TestServer() {
  std::string tmpl = (fs::temp_directory_path() / "strata-it-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) != nullptr) {
    root_ = tmpl;
    data_dir_ = root_ + "/data";
    fs::create_directories(data_dir_);
  }
}

TestServer::~TestServer() {
  // The directory is thrown away, so there is nothing to shut down gracefully for; tests that
  // care about a clean exit call Stop() themselves. But a server that died on its own, or
  // that reported a sanitizer finding, fails the test even if every assertion passed.
  if (pid_ > 0) Running();  // reaps a server that died since the last look
  CheckHealth();
  Kill9();
  if (::testing::Test::HasFailure() && !root_.empty()) {
    std::cerr << "---- server log tail (" << log_path() << ") ----\n"
              << LogTail(20) << "---- end of server log ----\n";
  }
  if (!root_.empty() && std::getenv("STRATA_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

void TestServer::CheckHealth() {
  if (!died_.empty()) ADD_FAILURE() << died_;
  died_.clear();
  if (root_.empty()) return;
  static const char* const kReports[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                         "WARNING: ThreadSanitizer", "runtime error: "};
  std::error_code ec;
  for (const std::string& path : {root_ + "/stdout.log", log_path()}) {
    if (!fs::exists(path, ec)) continue;
    const std::string log = ReadFile(path);
    for (const char* report : kReports) {
      size_t at = log.find(report);
      if (at != std::string::npos) {
        ADD_FAILURE() << "sanitizer report in " << path << ":\n"
                      << log.substr(at >= 200 ? at - 200 : 0, 3000);
        return;
      }
    }
  }
}

std::string TestServer::log_path() const {
  return IsRedis() ? root_ + "/stdout.log" : root_ + "/strata.log";
}

std::string TestServer::LogTail(size_t lines) const {
  std::string out;
  std::error_code ec;
  if (fs::exists(log_path(), ec)) out += TailLines(ReadFile(log_path()), lines);
  std::string stdout_log = root_ + "/stdout.log";
  if (stdout_log != log_path() && fs::exists(stdout_log, ec)) {
    std::string s = ReadFile(stdout_log);
    if (!s.empty()) out += "[stdout/stderr]\n" + TailLines(s, lines);
  }
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  return out;
}

std::vector<std::string> TestServer::BuildArgs(const std::vector<std::string>& extra,
                                               const std::string& conf_file) const {
  std::vector<std::string> overridden;
  for (const auto& a : extra) {
    if (a.rfind("--", 0) == 0) overridden.push_back(a.substr(2));
  }
  std::vector<std::string> args;
  if (!conf_file.empty()) args.push_back(conf_file);
  auto add = [&](const std::string& name, const std::string& value) {
    for (const auto& o : overridden) {
      if (o == name) return;
    }
    args.push_back("--" + name);
    args.push_back(value);
  };
  if (IsRedis()) {
    add("save", "");
    add("appendonly", "yes");
    add("enable-debug-command", "yes");
    add("daemonize", "no");
  } else {
    add("logfile", root_ + "/strata.log");
    add("enable-debug-command", "yes");
  }
  add("port", std::to_string(port_));
  add("bind", "127.0.0.1");
  add("dir", data_dir_);
  add("appendfsync", "everysec");
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

::testing::AssertionResult TestServer::Start(std::vector<std::string> extra,
                                             std::string conf_file) {
  if (root_.empty()) return ::testing::AssertionFailure() << "could not create a temp dir";
  if (pid_ > 0) return ::testing::AssertionFailure() << "server already running";
  if (!fs::exists(ServerBinary())) {
    return ::testing::AssertionFailure()
           << "server binary not found: " << ServerBinary() << " (set STRATA_SERVER)";
  }
  const bool fixed_port = port_ != 0;
  ::testing::AssertionResult result = ::testing::AssertionFailure();
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!fixed_port) port_ = PickFreePort();
    args_ = BuildArgs(extra, conf_file);
    result = Launch();
    if (result) return result;
    // Another process may have taken the port between PickFreePort() and bind().
    if (fixed_port || LogTail(50).find("in use") == std::string::npos) break;
  }
  return result;
}

::testing::AssertionResult TestServer::Restart() {
  if (pid_ > 0) return ::testing::AssertionFailure() << "server still running";
  return Launch();
}

::testing::AssertionResult TestServer::Launch() {
  std::string stdout_log = root_ + "/stdout.log";
  int log_fd = ::open(stdout_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    return ::testing::AssertionFailure() << "cannot open " << stdout_log;
  }
  std::vector<std::string> argv_store = prefix_;
  argv_store.push_back(ServerBinary());
  argv_store.insert(argv_store.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string& binary = prefix_.empty() ? ServerBinary() : prefix_[0];
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test binary
    if (::getppid() != parent) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (::chdir(root_.c_str()) != 0) ::_exit(126);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) return ::testing::AssertionFailure() << "fork failed: " << std::strerror(errno);
  pid_ = pid;
  // An exit during start-up is reported by Start's result (tests of refused starts expect
  // it); from readiness on, an exit nobody asked for fails the test.
  exit_expected_ = true;
  ::testing::AssertionResult ready = WaitReady(10s);
  if (!ready && Running()) Kill9();
  if (ready) exit_expected_ = false;
  return ready;
}

::testing::AssertionResult TestServer::WaitReady(Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string last;
  while (Clock::now() < deadline) {
    if (!Running()) {
      return ::testing::AssertionFailure() << "server exited during start-up (status "
                                           << exit_status_ << ")\nargs:" <<
             [this] {
               std::string s;
               for (const auto& a : args_) s += " '" + a + "'";
               return s;
             }() << "\nlog tail:\n" << LogTail(30);
    }
    RawConn probe(port_);
    if (probe.ok() && probe.Send("PING\r\n", 2s)) {
      last = probe.ReadReply(2s).value_or("(no reply)");
      // A password-protected server answers NOAUTH once it is serving.
      if (last == "+PONG\r\n" || last.rfind("-NOAUTH", 0) == 0) {
        // Leave with QUIT and wait for the close, so that the probe is no longer counted
        // as a client when the test starts.
        if (probe.Send("QUIT\r\n", 1s)) {
          bool closed = false;
          probe.ReadUntilClose(2s, &closed);
        }
        return ::testing::AssertionSuccess();
      }
    } else {
      last = "connection refused";
    }
    std::this_thread::sleep_for(20ms);
  }
  return ::testing::AssertionFailure() << "server did not answer PING within " << timeout.count()
                                       << " ms (last: " << last << ")\nlog tail:\n"
                                       << LogTail(30);
}

void TestServer::Reap(int status) {
  if (WIFEXITED(status)) {
    exit_status_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_status_ = -WTERMSIG(status);
  }
  if (!exit_expected_ && exit_status_ != 0 && died_.empty()) {
    died_ = "the server died while the test ran (" +
            (exit_status_ < 0 ? "signal " + std::to_string(-exit_status_)
                              : "exit status " + std::to_string(exit_status_)) +
            "); log tail:\n" + LogTail(30);
  }
  pid_ = -1;
}

bool TestServer::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Reap(status);
    return false;
  }
  return r == 0;
}

::testing::AssertionResult TestServer::Stop(Duration timeout) {
  if (pid_ <= 0) return ::testing::AssertionFailure() << "server not running";
  exit_expected_ = true;
  ::kill(pid_, SIGTERM);
  return WaitExit(timeout);
}

::testing::AssertionResult TestServer::WaitExit(Duration timeout) {
  exit_expected_ = true;
  if (!PollUntil([this] { return !Running(); }, timeout, 5ms)) {
    Kill9();
    return ::testing::AssertionFailure()
           << "server did not exit within " << timeout.count() << " ms; killed\nlog tail:\n"
           << LogTail(30);
  }
  if (exit_status_ != 0) {
    return ::testing::AssertionFailure()
           << "server exited with status " << exit_status_ << "\nlog tail:\n"
           << LogTail(30);
  }
  return ::testing::AssertionSuccess();
}

void TestServer::Kill9() {
  if (pid_ <= 0) return;
  exit_expected_ = true;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  Reap(status);
}

Client TestServer::Connect() const {
  timeval tv{5, 0};
  redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (ctx != nullptr && ctx->err == 0) {
    timeval rt{60, 0};
    redisSetTimeout(ctx, rt);
  }
  return Client(ctx);
}

void ServerTest::SetUp() {
  ASSERT_TRUE(server_.Start(ExtraArgs()));
  c_ = server_.Connect();
  ASSERT_TRUE(c_.ok()) << c_.error();
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

ProcessResult RunProcess(const std::vector<std::string>& argv_in, Duration timeout,
                         std::string_view stdin_data) {
  ProcessResult result;
  int out_pipe[2];
  int in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  std::vector<std::string> store(argv_in);
  std::vector<char*> argv;
  for (auto& a : store) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(in_pipe[1]);
    return result;
  }
  ::setpgid(pid, pid);  // also from the parent, so the group exists before any kill
  const auto deadline = Clock::now() + timeout;
  // Small inputs only: they fit in the pipe buffer, so this never blocks for long.
  size_t written = 0;
  while (written < stdin_data.size()) {
    ssize_t w = ::write(in_pipe[1], stdin_data.data() + written, stdin_data.size() - written);
    if (w <= 0) break;
    written += static_cast<size_t>(w);
  }
  ::close(in_pipe[1]);

  char buf[65536];
  while (true) {
    pollfd p{out_pipe[0], POLLIN, 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    ssize_t r = ::read(out_pipe[0], buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    result.output.append(buf, static_cast<size_t>(r));
  }
  ::close(out_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

PtySession::~PtySession() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  if (master_ >= 0) ::close(master_);
}

bool PtySession::Start(const std::vector<std::string>& argv_in) {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return false;
  const char* name = ::ptsname(master_);
  if (name == nullptr) return false;
  std::string slave_name = name;
  winsize ws{};
  ws.ws_row = 24;
  ws.ws_col = 80;
  ::ioctl(master_, TIOCSWINSZ, &ws);

  std::vector<std::string> store(argv_in);
  std::vector<char*> argv;
  for (auto& a : store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "TERM=", 5) != 0) env_store.emplace_back(*e);
  }
  env_store.emplace_back("TERM=dumb");
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int slave = ::open(slave_name.c_str(), O_RDWR);
    if (slave < 0) ::_exit(126);
    ::ioctl(slave, TIOCSCTTY, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    if (slave > 2) ::close(slave);
    ::execvpe(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (pid < 0) return false;
  pid_ = pid;
  return true;
}

bool PtySession::ReadSome(Duration timeout) {
  pollfd p{master_, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (n <= 0) return n == 0;  // a timeout is not the end of the session
  char buf[4096];
  ssize_t r = ::read(master_, buf, sizeof(buf));
  if (r <= 0) return false;  // EIO: the child closed the terminal
  output_.append(buf, static_cast<size_t>(r));
  return true;
}

bool PtySession::Expect(std::string_view needle, Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t pos = output_.find(needle, matched_);
    if (pos != std::string::npos) {
      matched_ = pos + needle.size();
      return true;
    }
    if (Clock::now() >= deadline) return false;
    if (!ReadSome(std::min<Duration>(
            100ms, std::chrono::duration_cast<Duration>(deadline - Clock::now())))) {
      size_t again = output_.find(needle, matched_);
      if (again != std::string::npos) {
        matched_ = again + needle.size();
        return true;
      }
      return false;
    }
  }
}

void PtySession::Send(std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = ::write(master_, text.data() + done, text.size() - done);
    if (w <= 0) return;
    done += static_cast<size_t>(w);
  }
}

int PtySession::WaitExit(Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      while (ReadSome(10ms)) {
      }
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    ReadSome(20ms);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

std::vector<std::string> InfoLines(std::string_view info) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < info.size()) {
    size_t nl = info.find('\n', pos);
    if (nl == std::string_view::npos) nl = info.size();
    std::string_view line = info.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    pos = nl + 1;
  }
  return out;
}

std::optional<std::string> InfoField(std::string_view info, std::string_view field) {
  std::string prefix = std::string(field) + ":";
  for (const auto& line : InfoLines(info)) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return std::nullopt;
}

int MajorVersion(std::string_view version) {
  size_t dot = version.find('.');
  if (dot == 0 || dot == std::string_view::npos) return -1;
  long long v;
  if (!ParseLongLong(version.substr(0, dot), &v)) return -1;
  return static_cast<int>(v);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata::integration
