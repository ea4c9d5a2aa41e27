// Client libraries: a real application-level client runs a scripted workload against the server.
// redis-py (Debian's python3-redis, for /usr/bin/python3): tests/integration/clients/
// redis_py_check.py exercises strings, keyspace, databases, SCAN, pipelines, a threaded
// connection pool, CLIENT, INFO, CONFIG and error mapping; it prints each failed check and exits 1.
// Like the rest of the suite it must pass against redis-server 7.0.15 too.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

namespace fs = std::filesystem;

constexpr char kPython[] = "/usr/bin/python3";  // Debian's, not a pyenv python3 on PATH

// tests/integration/clients/<name>: beside this source file (__FILE__ is relative to the repo
// root when built by the Makefile), else under the repo root found above the test binary.
std::string ClientScript(const std::string& name) {
  std::error_code ec;
  fs::path beside = fs::path(__FILE__).parent_path() / "clients" / name;
  if (fs::exists(beside, ec)) return fs::absolute(beside, ec).string();
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (fs::path p = exe.parent_path(); !ec && p.has_relative_path(); p = p.parent_path()) {
    if (fs::exists(p / "Makefile") && fs::exists(p / "tests" / "integration")) {
      return (p / "tests" / "integration" / "clients" / name).string();
    }
  }
  return beside.string();
}

// -I (isolated): PYTHONPATH, PYTHONHOME and user site-packages from the environment are ignored.
bool PythonHasModule(const std::string& module) {
  if (::access(kPython, X_OK) != 0) return false;
  return RunProcess({kPython, "-I", "-c", "import " + module}, 30s).exit_code == 0;
}

TEST(ClientLibTest, RedisPy) {
  if (!PythonHasModule("redis")) {
    GTEST_SKIP() << kPython << " cannot import redis: install Debian's python3-redis "
                 << "(scripts/deps.sh does)";
  }
  const std::string script = ClientScript("redis_py_check.py");
  ASSERT_TRUE(fs::exists(script)) << script;
  TestServer server;
  ASSERT_TRUE(server.Start());
  ProcessResult r =
      RunProcess({kPython, "-I", script, "127.0.0.1", std::to_string(server.port())}, 60s);
  EXPECT_FALSE(r.timed_out) << "redis_py_check.py did not finish in 60 s; output:\n" << r.output;
  EXPECT_EQ(r.exit_code, 0) << "redis_py_check.py output:\n" << r.output;
  EXPECT_TRUE(server.Running()) << "the server died during the redis-py run";
}

}  // namespace
}  // namespace strata::integration
