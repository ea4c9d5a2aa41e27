// TableCache: file number -> open Table, so that reads do not reopen a table (and re-read its
// footer, index, filter and properties blocks) for every lookup. Bounded by
// Options::max_open_files open tables, least recently used evicted first; each open table
// keeps one file descriptor. Data blocks go through the shared block cache, keyed by file
// number (numbers are never reused in a directory, so a number always names the same bytes).
//
// A table in use stays open even when evicted: the handle (or the iterator holding it) pins
// it, and an unlinked file stays readable through its open descriptor. So a compaction may
// delete its input files while older iterators still read them.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/cache.h"
#include "store/env.h"
#include "store/iterator.h"
#include "store/options.h"
#include "store/table.h"
#include "util/status.h"

namespace strata::store {

class TableCache {
 public:
  // block_cache may be null (no block caching); it must outlive this cache. options.env must
  // be set.
  TableCache(const std::string& dir, const Options& options, Cache* block_cache);
  // REQUIRES: no iterator from NewIterator is alive.
  ~TableCache();

  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  // An iterator over table `number` (file_size bytes), pinning the table until destroyed.
  // If the table cannot be opened, an empty iterator carrying the error.
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options, uint64_t number,
                                        uint64_t file_size);

  // An iterator for a compaction's one pass over table `number`: checksums verified, no
  // block cache filled. With Options::mmap_reads the table is opened afresh on a pread file,
  // private to the iterator: read through the shared mapping, every page of a compaction's
  // input (the whole of L1 and more for an L0 compaction) would stay resident in this
  // process until the inputs are deleted. pread leaves those pages in the page cache only.
  std::unique_ptr<Iterator> NewCompactionIterator(uint64_t number, uint64_t file_size);

  // Table::InternalGet on table `number`, counting bloom filter outcomes.
  Status Get(const ReadOptions& options, uint64_t number, uint64_t file_size, std::string_view ikey,
             TableGetResult* result);

  // Opens the table (or finds it open): a flush or compaction calls this once on each file
  // it wrote, so that a table that does not read back is never installed.
  Status Verify(uint64_t number, uint64_t file_size);

  // Drops the table from the cache (its file is being deleted). Users holding it keep it.
  void Evict(uint64_t number);

  // Bloom filter outcomes over every Get so far.
  uint64_t bloom_useful() const { return bloom_useful_.load(std::memory_order_relaxed); }
  uint64_t bloom_false_positive() const {
    return bloom_false_positive_.load(std::memory_order_relaxed);
  }

 private:
  // Opens table `number` through a mapping or with pread, its data blocks cached in
  // block_cache (may be null).
  Status OpenTable(uint64_t number, uint64_t file_size, bool mapped, Cache* block_cache,
                   std::unique_ptr<Table>* table);
  Status FindTable(uint64_t number, uint64_t file_size, Cache::Handle** handle);

  Env* const env_;
  const std::string dir_;
  const Options options_;
  Cache* const block_cache_;
  std::unique_ptr<Cache> cache_;  // number -> Table*, charge 1 per table
  std::atomic<uint64_t> bloom_useful_{0};
  std::atomic<uint64_t> bloom_false_positive_{0};
};

}  // namespace strata::store
