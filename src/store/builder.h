// Writing table files for flushes and compactions.
//
// TableFileWriter: one table file from creation to a durable, verified file: create, add
// entries (TableBuilder, layout in format.h), finish, fdatasync, close, and open it back
// through the table cache, so that a table that does not read back is never put in a
// Version. It does not sync the directory: the caller does that once for all the files it
// wrote, before the MANIFEST edit that names them (docs/design.md §4.3, RocksDB#14780).
//
// BuildTable: the flush of one immutable memtable into one L0 table.
//
// Thread safety: not thread-safe; each flush or compaction uses its own writers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/compaction_iterator.h"
#include "store/env.h"
#include "store/iterator.h"
#include "store/options.h"
#include "store/table_builder.h"
#include "store/version_edit.h"
#include "util/status.h"

namespace strata::store {

class TableCache;
class Version;

class TableFileWriter {
 public:
  // options.env must be set. table_cache may be null (no verification).
  TableFileWriter(const std::string& dir, const Options& options, TableCache* table_cache);
  // Abandons (and removes) a file that was opened but not finished.
  ~TableFileWriter();
  TableFileWriter(const TableFileWriter&) = delete;
  TableFileWriter& operator=(const TableFileWriter&) = delete;

  // Creates table file `number`. REQUIRES: !is_open().
  Status Open(uint64_t number);
  bool is_open() const { return builder_ != nullptr; }

  // REQUIRES: is_open(); keys in strictly increasing internal key order.
  void Add(std::string_view internal_key, std::string_view value);
  uint64_t NumEntries() const { return builder_->NumEntries(); }
  uint64_t EstimatedFileSize() const { return builder_->EstimatedFileSize(); }

  // Finishes the table, syncs and closes the file, verifies it opens, and fills *meta
  // (number, size, smallest and largest key). On error the file is removed. Either way the
  // writer is closed afterwards. REQUIRES: is_open() and NumEntries() > 0.
  Status Finish(FileMetaData* meta);
  // Stops and removes the file. REQUIRES: is_open().
  void Abandon();

 private:
  Env* const env_;
  const std::string dir_;
  const Options options_;
  TableCache* const table_cache_;
  uint64_t number_ = 0;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
};

// What a flush wrote.
struct FlushResult {
  FileMetaData meta;  // file_size == 0: every entry was dropped; no file remains
  CompactionIterator::Stats stats;
};

// Writes the entries of iter (a memtable iterator) as table file `number`, applying the
// drop rules of compaction_iterator.h with S = smallest_snapshot. A key is at its base level
// when no file of `base` holds it in its range (memtables are flushed oldest first, so no
// older memtable can hold it either). Syncs the directory if a file was written. Stops with
// an error if *cancel becomes true. Runs without the DB mutex; base must stay referenced.
Status BuildTable(const std::string& dir, const Options& options, TableCache* table_cache,
                  Iterator* iter, uint64_t number, uint64_t smallest_snapshot, const Version* base,
                  const std::atomic<bool>* cancel, FlushResult* result);

}  // namespace strata::store
