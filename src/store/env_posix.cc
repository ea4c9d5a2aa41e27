// The POSIX Env (Env::Default). Files are created 0600 and directories 0700: a data directory
// holds the whole keyspace, so only its owner may read it. Every descriptor is O_CLOEXEC.
//
// WritableFile keeps a 64 KiB user-space buffer: Append copies into it (writing it out when
// it fills), Flush writes it with one write(2), Sync flushes and fdatasyncs. SyncFlushed is
// fdatasync alone and touches only the descriptor, so the WAL syncer may call it while the
// writer keeps appending. The WAL's file (NewAppendOnlyFile) appends through a memory mapping
// instead: PosixMappedFile. NewMappedReadableFile (tables, with Options::mmap_reads) maps the
// whole file read-only: PosixMappedReadableFile.
//
// LockFile uses fcntl(F_SETLK) record locks. Those are per process: a second lock attempt
// from the same process would succeed, and closing *any* descriptor of the file drops the
// lock. So the Env also remembers which files this process has locked (locked_files_) and
// refuses a second lock on one itself.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <new>
#include <set>
#include <thread>

#include "store/env.h"

namespace strata::store {
namespace {

constexpr size_t kWritableBufferSize = 65536;

Status PosixError(const std::string& context, int err) {
  if (err == ENOENT) return Status::NotFound(context, std::strerror(err));
  return Status::IOError(context, std::strerror(err));
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  // Reads until n bytes or the end of the file, so a short result always means EOF.
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, scratch + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = {};
        return PosixError(fname_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1)) {
      return PosixError(fname_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string fname_;
  const int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = {};
        return PosixError(fname_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

 private:
  const std::string fname_;
  const int fd_;
};

// NewMappedReadableFile (env.h): the whole file mapped read-only at open. Reads are views
// into the mapping, clipped to the size the file had at open (a read past it is short, as
// with pread). The mapping lives as long as this object, and the views with it.
class PosixMappedReadableFile final : public RandomAccessFile {
 public:
  PosixMappedReadableFile(const char* base, size_t size) : base_(base), size_(size) {}
  ~PosixMappedReadableFile() override {
    if (size_ > 0) ::munmap(const_cast<char*>(base_), size_);
  }

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* /*scratch*/) const override {
    if (offset >= size_) {
      *result = {};
      return Status::OK();
    }
    *result = std::string_view(base_ + offset, std::min<uint64_t>(n, size_ - offset));
    return Status::OK();
  }
  bool Mapped() const override { return true; }

 private:
  const char* const base_;
  const size_t size_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string fname, int fd)
      : fname_(std::move(fname)),
        fd_(fd),
        buf_(std::make_unique_for_overwrite<char[]>(kWritableBufferSize)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) Close();  // errors are lost here: callers that care call Close
  }

  Status Append(std::string_view data) override {
    size_t copy = std::min(data.size(), kWritableBufferSize - pos_);
    if (copy > 0) std::memcpy(buf_.get() + pos_, data.data(), copy);
    pos_ += copy;
    data.remove_prefix(copy);
    if (data.empty()) return Status::OK();
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    if (data.size() < kWritableBufferSize) {
      std::memcpy(buf_.get(), data.data(), data.size());
      pos_ = data.size();
      return Status::OK();
    }
    return WriteRaw(data.data(), data.size());
  }

  Status Flush() override { return FlushBuffer(); }

  Status Sync() override {
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    return SyncFlushed();
  }

  Status SyncFlushed() override {
    if (::fdatasync(fd_) != 0) return PosixError(fname_, errno);
    return Status::OK();
  }

  Status Close() override {
    Status s = FlushBuffer();
    if (::close(fd_) != 0 && s.ok()) s = PosixError(fname_, errno);
    fd_ = -1;
    return s;
  }

 private:
  Status FlushBuffer() {
    Status s = WriteRaw(buf_.get(), pos_);
    pos_ = 0;
    return s;
  }

  Status WriteRaw(const char* p, size_t n) {
    while (n > 0) {
      ssize_t r = ::write(fd_, p, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      p += r;
      n -= static_cast<size_t>(r);
    }
    return Status::OK();
  }

  const std::string fname_;
  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0;  // bytes in buf_ not yet written
};

// NewAppendOnlyFile (env.h). Invariants: [0, reserved_) of the file is allocated (fallocate,
// so stores into the mapping never fault for lack of space) and is the file's size, a
// multiple of kMapChunk; the mapping, if any, is [map_offset_, map_offset_ + map_size_),
// page aligned, inside [0, reserved_), with size_ in it; bytes past size_ are zero.
//
// Crash states: an Append is one mapping (remapped first if it would not fit), its bytes
// after the first 8 are copied, then the first 8 with one store. So a process killed during
// an Append leaves that Append's first 8 bytes zero, some of its other bytes copied, and
// nothing after it: for the WAL, whose fragments are single Appends (log_writer.cc), a zero
// header the reader takes for the torn tail. Every earlier Append is whole.
class PosixMappedFile final : public WritableFile {
 public:
  static constexpr size_t kMapChunk = 1 << 20;

  PosixMappedFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixMappedFile() override {
    if (fd_ >= 0) Close();  // errors are lost here: callers that care call Close
  }

  // Reserves and maps the first chunk. 0, or the errno that stopped it (e.g. EOPNOTSUPP from
  // a file system without fallocate).
  int Start() {
    Status s = Map(0, kMapChunk);
    return s.ok() ? 0 : last_errno_;
  }

  Status Append(std::string_view data) override {
    const size_t n = data.size();
    if (n == 0) return Status::OK();
    if (base_ == nullptr || size_ + n > map_offset_ + map_size_) {
      // All or nothing: the space for the whole Append is reserved before any byte is copied,
      // so a full disk fails it without leaving part of a record in the file.
      const uint64_t start = size_ - size_ % PageSize();
      const uint64_t length = RoundUp(size_ + n - start, kMapChunk);
      Status s = Map(start, length);
      if (!s.ok()) return s;
    }
    char* dst = base_ + (size_ - map_offset_);
    if (n > kHeadBytes) {
      std::memcpy(dst + kHeadBytes, data.data() + kHeadBytes, n - kHeadBytes);
      std::atomic_signal_fence(std::memory_order_seq_cst);  // the head is stored last
      uint64_t head;
      std::memcpy(&head, data.data(), kHeadBytes);
      std::memcpy(dst, &head, kHeadBytes);  // one 8-byte store
    } else {
      std::memcpy(dst, data.data(), n);
    }
    size_ += n;
    return Status::OK();
  }

  Status Flush() override { return Status::OK(); }  // the data is in the page cache already
  Status Sync() override { return SyncFlushed(); }
  Status SyncFlushed() override {
    if (::fdatasync(fd_) != 0) return PosixError(fname_, errno);
    return Status::OK();
  }

  Status Close() override {
    Status s = Unmap();
    // Trim the reserved zeros. Not synced: a crash that loses the trim leaves a zero tail,
    // which readers take for the end of the data (log_reader.h); the data itself is as
    // durable as the caller's last Sync made it.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 && s.ok()) s = Error();
    if (::close(fd_) != 0 && s.ok()) s = Error();
    fd_ = -1;
    return s;
  }

 private:
  static uint64_t PageSize() {  // mmap offsets are multiples of it
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    return page;
  }
  static constexpr size_t kHeadBytes = 8;
  static uint64_t RoundUp(uint64_t x, uint64_t unit) { return (x + unit - 1) / unit * unit; }

  // Replaces the mapping by [start, start + length), reserving its space first.
  Status Map(uint64_t start, uint64_t length) {
    const uint64_t end = RoundUp(start + length, kMapChunk);
    if (end > reserved_) {
      if (::fallocate(fd_, 0, static_cast<off_t>(reserved_), end - reserved_) != 0) {
        return Error();
      }
      reserved_ = end;
    }
    Status s = Unmap();
    if (!s.ok()) return s;
    void* p =
        ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, static_cast<off_t>(start));
    if (p == MAP_FAILED) return Error();
    base_ = static_cast<char*>(p);
    map_offset_ = start;
    map_size_ = length;
    return Status::OK();
  }

  Status Unmap() {
    if (base_ == nullptr) return Status::OK();
    const int r = ::munmap(base_, map_size_);
    base_ = nullptr;
    if (r != 0) return Error();
    return Status::OK();
  }

  Status Error() {
    last_errno_ = errno;
    return PosixError(fname_, last_errno_);
  }

  const std::string fname_;
  int fd_;
  char* base_ = nullptr;
  uint64_t map_offset_ = 0;
  uint64_t map_size_ = 0;
  uint64_t size_ = 0;      // bytes appended
  uint64_t reserved_ = 0;  // bytes allocated (and the file's size until Close)
  int last_errno_ = 0;
};

class PosixFileLock;

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override {
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixSequentialFile>(fname, fd);
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override {
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixRandomAccessFile>(fname, fd);
    return Status::OK();
  }

  Status NewMappedReadableFile(const std::string& fname,
                               std::unique_ptr<RandomAccessFile>* result) override {
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = PosixError(fname, errno);
      ::close(fd);
      return s;
    }
    const auto size = static_cast<size_t>(st.st_size);
    void* base = size > 0 ? ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0) : nullptr;
    if (base == MAP_FAILED) {
      // Out of address space or mappings (vm.max_map_count): read this one with pread.
      *result = std::make_unique<PosixRandomAccessFile>(fname, fd);
      return Status::OK();
    }
    ::close(fd);  // the mapping keeps the file
    *result = std::make_unique<PosixMappedReadableFile>(static_cast<const char*>(base), size);
    return Status::OK();
  }

  Status NewWritableFile(const std::string& fname, std::unique_ptr<WritableFile>* result) override {
    int fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixWritableFile>(fname, fd);
    return Status::OK();
  }

  Status NewAppendOnlyFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override {
    int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return PosixError(fname, errno);
    auto mapped = std::make_unique<PosixMappedFile>(fname, fd);
    const int err = mapped->Start();
    if (err == 0) {
      *result = std::move(mapped);
      return Status::OK();
    }
    mapped->Close();  // trims back to empty
    if (err == ENOSPC || err == EDQUOT) return PosixError(fname, err);
    // No fallocate here (or no mmap): plain appends.
    return NewWritableFile(fname, result);
  }

  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override {
    int fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixWritableFile>(fname, fd);
    return Status::OK();
  }

  bool FileExists(const std::string& fname) override { return ::access(fname.c_str(), F_OK) == 0; }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    while (struct dirent* entry = ::readdir(d)) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) {
        continue;
      }
      result->emplace_back(entry->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  Status RemoveFile(const std::string& fname) override {
    if (::unlink(fname.c_str()) != 0) return PosixError(fname, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return PosixError(dir, errno);
    return Status::OK();
  }

  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    struct stat st;
    if (::stat(fname.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(fname, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& src, const std::string& target) override {
    if (::rename(src.c_str(), target.c_str()) != 0) return PosixError(src, errno);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = PosixError(dir, errno);
    ::close(fd);
    return s;
  }

  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override;

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  void SleepForMicroseconds(int micros) override {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }

  // Called by PosixFileLock's destructor.
  void Unlock(const std::string& fname, int fd) {  // REQUIRES: locks_mutex_ not held
    struct flock f = {};
    f.l_type = F_UNLCK;
    f.l_whence = SEEK_SET;
    ::fcntl(fd, F_SETLK, &f);
    ::close(fd);
    std::lock_guard<std::mutex> l(locks_mutex_);
    locked_files_.erase(fname);
  }

 private:
  std::mutex locks_mutex_;
  std::set<std::string> locked_files_;  // GUARDED_BY(locks_mutex_)
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(PosixEnv* env, std::string fname, int fd)
      : env_(env), fname_(std::move(fname)), fd_(fd) {}
  ~PosixFileLock() override { env_->Unlock(fname_, fd_); }

 private:
  PosixEnv* const env_;
  const std::string fname_;
  const int fd_;
};

Status PosixEnv::LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) {
  std::lock_guard<std::mutex> l(locks_mutex_);
  if (locked_files_.count(fname) != 0) {
    return Status::Busy(fname, "already locked by this process");
  }
  int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return PosixError(fname, errno);
  struct flock f = {};
  f.l_type = F_WRLCK;
  f.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &f) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EACCES || err == EAGAIN) {
      return Status::Busy(fname, "locked by another process");
    }
    return PosixError(fname, err);
  }
  locked_files_.insert(fname);
  *lock = std::make_unique<PosixFileLock>(this, fname, fd);
  return Status::OK();
}

}  // namespace

Env* Env::Default() {
  // Constructed in place and never destroyed: background threads may still use it while
  // static destructors run at exit.
  alignas(PosixEnv) static unsigned char storage[sizeof(PosixEnv)];
  static PosixEnv* env = ::new (static_cast<void*>(storage)) PosixEnv();
  return env;
}

}  // namespace strata::store
