#include "store/compaction.h"

#include <algorithm>

#include "store/dbformat.h"

namespace strata::store {
namespace {

// A compaction of L into L+1 is widened to more files of L only while its inputs stay below
// this many bytes (LevelDB: 25 x the file size).
uint64_t ExpandedCompactionByteSizeLimit(const Options& options) {
  return 25 * options.target_file_size;
}

uint64_t TotalFileSize(const std::vector<FilePtr>& files) {
  uint64_t sum = 0;
  for (const FilePtr& f : files) sum += f->file_size;
  return sum;
}

bool AnyBeingCompacted(const std::vector<FilePtr>& files) {
  return std::any_of(files.begin(), files.end(),
                     [](const FilePtr& f) { return f->being_compacted; });
}

// The smallest and largest internal keys of files. REQUIRES: !files.empty().
void GetRange(const std::vector<FilePtr>& files, std::string* smallest, std::string* largest) {
  smallest->assign(files[0]->smallest);
  largest->assign(files[0]->largest);
  for (const FilePtr& f : files) {
    if (CompareInternalKeys(f->smallest, *smallest) < 0) smallest->assign(f->smallest);
    if (CompareInternalKeys(f->largest, *largest) > 0) largest->assign(f->largest);
  }
}

void GetRange2(const std::vector<FilePtr>& a, const std::vector<FilePtr>& b, std::string* smallest,
               std::string* largest) {
  std::vector<FilePtr> all(a);
  all.insert(all.end(), b.begin(), b.end());
  GetRange(all, smallest, largest);
}

}  // namespace

Compaction::Compaction(const Options& options, Version* version, int start_level, int output_level)
    : start_level_(start_level),
      output_level_(output_level),
      max_output_file_size_(std::max<uint64_t>(options.target_file_size, 1)),
      max_grandparent_overlap_bytes_(10 * std::max<uint64_t>(options.target_file_size, 1)),
      input_version_(version) {
  input_version_->Ref();
}

Compaction::~Compaction() { input_version_->Unref(); }

size_t Compaction::num_input_files() const {
  size_t n = 0;
  for (const auto& files : inputs_) n += files.size();
  return n;
}

uint64_t Compaction::input_bytes() const {
  uint64_t n = 0;
  for (const auto& files : inputs_) n += TotalFileSize(files);
  return n;
}

bool Compaction::IsTrivialMove() const {
  return !full_ && output_level_ == start_level_ + 1 && inputs_[start_level_].size() == 1 &&
         inputs_[output_level_].empty() &&
         TotalFileSize(grandparents_) <= max_grandparent_overlap_bytes_;
}

void Compaction::AddInputDeletions() {
  for (int level = start_level_; level <= output_level_; level++) {
    for (const FilePtr& f : inputs_[level]) edit_.RemoveFile(level, f->number);
  }
}

bool Compaction::IsBaseLevelForKey(std::string_view user_key) {
  for (int level = output_level_ + 1; level < kNumLevels; level++) {
    const std::vector<FilePtr>& files = input_version_->files(level);
    while (level_ptrs_[level] < files.size()) {
      const FileMetaData& f = *files[level_ptrs_[level]];
      if (user_key.compare(ExtractUserKey(f.largest)) <= 0) {
        // user_key falls in or before this file's range.
        if (user_key.compare(ExtractUserKey(f.smallest)) >= 0) return false;
        break;
      }
      level_ptrs_[level]++;
    }
  }
  return true;
}

bool Compaction::ShouldStopBefore(std::string_view internal_key) {
  // Count the grandparent files the output has gone past since it was opened.
  while (grandparent_index_ < grandparents_.size() &&
         CompareInternalKeys(internal_key, grandparents_[grandparent_index_]->largest) > 0) {
    if (seen_key_) overlapped_bytes_ += grandparents_[grandparent_index_]->file_size;
    grandparent_index_++;
  }
  seen_key_ = true;
  if (overlapped_bytes_ > max_grandparent_overlap_bytes_) {
    overlapped_bytes_ = 0;
    return true;
  }
  return false;
}

void Compaction::MarkInputs(bool being_compacted) {
  for (int level = start_level_; level <= output_level_; level++) {
    for (const FilePtr& f : inputs_[level]) f->being_compacted = being_compacted;
  }
}

std::string Compaction::Summary() const {
  std::string r =
      full_ ? "full compaction L0..L" + std::to_string(output_level_)
            : "L" + std::to_string(start_level_) + " -> L" + std::to_string(output_level_);
  r += ": ";
  for (int level = start_level_; level <= output_level_; level++) {
    if (level > start_level_) r += "+";
    r += std::to_string(inputs_[level].size());
  }
  r += " files, " + std::to_string(input_bytes()) + " bytes";
  return r;
}

void ComputeCompactionScores(const Options& options, const Version& v, double scores[kNumLevels]) {
  const int trigger = std::max(options.level0_compaction_trigger, 1);
  scores[0] = static_cast<double>(v.NumFiles(0)) / trigger;
  for (int level = 1; level < kNumLevels - 1; level++) {
    scores[level] = static_cast<double>(v.NumBytes(level)) /
                    static_cast<double>(MaxBytesForLevel(options, level));
  }
  scores[kNumLevels - 1] = 0;  // the last level has nowhere to go
}

namespace {

// Completes a compaction whose start-level inputs are chosen: adds the overlapping files of
// the next level, widens the start level when that is free, finds the grandparents. False if
// some input is already being compacted.
bool SetupOtherInputs(VersionSet* vset, Compaction* c, std::vector<FilePtr> (&inputs)[kNumLevels],
                      std::vector<FilePtr>* grandparents) {
  const Options& options = vset->options();
  Version* v = c->input_version();
  const int level = c->start_level();
  const int out = c->output_level();

  std::string smallest, largest;
  GetRange(inputs[level], &smallest, &largest);
  std::string_view begin = ExtractUserKey(smallest), end = ExtractUserKey(largest);
  v->GetOverlappingInputs(out, &begin, &end, &inputs[out]);

  std::string all_start, all_limit;
  GetRange2(inputs[level], inputs[out], &all_start, &all_limit);

  // Take more files of `level` if that does not pull in more files of `out` (LevelDB's
  // expansion): same rewrite below, more progress above.
  if (!inputs[out].empty()) {
    std::vector<FilePtr> expanded0;
    std::string_view b = ExtractUserKey(all_start), e = ExtractUserKey(all_limit);
    v->GetOverlappingInputs(level, &b, &e, &expanded0);
    const uint64_t inputs1_size = TotalFileSize(inputs[out]);
    const uint64_t expanded0_size = TotalFileSize(expanded0);
    if (expanded0.size() > inputs[level].size() &&
        inputs1_size + expanded0_size < ExpandedCompactionByteSizeLimit(options) &&
        !AnyBeingCompacted(expanded0)) {
      std::string new_start, new_limit;
      GetRange(expanded0, &new_start, &new_limit);
      std::string_view nb = ExtractUserKey(new_start), ne = ExtractUserKey(new_limit);
      std::vector<FilePtr> expanded1;
      v->GetOverlappingInputs(out, &nb, &ne, &expanded1);
      if (expanded1.size() == inputs[out].size()) {
        inputs[level] = std::move(expanded0);
        inputs[out] = std::move(expanded1);
        GetRange2(inputs[level], inputs[out], &all_start, &all_limit);
      }
    }
  }
  if (AnyBeingCompacted(inputs[level]) || AnyBeingCompacted(inputs[out])) return false;

  if (out + 1 < kNumLevels) {
    std::string_view b = ExtractUserKey(all_start), e = ExtractUserKey(all_limit);
    v->GetOverlappingInputs(out + 1, &b, &e, grandparents);
  }
  // The next compaction of this level starts after this one's range. Set now, not when
  // this one is done, so that a concurrent pick moves on to other files.
  std::string pointer;
  GetRange(inputs[level], &smallest, &pointer);
  vset->SetCompactPointer(level, pointer);
  c->edit()->SetCompactPointer(level, pointer);
  return true;
}

}  // namespace

std::unique_ptr<Compaction> PickCompaction(VersionSet* vset) {
  const Options& options = vset->options();
  Version* v = vset->current();

  // A compaction of `level` from its next free candidate file, or nullptr if all are busy.
  auto pick_level = [&](int level) -> std::unique_ptr<Compaction> {
    const std::vector<FilePtr>& files = v->files(level);
    if (level == 0 && AnyBeingCompacted(files)) return nullptr;  // one L0 compaction at a time

    // Candidates: files after the compact pointer first, then wrap around.
    const std::string& pointer = vset->compact_pointer(level);
    size_t first = 0;
    if (level > 0 && !pointer.empty()) {
      while (first < files.size() && CompareInternalKeys(files[first]->largest, pointer) <= 0) {
        first++;
      }
    }
    const size_t n = level == 0 ? std::min<size_t>(files.size(), 1) : files.size();
    for (size_t k = 0; k < n; k++) {
      // L0: start from the oldest file (the back); GetOverlappingInputs widens the set.
      const FilePtr& f = level == 0 ? files.back() : files[(first + k) % files.size()];
      if (f->being_compacted) continue;
      std::unique_ptr<Compaction> c(new Compaction(options, v, level, level + 1));
      std::vector<FilePtr>(&inputs)[kNumLevels] = c->inputs_;
      inputs[level].push_back(f);
      if (level == 0) {
        std::string smallest, largest;
        GetRange(inputs[0], &smallest, &largest);
        std::string_view b = ExtractUserKey(smallest), e = ExtractUserKey(largest);
        v->GetOverlappingInputs(0, &b, &e, &inputs[0]);
      }
      if (SetupOtherInputs(vset, c.get(), inputs, &c->grandparents_)) return c;
    }
    return nullptr;
  };

  double scores[kNumLevels];
  ComputeCompactionScores(options, *v, scores);
  int order[kNumLevels];
  for (int i = 0; i < kNumLevels; i++) order[i] = i;
  std::stable_sort(order, order + kNumLevels, [&](int a, int b) { return scores[a] > scores[b]; });
  for (int level : order) {
    if (scores[level] < 1) break;
    if (std::unique_ptr<Compaction> c = pick_level(level)) return c;
  }
  // Nothing is over its size: the version's read-compaction level still goes down (L0 whole,
  // a deeper level one file at a time, round-robin) if reads have paid for it (ChargeRead).
  if (v->ReadCompactionDue()) {
    const int level = v->read_compaction_level();
    if (std::unique_ptr<Compaction> c = pick_level(level)) {
      c->read_triggered_ = true;
      if (level > 0) vset->RecordReadCompaction(level, v->NumFiles(level));
      return c;
    }
  }
  return nullptr;
}

std::unique_ptr<Compaction> PickFullCompaction(VersionSet* vset) {
  const Options& options = vset->options();
  Version* v = vset->current();
  uint64_t total = 0;
  int deepest = -1;
  for (int level = 0; level < kNumLevels; level++) {
    if (v->NumFiles(level) > 0) deepest = level;
    total += v->NumBytes(level);
  }
  if (deepest < 0) return nullptr;
  int out = std::max(deepest, 1);
  while (out < kNumLevels - 1 && MaxBytesForLevel(options, out) < total) out++;
  std::unique_ptr<Compaction> c(new Compaction(options, v, 0, out));
  c->full_ = true;
  for (int level = 0; level <= out; level++) {
    c->inputs_[level] = v->files(level);
    if (AnyBeingCompacted(c->inputs_[level])) return nullptr;
  }
  return c;
}

}  // namespace strata::store
