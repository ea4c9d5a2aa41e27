#include "store/db_impl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "store/db_iter.h"
#include "store/dbformat.h"
#include "store/filename.h"
#include "store/log_reader.h"
#include "store/memtable.h"
#include "store/merger.h"
#include "store/write_batch_internal.h"

namespace strata::store {

namespace {

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
  return o;
}

std::string NumberToString(uint64_t n) { return std::to_string(n); }

}  // namespace

// A caller of Write (batch != nullptr) or a WAL flush request (batch == nullptr), queued in
// writers_. Lives on its thread's stack.
struct DBImpl::Writer {
  Writer(WriteBatch* b, const WriteOptions& o)
      : batch(b), sync(o.sync), buffer_wal(o.buffer_wal && !o.sync) {}

  WriteBatch* const batch;
  const bool sync;
  const bool buffer_wal;
  bool done = false;       // GUARDED_BY(mutex_): a leader completed this writer
  Status status;           // GUARDED_BY(mutex_): its result, when done
  uint64_t sequence = 0;   // GUARDED_BY(mutex_): its batch's last sequence, when done
  Writer* next = nullptr;  // GUARDED_BY(mutex_)
  std::condition_variable cv;
};

// What a reader needs, pinned together: the memtables (and, in the LSM step, the current
// Version). Immutable once installed; reference counted so that readers and iterators can
// use it with mutex_ released.
struct DBImpl::SuperVersion {
  SuperVersion(MemTable* m, const std::vector<MemTable*>& imm_oldest_first) : mem(m) {
    mem->Ref();
    imm.assign(imm_oldest_first.rbegin(), imm_oldest_first.rend());
    for (MemTable* t : imm) t->Ref();
  }
  ~SuperVersion() {
    mem->Unref();
    for (MemTable* t : imm) t->Unref();
  }
  void Ref() { refs.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  std::atomic<int> refs{1};
  MemTable* const mem;
  std::vector<MemTable*> imm;  // newest first: the order reads consult them
  // LSM step: Version* current;
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
    : env_(SanitizeOptions(options).env), options_(SanitizeOptions(options)), dir_(dir) {
  std::lock_guard<std::mutex> l(mutex_);
  mem_ = new MemTable();
  mem_->Ref();
  InstallSuperVersion();
}

DBImpl::~DBImpl() {
  // The syncer does the final flush + fdatasync of the WAL (even in kNo: "synced at close"),
  // runs the callbacks it covers, fails the rest, and exits.
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
  if (mem_ != nullptr) mem_->Unref();
  for (MemTable* m : imm_) m->Unref();
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

  // LSM step: read CURRENT -> MANIFEST into a VersionSet here, and replay only the WALs at
  // or after its log number. Until then a CURRENT file means tables this build cannot read.
  if (env_->FileExists(CurrentFileName(dir_))) {
    return Status::NotSupported(dir_, "holds table files, which this build cannot read yet");
  }

  std::vector<std::string> children;
  s = env_->GetChildren(dir_, &children);
  if (!s.ok()) return s;
  std::vector<uint64_t> logs;
  uint64_t max_number = 0;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    max_number = std::max(max_number, number);
    if (type == FileType::kLogFile) logs.push_back(number);
    if (type == FileType::kTempFile) env_->RemoveFile(dir_ + "/" + name);  // a crashed rewrite
  }
  std::sort(logs.begin(), logs.end());
  next_file_number_ = max_number + 1;

  uint64_t max_sequence = 0;
  for (size_t i = 0; i < logs.size(); i++) {
    s = RecoverLogFile(logs[i], i + 1 == logs.size(), &max_sequence);
    if (!s.ok()) return s;
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

  // Start a new WAL. LSM step: flush the recovered memtable to L0 first, then the old WALs
  // can go.
  const uint64_t number = next_file_number_++;
  std::shared_ptr<WritableFile> file;
  s = NewLogFile(number, &file);
  if (!s.ok()) return s;
  logfile_ = std::move(file);
  log_ = std::make_unique<log::Writer>(logfile_.get());
  logfile_number_ = number;
  live_logs_.push_back(number);
  // Old WALs that hold nothing (a session without writes) are not needed any more, now that
  // the new WAL is durable. A removal lost in a crash only brings back an empty file.
  std::erase_if(live_logs_, [this, number](uint64_t n) {
    uint64_t size = 1;
    if (n == number || !env_->GetFileSize(LogFileName(dir_, n), &size).ok() || size != 0) {
      return false;
    }
    return env_->RemoveFile(LogFileName(dir_, n)).ok();
  });
  wal_bytes_ = 0;
  wal_flushed_seq_ = max_sequence;
  durable_sequence_.store(max_sequence, std::memory_order_release);
  InstallSuperVersion();

  syncer_ = std::thread([this] { SyncerLoop(); });
  if (!logs.empty()) {
    Log(LogLevel::kInfo, "recovered " + NumberToString(stats_.recovered_records) +
                             " WAL records from " + NumberToString(logs.size()) +
                             " file(s); last sequence " + NumberToString(max_sequence));
  }
  return Status::OK();
}

Status DBImpl::NewLogFile(uint64_t number, std::shared_ptr<WritableFile>* file) {
  std::unique_ptr<WritableFile> f;
  Status s = env_->NewWritableFile(LogFileName(dir_, number), &f);
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

Status DBImpl::RecoverLogFile(uint64_t number, bool last_log, uint64_t* max_sequence) {
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
    s = WriteBatchInternal::InsertInto(&batch, mem_);
    if (!s.ok()) {
      reporter.Corruption(reader.LastRecordOffset(), record.size(), s);
      if (stop_for_damage()) return reporter.first;
      continue;
    }
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (count > 0) *max_sequence = std::max(*max_sequence, first_seq + count - 1);
    stats_.recovered_records++;
  }
  if (!reader.status().ok()) return reader.status();
  // Damage after the last good record (e.g. a bad checksum in the final block).
  if (stop_for_damage()) return reporter.first;
  stats_.skipped_corrupt_bytes += reporter.dropped_bytes;

  if (reader.torn_tail()) {
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
  const std::string tmp = TempFileName(dir_, next_file_number_++);
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

  if (writers_head_ == nullptr && options.buffer_wal && !options.sync &&
      WriteBatchInternal::ByteSize(batch) <= kFastPathMaxBytes &&
      mem_->ApproximateMemoryUsage() < options_.memtable_size) {
    // Fast path: nobody else owns the log, so holding mutex_ makes us the owner. The record
    // only goes into the WAL's user-space buffer (a write(2) happens only if it fills).
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
    last_sequence_.store(seq + WriteBatchInternal::Count(batch) - 1, std::memory_order_release);
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
    if (status.ok()) status = MakeRoomForWrite(lock);
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
      lock.lock();
      wal_bytes_ = log_->FileSize();
      if (group == &group_batch_) group_batch_.Clear();
      if (status.ok()) {
        last_sequence_.store(last_seq, std::memory_order_release);
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

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock) {
  if (mem_->ApproximateMemoryUsage() < options_.memtable_size) return Status::OK();
  // LSM step: stall here (gradually, then fully) when imm_ reaches max_immutable_memtables
  // or L0 reaches its triggers, and schedule a flush of imm_. Until then full memtables stay
  // in memory and writers never wait.

  const uint64_t number = next_file_number_++;
  std::shared_ptr<WritableFile> old_file = logfile_;
  lock.unlock();
  // Every record in the old WAL becomes durable before it stops being the live one: then the
  // syncer only ever needs the live WAL, and kNo keeps its promise to sync at a switch.
  Status s = old_file->Sync();
  std::shared_ptr<WritableFile> new_file;
  if (s.ok()) s = NewLogFile(number, &new_file);
  lock.lock();
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
  wal_bytes_ = 0;
  stats_.wal_switches++;

  imm_.push_back(mem_);
  mem_ = new MemTable();
  mem_->Ref();
  InstallSuperVersion();
  // durable_sequence_ moved: waiting callbacks and sync writers may be covered now.
  durable_cv_.notify_all();
  syncer_cv_.notify_one();
  return Status::OK();
}

void DBImpl::RecordBackgroundError(const Status& s) {
  if (!bg_error_.ok()) return;
  bg_error_ = s;
  Log(LogLevel::kError, "write error; the store refuses writes until reopened: " + s.ToString());
  durable_cv_.notify_all();
  syncer_cv_.notify_one();
}

Status DBImpl::BackgroundError() const {
  std::lock_guard<std::mutex> l(mutex_);
  return bg_error_;
}

Status DBImpl::FlushWAL() {
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  if (!wal_unflushed_) return Status::OK();
  return FlushWALLocked(l);
}

Status DBImpl::FlushWALLocked(std::unique_lock<std::mutex>& lock) {
  Writer w(nullptr, WriteOptions());
  EnqueueWriter(&w);
  w.cv.wait(lock, [&] { return writers_head_ == &w; });
  Status s = bg_error_;
  if (s.ok() && wal_unflushed_) {
    const uint64_t seq = last_sequence_.load(std::memory_order_relaxed);
    lock.unlock();
    s = logfile_->Flush();
    lock.lock();
    if (s.ok()) {
      wal_flushed_seq_ = seq;
      wal_unflushed_ = false;
      stats_.wal_writes++;
    } else {
      RecordBackgroundError(s);
    }
  }
  FinishGroup(&w, &w, s);
  return s;
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

Status DBImpl::SyncWAL() {
  std::unique_lock<std::mutex> l(mutex_);
  if (!bg_error_.ok()) return bg_error_;
  return WaitForDurable(last_sequence_.load(std::memory_order_relaxed), l);
}

Status DBImpl::WaitForDurable(uint64_t seq, std::unique_lock<std::mutex>& lock) {
  if (seq <= durable_sequence_.load(std::memory_order_relaxed)) return Status::OK();
  sync_wanted_ = std::max(sync_wanted_, seq);
  syncer_cv_.notify_one();
  durable_cv_.wait(lock, [&] {
    return seq <= durable_sequence_.load(std::memory_order_relaxed) || !bg_error_.ok() ||
           syncer_done_;
  });
  if (seq <= durable_sequence_.load(std::memory_order_relaxed)) return Status::OK();
  if (!bg_error_.ok()) return bg_error_;
  return Status::IOError(dir_, "store is shutting down");
}

Status DBImpl::SyncOnce(std::unique_lock<std::mutex>& lock) {
  if (wal_unflushed_) {
    Status s = FlushWALLocked(lock);
    if (!s.ok()) return s;
  }
  const uint64_t target = wal_flushed_seq_;
  if (target <= durable_sequence_.load(std::memory_order_relaxed)) return Status::OK();
  std::shared_ptr<WritableFile> file = logfile_;
  lock.unlock();
  const uint64_t start = env_->NowMicros();
  Status s = file->SyncFlushed();
  const uint64_t micros = env_->NowMicros() - start;
  file.reset();  // may close a WAL that was switched out meanwhile (it was synced whole)
  lock.lock();
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
  auto* sv = new SuperVersion(mem_, imm_);
  if (super_version_ != nullptr) super_version_->Unref();
  super_version_ = sv;
}

DBImpl::SuperVersion* DBImpl::RefSuperVersion(const ReadOptions& options, uint64_t* sequence) {
  std::lock_guard<std::mutex> l(mutex_);
  *sequence = options.snapshot != nullptr ? options.snapshot->sequence()
                                          : last_sequence_.load(std::memory_order_relaxed);
  super_version_->Ref();
  return super_version_;
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  uint64_t sequence;
  SuperVersion* sv = RefSuperVersion(options, &sequence);
  LookupKey lkey(key, sequence);
  MemTable::GetResult r = sv->mem->Get(lkey, value);
  for (size_t i = 0; r == MemTable::GetResult::kNotPresent && i < sv->imm.size(); i++) {
    r = sv->imm[i]->Get(lkey, value);
  }
  // LSM step: if still kNotPresent, ask sv->current (L0 newest first, then one file per level).
  sv->Unref();
  if (r == MemTable::GetResult::kFound) return Status::OK();
  return Status::NotFound(std::string_view());
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  uint64_t sequence;
  SuperVersion* sv = RefSuperVersion(options, &sequence);
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(sv->mem->NewIterator());
  for (MemTable* m : sv->imm) children.push_back(m->NewIterator());
  // LSM step: add sv->current's iterators (each L0 file, then one concatenating per level).
  auto internal = NewMergingIterator(InternalKeyComparator(), std::move(children));
  return NewDBIterator(std::move(internal), sequence, [sv] { sv->Unref(); });
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
// Maintenance and properties
// ---------------------------------------------------------------------------------------

Status DBImpl::FlushMemTable(bool /*wait*/) {
  // LSM step: switch the memtable and write it to an L0 table. Until then "flush" means
  // making everything written so far durable in the WAL.
  return SyncWAL();
}

Status DBImpl::CompactAll() {
  // LSM step: compact every level down. There are no tables yet, so nothing to do.
  return Status::OK();
}

bool DBImpl::GetProperty(std::string_view property, std::string* value) {
  value->clear();
  std::lock_guard<std::mutex> l(mutex_);
  size_t mem_bytes = mem_->ApproximateMemoryUsage();
  size_t imm_bytes = 0;
  uint64_t entries = mem_->NumEntries();
  for (MemTable* m : imm_) {
    imm_bytes += m->ApproximateMemoryUsage();
    entries += m->NumEntries();
  }
  if (property == "strata.memtable-bytes") {
    *value = NumberToString(mem_bytes + imm_bytes);
    return true;
  }
  if (property == "strata.approximate-keys") {
    *value = NumberToString(entries);
    return true;
  }
  constexpr std::string_view kFilesAtLevel = "strata.num-files-at-level";
  if (property.starts_with(kFilesAtLevel)) {
    std::string_view level = property.substr(kFilesAtLevel.size());
    if (level.size() != 1 || level[0] < '0' || level[0] > '6') return false;
    *value = "0";  // LSM step: the Version's file counts
    return true;
  }
  if (property != "strata.info") return false;

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
  num("memtable_bytes", mem_bytes);
  num("memtable_entries", mem_->NumEntries());
  num("immutable_memtables", imm_.size());
  num("immutable_memtable_bytes", imm_bytes);
  num("approximate_keys", entries);
  num("wal_file_number", logfile_number_);
  num("wal_files", live_logs_.size());
  num("wal_bytes", wal_bytes_);
  num("wal_buffered", wal_unflushed_ ? 1 : 0);
  num("wal_writes", stats_.wal_writes);
  num("wal_switches", stats_.wal_switches);
  line("wal_sync_mode", mode);
  num("wal_syncs", stats_.wal_syncs);
  num("wal_sync_micros", stats_.wal_sync_micros);
  num("last_sequence", last_sequence_.load(std::memory_order_relaxed));
  num("durable_sequence", durable_sequence_.load(std::memory_order_relaxed));
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
  num("stall_slowdowns", 0);  // LSM step
  num("stall_stops", 0);      // LSM step
  line("background_error", error);
  return true;
}

void DBImpl::Log(LogLevel level, const std::string& message) const {
  if (options_.info_log) options_.info_log(level, message);
}

}  // namespace strata::store
