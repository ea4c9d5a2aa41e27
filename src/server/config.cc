#include "server/config.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "resp/parser.h"
#include "util/glob.h"

namespace strata::server {
namespace {

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  *out = v;
  return true;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string r;
  for (size_t i = 0; i < v.size(); i++) {
    if (i) r += sep;
    r += v[i];
  }
  return r;
}

}  // namespace

bool ParseMemory(const std::string& s, int64_t* out) {
  std::string l = Lower(s);
  int64_t mul = 1;
  struct Unit {
    const char* suffix;
    int64_t mul;
  };
  static const Unit kUnits[] = {{"kb", 1024}, {"mb", 1024ll * 1024}, {"gb", 1ll << 30},
                                {"k", 1000},  {"m", 1000 * 1000},    {"g", 1000ll * 1000 * 1000},
                                {"b", 1}};
  for (const auto& u : kUnits) {
    size_t n = std::strlen(u.suffix);
    if (l.size() > n && l.compare(l.size() - n, n, u.suffix) == 0 &&
        std::isdigit(static_cast<unsigned char>(l[l.size() - n - 1]))) {
      mul = u.mul;
      l.resize(l.size() - n);
      break;
    }
  }
  int64_t v;
  if (!ParseInt64(l, &v) || v < 0) return false;
  if (v > INT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

ConfigRegistry::ConfigRegistry(Config* c) : c_(c) {
  Define(
      "bind", true, [this] { return Join(c_->bind, " "); },
      [this](const std::vector<std::string>& a, std::string* err) {
        if (a.empty()) {
          *err = "Too many bind addresses specified.";
          return false;
        }
        std::vector<std::string> out;
        for (const auto& x : a) {
          std::istringstream is(x);
          std::string w;
          while (is >> w) out.push_back(w);
        }
        c_->bind = out;
        return true;
      });
  DefineInteger("port", false, &c_->port, 0, 65535);
  DefineInteger("tcp-backlog", false, &c_->tcp_backlog, 0, INT_MAX);
  DefineInteger("tcp-keepalive", true, &c_->tcp_keepalive, 0, INT_MAX);
  DefineBool("protected-mode", true, &c_->protected_mode);
  DefineInteger("maxclients", true, &c_->maxclients, 1, UINT_MAX);
  DefineInteger("timeout", true, &c_->timeout, 0, INT_MAX);
  DefineString("requirepass", true, &c_->requirepass);
  DefineMemory("proto-max-bulk-len", true, &c_->proto_max_bulk_len, 1024 * 1024);
  DefineMemory("client-query-buffer-limit", true, &c_->client_query_buffer_limit, 1024 * 1024);
  Define(
      "client-output-buffer-limit", true,
      [this] {
        return "normal " + std::to_string(c_->client_output_buffer_limit) + " " +
               std::to_string(c_->client_output_buffer_soft_limit) + " " +
               std::to_string(c_->client_output_buffer_soft_seconds) +
               " slave 268435456 67108864 60 pubsub " +
               std::to_string(c_->client_output_buffer_pubsub_limit) + " " +
               std::to_string(c_->client_output_buffer_pubsub_soft_limit) + " " +
               std::to_string(c_->client_output_buffer_pubsub_soft_seconds);
      },
      [this](const std::vector<std::string>& a, std::string* err) {
        // Accepts Redis's "<class> <hard> <soft> <seconds>" groups; the normal and pubsub
        // classes apply (there are no replicas yet).
        std::vector<std::string> w;
        for (const auto& x : a) {
          std::istringstream is(x);
          std::string t;
          while (is >> t) w.push_back(t);
        }
        if (w.empty() || w.size() % 4 != 0) {
          *err = "Wrong number of arguments in buffer limit configuration.";
          return false;
        }
        for (size_t i = 0; i < w.size(); i += 4) {
          std::string cls = Lower(w[i]);
          int64_t hard, soft, secs;
          if (cls != "normal" && cls != "replica" && cls != "slave" && cls != "pubsub") {
            *err = "Invalid client class specified in buffer limit configuration.";
            return false;
          }
          if (!ParseMemory(w[i + 1], &hard) || !ParseMemory(w[i + 2], &soft) ||
              !ParseInt64(w[i + 3], &secs) || secs < 0) {
            *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            return false;
          }
          if (cls == "normal") {
            c_->client_output_buffer_limit = hard;
            c_->client_output_buffer_soft_limit = soft;
            c_->client_output_buffer_soft_seconds = secs;
          } else if (cls == "pubsub") {
            c_->client_output_buffer_pubsub_limit = hard;
            c_->client_output_buffer_pubsub_soft_limit = soft;
            c_->client_output_buffer_pubsub_soft_seconds = secs;
          }
        }
        return true;
      });
  DefineEnum("enable-debug-command", false, &c_->enable_debug_command, {"no", "yes", "local"});
  Define(
      "rename-command", false, [] { return std::string(); },
      [this](const std::vector<std::string>& a, std::string* err) {
        if (a.size() != 2) {
          *err = "wrong number of arguments";
          return false;
        }
        c_->renamed_commands.push_back({Lower(a[0]), a[1]});
        return true;
      });
  DefineInteger("databases", false, &c_->databases, 1, 1 << 16);
  // As Redis: any non-negative hz is accepted and clamped to 1..500.
  Define(
      "hz", true, [this] { return std::to_string(c_->hz); },
      [this](const std::vector<std::string>& a, std::string* err) {
        int64_t v;
        if (a.size() != 1 || !ParseInt64(a[0], &v)) {
          *err = "argument couldn't be parsed into an integer";
          return false;
        }
        if (v < 0 || v > INT_MAX) {
          *err = "argument must be between 0 and " + std::to_string(INT_MAX) + " inclusive";
          return false;
        }
        c_->hz = static_cast<int>(std::clamp<int64_t>(v, 1, 500));
        return true;
      });
  DefineString("dir", false, &c_->dir);
  DefineString("logfile", false, &c_->logfile);
  DefineEnum("loglevel", true, &c_->loglevel, {"debug", "verbose", "notice", "warning"});
  DefineString("pidfile", false, &c_->pidfile);
  DefineInteger("slowlog-log-slower-than", true, &c_->slowlog_log_slower_than, -1, LLONG_MAX);
  DefineInteger("slowlog-max-len", true, &c_->slowlog_max_len, 0, LONG_MAX);
  DefineEnum("appendfsync", true, &c_->appendfsync, {"everysec", "always", "no"});
  DefineBool("skip-corrupt-wal", false, &c_->skip_corrupt_wal);
  DefineMemory("maxmemory", false, &c_->maxmemory, 0);
  DefineMemory("memtable-size", false, &c_->memtable_size, 64 * 1024);
  DefineMemory("block-cache-size", false, &c_->block_cache_size, 0);
  DefineMemory("row-cache-size", false, &c_->row_cache_size, 0);
  DefineInteger("bloom-bits-per-key", false, &c_->bloom_bits_per_key, 0, 64);
  DefineMemory("block-size", false, &c_->block_size, 256);
  DefineEnum("compression", false, &c_->compression, {"no", "lz4", "zstd"});
  DefineInteger("compaction-threads", false, &c_->compaction_threads, 1, 64);
  DefineInteger("level0-compaction-trigger", false, &c_->level0_compaction_trigger, 1, 1000);
  DefineInteger("level0-slowdown-trigger", false, &c_->level0_slowdown_trigger, 1, 1000);
  DefineInteger("level0-stop-trigger", false, &c_->level0_stop_trigger, 1, 1000);
  DefineInteger("max-open-files", false, &c_->max_open_files, 16, 1 << 20);
  DefineBool("mmap-reads", false, &c_->mmap_reads);

  // Accepted for compatibility with redis.conf files and tools that probe them. Strata always
  // keeps a write-ahead log (appendonly yes) and takes no RDB snapshots (save "").
  Define(
      "appendonly", true, [] { return std::string("yes"); },
      [](const std::vector<std::string>&, std::string*) { return true; });
  // `save` is kept and reported as set (default "": no snapshots are taken); its syntax is
  // checked as Redis does: pairs of <seconds> <changes>.
  Define(
      "save", true, [this] { return c_->save; },
      [this](const std::vector<std::string>& a, std::string* err) {
        std::vector<std::string> w;
        for (const auto& x : a) {
          std::istringstream is(x);
          std::string t;
          while (is >> t) w.push_back(t);
        }
        int64_t n;
        for (const auto& t : w) {
          if (!ParseInt64(t, &n) || n < 0 || w.size() % 2 != 0) {
            *err = "Invalid save parameters";
            return false;
          }
        }
        std::string v;
        for (size_t i = 0; i < w.size(); i++) v += (i ? " " : "") + w[i];
        c_->save = v;
        return true;
      });
  DefineBool("daemonize", false, &c_->daemonize);
  DefineInertOptions();
}

void ConfigRegistry::Define(
    std::string name, bool mut, std::function<std::string()> get,
    std::function<bool(const std::vector<std::string>&, std::string*)> set) {
  options_.push_back({std::move(name), mut, std::move(get), std::move(set)});
}

// One definition for int and int64_t fields: parse, range-check, store.
template <typename T>
void ConfigRegistry::DefineInteger(const std::string& name, bool mut, T* field, int64_t min,
                                   int64_t max) {
  Define(
      name, mut, [field] { return std::to_string(*field); },
      [field, min, max](const std::vector<std::string>& a, std::string* err) {
        int64_t v;
        if (a.size() != 1 || !ParseInt64(a[0], &v)) {
          *err = "argument couldn't be parsed into an integer";
          return false;
        }
        if (v < min || v > max) {
          *err = "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
                 " inclusive";
          return false;
        }
        *field = static_cast<T>(v);
        return true;
      });
}

void ConfigRegistry::DefineMemory(const std::string& name, bool mut, int64_t* field, int64_t min) {
  Define(
      name, mut, [field] { return std::to_string(*field); },
      [field, min](const std::vector<std::string>& a, std::string* err) {
        int64_t v;
        if (a.size() != 1 || !ParseMemory(a[0], &v)) {
          *err = "argument must be a memory value";
          return false;
        }
        if (v < min) {
          *err = "argument must be between " + std::to_string(min) + " and " +
                 std::to_string(LLONG_MAX) + " inclusive";
          return false;
        }
        *field = v;
        return true;
      });
}

void ConfigRegistry::DefineBool(const std::string& name, bool mut, bool* field) {
  Define(
      name, mut, [field] { return std::string(*field ? "yes" : "no"); },
      [field](const std::vector<std::string>& a, std::string* err) {
        std::string v = a.size() == 1 ? Lower(a[0]) : "";
        if (v != "yes" && v != "no") {
          *err = "argument must be 'yes' or 'no'";
          return false;
        }
        *field = v == "yes";
        return true;
      });
}

void ConfigRegistry::DefineString(const std::string& name, bool mut, std::string* field) {
  Define(
      name, mut, [field] { return *field; },
      [field](const std::vector<std::string>& a, std::string* err) {
        if (a.size() != 1) {
          *err = "wrong number of arguments";
          return false;
        }
        *field = a[0];
        return true;
      });
}

void ConfigRegistry::DefineEnum(const std::string& name, bool mut, std::string* field,
                                std::vector<std::string> values) {
  Define(
      name, mut, [field] { return *field; },
      [field, values](const std::vector<std::string>& a, std::string* err) {
        std::string v = a.size() == 1 ? Lower(a[0]) : "";
        if (std::find(values.begin(), values.end(), v) == values.end()) {
          *err = "argument(s) must be one of the following: " + Join(values, ", ");
          return false;
        }
        *field = v;
        return true;
      });
}

const ConfigRegistry::Option* ConfigRegistry::Find(const std::string& name) const {
  std::string l = Lower(name);
  for (const auto& o : options_) {
    if (o.name == l) return &o;
  }
  return nullptr;
}

bool ConfigRegistry::CheckSettable(const std::string& name, bool startup,
                                   std::string* error) const {
  const Option* o = Find(name);
  if (o == nullptr) {
    *error = startup ? "Bad directive or wrong number of arguments"
                     : "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    return false;
  }
  if (!startup && !o->mutable_at_runtime) {
    *error = "CONFIG SET failed (possibly related to argument '" + name +
             "') - can't set immutable config";
    return false;
  }
  return true;
}

bool ConfigRegistry::Set(const std::string& name, const std::vector<std::string>& args,
                         bool startup, std::string* error) {
  if (!CheckSettable(name, startup, error)) return false;
  const Option* o = Find(name);
  std::string why;
  if (!o->set(args, &why)) {
    *error =
        startup ? why
                : "CONFIG SET failed (possibly related to argument '" + Lower(name) + "') - " + why;
    return false;
  }
  if (startup) c_->explicitly_set.insert(o->name);
  if (on_change_ && !startup) on_change_(o->name);
  return true;
}

bool ConfigRegistry::LoadText(const std::string& text, std::string* error) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    lineno++;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    std::vector<std::string> argv;
    if (!resp::SplitInlineArgs(line, &argv)) {
      *error = "at line " + std::to_string(lineno) + "\n>>> '" + line +
               "'\nUnbalanced quotes in configuration line";
      return false;
    }
    if (argv.empty()) continue;
    std::string name = argv[0];
    argv.erase(argv.begin());
    std::string why;
    if (!Set(name, argv, true, &why)) {
      *error = "at line " + std::to_string(lineno) + "\n>>> '" + line + "'\n" + why;
      return false;
    }
  }
  return true;
}

bool ConfigRegistry::LoadFile(const std::string& path, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  c_->config_file = path;
  return LoadText(ss.str(), error);
}

bool ConfigRegistry::LoadArgs(const std::vector<std::string>& args, std::string* error) {
  // "--port 7000 --bind a b --save ''" -> one directive per "--name" and its arguments.
  size_t i = 0;
  while (i < args.size()) {
    if (args[i].rfind("--", 0) != 0) {
      *error = "invalid argument '" + args[i] + "': options start with --";
      return false;
    }
    std::string name = args[i].substr(2);
    std::vector<std::string> vals;
    for (i++; i < args.size() && args[i].rfind("--", 0) != 0; i++) vals.push_back(args[i]);
    std::string why;
    if (!Set(name, vals, true, &why)) {
      *error = "option --" + name + ": " + why;
      return false;
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> ConfigRegistry::Get(
    const std::string& pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& o : options_) {
    if (o.name == "rename-command") continue;
    if (GlobMatch(pattern, o.name, true)) out.push_back({o.name, o.get()});
  }
  return out;
}

bool ConfigRegistry::Rewrite(std::string* error) const {
  if (c_->config_file.empty()) {
    *error = "The server is running without a config file";
    return false;
  }
  std::ifstream f(c_->config_file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(f, line)) lines.push_back(line);
  std::vector<bool> written(options_.size(), false);
  auto quote = [](const std::string& v) {
    if (!v.empty() && v.find_first_of(" \t\"'\\") == std::string::npos) return v;
    std::string q = "\"";
    for (char ch : v) {
      if (ch == '"' || ch == '\\') q += '\\';
      q += ch;
    }
    return q + "\"";
  };
  for (auto& l : lines) {
    std::vector<std::string> argv;
    size_t b = l.find_first_not_of(" \t");
    if (b == std::string::npos || l[b] == '#' || !resp::SplitInlineArgs(l, &argv) || argv.empty()) {
      continue;
    }
    for (size_t i = 0; i < options_.size(); i++) {
      const auto& o = options_[i];
      if (o.name != Lower(argv[0]) || o.name == "rename-command") continue;
      std::string v = o.get();
      l = o.name + " " +
          (o.name == "bind" || o.name == "client-output-buffer-limit" ? v : quote(v));
      written[i] = true;
    }
  }
  std::string tmp = c_->config_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
    if (!out) {
      *error = "Rewriting config file: " + std::string(std::strerror(errno));
      return false;
    }
  }
  if (std::rename(tmp.c_str(), c_->config_file.c_str()) != 0) {
    *error = "Rewriting config file: " + std::string(std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace strata::server
