// Merging iterator: against a model (a sorted multiset with ties broken by child index) over
// random children with duplicate keys, plus error propagation.
#include "store/merger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "store/dbformat.h"
#include "store/two_level_iterator.h"

namespace strata::store {
namespace {

using Entry = std::pair<std::string, std::string>;

// An iterator over a sorted vector. Optionally fails (Corruption, !Valid) when it would move
// onto entry index fail_at.
class VectorIterator final : public Iterator {
 public:
  VectorIterator(std::vector<Entry> entries, const Comparator* cmp, size_t fail_at = SIZE_MAX)
      : entries_(std::move(entries)), cmp_(cmp), fail_at_(fail_at), pos_(entries_.size()) {}
  bool Valid() const override { return status_.ok() && pos_ < entries_.size(); }
  void SeekToFirst() override { MoveTo(0); }
  void Seek(std::string_view target) override {
    size_t i = 0;
    while (i < entries_.size() && cmp_->Compare(entries_[i].first, target) < 0) i++;
    MoveTo(i);
  }
  void Next() override { MoveTo(pos_ + 1); }
  std::string_view key() const override { return entries_[pos_].first; }
  std::string_view value() const override { return entries_[pos_].second; }
  Status status() const override { return status_; }

 private:
  void MoveTo(size_t i) {
    pos_ = i;
    if (pos_ == fail_at_) status_ = Status::Corruption("injected");
  }
  std::vector<Entry> entries_;
  const Comparator* cmp_;
  size_t fail_at_;
  size_t pos_;
  Status status_;
};

struct ModelEntry {
  std::string key;
  size_t child;
  std::string value;
};

std::vector<std::vector<Entry>> RandomChildren(std::mt19937_64* rng, int n_children,
                                               int max_entries, int key_space) {
  std::vector<std::vector<Entry>> children(n_children);
  for (int c = 0; c < n_children; c++) {
    int n = static_cast<int>((*rng)() % (max_entries + 1));
    std::vector<std::string> keys;
    for (int i = 0; i < n; i++) {
      int k = static_cast<int>((*rng)() % key_space);
      // Binary keys: a \0 in the middle, varying lengths.
      keys.push_back(std::string("k\0", 2) + std::to_string(k));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto& k : keys) children[c].emplace_back(k, "c" + std::to_string(c) + "/" + k);
  }
  return children;
}

std::vector<ModelEntry> Model(const std::vector<std::vector<Entry>>& children) {
  std::vector<ModelEntry> m;
  for (size_t c = 0; c < children.size(); c++) {
    for (auto& [k, v] : children[c]) m.push_back({k, c, v});
  }
  std::sort(m.begin(), m.end(), [](const ModelEntry& a, const ModelEntry& b) {
    return std::tie(a.key, a.child) < std::tie(b.key, b.child);
  });
  return m;
}

std::unique_ptr<Iterator> Merge(const std::vector<std::vector<Entry>>& children,
                                const Comparator* cmp) {
  std::vector<std::unique_ptr<Iterator>> its;
  for (auto& c : children) its.push_back(std::make_unique<VectorIterator>(c, cmp));
  return NewMergingIterator(cmp, std::move(its));
}

TEST(Merger, NoChildrenIsEmpty) {
  auto it = NewMergingIterator(BytewiseComparator(), {});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(Merger, RandomChildrenMatchModel) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 300; round++) {
    SCOPED_TRACE(round);
    int n_children = static_cast<int>(rng() % 8) + 1;
    auto children = RandomChildren(&rng, n_children, 40, 60);
    auto model = Model(children);
    auto it = Merge(children, BytewiseComparator());

    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      ASSERT_LT(i, model.size());
      ASSERT_EQ(it->key(), model[i].key);
      ASSERT_EQ(it->value(), model[i].value);  // ties: lower child index first
    }
    ASSERT_EQ(i, model.size());
    ASSERT_TRUE(it->status().ok());

    for (int s = 0; s < 20; s++) {
      std::string target = std::string("k\0", 2) + std::to_string(rng() % 70);
      if (rng() % 4 == 0) target.push_back('\0');
      it->Seek(target);
      size_t j = 0;
      while (j < model.size() && model[j].key < target) j++;
      for (int steps = 0; steps < 5; steps++, j++) {
        if (j >= model.size()) {
          ASSERT_FALSE(it->Valid());
          break;
        }
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), model[j].key);
        ASSERT_EQ(it->value(), model[j].value);
        it->Next();
      }
    }
  }
}

TEST(Merger, InternalKeysNewestVersionFirst) {
  // Children hold versions of the same user keys; merged order is by internal key.
  std::vector<std::vector<Entry>> children(3);
  uint64_t seq = 100;
  for (int c = 0; c < 3; c++) {
    for (int u = 0; u < 20; u++) {
      std::string ik;
      AppendInternalKey(&ik, "user" + std::to_string(u), seq--, ValueKind::kValue);
      children[c].emplace_back(ik, std::to_string(c));
    }
    std::sort(children[c].begin(), children[c].end(), [](const Entry& a, const Entry& b) {
      return CompareInternalKeys(a.first, b.first) < 0;
    });
  }
  auto it = Merge(children, InternalKeyComparator());
  std::string prev;
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
    if (!prev.empty()) {
      ASSERT_LT(CompareInternalKeys(prev, it->key()), 0);
    }
    prev.assign(it->key());
  }
  EXPECT_EQ(n, 60);
  // For each user key, the child with the highest sequence (child 0) comes first.
  std::string target;
  AppendInternalKey(&target, "user7", kMaxSequence, kSeekKind);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "0");
}

TEST(Merger, ChildErrorStopsIteration) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 100; round++) {
    auto children = RandomChildren(&rng, 4, 30, 100);
    size_t bad = rng() % children.size();
    if (children[bad].empty()) continue;
    size_t fail_at = rng() % (children[bad].size() + 1);
    std::vector<std::unique_ptr<Iterator>> its;
    for (size_t c = 0; c < children.size(); c++) {
      its.push_back(std::make_unique<VectorIterator>(children[c], BytewiseComparator(),
                                                     c == bad ? fail_at : SIZE_MAX));
    }
    auto it = NewMergingIterator(BytewiseComparator(), std::move(its));
    auto model = Model(children);
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      // Everything returned before the error is exactly the model's prefix.
      ASSERT_LT(i, model.size());
      ASSERT_EQ(it->value(), model[i].value);
    }
    // The bad child fails when it moves onto entry fail_at (fail_at == size: when it reaches
    // its end). The merger returns exactly the model up to the bad child's previous entry.
    EXPECT_TRUE(it->status().IsCorruption()) << round;
    size_t expected = 0;
    if (fail_at > 0) {
      for (size_t j = 0; j < model.size(); j++) {
        if (model[j].child == bad && model[j].key == children[bad][fail_at - 1].first) {
          expected = j + 1;
        }
      }
    }
    EXPECT_EQ(i, expected) << round;
  }
}

TEST(Merger, ErrorAtSeekIsReported) {
  std::vector<std::unique_ptr<Iterator>> its;
  its.push_back(
      std::make_unique<VectorIterator>(std::vector<Entry>{{"a", "1"}}, BytewiseComparator()));
  its.push_back(NewEmptyIterator(Status::IOError("disk")));
  auto it = NewMergingIterator(BytewiseComparator(), std::move(its));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

TEST(Merger, ErrorOnNextIsReported) {
  std::vector<std::unique_ptr<Iterator>> its;
  std::vector<Entry> a{{"a", "1"}, {"c", "3"}};
  std::vector<Entry> b{{"b", "2"}, {"d", "4"}};
  its.push_back(std::make_unique<VectorIterator>(a, BytewiseComparator()));
  its.push_back(std::make_unique<VectorIterator>(b, BytewiseComparator(), /*fail_at=*/1));
  auto it = NewMergingIterator(BytewiseComparator(), std::move(its));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();
  EXPECT_EQ(it->key(), "b");
  it->Next();  // b moves to its failing entry
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

}  // namespace
}  // namespace strata::store
