// TableBuilder: writes a sorted run of internal-key entries as an SSTable file. The file
// layout is documented in format.h (blocks: block_builder.h; filter: bloom.h).
//
// Use: Add() every entry in strictly increasing internal-key order (dbformat.h), then Finish()
// (or Abandon() to give up). The builder does not Sync or Close the file: the caller does,
// after Finish returns OK. Building a table from a memtable or a compaction:
//
//   TableBuilder b(options, file.get());
//   for (it->SeekToFirst(); it->Valid(); it->Next()) b.Add(it->key(), it->value());
//   Status s = it->status();
//   if (s.ok()) s = b.Finish(); else b.Abandon();
//   if (s.ok()) s = file->Sync();
//   if (s.ok()) s = file->Close();
//   ... b.FileSize(), b.properties().smallest_key / largest_key for the MANIFEST
//
// Uses from Options: block_size, block_restart_interval, bloom_bits_per_key (0: no filter),
// compression. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/block_builder.h"
#include "store/bloom.h"
#include "store/env.h"
#include "store/format.h"
#include "store/options.h"
#include "util/status.h"

namespace strata::store {

class TableBuilder {
 public:
  // Does not take ownership of file; it must outlive the builder.
  TableBuilder(const Options& options, WritableFile* file);
  // REQUIRES: Finish() or Abandon() was called.
  ~TableBuilder();

  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // Adds an entry. A key that is not a valid internal key, or not greater than the previous
  // one, makes status() InvalidArgument; after any error, Add does nothing.
  void Add(std::string_view internal_key, std::string_view value);

  // The first error from Add or from writing the file.
  Status status() const { return status_; }

  // Writes the last data block, the filter, index and properties blocks and the footer.
  // Returns status(). REQUIRES: neither Finish nor Abandon called before.
  Status Finish();
  // Stops building; the caller deletes the file.
  void Abandon();

  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes written to the file so far; the final file size after Finish.
  uint64_t FileSize() const { return offset_; }
  // FileSize plus the data block being built: what the file would be if cut now (compaction
  // uses this to cut output files at target_file_size).
  uint64_t EstimatedFileSize() const { return offset_ + data_block_.CurrentSizeEstimate(); }
  // Complete after Finish; before, the fields describe the entries added so far.
  const TableProperties& properties() const { return props_; }

 private:
  // Cuts the current data block.
  void FlushDataBlock();
  // Finishes block, compresses it if allowed and worthwhile, writes it, and resets it.
  void WriteBlock(BlockBuilder* block, bool compressible, BlockHandle* handle);
  void WriteRawBlock(std::string_view stored, Compression type, BlockHandle* handle);

  const size_t block_size_;
  const Compression compression_;
  WritableFile* const file_;
  uint64_t offset_ = 0;
  Status status_;
  bool closed_ = false;  // Finish or Abandon called

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::unique_ptr<BloomFilterBuilder> filter_;  // null: no filter
  std::string last_key_;
  TableProperties props_;

  // An index entry for the last written data block waits until the next key is known, so
  // its separator can be shortened to fall between the two blocks.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;

  std::string compressed_;  // reused compression output buffer
  std::string handle_encoding_;
};

}  // namespace strata::store
