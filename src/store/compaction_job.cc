#include "store/compaction_job.h"

#include "store/builder.h"
#include "store/filename.h"
#include "store/table_cache.h"
#include "store/version_set.h"

namespace strata::store {

CompactionJob::CompactionJob(const std::string& dir, const Options& options, VersionSet* vset,
                             Compaction* c, uint64_t smallest_snapshot,
                             std::function<uint64_t()> new_file_number,
                             const std::atomic<bool>* cancel)
    : dir_(dir),
      options_(options),
      vset_(vset),
      c_(c),
      smallest_snapshot_(smallest_snapshot),
      new_file_number_(std::move(new_file_number)),
      cancel_(cancel) {}

Status CompactionJob::FinishOutput(TableFileWriter* writer) {
  FileMetaData meta;
  Status s = writer->Finish(&meta);
  if (s.ok()) {
    stats_.bytes_written += meta.file_size;
    outputs_.push_back(std::move(meta));
  }
  return s;
}

Status CompactionJob::Run() {
  Env* const env = options_.env;
  const uint64_t start = env->NowMicros();
  stats_.bytes_read = c_->input_bytes();
  std::unique_ptr<Iterator> input = vset_->MakeInputIterator(*c_);
  CompactionIterator it(
      input.get(), smallest_snapshot_, options_.compaction_filter.get(),
      [this](std::string_view user_key) { return c_->IsBaseLevelForKey(user_key); });
  TableFileWriter writer(dir_, options_, vset_->table_cache());
  Status s;
  bool stop_pending = false;  // the grandparent overlap asked for a cut inside a user key
  uint64_t n = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if ((++n & 1023) == 0 && cancel_->load(std::memory_order_relaxed)) {
      s = Status::IOError("compaction", "cancelled: the store is shutting down");
      break;
    }
    stop_pending = c_->ShouldStopBefore(it.key()) || stop_pending;
    // Cut only between user keys: a user key's versions stay in one file (version_set.h).
    if (writer.is_open() && it.starts_user_key() &&
        (stop_pending || writer.EstimatedFileSize() >= c_->max_output_file_size())) {
      s = FinishOutput(&writer);
      if (!s.ok()) break;
      stop_pending = false;
    }
    if (!writer.is_open()) {
      const uint64_t number = new_file_number_();
      allocated_.push_back(number);
      s = writer.Open(number);
      if (!s.ok()) break;
      stop_pending = false;
    }
    writer.Add(it.key(), it.value());
  }
  if (s.ok()) s = it.status();
  input.reset();
  if (s.ok() && writer.is_open()) s = FinishOutput(&writer);
  if (writer.is_open()) writer.Abandon();
  // The outputs' directory entries are durable before the MANIFEST names them.
  if (s.ok() && !outputs_.empty()) s = env->SyncDir(dir_);
  if (!s.ok()) {
    for (const FileMetaData& f : outputs_) {
      vset_->table_cache()->Evict(f.number);
      env->RemoveFile(TableFileName(dir_, f.number));
    }
    outputs_.clear();
  }
  stats_.entries = it.stats();
  stats_.micros = env->NowMicros() - start;
  return s;
}

void CompactionJob::AddToEdit() {
  c_->AddInputDeletions();
  for (const FileMetaData& f : outputs_) c_->edit()->AddFile(c_->output_level(), f);
}

}  // namespace strata::store
