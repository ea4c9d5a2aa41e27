#include "store/two_level_iterator.h"

#include <string>

namespace strata::store {
namespace {

class EmptyIterator final : public Iterator {
 public:
  explicit EmptyIterator(Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void Seek(std::string_view) override {}
  void Next() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

class CleanupIterator final : public Iterator {
 public:
  CleanupIterator(std::unique_ptr<Iterator> iter, std::function<void()> cleanup)
      : iter_(std::move(iter)), cleanup_(std::move(cleanup)) {}
  ~CleanupIterator() override {
    iter_.reset();  // first: the cleanup may free what iter_ reads
    if (cleanup_) cleanup_();
  }
  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override { iter_->SeekToFirst(); }
  void Seek(std::string_view target) override { iter_->Seek(target); }
  void Next() override { iter_->Next(); }
  std::string_view key() const override { return iter_->key(); }
  std::string_view value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  std::unique_ptr<Iterator> iter_;
  std::function<void()> cleanup_;
};

class TwoLevelIterator final : public Iterator {
 public:
  TwoLevelIterator(std::unique_ptr<Iterator> index_iter, BlockFunction block_function)
      : index_iter_(std::move(index_iter)), block_function_(std::move(block_function)) {}

  bool Valid() const override { return data_iter_ != nullptr && data_iter_->Valid(); }
  std::string_view key() const override { return data_iter_->key(); }
  std::string_view value() const override { return data_iter_->value(); }
  Status status() const override { return status_; }

  void SeekToFirst() override {
    status_ = Status::OK();
    index_iter_->SeekToFirst();
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    SkipEmptyDataBlocks();
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    index_iter_->Seek(target);
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->Seek(target);
    SkipEmptyDataBlocks();
  }

  void Next() override {
    data_iter_->Next();
    SkipEmptyDataBlocks();
  }

 private:
  // Opens the block named by the index iterator's current value, unless it is already open
  // (a seek within the same block keeps its iterator and cached block).
  void InitDataBlock() {
    if (!index_iter_->Valid()) {
      if (!index_iter_->status().ok()) status_ = index_iter_->status();
      ClearDataBlock();
      return;
    }
    std::string_view handle = index_iter_->value();
    if (data_iter_ != nullptr && handle == data_block_handle_) return;
    data_iter_ = block_function_(handle);
    data_block_handle_.assign(handle.data(), handle.size());
    if (data_iter_ == nullptr) {
      status_ = Status::Corruption("cannot open block");
    } else if (!data_iter_->status().ok()) {
      status_ = data_iter_->status();
    }
    if (!status_.ok()) ClearDataBlock();
  }

  void ClearDataBlock() {
    data_iter_.reset();
    data_block_handle_.clear();
  }

  // Moves past exhausted blocks; stops (invalid) at the first error.
  void SkipEmptyDataBlocks() {
    while (status_.ok() && (data_iter_ == nullptr || !data_iter_->Valid())) {
      if (data_iter_ != nullptr && !data_iter_->status().ok()) {
        status_ = data_iter_->status();
        break;
      }
      if (data_iter_ == nullptr && !index_iter_->Valid()) break;
      index_iter_->Next();
      InitDataBlock();
      if (data_iter_ == nullptr) break;
      data_iter_->SeekToFirst();
    }
    if (!status_.ok()) ClearDataBlock();
  }

  std::unique_ptr<Iterator> index_iter_;
  BlockFunction block_function_;
  std::unique_ptr<Iterator> data_iter_;  // null: no block open
  std::string data_block_handle_;        // index value data_iter_ was opened from
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewTwoLevelIterator(std::unique_ptr<Iterator> index_iter,
                                              BlockFunction block_function) {
  return std::make_unique<TwoLevelIterator>(std::move(index_iter), std::move(block_function));
}

std::unique_ptr<Iterator> NewEmptyIterator(Status status) {
  return std::make_unique<EmptyIterator>(std::move(status));
}

std::unique_ptr<Iterator> NewCleanupIterator(std::unique_ptr<Iterator> iter,
                                             std::function<void()> cleanup) {
  return std::make_unique<CleanupIterator>(std::move(iter), std::move(cleanup));
}

}  // namespace strata::store
