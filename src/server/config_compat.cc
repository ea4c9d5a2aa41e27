// Redis 7.0 directives that have no effect in Strata. Every one is accepted by the config
// file, CONFIG SET (unless Redis also refuses it at run time) and CONFIG GET, with Redis's
// default, so a redis.conf loads and tools that read settings find them; docs/compatibility.md
// lists them with the reason. The few whose silent acceptance would mislead (a replica, TLS,
// cluster mode, a unix socket, an ACL file) are refused with a message that says so.
//
// The table was produced from redis-server 7.0.15 itself: CONFIG GET * for the names and
// defaults, and CONFIG SET of each default for which ones are immutable at run time.
#include <climits>
#include <iterator>
#include <string>
#include <vector>

#include "server/config.h"

namespace strata::server {
namespace {

enum class Kind { kBool, kInt, kAny };
enum class Why { kAof, kCluster, kEncoding, kFeature, kMemory, kProcess, kRdb, kReplication, kTls };

struct InertOption {
  const char* name;
  const char* redis_default;
  bool immutable;
  Kind kind;
  Why why;
};

// Sorted by name.
const InertOption kInert[] = {
    {"acl-pubsub-default", "resetchannels", false, Kind::kAny, Why::kFeature},
    {"aclfile", "", true, Kind::kAny, Why::kFeature},
    {"acllog-max-len", "128", false, Kind::kInt, Why::kFeature},
    {"active-defrag-cycle-max", "25", false, Kind::kInt, Why::kMemory},
    {"active-defrag-cycle-min", "1", false, Kind::kInt, Why::kMemory},
    {"active-defrag-ignore-bytes", "104857600", false, Kind::kInt, Why::kMemory},
    {"active-defrag-max-scan-fields", "1000", false, Kind::kInt, Why::kMemory},
    {"active-defrag-threshold-lower", "10", false, Kind::kInt, Why::kMemory},
    {"active-defrag-threshold-upper", "100", false, Kind::kInt, Why::kMemory},
    {"active-expire-effort", "1", false, Kind::kInt, Why::kMemory},
    {"activedefrag", "no", false, Kind::kBool, Why::kMemory},
    {"activerehashing", "yes", false, Kind::kBool, Why::kMemory},
    {"always-show-logo", "no", true, Kind::kBool, Why::kProcess},
    {"aof-disable-auto-gc", "no", false, Kind::kBool, Why::kAof},
    {"aof-load-truncated", "yes", false, Kind::kBool, Why::kAof},
    {"aof-rewrite-incremental-fsync", "yes", false, Kind::kBool, Why::kAof},
    {"aof-timestamp-enabled", "no", false, Kind::kBool, Why::kAof},
    {"aof-use-rdb-preamble", "yes", false, Kind::kBool, Why::kAof},
    {"aof_rewrite_cpulist", "", true, Kind::kAny, Why::kProcess},
    {"appenddirname", "appendonlydir", true, Kind::kAny, Why::kAof},
    {"appendfilename", "appendonly.aof", true, Kind::kAny, Why::kAof},
    {"auto-aof-rewrite-min-size", "67108864", false, Kind::kInt, Why::kAof},
    {"auto-aof-rewrite-percentage", "100", false, Kind::kInt, Why::kAof},
    {"bgsave_cpulist", "", true, Kind::kAny, Why::kProcess},
    {"bind-source-addr", "", false, Kind::kAny, Why::kProcess},
    {"bio_cpulist", "", true, Kind::kAny, Why::kProcess},
    {"busy-reply-threshold", "5000", false, Kind::kInt, Why::kFeature},
    {"cluster-allow-pubsubshard-when-down", "yes", false, Kind::kBool, Why::kCluster},
    {"cluster-allow-reads-when-down", "no", false, Kind::kBool, Why::kCluster},
    {"cluster-allow-replica-migration", "yes", false, Kind::kBool, Why::kCluster},
    {"cluster-announce-bus-port", "0", false, Kind::kInt, Why::kCluster},
    {"cluster-announce-hostname", "", false, Kind::kAny, Why::kCluster},
    {"cluster-announce-ip", "", false, Kind::kAny, Why::kCluster},
    {"cluster-announce-port", "0", false, Kind::kInt, Why::kCluster},
    {"cluster-announce-tls-port", "0", false, Kind::kInt, Why::kCluster},
    {"cluster-config-file", "nodes.conf", true, Kind::kAny, Why::kCluster},
    {"cluster-enabled", "no", true, Kind::kBool, Why::kCluster},
    {"cluster-link-sendbuf-limit", "0", false, Kind::kInt, Why::kCluster},
    {"cluster-migration-barrier", "1", false, Kind::kInt, Why::kCluster},
    {"cluster-node-timeout", "15000", false, Kind::kInt, Why::kCluster},
    {"cluster-port", "0", true, Kind::kInt, Why::kCluster},
    {"cluster-preferred-endpoint-type", "ip", false, Kind::kAny, Why::kCluster},
    {"cluster-replica-no-failover", "no", false, Kind::kBool, Why::kCluster},
    {"cluster-replica-validity-factor", "10", false, Kind::kInt, Why::kCluster},
    {"cluster-require-full-coverage", "yes", false, Kind::kBool, Why::kCluster},
    {"cluster-slave-no-failover", "no", false, Kind::kBool, Why::kCluster},
    {"cluster-slave-validity-factor", "10", false, Kind::kInt, Why::kCluster},
    {"crash-log-enabled", "yes", false, Kind::kBool, Why::kProcess},
    {"crash-memcheck-enabled", "yes", false, Kind::kBool, Why::kProcess},
    {"dbfilename", "dump.rdb", true, Kind::kAny, Why::kRdb},
    {"disable-thp", "yes", true, Kind::kBool, Why::kProcess},
    {"dynamic-hz", "yes", false, Kind::kBool, Why::kProcess},
    {"enable-module-command", "no", true, Kind::kBool, Why::kProcess},
    {"enable-protected-configs", "no", true, Kind::kBool, Why::kProcess},
    {"hash-max-listpack-entries", "512", false, Kind::kInt, Why::kEncoding},
    {"hash-max-listpack-value", "64", false, Kind::kInt, Why::kEncoding},
    {"hash-max-ziplist-entries", "512", false, Kind::kInt, Why::kEncoding},
    {"hash-max-ziplist-value", "64", false, Kind::kInt, Why::kEncoding},
    {"hll-sparse-max-bytes", "3000", false, Kind::kInt, Why::kEncoding},
    {"ignore-warnings", "", false, Kind::kAny, Why::kProcess},
    {"io-threads", "1", true, Kind::kInt, Why::kProcess},
    {"io-threads-do-reads", "no", true, Kind::kBool, Why::kProcess},
    {"jemalloc-bg-thread", "yes", false, Kind::kBool, Why::kMemory},
    {"latency-monitor-threshold", "0", false, Kind::kInt, Why::kProcess},
    {"latency-tracking", "yes", false, Kind::kBool, Why::kProcess},
    {"latency-tracking-info-percentiles", "50 99 99.9", false, Kind::kAny, Why::kProcess},
    {"lazyfree-lazy-eviction", "no", false, Kind::kBool, Why::kMemory},
    {"lazyfree-lazy-expire", "no", false, Kind::kBool, Why::kMemory},
    {"lazyfree-lazy-server-del", "no", false, Kind::kBool, Why::kMemory},
    {"lazyfree-lazy-user-del", "no", false, Kind::kBool, Why::kMemory},
    {"lazyfree-lazy-user-flush", "no", false, Kind::kBool, Why::kMemory},
    {"lfu-decay-time", "1", false, Kind::kInt, Why::kProcess},
    {"lfu-log-factor", "10", false, Kind::kInt, Why::kProcess},
    {"list-compress-depth", "0", false, Kind::kInt, Why::kEncoding},
    {"list-max-listpack-size", "-2", false, Kind::kInt, Why::kEncoding},
    {"list-max-ziplist-size", "-2", false, Kind::kInt, Why::kEncoding},
    {"lua-time-limit", "5000", false, Kind::kInt, Why::kFeature},
    {"masterauth", "", false, Kind::kAny, Why::kReplication},
    {"masteruser", "", false, Kind::kAny, Why::kReplication},
    {"maxmemory-clients", "0", false, Kind::kInt, Why::kMemory},
    {"maxmemory-eviction-tenacity", "10", false, Kind::kInt, Why::kMemory},
    {"maxmemory-policy", "noeviction", false, Kind::kAny, Why::kMemory},
    {"maxmemory-samples", "5", false, Kind::kInt, Why::kMemory},
    {"min-replicas-max-lag", "10", false, Kind::kInt, Why::kReplication},
    {"min-replicas-to-write", "0", false, Kind::kInt, Why::kReplication},
    {"min-slaves-max-lag", "10", false, Kind::kInt, Why::kReplication},
    {"min-slaves-to-write", "0", false, Kind::kInt, Why::kReplication},
    {"no-appendfsync-on-rewrite", "no", false, Kind::kBool, Why::kAof},
    {"notify-keyspace-events", "", false, Kind::kAny, Why::kFeature},
    {"oom-score-adj", "no", false, Kind::kBool, Why::kProcess},
    {"oom-score-adj-values", "0 200 800", false, Kind::kAny, Why::kProcess},
    {"proc-title-template", "{title} {listen-addr} {server-mode}", false, Kind::kAny,
     Why::kProcess},
    {"propagation-error-behavior", "ignore", false, Kind::kAny, Why::kFeature},
    {"rdb-del-sync-files", "no", false, Kind::kBool, Why::kRdb},
    {"rdb-save-incremental-fsync", "yes", false, Kind::kBool, Why::kRdb},
    {"rdbchecksum", "yes", true, Kind::kBool, Why::kRdb},
    {"rdbcompression", "yes", false, Kind::kBool, Why::kRdb},
    {"repl-backlog-size", "1048576", false, Kind::kInt, Why::kReplication},
    {"repl-backlog-ttl", "3600", false, Kind::kInt, Why::kReplication},
    {"repl-disable-tcp-nodelay", "no", false, Kind::kBool, Why::kReplication},
    {"repl-diskless-load", "disabled", false, Kind::kAny, Why::kReplication},
    {"repl-diskless-sync", "yes", false, Kind::kBool, Why::kReplication},
    {"repl-diskless-sync-delay", "5", false, Kind::kInt, Why::kReplication},
    {"repl-diskless-sync-max-replicas", "0", false, Kind::kInt, Why::kReplication},
    {"repl-ping-replica-period", "10", false, Kind::kInt, Why::kReplication},
    {"repl-ping-slave-period", "10", false, Kind::kInt, Why::kReplication},
    {"repl-timeout", "60", false, Kind::kInt, Why::kReplication},
    {"replica-announce-ip", "", false, Kind::kAny, Why::kReplication},
    {"replica-announce-port", "0", false, Kind::kInt, Why::kReplication},
    {"replica-announced", "yes", false, Kind::kBool, Why::kReplication},
    {"replica-ignore-disk-write-errors", "no", false, Kind::kBool, Why::kReplication},
    {"replica-ignore-maxmemory", "yes", false, Kind::kBool, Why::kMemory},
    {"replica-lazy-flush", "no", false, Kind::kBool, Why::kMemory},
    {"replica-priority", "100", false, Kind::kInt, Why::kReplication},
    {"replica-read-only", "yes", false, Kind::kBool, Why::kReplication},
    {"replica-serve-stale-data", "yes", false, Kind::kBool, Why::kReplication},
    {"replicaof", "", true, Kind::kAny, Why::kReplication},
    {"sanitize-dump-payload", "no", false, Kind::kBool, Why::kRdb},
    {"server_cpulist", "", true, Kind::kAny, Why::kProcess},
    {"set-max-intset-entries", "512", false, Kind::kInt, Why::kEncoding},
    {"set-proc-title", "yes", true, Kind::kBool, Why::kProcess},
    {"shutdown-on-sigint", "default", false, Kind::kAny, Why::kProcess},
    {"shutdown-on-sigterm", "default", false, Kind::kAny, Why::kProcess},
    {"shutdown-timeout", "10", false, Kind::kInt, Why::kProcess},
    {"slave-announce-ip", "", false, Kind::kAny, Why::kReplication},
    {"slave-announce-port", "0", false, Kind::kInt, Why::kReplication},
    {"slave-ignore-maxmemory", "yes", false, Kind::kBool, Why::kMemory},
    {"slave-lazy-flush", "no", false, Kind::kBool, Why::kMemory},
    {"slave-priority", "100", false, Kind::kInt, Why::kReplication},
    {"slave-read-only", "yes", false, Kind::kBool, Why::kReplication},
    {"slave-serve-stale-data", "yes", false, Kind::kBool, Why::kReplication},
    {"slaveof", "", true, Kind::kAny, Why::kReplication},
    {"socket-mark-id", "0", true, Kind::kInt, Why::kProcess},
    {"stop-writes-on-bgsave-error", "yes", false, Kind::kBool, Why::kRdb},
    {"stream-node-max-bytes", "4096", false, Kind::kInt, Why::kEncoding},
    {"stream-node-max-entries", "100", false, Kind::kInt, Why::kEncoding},
    {"supervised", "no", true, Kind::kBool, Why::kProcess},
    {"syslog-enabled", "no", true, Kind::kBool, Why::kProcess},
    {"syslog-facility", "local0", true, Kind::kAny, Why::kProcess},
    {"syslog-ident", "redis", true, Kind::kAny, Why::kProcess},
    {"tls-auth-clients", "yes", false, Kind::kBool, Why::kTls},
    {"tls-ca-cert-dir", "", false, Kind::kAny, Why::kTls},
    {"tls-ca-cert-file", "", false, Kind::kAny, Why::kTls},
    {"tls-cert-file", "", false, Kind::kAny, Why::kTls},
    {"tls-ciphers", "", false, Kind::kAny, Why::kTls},
    {"tls-ciphersuites", "", false, Kind::kAny, Why::kTls},
    {"tls-client-cert-file", "", false, Kind::kAny, Why::kTls},
    {"tls-client-key-file", "", false, Kind::kAny, Why::kTls},
    {"tls-client-key-file-pass", "", false, Kind::kAny, Why::kTls},
    {"tls-cluster", "no", false, Kind::kBool, Why::kTls},
    {"tls-dh-params-file", "", false, Kind::kAny, Why::kTls},
    {"tls-key-file", "", false, Kind::kAny, Why::kTls},
    {"tls-key-file-pass", "", false, Kind::kAny, Why::kTls},
    {"tls-port", "0", false, Kind::kInt, Why::kTls},
    {"tls-prefer-server-ciphers", "no", false, Kind::kBool, Why::kTls},
    {"tls-protocols", "", false, Kind::kAny, Why::kTls},
    {"tls-replication", "no", false, Kind::kBool, Why::kTls},
    {"tls-session-cache-size", "20480", false, Kind::kInt, Why::kTls},
    {"tls-session-cache-timeout", "300", false, Kind::kInt, Why::kTls},
    {"tls-session-caching", "yes", false, Kind::kBool, Why::kTls},
    {"tracking-table-max-keys", "1000000", false, Kind::kInt, Why::kFeature},
    {"unixsocket", "", true, Kind::kAny, Why::kProcess},
    {"unixsocketperm", "0", true, Kind::kInt, Why::kProcess},
    {"zset-max-listpack-entries", "128", false, Kind::kInt, Why::kEncoding},
    {"zset-max-listpack-value", "64", false, Kind::kInt, Why::kEncoding},
    {"zset-max-ziplist-entries", "128", false, Kind::kInt, Why::kEncoding},
    {"zset-max-ziplist-value", "64", false, Kind::kInt, Why::kEncoding},
};

// Settings that would silently change what the server is (a replica, a cluster node, a TLS or
// unix-socket listener, ACL users): refused unless they keep Redis's default.
struct Refusal {
  const char* name;
  const char* message;
};
const Refusal kRefused[] = {
    {"replicaof", "replication is not supported yet"},
    {"slaveof", "replication is not supported yet"},
    {"cluster-enabled", "cluster mode is not supported"},
    {"tls-port", "TLS is not supported yet"},
    {"unixsocket", "unix sockets are not supported yet: connect over TCP"},
    {"aclfile", "ACL files are not supported yet"},
};

}  // namespace

void ConfigRegistry::DefineInertOptions() {
  for (const InertOption& o : kInert) {
    const std::string name = o.name;
    const std::string def = o.redis_default;
    const Refusal* refusal = nullptr;
    for (const Refusal& r : kRefused) {
      if (name == r.name) refusal = &r;
    }
    // Redis 7 keeps the old names as aliases: slave -> replica, ziplist -> listpack. An alias
    // shares its value with the new name.
    std::string key = name;
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"slave", "replica"}, {"ziplist", "listpack"}}) {
      size_t at = key.find(from);
      if (at != std::string::npos) key.replace(at, from.size(), to);
    }
    if (inert_.count(key) == 0) inert_[key] = def;
    const Kind kind = o.kind;
    Define(
        name, !o.immutable, [this, key] { return inert_[key]; },
        [this, key, kind, def, refusal](const std::vector<std::string>& a, std::string* err) {
          std::string v;
          for (size_t i = 0; i < a.size(); i++) v += (i ? " " : "") + a[i];
          if (refusal != nullptr && v != def) {
            *err = refusal->message;
            return false;
          }
          if (kind == Kind::kBool) {
            std::string l = v;
            for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (a.size() != 1 || (l != "yes" && l != "no")) {
              *err = "argument must be 'yes' or 'no'";
              return false;
            }
            v = l;
          } else if (kind == Kind::kInt) {
            int64_t n;
            const bool neg = a.size() == 1 && !a[0].empty() && a[0][0] == '-';
            if (a.size() != 1 || !ParseMemory(neg ? a[0].substr(1) : a[0], &n)) {
              *err = "argument couldn't be parsed into an integer";
              return false;
            }
          }
          inert_[key] = v;
          return true;
        });
  }
}

}  // namespace strata::server
