// File names inside a data directory, and the one crash-safe way to switch CURRENT.
//
//   dir/NNNNNN.log        write-ahead log number N (replayed in number order)
//   dir/NNNNNN.sst        table file number N
//   dir/MANIFEST-NNNNNN   descriptor (version edit log) number N
//   dir/CURRENT           one line, "MANIFEST-NNNNNN\n": the live descriptor
//   dir/LOCK              held (fcntl) by the process that has the directory open
//   dir/NNNNNN.dbtmp      temporary file (e.g. the next CURRENT before its rename)
//
// Numbers are zero-padded to at least six digits and come from one counter per directory,
// so a file's number also orders it in time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace strata::store {

class Env;

enum class FileType { kLogFile, kTableFile, kDescriptorFile, kCurrentFile, kLockFile, kTempFile };

std::string LogFileName(const std::string& dir, uint64_t number);
std::string TableFileName(const std::string& dir, uint64_t number);
std::string DescriptorFileName(const std::string& dir, uint64_t number);
std::string CurrentFileName(const std::string& dir);
std::string LockFileName(const std::string& dir);
std::string TempFileName(const std::string& dir, uint64_t number);

// Parses a name (not a path) made by one of the functions above. False for anything else;
// *number is 0 for CURRENT and LOCK.
bool ParseFileName(std::string_view name, uint64_t* number, FileType* type);

// Writes data to fname and makes it durable: create, append, fdatasync, close, then fsync of
// dir (so the file's directory entry survives a crash too). Removes fname on failure.
Status WriteStringToFileSync(Env* env, std::string_view data, const std::string& fname,
                             const std::string& dir);
Status ReadFileToString(Env* env, const std::string& fname, std::string* data);

// Points CURRENT at MANIFEST-<descriptor_number> crash-safely: the new contents go to a temp
// file that is synced, renamed over CURRENT, and the directory is synced (leveldb#74: an
// unsynced CURRENT read back as 16 NUL bytes; leveldb#195: rename needs a directory fsync).
// After a crash CURRENT names either the old or the new descriptor, never neither.
Status SetCurrentFile(Env* env, const std::string& dir, uint64_t descriptor_number);

}  // namespace strata::store
