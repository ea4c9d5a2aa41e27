// Version and VersionSet: which table files make up the tree, level by level, and the
// MANIFEST that records it.
//
// A Version is an immutable set of table files per level. The newest one is "current"; older
// ones stay alive while a reader (a Get, an iterator, a running compaction) holds a reference,
// so that the files they read are never deleted under them. A table file is obsolete - and
// may be deleted - only when no live Version lists it and no running flush or compaction is
// writing it (DBImpl's pending outputs).
//
// Level invariants (checked every time a Version is built; a violation is a Corruption and
// the Version is not installed, docs/design.md §6.1):
//   - L0 files are ordered newest first, by file number: flushes run one at a time, in
//     memtable order, and take their number when they start; compactions never write L0.
//     L0 files may overlap; a newer one shadows an older one.
//   - In L1..L6 files are sorted by key and never share a user key: every version of a user
//     key in a level is in one file (compaction cuts output files only between user keys and
//     always takes every file of the next level overlapping its range), so a point lookup
//     reads one file per level.
//
// The MANIFEST is a log (log_format.h framing) of VersionEdits (version_edit.h). The first
// record of each MANIFEST is a snapshot of the whole state (with the format version); every
// later record is one edit. CURRENT names the live MANIFEST. LogAndApply writes an edit,
// fsyncs it, and only then makes its Version current; a new MANIFEST (at the first edit
// after open, when the old one grows too large, and after a failed edit) is written and
// synced whole before CURRENT is switched to it by temp file + fsync + rename + directory
// fsync (filename.h SetCurrentFile; leveldb#74, #189, #195). A crash at any point leaves
// CURRENT naming a complete MANIFEST whose edits all refer to durable files.
//
// Thread safety: Version and VersionSet require external synchronization (DBImpl::mutex_,
// "the DB mutex") for everything, except:
//   - Version::Ref/Unref are atomic and may run without the DB mutex: readers drop their
//     references from any thread. The list of live Versions has its own leaf lock, taken
//     inside Unref and AddLiveFiles only.
//   - Version::Get, AddIterators, NumFiles, NumBytes and files() read immutable state: any
//     thread holding a reference may call them without the DB mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"
#include "store/iterator.h"
#include "store/log_writer.h"
#include "store/memtable.h"
#include "store/options.h"
#include "store/version_edit.h"
#include "util/status.h"

namespace strata::store {

class Compaction;
class TableCache;
class VersionSet;

using FilePtr = std::shared_ptr<FileMetaData>;

// Bytes a level may hold before it is compacted into the next: max_bytes_for_level_base for
// L1, ten times more per level below. (L0 is triggered by file count instead.)
uint64_t MaxBytesForLevel(const Options& options, int level);

class Version {
 public:
  // What Get found for a key.
  enum class GetResult { kNotPresent, kFound, kDeleted };

  // Looks key up in the tables: L0 files newest first, then the one file of each deeper
  // level whose range holds it (bloom filter -> index -> data block), stopping at the first
  // entry of the user key with sequence <= key's. OK with *result set, or the read error.
  Status Get(const ReadOptions& options, const LookupKey& key, std::string* value,
             GetResult* result) const;

  // Appends iterators over internal keys that together yield every entry of this version:
  // one per L0 file (newest first), one concatenating iterator per non-empty deeper level
  // (opening its files lazily, one at a time).
  void AddIterators(const ReadOptions& options, std::vector<std::unique_ptr<Iterator>>* iters);

  // Read-triggered compaction (LevelDB's seek compaction, Pebble's read compaction). A
  // version whose tables form more sorted runs than they must has a read-compaction level
  // (read_compaction_level()): L0 while it holds files (each L0 file is one more run), else
  // the shallowest level L >= 1 whose next level L+1 also holds files (L costs every read
  // one more file to probe and every scan one more cursor; compacting it into L+1 removes
  // that). While it has one, every point read that reaches the tables pays the version's
  // read budget kGetReadCost units (~0.1 us: one more bloom probe per extra run) and every
  // new iterator kIteratorReadCost (~3 us: one more index and data block seek, measured as
  // seek + 10 Next over 5M keys in L1 + L2 against L2 alone). The read that spends the last
  // unit gets true (one caller per version) and should wake the compaction threads; from then
  // on ReadCompactionDue() is true and PickCompaction compacts a file of that level (L0: all
  // of it) into the next, when no level needs a size-triggered compaction. The compaction
  // makes a new version, with a budget of its own, except that a deeper level's spent budget
  // pays for all of its files (VersionSet::RecordReadCompaction): the versions after it are
  // due at once until each of those files has gone down. A version with a single run (or
  // none) charges nothing. Any thread.
  static constexpr int64_t kGetReadCost = 1;
  static constexpr int64_t kIteratorReadCost = 32;
  bool ChargeRead(int64_t units) const {
    if (read_compaction_level_ < 0) return false;
    const int64_t before = read_budget_.fetch_sub(units, std::memory_order_relaxed);
    if (before <= 0 || before - units > 0) return false;
    read_compaction_due_.store(true, std::memory_order_relaxed);
    return true;
  }
  // -1 if none. Set before the version is published, then constant.
  int read_compaction_level() const { return read_compaction_level_; }
  bool ReadCompactionDue() const { return read_compaction_due_.load(std::memory_order_relaxed); }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a reference; the last one unlinks and deletes the version (its files may then
  // become obsolete). Any thread, with or without the DB mutex.
  void Unref();

  int NumFiles(int level) const { return static_cast<int>(files_[level].size()); }
  uint64_t NumBytes(int level) const { return level_bytes_[level]; }
  const std::vector<FilePtr>& files(int level) const { return files_[level]; }

  // The files of `level` overlapping the user key range [begin, end] (nullptr: unbounded on
  // that side). For L0 the range grows to cover every file that overlaps it, transitively,
  // because a compaction may not move an L0 file down while an older overlapping one stays.
  void GetOverlappingInputs(int level, const std::string_view* begin, const std::string_view* end,
                            std::vector<FilePtr>* inputs) const;
  // Whether some file of `level` overlaps the user key range [smallest, largest].
  bool OverlapInLevel(int level, std::string_view smallest, std::string_view largest) const;
  // Whether some file of some level holds user_key in its range.
  bool MayContainKey(std::string_view user_key) const;

  // One line per level with its files, for tests and logs.
  std::string DebugString() const;

 private:
  friend class VersionSet;
  explicit Version(VersionSet* vset) : vset_(vset) {}
  ~Version() = default;
  Version(const Version&) = delete;
  Version& operator=(const Version&) = delete;
  // Reads have already paid for compacting a file of paid_level (>= 1; -1: none): if that is
  // this version's read-compaction level, the version is due from the start.
  void SetReadBudget(int paid_level);

  VersionSet* const vset_;
  std::atomic<int> refs_{0};
  // The live-version list, GUARDED_BY(vset_->list_mutex_).
  Version* next_ = this;
  Version* prev_ = this;
  std::vector<FilePtr> files_[kNumLevels];
  uint64_t level_bytes_[kNumLevels] = {};
  // Set by SetReadBudget (from VersionSet::AppendVersion) before the version is published.
  int read_compaction_level_ = -1;
  mutable std::atomic<int64_t> read_budget_{0};
  mutable std::atomic<bool> read_compaction_due_{false};
};

class VersionSet {
 public:
  // table_cache must outlive the set. options.env must be set.
  VersionSet(const std::string& dir, const Options& options, TableCache* table_cache);
  // REQUIRES: no Version other than current is referenced (every iterator and compaction
  // is gone).
  ~VersionSet();

  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Reads CURRENT and replays the MANIFEST it names into current(). A torn last record (a
  // crash during an append that was never acknowledged) is ignored; any other damage, a
  // missing field or an unknown format version fails with a message naming the file.
  // REQUIRES: the DB mutex; CURRENT exists; called once, before any LogAndApply.
  Status Recover();

  // Applies *edit to current() and makes the result current once the edit is durable in the
  // MANIFEST (see the header comment). Fills in the edit's log number, next file number and
  // last sequence from the set's own when the edit does not set them. Callers are serialized:
  // a second caller waits until the first is done. REQUIRES: *lock holds the DB mutex; it
  // is released during the file I/O and held again on return.
  // On error current() is unchanged, and the MANIFEST's contents are unknown (an fsync
  // failed, an append may be partial, CURRENT may name a new MANIFEST): the set closes it and
  // the next LogAndApply starts a new MANIFEST (full snapshot, CURRENT switched). Until an
  // edit has succeeded again the caller must delete no files, since the unknown MANIFEST may
  // still name them (RocksDB#5379).
  Status LogAndApply(VersionEdit* edit, std::unique_lock<std::mutex>* lock);

  Version* current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_++; }
  // Makes sure NewFileNumber never returns `number` or below.
  void MarkFileNumberUsed(uint64_t number) {
    if (next_file_number_ <= number) next_file_number_ = number + 1;
  }
  uint64_t NextFileNumber() const { return next_file_number_; }
  uint64_t ManifestFileNumber() const { return manifest_file_number_; }
  // WALs numbered below this are fully covered by tables.
  uint64_t LogNumber() const { return log_number_; }
  // Every write with a sequence <= this is in the tables of current().
  uint64_t LastSequence() const { return last_sequence_; }

  // Where the next size compaction of `level` starts (an internal key; empty: the start).
  const std::string& compact_pointer(int level) const { return compact_pointer_[level]; }
  void SetCompactPointer(int level, std::string_view key) { compact_pointer_[level] = key; }

  // PickCompaction chose a read-triggered compaction of `level` >= 1 from a version whose
  // level held `files` files. The budget that made it due was charged by reads over the
  // whole level, not just the chosen file's range: under reads spread evenly, every file of
  // the level has paid its own share by then (a file's share of the reads, against what
  // compacting it rewrites: its bytes and its 1/files of the next level). So the following
  // versions with the same read-compaction level start out due, until `files` compactions
  // of that level have been chosen. Reads concentrated on one range make this compact
  // files no read asked for: at most one pass over the level per spent budget.
  // REQUIRES: DB mutex held.
  void RecordReadCompaction(int level, int files);

  // Adds the number of every table file a live Version lists.
  void AddLiveFiles(std::set<uint64_t>* live) const;
  // True (once) if some Version was deleted since the last call: files it alone listed may
  // have become obsolete. Any thread.
  bool TakeVersionDropped() { return version_dropped_.exchange(false, std::memory_order_relaxed); }
  bool VersionDroppedPending() const { return version_dropped_.load(std::memory_order_relaxed); }

  // A merging iterator over the inputs of c (internal keys, in order), reading without
  // filling the block cache.
  std::unique_ptr<Iterator> MakeInputIterator(const Compaction& c);

  const Options& options() const { return options_; }
  TableCache* table_cache() const { return table_cache_; }

 private:
  friend class Version;
  class Builder;

  // Makes v current. REQUIRES: DB mutex held.
  void AppendVersion(Version* v);
  void RemoveVersion(Version* v);  // from Version::Unref: takes list_mutex_
  // The whole state as one edit: the first record of a new MANIFEST.
  void WriteSnapshot(VersionEdit* edit) const;
  // Reads the MANIFEST named by CURRENT into builder state.
  Status ReadManifest(const std::string& fname, Builder* builder, VersionEdit* totals);

  Env* const env_;
  const std::string dir_;
  const Options options_;
  TableCache* const table_cache_;

  uint64_t next_file_number_ = 1;
  uint64_t manifest_file_number_ = 0;  // 0: no MANIFEST open yet
  uint64_t log_number_ = 0;
  uint64_t last_sequence_ = 0;
  std::string compact_pointer_[kNumLevels];
  // Read compactions of read_paid_level_ still paid for (RecordReadCompaction).
  int read_paid_level_ = -1;
  int read_paid_files_ = 0;

  // The open MANIFEST; null until the first LogAndApply (which starts a new one), and again
  // after a failed one.
  std::unique_ptr<WritableFile> descriptor_file_;
  std::unique_ptr<log::Writer> descriptor_log_;
  uint64_t snapshot_bytes_ = 0;  // size of the snapshot record that began the MANIFEST

  bool writing_ = false;  // a LogAndApply is doing I/O with the DB mutex released
  std::condition_variable writer_cv_;

  Version* current_ = nullptr;
  std::atomic<bool> version_dropped_{false};
  mutable std::mutex list_mutex_;  // leaf lock: guards the list below
  Version dummy_versions_{this};   // head of the circular list of live versions
};

}  // namespace strata::store
