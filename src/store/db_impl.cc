#include "store/db_impl.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "store/builder.h"
#include "store/cache.h"
#include "store/compaction.h"
#include "store/compaction_job.h"
#include "store/db_iter.h"
#include "store/dbformat.h"
#include "store/filename.h"
#include "store/log_reader.h"
#include "store/memtable.h"
#include "store/merger.h"
#include "store/row_cache.h"
#include "store/table_cache.h"
#include "store/version_set.h"
#include "store/write_batch_internal.h"

namespace strata::store {

namespace {

// A thread running fn, named (at most 15 characters) so that `top -H`, perf and gdb tell the
// store's threads apart from the server's event loop.
template <class Fn>
std::thread NamedThread(const char* name, Fn fn) {
  return std::thread([name, fn] {
    pthread_setname_np(pthread_self(), name);
    fn();
  });
}

// A buffer_wal write larger than this takes the queue, so that a big memcpy and the write(2)
// it may cause do not happen with mutex_ held.
constexpr size_t kFastPathMaxBytes = 32 << 10;
// A write group is capped at this many bytes, or at first + 128 KiB when the first batch is
// small, so that a small write is not slowed by a large group (LevelDB's BuildBatchGroup).
constexpr size_t kMaxGroupBytes = 1 << 20;
constexpr size_t kSmallBatchBytes = 128 << 10;

Options SanitizeOptions(const Options& in) {
  Options o = in;
  if (o.env == nullptr) o.env = Env::Default();
  o.memtable_size = std::max<size_t>(o.memtable_size, 4096);
  o.max_immutable_memtables = std::max(o.max_immutable_memtables, 1);
  o.compaction_threads = std::clamp(o.compaction_threads, 1, 16);
  o.max_open_files = std::max(o.max_open_files, 20);
  // Writes stop only where compaction has long been triggered, or they would wait forever.
  o.level0_compaction_trigger = std::max(o.level0_compaction_trigger, 1);
  o.level0_slowdown_trigger = std::max(o.level0_slowdown_trigger, o.level0_compaction_trigger);
  o.level0_stop_trigger = std::max(o.level0_stop_trigger, o.level0_slowdown_trigger);
  o.target_file_size = std::max<uint64_t>(o.target_file_size, 4096);
  o.max_bytes_for_level_base = std::max<uint64_t>(o.max_bytes_for_level_base, 4096);
  return o;
}

std::string NumberToString(uint64_t n) { return std::to_string(n); }

}  // namespace

// A caller of Write (batch != nullptr), or a request that needs the log owner's rights
// (batch == nullptr): a WAL buffer flush, a memtable switch, or a Resume. Queued in
// writers_; lives on its thread's stack.
struct DBImpl::Writer {
  enum class Kind { kWrite, kFlushWAL, kSwitchMemTable, kResume };
  Writer(WriteBatch* b, const WriteOptions& o, Kind k = Kind::kWrite)
      : batch(b), kind(k), sync(o.sync), buffer_wal(o.buffer_wal && !o.sync) {}

  WriteBatch* const batch;
  const Kind kind;
  const bool sync;
  const bool buffer_wal;
  bool done = false;       // GUARDED_BY(mutex_): a leader completed this writer
  Status status;           // GUARDED_BY(mutex_): its result, when done
  uint64_t sequence = 0;   // GUARDED_BY(mutex_): its batch's last sequence, when done
  Writer* next = nullptr;  // GUARDED_BY(mutex_)
  std::condition_variable cv;
};

// What a reader needs, pinned together: the memtables and the current Version. Immutable
// once installed; reference counted so that readers and iterators can use it with mutex_
// released (the last Unref may run on any thread, with or without mutex_).
struct DBImpl::SuperVersion {
  SuperVersion(DBImpl* d, MemTable* m, const std::deque<Imm>& imm_oldest_first, Version* v)
      : db(d), mem(m), current(v) {
    mem->Ref();
    for (auto it = imm_oldest_first.rbegin(); it != imm_oldest_first.rend(); ++it) {
      imm.push_back(it->mem);
      it->mem->Ref();
    }
    current->Ref();
  }
  ~SuperVersion() {
    mem->Unref();
    for (MemTable* t : imm) t->Unref();
    current->Unref();
  }
  void Ref() { refs.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      DBImpl* const d = db;
      delete this;
      d->SuperVersionFreed();
    }
  }

  std::atomic<int> refs{1};
  DBImpl* const db;
  MemTable* const mem;
  std::vector<MemTable*> imm;  // newest first: the order reads consult them
  Version* const current;
};

// ---------------------------------------------------------------------------------------
// Open, recovery, shutdown
// ---------------------------------------------------------------------------------------

Status DB::Open(const Options& options, const std::string& dir, std::unique_ptr<DB>* db) {
  db->reset();
  auto impl = std::make_unique<DBImpl>(options, dir);
  Status s = impl->Recover();
  if (s.ok()) *db = std::move(impl);
  return s;
}

DBImpl::DBImpl(const Options& options, const std::string& dir)
    : env_(SanitizeOptions(options).env),
      options_(SanitizeOptions(options)),
      dir_(dir),
      block_cache_(NewLRUCache(options_.block_cache_size)),
      table_cache_(std::make_unique<TableCache>(dir_, options_, block_cache_.get())),
      row_cache_(options_.row_cache_size > 0 ? std::make_unique<RowCache>(options_.row_cache_size,
                                                                          options_.row_cache_prefix)
                                             : nullptr),
      versions_(std::make_unique<VersionSet>(dir_, options_, table_cache_.get())) {
  std::lock_guard<std::mutex> l(mutex_);
  mem_ = new MemTable(options_.memtable_size);
  mem_->Ref();
  InstallSuperVersion();
}

DBImpl::~DBImpl() {
  // Running flushes and compactions give up (their WALs and inputs stay; the next open
  // redoes the work); then the syncer does the final flush + fdatasync of the WAL (even in
  // kNo: "synced at close"), runs the callbacks it covers, fails the rest, and exits.
  {
    std::lock_guard<std::mutex> l(mutex_);
    bg_shutting_down_ = true;
    bg_cancel_.store(true, std::memory_order_relaxed);
  }
  bg_cv_.notify_all();
  bg_done_cv_.notify_all();
  if (flush_thread_.joinable()) flush_thread_.join();
  for (std::thread& t : compaction_threads_) t.join();
  {
    std::lock_guard<std::mutex> l(mutex_);
    shutting_down_ = true;
  }
  syncer_cv_.notify_one();
  if (syncer_.joinable()) syncer_.join();

  std::lock_guard<std::mutex> l(mutex_);
  if (logfile_ != nullptr) {
    Status s = logfile_->Close();
    if (!s.ok() && bg_error_.ok()) Log(LogLevel::kError, "closing the WAL: " + s.ToString());
  }
  log_.reset();
  logfile_.reset();
  if (super_version_ != nullptr) super_version_->Unref();
  super_version_ = nullptr;
  if (mem_ != nullptr) mem_->Unref();
  for (Imm& m : imm_) m.mem->Unref();
  imm_.clear();
  versions_.reset();  // closes the MANIFEST before the LOCK goes
  db_lock_.reset();
}

Status DBImpl::Recover() {
  std::unique_lock<std::mutex> l(mutex_);
  const bool existed = env_->FileExists(dir_);
  if (!existed && !options_.create_if_missing) {
    return Status::InvalidArgument(dir_, "does not exist (create_if_missing is false)");
  }
  Status s = env_->CreateDir(dir_);
  if (!s.ok()) return s;
  if (!existed) {
    // The new directory's own entry must survive a crash too.
    size_t slash = dir_.rfind('/');
    std::string parent =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : dir_.substr(0, slash));
    s = env_->SyncDir(parent);
    if (!s.ok()) return s;
  }
  s = env_->LockFile(LockFileName(dir_), &db_lock_);
  if (!s.ok()) {
    if (s.IsBusy()) {
      return Status::Busy("data directory " + dir_ + " is locked by another strata-server process",
                          s.message());
    }
    return s;
  }

  // CURRENT -> MANIFEST -> the tables. Without CURRENT the directory is new (or was written
  // by a build without tables): every WAL is replayed.
  if (env_->FileExists(CurrentFileName(dir_))) {
    s = versions_->Recover();
    if (!s.ok()) return s;
  }

  std::vector<std::string> children;
  s = env_->GetChildren(dir_, &children);
  if (!s.ok()) return s;
  std::vector<uint64_t> logs;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    // Even files the MANIFEST does not know (written by a flush cut short) keep their
    // number: numbers are never reused, so block cache keys stay unique.
    versions_->MarkFileNumberUsed(number);
    if (type == FileType::kLogFile && number >= versions_->LogNumber()) logs.push_back(number);
    if (type == FileType::kTempFile) env_->RemoveFile(dir_ + "/" + name);  // a crashed rewrite
  }
  std::sort(logs.begin(), logs.end());

  // Records the tables already hold are skipped: a WAL may straddle a flushed memtable.
  const uint64_t flushed_seq = versions_->LastSequence();
  uint64_t max_sequence = flushed_seq;
  std::vector<uint64_t> unneeded;  // WALs that hold nothing the tables lack
  for (size_t i = 0; i < logs.size(); i++) {
    const uint64_t before = stats_.recovered_records;
    s = RecoverLogFile(logs[i], i + 1 == logs.size(), flushed_seq, &max_sequence);
    if (!s.ok()) return s;
    if (stats_.recovered_records == before) unneeded.push_back(logs[i]);
  }
  if (mem_->NumEntries() > 0) {
    imm_.push_back(Imm{mem_, mem_log_number_, max_sequence, next_imm_id_++});
    mem_ = new MemTable(options_.memtable_size);
    mem_->Ref();
  }
  last_sequence_.store(max_sequence, std::memory_order_release);

  // The replayed WALs were read from the OS, which may not have written them to disk yet
  // (a process crash in kNo/kEverySec). Sync them so that everything recovered is durable.
  for (uint64_t number : logs) {
    std::unique_ptr<WritableFile> file;
    s = env_->NewAppendableFile(LogFileName(dir_, number), &file);
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
    if (!s.ok()) return s;
  }
  live_logs_ = logs;

  // Start a new WAL. The replayed memtables wait in imm_ for the flush thread; their WALs
  // stay until their flush is recorded.
  const uint64_t number = versions_->NewFileNumber();
  std::shared_ptr<WritableFile> file;
  s = NewLogFile(number, &file);
  if (!s.ok()) return s;
  logfile_ = std::move(file);
  log_ = std::make_unique<log::Writer>(logfile_.get());
  logfile_number_ = number;
  mem_log_number_ = number;
  live_logs_.push_back(number);
  wal_bytes_ = 0;
  wal_flushed_seq_ = max_sequence;
  durable_sequence_.store(max_sequence, std::memory_order_release);

  // A new MANIFEST (snapshot of the recovered state) names the oldest WAL still needed.
  VersionEdit edit;
  edit.SetLogNumber(imm_.empty() ? number : imm_.front().log_number);
  s = versions_->LogAndApply(&edit, &l);
  if (!s.ok()) return s;
  // WALs that contributed nothing (empty, or flushed already) can go now that the new WAL
  // is durable, even if an older WAL is still needed: a crash loop must not pile them up.
  // A removal lost in a crash only brings back a file whose records replay skips.
  for (uint64_t n : unneeded) {
    if (env_->RemoveFile(LogFileName(dir_, n)).ok()) std::erase(live_logs_, n);
  }
  InstallSuperVersion();
  DeleteObsoleteFiles(l);

  syncer_ = NamedThread("strata-sync", [this] { SyncerLoop(); });
  flush_thread_ = NamedThread("strata-flush", [this] { FlushLoop(); });
  for (int i = 0; i < options_.compaction_threads; i++) {
    compaction_threads_.push_back(NamedThread("strata-compact", [this] { CompactionLoop(); }));
  }
  if (!logs.empty()) {
    Log(LogLevel::kInfo, "recovered " + NumberToString(stats_.recovered_records) +
                             " WAL records from " + NumberToString(logs.size()) + " file(s) into " +
                             NumberToString(imm_.size()) + " memtable(s) to flush; last sequence " +
                             NumberToString(max_sequence));
  }
  return Status::OK();
}

Status DBImpl::NewLogFile(uint64_t number, std::shared_ptr<WritableFile>* file) {
  std::unique_ptr<WritableFile> f;
  Status s = options_.mmap_wal ? env_->NewAppendOnlyFile(LogFileName(dir_, number), &f)
                               : env_->NewWritableFile(LogFileName(dir_, number), &f);
  // The WAL's directory entry is durable before any record in it is acknowledged.
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    f.reset();
    env_->RemoveFile(LogFileName(dir_, number));
    return s;
  }
  *file = std::move(f);
  return Status::OK();
}

namespace {

// Collects WAL damage during replay: logs every report, keeps the first.
class LogReporter final : public log::Reader::Reporter {
 public:
  LogReporter(std::string fname, const std::function<void(LogLevel, std::string_view)>& log)
      : fname_(std::move(fname)), log_(log) {}
  void Corruption(uint64_t offset, size_t bytes, const Status& reason) override {
    std::string msg = "WAL " + fname_ + ": " + std::string(reason.message()) + " at offset " +
                      std::to_string(offset) + " (" + std::to_string(bytes) + " bytes)";
    if (log_) log_(LogLevel::kWarn, msg);
    dropped_bytes += bytes;
    if (first.ok()) first = Status::Corruption(msg);
  }
  std::string fname_;
  const std::function<void(LogLevel, std::string_view)>& log_;
  Status first;
  uint64_t dropped_bytes = 0;
};

}  // namespace

Status DBImpl::RecoverLogFile(uint64_t number, bool last_log, uint64_t flushed_seq,
                              uint64_t* max_sequence) {
  const std::string fname = LogFileName(dir_, number);
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  LogReporter reporter(fname, options_.info_log);
  log::Reader reader(file.get(), &reporter);
  std::string scratch;
  std::string_view record;
  WriteBatch batch;
  // Damage that is not a torn tail stops replay, unless the operator chose to skip it.
  auto fail_or_skip = [&](const Status& damage) -> bool {
    if (!options_.skip_corrupt_wal_records) return true;
    Log(LogLevel::kWarn, std::string(damage.message()) + "; skipped (skip_corrupt_wal_records)");
    wal_damage_skipped_++;
    return false;
  };
  // Checks for damage the reader reported since the last call; true: stop with it.
  auto stop_for_damage = [&]() -> bool {
    if (reporter.first.ok()) return false;
    if (fail_or_skip(reporter.first)) return true;
    reporter.first = Status::OK();
    return false;
  };

  while (reader.ReadRecord(&record, &scratch)) {
    if (stop_for_damage()) return reporter.first;
    if (record.size() < WriteBatchInternal::kHeaderSize) {
      reporter.Corruption(reader.LastRecordOffset(), record.size(),
                          Status::Corruption("record too small for a write batch"));
      if (stop_for_damage()) return reporter.first;
      continue;
    }
    WriteBatchInternal::SetContents(&batch, record);
    const uint64_t first_seq = WriteBatchInternal::Sequence(&batch);
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (count > 0 && first_seq + count - 1 <= flushed_seq) continue;  // in the tables already
    // Replay fills memtables of the usual size; full ones wait for the flush thread.
    if (mem_->NumEntries() > 0 && mem_->Full(options_.memtable_size)) {
      imm_.push_back(Imm{mem_, mem_log_number_, *max_sequence, next_imm_id_++});
      mem_ = new MemTable(options_.memtable_size);
      mem_->Ref();
    }
    if (mem_->NumEntries() == 0) mem_log_number_ = number;
    s = WriteBatchInternal::InsertInto(&batch, mem_);
    if (!s.ok()) {
      reporter.Corruption(reader.LastRecordOffset(), record.size(), s);
      if (stop_for_damage()) return reporter.first;
      continue;
    }
    if (count > 0) *max_sequence = std::max(*max_sequence, first_seq + count - 1);
    stats_.recovered_records++;
  }
  if (!reader.status().ok()) return reader.status();
  // Damage after the last good record (e.g. a bad checksum in the final block).
  if (stop_for_damage()) return reporter.first;
  stats_.skipped_corrupt_bytes += reporter.dropped_bytes;

  if (reader.torn_tail() && reader.zero_tail()) {
    // Zeros from a record boundary on: space reserved ahead of the data that was never
    // written (a mapped WAL the process died with, env.h). Nothing was cut, in any WAL.
    Log(LogLevel::kDebug, "WAL " + fname + ": data ends at offset " +
                              NumberToString(reader.torn_tail_offset()) + ", zeros after");
  } else if (reader.torn_tail()) {
    const std::string where = "WAL " + fname + " ends in an incomplete record at offset " +
                              NumberToString(reader.torn_tail_offset()) + " (" +
                              NumberToString(reader.torn_tail_bytes()) + " bytes)";
    if (!last_log) {
      // Older WALs were synced whole before the next one started: a cut here is damage.
      Status damage = Status::Corruption(where + ", but it is not the newest WAL");
      if (fail_or_skip(damage)) return damage;
    } else {
      Log(LogLevel::kWarn, where + ": dropped (a crash interrupted that write)");
    }
    stats_.dropped_torn_bytes += reader.torn_tail_bytes();
    // Cut the file back to its good prefix now, so that once a newer WAL exists this one no
    // longer ends in a torn record.
    s = TruncateLogFile(number, reader.torn_tail_offset());
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status DBImpl::TruncateLogFile(uint64_t number, uint64_t good_bytes) {
  const std::string fname = LogFileName(dir_, number);
  std::string contents;
  Status s = ReadFileToString(env_, fname, &contents);
  if (!s.ok()) return s;
  contents.resize(std::min<uint64_t>(contents.size(), good_bytes));
  const std::string tmp = TempFileName(dir_, versions_->NewFileNumber());
  std::unique_ptr<WritableFile> file;
  s = env_->NewWritableFile(tmp, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (s.ok()) s = env_->RenameFile(tmp, fname);
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) env_->RemoveFile(tmp);
  return s;
}

// ---------------------------------------------------------------------------------------
// Write path
// ---------------------------------------------------------------------------------------

Status DBImpl::Put(const WriteOptions& options, std::string_view key, std::string_view value) {
  // One batch per thread, reused: a Put allocates nothing once the batch has grown.
  thread_local WriteBatch batch;
  batch.Clear();
  batch.Put(key, value);
  return Write(options, &batch);
}

Status DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  thread_local WriteBatch batch;
  batch.Clear();
  batch.Delete(key);
  return Write(options, &batch);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  if (WriteBatchInternal::Count(batch) == 0) return Status::OK();
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  stats_.user_bytes += WriteBatchInternal::ByteSize(batch);

  if (writers_head_ == nullptr && options.buffer_wal && !options.sync &&
      WriteBatchInternal::ByteSize(batch) <= kFastPathMaxBytes &&
      !mem_->Full(options_.memtable_size) &&
      versions_->current()->NumFiles(0) < options_.level0_slowdown_trigger) {
    // Fast path: nobody else owns the log, so holding mutex_ makes us the owner. The record
    // goes into the WAL with no system call (a mapped WAL, or a plain file's user-space
    // buffer: then a write(2) happens only if it fills).
    const uint64_t seq = last_sequence_.load(std::memory_order_relaxed) + 1;
    WriteBatchInternal::SetSequence(batch, seq);
    Status s = log_->AddRecord(WriteBatchInternal::Contents(batch));
    if (s.ok()) s = WriteBatchInternal::InsertInto(batch, mem_);
    wal_bytes_ = log_->FileSize();
    if (!s.ok()) {
      RecordBackgroundError(s);
      return s;
    }
    wal_unflushed_ = true;
    const uint64_t last = seq + WriteBatchInternal::Count(batch) - 1;
    UpdateRows(*batch, last, /*published=*/false);
    last_sequence_.store(last, std::memory_order_release);
    UpdateRows(*batch, last, /*published=*/true);
    stats_.batches++;
    stats_.fast_path++;
    return Status::OK();
  }
  return WriteSlow(options, batch, l);
}

void DBImpl::EnqueueWriter(Writer* w) {
  if (writers_tail_ == nullptr) {
    writers_head_ = writers_tail_ = w;
  } else {
    writers_tail_->next = w;
    writers_tail_ = w;
  }
}

void DBImpl::FinishGroup(Writer* self, Writer* last, const Status& status) {
  while (true) {
    Writer* ready = writers_head_;
    writers_head_ = ready->next;
    if (writers_head_ == nullptr) writers_tail_ = nullptr;
    if (ready != self) {
      ready->status = status;
      ready->done = true;
      ready->cv.notify_one();
    }
    if (ready == last) break;
  }
  if (writers_head_ != nullptr) writers_head_->cv.notify_one();
}

Status DBImpl::WriteSlow(const WriteOptions& options, WriteBatch* batch,
                         std::unique_lock<std::mutex>& lock) {
  Writer w(batch, options);
  EnqueueWriter(&w);
  w.cv.wait(lock, [&] { return w.done || writers_head_ == &w; });

  Status status;
  if (w.done) {
    status = w.status;  // a leader wrote our batch in its group
  } else {
    // We lead: the log is ours until FinishGroup.
    status = bg_error_;
    if (status.ok()) status = MakeRoomForWrite(lock, /*force=*/false);
    Writer* last = &w;
    if (status.ok()) {
      const uint64_t first_seq = last_sequence_.load(std::memory_order_relaxed) + 1;
      bool flush = false;
      WriteBatch* group = BuildBatchGroup(&last, &flush, first_seq);
      const uint64_t last_seq = first_seq + WriteBatchInternal::Count(group) - 1;
      MemTable* mem = mem_;
      lock.unlock();
      status = log_->AddRecord(WriteBatchInternal::Contents(group));
      if (status.ok() && flush) status = logfile_->Flush();
      if (status.ok()) status = WriteBatchInternal::InsertInto(group, mem);
      if (status.ok()) UpdateRows(*group, last_seq, /*published=*/false);
      lock.lock();
      wal_bytes_ = log_->FileSize();
      if (status.ok()) {
        last_sequence_.store(last_seq, std::memory_order_release);
        UpdateRows(*group, last_seq, /*published=*/true);
        ChargeSlowdown(WriteBatchInternal::ByteSize(group));
        if (flush) {
          wal_flushed_seq_ = last_seq;
          wal_unflushed_ = false;
          stats_.wal_writes++;
        } else {
          wal_unflushed_ = true;
        }
      } else {
        // The WAL may now hold part of a record: no later write may follow it.
        RecordBackgroundError(status);
      }
      if (group == &group_batch_) group_batch_.Clear();
    }
    FinishGroup(&w, last, status);
  }
  if (status.ok() && w.sync) status = WaitForDurable(w.sequence, lock);
  return status;
}

WriteBatch* DBImpl::BuildBatchGroup(Writer** last, bool* flush, uint64_t first_seq) {
  Writer* first = writers_head_;
  WriteBatch* result = first->batch;
  size_t size = WriteBatchInternal::ByteSize(first->batch);
  const size_t max_size = size <= kSmallBatchBytes ? size + kSmallBatchBytes : kMaxGroupBytes;

  uint64_t seq = first_seq;
  seq += WriteBatchInternal::Count(first->batch);
  first->sequence = seq - 1;
  *flush = !first->buffer_wal;
  *last = first;
  for (Writer* w = first->next; w != nullptr; w = w->next) {
    if (w->batch == nullptr) break;  // a flush request: it runs on its own
    size += WriteBatchInternal::ByteSize(w->batch);
    if (size > max_size) break;
    if (result == first->batch) {
      // Switch to the shared batch rather than modify the caller's.
      group_batch_.Clear();
      WriteBatchInternal::Append(&group_batch_, first->batch);
      result = &group_batch_;
    }
    WriteBatchInternal::Append(result, w->batch);
    seq += WriteBatchInternal::Count(w->batch);
    w->sequence = seq - 1;
    *flush = *flush || !w->buffer_wal;
    *last = w;
    stats_.grouped++;
  }
  WriteBatchInternal::SetSequence(result, first_seq);
  stats_.batches += 1;
  for (Writer* w = first; w != *last; w = w->next) stats_.batches++;
  stats_.groups++;
  return result;
}

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force) {
  bool allow_delay = !force;
  bool stopped = false;  // counted as one stop however many times we wake
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int l0_files = versions_->current()->NumFiles(0);
    if (l0_files < options_.level0_slowdown_trigger) slowdown_debt_micros_ = 0;
    if (allow_delay && slowdown_debt_micros_ >= 1000) {
      // L0 is piling up: pace writes (ChargeSlowdown) rather than stop everyone for seconds
      // later (docs/design.md §6.6). LevelDB delays every write 1 ms, which holds a lone
      // writer to ~1000 writes/s: a stall in all but name. Here the group sleeps off the time
      // its predecessors' bytes owe at the paced rate, once a millisecond is owed. The
      // buffered WAL goes to the OS first, so the syncer need not wait for us.
      Status s = FlushWALBuffer(lock);
      if (!s.ok()) return s;
      const uint64_t owed = slowdown_debt_micros_;
      slowdown_debt_micros_ = 0;
      const uint64_t start = env_->NowMicros();
      lock.unlock();
      env_->SleepForMicroseconds(static_cast<int>(std::min<uint64_t>(owed, 100000)));
      lock.lock();
      stats_.stall_slowdowns++;
      stats_.stall_micros += env_->NowMicros() - start;
      allow_delay = false;
      continue;
    }
    // An empty memtable is never full (its arena may already exceed a tiny memtable_size).
    const bool full = mem_->NumEntries() > 0 && (force || mem_->Full(options_.memtable_size));
    if (!full) return Status::OK();
    if (static_cast<int>(imm_.size()) >= options_.max_immutable_memtables ||
        l0_files >= options_.level0_stop_trigger) {
      // Background work is behind: wait for a flush or compaction to finish.
      if (wal_unflushed_) {
        Status s = FlushWALBuffer(lock);
        if (!s.ok()) return s;
        continue;  // mutex_ was released: look again before waiting
      }
      if (!stopped) stats_.stall_stops++;
      stopped = true;
      const uint64_t start = env_->NowMicros();
      bg_cv_.notify_all();
      bg_done_cv_.wait(lock);
      stats_.stall_micros += env_->NowMicros() - start;
      continue;
    }
    return SwitchMemTable(lock);
  }
}

void DBImpl::ChargeSlowdown(uint64_t bytes) {
  const int l0 = versions_->current()->NumFiles(0);
  const int slow = options_.level0_slowdown_trigger;
  const int stop = options_.level0_stop_trigger;
  if (l0 < slow) return;
  // The rate falls linearly from delayed_write_rate at `slow` L0 files to a quarter at `stop`.
  const double left =
      stop > slow ? static_cast<double>(stop - std::min(l0, stop)) / (stop - slow) : 0;
  const double rate = static_cast<double>(options_.delayed_write_rate) * (0.25 + 0.75 * left);
  if (rate > 0) slowdown_debt_micros_ += static_cast<uint64_t>(bytes * 1e6 / rate);
}

Status DBImpl::SwitchMemTable(std::unique_lock<std::mutex>& lock) {
  // Not while the syncer fsyncs the same WAL, and not after a failed fsync (header comment).
  durable_cv_.wait(lock, [&] { return !wal_syncing_; });
  if (!bg_error_.ok()) return bg_error_;
  const uint64_t number = versions_->NewFileNumber();
  std::shared_ptr<WritableFile> old_file = logfile_;
  wal_syncing_ = true;
  lock.unlock();
  // Every record in the old WAL becomes durable before it stops being the live one: then the
  // syncer only ever needs the live WAL, kNo keeps its promise to sync at a switch, and a
  // WAL older than the newest is complete (recovery treats a torn one as damage). Closing it
  // here, before the new WAL exists, also trims a mapped WAL's reserved zeros (env.h).
  Status s = old_file->Sync();
  if (s.ok()) s = old_file->Close();
  std::shared_ptr<WritableFile> new_file;
  if (s.ok()) s = NewLogFile(number, &new_file);
  lock.lock();
  wal_syncing_ = false;
  durable_cv_.notify_all();  // the syncer may be waiting to fsync
  if (!s.ok()) {
    // A failed sync is permanent. A failed create leaves the old WAL usable, but it is full
    // of acknowledged state we cannot roll over: treat both as fatal for writes.
    RecordBackgroundError(s);
    return s;
  }
  const uint64_t last = last_sequence_.load(std::memory_order_relaxed);
  if (last > durable_sequence_.load(std::memory_order_relaxed)) {
    durable_sequence_.store(last, std::memory_order_release);
  }
  wal_flushed_seq_ = last;
  wal_unflushed_ = false;
  log_ = std::make_unique<log::Writer>(new_file.get());
  logfile_ = std::move(new_file);
  logfile_number_ = number;
  live_logs_.push_back(number);
  stats_.wal_bytes_closed += wal_bytes_;
  wal_bytes_ = 0;
  stats_.wal_switches++;

  imm_.push_back(Imm{mem_, mem_log_number_, last, next_imm_id_++});
  mem_ = new MemTable(options_.memtable_size);
  mem_->Ref();
  mem_log_number_ = number;
  InstallSuperVersion();
  bg_cv_.notify_all();  // the flush thread has work
  // durable_sequence_ moved: waiting callbacks and sync writers may be covered now.
  durable_cv_.notify_all();
  syncer_cv_.notify_one();
  return Status::OK();
}

void DBImpl::RecordBackgroundError(const Status& s) {
  if (!bg_error_.ok()) return;
  bg_error_ = s;
  Log(LogLevel::kError,
      "write error; the store refuses writes until it recovers (Resume) or is reopened: " +
          s.ToString());
  durable_cv_.notify_all();
  syncer_cv_.notify_one();
  bg_done_cv_.notify_all();
  bg_cv_.notify_all();
}

Status DBImpl::BackgroundError() const {
  std::lock_guard<std::mutex> l(mutex_);
  return bg_error_;
}

Status DBImpl::Resume() {
  std::unique_lock<std::mutex> l(mutex_);
  bg_done_cv_.wait(l, [&] { return !resuming_ || bg_shutting_down_; });
  if (bg_error_.ok() || bg_shutting_down_) return bg_error_;
  // Waiting does not cure a damaged file or a bug.
  if (!bg_error_.IsIOError()) return bg_error_;
  resuming_ = true;
  const std::string cause = bg_error_.ToString();

  // 1. The log owner's rights (nobody else queues while bg_error_ is set: the writers ahead
  // of us fail and leave), then no flush, compaction, WAL fsync or callback in flight.
  Writer w(nullptr, WriteOptions(), Writer::Kind::kResume);
  EnqueueWriter(&w);
  w.cv.wait(l, [&] { return writers_head_ == &w; });
  syncer_cv_.notify_one();  // it fails the callbacks still waiting
  bg_done_cv_.wait(l, [&] {
    return bg_shutting_down_ || (!flush_running_ && compactions_running_ == 0 && !wal_syncing_ &&
                                 sync_callbacks_.empty() && !running_callbacks_);
  });

  Status s;
  std::shared_ptr<WritableFile> old_file;
  if (bg_shutting_down_) {
    s = Status::IOError(dir_, "store is shutting down");
  } else {
    // 2. Everything in memory goes to tables; the memtable after them belongs to a new WAL.
    const uint64_t last = last_sequence_.load(std::memory_order_relaxed);
    const uint64_t new_log = versions_->NewFileNumber();
    if (mem_->NumEntries() > 0) {
      imm_.push_back(Imm{mem_, mem_log_number_, last, next_imm_id_++});
      mem_ = new MemTable(options_.memtable_size);
      mem_->Ref();
      InstallSuperVersion();
    }
    mem_log_number_ = new_log;
    // 3. Flush them, oldest first (FlushOldestMemTable releases mutex_ for the I/O).
    while (s.ok() && !imm_.empty()) {
      s = bg_shutting_down_ ? Status::IOError(dir_, "store is shutting down")
                            : FlushOldestMemTable(l);
    }
    // 4. The old WALs are obsolete once this edit is durable.
    if (s.ok()) {
      VersionEdit edit;
      edit.SetLogNumber(new_log);
      edit.SetLastSequence(std::max(last, versions_->LastSequence()));
      s = versions_->LogAndApply(&edit, &l);
    }
    // 5. Only now the new WAL: see the header comment.
    std::shared_ptr<WritableFile> new_file;
    if (s.ok()) {
      l.unlock();
      s = NewLogFile(new_log, &new_file);
      l.lock();
    }
    // 6. Writes may go on.
    if (s.ok()) {
      log_ = std::make_unique<log::Writer>(new_file.get());
      old_file = std::move(logfile_);
      logfile_ = std::move(new_file);
      logfile_number_ = new_log;
      live_logs_.push_back(new_log);
      stats_.wal_bytes_closed += wal_bytes_;
      wal_bytes_ = 0;
      wal_unflushed_ = false;
      wal_flushed_seq_ = last;
      if (last > durable_sequence_.load(std::memory_order_relaxed)) {
        durable_sequence_.store(last, std::memory_order_release);
      }
      bg_error_ = Status::OK();
      stats_.resumes++;
    }
  }
  if (!s.ok()) {
    bg_error_ = s;
    stats_.resume_failures++;
  }
  resuming_ = false;
  FinishGroup(&w, &w, s);
  bg_cv_.notify_all();
  bg_done_cv_.notify_all();
  durable_cv_.notify_all();
  syncer_cv_.notify_one();
  if (s.ok()) {
    Log(LogLevel::kInfo, "recovered from the background error (" + cause +
                             "): memtables flushed to tables, new WAL " +
                             NumberToString(logfile_number_) + "; writes are accepted again");
    DeleteObsoleteFiles(l);
  } else {
    // The caller has the status and may retry every second: it decides what to log.
    Log(LogLevel::kDebug, "recovery from the background error failed: " + s.ToString());
  }
  l.unlock();
  // The WAL that saw the error is obsolete: whatever its buffer still holds goes nowhere that
  // matters, and a failure closing it is no news.
  if (old_file != nullptr) old_file->Close();
  return s;
}

Status DBImpl::FlushWAL() {
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  if (!wal_unflushed_) return Status::OK();
  return FlushWALLocked(l);
}

Status DBImpl::FlushWALBuffer(std::unique_lock<std::mutex>& lock) {
  if (!wal_unflushed_) return Status::OK();
  const uint64_t seq = last_sequence_.load(std::memory_order_relaxed);
  lock.unlock();
  Status s = logfile_->Flush();
  lock.lock();
  if (!s.ok()) {
    RecordBackgroundError(s);
    return s;
  }
  wal_flushed_seq_ = seq;
  wal_unflushed_ = false;
  stats_.wal_writes++;
  // Queued flush requests (the syncer's among them) are satisfied: let them leave the queue.
  for (Writer* w = writers_head_; w != nullptr; w = w->next) {
    if (w->kind == Writer::Kind::kFlushWAL) w->cv.notify_one();
  }
  return Status::OK();
}

Status DBImpl::FlushWALLocked(std::unique_lock<std::mutex>& lock) {
  Writer w(nullptr, WriteOptions(), Writer::Kind::kFlushWAL);
  EnqueueWriter(&w);
  // A stalled leader flushes the buffer before it waits: then we need not wait for it.
  w.cv.wait(lock, [&] { return writers_head_ == &w || !wal_unflushed_ || !bg_error_.ok(); });
  if (writers_head_ != &w) {
    RemoveWriter(&w);
    return bg_error_;
  }
  Status s = bg_error_;
  if (s.ok()) s = FlushWALBuffer(lock);
  FinishGroup(&w, &w, s);
  return s;
}

void DBImpl::RemoveWriter(Writer* w) {
  Writer* prev = nullptr;
  for (Writer* p = writers_head_; p != w; p = p->next) prev = p;
  if (prev == nullptr) {
    writers_head_ = w->next;
  } else {
    prev->next = w->next;
  }
  if (writers_tail_ == w) writers_tail_ = prev;
}

// ---------------------------------------------------------------------------------------
// Durability: the syncer
// ---------------------------------------------------------------------------------------

void DBImpl::SyncAsync(uint64_t seq, std::function<void(Status)> done) {
  std::unique_lock<std::mutex> l(mutex_);
  // Inline only if that cannot overtake a callback the syncer has not run yet.
  if (seq <= durable_sequence_.load(std::memory_order_relaxed) && sync_callbacks_.empty() &&
      !running_callbacks_) {
    l.unlock();
    done(Status::OK());
    return;
  }
  if (!bg_error_.ok() && sync_callbacks_.empty() && !running_callbacks_) {
    Status err = bg_error_;
    l.unlock();
    done(err);
    return;
  }
  sync_callbacks_.push_back(SyncCallback{seq, std::move(done)});
  syncer_cv_.notify_one();
}

Status DBImpl::SyncIfIdle(uint64_t seq) {
  std::unique_lock<std::mutex> l(mutex_);
  auto durable = [&] { return seq <= durable_sequence_.load(std::memory_order_relaxed); };
  if (durable()) return Status::OK();
  if (!bg_error_.ok()) return bg_error_;
  // Hand the buffer to the OS first, so that the check below sees whether seq can be covered.
  if (wal_unflushed_) FlushWALLocked(l);  // an error is recorded in bg_error_
  if (durable()) return Status::OK();
  if (!bg_error_.ok()) return bg_error_;
  // Checked with mutex_ held and acted on without releasing it: SyncOnce below finds the WAL
  // buffer flushed (unless another thread wrote meanwhile) and no fsync running, so it starts
  // its own at once, whose target (wal_flushed_seq_) covers seq. Waiting for someone else's
  // fsync is what the caller wants to avoid: it would rather queue a callback.
  if (wal_syncing_) return Status::Busy(dir_, "a WAL fsync is running");
  if (wal_flushed_seq_ < seq) return Status::Busy(dir_, "the WAL is not flushed up to seq");
  Status s = SyncOnce(l);
  if (!sync_callbacks_.empty()) syncer_cv_.notify_one();  // some may be covered now
  if (durable()) return Status::OK();
  if (!s.ok()) return s;
  if (!bg_error_.ok()) return bg_error_;
  // Not expected (SyncOnce's target covers seq); the syncer retries until it is covered.
  return Status::Busy(dir_, "the WAL fsync did not cover seq");
}

Status DBImpl::SyncWAL() {
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  return WaitForDurable(last_sequence_.load(std::memory_order_relaxed), l);
}

Status DBImpl::WaitForDurable(uint64_t seq, std::unique_lock<std::mutex>& lock) {
  auto durable = [&] { return seq <= durable_sequence_.load(std::memory_order_relaxed); };
  // The writer runs the fsync itself when none is running: handing it to the syncer thread
  // and back costs two context switches per synced write, a tenth of an fsync for a lone
  // writer. When one is running, it may cover this write; if not, the next waiter to see
  // the WAL idle syncs for everyone flushed by then (group commit). SyncOnce keeps the rule
  // of one fsync at a time and none after a failure.
  while (!durable() && bg_error_.ok() && !syncer_done_) {
    if (!wal_syncing_) {
      const uint64_t before = durable_sequence_.load(std::memory_order_relaxed);
      SyncOnce(lock);
      if (!sync_callbacks_.empty()) syncer_cv_.notify_one();  // some may be covered now
      if (durable_sequence_.load(std::memory_order_relaxed) > before || !bg_error_.ok()) {
        continue;
      }
      // No progress (our write is not yet flushed where SyncOnce looks, e.g. a stalled
      // leader holds it): leave it to the syncer, which retries until it is covered.
      sync_wanted_ = std::max(sync_wanted_, seq);
      syncer_cv_.notify_one();
      durable_cv_.wait(lock, [&] { return durable() || !bg_error_.ok() || syncer_done_; });
    } else {
      durable_cv_.wait(
          lock, [&] { return !wal_syncing_ || durable() || !bg_error_.ok() || syncer_done_; });
    }
  }
  if (durable()) return Status::OK();
  if (!bg_error_.ok()) return bg_error_;
  return Status::IOError(dir_, "store is shutting down");
}

Status DBImpl::SyncOnce(std::unique_lock<std::mutex>& lock) {
  if (wal_unflushed_) {
    Status s = FlushWALLocked(lock);
    if (!s.ok()) return s;
  }
  // One fsync of the WAL at a time, and none after a failed one (header comment): a memtable
  // switch may be syncing the old WAL whole; once it is done the new WAL is the live one.
  durable_cv_.wait(lock, [&] { return !wal_syncing_; });
  if (!bg_error_.ok()) return bg_error_;
  const uint64_t target = wal_flushed_seq_;
  if (target <= durable_sequence_.load(std::memory_order_relaxed)) return Status::OK();
  std::shared_ptr<WritableFile> file = logfile_;
  wal_syncing_ = true;
  lock.unlock();
  const uint64_t start = env_->NowMicros();
  Status s = file->SyncFlushed();
  const uint64_t micros = env_->NowMicros() - start;
  file.reset();  // may close a WAL that was switched out meanwhile (it was synced whole)
  lock.lock();
  wal_syncing_ = false;
  if (resuming_) bg_done_cv_.notify_all();  // Resume waits for the fsync to end
  stats_.wal_syncs++;
  stats_.wal_sync_micros += micros;
  if (s.ok()) {
    if (target > durable_sequence_.load(std::memory_order_relaxed)) {
      durable_sequence_.store(target, std::memory_order_release);
    }
  } else {
    RecordBackgroundError(s);
  }
  durable_cv_.notify_all();
  return s;
}

void DBImpl::RunReadyCallbacks(std::unique_lock<std::mutex>& lock, bool shutting_down) {
  if (sync_callbacks_.empty()) return;
  const uint64_t durable = durable_sequence_.load(std::memory_order_relaxed);
  const bool failed = !bg_error_.ok();
  std::vector<SyncCallback> ready;
  std::deque<SyncCallback> waiting;
  for (SyncCallback& cb : sync_callbacks_) {
    if (cb.seq <= durable || failed || shutting_down) {
      ready.push_back(std::move(cb));
    } else {
      waiting.push_back(std::move(cb));
    }
  }
  sync_callbacks_.swap(waiting);
  if (ready.empty()) return;
  std::stable_sort(ready.begin(), ready.end(),
                   [](const SyncCallback& a, const SyncCallback& b) { return a.seq < b.seq; });
  const Status error = failed ? bg_error_ : Status::IOError(dir_, "store is shutting down");
  running_callbacks_ = true;
  stats_.callbacks_run += ready.size();
  lock.unlock();
  for (SyncCallback& cb : ready) cb.done(cb.seq <= durable ? Status::OK() : error);
  ready.clear();  // destroy the callbacks outside the lock too
  lock.lock();
  running_callbacks_ = false;
  if (resuming_) bg_done_cv_.notify_all();  // Resume waits until every callback has failed
}

void DBImpl::SyncerLoop() {
  using Clock = std::chrono::steady_clock;
  const bool everysec = options_.sync_mode == SyncMode::kEverySec;
  auto next_periodic = Clock::now() + std::chrono::seconds(1);

  std::unique_lock<std::mutex> l(mutex_);
  while (true) {
    const uint64_t last = last_sequence_.load(std::memory_order_relaxed);
    const uint64_t durable = durable_sequence_.load(std::memory_order_relaxed);
    uint64_t wanted = sync_wanted_;
    bool callbacks_ready = false;
    for (const SyncCallback& cb : sync_callbacks_) {
      wanted = std::max(wanted, cb.seq);
      callbacks_ready = callbacks_ready || cb.seq <= durable;
    }
    wanted = std::min(wanted, last);
    const bool failed = !bg_error_.ok();
    const bool periodic_due = everysec && Clock::now() >= next_periodic;
    const bool need_sync =
        !failed && ((wanted > durable) || ((periodic_due || shutting_down_) && last > durable));
    callbacks_ready = callbacks_ready || (failed && !sync_callbacks_.empty());

    if (need_sync) {
      SyncOnce(l);  // an error is recorded in bg_error_ and fails the waiting callbacks
      next_periodic = Clock::now() + std::chrono::seconds(1);
      RunReadyCallbacks(l, false);
      continue;
    }
    if (callbacks_ready) {
      RunReadyCallbacks(l, false);
      continue;
    }
    if (periodic_due) next_periodic = Clock::now() + std::chrono::seconds(1);
    if (shutting_down_) break;
    if (everysec) {
      syncer_cv_.wait_until(l, next_periodic);
    } else {
      syncer_cv_.wait(l);
    }
  }
  // Shutting down: whatever could not be made durable fails.
  RunReadyCallbacks(l, true);
  syncer_done_ = true;
  durable_cv_.notify_all();
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

void DBImpl::InstallSuperVersion() {
  auto* sv = new SuperVersion(this, mem_, imm_, versions_->current());
  if (super_version_ != nullptr) super_version_->Unref();
  super_version_ = sv;
}

void DBImpl::SuperVersionFreed() {
  // A reader that let go of the last reference to an old Version has made the files only it
  // listed obsolete. With mmap_reads their pages stay resident while they are mapped, and the
  // readers are now faulting in the new version's files: wake the flush thread to delete and
  // unmap them now rather than at its next one-second tick. Without mutex_ (the last Unref
  // may run with or without it), so this notify can fall between the flush thread's check
  // and its wait; the tick then covers it.
  if (versions_->VersionDroppedPending()) bg_cv_.notify_all();
}

DBImpl::SuperVersion* DBImpl::RefSuperVersion(const ReadOptions& options, uint64_t* sequence) {
  std::lock_guard<std::mutex> l(mutex_);
  *sequence = options.snapshot != nullptr ? options.snapshot->sequence()
                                          : last_sequence_.load(std::memory_order_relaxed);
  super_version_->Ref();
  return super_version_;
}

void DBImpl::UpdateRows(const WriteBatch& batch, uint64_t last_seq, bool published) {
  if (row_cache_ == nullptr) return;
  // Before publishing every key goes; after, put values are cached while there is room (a
  // key put then deleted in one batch is erased again).
  struct Updater : WriteBatch::Handler {
    RowCache* cache;
    uint64_t seq;
    bool published;
    void Put(std::string_view key, std::string_view value) override {
      if (published) {
        cache->Insert(key, value, seq, RowCache::Admit::kIfRoom);
      } else {
        cache->Erase(key, seq);
      }
    }
    void Delete(std::string_view key) override { cache->Erase(key, seq); }
  } updater;
  updater.cache = row_cache_.get();
  updater.seq = last_seq;
  updater.published = published;
  (void)batch.Iterate(&updater);  // the batch was just applied: well formed
}

void DBImpl::Prefetch(const std::string_view* keys, size_t n) {
  if (row_cache_ != nullptr) row_cache_->Prefetch(keys, n);
  uint64_t sequence;
  SuperVersion* sv = RefSuperVersion(ReadOptions(), &sequence);
  for (size_t i = 0; i < n; i++) sv->mem->Prefetch(keys[i]);
  sv->Unref();
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  // A row-cache entry is the key's newest value (row_cache.h), good for a read of now.
  const bool use_rows =
      row_cache_ != nullptr && options.snapshot == nullptr && !options.tables_only;
  if (use_rows && row_cache_->Get(key, value)) return Status::OK();
  uint64_t sequence;
  SuperVersion* sv = RefSuperVersion(options, &sequence);
  LookupKey lkey(key, sequence);
  MemTable::GetResult r = MemTable::GetResult::kNotPresent;
  if (!options.tables_only) {
    r = sv->mem->Get(lkey, value);
    for (size_t i = 0; r == MemTable::GetResult::kNotPresent && i < sv->imm.size(); i++) {
      r = sv->imm[i]->Get(lkey, value);
    }
  }
  Status s;
  if (r == MemTable::GetResult::kNotPresent) {
    // A tables-only read comes from a compaction filter, not a reader: it pays for nothing.
    if (!options.tables_only && sv->current->ChargeRead(Version::kGetReadCost)) {
      WakeCompaction();
    }
    Version::GetResult vr;
    s = sv->current->Get(options, lkey, value, &vr);
    if (vr == Version::GetResult::kFound) {
      r = MemTable::GetResult::kFound;
      if (use_rows && options.fill_row_cache) row_cache_->Insert(key, *value, sequence);
    }
  }
  sv->Unref();
  if (!s.ok()) return s;
  if (r == MemTable::GetResult::kFound) return Status::OK();
  return Status::NotFound(std::string_view());
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  uint64_t sequence;
  SuperVersion* sv = RefSuperVersion(options, &sequence);
  std::vector<std::unique_ptr<Iterator>> children;
  children.reserve(2 + sv->imm.size() + sv->current->NumFiles(0) + kNumLevels);
  children.push_back(sv->mem->NewIterator());
  for (MemTable* m : sv->imm) children.push_back(m->NewIterator());
  sv->current->AddIterators(options, &children);
  if (sv->current->ChargeRead(Version::kIteratorReadCost)) WakeCompaction();
  auto internal = NewMergingIterator(InternalKeyComparator(), std::move(children));
  return NewDBIterator(std::move(internal), sequence, [sv] { sv->Unref(); });
}

void DBImpl::WakeCompaction() {
  // Under the mutex: a compaction thread checks ReadCompactionDue and waits while holding it,
  // so this notify cannot fall between its check and its wait.
  std::lock_guard<std::mutex> l(mutex_);
  bg_cv_.notify_all();
}

const Snapshot* DBImpl::GetSnapshot() {
  std::lock_guard<std::mutex> l(mutex_);
  return snapshots_.New(last_sequence_.load(std::memory_order_relaxed));
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  std::lock_guard<std::mutex> l(mutex_);
  snapshots_.Delete(static_cast<const SnapshotImpl*>(snapshot));
}

// ---------------------------------------------------------------------------------------
// Flush and compaction
// ---------------------------------------------------------------------------------------

uint64_t DBImpl::SmallestSnapshot() const {
  return snapshots_.empty() ? last_sequence_.load(std::memory_order_relaxed)
                            : snapshots_.OldestSequence();
}

Status DBImpl::FlushMemTable(bool wait) {
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  // Switching the memtable needs the log owner's rights: queue for them.
  Writer w(nullptr, WriteOptions(), Writer::Kind::kSwitchMemTable);
  EnqueueWriter(&w);
  w.cv.wait(l, [&] { return writers_head_ == &w; });
  Status s = MakeRoomForWrite(l, /*force=*/true);
  const uint64_t target = next_imm_id_ - 1;  // every memtable switched out so far
  FinishGroup(&w, &w, s);
  if (!s.ok() || !wait) return s;
  bg_done_cv_.wait(
      l, [&] { return flushed_imm_id_ >= target || !bg_error_.ok() || bg_shutting_down_; });
  if (flushed_imm_id_ >= target) return Status::OK();
  if (!bg_error_.ok()) return bg_error_;
  return Status::IOError(dir_, "store is shutting down");
}

Status DBImpl::CompactAll() {
  Status s = FlushMemTable(/*wait=*/true);
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> l(mutex_);
  ManualCompaction manual;
  bg_done_cv_.wait(l, [&] { return manual_ == nullptr || bg_shutting_down_; });
  if (bg_shutting_down_) return Status::IOError(dir_, "store is shutting down");
  manual_ = &manual;
  bg_cv_.notify_all();
  bg_done_cv_.wait(l, [&] { return manual.done || !bg_error_.ok() || bg_shutting_down_; });
  // A compaction thread may still run it (after an error elsewhere): wait for the end.
  if (manual.started && !manual.done) {
    bg_done_cv_.wait(l, [&] { return manual.done; });
  }
  manual_ = nullptr;
  bg_cv_.notify_all();       // automatic compactions may start again
  bg_done_cv_.notify_all();  // another CompactAll may go
  if (!manual.done) {
    return bg_error_.ok() ? Status::IOError(dir_, "store is shutting down") : bg_error_;
  }
  return manual.status.ok() ? bg_error_ : manual.status;
}

void DBImpl::FlushLoop() {
  std::unique_lock<std::mutex> l(mutex_);
  while (true) {
    // Also wakes when a reader lets go of the last reference to an old Version (its files
    // may now be obsolete: SuperVersionFreed), and once a second in case that notify fell
    // between this check and the wait.
    bg_cv_.wait_for(l, std::chrono::seconds(1), [&] {
      return bg_shutting_down_ || (!imm_.empty() && bg_error_.ok()) ||
             versions_->VersionDroppedPending();
    });
    if (bg_shutting_down_) break;
    if (imm_.empty() || !bg_error_.ok()) {
      if (versions_->TakeVersionDropped()) DeleteObsoleteFiles(l);
      if (bg_error_.ok()) MaybeMergeIdleMemTable(l);
      continue;
    }
    flush_running_ = true;
    Status s = FlushOldestMemTable(l);
    flush_running_ = false;
    if (!s.ok() && !bg_cancel_.load(std::memory_order_relaxed)) RecordBackgroundError(s);
    bg_done_cv_.notify_all();
    bg_cv_.notify_all();  // compactions may be due
  }
}

namespace {
// A memtable that took no write for this long is taken to be in a read-only phase.
constexpr uint64_t kMemTableIdleMicros = 1000000;
}  // namespace

void DBImpl::MaybeMergeIdleMemTable(std::unique_lock<std::mutex>& lock) {
  const uint64_t seq = LastSequence();
  const uint64_t now = env_->NowMicros();
  if (seq != idle_sequence_) {
    idle_sequence_ = seq;
    idle_since_micros_ = now;
    return;
  }
  if (now - idle_since_micros_ < kMemTableIdleMicros) return;
  // MergeRuns returns at once when the merged run is current, so repeating this each wake-up
  // of an idle DB costs one memtable snapshot.
  MemTable* mem = mem_;
  mem->Ref();
  lock.unlock();
  const bool merged = mem->MergeRuns();
  lock.lock();
  mem->Unref();
  if (merged) stats_.memtable_merges++;
}

Status DBImpl::FlushOldestMemTable(std::unique_lock<std::mutex>& lock) {
  const Imm imm = imm_.front();
  const uint64_t number = versions_->NewFileNumber();
  pending_outputs_.insert(number);
  Version* base = versions_->current();
  base->Ref();
  const uint64_t smallest_snapshot = SmallestSnapshot();
  lock.unlock();

  const uint64_t start = env_->NowMicros();
  FlushResult result;
  Status s;
  {
    std::unique_ptr<Iterator> iter = imm.mem->NewIterator();
    s = BuildTable(dir_, options_, table_cache_.get(), iter.get(), number, smallest_snapshot, base,
                   &bg_cancel_, &result);
  }
  base->Unref();
  lock.lock();

  if (s.ok()) {
    // The next memtable's first WAL: every older WAL is now covered by tables.
    VersionEdit edit;
    if (result.meta.file_size > 0) edit.AddFile(0, result.meta);
    edit.SetLogNumber(imm_.size() > 1 ? imm_[1].log_number : mem_log_number_);
    edit.SetLastSequence(imm.last_sequence);
    s = versions_->LogAndApply(&edit, &lock);
  }
  pending_outputs_.erase(number);
  if (!s.ok()) return s;

  imm_.pop_front();
  imm.mem->Unref();
  flushed_imm_id_ = imm.id;
  InstallSuperVersion();
  stats_.flushes++;
  stats_.flush_bytes += result.meta.file_size;
  stats_.flush_micros += env_->NowMicros() - start;
  stats_.filtered_entries += result.stats.filter_dropped + result.stats.filter_to_tombstone;
  Log(LogLevel::kDebug, "flushed memtable " + NumberToString(imm.id) + " to table " +
                            NumberToString(number) + ": " +
                            NumberToString(result.stats.output_entries) + " of " +
                            NumberToString(result.stats.input_entries) + " entries, " +
                            NumberToString(result.meta.file_size) + " bytes");
  DeleteObsoleteFiles(lock);
  return Status::OK();
}

void DBImpl::CompactionLoop() {
  std::unique_lock<std::mutex> l(mutex_);
  while (!bg_shutting_down_) {
    std::unique_ptr<Compaction> c;
    ManualCompaction* manual = nullptr;
    if (bg_error_.ok()) {
      if (manual_ != nullptr) {
        // A CompactAll: once the running compactions are done, it takes every file.
        // Meanwhile nothing new starts.
        if (!manual_->started && compactions_running_ == 0) {
          manual = manual_;
          manual->started = true;
          c = PickFullCompaction(versions_.get());
          if (c == nullptr) {  // no tables at all
            manual->done = true;
            bg_done_cv_.notify_all();
            continue;
          }
        }
      } else {
        c = PickCompaction(versions_.get());
      }
    }
    if (c == nullptr) {
      bg_cv_.wait(l);
      continue;
    }
    c->MarkInputs(true);
    compactions_running_++;
    Status s = RunCompaction(c.get(), l);
    c->MarkInputs(false);
    compactions_running_--;
    if (!s.ok() && !bg_cancel_.load(std::memory_order_relaxed)) RecordBackgroundError(s);
    c.reset();  // unpins the input version: the inputs may now be obsolete
    if (s.ok()) DeleteObsoleteFiles(l);
    if (manual != nullptr) {
      manual->status = s;
      manual->done = true;
    }
    bg_done_cv_.notify_all();  // stalled writers, CompactAll
    bg_cv_.notify_all();       // the other compaction threads may find work now
  }
}

Status DBImpl::RunCompaction(Compaction* c, std::unique_lock<std::mutex>& lock) {
  Status s;
  if (c->IsTrivialMove()) {
    // One file, nothing below it to merge with: move it by an edit alone.
    const int level = c->start_level();
    const FileMetaData f = *c->inputs(level)[0];
    c->edit()->RemoveFile(level, f.number);
    c->edit()->AddFile(level + 1, f);
    s = versions_->LogAndApply(c->edit(), &lock);
    if (s.ok()) stats_.trivial_moves++;
  } else {
    const uint64_t smallest_snapshot = SmallestSnapshot();
    CompactionJob job(
        dir_, options_, versions_.get(), c, smallest_snapshot,
        [this] {
          std::lock_guard<std::mutex> l(mutex_);
          const uint64_t n = versions_->NewFileNumber();
          pending_outputs_.insert(n);
          return n;
        },
        &bg_cancel_);
    lock.unlock();
    s = job.Run();
    lock.lock();
    if (s.ok()) {
      job.AddToEdit();
      s = versions_->LogAndApply(c->edit(), &lock);
    }
    for (uint64_t n : job.allocated_numbers()) pending_outputs_.erase(n);
    if (s.ok()) {
      const CompactionJob::Stats& st = job.stats();
      stats_.compactions++;
      stats_.compaction_bytes_read += st.bytes_read;
      stats_.compaction_bytes_written += st.bytes_written;
      stats_.compaction_micros += st.micros;
      stats_.filtered_entries += st.entries.filter_dropped + st.entries.filter_to_tombstone;
      Log(LogLevel::kDebug, c->Summary() + " -> " + NumberToString(job.outputs().size()) +
                                " files, " + NumberToString(st.bytes_written) + " bytes, " +
                                NumberToString(st.entries.output_entries) + " of " +
                                NumberToString(st.entries.input_entries) + " entries kept");
    }
  }
  if (s.ok() && c->read_triggered()) stats_.read_compactions++;
  if (s.ok()) InstallSuperVersion();
  return s;
}

void DBImpl::DeleteObsoleteFiles(std::unique_lock<std::mutex>& lock) {
  // After a failed MANIFEST write the MANIFEST may still name files we would think obsolete
  // (RocksDB#5379): delete nothing until the next open sorts it out.
  if (!bg_error_.ok()) return;
  (void)versions_->TakeVersionDropped();  // this pass sees every Version dropped so far
  std::set<uint64_t> live = pending_outputs_;
  versions_->AddLiveFiles(&live);
  const uint64_t log_number = versions_->LogNumber();
  const uint64_t manifest_number = versions_->ManifestFileNumber();
  std::vector<std::string> children;
  if (!env_->GetChildren(dir_, &children).ok()) return;
  std::vector<std::string> doomed;
  std::vector<uint64_t> doomed_tables;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case FileType::kLogFile:
        keep = number >= log_number;
        break;
      case FileType::kDescriptorFile:
        keep = number >= manifest_number;  // a newer one may be being written
        break;
      case FileType::kTableFile:
        keep = live.count(number) != 0;
        if (!keep) doomed_tables.push_back(number);
        break;
      case FileType::kTempFile:  // only a crash leaves these: Recover removes them
      case FileType::kCurrentFile:
      case FileType::kLockFile:
        break;
    }
    if (!keep) doomed.push_back(name);
  }
  std::erase_if(live_logs_, [&](uint64_t n) { return n < log_number; });
  if (doomed.empty()) return;
  lock.unlock();
  for (uint64_t n : doomed_tables) table_cache_->Evict(n);
  uint64_t deleted = 0;
  for (const std::string& name : doomed) {
    if (env_->RemoveFile(dir_ + "/" + name).ok()) deleted++;
  }
  lock.lock();
  stats_.obsolete_files_deleted += deleted;
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

bool DBImpl::GetProperty(std::string_view property, std::string* value) {
  value->clear();
  std::lock_guard<std::mutex> l(mutex_);
  if (property == "strata.memtable-bytes") {
    size_t bytes = mem_->ApproximateMemoryUsage();
    for (const Imm& m : imm_) bytes += m.mem->ApproximateMemoryUsage();
    *value = NumberToString(bytes);
    return true;
  }
  if (property == "strata.approximate-keys") {
    // Every version and tombstone in memory, plus the live entries of the tables: an
    // estimate of the number of keys, exact only after a full compaction.
    uint64_t entries = mem_->NumEntries();
    for (const Imm& m : imm_) entries += m.mem->NumEntries();
    const Version* v = versions_->current();
    for (int level = 0; level < kNumLevels; level++) {
      for (const FilePtr& f : v->files(level)) {
        entries += f->num_entries - std::min(f->num_entries, 2 * f->num_deletions);
      }
    }
    *value = NumberToString(entries);
    return true;
  }
  if (property == "strata.wal-damage-skipped") {
    *value = NumberToString(wal_damage_skipped_);
    return true;
  }
  constexpr std::string_view kFilesAtLevel = "strata.num-files-at-level";
  if (property.starts_with(kFilesAtLevel)) {
    std::string_view level = property.substr(kFilesAtLevel.size());
    if (level.size() != 1 || level[0] < '0' || level[0] >= '0' + kNumLevels) return false;
    *value = NumberToString(versions_->current()->NumFiles(level[0] - '0'));
    return true;
  }
  if (property != "strata.info") return false;
  AppendInfo(value);
  return true;
}

void DBImpl::AppendInfo(std::string* value) {
  std::string error(bg_error_.ok() ? "ok" : bg_error_.ToString());
  std::replace_if(
      error.begin(), error.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  const char* mode = options_.sync_mode == SyncMode::kAlways     ? "always"
                     : options_.sync_mode == SyncMode::kEverySec ? "everysec"
                                                                 : "no";
  auto line = [value](std::string_view name, const std::string& v) {
    value->append(name).append(":").append(v).append("\r\n");
  };
  auto num = [&line](std::string_view name, uint64_t v) { line(name, NumberToString(v)); };
  auto ratio = [&line](std::string_view name, double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", v);
    line(name, buf);
  };

  const Version* v = versions_->current();
  uint64_t table_bytes = 0;
  int table_files = 0;
  for (int level = 0; level < kNumLevels; level++) {
    const std::string l = "level" + std::to_string(level);
    num(l + "_files", v->NumFiles(level));
    num(l + "_bytes", v->NumBytes(level));
    table_files += v->NumFiles(level);
    table_bytes += v->NumBytes(level);
  }
  num("table_files", table_files);
  num("table_bytes", table_bytes);
  // Bytes compaction still has to move to bring every level within its limit: all of L0
  // once it reaches its trigger, and each deeper level's excess.
  uint64_t pending = 0;
  if (v->NumFiles(0) >= options_.level0_compaction_trigger) pending += v->NumBytes(0);
  for (int level = 1; level < kNumLevels - 1; level++) {
    const uint64_t limit = MaxBytesForLevel(options_, level);
    if (v->NumBytes(level) > limit) pending += v->NumBytes(level) - limit;
  }
  num("pending_compaction_bytes", pending);
  num("compactions_running", compactions_running_);

  size_t imm_bytes = 0;
  uint64_t imm_entries = 0;
  for (const Imm& m : imm_) {
    imm_bytes += m.mem->ApproximateMemoryUsage();
    imm_entries += m.mem->NumEntries();
  }
  num("memtable_bytes", mem_->ApproximateMemoryUsage());
  num("memtable_entries", mem_->NumEntries());
  num("immutable_memtables", imm_.size());
  num("immutable_bytes", imm_bytes);
  num("immutable_entries", imm_entries);

  const uint64_t hits = block_cache_->hits(), misses = block_cache_->misses();
  num("block_cache_usage", block_cache_->TotalCharge());
  num("block_cache_capacity", block_cache_->Capacity());
  ratio("block_cache_hit_ratio",
        hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses));
  if (row_cache_ != nullptr) {
    const uint64_t row_hits = row_cache_->hits(), row_misses = row_cache_->misses();
    num("row_cache_usage", row_cache_->usage());
    num("row_cache_capacity", row_cache_->capacity());
    ratio("row_cache_hit_ratio",
          row_hits + row_misses == 0
              ? 0.0
              : static_cast<double>(row_hits) / static_cast<double>(row_hits + row_misses));
  }
  num("bloom_useful", table_cache_->bloom_useful());
  num("bloom_false_positive", table_cache_->bloom_false_positive());

  num("flushes", stats_.flushes);
  num("flush_bytes_written", stats_.flush_bytes);
  num("flush_micros", stats_.flush_micros);
  num("compactions", stats_.compactions);
  num("trivial_moves", stats_.trivial_moves);
  num("read_compactions", stats_.read_compactions);
  num("memtable_merges", stats_.memtable_merges);
  num("compaction_bytes_read", stats_.compaction_bytes_read);
  num("compaction_bytes_written", stats_.compaction_bytes_written);
  num("compaction_micros", stats_.compaction_micros);
  num("compaction_filtered_entries", stats_.filtered_entries);
  num("user_bytes_written", stats_.user_bytes);
  // Table bytes written (flushes and compactions; the WAL excluded) per byte written by users.
  ratio("write_amplification",
        stats_.user_bytes == 0
            ? 0.0
            : static_cast<double>(stats_.flush_bytes + stats_.compaction_bytes_written) /
                  static_cast<double>(stats_.user_bytes));
  num("stall_slowdown_count", stats_.stall_slowdowns);
  num("stall_stop_count", stats_.stall_stops);
  num("stall_micros", stats_.stall_micros);
  num("obsolete_files_deleted", stats_.obsolete_files_deleted);
  num("background_error_resumes", stats_.resumes);
  num("background_error_resume_failures", stats_.resume_failures);

  num("wal_file_number", logfile_number_);
  num("wal_files", live_logs_.size());
  num("wal_bytes", wal_bytes_);
  num("wal_bytes_written", stats_.wal_bytes_closed + wal_bytes_);  // since open, every WAL
  num("wal_buffered", wal_unflushed_ ? 1 : 0);
  num("wal_writes", stats_.wal_writes);
  num("wal_switches", stats_.wal_switches);
  line("wal_sync_mode", mode);
  num("wal_syncs", stats_.wal_syncs);
  num("wal_sync_micros", stats_.wal_sync_micros);
  num("manifest_file_number", versions_->ManifestFileNumber());
  num("last_sequence", last_sequence_.load(std::memory_order_relaxed));
  num("durable_sequence", durable_sequence_.load(std::memory_order_relaxed));
  num("flushed_sequence", versions_->LastSequence());
  num("write_batches", stats_.batches);
  num("write_fast_path", stats_.fast_path);
  num("write_groups", stats_.groups);
  num("write_grouped_batches", stats_.grouped);
  num("sync_callbacks_pending", sync_callbacks_.size());
  num("sync_callbacks_run", stats_.callbacks_run);
  num("snapshots", snapshots_.size());
  num("recovered_wal_records", stats_.recovered_records);
  num("recovery_dropped_torn_bytes", stats_.dropped_torn_bytes);
  num("recovery_skipped_corrupt_bytes", stats_.skipped_corrupt_bytes);
  line("background_error", error);
}

void DBImpl::Log(LogLevel level, const std::string& message) const {
  if (options_.info_log) options_.info_log(level, message);
}

}  // namespace strata::store
