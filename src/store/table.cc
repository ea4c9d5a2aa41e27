#include "store/table.h"

#include <algorithm>

#include "store/bloom.h"
#include "store/two_level_iterator.h"
#include "util/coding.h"

namespace strata::store {
namespace {

void DeleteCachedBlock(std::string_view /*key*/, void* value) {
  std::default_delete<Block>()(static_cast<Block*>(value));
}

void ReleaseCacheHandle(void* cache, void* handle) {
  static_cast<Cache*>(cache)->Release(static_cast<Cache::Handle*>(handle));
}

// A block handle read from the file must lie inside [0, end) with room for its trailer.
bool HandleFits(const BlockHandle& h, uint64_t end) {
  return h.offset <= end && h.size <= end - h.offset &&
         end - h.offset - h.size >= kBlockTrailerSize;
}

}  // namespace

struct Table::BlockRef {
  const Block* block = nullptr;
  Cache* cache = nullptr;
  Cache::Handle* handle = nullptr;  // non-null: block is pinned in cache
  std::unique_ptr<Block> owned;     // non-null: block is ours

  BlockRef() = default;
  BlockRef(const BlockRef&) = delete;
  BlockRef& operator=(const BlockRef&) = delete;
  ~BlockRef() {
    if (handle != nullptr) cache->Release(handle);
  }

  // Hands the pin over to an iterator over the block.
  void TransferTo(BlockIterator* it) {
    if (handle != nullptr) {
      it->SetCleanup(&ReleaseCacheHandle, cache, handle);
      handle = nullptr;
    } else {
      it->AdoptBlock(std::move(owned));
    }
  }
};

Table::Table(std::unique_ptr<RandomAccessFile> file, uint64_t file_size, Cache* cache,
             uint64_t cache_id)
    : file_(std::move(file)), file_size_(file_size), cache_(cache), cache_id_(cache_id) {}

Table::~Table() = default;

Status Table::Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                   uint64_t file_size, Cache* block_cache, uint64_t cache_id,
                   std::unique_ptr<Table>* table) {
  (void)options;  // everything the reader needs is in the file
  table->reset();
  if (file_size < Footer::kEncodedLength) return Status::Corruption("file too short for a table");

  char footer_space[Footer::kEncodedLength];
  std::string_view got;
  const uint64_t meta_end = file_size - Footer::kEncodedLength;
  Status s = file->Read(meta_end, Footer::kEncodedLength, &got, footer_space);
  if (!s.ok()) return s;
  if (got.size() != Footer::kEncodedLength) return Status::Corruption("truncated table footer");
  Footer footer;
  s = footer.DecodeFrom(got);
  if (!s.ok()) return s;
  if (!HandleFits(footer.index, meta_end) || !HandleFits(footer.properties, meta_end) ||
      (footer.filter.size > 0 && !HandleFits(footer.filter, meta_end))) {
    return Status::Corruption("bad block handle in table footer");
  }

  if (block_cache != nullptr && cache_id == 0) cache_id = block_cache->NewId();
  std::unique_ptr<Table> t(new Table(std::move(file), file_size, block_cache, cache_id));
  t->data_end_ = std::min(footer.index.offset, footer.properties.offset);
  if (footer.filter.size > 0) t->data_end_ = std::min(t->data_end_, footer.filter.offset);

  // Metadata blocks are always verified: they stay in memory for the table's lifetime.
  BlockContents contents;
  s = ReadBlock(t->file_.get(), footer.index, VerifyChecksum::kYes, &contents);
  if (!s.ok()) return s;
  t->index_block_ = std::make_unique<Block>(std::move(contents));
  if (!t->index_block_->well_formed()) return Status::Corruption("bad table index block");
  t->index_block_->BuildSearchIndex();  // every lookup and seek starts in the index

  if (footer.filter.size > 0) {
    s = ReadBlock(t->file_.get(), footer.filter, VerifyChecksum::kYes, &t->filter_);
    if (!s.ok()) return s;
  }

  s = ReadBlock(t->file_.get(), footer.properties, VerifyChecksum::kYes, &contents);
  if (!s.ok()) return s;
  s = DecodeTableProperties(contents.data, &t->props_);
  if (!s.ok()) return s;

  *table = std::move(t);
  return Status::OK();
}

Status Table::GetDataBlock(const ReadOptions& options, std::string_view index_value,
                           BlockRef* ref) const {
  BlockHandle h;
  if (!h.DecodeFrom(&index_value) || !HandleFits(h, data_end_)) {
    return Status::Corruption("bad data block handle in table index");
  }
  char key[16];
  if (cache_ != nullptr) {
    EncodeFixed64(key, cache_id_);
    EncodeFixed64(key + 8, h.offset);
    if (Cache::Handle* handle = cache_->Lookup(std::string_view(key, sizeof(key)))) {
      ref->cache = cache_;
      ref->handle = handle;
      ref->block = static_cast<const Block*>(cache_->Value(handle));
      return Status::OK();
    }
  }
  const bool will_cache = cache_ != nullptr && options.fill_cache;
  // A block put in the shared cache is always verified; a view of a mapped file never is
  // cached (it must not outlive this table).
  const VerifyChecksum verify = options.verify_checksums ? VerifyChecksum::kYes
                                : will_cache             ? VerifyChecksum::kIfOwned
                                                         : VerifyChecksum::kNo;
  BlockContents contents;
  Status s = ReadBlock(file_.get(), h, verify, &contents);
  if (!s.ok()) return s;
  auto block = std::make_unique<Block>(std::move(contents));
  if (will_cache && block->owns_memory()) {
    const size_t charge = block->charge();
    ref->cache = cache_;
    ref->handle =
        cache_->Insert(std::string_view(key, sizeof(key)), block.get(), charge, &DeleteCachedBlock);
    ref->block = block.release();
  } else {
    ref->block = block.get();
    ref->owned = std::move(block);
  }
  return Status::OK();
}

std::unique_ptr<Iterator> Table::DataBlockIterator(const ReadOptions& options,
                                                   std::string_view index_value) const {
  BlockRef ref;
  Status s = GetDataBlock(options, index_value, &ref);
  if (!s.ok()) return NewEmptyIterator(std::move(s));
  auto it = std::make_unique<BlockIterator>(ref.block, InternalKeyComparator());
  ref.TransferTo(it.get());
  return it;
}

std::unique_ptr<Iterator> Table::NewIterator(const ReadOptions& options) const {
  return NewTwoLevelIterator(index_block_->NewIterator(InternalKeyComparator()),
                             [this, options](std::string_view index_value) {
                               return DataBlockIterator(options, index_value);
                             });
}

Status Table::InternalGet(const ReadOptions& options, std::string_view ikey,
                          TableGetResult* result) const {
  result->found = false;
  result->filter_checked = false;
  result->filter_excluded = false;
  ParsedInternalKey target;
  if (!ParseInternalKey(ikey, &target)) {
    return Status::InvalidArgument("InternalGet: malformed internal key");
  }
  const bool filtered = has_filter();
  if (filtered) {
    bloom_checked_.fetch_add(1, std::memory_order_relaxed);
    result->filter_checked = true;
    if (!BloomFilterPolicy::KeyMayMatch(target.user_key, filter_.data)) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
      result->filter_excluded = true;
      return Status::OK();
    }
  }

  // Stack iterators: a point lookup allocates nothing but a missed block.
  BlockIterator index(index_block_.get(), InternalKeyComparator());
  index.Seek(ikey);
  if (index.Valid()) {
    BlockRef ref;
    Status s = GetDataBlock(options, index.value(), &ref);
    if (!s.ok()) return s;
    BlockIterator it(ref.block, InternalKeyComparator());
    it.Seek(ikey);
    if (it.Valid()) {
      ParsedInternalKey found;
      if (!ParseInternalKey(it.key(), &found)) {
        return Status::Corruption("bad internal key in table");
      }
      // Separators are tight (table_builder.cc), so the first entry >= ikey in the block is
      // the only candidate: if the block ends before one, the user key is absent.
      if (found.user_key == target.user_key) {
        result->found = true;
        result->kind = found.kind;
        result->sequence = found.sequence;
        if (result->value != nullptr && found.kind == ValueKind::kValue) {
          result->value->assign(it.value());
        }
        return Status::OK();
      }
    } else if (!it.status().ok()) {
      return it.status();
    }
  } else if (!index.status().ok()) {
    return index.status();
  }
  if (filtered) bloom_false_positive_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

uint64_t Table::ApproximateOffsetOf(std::string_view ikey) const {
  BlockIterator index(index_block_.get(), InternalKeyComparator());
  index.Seek(ikey);
  if (index.Valid()) {
    BlockHandle h;
    std::string_view v = index.value();
    if (h.DecodeFrom(&v)) return h.offset;
  }
  return data_end_;
}

Table::BloomStats Table::bloom_stats() const {
  BloomStats s;
  s.checked = bloom_checked_.load(std::memory_order_relaxed);
  s.useful = bloom_useful_.load(std::memory_order_relaxed);
  s.false_positive = bloom_false_positive_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace strata::store
