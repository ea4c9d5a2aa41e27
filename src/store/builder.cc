#include "store/builder.h"

#include "store/filename.h"
#include "store/table_cache.h"
#include "store/version_set.h"

namespace strata::store {

TableFileWriter::TableFileWriter(const std::string& dir, const Options& options,
                                 TableCache* table_cache)
    : env_(options.env), dir_(dir), options_(options), table_cache_(table_cache) {}

TableFileWriter::~TableFileWriter() {
  if (is_open()) Abandon();
}

Status TableFileWriter::Open(uint64_t number) {
  number_ = number;
  Status s = env_->NewWritableFile(TableFileName(dir_, number), &file_);
  if (!s.ok()) {
    file_.reset();
    return s;
  }
  builder_ = std::make_unique<TableBuilder>(options_, file_.get());
  return Status::OK();
}

void TableFileWriter::Add(std::string_view internal_key, std::string_view value) {
  builder_->Add(internal_key, value);
}

Status TableFileWriter::Finish(FileMetaData* meta) {
  Status s = builder_->Finish();
  if (s.ok()) s = file_->Sync();
  Status c = file_->Close();
  if (s.ok()) s = c;
  meta->number = number_;
  meta->file_size = builder_->FileSize();
  meta->smallest = builder_->properties().smallest_key;
  meta->largest = builder_->properties().largest_key;
  meta->num_entries = builder_->properties().num_entries;
  meta->num_deletions = builder_->properties().num_deletions;
  builder_.reset();
  file_.reset();
  if (s.ok() && table_cache_ != nullptr) s = table_cache_->Verify(number_, meta->file_size);
  if (!s.ok()) {
    if (table_cache_ != nullptr) table_cache_->Evict(number_);
    env_->RemoveFile(TableFileName(dir_, number_));
    meta->file_size = 0;
  }
  return s;
}

void TableFileWriter::Abandon() {
  builder_->Abandon();
  builder_.reset();
  file_->Close();
  file_.reset();
  env_->RemoveFile(TableFileName(dir_, number_));
}

Status BuildTable(const std::string& dir, const Options& options, TableCache* table_cache,
                  Iterator* iter, uint64_t number, uint64_t smallest_snapshot, const Version* base,
                  const std::atomic<bool>* cancel, FlushResult* result) {
  result->meta = FileMetaData();
  CompactionIterator it(
      iter, smallest_snapshot, options.compaction_filter.get(),
      [base](std::string_view user_key) { return !base->MayContainKey(user_key); },
      /*flush=*/true);
  TableFileWriter writer(dir, options, table_cache);
  Status s;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (!writer.is_open()) {
      s = writer.Open(number);
      if (!s.ok()) break;
    }
    writer.Add(it.key(), it.value());
    if ((writer.NumEntries() & 1023) == 0 && cancel->load(std::memory_order_relaxed)) {
      s = Status::IOError("flush", "cancelled: the store is shutting down");
      break;
    }
  }
  if (s.ok()) s = it.status();
  result->stats = it.stats();
  if (!writer.is_open()) return s;  // nothing written (or the create failed)
  if (!s.ok()) {
    writer.Abandon();
    return s;
  }
  s = writer.Finish(&result->meta);
  // The new file's directory entry is durable before any MANIFEST edit names it.
  if (s.ok()) s = options.env->SyncDir(dir);
  return s;
}

}  // namespace strata::store
