#include "server/info.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "net/event_loop.h"
#include "server/command.h"
#include "server/server.h"

namespace strata::server {
namespace {

std::string Human(uint64_t bytes) {
  char buf[64];
  double b = static_cast<double>(bytes);
  if (bytes < 1024) {
    std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(bytes));
  } else if (bytes < (1ull << 20)) {
    std::snprintf(buf, sizeof(buf), "%.2fK", b / 1024);
  } else if (bytes < (1ull << 30)) {
    std::snprintf(buf, sizeof(buf), "%.2fM", b / (1 << 20));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", b / (1 << 30));
  }
  return buf;
}

uint64_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t PeakRssBytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;
}

const std::string& RunId() {
  static const std::string id = [] {
    static const char kHex[] = "0123456789abcdef";
    std::string s;
    uint64_t x =
        static_cast<uint64_t>(net::EventLoop::NowUs()) ^ (static_cast<uint64_t>(getpid()) << 32);
    for (int i = 0; i < 40; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      s += kHex[x & 15];
    }
    return s;
  }();
  return id;
}

void Line(std::string* out, const char* name, const std::string& v) {
  out->append(name).append(":").append(v).append("\r\n");
}
void Line(std::string* out, const char* name, uint64_t v) { Line(out, name, std::to_string(v)); }

}  // namespace

std::string GenerateInfo(Server& srv, const std::vector<std::string>& requested) {
  std::set<std::string> want;
  bool all = false, everything = false, defaults = requested.empty();
  for (const auto& r : requested) {
    std::string s = ToLower(r);
    if (s == "all") {
      all = true;
    } else if (s == "everything") {
      everything = true;
    } else if (s == "default") {
      defaults = true;
    } else {
      want.insert(s);
    }
  }
  auto on = [&](const char* name, bool in_default = true) {
    return everything || (all && std::string(name) != "modules") || (defaults && in_default) ||
           want.count(name) > 0;
  };
  const Config& cfg = srv.config();
  int64_t now_ms = net::EventLoop::NowMs();
  std::string out;
  auto section = [&](const char* title) {
    if (!out.empty()) out += "\r\n";
    out += "# ";
    out += title;
    out += "\r\n";
  };

  if (on("server")) {
    section("Server");
    utsname u{};
    uname(&u);
    Line(&out, "redis_version", kRedisVersion);
    Line(&out, "strata_version", kStrataVersion);
    Line(&out, "redis_git_sha1", "00000000");
    Line(&out, "redis_git_dirty", "0");
    Line(&out, "redis_build_id", "0");
    Line(&out, "redis_mode", "standalone");
    Line(&out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    Line(&out, "arch_bits", "64");
    Line(&out, "monotonic_clock", "POSIX clock_gettime");
    Line(&out, "multiplexing_api", "epoll");
    Line(&out, "gcc_version",
         std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
             std::to_string(__GNUC_PATCHLEVEL__));
    Line(&out, "process_id", static_cast<uint64_t>(getpid()));
    Line(&out, "run_id", RunId());
    Line(&out, "tcp_port", static_cast<uint64_t>(cfg.port));
    Line(&out, "server_time_usec", static_cast<uint64_t>(net::EventLoop::NowUs()));
    uint64_t up = static_cast<uint64_t>((now_ms - srv.start_time_ms()) / 1000);
    Line(&out, "uptime_in_seconds", up);
    Line(&out, "uptime_in_days", up / 86400);
    Line(&out, "hz", static_cast<uint64_t>(cfg.hz));
    Line(&out, "configured_hz", static_cast<uint64_t>(cfg.hz));
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    Line(&out, "executable", n > 0 ? std::string(exe, n) : std::string());
    Line(&out, "config_file", cfg.config_file);
  }
  if (on("clients")) {
    section("Clients");
    uint64_t n = 0;
    for (auto& [id, c] : srv.clients()) n += c->conn != nullptr;
    Line(&out, "connected_clients", n);
    Line(&out, "cluster_connections", "0");
    Line(&out, "maxclients", static_cast<uint64_t>(cfg.maxclients));
    Line(&out, "client_recent_max_input_buffer", "0");
    Line(&out, "client_recent_max_output_buffer", "0");
    Line(&out, "blocked_clients", static_cast<uint64_t>(srv.blocked_clients()));
    Line(&out, "tracking_clients", "0");
    Line(&out, "clients_in_timeout_table", static_cast<uint64_t>(srv.blocked_clients()));
  }
  if (on("memory")) {
    section("Memory");
    struct mallinfo2 mi = mallinfo2();
    uint64_t used = mi.uordblks + mi.hblkhd;
    uint64_t rss = RssBytes();
    Line(&out, "used_memory", used);
    Line(&out, "used_memory_human", Human(used));
    Line(&out, "used_memory_rss", rss);
    Line(&out, "used_memory_rss_human", Human(rss));
    Line(&out, "used_memory_peak", PeakRssBytes());
    Line(&out, "used_memory_peak_human", Human(PeakRssBytes()));
    const Config& cfg = srv.config();
    Line(&out, "maxmemory", static_cast<uint64_t>(cfg.maxmemory));
    Line(&out, "maxmemory_human", Human(static_cast<uint64_t>(cfg.maxmemory)));
    Line(&out, "maxmemory_policy", "noeviction");
    char frag[32];
    std::snprintf(frag, sizeof(frag), "%.2f", used ? static_cast<double>(rss) / used : 0.0);
    Line(&out, "mem_fragmentation_ratio", frag);
    Line(&out, "mem_allocator", "libc");
    // The store's parts (server/memory_budget.h): what each may use, and uses now.
    const MemoryBudget& b = srv.memory_budget();
    std::string storage;
    srv.db()->GetProperty("strata.info", &storage);
    storage.insert(0, "\n");  // "name:value\r\n" lines: each is found after a newline
    auto field = [&](std::string_view name) -> uint64_t {
      const std::string key = "\n" + std::string(name) + ":";
      const size_t at = storage.find(key);
      return at == std::string::npos ? 0 : std::strtoull(&storage[at + key.size()], nullptr, 10);
    };
    const auto memtables = static_cast<uint64_t>(b.memtable_size) *
                           static_cast<uint64_t>(1 + b.max_immutable_memtables);
    Line(&out, "strata_memtables_budget", memtables);
    Line(&out, "strata_memtables_used", field("memtable_bytes") + field("immutable_bytes"));
    Line(&out, "strata_row_cache_budget", static_cast<uint64_t>(b.row_cache_size));
    Line(&out, "strata_row_cache_used", field("row_cache_usage"));
    Line(&out, "strata_block_cache_budget", static_cast<uint64_t>(b.block_cache_size));
    Line(&out, "strata_block_cache_used", field("block_cache_usage"));
  }
  if (on("persistence")) {
    section("Persistence");
    bool bg_ok = srv.db()->BackgroundError().ok();
    Line(&out, "loading", "0");
    Line(&out, "async_loading", "0");
    Line(&out, "rdb_changes_since_last_save", srv.dirty());
    Line(&out, "rdb_bgsave_in_progress", "0");
    Line(&out, "rdb_last_save_time", static_cast<uint64_t>(srv.last_save_s()));
    Line(&out, "rdb_last_bgsave_status", "ok");
    Line(&out, "aof_enabled", "1");
    Line(&out, "aof_rewrite_in_progress", "0");
    Line(&out, "aof_rewrite_scheduled", "0");
    Line(&out, "aof_last_write_status", bg_ok ? "ok" : "err");
    // Strata: retries of the store after a disk error (Server::RetryStoreResume).
    Line(&out, "disk_error_recovery_attempts", srv.stats().disk_error_recovery_attempts);
    Line(&out, "disk_error_recoveries", srv.stats().disk_error_recoveries);
    Line(&out, "appendfsync", cfg.appendfsync);
    Line(&out, "wal_last_sequence", srv.db()->LastSequence());
    Line(&out, "wal_durable_sequence", srv.db()->DurableSequence());
  }
  if (on("stats")) {
    section("Stats");
    const ServerStats& st = srv.stats();
    Line(&out, "total_connections_received", st.connections_received);
    Line(&out, "total_commands_processed", st.commands_processed);
    Line(&out, "instantaneous_ops_per_sec", st.instantaneous_ops);
    Line(&out, "total_net_input_bytes", st.net_input_bytes);
    Line(&out, "total_net_output_bytes", st.net_output_bytes);
    Line(&out, "rejected_connections", st.rejected_connections);
    Line(&out, "expired_keys", st.expired_keys);
    Line(&out, "evicted_keys", "0");
    Line(&out, "keyspace_hits", st.keyspace_hits);
    Line(&out, "keyspace_misses", st.keyspace_misses);
    Line(&out, "pubsub_channels", "0");
    Line(&out, "pubsub_patterns", "0");
    Line(&out, "total_error_replies", st.total_error_replies);
    Line(&out, "client_query_buffer_limit_disconnections", st.client_query_limit_disconnections);
    Line(&out, "client_output_buffer_limit_disconnections", st.client_output_limit_disconnections);
    Line(&out, "wal_fsync_waits", st.wal_syncs_waited);
  }
  if (on("replication")) {
    section("Replication");
    Line(&out, "role", "master");
    Line(&out, "connected_slaves", "0");
    Line(&out, "master_failover_state", "no-failover");
    Line(&out, "master_replid", RunId());
    Line(&out, "master_replid2", "0000000000000000000000000000000000000000");
    Line(&out, "master_repl_offset", "0");
    Line(&out, "second_repl_offset", "-1");
    Line(&out, "repl_backlog_active", "0");
  }
  if (on("cpu")) {
    section("CPU");
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    auto tv = [](const timeval& t) {
      char b[32];
      std::snprintf(b, sizeof(b), "%ld.%06ld", static_cast<long>(t.tv_sec),
                    static_cast<long>(t.tv_usec));
      return std::string(b);
    };
    Line(&out, "used_cpu_sys", tv(self.ru_stime));
    Line(&out, "used_cpu_user", tv(self.ru_utime));
    Line(&out, "used_cpu_sys_children", tv(children.ru_stime));
    Line(&out, "used_cpu_user_children", tv(children.ru_utime));
  }
  if (on("storage")) {
    section("Storage");
    std::string s;
    if (srv.db()->GetProperty("strata.info", &s)) out += s;
  }
  if (on("commandstats", false)) {
    section("Commandstats");
    auto cmds = srv.commands().All();
    std::sort(cmds.begin(), cmds.end(),
              [](const Command* a, const Command* b) { return a->name < b->name; });
    for (const Command* c : cmds) {
      if (c->calls == 0 && c->rejected_calls == 0 && c->failed_calls == 0) continue;
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
                    "failed_calls=%llu\r\n",
                    c->name.c_str(), static_cast<unsigned long long>(c->calls),
                    static_cast<unsigned long long>(c->usec),
                    c->calls ? static_cast<double>(c->usec) / c->calls : 0.0,
                    static_cast<unsigned long long>(c->rejected_calls),
                    static_cast<unsigned long long>(c->failed_calls));
      out += buf;
    }
  }
  if (on("cluster")) {
    section("Cluster");
    Line(&out, "cluster_enabled", "0");
  }
  if (on("keyspace")) {
    section("Keyspace");
    Keyspace& ks = srv.keyspace();
    for (int db = 0; db < ks.databases(); db++) {
      uint64_t keys = ks.KeyCount(db);
      if (keys == 0) continue;
      out += "db" + std::to_string(db) + ":keys=" + std::to_string(keys) +
             ",expires=" + std::to_string(ks.ExpiresCount(db)) + ",avg_ttl=0\r\n";
    }
  }
  return out;
}

}  // namespace strata::server
