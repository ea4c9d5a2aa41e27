#include "store/db_iter.h"

#include <string>

#include "store/dbformat.h"

namespace strata::store {
namespace {

class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<Iterator> internal, uint64_t sequence, std::function<void()> release)
      : iter_(std::move(internal)), sequence_(sequence), release_(std::move(release)) {}

  ~DBIter() override {
    iter_.reset();
    if (release_) release_();
  }

  bool Valid() const override { return valid_; }

  void SeekToFirst() override {
    status_ = Status::OK();
    iter_->SeekToFirst();
    FindNextUserEntry(false);
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    seek_key_.clear();
    AppendInternalKey(&seek_key_, target, sequence_, kSeekKind);
    iter_->Seek(seek_key_);
    FindNextUserEntry(false);
  }

  void Next() override {
    // iter_ is at the visible version of key(): skip the older versions of the same key.
    saved_key_.assign(key());
    iter_->Next();
    FindNextUserEntry(true);
  }

  std::string_view key() const override { return ExtractUserKey(iter_->key()); }
  std::string_view value() const override { return iter_->value(); }
  Status status() const override { return status_.ok() ? iter_->status() : status_; }

 private:
  // Moves iter_ to the next entry to yield: the newest visible version of a user key that is
  // a value. skipping: versions of saved_key_ are shadowed.
  void FindNextUserEntry(bool skipping) {
    for (; iter_->Valid(); iter_->Next()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(iter_->key(), &ikey)) {
        status_ = Status::Corruption("iterator", "malformed internal key");
        valid_ = false;
        return;
      }
      if (ikey.sequence > sequence_) continue;                // written after the snapshot
      if (skipping && ikey.user_key == saved_key_) continue;  // shadowed
      if (ikey.kind == ValueKind::kDeletion) {
        saved_key_.assign(ikey.user_key);
        skipping = true;
        continue;
      }
      valid_ = true;
      return;
    }
    valid_ = false;
  }

  std::unique_ptr<Iterator> iter_;
  const uint64_t sequence_;
  std::function<void()> release_;
  bool valid_ = false;
  Status status_;
  std::string saved_key_;  // the user key whose older versions are being skipped
  std::string seek_key_;   // reused buffer for Seek
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<Iterator> internal, uint64_t sequence,
                                        std::function<void()> release) {
  return std::make_unique<DBIter>(std::move(internal), sequence, std::move(release));
}

}  // namespace strata::store
