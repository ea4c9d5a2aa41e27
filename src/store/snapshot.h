// SnapshotList: the DB's live snapshots, oldest first. A snapshot is only a sequence number;
// the list exists so that flushes and compactions can ask for the oldest one and keep every
// version a live snapshot can still see (compaction_iterator.h).
//
// Thread safety: external synchronization (DBImpl::mutex_).
#pragma once

#include <cstdint>
#include <list>

#include "store/db.h"

namespace strata::store {

class SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(uint64_t seq) : sequence_(seq) {}
  ~SnapshotImpl() override = default;
  uint64_t sequence() const override { return sequence_; }

 private:
  friend class SnapshotList;
  const uint64_t sequence_;
  std::list<SnapshotImpl>::iterator self_;  // this snapshot's place in its list
};

class SnapshotList {
 public:
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  // REQUIRES: !empty().
  uint64_t OldestSequence() const { return list_.front().sequence(); }

  // REQUIRES: seq >= the sequence of every snapshot in the list (keeps it sorted).
  const SnapshotImpl* New(uint64_t seq) {
    SnapshotImpl& s = list_.emplace_back(seq);
    s.self_ = std::prev(list_.end());
    return &s;
  }
  // REQUIRES: s came from New on this list and was not deleted.
  void Delete(const SnapshotImpl* s) { list_.erase(s->self_); }

 private:
  std::list<SnapshotImpl> list_;  // std::list: elements never move, so pointers stay valid
};

}  // namespace strata::store
