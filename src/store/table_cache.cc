#include "store/table_cache.h"

#include <algorithm>

#include "store/filename.h"
#include "store/two_level_iterator.h"
#include "util/coding.h"

namespace strata::store {
namespace {

void DeleteTable(std::string_view /*key*/, void* value) {
  std::default_delete<Table>()(static_cast<Table*>(value));
}

// Open-table budget: a few descriptors stay free for WALs, the MANIFEST and new tables.
size_t TableBudget(int max_open_files) {
  constexpr int kReserved = 10;
  return static_cast<size_t>(std::max(max_open_files - kReserved, 16));
}

}  // namespace

TableCache::TableCache(const std::string& dir, const Options& options, Cache* block_cache)
    : env_(options.env),
      dir_(dir),
      options_(options),
      block_cache_(block_cache),
      cache_(NewLRUCache(TableBudget(options.max_open_files))) {}

TableCache::~TableCache() = default;

Status TableCache::OpenTable(uint64_t number, uint64_t file_size, bool mapped, Cache* block_cache,
                             std::unique_ptr<Table>* table) {
  const std::string fname = TableFileName(dir_, number);
  std::unique_ptr<RandomAccessFile> file;
  Status s =
      mapped ? env_->NewMappedReadableFile(fname, &file) : env_->NewRandomAccessFile(fname, &file);
  if (!s.ok()) return s;
  // The file number is the block cache id: unique per directory and never reused.
  s = Table::Open(options_, std::move(file), file_size, block_cache, number, table);
  if (s.IsCorruption()) return Status::Corruption(fname, s.message());
  return s;
}

Status TableCache::FindTable(uint64_t number, uint64_t file_size, Cache::Handle** handle) {
  char key[8];
  EncodeFixed64(key, number);
  const std::string_view k(key, sizeof(key));
  *handle = cache_->Lookup(k);
  if (*handle != nullptr) return Status::OK();

  // Two threads missing at once both open the table; the second Insert replaces the first,
  // which closes once its user releases it. Rare, and harmless.
  std::unique_ptr<Table> table;
  Status s = OpenTable(number, file_size, options_.mmap_reads, block_cache_, &table);
  if (!s.ok()) return s;
  *handle = cache_->Insert(k, table.release(), 1, &DeleteTable);
  return Status::OK();
}

std::unique_ptr<Iterator> TableCache::NewIterator(const ReadOptions& options, uint64_t number,
                                                  uint64_t file_size) {
  Cache::Handle* handle = nullptr;
  Status s = FindTable(number, file_size, &handle);
  if (!s.ok()) return NewEmptyIterator(std::move(s));
  const Table* table = static_cast<const Table*>(cache_->Value(handle));
  Cache* cache = cache_.get();
  return NewCleanupIterator(table->NewIterator(options),
                            [cache, handle] { cache->Release(handle); });
}

std::unique_ptr<Iterator> TableCache::NewCompactionIterator(uint64_t number, uint64_t file_size) {
  ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;  // a compaction reads every block once: keep the hot ones
  if (!options_.mmap_reads) return NewIterator(options, number, file_size);

  std::unique_ptr<Table> table;
  Status s = OpenTable(number, file_size, /*mapped=*/false, /*block_cache=*/nullptr, &table);
  if (!s.ok()) return NewEmptyIterator(std::move(s));
  std::unique_ptr<Iterator> iter = table->NewIterator(options);
  return NewCleanupIterator(std::move(iter), [t = table.release()] { delete t; });
}

Status TableCache::Get(const ReadOptions& options, uint64_t number, uint64_t file_size,
                       std::string_view ikey, TableGetResult* result) {
  Cache::Handle* handle = nullptr;
  Status s = FindTable(number, file_size, &handle);
  if (!s.ok()) return s;
  const Table* table = static_cast<const Table*>(cache_->Value(handle));
  s = table->InternalGet(options, ikey, result);
  cache_->Release(handle);
  if (s.ok() && result->filter_checked) {
    if (result->filter_excluded) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
    } else if (!result->found) {
      bloom_false_positive_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return s;
}

Status TableCache::Verify(uint64_t number, uint64_t file_size) {
  Cache::Handle* handle = nullptr;
  Status s = FindTable(number, file_size, &handle);
  if (s.ok()) cache_->Release(handle);
  return s;
}

void TableCache::Evict(uint64_t number) {
  char key[8];
  EncodeFixed64(key, number);
  cache_->Erase(std::string_view(key, sizeof(key)));
}

}  // namespace strata::store
