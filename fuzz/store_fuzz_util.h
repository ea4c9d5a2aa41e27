// Helpers shared by the store's libFuzzer targets (wal_reader_fuzz, sst_reader_fuzz,
// manifest_fuzz): CHECK, in-memory files, and an in-memory Env that holds just enough of a
// directory for MANIFEST recovery. Everything is per input (no state survives between
// LLVMFuzzerTestOneInput calls), so a crash reproduces from its input alone.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "store/env.h"
#include "util/status.h"

namespace strata::store::fuzz {

// Consumes the fuzz input from the front. Past the end every read yields zeros, so a short
// input is still a complete (if dull) test case.
class InputReader {
 public:
  explicit InputReader(std::string_view input) : input_(input) {}
  uint8_t Byte() {
    if (input_.empty()) return 0;
    const auto b = static_cast<uint8_t>(input_[0]);
    input_.remove_prefix(1);
    return b;
  }
  uint32_t Le16() { return Byte() | (uint32_t{Byte()} << 8); }
  uint32_t Le24() { return Le16() | (uint32_t{Byte()} << 16); }
  // Up to n bytes (fewer at the end of the input).
  std::string_view Bytes(size_t n) {
    std::string_view r = input_.substr(0, n);
    input_.remove_prefix(r.size());
    return r;
  }
  std::string_view rest() const { return input_; }
  bool empty() const { return input_.empty(); }

 private:
  std::string_view input_;
};

// Splits the rest of the input into records for a log::Writer, so that a target can write
// well-formed log files (valid checksums and fragmentation) whose payloads are fuzzed:
//   L < 0xf0:  the next L bytes are a record;
//   L >= 0xf0: LE16 n follows; the record is n + 32768 * (L & 1) bytes long (up to 96 KiB,
//              to span up to four 32 KiB log blocks), its first up-to-16 bytes come from the
//              input and are repeated to fill it.
// Stops at the end of the input or once the records reach max_total bytes.
inline std::vector<std::string> SplitRecords(InputReader* in, size_t max_total) {
  std::vector<std::string> records;
  size_t total = 0;
  while (!in->empty() && total < max_total) {
    const uint8_t l = in->Byte();
    std::string r;
    if (l < 0xf0) {
      r.assign(in->Bytes(l));
    } else {
      const size_t len = in->Le16() + 32768 * (l & 1);
      const std::string_view pattern = in->Bytes(std::min<size_t>(len, 16));
      if (pattern.empty()) {
        r.assign(len, '\0');
      } else {
        r.assign(pattern);
        while (r.size() < len) r.append(r, 0, std::min(r.size(), len - r.size()));  // doubles
      }
    }
    total += r.size();
    records.push_back(std::move(r));
  }
  return records;
}

// Damages *file with a list read from the input: a count byte (low 4 bits), then per flip
// LE24 offset (modulo the file size) and a byte to XOR there. Returns how many bytes changed.
inline int ApplyFlips(InputReader* in, std::string* file) {
  const int n = in->Byte() & 15;
  int changed = 0;
  for (int i = 0; i < n; i++) {
    const uint32_t offset = in->Le24();
    const uint8_t x = in->Byte();
    if (file->empty() || x == 0) continue;
    (*file)[offset % file->size()] ^= static_cast<char>(x);
    changed++;
  }
  return changed;
}

// Reads a string from start to end. Read copies into the caller's scratch, as a real file
// does, so that ASan sees any use of the scratch beyond what was read. With fail_at set,
// a read that would go past that offset fails with an IOError (a disk error mid-file).
class StringSequentialFile final : public SequentialFile {
 public:
  explicit StringSequentialFile(std::string_view contents, uint64_t fail_at = UINT64_MAX)
      : contents_(contents), fail_at_(fail_at) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    *result = {};
    n = std::min(n, contents_.size() - pos_);
    if (pos_ + n > fail_at_) return Status::IOError("injected read error");
    std::memcpy(scratch, contents_.data() + pos_, n);
    *result = std::string_view(scratch, n);
    pos_ += n;
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += std::min<uint64_t>(n, contents_.size() - pos_);
    return Status::OK();
  }

 private:
  const std::string_view contents_;
  const uint64_t fail_at_;
  size_t pos_ = 0;
};

// Reads a string at any offset: into scratch, or (mmap) as views of the string itself, which
// is how the POSIX Env serves mmap'ed tables (blocks then do not own their bytes).
class StringRandomAccessFile final : public RandomAccessFile {
 public:
  StringRandomAccessFile(std::string contents, bool mmap)
      : contents_(std::move(contents)), mmap_(mmap) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    *result = {};
    if (offset >= contents_.size()) return Status::OK();
    n = std::min<size_t>(n, contents_.size() - offset);
    if (mmap_) {
      *result = std::string_view(contents_.data() + offset, n);
    } else {
      std::memcpy(scratch, contents_.data() + offset, n);
      *result = std::string_view(scratch, n);
    }
    return Status::OK();
  }

 private:
  const std::string contents_;
  const bool mmap_;
};

// Appends to a string (log::Writer and TableBuilder output).
class StringWritableFile final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    contents_.append(data);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  std::string& contents() { return contents_; }

 private:
  std::string contents_;
};

// A flat map of whole paths to contents. Only reading is supported: the fuzz targets put the
// files in place, then run a recovery over them. Everything else fails with NotSupported,
// so a reader that starts writing shows up as an error, not as a silent success.
class MemEnv final : public Env {
 public:
  void Put(const std::string& fname, std::string contents) { files_[fname] = std::move(contents); }

  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override {
    auto it = files_.find(fname);
    if (it == files_.end()) return Status::NotFound(fname);
    *result = std::make_unique<StringSequentialFile>(it->second);
    return Status::OK();
  }
  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override {
    auto it = files_.find(fname);
    if (it == files_.end()) return Status::NotFound(fname);
    *result = std::make_unique<StringRandomAccessFile>(it->second, /*mmap=*/false);
    return Status::OK();
  }
  Status NewWritableFile(const std::string& fname, std::unique_ptr<WritableFile>*) override {
    return Status::NotSupported("MemEnv is read-only", fname);
  }
  Status NewAppendableFile(const std::string& fname, std::unique_ptr<WritableFile>*) override {
    return Status::NotSupported("MemEnv is read-only", fname);
  }
  bool FileExists(const std::string& fname) override { return files_.count(fname) != 0; }
  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    const std::string prefix = dir + "/";
    for (const auto& [name, contents] : files_) {
      if (name.starts_with(prefix)) result->push_back(name.substr(prefix.size()));
    }
    return Status::OK();
  }
  Status RemoveFile(const std::string& fname) override {
    return Status::NotSupported("MemEnv is read-only", fname);
  }
  Status CreateDir(const std::string&) override { return Status::OK(); }
  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    auto it = files_.find(fname);
    if (it == files_.end()) return Status::NotFound(fname);
    *size = it->second.size();
    return Status::OK();
  }
  Status RenameFile(const std::string& src, const std::string&) override {
    return Status::NotSupported("MemEnv is read-only", src);
  }
  Status SyncDir(const std::string&) override { return Status::OK(); }
  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>*) override {
    return Status::NotSupported("MemEnv has no locks", fname);
  }
  uint64_t NowMicros() override { return 0; }
  void SleepForMicroseconds(int) override {}

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace strata::store::fuzz
