// Crash torture (docs/design.md §4.2, §8.3; issue "prove it survives"): pipelined writers on
// several connections overwrite and delete keys while the server is killed with SIGKILL at
// random moments — with a small memtable so flushes (and compactions) are in flight. After each
// restart every key must hold the value of its last acknowledged write, or of a write sent
// after it that was not acknowledged (it may or may not have been applied); nothing else.
// A process crash loses nothing in any appendfsync mode, so all three are checked.
//
// Short by default (make test). Long runs: STRATA_CRASH_CYCLES=200 STRATA_CRASH_MS=3000
// build/tests/integration_tests --gtest_filter='CrashTorture*' (scripts/crash-test.sh).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>

#include "harness.h"

namespace strata::integration {
namespace {

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : def;
}

// What one key went through, in the order its (single) writer sent it. An op is a value or
// std::nullopt for a DEL. `acked` is the index of the last acknowledged op (-1: none since the
// last verified state, which is op 0 when `base_known`).
struct KeyHistory {
  std::vector<std::optional<std::string>> ops;
  int acked = -1;
};

class Writer {
 public:
  Writer(int id, int keys) : id_(id), keys_(keys), rng_(static_cast<unsigned>(id) * 7919 + 1) {}

  // Pipelines batches of SET/DEL until the connection dies or `stop` is set.
  void Run(int port, const std::atomic<bool>& stop) {
    timeval tv{5, 0};
    client_ = Client(redisConnectWithTimeout("127.0.0.1", port, tv));
    std::string pad(static_cast<size_t>(40 + id_ * 13), 'x');
    while (!stop.load() && client_.ok()) {
      std::vector<std::pair<std::string, int>> batch;  // key, op index
      for (int i = 0; i < 64; i++) {
        std::string key = "c:" + std::to_string(id_) + ":" + std::to_string(rng_() % keys_);
        auto& h = history_[key];
        if (rng_() % 8 == 0) {
          client_.Append({"DEL", key});
          h.ops.push_back(std::nullopt);
        } else {
          std::string value = std::to_string(id_) + ":" + std::to_string(seq_++) + ":" + pad;
          client_.Append({"SET", key, value});
          h.ops.push_back(value);
        }
        batch.push_back({key, static_cast<int>(h.ops.size()) - 1});
      }
      for (auto& [key, op] : batch) {
        Reply r = client_.GetReply();
        if (!r) return;  // the server died: this and later ops are unacknowledged
        if (r->type == REDIS_REPLY_ERROR) {
          ADD_FAILURE() << "error reply: " << Show(r);
          return;
        }
        history_[key].acked = op;
        acked_total_++;
      }
    }
  }

  // Checks every key against the server's state and resets each history to what was read.
  void Verify(Client& c, int cycle) {
    present = 0;
    for (auto& [key, h] : history_) {
      Reply r = c.Cmd({"GET", key});
      ASSERT_TRUE(r) << "connection lost while verifying";
      std::optional<std::string> got;
      if (r->type == REDIS_REPLY_STRING) got = std::string(r->str, r->len);
      int first = std::max(h.acked, 0);
      int match = -1;
      for (int i = static_cast<int>(h.ops.size()) - 1; i >= first; i--) {
        if (h.ops[i] == got) {
          match = i;
          break;
        }
      }
      bool never_acked_nothing = h.acked < 0 && !got.has_value() && !base_known_[key];
      ASSERT_TRUE(match >= 0 || never_acked_nothing)
          << "cycle " << cycle << ": key " << key << " = "
          << (got ? got->substr(0, 24) : std::string("(nil)")) << " but the last acknowledged "
          << "op was #" << h.acked << " of " << h.ops.size();
      h.ops = {got};
      h.acked = 0;
      base_known_[key] = true;
      keys_checked_++;
      if (got.has_value()) present++;
    }
  }

  // Keys of this writer that exist after the last Verify.
  int present = 0;
  uint64_t acked_total() const { return acked_total_; }
  uint64_t keys_checked() const { return keys_checked_; }

 private:
  int id_;
  int keys_;
  std::mt19937 rng_;
  uint64_t seq_ = 0;
  uint64_t acked_total_ = 0;   // acknowledged SET/DEL over all cycles
  uint64_t keys_checked_ = 0;  // key states verified over all cycles
  Client client_;
  std::map<std::string, KeyHistory> history_;
  std::map<std::string, bool> base_known_;
};

class CrashTortureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTortureTest, KillNineNeverLosesAnAcknowledgedWrite) {
  STRATA_ONLY();  // Redis's everysec/no modes may lose writes on a process crash by design
  const int cycles = EnvInt("STRATA_CRASH_CYCLES", 3);
  const int max_ms = EnvInt("STRATA_CRASH_MS", 700);
  const int kWriters = 4;
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", GetParam(), "--memtable-size", "256kb"}));
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kWriters; i++) writers.push_back(std::make_unique<Writer>(i, 3000));
  std::mt19937 rng(42);
  for (int cycle = 0; cycle < cycles; cycle++) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& w : writers) threads.emplace_back([&, w = w.get()] { w->Run(server.port(), stop); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % max_ms));
    server.Kill9();
    stop = true;
    for (auto& t : threads) t.join();
    ASSERT_TRUE(server.Restart()) << "cycle " << cycle;
    Client c = server.Connect();
    int present = 0;
    for (auto& w : writers) {
      w->Verify(c, cycle);
      if (HasFatalFailure()) return;
      present += w->present;
    }
    // Nothing else appears, and the key counter agrees with the data after every crash.
    ASSERT_EQ(c.Run("DBSIZE"), ":" + std::to_string(present)) << "cycle " << cycle;
  }
  uint64_t acked = 0, checked = 0;
  for (auto& w : writers) {
    acked += w->acked_total();
    checked += w->keys_checked();
  }
  std::printf(
      "crash torture (%s): %d kill -9 cycles, %llu acknowledged writes, %llu key states "
      "verified, nothing lost\n",
      GetParam().c_str(), cycles, static_cast<unsigned long long>(acked),
      static_cast<unsigned long long>(checked));
}

INSTANTIATE_TEST_SUITE_P(Modes, CrashTortureTest, ::testing::Values("always", "everysec", "no"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace strata::integration
