#include "store/filename.h"

#include <charconv>
#include <cstdio>

#include "store/env.h"

namespace strata::store {
namespace {

std::string NumberedName(const std::string& dir, uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/%06llu.%s", static_cast<unsigned long long>(number), suffix);
  return dir + buf;
}

// Parses a decimal number that is the whole of s.
bool ParseNumber(std::string_view s, uint64_t* number) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *number);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string LogFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, "log");
}
std::string TableFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, "sst");
}
std::string TempFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, "dbtmp");
}
std::string DescriptorFileName(const std::string& dir, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return dir + buf;
}
std::string CurrentFileName(const std::string& dir) { return dir + "/CURRENT"; }
std::string LockFileName(const std::string& dir) { return dir + "/LOCK"; }

bool ParseFileName(std::string_view name, uint64_t* number, FileType* type) {
  if (name == "CURRENT") {
    *number = 0;
    *type = FileType::kCurrentFile;
    return true;
  }
  if (name == "LOCK") {
    *number = 0;
    *type = FileType::kLockFile;
    return true;
  }
  constexpr std::string_view kManifest = "MANIFEST-";
  if (name.starts_with(kManifest)) {
    if (!ParseNumber(name.substr(kManifest.size()), number)) return false;
    *type = FileType::kDescriptorFile;
    return true;
  }
  size_t dot = name.find('.');
  if (dot == std::string_view::npos || !ParseNumber(name.substr(0, dot), number)) return false;
  std::string_view suffix = name.substr(dot + 1);
  if (suffix == "log") {
    *type = FileType::kLogFile;
  } else if (suffix == "sst") {
    *type = FileType::kTableFile;
  } else if (suffix == "dbtmp") {
    *type = FileType::kTempFile;
  } else {
    return false;
  }
  return true;
}

Status WriteStringToFileSync(Env* env, std::string_view data, const std::string& fname,
                             const std::string& dir) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  s = file->Append(data);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) env->RemoveFile(fname);
  return s;
}

Status ReadFileToString(Env* env, const std::string& fname, std::string* data) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  constexpr size_t kChunk = 8192;
  auto scratch = std::make_unique_for_overwrite<char[]>(kChunk);
  while (true) {
    std::string_view fragment;
    s = file->Read(kChunk, &fragment, scratch.get());
    if (!s.ok() || fragment.empty()) break;
    data->append(fragment.data(), fragment.size());
  }
  return s;
}

Status SetCurrentFile(Env* env, const std::string& dir, uint64_t descriptor_number) {
  std::string manifest = DescriptorFileName(dir, descriptor_number);
  std::string contents = manifest.substr(dir.size() + 1) + "\n";
  std::string tmp = TempFileName(dir, descriptor_number);
  // The temp file's own directory entry need not be durable: only the rename's is, and the
  // SyncDir below covers it. Syncing the file's data before the rename is what matters.
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(tmp, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (s.ok()) s = env->RenameFile(tmp, CurrentFileName(dir));
  if (s.ok()) {
    s = env->SyncDir(dir);
  } else {
    env->RemoveFile(tmp);
  }
  return s;
}

}  // namespace strata::store
