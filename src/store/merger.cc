#include "store/merger.h"

#include "store/two_level_iterator.h"

namespace strata::store {
namespace {

class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children)
      : cmp_(cmp), internal_(cmp == InternalKeyComparator()), children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return status_.ok() && !heap_.empty(); }
  std::string_view key() const override { return children_[heap_[0]]->key(); }
  std::string_view value() const override { return children_[heap_[0]]->value(); }
  Status status() const override { return status_; }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    RebuildHeap();
  }

  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    RebuildHeap();
  }

  void Next() override {
    const size_t top = heap_[0];
    Iterator* child = children_[top].get();
    child->Next();
    if (child->Valid()) {
      SiftDown(0);
    } else if (!child->status().ok()) {
      Fail(child->status());
    } else {
      heap_[0] = heap_.back();
      heap_.pop_back();
      if (!heap_.empty()) SiftDown(0);
    }
  }

 private:
  // True if child a's current entry comes before child b's (ties: lower index first).
  bool Before(size_t a, size_t b) const {
    std::string_view ka = children_[a]->key(), kb = children_[b]->key();
    int c = internal_ ? CompareInternalKeys(ka, kb) : cmp_->Compare(ka, kb);
    return c < 0 || (c == 0 && a < b);
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    const size_t item = heap_[i];
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) child++;
      if (!Before(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  void RebuildHeap() {
    status_ = Status::OK();
    heap_.clear();
    for (size_t i = 0; i < children_.size(); i++) {
      if (children_[i]->Valid()) {
        heap_.push_back(i);
      } else if (!children_[i]->status().ok()) {
        Fail(children_[i]->status());
        return;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  void Fail(Status s) {
    status_ = std::move(s);
    heap_.clear();
  }

  const Comparator* const cmp_;
  const bool internal_;  // compare internal keys inline
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<size_t> heap_;  // indexes into children_ of the valid children; min at [0]
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewMergingIterator(const Comparator* cmp,
                                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(cmp, std::move(children));
}

}  // namespace strata::store
