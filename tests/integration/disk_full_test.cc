// A real full disk (ENOSPC), not an injected one: the server runs in a mount namespace of its
// own (unshare -Urm, entered with nsenter) whose data directory is a small tmpfs. The test
// fills that tmpfs through /proc/<holder>/root, checks that writes get -MISCONF while reads and
// PING go on, frees the space, and checks that the server recovers by itself (Server::
// RetryStoreResume -> DB::Resume) without losing an acknowledged write, also across a kill -9.
// Skips itself where user namespaces, nsenter or tmpfs mounts are not available.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

namespace fs = std::filesystem;

// Absolute path of `name` on $PATH, or "".
std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin:/usr/sbin:/sbin";
  size_t pos = 0;
  while (pos <= dirs.size()) {
    size_t colon = dirs.find(':', pos);
    if (colon == std::string::npos) colon = dirs.size();
    std::string candidate = dirs.substr(pos, colon - pos) + "/" + name;
    if (colon > pos && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    pos = colon + 1;
  }
  return "";
}

// A process that holds a private mount namespace (in a user namespace, so no privilege is
// needed) with a tmpfs of `mib` MiB mounted at mount_point(). The mount is invisible outside;
// the test reaches it through /proc/<pid>/root, the server by nsenter. Killed on destruction,
// which unmounts the tmpfs once the server is gone too.
class TmpfsNamespace {
 public:
  explicit TmpfsNamespace(int mib) {
    const std::string unshare = FindProgram("unshare");
    nsenter_ = FindProgram("nsenter");
    if (unshare.empty() || nsenter_.empty()) {
      error_ = "unshare or nsenter not found";
      return;
    }
    std::string tmpl = (fs::temp_directory_path() / "strata-diskfull-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    root_ = tmpl;
    mount_point_ = root_ + "/mnt";
    fs::create_directories(mount_point_);

    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      error_ = "pipe failed";
      return;
    }
    const std::string script = "mount -t tmpfs -o size=" + std::to_string(mib) + "m tmpfs '" +
                               mount_point_ + "' && echo ready && exec sleep 100000";
    std::vector<std::string> args = {unshare, "-Urm", "sh", "-c", script};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    if (pid_ < 0) {
      ::close(out[0]);
      error_ = "fork failed";
      return;
    }
    // Wait for "ready" (or for the holder to fail and say why).
    std::string said;
    const auto deadline = Clock::now() + 10s;
    while (said.find("ready\n") == std::string::npos && Clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      ssize_t n = ::read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      said.append(buf, static_cast<size_t>(n));
    }
    ::close(out[0]);
    if (said.find("ready\n") == std::string::npos) {
      error_ = "could not mount a tmpfs in a new user+mount namespace: " + said;
    }
  }

  ~TmpfsNamespace() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (!root_.empty()) {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }
  TmpfsNamespace(const TmpfsNamespace&) = delete;
  TmpfsNamespace& operator=(const TmpfsNamespace&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Where the tmpfs is mounted, as a path inside the namespace.
  const std::string& mount_point() const { return mount_point_; }
  // The path by which this process reaches `inside` (a path inside the namespace).
  std::string HostPath(const std::string& inside) const {
    return "/proc/" + std::to_string(pid_) + "/root" + inside;
  }
  // Runs a command inside the namespace (TestServer::set_command_prefix).
  std::vector<std::string> EnterPrefix() const {
    return {nsenter_, "-t", std::to_string(pid_), "-U", "-m", "--preserve-credentials", "--"};
  }

 private:
  std::string error_;
  std::string nsenter_;
  std::string root_;
  std::string mount_point_;
  pid_t pid_ = -1;
};

// Writes `path` until the filesystem is full (ENOSPC). "" on success, else what failed.
std::string FillUntilFull(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "open " + path + ": " + std::strerror(errno);
  const std::string chunk(1 << 20, 'f');
  size_t size = chunk.size();
  std::string result;
  while (true) {
    ssize_t n = ::write(fd, chunk.data(), size);
    if (n >= 0 && static_cast<size_t>(n) == size) continue;
    if (n >= 0 || errno == ENOSPC) {
      if (size == 1) break;  // not one more byte fits
      size = std::max<size_t>(1, size / 16);
      continue;
    }
    if (errno == EINTR) continue;
    result = "write " + path + ": " + std::strerror(errno);
    break;
  }
  ::close(fd);
  return result;
}

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    n++;
  }
  return n;
}

class DiskFullTest : public ::testing::TestWithParam<const char*> {
 protected:
  // SET key value; reconnects first if the server closed the connection (with appendfsync
  // always it closes clients whose writes it could not make durable). Records +OK as
  // acknowledged.
  std::string Set(const std::string& key, const std::string& value) {
    if (!c_.ok()) c_ = server_.Connect();
    std::string reply = c_.Run({"SET", key, value});
    if (reply == "+OK") acked_[key] = value;
    return reply;
  }

  // Every acknowledged write reads back (one pipelined round).
  void ExpectAcked(const std::string& where) {
    if (!c_.ok()) c_ = server_.Connect();
    ASSERT_TRUE(c_.ok()) << c_.error();
    for (const auto& [k, v] : acked_) c_.Append({"GET", k});
    for (const auto& [k, v] : acked_) {
      ASSERT_EQ(Show(c_.GetReply()), "$" + v) << k << " " << where;
    }
  }

  std::string Persistence(std::string_view field) {
    if (!c_.ok()) c_ = server_.Connect();
    Reply r = c_.Cmd({"INFO", "persistence"});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return "(no INFO)";
    return InfoField(std::string_view(r->str, r->len), field).value_or("(missing)");
  }

  TestServer server_;
  Client c_;
  std::map<std::string, std::string> acked_;
};

TEST_P(DiskFullTest, WritesGetMisconfReadsGoOnAndTheServerRecoversWhenSpaceReturns) {
  STRATA_ONLY();
  TmpfsNamespace ns(64);
  if (!ns.ok()) GTEST_SKIP() << "needs unshare -Urm, nsenter and tmpfs: " << ns.error();
  server_.set_dir(ns.mount_point() + "/data");
  server_.set_command_prefix(ns.EnterPrefix());
  ASSERT_TRUE(server_.Start({"--appendfsync", GetParam()}));
  c_ = server_.Connect();
  ASSERT_TRUE(c_.ok()) << c_.error();

  const std::string value(1000, 'v');
  for (int i = 0; i < 200; i++) ASSERT_EQ(Set("before:" + std::to_string(i), value), "+OK");
  ASSERT_EQ(Set("deleted", "old"), "+OK");
  ASSERT_EQ(c_.Run({"DEL", "deleted"}), ":1");
  acked_.erase("deleted");
  EXPECT_EQ(Persistence("aof_last_write_status"), "ok");

  // The disk fills up. The next writes may still fit in the WAL's last page; then SET gets
  // -MISCONF.
  const std::string filler = ns.HostPath(ns.mount_point() + "/filler");
  ASSERT_EQ(FillUntilFull(filler), "");
  std::string reply;
  int n = 0;
  ASSERT_TRUE(PollUntil(
      [&] {
        reply = Set("during:" + std::to_string(n++), value);
        return reply.rfind("-MISCONF", 0) == 0;
      },
      10s, 1ms))
      << reply;
  EXPECT_EQ(reply.rfind("-MISCONF Errors writing to the write-ahead log: IO error: ", 0), 0u)
      << reply;
  EXPECT_NE(reply.find("No space left on device"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Commands that may modify the data set are disabled until the disk "
                       "problem is fixed (the server retries every second). Please check the "
                       "server log for details."),
            std::string::npos)
      << reply;

  // Reads and PING go on; every write command is refused.
  EXPECT_EQ(c_.Run("PING"), "+PONG");
  ExpectAcked("while the disk is full");
  EXPECT_EQ(c_.Run({"GET", "deleted"}), "(nil)");
  EXPECT_EQ(c_.Run({"DEL", "before:1"}).rfind("-MISCONF", 0), 0u);
  EXPECT_EQ(c_.Run({"INCR", "counter"}).rfind("-MISCONF", 0), 0u);
  EXPECT_EQ(Persistence("aof_last_write_status"), "err");
  // The server keeps retrying, and says once why it cannot recover yet.
  EXPECT_TRUE(PollUntil(
      [&] {
        return server_.LogTail(200).find("Recovering from the disk error failed") !=
               std::string::npos;
      },
      5s))
      << server_.LogTail(20);

  // Space returns: the server recovers by itself, within about a second.
  ASSERT_EQ(::unlink(filler.c_str()), 0) << std::strerror(errno);
  ASSERT_TRUE(PollUntil([&] { return (reply = Set("after:0", value)) == "+OK"; }, 10s, 20ms))
      << reply << "\n"
      << server_.LogTail(20);
  EXPECT_EQ(Persistence("aof_last_write_status"), "ok");
  // The cron notices the outcome of its attempt at its next tick.
  EXPECT_TRUE(PollUntil([&] { return Persistence("disk_error_recoveries") == "1"; }, 5s));
  EXPECT_NE(server_.LogTail(200).find("Disk error cleared"), std::string::npos);
  // Each failure was logged once, not at every loop iteration or retry.
  EXPECT_EQ(CountLines(server_.LogTail(1000), "Writing the WAL failed"), 1);
  EXPECT_EQ(CountLines(server_.LogTail(1000), "Recovering from the disk error failed"), 1);
  EXPECT_LE(CountLines(server_.LogTail(1000), "Syncing the WAL failed"), 1);
  ExpectAcked("after the recovery");
  for (int i = 1; i < 100; i++) ASSERT_EQ(Set("after:" + std::to_string(i), value), "+OK");
  ASSERT_EQ(c_.Run({"DEL", "before:2"}), ":1");
  acked_.erase("before:2");

  // A process crash loses nothing (docs/design.md §4.2), including what was written while the WAL
  // could not be: the recovery flushed it to tables.
  server_.Kill9();
  ASSERT_TRUE(server_.Restart());
  c_ = server_.Connect();
  ExpectAcked("after kill -9 and restart");
  EXPECT_EQ(c_.Run({"GET", "deleted"}), "(nil)");
  EXPECT_EQ(c_.Run({"GET", "before:2"}), "(nil)");
  EXPECT_EQ(Set("final", "ok"), "+OK");
}

// Several clients whose writes share the WAL write that fails: with appendfsync always none
// of them may be told +OK (no fsync covered their writes), and each must be closed or
// answered, never left waiting (with three or more held clients ReleaseHeld used to skip some
// while closing them, and those hung forever). With everysec they get their replies.
TEST_P(DiskFullTest, EveryClientOfAFailedWalWriteIsClosedOrAnsweredNoneHangs) {
  STRATA_ONLY();
  TmpfsNamespace ns(64);
  if (!ns.ok()) GTEST_SKIP() << "needs unshare -Urm, nsenter and tmpfs: " << ns.error();
  server_.set_dir(ns.mount_point() + "/data");
  server_.set_command_prefix(ns.EnterPrefix());
  const bool always = std::string(GetParam()) == "always";
  ASSERT_TRUE(server_.Start({"--appendfsync", GetParam()}));
  ASSERT_EQ(Set("before", "1"), "+OK");

  constexpr int kWriters = 8;
  std::vector<RawConn> writers;
  for (int i = 0; i < kWriters; i++) {
    writers.push_back(server_.Raw());
    ASSERT_EQ(writers.back().Exchange(EncodeCommand({"PING"})), "+PONG\r\n");
  }
  RawConn blocker = server_.Raw();
  ASSERT_EQ(blocker.Exchange(EncodeCommand({"PING"})), "+PONG\r\n");
  ASSERT_EQ(FillUntilFull(ns.HostPath(ns.mount_point() + "/filler")), "");

  // While the loop sleeps, every writer's SET arrives; the loop then reads them all in one
  // iteration, and their records go to the WAL together: they fit the WAL's buffer, and the
  // one write(2) that hands them to the OS before any reply (FlushWAL in BeforeSleep) is
  // what the full disk refuses. So every writer shares the failed WAL write.
  ASSERT_TRUE(blocker.Send(EncodeCommand({"DEBUG", "SLEEP", "0.5"})));
  std::this_thread::sleep_for(100ms);
  const std::string value(4 << 10, 'w');  // 8 records together stay under the 64 KiB buffer
  for (int i = 0; i < kWriters; i++) {
    ASSERT_TRUE(writers[i].Send(EncodeCommand({"SET", "w" + std::to_string(i), value})));
  }
  EXPECT_EQ(blocker.ReadReply(10s).value_or("(none)"), "+OK\r\n");
  int closed_count = 0;
  for (int i = 0; i < kWriters; i++) {
    std::optional<std::string> reply = writers[i].ReadReply(5s);
    if (!reply) {
      bool closed = false;
      writers[i].ReadUntilClose(1s, &closed);
      EXPECT_TRUE(closed) << "writer " << i << " was neither answered nor closed";
      EXPECT_TRUE(always) << "writer " << i << " closed with appendfsync everysec";
      closed_count++;
    } else if (*reply == "+OK\r\n") {
      // everysec: sent although the WAL write failed (README); made durable by the recovery.
      EXPECT_FALSE(always) << "writer " << i << " acknowledged a write that is not durable";
      acked_["w" + std::to_string(i)] = value;
    } else {
      EXPECT_EQ(reply->rfind("-MISCONF", 0), 0u) << "writer " << i << ": " << *reply;
    }
  }
  if (always) {
    EXPECT_GT(closed_count, 0) << "no writer shared the failed WAL write";
  }

  // Space returns; the server recovers and every acknowledged write is there.
  ASSERT_EQ(::unlink(ns.HostPath(ns.mount_point() + "/filler").c_str()), 0);
  std::string reply;
  ASSERT_TRUE(PollUntil([&] { return (reply = Set("after", "2")) == "+OK"; }, 10s, 20ms))
      << reply << "\n"
      << server_.LogTail(20);
  ExpectAcked("after the recovery");
}

INSTANTIATE_TEST_SUITE_P(Appendfsync, DiskFullTest, ::testing::Values("everysec", "always"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace strata::integration
