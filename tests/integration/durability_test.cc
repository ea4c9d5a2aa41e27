// Durability family: kill -9 under pipelined load with appendfsync always, clean shutdown by
// SIGTERM and by SHUTDOWN, restarts that keep data, deletions, TTLs and databases; Strata's
// directory LOCK and its "a process crash loses nothing" guarantee (docs/design.md §4.2).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace strata::integration {
namespace {

std::string Value(int thread, long long seq) {
  return "value-" + std::to_string(thread) + "-" + std::to_string(seq) + "-" +
         std::string(40, static_cast<char>('a' + seq % 26));
}

std::string DataKey(int thread, long long seq) {
  return "d:" + std::to_string(thread) + ":" + std::to_string(seq);
}

// Pipelined writers on separate connections. Each records how far its acknowledged writes
// reach: every SET up to `acked` got +OK, and hot:<t> was last acknowledged as `hot_acked`.
class Writers {
 public:
  static constexpr int kThreads = 4;
  static constexpr int kBatch = 32;

  explicit Writers(const TestServer& server, long long first_seq = 0) {
    for (int t = 0; t < kThreads; ++t) {
      progress_[t].acked = first_seq;
      threads_.emplace_back([this, &server, t, first_seq] { Run(server, t, first_seq); });
    }
  }
  ~Writers() { Join(); }

  void Join() {
    stop_ = true;
    for (auto& th : threads_) {
      if (th.joinable()) th.join();
    }
  }

  long long TotalAcked() const {
    long long sum = 0;
    for (const auto& p : progress_) sum += p.acked.load();
    return sum;
  }

  struct Progress {
    std::atomic<long long> acked{0};       // data keys [first_seq, acked) are acknowledged
    std::atomic<long long> hot_acked{-1};  // last acknowledged value of hot:<t>
    std::string error;
  };
  Progress progress_[kThreads];

 private:
  void Run(const TestServer& server, int t, long long first_seq) {
    Client c = server.Connect();
    if (!c.ok()) {
      progress_[t].error = "connect: " + c.error();
      return;
    }
    long long seq = first_seq;
    while (!stop_) {
      for (long long s = seq; s < seq + kBatch; ++s) {
        c.Append({"SET", DataKey(t, s), Value(t, s)});
        c.Append({"SET", "hot:" + std::to_string(t), std::to_string(s)});
      }
      for (long long s = seq; s < seq + kBatch; ++s) {
        Reply data = c.GetReply();
        if (data == nullptr) return;  // the server is gone
        if (Show(data) != "+OK") {
          progress_[t].error = "SET reply " + Show(data);
          return;
        }
        progress_[t].acked = s + 1;
        Reply hot = c.GetReply();
        if (hot == nullptr) return;
        if (Show(hot) != "+OK") {
          progress_[t].error = "SET hot reply " + Show(hot);
          return;
        }
        progress_[t].hot_acked = s;
      }
      seq += kBatch;
    }
  }

  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Acknowledged data keys DataKey(thread, from .. to-1).
struct AckedRange {
  int thread;
  long long from;
  long long to;
};

// Checks every acknowledged data key in `ranges`, and that hot:<t> holds the value last
// acknowledged by `w` or a newer, unacknowledged one.
void VerifyAcknowledged(Client& c, const std::vector<AckedRange>& ranges, const Writers& w) {
  for (const AckedRange& r : ranges) {
    for (long long s = r.from; s < r.to; ++s) c.Append({"GET", DataKey(r.thread, s)});
    long long lost = 0;
    for (long long s = r.from; s < r.to; ++s) {
      Reply reply = c.GetReply();
      ASSERT_NE(reply, nullptr) << c.error();
      if (Show(reply) != "$" + Value(r.thread, s) && ++lost <= 5) {
        ADD_FAILURE() << "acknowledged " << DataKey(r.thread, s) << " reads back as "
                      << Show(reply);
      }
    }
    EXPECT_EQ(lost, 0) << "thread " << r.thread << ": " << lost << " of " << r.to - r.from
                       << " acknowledged writes lost";
  }
  for (int t = 0; t < Writers::kThreads; ++t) {
    const long long hot = w.progress_[t].hot_acked.load();
    if (hot < 0) continue;
    Reply reply = c.Cmd({"GET", "hot:" + std::to_string(t)});
    ASSERT_NE(reply, nullptr);
    ASSERT_EQ(reply->type, REDIS_REPLY_STRING) << Show(reply);
    EXPECT_GE(std::stoll(std::string(reply->str, reply->len)), hot) << "hot:" << t;
  }
}

TEST(DurabilityTest, KillNineUnderLoadWithAppendfsyncAlways) {
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "always"}));
  std::vector<AckedRange> acked;
  // Round 1 crashes a server that itself recovered from round 0's crash; round 0's writes
  // must survive both.
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const long long first_seq = round * 1000000LL;
    Writers writers(server, first_seq);
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(
        PollUntil([&] { return writers.TotalAcked() - Writers::kThreads * first_seq >= 200; }, 30s))
        << "the writers made no progress";
    server.Kill9();  // mid-load: the writers are still pipelining
    writers.Join();
    for (int t = 0; t < Writers::kThreads; ++t) {
      ASSERT_EQ(writers.progress_[t].error, "");
      acked.push_back({t, first_seq, writers.progress_[t].acked.load()});
    }
    ASSERT_TRUE(server.Restart());
    Client c = server.Connect();
    ASSERT_TRUE(c.ok());
    ASSERT_NO_FATAL_FAILURE(VerifyAcknowledged(c, acked, writers));
  }
}

// Writes a mixed data set: plain keys, deleted keys, keys with long and short TTLs, another db.
void WriteDataSet(Client& c) {
  for (int i = 0; i < 3000; ++i) c.Append({"SET", "k" + std::to_string(i), Value(0, i)});
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(Show(c.GetReply()), "+OK");
  for (int i = 0; i < 3000; i += 3) c.Append({"DEL", "k" + std::to_string(i)});
  for (int i = 0; i < 3000; i += 3) ASSERT_EQ(Show(c.GetReply()), ":1");
  ASSERT_EQ(c.Run("SET ttl-long v EX 100000"), "+OK");
  ASSERT_EQ(c.Run("SET ttl-short v PX 300"), "+OK");
  ASSERT_EQ(c.Run("INCRBY counter 42"), ":42");
  ASSERT_EQ(c.Run("SELECT 5"), "+OK");
  ASSERT_EQ(c.Run("SET in-db5 five"), "+OK");
  ASSERT_EQ(c.Run("SELECT 0"), "+OK");
}

void VerifyDataSet(Client& c) {
  ASSERT_TRUE(c.ok()) << c.error();
  for (int i = 0; i < 3000; ++i) c.Append({"GET", "k" + std::to_string(i)});
  for (int i = 0; i < 3000; ++i) {
    Reply r = c.GetReply();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(Show(r), i % 3 == 0 ? "(nil)" : "$" + Value(0, i)) << "k" << i;
  }
  EXPECT_EQ(c.Run("GET counter"), "$42");
  Reply ttl = c.Cmd("TTL ttl-long");
  ASSERT_EQ(ttl->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(ttl->integer, 90000) << "TTLs survive a restart";
  EXPECT_TRUE(PollUntil([&] { return c.Run("EXISTS ttl-short") == ":0"; }));
  EXPECT_TRUE(PollUntil([&] { return c.Run("DBSIZE") == ":2002"; })) << c.Run("DBSIZE");
  EXPECT_EQ(c.Run("SELECT 5"), "+OK");
  EXPECT_EQ(c.Run("GET in-db5"), "$five");
  EXPECT_EQ(c.Run("DBSIZE"), ":1");
  EXPECT_EQ(c.Run("SELECT 0"), "+OK");
}

TEST(DurabilityTest, SigtermThenRestartKeepsEverything) {
  TestServer server;
  ASSERT_TRUE(server.Start());  // appendfsync everysec
  {
    Client c = server.Connect();
    ASSERT_NO_FATAL_FAILURE(WriteDataSet(c));
  }
  ASSERT_TRUE(server.Stop()) << "SIGTERM must exit 0";
  ASSERT_TRUE(server.Restart());
  Client c = server.Connect();
  ASSERT_NO_FATAL_FAILURE(VerifyDataSet(c));
  // And once more, on the recovered data.
  EXPECT_EQ(c.Run("SET after-restart yes"), "+OK");
  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("GET after-restart"), "$yes");
  EXPECT_EQ(c.Run("GET k1"), "$" + Value(0, 1));
}

TEST(DurabilityTest, ShutdownCommandThenRestartKeepsEverything) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  ASSERT_NO_FATAL_FAILURE(WriteDataSet(c));
  Client other = server.Connect();
  EXPECT_EQ(c.Cmd("SHUTDOWN"), nullptr) << "SHUTDOWN closes the connection without a reply";
  ASSERT_TRUE(server.WaitExit()) << "the server exits with status 0 after SHUTDOWN";
  EXPECT_EQ(other.Cmd("PING"), nullptr) << "every connection is closed";
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  ASSERT_NO_FATAL_FAILURE(VerifyDataSet(c));
}

TEST(DurabilityTest, MappedTableReadsServeTheDataSetAcrossRestarts) {
  // mmap-reads yes: the tables written by SAVE and COMPACT are read through mappings.
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--mmap-reads", "yes", "--memtable-size", "256kb", "--row-cache-size",
                            "0", "--block-cache-size", "0"}));
  Client c = server.Connect();
  EXPECT_EQ(c.Run("CONFIG GET mmap-reads"), "[$mmap-reads, $yes]");
  ASSERT_NO_FATAL_FAILURE(WriteDataSet(c));
  EXPECT_EQ(c.Run("SAVE"), "+OK");
  ASSERT_NO_FATAL_FAILURE(VerifyDataSet(c));
  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  ASSERT_NO_FATAL_FAILURE(VerifyDataSet(c));
  EXPECT_EQ(c.Run("COMPACT"), "+OK");
  ASSERT_NO_FATAL_FAILURE(VerifyDataSet(c));
}

TEST(DurabilityTest, FlushallIsDurable) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  Client c = server.Connect();
  EXPECT_EQ(c.Run("MSET a 1 b 2"), "+OK");
  EXPECT_EQ(c.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c.Run("SET c 3"), "+OK");
  EXPECT_EQ(c.Run("FLUSHALL"), "+OK");
  EXPECT_EQ(c.Run("SET d 4"), "+OK");
  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  EXPECT_EQ(c.Run("DBSIZE"), ":0");
  EXPECT_EQ(c.Run("SELECT 1"), "+OK");
  EXPECT_EQ(c.Run("KEYS *"), "[$d]");
}

TEST(DurabilityTest, StrataProcessCrashLosesNothingWithEverysec) {
  // docs/design.md §4.2: with everysec the WAL is written to the OS at once, so a crash of the
  // process (not the machine) loses nothing. Redis may postpone its AOF write while an fsync
  // is in progress, so this is Strata's guarantee only.
  STRATA_ONLY();
  TestServer server;
  ASSERT_TRUE(server.Start({"--appendfsync", "everysec"}));
  Client c = server.Connect();
  for (int i = 0; i < 2000; ++i) c.Append({"SET", "k" + std::to_string(i), Value(1, i)});
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(Show(c.GetReply()), "+OK");
  EXPECT_EQ(c.Run("DEL k7"), ":1");
  server.Kill9();
  ASSERT_TRUE(server.Restart());
  c = server.Connect();
  for (int i = 0; i < 2000; ++i) c.Append({"GET", "k" + std::to_string(i)});
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(Show(c.GetReply()), i == 7 ? "(nil)" : "$" + Value(1, i)) << i;
  }
  EXPECT_EQ(c.Run("DBSIZE"), ":1999");
}

TEST(DurabilityTest, StrataSecondServerOnSameDirRefusesToStart) {
  STRATA_ONLY();
  TestServer first;
  ASSERT_TRUE(first.Start());
  Client c = first.Connect();
  EXPECT_EQ(c.Run("SET k v"), "+OK");

  TestServer second;
  second.set_dir(first.dir());
  ::testing::AssertionResult started = second.Start();
  EXPECT_FALSE(started) << "a second server must not open a directory that is in use";
  EXPECT_FALSE(second.Running());
  EXPECT_NE(second.exit_status(), 0);
  std::string log = second.LogTail(50);
  std::transform(log.begin(), log.end(), log.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  EXPECT_NE(log.find("lock"), std::string::npos) << "the refusal must say why:\n" << log;
  // The first server is untouched.
  EXPECT_EQ(c.Run("GET k"), "$v");
  EXPECT_EQ(c.Run("SET k2 v2"), "+OK");
  ASSERT_TRUE(first.Stop());
  ASSERT_TRUE(first.Restart());
  c = first.Connect();
  EXPECT_EQ(c.Run("MGET k k2"), "[$v, $v2]");
}

}  // namespace
}  // namespace strata::integration
