// engine_bench: db_bench-style workloads on one storage engine per process run, so that peak
// RSS and bytes written belong to that engine alone (docs/design.md §8.7). Engines: Strata's own
// (src/store, through its public headers only), LevelDB and RocksDB (Debian's libraries,
// linked into this program and nothing else), and "raw" (fillsync only: the cost of one
// append + fdatasync per write, the floor any synced engine write pays).
//
//   engine_bench --engine=strata|leveldb|rocksdb|raw
//                --benchmarks=fillseq,fillrandom,overwrite,readrandom,readmissing,seekrandom,
//                             readseq,fillsync,compact
//                --num=1000000 --reads=N(default num) --key_size=16 --value_size=100
//                --db=/tmp/dir --cache_mb=64 --memtable_mb=4 --bloom_bits=10 --seek_nexts=10
//                --sync_num=1000 --use_existing_db --stats_interval_ms=0 --duration_s=0
//                --strata_sync=no|everysec --print_stats --mmap_reads=1
//
// Output (stdout). One line per benchmark:
//   <engine> <benchmark> <ops> <ops_per_sec> <micros_per_op> <p50_us> <p99_us>
// then, after the DB is closed:
//   <engine> peak_rss_kb N      VmHWM of this process (with mmap reads it includes the
//                               mapped table pages: page cache, not the engine's own memory)
//   <engine> peak_anon_rss_kb N the largest resident anonymous memory (RssAnon in
//                               /proc/self/status) seen by a sampler every 10 ms: what the
//                               engine itself holds
//   <engine> bytes_written N    /proc/self/io wchar: every byte the process wrote (WAL,
//                               tables, compactions, manifests, logs), plus, for Strata,
//                               its WAL bytes (strata.info wal_bytes_written), which it
//                               copies into a memory mapping that wchar does not see
//   <engine> user_bytes N       key + value bytes the workloads wrote
//   <engine> write_amp X        bytes_written / user_bytes
//   <engine> disk_bytes N       sum of file sizes in --db after close
// With --stats_interval_ms=T, fillrandom and seekrandom also print, for each full interval of
// T ms,
//   <engine> interval <t_ms> <ops_in_interval>   (t_ms = end of the interval since the start)
// so that write stalls show as intervals with no completed ops, and a seek rate that changes
// as read-triggered compactions reshape the tree shows when it changes. Lines starting with '#' are
// for humans (keys found, engine statistics) and checks (found counts must agree across
// engines, since every engine sees the same key sequence). Errors go to stderr, exit 1.
//
// Like db_bench: the benchmarks run in the order given on one open DB; fillseq and fillrandom
// start from an empty DB; keys are 16-byte zero-padded decimal numbers in [0, num); values are
// random bytes; one Put per write (no batching); the DB is not compacted or waited on between
// benchmarks. fillsync runs in its own directory (<db>.fillsync, removed afterwards) so that
// it neither destroys the loaded DB nor counts in disk_bytes.
#include <fcntl.h>
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/iterator.h"
#include "store/options.h"
#include "store/write_batch.h"

namespace {

// ---------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------

struct Flags {
  std::string engine = "strata";
  std::string benchmarks =
      "fillseq,fillrandom,overwrite,readrandom,readmissing,seekrandom,readseq,fillsync";
  int64_t num = 1000000;
  int64_t reads = -1;  // ops of readrandom/readmissing/seekrandom/readseq; -1: num
  int key_size = 16;
  int value_size = 100;
  std::string db = "/tmp/engine_bench";
  int64_t cache_mb = 64;
  int64_t memtable_mb = 4;
  int bloom_bits = 10;
  int seek_nexts = 10;
  int64_t sync_num = 1000;
  bool use_existing_db = false;
  int64_t stats_interval_ms = 0;
  double duration_s = 0;  // > 0: stop each benchmark after this long (ops/s stay comparable)
  std::string strata_sync = "no";
  bool print_stats = false;
  // Tables read through memory mappings: LevelDB 1.23 always does on 64-bit systems (its Env
  // maps up to 1000 tables; there is no option), so by default Strata (Options::mmap_reads)
  // and RocksDB (allow_mmap_reads) do too. 0: Strata and RocksDB read with pread.
  bool mmap_reads = true;
};

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "engine_bench: %s\n", msg.c_str());
  std::exit(1);
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::string copy(s);
  errno = 0;
  long long v = std::strtoll(copy.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// Accepts --name=value, and --name alone for the boolean flags.
Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; i++) {
    std::string_view arg(argv[i]);
    if (arg.substr(0, 2) != "--") Die("bad argument '" + std::string(arg) + "'");
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    const std::string name(arg.substr(0, eq));
    const bool has_value = eq != std::string_view::npos;
    const std::string value(has_value ? arg.substr(eq + 1) : std::string_view());
    auto int_flag = [&](int64_t* out, int64_t min) {
      if (!has_value || !ParseInt(value, out) || *out < min) {
        Die("--" + name + " needs an integer >= " + std::to_string(min));
      }
    };
    auto bool_flag = [&](bool* out) {
      if (!has_value || value == "1" || value == "true") {
        *out = true;
      } else if (value == "0" || value == "false") {
        *out = false;
      } else {
        Die("--" + name + " takes 0/1/true/false");
      }
    };
    int64_t v = 0;
    if (name == "engine") {
      f.engine = value;
    } else if (name == "benchmarks") {
      f.benchmarks = value;
    } else if (name == "num") {
      int_flag(&f.num, 1);
    } else if (name == "reads") {
      int_flag(&f.reads, 1);
    } else if (name == "key_size") {
      int_flag(&v, 16);
      f.key_size = static_cast<int>(v);
    } else if (name == "value_size") {
      int_flag(&v, 0);
      f.value_size = static_cast<int>(v);
    } else if (name == "db") {
      f.db = value;
    } else if (name == "cache_mb") {
      int_flag(&f.cache_mb, 0);
    } else if (name == "memtable_mb") {
      int_flag(&f.memtable_mb, 1);
    } else if (name == "bloom_bits") {
      int_flag(&v, 0);
      f.bloom_bits = static_cast<int>(v);
    } else if (name == "seek_nexts") {
      int_flag(&v, 0);
      f.seek_nexts = static_cast<int>(v);
    } else if (name == "sync_num") {
      int_flag(&f.sync_num, 1);
    } else if (name == "use_existing_db") {
      bool_flag(&f.use_existing_db);
    } else if (name == "stats_interval_ms") {
      int_flag(&f.stats_interval_ms, 0);
    } else if (name == "duration_s") {
      int_flag(&v, 0);
      f.duration_s = static_cast<double>(v);
    } else if (name == "strata_sync") {
      f.strata_sync = value;
    } else if (name == "print_stats") {
      bool_flag(&f.print_stats);
    } else if (name == "mmap_reads") {
      bool_flag(&f.mmap_reads);
    } else {
      Die("unknown flag --" + name);
    }
  }
  if (f.reads < 0) f.reads = f.num;
  if (f.db.empty() || f.db == "/") Die("--db must name a directory");
  if (f.strata_sync != "no" && f.strata_sync != "everysec") {
    Die("--strata_sync is no or everysec");
  }
  return f;
}

// ---------------------------------------------------------------------------------------
// Measurement: clock, latency histogram, process counters
// ---------------------------------------------------------------------------------------

// CLOCK_MONOTONIC through the vDSO: ~20 ns, no system call.
uint64_t NowNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Log-linear histogram of nanoseconds (HdrHistogram's idea): values below 2^kSubBits are
// exact; above, each power of two is split into 2^kSubBits equal buckets, so a percentile is
// within ~3% of the true value. Add() is a few instructions and never allocates.
class Histogram {
 public:
  void Add(uint64_t ns) {
    count_++;
    if (ns < kSub) {
      buckets_[ns]++;
      return;
    }
    const int msb = 63 - __builtin_clzll(ns);  // >= kSubBits
    const uint64_t sub = (ns >> (msb - kSubBits)) & (kSub - 1);
    buckets_[static_cast<size_t>(msb - kSubBits + 1) * kSub + sub]++;
  }

  // The p-th percentile (0 < p <= 100) in microseconds, interpolated inside its bucket.
  double PercentileMicros(double p) const {
    if (count_ == 0) return 0;
    const double target = p / 100.0 * static_cast<double>(count_);
    double seen = 0;
    for (size_t i = 0; i < buckets_.size(); i++) {
      if (buckets_[i] == 0) continue;
      const double next = seen + static_cast<double>(buckets_[i]);
      if (next >= target) {
        double lo, width;
        if (i < kSub) {
          lo = static_cast<double>(i);
          width = 1;
        } else {
          const int shift = static_cast<int>(i / kSub) - 1;  // msb - kSubBits
          lo = static_cast<double>((kSub + i % kSub) << shift);
          width = static_cast<double>(uint64_t{1} << shift);
        }
        const double frac = (target - seen) / static_cast<double>(buckets_[i]);
        return (lo + frac * width) / 1000.0;
      }
      seen = next;
    }
    return 0;
  }

 private:
  static constexpr int kSubBits = 5;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  uint64_t count_ = 0;
  std::array<uint64_t, (64 - kSubBits + 1) * kSub> buckets_{};
};

// Times one benchmark. One clock read per op: an op's latency is the time since the previous
// op finished (or the start), so the loop's own work (key formatting) is included, as in
// db_bench, and the timer costs ~20 ns per op.
class OpTimer {
 public:
  OpTimer(const Flags& flags, std::string_view engine, bool intervals)
      : engine_(engine),
        interval_ns_(intervals ? static_cast<uint64_t>(flags.stats_interval_ms) * 1000000u : 0),
        duration_ns_(static_cast<uint64_t>(flags.duration_s * 1e9)) {
    start_ = last_ = NowNanos();
    next_interval_ = start_ + interval_ns_;
  }

  void FinishedOp() {
    const uint64_t now = NowNanos();
    hist_.Add(now - last_);
    last_ = now;
    ops_++;
    if (interval_ns_ != 0) {
      // Intervals that ended while one op ran (a stall) are printed with 0 ops.
      while (now >= next_interval_) {
        std::printf("%s interval %llu %llu\n", engine_.c_str(),
                    static_cast<unsigned long long>((next_interval_ - start_) / 1000000u),
                    static_cast<unsigned long long>(interval_ops_));
        interval_ops_ = 0;
        next_interval_ += interval_ns_;
      }
      interval_ops_++;
    }
  }

  // True once --duration_s has passed.
  bool TimeUp() const { return duration_ns_ != 0 && last_ - start_ >= duration_ns_; }

  // Prints the benchmark's result line. The last, partial stats interval is not printed.
  void Report(std::string_view name) const {
    const double secs = static_cast<double>(last_ - start_) / 1e9;
    const double ops = static_cast<double>(ops_);
    std::printf("%s %.*s %llu %.0f %.3f %.2f %.2f\n", engine_.c_str(),
                static_cast<int>(name.size()), name.data(), static_cast<unsigned long long>(ops_),
                secs > 0 ? ops / secs : 0.0, ops > 0 ? secs * 1e6 / ops : 0.0,
                hist_.PercentileMicros(50), hist_.PercentileMicros(99));
    std::fflush(stdout);
  }

 private:
  std::string engine_;
  uint64_t interval_ns_;
  uint64_t duration_ns_;
  uint64_t start_ = 0;
  uint64_t last_ = 0;
  uint64_t ops_ = 0;
  uint64_t next_interval_ = 0;
  uint64_t interval_ops_ = 0;
  Histogram hist_;
};

// A "name: value" field of a /proc file, or 0.
uint64_t ProcField(const char* path, const char* field) {
  std::ifstream in(path);
  std::string line;
  const size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::strtoull(line.c_str() + len + 1, nullptr, 10);
    }
  }
  return 0;
}

// Samples resident anonymous memory (RssAnon in /proc/self/status: resident pages backed by
// no file) every 10 ms on its own thread and keeps the largest value, for as long as it lives.
class AnonRssSampler {
 public:
  AnonRssSampler() : thread_([this] { Loop(); }) {}
  ~AnonRssSampler() {
    stop_.store(true);
    thread_.join();
  }
  uint64_t PeakKb() {
    Sample();
    return peak_kb_.load();
  }

 private:
  void Loop() {
    while (!stop_.load()) {
      Sample();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void Sample() {
    const uint64_t kb = ProcField("/proc/self/status", "RssAnon");
    uint64_t seen = peak_kb_.load();
    while (kb > seen && !peak_kb_.compare_exchange_weak(seen, kb)) {
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_kb_{0};
  std::thread thread_;
};

uint64_t DirBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

// Removes a benchmark DB directory. Refuses a non-empty directory that holds no LOCK file
// (all three engines create one) and no raw.log, so that a mistyped --db cannot wipe
// unrelated files.
void RemoveDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_empty(dir, ec) && !fs::exists(dir + "/LOCK", ec) &&
      !fs::exists(dir + "/raw.log", ec)) {
    Die("refusing to remove " + dir + ": it is not empty and does not look like a DB");
  }
  fs::remove_all(dir, ec);
  if (ec) Die("cannot remove " + dir + ": " + ec.message());
}

// ---------------------------------------------------------------------------------------
// Keys and values
// ---------------------------------------------------------------------------------------

// splitmix64: fast, and the same seed gives every engine the same key sequence.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (Lemire's multiply-shift; the bias is negligible for n << 2^64).
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

// db_bench's keys: the number k as key_size zero-padded decimal digits ("0000000000000042").
// Missing() appends '.', which sorts between key k and key k+1 and is never written.
class KeyFormatter {
 public:
  explicit KeyFormatter(int key_size)
      : size_(static_cast<size_t>(key_size)), buf_(size_ + 1, '.') {}
  std::string_view Key(uint64_t k) {
    Fill(k);
    return std::string_view(buf_.data(), size_);
  }
  std::string_view Missing(uint64_t k) {
    Fill(k);
    return std::string_view(buf_.data(), size_ + 1);
  }

 private:
  void Fill(uint64_t k) {
    char* p = buf_.data() + size_;
    while (p != buf_.data()) {
      *--p = static_cast<char>('0' + k % 10);
      k /= 10;
    }
  }
  size_t size_;
  std::string buf_;
};

// Values are slices of a 1 MiB pool of random bytes, as in db_bench (whose pool is
// compressible; compression is off here, so it does not matter).
class ValueSource {
 public:
  explicit ValueSource(int value_size) : size_(static_cast<size_t>(value_size)) {
    Random rnd(0x5eed);
    pool_.resize(std::max<size_t>(1 << 20, 2 * size_));
    for (char& c : pool_) c = static_cast<char>(rnd.Next() & 0xff);
  }
  std::string_view Next() {
    if (pos_ + size_ > pool_.size()) pos_ = 0;
    std::string_view v(pool_.data() + pos_, size_);
    pos_ += size_ + 1;  // a different alignment each time
    return v;
  }

 private:
  size_t size_;
  size_t pos_ = 0;
  std::string pool_;
};

// ---------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------

class BenchIterator {
 public:
  virtual ~BenchIterator() = default;
  virtual void SeekToFirst() = 0;
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual std::string Error() const = 0;  // "" when the iterator has no error
};

// One DB of one engine. Every method dies on an engine error: a benchmark that hides errors
// measures nothing.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void Open(const std::string& dir) = 0;
  virtual void Close() = 0;
  virtual void Put(std::string_view key, std::string_view value, bool sync) = 0;
  // True if found (value set); false if absent.
  virtual bool Get(std::string_view key, std::string* value) = 0;
  // A new iterator over a fresh snapshot.
  virtual std::unique_ptr<BenchIterator> NewIterator() = 0;
  // Compacts the whole key range (db_bench's "compact"); waits until done.
  virtual void CompactAll() = 0;
  // The engine's own statistics, as text.
  virtual std::string Stats() = 0;
};

// Bytes Strata's DBs wrote to their WALs through memory mappings (added up at each Close):
// /proc/self/io wchar counts write(2) calls only, so write amplification adds these.
uint64_t g_mapped_wal_bytes = 0;

// --- Strata ---------------------------------------------------------------------------
//
// Options shared with the other engines: memtable_size = --memtable_mb, block_cache_size =
// --cache_mb, bloom_bits_per_key = --bloom_bits, block_size = 4096, compression none,
// mmap_reads = --mmap_reads (as LevelDB, which always maps its tables on 64-bit). The
// rest (max_immutable_memtables, L0 triggers, L1 size, file size, compaction threads) stays at
// Strata's defaults (options.h), which is what the server runs with.
// sync_mode = kNo (--strata_sync=no): writes go to the OS at once (buffer_wal = false: the
// record is in the page cache when Put returns, copied into the mapped WAL where LevelDB and
// RocksDB make one write(2) per Put; a process crash loses neither) and nothing is fsynced except
// where Strata always does (at a WAL switch, i.e. once per memtable, and at close). That is the
// nearest to LevelDB's and RocksDB's sync=false. --strata_sync=everysec adds the server's default 1
// s background fsync. fillsync uses WriteOptions::sync = true: the write waits for the syncer
// thread's fdatasync. Reads verify checksums (the default, and what the server does).
class StrataIterator : public BenchIterator {
 public:
  explicit StrataIterator(std::unique_ptr<strata::store::Iterator> it) : it_(std::move(it)) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view key) override { it_->Seek(key); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  std::string Error() const override {
    strata::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<strata::store::Iterator> it_;
};

class StrataEngine : public Engine {
 public:
  explicit StrataEngine(const Flags& f) {
    options_.create_if_missing = true;
    options_.sync_mode = f.strata_sync == "everysec" ? strata::store::SyncMode::kEverySec
                                                     : strata::store::SyncMode::kNo;
    options_.memtable_size = static_cast<size_t>(f.memtable_mb) << 20;
    options_.block_cache_size = static_cast<size_t>(f.cache_mb) << 20;
    options_.bloom_bits_per_key = f.bloom_bits;
    options_.block_size = 4096;
    options_.compression = strata::store::Compression::kNone;
    options_.mmap_reads = f.mmap_reads;
    options_.info_log = [](strata::store::LogLevel level, std::string_view msg) {
      if (level >= strata::store::LogLevel::kWarn) {
        std::fprintf(stderr, "strata: %.*s\n", static_cast<int>(msg.size()), msg.data());
      }
    };
  }
  void Open(const std::string& dir) override {
    strata::Status s = strata::store::DB::Open(options_, dir, &db_);
    if (!s.ok()) Die("strata open " + dir + ": " + s.ToString());
  }
  void Close() override {
    std::string info;
    if (db_ != nullptr && db_->GetProperty("strata.info", &info)) {
      const size_t at = info.find("wal_bytes_written:");
      if (at != std::string::npos) {
        g_mapped_wal_bytes += std::strtoull(info.c_str() + at + 18, nullptr, 10);
      }
    }
    db_.reset();
  }
  void Put(std::string_view key, std::string_view value, bool sync) override {
    strata::store::WriteOptions wo;
    wo.sync = sync;
    strata::Status s = db_->Put(wo, key, value);
    if (!s.ok()) Die("strata put: " + s.ToString());
  }
  bool Get(std::string_view key, std::string* value) override {
    strata::Status s = db_->Get(strata::store::ReadOptions(), key, value);
    if (s.ok()) return true;
    if (s.IsNotFound()) return false;
    Die("strata get: " + s.ToString());
  }
  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<StrataIterator>(db_->NewIterator(strata::store::ReadOptions()));
  }
  void CompactAll() override {
    const strata::Status s = db_->CompactAll();
    if (!s.ok()) Die("strata compact: " + s.ToString());
  }
  std::string Stats() override {
    std::string v;
    db_->GetProperty("strata.info", &v);
    return v;
  }

 private:
  strata::store::Options options_;
  std::unique_ptr<strata::store::DB> db_;
};

// --- LevelDB --------------------------------------------------------------------------
//
// LevelDB 1.23 defaults except: write_buffer_size = --memtable_mb (default 4 MiB, LevelDB's
// own default), block_cache = LRU of --cache_mb (LevelDB: 8 MiB), filter_policy = bloom of
// --bloom_bits (LevelDB: none), compression none (LevelDB: snappy), block_size 4096 (its
// default). Kept: max_open_files 1000, max_file_size 2 MiB, L0 4/8/12, L1 10 MiB x10, one
// background thread. ReadOptions::verify_checksums = true (LevelDB defaults to false) so that
// all three engines check what they read from disk; cached blocks are not re-checked.
class LevelDBIterator : public BenchIterator {
 public:
  explicit LevelDBIterator(leveldb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view key) override { it_->Seek(leveldb::Slice(key.data(), key.size())); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override {
    leveldb::Slice k = it_->key();
    return std::string_view(k.data(), k.size());
  }
  std::string_view value() const override {
    leveldb::Slice v = it_->value();
    return std::string_view(v.data(), v.size());
  }
  std::string Error() const override {
    leveldb::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class LevelDBEngine : public Engine {
 public:
  explicit LevelDBEngine(const Flags& f)
      : cache_(leveldb::NewLRUCache(static_cast<size_t>(f.cache_mb) << 20)),
        filter_(f.bloom_bits > 0 ? leveldb::NewBloomFilterPolicy(f.bloom_bits) : nullptr) {
    options_.create_if_missing = true;
    options_.write_buffer_size = static_cast<size_t>(f.memtable_mb) << 20;
    options_.block_cache = cache_.get();
    options_.filter_policy = filter_.get();
    options_.block_size = 4096;
    options_.compression = leveldb::kNoCompression;
    read_options_.verify_checksums = true;
  }
  ~LevelDBEngine() override { Close(); }
  void Open(const std::string& dir) override {
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options_, dir, &db);
    if (!s.ok()) Die("leveldb open " + dir + ": " + s.ToString());
    db_.reset(db);
  }
  void Close() override { db_.reset(); }
  void Put(std::string_view key, std::string_view value, bool sync) override {
    leveldb::WriteOptions wo;
    wo.sync = sync;
    leveldb::Status s = db_->Put(wo, leveldb::Slice(key.data(), key.size()),
                                 leveldb::Slice(value.data(), value.size()));
    if (!s.ok()) Die("leveldb put: " + s.ToString());
  }
  bool Get(std::string_view key, std::string* value) override {
    leveldb::Status s = db_->Get(read_options_, leveldb::Slice(key.data(), key.size()), value);
    if (s.ok()) return true;
    if (s.IsNotFound()) return false;
    Die("leveldb get: " + s.ToString());
  }
  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<LevelDBIterator>(db_->NewIterator(read_options_));
  }
  void CompactAll() override { db_->CompactRange(nullptr, nullptr); }
  std::string Stats() override {
    std::string v;
    db_->GetProperty("leveldb.stats", &v);
    return v;
  }

 private:
  // Declared before db_: the DB must go first.
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  leveldb::Options options_;
  leveldb::ReadOptions read_options_;
  std::unique_ptr<leveldb::DB> db_;
};

// --- RocksDB --------------------------------------------------------------------------
//
// RocksDB 7.8 set as close to LevelDB's defaults as is sensible, plus the shared options:
//   write_buffer_size = --memtable_mb       (RocksDB: 64 MiB)
//   max_write_buffer_number = 2             (default; LevelDB too: one active + one immutable)
//   level0_file_num_compaction_trigger = 4  (default; LevelDB 4)
//   level0_slowdown_writes_trigger = 8      (RocksDB 20; LevelDB 8)
//   level0_stop_writes_trigger = 12         (RocksDB 36; LevelDB 12)
//   target_file_size_base = 2 MiB           (RocksDB 64 MiB; LevelDB max_file_size 2 MiB)
//   max_bytes_for_level_base = 10 MiB       (RocksDB 256 MiB; LevelDB 10 MiB), multiplier 10
//   level_compaction_dynamic_level_bytes = false (default in 7.8; LevelDB's static sizing)
//   max_open_files = 1000                   (RocksDB -1 = unlimited; LevelDB 1000)
//   compression = none                      (RocksDB: snappy)
//   allow_mmap_reads = --mmap_reads         (RocksDB false; LevelDB maps tables always)
//   max_background_jobs = 2                 (default: one flush + one compaction thread,
//                                            as Strata; LevelDB has one thread for both)
//   stats_dump_period_sec = 0               (no periodic stats dump into the LOG file)
//   table: block_size 4096, block_restart_interval 16 (both defaults), block_cache = LRU of
//          --cache_mb (RocksDB: 8 MiB), full-key bloom filter of --bloom_bits
//          (NewBloomFilterPolicy; RocksDB: none), cache_index_and_filter_blocks = false
//          (default; index and filter live with the open table, as in LevelDB), checksum XXH3
//          (7.8 default; Strata uses XXH3 too, LevelDB CRC32C).
//   WAL on, fdatasync for sync writes (use_fsync = false, default); ReadOptions default
//   (verify_checksums = true).
// Left at defaults: delayed_write_rate (16 MiB/s once slowed), pending-compaction-bytes
// limits (64/256 GiB), the skiplist memtable, format_version 5.
// Caveat: Debian builds librocksdb (and libleveldb) without -DNDEBUG, so assertions are on, as
// in Strata's -O2 build, and RocksDB also runs its TEST_SYNC_POINT hooks on every write
// (SyncPoint::Process showed ~2% of fillseq's CPU under perf). RocksDB's own docs warn that
// such builds are slower (facebook/rocksdb#574, #4041): read its numbers as a lower bound.
class RocksDBIterator : public BenchIterator {
 public:
  explicit RocksDBIterator(rocksdb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view key) override { it_->Seek(rocksdb::Slice(key.data(), key.size())); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return std::string_view(k.data(), k.size());
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return std::string_view(v.data(), v.size());
  }
  std::string Error() const override {
    rocksdb::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDBEngine : public Engine {
 public:
  explicit RocksDBEngine(const Flags& f) {
    options_.create_if_missing = true;
    options_.write_buffer_size = static_cast<size_t>(f.memtable_mb) << 20;
    options_.max_write_buffer_number = 2;
    options_.level0_file_num_compaction_trigger = 4;
    options_.level0_slowdown_writes_trigger = 8;
    options_.level0_stop_writes_trigger = 12;
    options_.target_file_size_base = 2ull << 20;
    options_.max_bytes_for_level_base = 10ull << 20;
    options_.max_bytes_for_level_multiplier = 10;
    options_.level_compaction_dynamic_level_bytes = false;
    options_.max_open_files = 1000;
    options_.compression = rocksdb::kNoCompression;
    options_.max_background_jobs = 2;
    options_.stats_dump_period_sec = 0;
    options_.allow_mmap_reads = f.mmap_reads;
    rocksdb::BlockBasedTableOptions table;
    table.block_size = 4096;
    table.block_restart_interval = 16;
    table.block_cache = rocksdb::NewLRUCache(static_cast<size_t>(f.cache_mb) << 20);
    if (f.bloom_bits > 0) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(f.bloom_bits));
    table.cache_index_and_filter_blocks = false;
    options_.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  ~RocksDBEngine() override { Close(); }
  void Open(const std::string& dir) override {
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options_, dir, &db);
    if (!s.ok()) Die("rocksdb open " + dir + ": " + s.ToString());
    db_.reset(db);
  }
  void Close() override {
    if (db_ == nullptr) return;
    rocksdb::Status s = db_->Close();
    if (!s.ok()) Die("rocksdb close: " + s.ToString());
    db_.reset();
  }
  void Put(std::string_view key, std::string_view value, bool sync) override {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    rocksdb::Status s = db_->Put(wo, rocksdb::Slice(key.data(), key.size()),
                                 rocksdb::Slice(value.data(), value.size()));
    if (!s.ok()) Die("rocksdb put: " + s.ToString());
  }
  bool Get(std::string_view key, std::string* value) override {
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), value);
    if (s.ok()) return true;
    if (s.IsNotFound()) return false;
    Die("rocksdb get: " + s.ToString());
  }
  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<RocksDBIterator>(db_->NewIterator(rocksdb::ReadOptions()));
  }
  void CompactAll() override {
    const rocksdb::Status s = db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
    if (!s.ok()) Die("rocksdb compact: " + s.ToString());
  }
  std::string Stats() override {
    std::string v;
    db_->GetProperty("rocksdb.stats", &v);
    return v;
  }

 private:
  rocksdb::Options options_;
  std::unique_ptr<rocksdb::DB> db_;
};

std::unique_ptr<Engine> NewEngine(const Flags& f) {
  if (f.engine == "strata") return std::make_unique<StrataEngine>(f);
  if (f.engine == "leveldb") return std::make_unique<LevelDBEngine>(f);
  if (f.engine == "rocksdb") return std::make_unique<RocksDBEngine>(f);
  Die("unknown --engine=" + f.engine + " (strata, leveldb, rocksdb, raw)");
}

// ---------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------

class Benchmark {
 public:
  explicit Benchmark(const Flags& flags)
      : flags_(flags), keys_(flags.key_size), values_(flags.value_size) {}

  int Run() {
    const bool raw = flags_.engine == "raw";
    if (!raw) {
      engine_ = NewEngine(flags_);
      if (!flags_.use_existing_db) RemoveDir(flags_.db);
    }
    const uint64_t wchar_start = ProcField("/proc/self/io", "wchar");
    AnonRssSampler anon_rss;
    std::stringstream list(flags_.benchmarks);
    std::string name;
    uint64_t seed = 1000;
    while (std::getline(list, name, ',')) {
      if (name.empty()) continue;
      seed++;  // each benchmark its own sequence, the same in every engine
      if (raw && name != "fillsync") Die("--engine=raw runs only fillsync, not " + name);
      if (name == "fillseq") {
        // fillseq: a fresh DB loaded with keys 0..num-1 in ascending order. Measures the
        // write path (WAL append + memtable insert) when flushes need no merging.
        if (!FreshDB(name)) continue;
        Write(name, flags_.num, /*sequential=*/true, seed);
      } else if (name == "fillrandom") {
        // fillrandom: a fresh DB, num writes of uniformly random keys in [0, num) (some keys
        // repeat, as in db_bench). Measures the write path with flush and compaction.
        if (!FreshDB(name)) continue;
        Write(name, flags_.num, /*sequential=*/false, seed);
      } else if (name == "overwrite") {
        // overwrite: num random writes into the existing DB; every compaction now merges.
        OpenDB();
        Write(name, flags_.num, /*sequential=*/false, seed);
      } else if (name == "readrandom") {
        // readrandom: Get of uniformly random keys in [0, num); measures point reads through
        // memtables, bloom filters, index and block cache.
        OpenDB();
        ReadRandom(name, /*missing=*/false, seed);
      } else if (name == "readmissing") {
        // readmissing: Get of keys that sort between loaded keys and were never written; it
        // measures how well bloom filters keep a miss away from data blocks.
        OpenDB();
        ReadRandom(name, /*missing=*/true, seed);
      } else if (name == "seekrandom") {
        // seekrandom: per op a new iterator (fresh snapshot), Seek to a random key, then
        // seek_nexts Next calls: the cost of one short range scan (one SCAN page).
        OpenDB();
        SeekRandom(name, seed);
      } else if (name == "readseq") {
        // readseq: one iterator over the whole DB; an op is one Next. Measures scan speed
        // through the merging iterator.
        OpenDB();
        ReadSeq(name);
      } else if (name == "compact") {
        // compact: the whole key range into the bottom level; one op (db_bench's compact).
        OpenDB();
        OpTimer timer(flags_, flags_.engine, false);
        engine_->CompactAll();
        timer.FinishedOp();
        timer.Report(name);
      } else if (name == "fillsync") {
        // fillsync: sync_num writes of random keys, each made durable (fdatasync) before the
        // next starts, by one writer, in a fresh DB of its own. raw: append + fdatasync.
        FillSync(name, seed);
      } else {
        Die("unknown benchmark " + name);
      }
    }
    if (engine_ != nullptr) {
      if (flags_.print_stats && open_) PrintComment(engine_->Stats());
      engine_->Close();
    }
    const uint64_t written = ProcField("/proc/self/io", "wchar") - wchar_start + g_mapped_wal_bytes;
    const char* e = flags_.engine.c_str();
    std::printf("%s peak_rss_kb %llu\n", e,
                static_cast<unsigned long long>(ProcField("/proc/self/status", "VmHWM")));
    std::printf("%s peak_anon_rss_kb %llu\n", e,
                static_cast<unsigned long long>(anon_rss.PeakKb()));
    std::printf("%s bytes_written %llu\n", e, static_cast<unsigned long long>(written));
    std::printf("%s user_bytes %llu\n", e, static_cast<unsigned long long>(user_bytes_));
    std::printf(
        "%s write_amp %.3f\n", e,
        user_bytes_ > 0 ? static_cast<double>(written) / static_cast<double>(user_bytes_) : 0.0);
    std::printf("%s disk_bytes %llu\n", e,
                static_cast<unsigned long long>(raw ? 0 : DirBytes(flags_.db)));
    std::fflush(stdout);
    return 0;
  }

 private:
  // Empties and opens the main DB for a fill benchmark; false (skip) with --use_existing_db.
  bool FreshDB(const std::string& name) {
    if (flags_.use_existing_db) {
      std::fprintf(stderr, "engine_bench: %s skipped (--use_existing_db)\n", name.c_str());
      return false;
    }
    if (open_) engine_->Close();
    open_ = false;
    RemoveDir(flags_.db);
    OpenDB();
    return true;
  }

  void OpenDB() {
    if (open_) return;
    std::filesystem::create_directories(flags_.db);
    engine_->Open(flags_.db);
    open_ = true;
  }

  void Write(const std::string& name, int64_t n, bool sequential, uint64_t seed) {
    Random rnd(seed);
    OpTimer timer(flags_, flags_.engine, name == "fillrandom" && flags_.stats_interval_ms > 0);
    for (int64_t i = 0; i < n && !timer.TimeUp(); i++) {
      const uint64_t k =
          sequential ? static_cast<uint64_t>(i) : rnd.Uniform(static_cast<uint64_t>(flags_.num));
      const std::string_view key = keys_.Key(k);
      const std::string_view value = values_.Next();
      engine_->Put(key, value, /*sync=*/false);
      user_bytes_ += key.size() + value.size();
      timer.FinishedOp();
    }
    timer.Report(name);
  }

  void ReadRandom(const std::string& name, bool missing, uint64_t seed) {
    Random rnd(seed);
    std::string value;
    uint64_t found = 0, ops = 0;
    OpTimer timer(flags_, flags_.engine, false);
    for (int64_t i = 0; i < flags_.reads && !timer.TimeUp(); i++) {
      const uint64_t k = rnd.Uniform(static_cast<uint64_t>(flags_.num));
      if (engine_->Get(missing ? keys_.Missing(k) : keys_.Key(k), &value)) found++;
      ops++;
      timer.FinishedOp();
    }
    timer.Report(name);
    PrintFound(name, found, ops);
  }

  void SeekRandom(const std::string& name, uint64_t seed) {
    Random rnd(seed);
    uint64_t found = 0, ops = 0, bytes = 0;
    OpTimer timer(flags_, flags_.engine, flags_.stats_interval_ms > 0);
    for (int64_t i = 0; i < flags_.reads && !timer.TimeUp(); i++) {
      const uint64_t k = rnd.Uniform(static_cast<uint64_t>(flags_.num));
      std::unique_ptr<BenchIterator> it = engine_->NewIterator();
      it->Seek(keys_.Key(k));
      if (it->Valid()) found++;
      for (int j = 0; j < flags_.seek_nexts && it->Valid(); j++) {
        bytes += it->key().size() + it->value().size();
        it->Next();
      }
      CheckIterator(*it);
      ops++;
      timer.FinishedOp();
    }
    timer.Report(name);
    PrintComment(name + " found " + std::to_string(found) + " of " + std::to_string(ops) +
                 " bytes " + std::to_string(bytes));
  }

  void ReadSeq(const std::string& name) {
    std::unique_ptr<BenchIterator> it = engine_->NewIterator();
    uint64_t bytes = 0, ops = 0;
    OpTimer timer(flags_, flags_.engine, false);
    it->SeekToFirst();
    for (; it->Valid() && static_cast<int64_t>(ops) < flags_.reads && !timer.TimeUp(); it->Next()) {
      bytes += it->key().size() + it->value().size();  // touch both, as a scan would
      ops++;
      timer.FinishedOp();
    }
    timer.Report(name);
    CheckIterator(*it);
    PrintComment(name + " entries " + std::to_string(ops) + " bytes " + std::to_string(bytes));
  }

  void FillSync(const std::string& name, uint64_t seed) {
    const std::string dir = flags_.db + ".fillsync";
    RemoveDir(dir);
    std::filesystem::create_directories(dir);
    Random rnd(seed);
    if (flags_.engine == "raw") {
      RawFillSync(name, dir, &rnd);
    } else {
      std::unique_ptr<Engine> engine = NewEngine(flags_);
      engine->Open(dir);
      OpTimer timer(flags_, flags_.engine, false);
      for (int64_t i = 0; i < flags_.sync_num && !timer.TimeUp(); i++) {
        const std::string_view key = keys_.Key(rnd.Uniform(static_cast<uint64_t>(flags_.num)));
        const std::string_view value = values_.Next();
        engine->Put(key, value, /*sync=*/true);
        user_bytes_ += key.size() + value.size();
        timer.FinishedOp();
      }
      timer.Report(name);
      engine->Close();
    }
    RemoveDir(dir);
  }

  // The floor for a synced write: one write(2) of a length-prefixed key+value record to an
  // appending file, then fdatasync, per op. What a WAL without group commit must pay.
  void RawFillSync(const std::string& name, const std::string& dir, Random* rnd) {
    const std::string path = dir + "/raw.log";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) Die("open " + path + ": " + std::strerror(errno));
    std::string record;
    OpTimer timer(flags_, flags_.engine, false);
    for (int64_t i = 0; i < flags_.sync_num && !timer.TimeUp(); i++) {
      const std::string_view key = keys_.Key(rnd->Uniform(static_cast<uint64_t>(flags_.num)));
      const std::string_view value = values_.Next();
      const uint32_t len = static_cast<uint32_t>(key.size() + value.size());
      record.assign(reinterpret_cast<const char*>(&len), sizeof(len));
      record.append(key);
      record.append(value);
      if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
        Die("write " + path + ": " + std::strerror(errno));
      }
      if (::fdatasync(fd) != 0) Die("fdatasync " + path + ": " + std::strerror(errno));
      user_bytes_ += key.size() + value.size();
      timer.FinishedOp();
    }
    timer.Report(name);
    ::close(fd);
  }

  void CheckIterator(const BenchIterator& it) {
    const std::string err = it.Error();
    if (!err.empty()) Die(flags_.engine + " iterator: " + err);
  }

  void PrintFound(const std::string& name, uint64_t found, uint64_t ops) {
    PrintComment(name + " found " + std::to_string(found) + " of " + std::to_string(ops));
  }

  // Prints text as '#' lines, which result parsers skip.
  void PrintComment(const std::string& text) {
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::printf("# %s %s\n", flags_.engine.c_str(), line.c_str());
    }
    std::fflush(stdout);
  }

  const Flags flags_;
  KeyFormatter keys_;
  ValueSource values_;
  std::unique_ptr<Engine> engine_;
  bool open_ = false;
  uint64_t user_bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  Benchmark bench(flags);
  return bench.Run();
}
