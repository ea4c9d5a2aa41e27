// Helpers shared by the store's unit tests: a scratch directory removed afterwards, reads as
// strings, a simulated power cut.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fault_env.h"
#include "store/db.h"
#include "store/dbformat.h"
#include "store/filename.h"

namespace strata::store::testing {

// The internal key (user_key, seq, kind), as tables and the memtable store it.
inline std::string IKey(std::string_view user_key, uint64_t seq,
                        ValueKind kind = ValueKind::kValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, kind);
  return k;
}

// A fresh directory under $TMPDIR (or /tmp), deleted with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/strata-store-XXXXXX";
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory (not created).
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// db's value for key as tests compare it: the value, "NOT_FOUND", or "ERROR: <status>".
inline std::string GetValue(DB* db, const std::string& key) {
  std::string v;
  Status s = db->Get(ReadOptions(), key, &v);
  if (s.IsNotFound()) return "NOT_FOUND";
  if (!s.ok()) return "ERROR: " + s.ToString();
  return v;
}

// Damages fname on disk: XORs the byte at offset with mask.
inline void FlipByte(const std::string& fname, size_t offset, char mask) {
  std::string contents;
  ASSERT_TRUE(ReadFileToString(Env::Default(), fname, &contents).ok());
  ASSERT_LT(offset, contents.size());
  contents[offset] ^= mask;
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(Env::Default()->NewWritableFile(fname, &f).ok());
  ASSERT_TRUE(f->Append(contents).ok());
  ASSERT_TRUE(f->Close().ok());
}

// The instant of a power failure: closes *db (nothing more reaches env's files) and drops
// from env every byte that was not synced. The caller reopens.
inline void PowerCut(FaultInjectionEnv* env, std::unique_ptr<DB>* db) {
  env->SetFilesystemActive(false);
  db->reset();
  ASSERT_TRUE(env->DropUnsyncedData().ok());
  env->SetFilesystemActive(true);
}

// Counts the heap allocations (global operator new) made by the calling thread between the
// two calls (alloc_counter.cc replaces operator new for the whole test binary; it only counts).
// False in sanitizer builds, where nothing is counted.
bool AllocationCountingAvailable();
void StartCountingAllocations();
size_t StopCountingAllocations();

}  // namespace strata::store::testing
