#include "store/table_builder.h"

#include <algorithm>
#include <cassert>

#include "store/dbformat.h"

namespace strata::store {

TableBuilder::TableBuilder(const Options& options, WritableFile* file)
    : block_size_(options.block_size == 0 ? 1 : options.block_size),
      compression_(options.compression),
      file_(file),
      data_block_(options.block_restart_interval),
      // Index blocks are searched, not scanned: a restart point per entry.
      index_block_(1) {
  if (options.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<BloomFilterBuilder>(options.bloom_bits_per_key);
    props_.bloom_bits_per_key = static_cast<uint32_t>(options.bloom_bits_per_key);
  }
  props_.compression = options.compression;
}

TableBuilder::~TableBuilder() { assert(closed_ && "TableBuilder: call Finish() or Abandon()"); }

void TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  assert(!closed_);
  if (!status_.ok() || closed_) return;
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) {
    status_ = Status::InvalidArgument("TableBuilder: malformed internal key");
    return;
  }
  if (props_.num_entries > 0 && CompareInternalKeys(internal_key, last_key_) <= 0) {
    status_ = Status::InvalidArgument("TableBuilder: keys added out of order");
    return;
  }

  if (pending_index_entry_) {
    InternalKeyComparator()->FindShortestSeparator(&last_key_, internal_key);
    handle_encoding_.clear();
    pending_handle_.EncodeTo(&handle_encoding_);
    index_block_.Add(last_key_, handle_encoding_);
    pending_index_entry_ = false;
  }
  if (filter_ != nullptr) filter_->AddKey(parsed.user_key);

  if (props_.num_entries == 0) {
    props_.smallest_key.assign(internal_key);
    props_.min_sequence = props_.max_sequence = parsed.sequence;
  } else {
    props_.min_sequence = std::min(props_.min_sequence, parsed.sequence);
    props_.max_sequence = std::max(props_.max_sequence, parsed.sequence);
  }
  props_.num_entries++;
  if (parsed.kind == ValueKind::kDeletion) props_.num_deletions++;
  props_.raw_key_size += internal_key.size();
  props_.raw_value_size += value.size();

  last_key_.assign(internal_key);
  data_block_.Add(internal_key, value);
  if (data_block_.CurrentSizeEstimate() >= block_size_) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  WriteBlock(&data_block_, /*compressible=*/true, &pending_handle_);
  if (status_.ok()) {
    pending_index_entry_ = true;
    props_.num_data_blocks++;
  }
}

void TableBuilder::WriteBlock(BlockBuilder* block, bool compressible, BlockHandle* handle) {
  std::string_view raw = block->Finish();
  if (compressible && CompressBlock(compression_, raw, &compressed_)) {
    WriteRawBlock(compressed_, compression_, handle);
  } else {
    WriteRawBlock(raw, Compression::kNone, handle);
  }
  block->Reset();
}

void TableBuilder::WriteRawBlock(std::string_view stored, Compression type, BlockHandle* handle) {
  handle->offset = offset_;
  handle->size = stored.size();
  status_ = file_->Append(stored);
  if (!status_.ok()) return;
  std::string trailer;
  AppendBlockTrailer(stored, type, &trailer);
  status_ = file_->Append(trailer);
  if (status_.ok()) offset_ += stored.size() + kBlockTrailerSize;
}

Status TableBuilder::Finish() {
  assert(!closed_);
  FlushDataBlock();
  closed_ = true;
  if (!status_.ok()) return status_;
  props_.data_size = offset_;
  props_.largest_key = last_key_;  // before the index successor shortens it

  Footer footer;
  if (filter_ != nullptr) {
    std::string filter;
    filter_->Finish(&filter);
    WriteRawBlock(filter, Compression::kNone, &footer.filter);
    props_.filter_size = footer.filter.size;
  } else {
    footer.filter = BlockHandle{offset_, 0};
  }

  if (status_.ok()) {
    if (pending_index_entry_) {
      InternalKeyComparator()->FindShortSuccessor(&last_key_);
      handle_encoding_.clear();
      pending_handle_.EncodeTo(&handle_encoding_);
      index_block_.Add(last_key_, handle_encoding_);
      pending_index_entry_ = false;
    }
    WriteBlock(&index_block_, /*compressible=*/true, &footer.index);
    props_.index_size = footer.index.size;
  }
  if (status_.ok()) {
    WriteRawBlock(EncodeTableProperties(props_), Compression::kNone, &footer.properties);
  }
  if (status_.ok()) {
    std::string encoded;
    footer.EncodeTo(&encoded);
    status_ = file_->Append(encoded);
    if (status_.ok()) offset_ += encoded.size();
  }
  if (status_.ok()) status_ = file_->Flush();
  return status_;
}

void TableBuilder::Abandon() {
  assert(!closed_);
  closed_ = true;
}

}  // namespace strata::store
