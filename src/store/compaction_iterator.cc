#include "store/compaction_iterator.h"

namespace strata::store {

CompactionIterator::CompactionIterator(Iterator* input, uint64_t smallest_snapshot,
                                       const CompactionFilter* filter,
                                       std::function<bool(std::string_view)> is_base_level,
                                       bool flush)
    : input_(input),
      smallest_snapshot_(smallest_snapshot),
      filter_(filter),
      flush_(flush),
      is_base_level_(std::move(is_base_level)) {}

void CompactionIterator::SeekToFirst() {
  status_ = Status::OK();
  has_current_user_key_ = false;
  input_->SeekToFirst();
  FindNextEntry();
}

void CompactionIterator::Next() {
  input_->Next();
  FindNextEntry();
}

bool CompactionIterator::IsBaseLevel(std::string_view user_key) {
  if (base_level_ < 0) base_level_ = is_base_level_(user_key) ? 1 : 0;
  return base_level_ == 1;
}

void CompactionIterator::FindNextEntry() {
  valid_ = false;
  tombstone_ = false;
  for (; input_->Valid(); input_->Next()) {
    stats_.input_entries++;
    ParsedInternalKey ikey;
    if (!ParseInternalKey(input_->key(), &ikey)) {
      status_ = Status::Corruption("compaction input", "malformed internal key");
      return;
    }
    if (!has_current_user_key_ || ikey.user_key != current_user_key_) {
      current_user_key_.assign(ikey.user_key);
      has_current_user_key_ = true;
      last_sequence_for_key_ = kMaxSequence + 1;  // no newer version seen
      emitted_for_key_ = false;
      base_level_ = -1;
    }
    const uint64_t newer = last_sequence_for_key_;
    last_sequence_for_key_ = ikey.sequence;

    if (newer <= smallest_snapshot_) {
      stats_.dropped_shadowed++;  // (A)
      continue;
    }
    if (ikey.kind == ValueKind::kDeletion) {
      if (ikey.sequence <= smallest_snapshot_ && IsBaseLevel(ikey.user_key)) {
        stats_.dropped_tombstones++;  // (B)
        continue;
      }
    } else if (filter_ != nullptr &&
               (flush_ ? filter_->ShouldDropInFlush(ikey.user_key, input_->value())
                       : filter_->ShouldDrop(ikey.user_key, input_->value()))) {
      if (ikey.sequence <= smallest_snapshot_ && IsBaseLevel(ikey.user_key)) {
        stats_.filter_dropped++;  // (C), nothing older can surface
        continue;
      }
      stats_.filter_to_tombstone++;  // (C), hide what is below
      tombstone_key_.clear();
      AppendInternalKey(&tombstone_key_, ikey.user_key, ikey.sequence, ValueKind::kDeletion);
      tombstone_ = true;
    }
    starts_user_key_ = !emitted_for_key_;
    emitted_for_key_ = true;
    stats_.output_entries++;
    valid_ = true;
    return;
  }
  status_ = input_->status();
}

}  // namespace strata::store
