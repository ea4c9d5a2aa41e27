// Server configuration: every option, its default, how it is parsed from the config file and
// the command line (redis.conf syntax: `name arg ...`, `--name arg ...`), how CONFIG GET shows
// it, and whether CONFIG SET may change it at run time. Option names are Redis's where the
// meaning is Redis's; engine options are our own. conf/strata.conf documents each in place.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace strata::server {

struct Config {
  // Network
  std::vector<std::string> bind = {"127.0.0.1"};
  int port = 6379;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;
  bool protected_mode = true;
  int64_t maxclients = 10000;
  int timeout = 0;  // seconds; 0 = never close idle clients
  std::string requirepass;
  int64_t proto_max_bulk_len = 512ll << 20;
  int64_t client_query_buffer_limit = 1ll << 30;
  // Hard limit on unsent reply bytes for normal clients (Redis's default is unlimited; an
  // unbounded buffer is how a slow reader takes a server down, so ours is 256 MB).
  int64_t client_output_buffer_limit = 256ll << 20;
  int64_t client_output_buffer_soft_limit = 0;  // 0: none
  int64_t client_output_buffer_soft_seconds = 0;
  // The pubsub class (clients subscribed to a channel or pattern), as Redis's defaults.
  int64_t client_output_buffer_pubsub_limit = 32ll << 20;
  int64_t client_output_buffer_pubsub_soft_limit = 8ll << 20;
  int64_t client_output_buffer_pubsub_soft_seconds = 60;
  std::string enable_debug_command = "no";                            // no | yes | local
  std::vector<std::pair<std::string, std::string>> renamed_commands;  // rename-command a b

  // Server
  int databases = 16;
  int hz = 10;
  std::string dir = ".";
  std::string logfile;  // empty: standard output
  std::string loglevel = "notice";
  std::string pidfile;
  int64_t slowlog_log_slower_than = 10000;  // microseconds
  int64_t slowlog_max_len = 128;

  // Durability
  std::string appendfsync = "everysec";  // always | everysec | no
  bool skip_corrupt_wal = false;

  // Engine. maxmemory: one budget for memtables and caches (memory_budget.h); 0: none.
  int64_t maxmemory = 0;
  int64_t memtable_size = 64ll << 20;
  int64_t block_cache_size = 128ll << 20;
  int64_t row_cache_size = 256ll << 20;
  int bloom_bits_per_key = 10;
  int64_t block_size = 4096;
  std::string compression = "no";  // no | lz4 | zstd
  int compaction_threads = 1;
  int level0_compaction_trigger = 4;
  int level0_slowdown_trigger = 20;
  int level0_stop_trigger = 36;
  int max_open_files = 1000;
  bool mmap_reads = false;

  // Fork into the background at start-up, as redis-server does (main.cc).
  bool daemonize = false;
  // Kept and reported only: Strata takes no RDB snapshots.
  std::string save;

  // The options given in the config file or on the command line (not left at defaults).
  std::set<std::string> explicitly_set;

  // Where the configuration was read from (for CONFIG REWRITE); empty if none.
  std::string config_file;
};

// Parses a memory amount the way Redis does: 100, 1k (1000), 1kb (1024), 1m, 1mb, 1g, 1gb.
bool ParseMemory(const std::string& s, int64_t* out);

class ConfigRegistry {
 public:
  explicit ConfigRegistry(Config* config);

  // Applies a config file's text. On error, *error names the line and the problem.
  bool LoadText(const std::string& text, std::string* error);
  bool LoadFile(const std::string& path, std::string* error);
  // Applies `--name arg [arg...]` pairs from the command line.
  bool LoadArgs(const std::vector<std::string>& args, std::string* error);

  // (name, value) of every option whose name matches the glob (case-insensitive).
  std::vector<std::pair<std::string, std::string>> Get(const std::string& pattern) const;
  // CONFIG SET semantics: Redis's error texts in *error (without "ERR "). `startup` allows
  // immutable options. On success, calls the change hook with the option's name.
  bool Set(const std::string& name, const std::vector<std::string>& args, bool startup,
           std::string* error);
  // The checks Set makes before it looks at the value: the option exists and, at run time,
  // may be changed. CONFIG SET runs them over every name first, as Redis does.
  bool CheckSettable(const std::string& name, bool startup, std::string* error) const;
  // Writes the current values into the config file, keeping comments and unknown lines.
  bool Rewrite(std::string* error) const;

  void set_on_change(std::function<void(const std::string&)> fn) { on_change_ = std::move(fn); }

 private:
  struct Option {
    std::string name;
    bool mutable_at_runtime;
    std::function<std::string()> get;
    // Returns false with *error set on a bad value.
    std::function<bool(const std::vector<std::string>&, std::string*)> set;
  };
  const Option* Find(const std::string& name) const;
  void Define(std::string name, bool mut, std::function<std::string()> get,
              std::function<bool(const std::vector<std::string>&, std::string*)> set);
  template <typename T>  // int or int64_t
  void DefineInteger(const std::string& name, bool mut, T* field, int64_t min, int64_t max);
  void DefineMemory(const std::string& name, bool mut, int64_t* field, int64_t min);
  void DefineBool(const std::string& name, bool mut, bool* field);
  void DefineString(const std::string& name, bool mut, std::string* field);
  void DefineEnum(const std::string& name, bool mut, std::string* field,
                  std::vector<std::string> values);
  // Redis directives with no effect here (config_compat.cc): kept in inert_ by name (an old
  // alias shares its new name's entry) and reported by CONFIG GET.
  void DefineInertOptions();

  Config* c_;
  std::vector<Option> options_;
  std::map<std::string, std::string> inert_;
  std::function<void(const std::string&)> on_change_;
};

}  // namespace strata::server
