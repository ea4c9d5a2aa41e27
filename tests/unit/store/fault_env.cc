#include "fault_env.h"

#include <algorithm>
#include <cstdint>
#include <random>

#include "store/filename.h"

namespace strata::store {
namespace {

std::string DirName(const std::string& fname) {
  size_t slash = fname.rfind('/');
  return slash == std::string::npos ? std::string(".") : fname.substr(0, slash);
}

const char* FaultName(FaultOp op) {
  switch (op) {
    case FaultOp::kAppend:
      return "injected ENOSPC (No space left on device) on append";
    case FaultOp::kSync:
      return "injected EIO (Input/output error) on sync";
    case FaultOp::kSyncDir:
      return "injected EIO (Input/output error) on directory sync";
    case FaultOp::kRename:
      return "injected EIO (Input/output error) on rename";
    case FaultOp::kNewWritableFile:
      return "injected ENOSPC (No space left on device) on create";
    case FaultOp::kNumOps:
      break;
  }
  return "injected error";
}

}  // namespace

// A WritableFile that reports every change to the env before passing it to the base file.
class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string fname, std::unique_ptr<WritableFile> base)
      : env_(env), fname_(std::move(fname)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    Status s = env_->OnAppend(fname_, data.size());
    if (s.ok()) s = base_->Append(data);
    return s;
  }
  Status Flush() override {
    Status s = env_->CheckWritable(fname_);
    if (s.ok()) s = base_->Flush();
    if (s.ok()) env_->OnFlushed(fname_);
    return s;
  }
  Status Sync() override {
    uint64_t unused;
    Status s = env_->BeforeSync(fname_, /*whole=*/true, &unused);
    if (s.ok()) s = base_->Sync();
    if (s.ok()) env_->OnSynced(fname_, env_->OnFlushed(fname_));
    return s;
  }
  Status SyncFlushed() override {
    // Only bytes flushed before the fdatasync starts are sure to be covered by it.
    uint64_t flushed = 0;
    Status s = env_->BeforeSync(fname_, /*whole=*/false, &flushed);
    if (s.ok()) s = base_->SyncFlushed();
    if (s.ok()) env_->OnSynced(fname_, flushed);
    return s;
  }
  Status Close() override {
    Status s = env_->CheckWritable(fname_);
    if (s.ok()) env_->OnFlushed(fname_);
    Status c = base_->Close();
    return s.ok() ? c : s;
  }

 private:
  FaultInjectionEnv* const env_;
  const std::string fname_;
  std::unique_ptr<WritableFile> base_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) { ClearFaults(); }

void FaultInjectionEnv::SetFault(FaultOp op, int after, std::string file_contains) {
  std::lock_guard<std::mutex> l(mutex_);
  fault_after_[static_cast<int>(op)] = after;
  fault_file_[static_cast<int>(op)] = std::move(file_contains);
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> l(mutex_);
  std::fill(std::begin(fault_after_), std::end(fault_after_), -1);
  for (std::string& f : fault_file_) f.clear();
}

int FaultInjectionEnv::InjectedFailures() const {
  std::lock_guard<std::mutex> l(mutex_);
  return injected_failures_;
}

void FaultInjectionEnv::SetFilesystemActive(bool active) {
  std::lock_guard<std::mutex> l(mutex_);
  active_ = active;
}

void FaultInjectionEnv::ResetState() {
  std::lock_guard<std::mutex> l(mutex_);
  files_.clear();
  renames_.clear();
}

Status FaultInjectionEnv::CheckFault(FaultOp op, const std::string& fname) {
  int& after = fault_after_[static_cast<int>(op)];
  if (after < 0) return Status::OK();
  const std::string& only = fault_file_[static_cast<int>(op)];
  if (!only.empty() && fname.find(only) == std::string::npos) return Status::OK();
  if (after > 0) {
    after--;
    return Status::OK();
  }
  injected_failures_++;
  return Status::IOError(fname, FaultName(op));
}

Status FaultInjectionEnv::CheckActive(const std::string& fname) const {
  if (active_) return Status::OK();
  return Status::IOError(fname, "filesystem inactive (simulated crash)");
}

Status FaultInjectionEnv::CheckWritable(const std::string& fname) {
  std::lock_guard<std::mutex> l(mutex_);
  return CheckActive(fname);
}

Status FaultInjectionEnv::OnAppend(const std::string& fname, size_t n) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(fname);
  if (s.ok()) s = CheckFault(FaultOp::kAppend, fname);
  if (s.ok()) files_[fname].size += n;
  return s;
}

uint64_t FaultInjectionEnv::OnFlushed(const std::string& fname) {
  std::lock_guard<std::mutex> l(mutex_);
  auto it = files_.find(fname);
  if (it == files_.end()) return 0;
  it->second.flushed = it->second.size;
  return it->second.flushed;
}

Status FaultInjectionEnv::BeforeSync(const std::string& fname, bool whole, uint64_t* flushed) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(fname);
  if (s.ok()) s = CheckFault(FaultOp::kSync, fname);
  auto it = files_.find(fname);
  *flushed = it == files_.end() ? 0 : it->second.flushed;
  if (s.ok() || !active_ || it == files_.end()) return s;
  // A failed writeback: what this sync should have written is gone (the header comment).
  FileState& st = it->second;
  const uint64_t end = whole ? st.size : st.flushed;
  if (end > st.synced) {
    if (st.lost_end <= st.lost_begin) {
      st.lost_begin = st.synced;
      st.lost_end = end;
    } else {
      st.lost_begin = std::min(st.lost_begin, st.synced);
      st.lost_end = std::max(st.lost_end, end);
    }
  }
  return s;
}

void FaultInjectionEnv::OnSynced(const std::string& fname, uint64_t durable) {
  std::lock_guard<std::mutex> l(mutex_);
  auto it = files_.find(fname);
  if (it != files_.end()) it->second.synced = std::max(it->second.synced, durable);
}

Status FaultInjectionEnv::OpenWritable(const std::string& fname, bool append,
                                       std::unique_ptr<WritableFile>* result) {
  std::unique_ptr<WritableFile> base;
  {
    std::lock_guard<std::mutex> l(mutex_);
    Status s = CheckActive(fname);
    if (s.ok()) s = CheckFault(FaultOp::kNewWritableFile, fname);
    if (!s.ok()) return s;
    const bool existed = base_->FileExists(fname);
    uint64_t size = 0;
    if (existed && append) base_->GetFileSize(fname, &size);
    s = append ? base_->NewAppendableFile(fname, &base) : base_->NewWritableFile(fname, &base);
    if (!s.ok()) return s;
    auto it = files_.find(fname);
    FileState st;
    if (it != files_.end()) {
      st = it->second;
      st.size = st.flushed = size;
      st.synced = std::min(st.synced, size);
      if (!append) st.lost_begin = st.lost_end = 0;  // truncated: the old bytes are gone
    } else {
      // A file this env did not see being written is taken as durable as it stands.
      st.size = st.flushed = st.synced = size;
      st.entry_synced = existed;
    }
    files_[fname] = st;
  }
  *result = std::make_unique<File>(this, fname, std::move(base));
  return Status::OK();
}

Status FaultInjectionEnv::NewWritableFile(const std::string& fname,
                                          std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, false, result);
}

Status FaultInjectionEnv::NewAppendableFile(const std::string& fname,
                                            std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, true, result);
}

Status FaultInjectionEnv::NewSequentialFile(const std::string& fname,
                                            std::unique_ptr<SequentialFile>* result) {
  return base_->NewSequentialFile(fname, result);
}

Status FaultInjectionEnv::NewRandomAccessFile(const std::string& fname,
                                              std::unique_ptr<RandomAccessFile>* result) {
  pread_opens_.fetch_add(1, std::memory_order_relaxed);
  return base_->NewRandomAccessFile(fname, result);
}

// Tables are mapped only once written and synced, so dropping unsynced data never shrinks a
// mapped file.
Status FaultInjectionEnv::NewMappedReadableFile(const std::string& fname,
                                                std::unique_ptr<RandomAccessFile>* result) {
  mapped_opens_.fetch_add(1, std::memory_order_relaxed);
  return base_->NewMappedReadableFile(fname, result);
}

bool FaultInjectionEnv::FileExists(const std::string& fname) { return base_->FileExists(fname); }

Status FaultInjectionEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  return base_->GetChildren(dir, result);
}

Status FaultInjectionEnv::RemoveFile(const std::string& fname) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(fname);
  if (!s.ok()) return s;
  s = base_->RemoveFile(fname);
  if (s.ok()) files_.erase(fname);
  return s;
}

Status FaultInjectionEnv::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(dir);
  if (!s.ok()) return s;
  return base_->CreateDir(dir);
}

Status FaultInjectionEnv::GetFileSize(const std::string& fname, uint64_t* size) {
  return base_->GetFileSize(fname, size);
}

Status FaultInjectionEnv::RenameFile(const std::string& src, const std::string& target) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(src);
  if (s.ok()) s = CheckFault(FaultOp::kRename, src);
  if (!s.ok()) return s;

  PendingRename r;
  r.src = src;
  r.target = target;
  auto src_it = files_.find(src);
  if (src_it != files_.end()) {
    r.src_state = src_it->second;
  } else {
    uint64_t size = 0;
    base_->GetFileSize(src, &size);
    r.src_state.size = r.src_state.flushed = r.src_state.synced = size;
    r.src_state.entry_synced = true;
  }
  if (base_->FileExists(target)) {
    r.had_target = true;
    auto t_it = files_.find(target);
    if (t_it != files_.end()) {
      r.old_target_state = t_it->second;
    } else {
      uint64_t size = 0;
      base_->GetFileSize(target, &size);
      r.old_target_state.size = r.old_target_state.flushed = r.old_target_state.synced = size;
      r.old_target_state.entry_synced = true;
    }
    s = ReadFileToString(base_, target, &r.old_target_contents);
    if (!s.ok()) return s;
    r.old_target_contents.resize(
        std::min<uint64_t>(r.old_target_contents.size(), r.old_target_state.synced));
  }
  s = base_->RenameFile(src, target);
  if (!s.ok()) return s;
  FileState moved = r.src_state;
  moved.entry_synced = false;  // until the directory is synced
  files_.erase(src);
  files_[target] = moved;
  renames_.push_back(std::move(r));
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mutex_);
  Status s = CheckActive(dir);
  if (s.ok()) s = CheckFault(FaultOp::kSyncDir, dir);
  if (s.ok()) s = base_->SyncDir(dir);
  if (!s.ok()) return s;
  for (auto& [name, st] : files_) {
    if (DirName(name) == dir) st.entry_synced = true;
  }
  std::erase_if(renames_, [&](const PendingRename& r) { return DirName(r.target) == dir; });
  return Status::OK();
}

Status FaultInjectionEnv::LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) {
  return base_->LockFile(fname, lock);
}

Status FaultInjectionEnv::TruncateTo(const std::string& fname, uint64_t size, uint64_t zero_from,
                                     const FileState& st) {
  std::string contents;
  Status s = ReadFileToString(base_, fname, &contents);
  if (!s.ok()) return s;
  const bool lost = st.lost_end > st.lost_begin && st.lost_begin < contents.size();
  if (contents.size() <= size && zero_from >= contents.size() && !lost) return Status::OK();
  contents.resize(std::min<uint64_t>(size, contents.size()));
  for (uint64_t i = zero_from; i < contents.size(); i++) contents[i] = '\0';
  for (uint64_t i = st.lost_begin; i < std::min<uint64_t>(st.lost_end, contents.size()); i++) {
    contents[i] = '\0';
  }
  std::unique_ptr<WritableFile> file;
  s = base_->NewWritableFile(fname, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Close();
  return s;
}

Status FaultInjectionEnv::DropUnsyncedData(uint64_t seed) {
  std::lock_guard<std::mutex> l(mutex_);
  std::mt19937_64 rnd(seed);
  Status result;
  auto note = [&result](Status s) {
    if (result.ok() && !s.ok()) result = std::move(s);
  };
  // Undo renames the disk never learnt of, newest first.
  for (auto r = renames_.rbegin(); r != renames_.rend(); ++r) {
    FileState state = r->src_state;
    auto cur = files_.find(r->target);
    if (cur != files_.end()) state.synced = cur->second.synced;
    if (base_->FileExists(r->target)) note(base_->RenameFile(r->target, r->src));
    files_.erase(r->target);
    files_[r->src] = state;
    if (r->had_target) {
      std::unique_ptr<WritableFile> file;
      Status s = base_->NewWritableFile(r->target, &file);
      if (s.ok()) s = file->Append(r->old_target_contents);
      if (s.ok()) s = file->Close();
      note(std::move(s));
      FileState old = r->old_target_state;
      old.size = old.flushed = old.synced = r->old_target_contents.size();
      files_[r->target] = old;
    }
  }
  renames_.clear();
  // Then forget unsynced creations and cut every file back to its synced size.
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& name = it->first;
    FileState& st = it->second;
    if (!base_->FileExists(name)) {
      it = files_.erase(it);
      continue;
    }
    if (!st.entry_synced) {
      note(base_->RemoveFile(name));
      it = files_.erase(it);
      continue;
    }
    uint64_t keep = st.synced;
    uint64_t zero_from = UINT64_MAX;
    if (seed != 0 && st.flushed > st.synced) {
      keep = st.synced + rnd() % (st.flushed - st.synced + 1);
      if (rnd() % 4 == 0) zero_from = st.synced;
    }
    note(TruncateTo(name, keep, zero_from, st));
    st.size = st.flushed = st.synced = keep;
    st.lost_begin = st.lost_end = 0;  // the zeros are now what the disk holds
    ++it;
  }
  return result;
}

}  // namespace strata::store
