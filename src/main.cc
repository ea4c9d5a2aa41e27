// strata-server [config-file] [--option value ...]: like redis-server, the config file first,
// then command-line options that override it.
#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "commands/commands.h"
#include "server/config.h"
#include "server/server.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "Usage: ./strata-server [/path/to/strata.conf] [options] [-]\n"
               "       ./strata-server -v or --version\n"
               "       ./strata-server -h or --help\n\n"
               "Examples:\n"
               "       ./strata-server (run the server with default config)\n"
               "       ./strata-server conf/strata.conf\n"
               "       ./strata-server --port 7777\n"
               "       ./strata-server conf/strata.conf --port 7777 --appendfsync always\n");
}

// What an operator can do about a start-up failure, appended to its message.
std::string StartupHint(const strata::Status& s) {
  if (!s.IsCorruption()) return "";
  if (s.ToString().find("WAL") != std::string::npos) {
    return ". The write-ahead log is damaged before its end (not just a torn last write). Keep "
           "a copy of the data directory, then start with 'skip-corrupt-wal yes' to drop the "
           "damaged records (the writes in them are lost; everything else is kept)";
  }
  return ". The data directory is damaged. Keep a copy of it and restore the data from a "
         "backup or a replica; the server does not start on a store it cannot read exactly";
}

// daemonize yes, as redis-server: the parent exits at once; the child leaves the terminal's
// session and points stdin, stdout and stderr at /dev/null. Runs before any thread exists.
bool Daemonize() {
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("strata-server: fork");
    return false;
  }
  if (pid > 0) std::_Exit(0);
  ::setsid();
  const int fd = ::open("/dev/null", O_RDWR);
  if (fd >= 0) {
    ::dup2(fd, STDIN_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) ::close(fd);
  }
  return true;
}

bool SetupLogging(const strata::server::Config& c) {
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (c.logfile.empty()) {
      logger = spdlog::stdout_logger_mt("strata");
    } else {
      logger = spdlog::basic_logger_mt("strata", c.logfile);
    }
    // Redis's log line shape: pid:role day month year time.ms level message.
    logger->set_pattern("%P:M %d %b %Y %H:%M:%S.%e %L %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    std::fprintf(stderr, "Can't open the log file: %s\n", e.what());
    return false;
  }
  const std::string& l = c.loglevel;
  spdlog::set_level(l == "debug" || l == "verbose" ? spdlog::level::debug
                    : l == "warning"               ? spdlog::level::warn
                                                   : spdlog::level::info);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Data, WAL, log and config files are readable by the server's user only (0600/0700).
  ::umask(077);
  using strata::server::Config;
  using strata::server::ConfigRegistry;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("Strata server v=%s (Redis protocol %s)\n", strata::server::kStrataVersion,
                strata::server::kRedisVersion);
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }

  Config config;
  ConfigRegistry registry(&config);
  std::string error;
  size_t first_option = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    if (!registry.LoadFile(args[0], &error)) {
      std::fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Strata %s) ***\nReading %s\n%s\n",
                   strata::server::kStrataVersion, args[0].c_str(), error.c_str());
      return 1;
    }
    first_option = 1;
  }
  std::vector<std::string> options(args.begin() + static_cast<long>(first_option), args.end());
  if (!registry.LoadArgs(options, &error)) {
    std::fprintf(stderr, "\n*** FATAL CONFIG ERROR (Strata %s) ***\n%s\n",
                 strata::server::kStrataVersion, error.c_str());
    return 1;
  }
  if (config.daemonize && !Daemonize()) return 1;
  if (!SetupLogging(config)) return 1;
  spdlog::info("Strata {} (Redis protocol {}) starting, pid={}", strata::server::kStrataVersion,
               strata::server::kRedisVersion, getpid());
  if (config.requirepass.empty() && config.protected_mode) {
    bool loopback_only = true;
    for (std::string b : config.bind) {
      if (!b.empty() && b[0] == '-') b.erase(0, 1);
      loopback_only &= b.rfind("127.", 0) == 0 || b == "::1" || b == "localhost";
    }
    if (!loopback_only) {
      spdlog::warn(
          "Bound beyond loopback with no password: protected mode refuses non-loopback clients. "
          "Set requirepass, or protected-mode no.");
    }
  }

  int code;
  {
    strata::server::Server server(&config, &registry);
    strata::commands::RegisterAllCommands(&server.commands());
    registry.set_on_change([&server](const std::string& name) { server.OnConfigChanged(name); });
    strata::Status s = server.Start();
    if (!s.ok()) {
      std::string hint = StartupHint(s);
      spdlog::critical("Can't start: {}{}", s.ToString(), hint);
      spdlog::shutdown();
      std::fprintf(stderr, "strata-server: can't start: %s%s\n", s.ToString().c_str(),
                   hint.c_str());
      return 1;
    }
    if (!config.pidfile.empty()) {
      std::ofstream(config.pidfile) << getpid() << "\n";
    }
    code = server.Run();
  }
  if (!config.pidfile.empty()) ::unlink(config.pidfile.c_str());
  spdlog::shutdown();
  return code;
}
