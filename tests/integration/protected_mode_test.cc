// Protected mode as Redis 7: bound beyond loopback with no password, a client that connects
// through a non-loopback address gets -DENIED and is closed; loopback clients are served; a
// password, or protected-mode no, lets the outside in. The "outside" client is this host
// itself, connecting to one of its own non-loopback addresses (its peer address is then that
// address, not 127.0.0.1), so no second machine or network namespace is needed.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "harness.h"

namespace strata::integration {
namespace {

// One of this host's IPv4 addresses that is not loopback, if any.
std::optional<std::string> NonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* a = list; a != nullptr && !found; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127) continue;
    char buf[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)) != nullptr) found = buf;
  }
  freeifaddrs(list);
  return found;
}

// Connects to ip:port, sends PING, and returns everything the server sends until it closes
// the connection or 5 s pass; *closed says whether it closed.
std::string PingFrom(const std::string& ip, int port, bool* closed) {
  *closed = false;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "(socket failed)";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "(connect failed)";
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const std::string ping = "*1\r\n$4\r\nPING\r\n";
  (void)!write(fd, ping.data(), ping.size());
  std::string got;
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) {
      *closed = true;
      break;
    }
    if (n < 0) {
      // A close with our PING still unread in the server's socket arrives as a reset.
      *closed = errno == ECONNRESET;
      break;
    }
    got.append(buf, static_cast<size_t>(n));
    if (got == "+PONG\r\n" || got.rfind("-NOAUTH", 0) == 0) break;  // served: no close coming
  }
  close(fd);
  return got;
}

class ProtectedModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> ip = NonLoopbackAddress();
    if (!ip) GTEST_SKIP() << "this host has no non-loopback IPv4 address";
    ip_ = *ip;
  }
  std::string ip_;
};

TEST_F(ProtectedModeTest, OutsideClientsAreDeniedWithoutAPassword) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--bind", "0.0.0.0", "--protected-mode", "yes"}));
  bool closed = false;
  std::string got = PingFrom(ip_, server.port(), &closed);
  EXPECT_EQ(got.rfind("-DENIED Redis is running in protected mode because protected mode is "
                      "enabled and no password is set for the default user.",
                      0),
            0u)
      << got;
  EXPECT_TRUE(
      got.ends_with("in order for the server to start accepting connections from the "
                    "outside.\r\n"))
      << got;
  EXPECT_TRUE(closed) << "the server closes the connection after -DENIED";
  // Loopback clients are served, and the server is unharmed.
  Client c = server.Connect();
  EXPECT_EQ(c.Run("PING"), "+PONG");
}

TEST_F(ProtectedModeTest, APasswordOrProtectedModeNoLetsTheOutsideIn) {
  {
    TestServer server;
    ASSERT_TRUE(server.Start({"--bind", "0.0.0.0", "--requirepass", "s3cret"}));
    bool closed = false;
    std::string got = PingFrom(ip_, server.port(), &closed);
    EXPECT_EQ(got, "-NOAUTH Authentication required.\r\n");
    EXPECT_FALSE(closed);
  }
  {
    TestServer server;
    ASSERT_TRUE(server.Start({"--bind", "0.0.0.0", "--protected-mode", "no"}));
    bool closed = false;
    EXPECT_EQ(PingFrom(ip_, server.port(), &closed), "+PONG\r\n");
    EXPECT_FALSE(closed);
  }
}

}  // namespace
}  // namespace strata::integration
