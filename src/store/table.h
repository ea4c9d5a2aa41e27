// Table: a reader for one immutable SSTable file (layout in format.h). Open reads the footer
// and the index, filter and properties blocks once and keeps them in memory for the table's
// lifetime; data blocks are read on demand, through the block cache when one is given.
//
// Thread-safe: one Table may serve any number of concurrent Gets and iterators. An iterator
// must not outlive its Table.
//
// Integrity: every block read from the file has its checksum verified, except data blocks
// read with ReadOptions::verify_checksums = false that will not be cached (a block put in
// the shared cache is always verified, so an unverified read cannot poison later readers).
// A corrupt block makes Gets and iterators return Corruption, never wrong data.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/block.h"
#include "store/cache.h"
#include "store/dbformat.h"
#include "store/env.h"
#include "store/format.h"
#include "store/iterator.h"
#include "store/options.h"
#include "util/status.h"

namespace strata::store {

// What Table::InternalGet found for a user key.
struct TableGetResult {
  // In: where to copy the value of a found kValue entry; nullptr to skip the copy.
  std::string* value = nullptr;
  // Out: whether the table holds an entry for the user key with sequence <= the lookup's.
  bool found = false;
  ValueKind kind = ValueKind::kValue;  // when found: kDeletion means deleted at `sequence`
  uint64_t sequence = 0;
  // Out: the bloom filter was consulted / said "absent" (so no data block was read).
  bool filter_checked = false;
  bool filter_excluded = false;
};

class Table {
 public:
  // Opens the table in file (file_size bytes). block_cache may be null (no caching) and is
  // not owned; it must outlive the table. cache_id names this file's blocks in the cache: it
  // must be unique among the tables sharing the cache and must always denote the same file
  // contents (a DB's file numbers are: files are immutable and numbers never reused); 0 asks
  // for block_cache->NewId(). Corruption if the file is not a well-formed table.
  static Status Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                     uint64_t file_size, Cache* block_cache, uint64_t cache_id,
                     std::unique_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // An iterator over the table's entries (internal keys, ascending).
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) const;

  // Looks up the newest entry of ikey's user key with sequence <= ikey's sequence (ikey is
  // usually (user_key, snapshot_seq, kSeekKind)). Consults the bloom filter first, then the
  // index, then reads the one data block that may hold the key. Fills *result; returns OK
  // whether or not the key was found, Corruption/IOError if a block could not be read, and
  // InvalidArgument if ikey is not an internal key.
  Status InternalGet(const ReadOptions& options, std::string_view ikey,
                     TableGetResult* result) const;

  // Approximate file offset where ikey's entries would be (the offset of the data block that
  // would hold it; the data size when ikey is past the last key).
  uint64_t ApproximateOffsetOf(std::string_view ikey) const;

  const TableProperties& properties() const { return props_; }
  bool has_filter() const { return !filter_.data.empty(); }
  uint64_t file_size() const { return file_size_; }

  struct BloomStats {
    uint64_t checked = 0;         // InternalGet calls that consulted the filter
    uint64_t useful = 0;          // the filter said "absent": no block read
    uint64_t false_positive = 0;  // the filter said "maybe" but no visible entry was found
  };
  BloomStats bloom_stats() const;

 private:
  // A data block pinned for reading: through a cache handle or owned outright.
  struct BlockRef;

  Table(std::unique_ptr<RandomAccessFile> file, uint64_t file_size, Cache* cache,
        uint64_t cache_id);
  // Reads (or finds in the cache) the data block named by an index entry's value.
  Status GetDataBlock(const ReadOptions& options, std::string_view index_value,
                      BlockRef* ref) const;
  std::unique_ptr<Iterator> DataBlockIterator(const ReadOptions& options,
                                              std::string_view index_value) const;

  std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  Cache* const cache_;  // may be null
  const uint64_t cache_id_;
  uint64_t data_end_ = 0;  // data block handles must end at or before this offset

  std::unique_ptr<Block> index_block_;
  BlockContents filter_;  // empty: no filter
  TableProperties props_;

  mutable std::atomic<uint64_t> bloom_checked_{0};
  mutable std::atomic<uint64_t> bloom_useful_{0};
  mutable std::atomic<uint64_t> bloom_false_positive_{0};
};

}  // namespace strata::store
