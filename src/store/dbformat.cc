#include "store/dbformat.h"

#include <algorithm>

namespace strata::store {
namespace {

class BytewiseImpl : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override { return a.compare(b); }

  void FindShortestSeparator(std::string* start, std::string_view limit) const override {
    size_t min_len = std::min(start->size(), limit.size());
    size_t diff = 0;
    while (diff < min_len && (*start)[diff] == limit[diff]) diff++;
    if (diff >= min_len) return;  // one is a prefix of the other
    auto byte = static_cast<unsigned char>((*start)[diff]);
    if (byte < 0xff && byte + 1 < static_cast<unsigned char>(limit[diff])) {
      (*start)[diff]++;
      start->resize(diff + 1);
    }
  }

  void FindShortSuccessor(std::string* key) const override {
    for (size_t i = 0; i < key->size(); i++) {
      if (static_cast<unsigned char>((*key)[i]) != 0xff) {
        (*key)[i] = static_cast<char>((*key)[i] + 1);
        key->resize(i + 1);
        return;
      }
    }
  }
};

class InternalImpl : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    return CompareInternalKeys(a, b);
  }

  // Shortens the user key part and gives it the largest tag, so it still sorts after every
  // version of start's user key and before limit.
  void FindShortestSeparator(std::string* start, std::string_view limit) const override {
    std::string_view user_start = ExtractUserKey(*start);
    std::string tmp(user_start);
    BytewiseComparator()->FindShortestSeparator(&tmp, ExtractUserKey(limit));
    if (tmp.size() < user_start.size() && user_start.compare(tmp) < 0) {
      PutFixed64(&tmp, PackTag(kMaxSequence, kSeekKind));
      *start = std::move(tmp);
    }
  }

  void FindShortSuccessor(std::string* key) const override {
    std::string_view user_key = ExtractUserKey(*key);
    std::string tmp(user_key);
    BytewiseComparator()->FindShortSuccessor(&tmp);
    if (tmp.size() < user_key.size() && user_key.compare(tmp) < 0) {
      PutFixed64(&tmp, PackTag(kMaxSequence, kSeekKind));
      *key = std::move(tmp);
    }
  }
};

}  // namespace

const Comparator* BytewiseComparator() {
  static const BytewiseImpl impl;
  return &impl;
}
const Comparator* InternalKeyComparator() {
  static const InternalImpl impl;
  return &impl;
}

}  // namespace strata::store
