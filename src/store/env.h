// Env: every file and clock operation the store performs goes through this interface, so
// tests can inject faults (drop unsynced data, fail fsync, ENOSPC) without touching the engine.
// Env::Default() is the POSIX implementation; it is thread-safe. Files are not: each file
// object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace strata::store {

// Reads a file from start to end (WAL and MANIFEST replay).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; *result points at the bytes read (maybe fewer at EOF,
  // empty at EOF). REQUIRES: scratch has room for n bytes.
  virtual Status Read(size_t n, std::string_view* result, char* scratch) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// Reads at arbitrary offsets (SSTables). Thread-safe: several readers may share one.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset. *result may point into scratch or into memory owned by the
  // file (mmap); it stays valid while the file is open.
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const = 0;
  // True if Read never uses scratch (it returns views into a mapping): callers may pass null.
  virtual bool Mapped() const { return false; }
};

// Appends to a file (WAL, MANIFEST, SSTable being built). Append may buffer; Flush hands the
// buffer to the OS; Sync makes everything appended so far durable (fdatasync).
// A failed Sync leaves the file's durable state unknown: callers must treat it as permanent
// (docs/design.md §4.7) and never retry it as if nothing happened.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Makes durable the bytes already handed to the OS (by Flush, or by Append when its buffer
  // filled), without touching the user-space buffer. Unlike the other methods it may run on
  // a second thread concurrently with Append and Flush: the WAL syncer uses it so that
  // writers never wait behind an fsync. A failure is as permanent as a failed Sync.
  virtual Status SyncFlushed() { return Status::NotSupported("SyncFlushed"); }
};

// An exclusive lock on a file held by this process (the data directory's LOCK file).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& fname,
                                   std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(const std::string& fname,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;
  // Like NewRandomAccessFile, for a file that never changes while open (an SSTable), read
  // through a read-only memory mapping: Read returns a view into the mapping, with no system
  // call and no copy, valid while the file is open (RandomAccessFile::Mapped). Where the file
  // cannot be mapped, a plain file. The catch, as with LevelDB's mmap reads: an I/O error
  // reading a mapped page, or the file shrinking underneath, is SIGBUS, not an error Status.
  // This default, for Envs that do not map (test envs), returns a plain file;
  // FaultInjectionEnv passes the call to the Env it wraps.
  virtual Status NewMappedReadableFile(const std::string& fname,
                                       std::unique_ptr<RandomAccessFile>* result) {
    return NewRandomAccessFile(fname, result);
  }
  // Creates or truncates. New files get mode 0600.
  virtual Status NewWritableFile(const std::string& fname,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Creates or truncates, like NewWritableFile, for a file written by one appender and read
  // only after it is closed or after a crash: the WAL. The POSIX Env appends through a shared
  // memory mapping, so an Append is a copy into the page cache with no system call, and what
  // it copied survives a crash of the process as a write(2) would. Space is reserved (and
  // the file extended) ahead of the data in chunks, so until Close the file ends in zeros,
  // which log readers take for the end of the data (log_reader.h, zero_tail). Close trims
  // the file to its data (not synced: a lost trim is a zero tail again). ENOSPC surfaces
  // from Append, as from write(2); where space cannot be reserved up front (no fallocate),
  // the file is a plain WritableFile. Default: NewWritableFile.
  virtual Status NewAppendOnlyFile(const std::string& fname,
                                   std::unique_ptr<WritableFile>* result) {
    return NewWritableFile(fname, result);
  }
  // Opens for appending, creating the file if missing.
  virtual Status NewAppendableFile(const std::string& fname,
                                   std::unique_ptr<WritableFile>* result) = 0;

  virtual bool FileExists(const std::string& fname) = 0;
  // Names (not paths) of the entries of dir.
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& fname) = 0;
  // Creates dir with mode 0700 if missing (not an error if it exists).
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status GetFileSize(const std::string& fname, uint64_t* size) = 0;
  // Atomically replaces target with src. The caller syncs the directory afterwards.
  virtual Status RenameFile(const std::string& src, const std::string& target) = 0;
  // fsync of a directory: makes creations, renames and removals in it durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock (fcntl/flock) on fname, creating it. Fails with
  // Status::Busy if another process holds it. The lock is released when *lock is destroyed.
  virtual Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) = 0;

  virtual uint64_t NowMicros() = 0;
  virtual void SleepForMicroseconds(int micros) = 0;
};

}  // namespace strata::store
