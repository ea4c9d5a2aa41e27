#include "store/version_set.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>

#include "store/compaction.h"
#include "store/dbformat.h"
#include "store/filename.h"
#include "store/log_reader.h"
#include "store/merger.h"
#include "store/table_cache.h"
#include "store/two_level_iterator.h"
#include "util/coding.h"

namespace strata::store {
namespace {

// A MANIFEST is rewritten (snapshot + new edits, CURRENT switched) once it is this large and
// four times its snapshot: its replay at open stays short, and a large tree (whose snapshot
// alone is big) does not roll over at every edit.
constexpr uint64_t kManifestRollBytes = 4 << 20;

std::string_view UserKey(const std::string& ikey) { return ExtractUserKey(ikey); }

// Index of the first file whose largest key is >= ikey (files.size() if none).
// REQUIRES: files sorted and non-overlapping (a level >= 1).
size_t FindFile(const std::vector<FilePtr>& files, std::string_view ikey) {
  auto it = std::lower_bound(
      files.begin(), files.end(), ikey,
      [](const FilePtr& f, std::string_view k) { return CompareInternalKeys(f->largest, k) < 0; });
  return static_cast<size_t>(it - files.begin());
}

// Index of the first file whose largest user key is >= user_key. Same requirement.
size_t FindFileByUserKey(const std::vector<FilePtr>& files, std::string_view user_key) {
  auto it = std::lower_bound(
      files.begin(), files.end(), user_key,
      [](const FilePtr& f, std::string_view k) { return UserKey(f->largest).compare(k) < 0; });
  return static_cast<size_t>(it - files.begin());
}

// Iterates the files of one level >= 1 as an index for a two-level iterator: key = the
// file's largest internal key, value = fixed64 number | fixed64 size. The vector must
// outlive the iterator (the Version or Compaction owning it is pinned by the caller).
class LevelFileNumIterator final : public Iterator {
 public:
  explicit LevelFileNumIterator(const std::vector<FilePtr>* files)
      : files_(files), index_(files->size()) {}

  bool Valid() const override { return index_ < files_->size(); }
  void SeekToFirst() override { index_ = 0; }
  void Seek(std::string_view target) override { index_ = FindFile(*files_, target); }
  void Next() override { index_++; }
  std::string_view key() const override { return (*files_)[index_]->largest; }
  std::string_view value() const override {
    EncodeFixed64(value_buf_, (*files_)[index_]->number);
    EncodeFixed64(value_buf_ + 8, (*files_)[index_]->file_size);
    return {value_buf_, sizeof(value_buf_)};
  }
  Status status() const override { return Status::OK(); }

 private:
  const std::vector<FilePtr>* const files_;
  size_t index_;
  mutable char value_buf_[16];
};

// Opens the table of one file entry of a LevelFileNumIterator.
using TableOpener = std::function<std::unique_ptr<Iterator>(uint64_t number, uint64_t size)>;

std::unique_ptr<Iterator> NewConcatenatingIterator(const std::vector<FilePtr>* files,
                                                   TableOpener open) {
  return NewTwoLevelIterator(
      std::make_unique<LevelFileNumIterator>(files),
      [open = std::move(open)](std::string_view value) {
        if (value.size() != 16) {
          return NewEmptyIterator(Status::Corruption("bad file entry in level iterator"));
        }
        return open(DecodeFixed64(value.data()), DecodeFixed64(value.data() + 8));
      });
}

// Collects MANIFEST damage during recovery.
class ManifestReporter final : public log::Reader::Reporter {
 public:
  void Corruption(uint64_t offset, size_t bytes, const Status& reason) override {
    if (status.ok()) {
      status =
          Status::Corruption(std::string(reason.message()) + " at offset " +
                             std::to_string(offset) + " (" + std::to_string(bytes) + " bytes)");
    }
  }
  Status status;
};

}  // namespace

uint64_t MaxBytesForLevel(const Options& options, int level) {
  uint64_t result = std::max<uint64_t>(options.max_bytes_for_level_base, 1);
  for (int l = 1; l < level; l++) result *= 10;
  return result;
}

// ---------------------------------------------------------------------------------------
// Version
// ---------------------------------------------------------------------------------------

void Version::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) vset_->RemoveVersion(this);
}

Status Version::Get(const ReadOptions& options, const LookupKey& key, std::string* value,
                    GetResult* result) const {
  *result = GetResult::kNotPresent;
  const std::string_view ikey = key.internal_key();
  const std::string_view user_key = key.user_key();
  TableCache* const cache = vset_->table_cache_;
  TableGetResult r;
  r.value = value;
  // True when the file answered for the key (found a value or a tombstone).
  auto probe = [&](const FileMetaData& f, Status* s) {
    *s = cache->Get(options, f.number, f.file_size, ikey, &r);
    if (!s->ok() || !r.found) return !s->ok();
    *result = r.kind == ValueKind::kValue ? GetResult::kFound : GetResult::kDeleted;
    return true;
  };

  Status s;
  for (const FilePtr& f : files_[0]) {  // newest first
    if (user_key.compare(UserKey(f->smallest)) < 0 || user_key.compare(UserKey(f->largest)) > 0) {
      continue;
    }
    if (probe(*f, &s)) return s;
  }
  for (int level = 1; level < kNumLevels; level++) {
    const std::vector<FilePtr>& files = files_[level];
    if (files.empty()) continue;
    const size_t i = FindFile(files, ikey);
    if (i == files.size() || user_key.compare(UserKey(files[i]->smallest)) < 0) continue;
    if (probe(*files[i], &s)) return s;
  }
  return Status::OK();
}

void Version::AddIterators(const ReadOptions& options,
                           std::vector<std::unique_ptr<Iterator>>* iters) {
  TableCache* const cache = vset_->table_cache_;
  for (const FilePtr& f : files_[0]) {
    iters->push_back(cache->NewIterator(options, f->number, f->file_size));
  }
  for (int level = 1; level < kNumLevels; level++) {
    if (!files_[level].empty()) {
      iters->push_back(NewConcatenatingIterator(&files_[level],
                                                [cache, options](uint64_t number, uint64_t size) {
                                                  return cache->NewIterator(options, number, size);
                                                }));
    }
  }
}

void Version::GetOverlappingInputs(int level, const std::string_view* begin,
                                   const std::string_view* end,
                                   std::vector<FilePtr>* inputs) const {
  inputs->clear();
  std::string user_begin, user_end;
  if (begin != nullptr) user_begin.assign(*begin);
  if (end != nullptr) user_end.assign(*end);
  const std::vector<FilePtr>& files = files_[level];
  for (size_t i = 0; i < files.size();) {
    const FilePtr& f = files[i++];
    const std::string_view file_start = UserKey(f->smallest);
    const std::string_view file_limit = UserKey(f->largest);
    if (begin != nullptr && file_limit.compare(user_begin) < 0) continue;
    if (end != nullptr && file_start.compare(user_end) > 0) continue;
    inputs->push_back(f);
    if (level == 0) {
      // L0 files overlap each other: if this file widens the range, restart with the wider
      // range so that every file overlapping it is taken too.
      if (begin != nullptr && file_start.compare(user_begin) < 0) {
        user_begin.assign(file_start);
        inputs->clear();
        i = 0;
      } else if (end != nullptr && file_limit.compare(user_end) > 0) {
        user_end.assign(file_limit);
        inputs->clear();
        i = 0;
      }
    }
  }
}

bool Version::OverlapInLevel(int level, std::string_view smallest, std::string_view largest) const {
  const std::vector<FilePtr>& files = files_[level];
  if (level == 0) {
    for (const FilePtr& f : files) {
      if (smallest.compare(UserKey(f->largest)) <= 0 &&
          largest.compare(UserKey(f->smallest)) >= 0) {
        return true;
      }
    }
    return false;
  }
  const size_t i = FindFileByUserKey(files, smallest);
  return i < files.size() && largest.compare(UserKey(files[i]->smallest)) >= 0;
}

bool Version::MayContainKey(std::string_view user_key) const {
  for (int level = 0; level < kNumLevels; level++) {
    if (OverlapInLevel(level, user_key, user_key)) return true;
  }
  return false;
}

std::string Version::DebugString() const {
  std::string r;
  for (int level = 0; level < kNumLevels; level++) {
    r += "L" + std::to_string(level) + ":";
    for (const FilePtr& f : files_[level]) {
      r += " #" + std::to_string(f->number) + "[" + std::string(UserKey(f->smallest)) + ".." +
           std::string(UserKey(f->largest)) + "]";
    }
    r += "\n";
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// Builder: applies edits to a base version
// ---------------------------------------------------------------------------------------

class VersionSet::Builder {
 public:
  explicit Builder(Version* base) : base_(base) { base_->Ref(); }
  ~Builder() { base_->Unref(); }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  void Apply(const VersionEdit& edit) {
    for (const auto& [level, number] : edit.deleted_files()) {
      LevelState& state = levels_[level];
      if (state.added.erase(number) == 0) state.deleted.insert(number);
    }
    for (const auto& [level, f] : edit.new_files()) {
      LevelState& state = levels_[level];
      state.deleted.erase(f.number);
      FilePtr added = std::make_shared<FileMetaData>(f);
      added->being_compacted = false;  // e.g. a trivial move copies a busy input's metadata
      state.added[f.number] = std::move(added);
    }
  }

  // Builds the new version's file lists and checks the level invariants (version_set.h).
  Status SaveTo(Version* v) const {
    std::set<uint64_t> seen;
    for (int level = 0; level < kNumLevels; level++) {
      const LevelState& state = levels_[level];
      std::vector<FilePtr>& files = v->files_[level];
      size_t deleted_found = 0;
      for (const FilePtr& f : base_->files_[level]) {
        if (state.deleted.count(f->number) != 0) {
          deleted_found++;
        } else if (state.added.count(f->number) == 0) {
          files.push_back(f);
        }
      }
      if (deleted_found != state.deleted.size()) {
        return Status::Corruption("version edit deletes a file not in level " +
                                  std::to_string(level));
      }
      for (const auto& [number, f] : state.added) files.push_back(f);

      if (level == 0) {
        std::sort(files.begin(), files.end(),
                  [](const FilePtr& a, const FilePtr& b) { return a->number > b->number; });
      } else {
        std::sort(files.begin(), files.end(), [](const FilePtr& a, const FilePtr& b) {
          return CompareInternalKeys(a->smallest, b->smallest) < 0;
        });
      }
      uint64_t bytes = 0;
      for (size_t i = 0; i < files.size(); i++) {
        const FileMetaData& f = *files[i];
        bytes += f.file_size;
        if (!seen.insert(f.number).second) {
          return Status::Corruption("file " + std::to_string(f.number) + " is listed twice");
        }
        if (CompareInternalKeys(f.smallest, f.largest) > 0) {
          return Status::Corruption("file " + std::to_string(f.number) +
                                    " has smallest key > largest key");
        }
        if (level > 0 && i > 0 &&
            UserKey(files[i - 1]->largest).compare(UserKey(f.smallest)) >= 0) {
          return Status::Corruption("files " + std::to_string(files[i - 1]->number) + " and " +
                                    std::to_string(f.number) + " overlap in level " +
                                    std::to_string(level));
        }
      }
      v->level_bytes_[level] = bytes;
    }
    return Status::OK();
  }

 private:
  struct LevelState {
    std::set<uint64_t> deleted;         // base files to drop
    std::map<uint64_t, FilePtr> added;  // files to add (by number)
  };
  Version* const base_;
  LevelState levels_[kNumLevels];
};

// ---------------------------------------------------------------------------------------
// VersionSet
// ---------------------------------------------------------------------------------------

VersionSet::VersionSet(const std::string& dir, const Options& options, TableCache* table_cache)
    : env_(options.env), dir_(dir), options_(options), table_cache_(table_cache) {
  AppendVersion(new Version(this));
}

VersionSet::~VersionSet() {
  Version* v = current_;
  current_ = nullptr;
  v->Unref();
  std::lock_guard<std::mutex> l(list_mutex_);
  assert(dummy_versions_.next_ == &dummy_versions_ && "a Version outlived its VersionSet");
}

// A version's read budget (Version::ChargeRead), in units of ~0.1 us of reader time.
// Compacting level L into L+1 rewrites about L's bytes and those of L+1 they overlap (random
// keys overlap all of L+1), ~7 ns a byte of one background thread. For L0 all files go down
// at once and every read saves one probe per file, so it pays for itself after about
// (L0 + L1 bytes) / (14 * L0 files) units of reads. For a deeper level one file goes down at
// a time and saves only the reads of its key range, about 1 / (files of L), while it rewrites
// about (L + L+1 bytes) / (files of L): (L + L+1 bytes) / 14 units again. Reader time counts
// for more than a background thread's, so the budget is a quarter of that; yet a write-heavy
// workload, whose read-before-writes charge it too, rarely spends it before the next flush or
// compaction makes a new version with a fresh budget. Small databases get kMinReadBudget.
void Version::SetReadBudget(int paid_level) {
  constexpr int64_t kBytesPerUnit = 56;
  constexpr int64_t kMinReadBudget = 4096;
  int level = -1;
  int64_t runs = 1;  // of the level that goes down, each saved by the compaction
  if (NumFiles(0) > 0) {
    level = 0;
    runs = NumFiles(0);
  } else {
    for (int l = 1; l + 1 < kNumLevels && level < 0; l++) {
      if (NumFiles(l) > 0 && NumFiles(l + 1) > 0) level = l;
    }
  }
  read_compaction_level_ = level;
  if (level < 0) return;
  if (level > 0 && level == paid_level) {
    read_compaction_due_.store(true, std::memory_order_relaxed);
    return;  // the budget stays 0: ChargeRead reports nothing more
  }
  const int64_t bytes = static_cast<int64_t>(NumBytes(level) + NumBytes(level + 1));
  read_budget_.store(std::max(kMinReadBudget, bytes / (kBytesPerUnit * runs)),
                     std::memory_order_relaxed);
}

void VersionSet::RecordReadCompaction(int level, int files) {
  assert(level > 0);
  if (level == read_paid_level_ && read_paid_files_ > 0) {
    read_paid_files_--;
  } else {
    read_paid_level_ = level;
    read_paid_files_ = files - 1;  // this compaction takes the first
  }
}

void VersionSet::AppendVersion(Version* v) {
  v->SetReadBudget(read_paid_files_ > 0 ? read_paid_level_ : -1);
  // A version whose read-compaction level is L0 (a flush came between) keeps the paid
  // compactions for when the paid level is next in turn; any other level ends them (the paid
  // level was emptied, or nothing lies below it any more).
  const int level = v->read_compaction_level();
  if (level != read_paid_level_ && level != 0) read_paid_files_ = 0;
  v->Ref();
  {
    std::lock_guard<std::mutex> l(list_mutex_);
    v->prev_ = dummy_versions_.prev_;
    v->next_ = &dummy_versions_;
    v->prev_->next_ = v;
    v->next_->prev_ = v;
  }
  Version* old = current_;
  current_ = v;
  if (old != nullptr) old->Unref();
}

void VersionSet::RemoveVersion(Version* v) {
  {
    std::lock_guard<std::mutex> l(list_mutex_);
    v->prev_->next_ = v->next_;
    v->next_->prev_ = v->prev_;
  }
  delete v;
  version_dropped_.store(true, std::memory_order_relaxed);
}

void VersionSet::AddLiveFiles(std::set<uint64_t>* live) const {
  std::lock_guard<std::mutex> l(list_mutex_);
  for (const Version* v = dummy_versions_.next_; v != &dummy_versions_; v = v->next_) {
    for (int level = 0; level < kNumLevels; level++) {
      for (const FilePtr& f : v->files_[level]) live->insert(f->number);
    }
  }
}

void VersionSet::WriteSnapshot(VersionEdit* edit) const {
  edit->SetFormatVersion(kManifestFormatVersion);
  edit->SetLogNumber(log_number_);
  edit->SetNextFile(next_file_number_);
  edit->SetLastSequence(last_sequence_);
  for (int level = 0; level < kNumLevels; level++) {
    if (!compact_pointer_[level].empty()) edit->SetCompactPointer(level, compact_pointer_[level]);
    for (const FilePtr& f : current_->files_[level]) edit->AddFile(level, *f);
  }
}

Status VersionSet::LogAndApply(VersionEdit* edit, std::unique_lock<std::mutex>* lock) {
  writer_cv_.wait(*lock, [this] { return !writing_; });

  if (edit->has_log_number()) {
    assert(edit->log_number() >= log_number_);
  } else {
    edit->SetLogNumber(log_number_);
  }
  if (!edit->has_last_sequence()) edit->SetLastSequence(last_sequence_);

  auto* v = new Version(this);
  {
    Builder builder(current_);
    builder.Apply(*edit);
    Status s = builder.SaveTo(v);
    if (!s.ok()) {
      delete v;
      return s;
    }
  }

  // A new MANIFEST starts with the state before this edit; the edit follows it.
  const bool new_manifest =
      descriptor_log_ == nullptr ||
      descriptor_log_->FileSize() > std::max(kManifestRollBytes, 4 * snapshot_bytes_);
  uint64_t new_number = 0;
  std::string snapshot_record;
  if (new_manifest) {
    new_number = NewFileNumber();
    VersionEdit snapshot;
    WriteSnapshot(&snapshot);
    snapshot.EncodeTo(&snapshot_record);
  }
  edit->SetNextFile(next_file_number_);
  std::string record;
  edit->EncodeTo(&record);

  // The I/O runs without the DB mutex; writing_ keeps other LogAndApply calls out.
  writing_ = true;
  lock->unlock();
  Status s;
  std::unique_ptr<WritableFile> new_file;
  std::unique_ptr<log::Writer> new_log;
  log::Writer* log = descriptor_log_.get();
  WritableFile* file = descriptor_file_.get();
  if (new_manifest) {
    s = env_->NewWritableFile(DescriptorFileName(dir_, new_number), &new_file);
    if (s.ok()) {
      new_log = std::make_unique<log::Writer>(new_file.get());
      log = new_log.get();
      file = new_file.get();
      s = log->AddRecord(snapshot_record);
    }
  }
  if (s.ok()) s = log->AddRecord(record);
  if (s.ok()) s = file->Sync();
  // Only a complete, synced MANIFEST may become CURRENT.
  bool current_switched = false;  // CURRENT may name the new MANIFEST
  if (s.ok() && new_manifest) {
    s = SetCurrentFile(env_, dir_, new_number);
    // Even on failure: the rename may have happened (a failed directory fsync).
    current_switched = true;
  }
  if (!s.ok() && new_manifest) {
    new_log.reset();
    if (new_file != nullptr) new_file->Close();
    new_file.reset();
    // A MANIFEST that CURRENT may name must stay (it is complete and synced); it becomes
    // obsolete, like any older one, once a newer MANIFEST is current.
    if (!current_switched) env_->RemoveFile(DescriptorFileName(dir_, new_number));
  }
  lock->lock();
  writing_ = false;
  writer_cv_.notify_all();

  if (!s.ok()) {
    delete v;
    // The live MANIFEST is in an unknown state: it may end in a partial record, its fsync
    // failed, or CURRENT may already name the new one. Never append to it again: the next
    // edit starts a new MANIFEST with a full snapshot and switches CURRENT to it (as LevelDB
    // and RocksDB do), so an edit can never follow a torn record or go to a file CURRENT no
    // longer names.
    if (descriptor_file_ != nullptr) descriptor_file_->Close();
    descriptor_log_.reset();
    descriptor_file_.reset();
    return s;
  }
  if (new_manifest) {
    if (descriptor_file_ != nullptr) descriptor_file_->Close();
    descriptor_log_ = std::move(new_log);
    descriptor_file_ = std::move(new_file);
    manifest_file_number_ = new_number;
    snapshot_bytes_ = snapshot_record.size();
  }
  for (const auto& [level, key] : edit->compact_pointers()) compact_pointer_[level] = key;
  log_number_ = edit->log_number();
  last_sequence_ = edit->last_sequence();
  AppendVersion(v);
  return Status::OK();
}

Status VersionSet::ReadManifest(const std::string& fname, Builder* builder, VersionEdit* totals) {
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  ManifestReporter reporter;
  log::Reader reader(file.get(), &reporter);
  std::string scratch;
  std::string_view record;
  bool first = true;
  while (reader.ReadRecord(&record, &scratch) && reporter.status.ok()) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (!s.ok()) return Status::Corruption(fname, s.message());
    if (first) {
      if (!edit.has_format_version()) {
        return Status::Corruption(fname, "not a Strata MANIFEST (no format version)");
      }
      if (edit.format_version() != kManifestFormatVersion) {
        return Status::NotSupported(fname, "MANIFEST format version " +
                                               std::to_string(edit.format_version()) +
                                               " is not supported by this build");
      }
      first = false;
    }
    builder->Apply(edit);
    for (const auto& [level, key] : edit.compact_pointers()) compact_pointer_[level] = key;
    if (edit.has_log_number()) totals->SetLogNumber(edit.log_number());
    if (edit.has_next_file_number()) totals->SetNextFile(edit.next_file_number());
    if (edit.has_last_sequence()) totals->SetLastSequence(edit.last_sequence());
  }
  if (!reader.status().ok()) return reader.status();
  if (!reporter.status.ok()) return Status::Corruption(fname, reporter.status.message());
  if (reader.torn_tail() && options_.info_log) {
    // An append that never completed was never acknowledged: its edit never took effect.
    options_.info_log(LogLevel::kWarn, fname + " ends in an incomplete record at offset " +
                                           std::to_string(reader.torn_tail_offset()) +
                                           ": ignored (a crash interrupted that update)");
  }
  if (first) return Status::Corruption(fname, "empty MANIFEST");
  return Status::OK();
}

Status VersionSet::Recover() {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dir_), &current);
  if (!s.ok()) return s;
  uint64_t manifest_number;
  FileType type;
  if (current.empty() || current.back() != '\n' ||
      !ParseFileName(std::string_view(current).substr(0, current.size() - 1), &manifest_number,
                     &type) ||
      type != FileType::kDescriptorFile) {
    return Status::Corruption(CurrentFileName(dir_), "does not name a MANIFEST");
  }
  current.pop_back();
  const std::string fname = dir_ + "/" + current;

  Builder builder(current_);
  VersionEdit totals;
  s = ReadManifest(fname, &builder, &totals);
  if (!s.ok()) return s;
  if (!totals.has_next_file_number() || !totals.has_log_number() || !totals.has_last_sequence()) {
    return Status::Corruption(fname, "lacks the next file, log number or last sequence");
  }
  auto* v = new Version(this);
  s = builder.SaveTo(v);
  if (!s.ok()) {
    delete v;
    return Status::Corruption(fname, s.message());
  }
  AppendVersion(v);
  // The old MANIFEST stays until the first LogAndApply has written a new one.
  manifest_file_number_ = manifest_number;
  next_file_number_ = std::max(totals.next_file_number(), manifest_number + 1);
  log_number_ = totals.log_number();
  last_sequence_ = totals.last_sequence();
  MarkFileNumberUsed(log_number_);
  return Status::OK();
}

std::unique_ptr<Iterator> VersionSet::MakeInputIterator(const Compaction& c) {
  TableCache* const cache = table_cache_;
  std::vector<std::unique_ptr<Iterator>> iters;
  for (int level = c.start_level(); level <= c.output_level(); level++) {
    const std::vector<FilePtr>& files = c.inputs(level);
    if (files.empty()) continue;
    if (level == 0) {
      for (const FilePtr& f : files) {
        iters.push_back(cache->NewCompactionIterator(f->number, f->file_size));
      }
    } else {
      iters.push_back(NewConcatenatingIterator(&files, [cache](uint64_t number, uint64_t size) {
        return cache->NewCompactionIterator(number, size);
      }));
    }
  }
  return NewMergingIterator(InternalKeyComparator(), std::move(iters));
}

}  // namespace strata::store
