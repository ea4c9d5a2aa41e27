// Helpers shared by the store's unit tests: a scratch directory removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/dbformat.h"

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

// Counts the heap allocations (global operator new) made by the calling thread between the
// two calls (alloc_counter.cc replaces operator new for the whole test binary; it only counts).
// False in sanitizer builds, where nothing is counted.
bool AllocationCountingAvailable();
void StartCountingAllocations();
size_t StopCountingAllocations();

}  // namespace strata::store::testing
