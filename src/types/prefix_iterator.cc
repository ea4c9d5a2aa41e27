#include "types/prefix_iterator.h"

#include <algorithm>

namespace strata::types {

PrefixIterator::PrefixIterator(std::unique_ptr<store::Iterator> it, std::string prefix,
                               std::vector<Staged> staged)
    : it_(std::move(it)), prefix_(std::move(prefix)), staged_(std::move(staged)) {}

void PrefixIterator::Seek(std::string_view suffix) {
  seek_buf_ = prefix_;
  seek_buf_.append(suffix);
  it_->Seek(seek_buf_);
  si_ = std::lower_bound(staged_.begin(), staged_.end(), std::string_view(seek_buf_),
                         [](const Staged& e, std::string_view k) { return e.key < k; }) -
        staged_.begin();
  Settle();
}

void PrefixIterator::Next() {
  if (!valid_) return;
  // A staged record's store twin (same key) was skipped when it was chosen.
  if (from_staged_) {
    si_++;
  } else {
    it_->Next();
  }
  Settle();
}

void PrefixIterator::Settle() {
  while (true) {
    const bool store_ok = it_->Valid() && it_->key().starts_with(prefix_);
    const bool staged_ok = si_ < staged_.size() && staged_[si_].key.starts_with(prefix_);
    if (!store_ok && !staged_ok) {
      valid_ = false;
      return;
    }
    if (staged_ok && (!store_ok || staged_[si_].key <= it_->key())) {
      const Staged& e = staged_[si_];
      if (store_ok && it_->key() == e.key) it_->Next();  // replaced by the staged record
      if (e.deleted) {
        si_++;
        continue;
      }
      key_ = e.key.substr(prefix_.size());
      value_ = e.value;
      from_staged_ = true;
      valid_ = true;
      return;
    }
    key_ = it_->key().substr(prefix_.size());
    value_ = it_->value();
    from_staged_ = false;
    valid_ = true;
    return;
  }
}

}  // namespace strata::types
