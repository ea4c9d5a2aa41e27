// Sorted sets (docs/design.md §5.9.7): a value record of type kZSet whose `size` is the member
// count, and two sub-keys per member under the record's version:
//   's' ns keylen key version member        -> score:8   (score.h; lookup by member)
//   'z' ns keylen key version score:8 member -> ""        (score order)
// The 'z' keys sort by (score, member bytes), which is Redis's order of a sorted set. Both
// records of a member are always written together, so they agree.
//
// Zero is stored as +0: a -0 score given to Set is stored (and read back) as 0, as Redis's
// small-set (listpack) encoding does; so equal scores are equal bytes and the 'z' order
// breaks every score tie by member, as Redis does.
//
// A ZSet is a view of one key's sorted set inside the open keyspace transaction: reads see the
// transaction's writes, writes are staged in it. Finish() stages the value record (or its
// deletion, once the last member is gone: an emptied sorted set disappears, as in Redis). Not
// thread-safe; lives for one command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "types/keyspace.h"
#include "types/value.h"
#include "util/status.h"

namespace strata::types {

class ZSet {
 public:
  // existing: the key's live record (type kZSet), or nullptr when the key does not exist (or
  // has expired): the first write then creates a sorted set under a new version.
  ZSet(Keyspace* ks, int db, std::string_view key, const StoredValue* existing);
  // A new, empty sorted set that replaces whatever `old` is (a record of any type, or nullptr
  // for a missing key), for ZRANGESTORE, ZUNIONSTORE...: Finish() stages it, or deletes the
  // key when it ends empty. The old record's TTL is dropped, as Redis's setKey does.
  static ZSet Replacing(Keyspace* ks, int db, std::string_view key, const StoredValue* old);

  bool exists() const { return existed_ || meta_.size > 0; }
  uint64_t size() const { return meta_.size; }

  // NotFound if the member is absent.
  Status Score(std::string_view member, double* score);
  // Sets the member's score (adding the member if absent). REQUIRES: score is not NaN.
  // *added: the member did not exist before. Setting the score a member already has writes
  // nothing.
  Status Set(std::string_view member, double score, bool* added);
  // The same when the caller knows the member's state: Insert REQUIRES the member absent,
  // Move REQUIRES it present with old_score, Remove REQUIRES it present with score.
  void Insert(std::string_view member, double score);
  void Move(std::string_view member, double old_score, double new_score);
  void Remove(std::string_view member, double score);
  // *deleted: the member existed.
  Status Delete(std::string_view member, bool* deleted);

  class ReverseIterator;
  // The members in (score, member) order. Valid only until the next write: callers that
  // remove what they walk collect first.
  class Iterator {
   public:
    void SeekToFirst() { it_.SeekToFirst(); }
    // The first member whose score is >= score (numerically: -0 and +0 are one score).
    void Seek(double score);
    // The first member at or after (score, member) in the order.
    void Seek(double score, std::string_view member);
    bool Valid() const { return it_.Valid(); }
    void Next() { it_.Next(); }
    std::string_view member() const { return it_.key().substr(8); }
    double score() const;
    Status status() const { return it_.status(); }

   private:
    friend class ZSet;
    friend class ReverseIterator;
    explicit Iterator(PrefixIterator it) : it_(std::move(it)) {}
    PrefixIterator it_;
    std::string buf_;
  };
  Iterator Members();

  // The members from the highest (score, member) down, found with forward seeks only (the
  // store has no backward iterator): a bisection over the 8-byte score encoding finds the next
  // lower score (at most 64 seeks), then that score's members are read forward and returned
  // from the last. Cost: up to 64 seeks per distinct score passed plus the members read, so
  // it pays for the top of a large set (ZREVRANGE 0 9, ZPOPMAX) and not for deep walks or
  // long runs of equal scores. Valid only until the next write.
  class ReverseIterator {
   public:
    void SeekToLast() { Load(UINT64_MAX); }
    // The highest member whose score is <= max (< max when exclusive).
    void SeekAtOrBelow(double max, bool exclusive);
    bool Valid() const { return pos_ > 0; }
    void Next();  // to the next lower member
    std::string_view member() const { return group_[pos_ - 1]; }
    double score() const { return score_; }
    Status status() const { return status_; }

   private:
    friend class ZSet;
    explicit ReverseIterator(Iterator it) : it_(std::move(it)) {}
    // Loads the members of the greatest score encoding below `bound`, if any.
    void Load(uint64_t bound);

    Iterator it_;
    std::vector<std::string> group_;  // members of the current score, in member order
    size_t pos_ = 0;                  // group_[pos_ - 1] is the current member
    uint64_t enc_ = 0;                // the current score's encoding
    double score_ = 0;
    Status status_;
  };
  ReverseIterator ReverseMembers() { return ReverseIterator(Members()); }

  // Stages the value record after writes: updated size, or deleted when empty. Writes that
  // changed nothing stage nothing.
  void Finish();

 private:
  void EnsureVersion();
  void MemberKey(std::string_view member);
  void OrderKey(double score, std::string_view member);

  Keyspace* ks_;
  int db_;
  std::string key_;
  bool existed_;
  int64_t old_expire_ms_;
  bool changed_ = false;
  StoredValue meta_;
  std::string sprefix_, zprefix_;  // the 's' and 'z' sub-key prefixes of this version
  std::string buf_;                // a prefix + an element
};

}  // namespace strata::types
