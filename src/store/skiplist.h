// SkipList: the memtable's ordered set. Keys are inserted, never removed, and live (with the
// nodes) in an Arena until the list is destroyed.
//
// Concurrency contract:
//   - Insert requires external synchronization: one writer at a time (the DB's write leader).
//   - Readers (Contains, Iterator) take no lock and may run concurrently with that writer.
//
// Why readers are safe: a node is fully built (key, and its next pointers at every level)
// before it is linked in, and it is linked bottom-up with release stores; readers follow
// next pointers with acquire loads, so a reader that sees a node sees it initialized. Nodes
// are never unlinked or freed while the list lives. max_height_ is read relaxed: a reader that
// sees a stale (lower) height only takes a slower path; one that sees a new height before the
// head's upper pointers are set sees nullptr there, which reads as "end of level".
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstdlib>

#include "store/arena.h"

namespace strata::store {

// Cmp: int operator()(const Key& a, const Key& b) const, <0 / 0 / >0.
template <typename Key, class Cmp>
class SkipList {
 private:
  struct Node;

 public:
  // Both cmp and arena must outlive the list.
  SkipList(Cmp cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: no key equal to `key` is in the list; external synchronization (one writer).
  void Insert(const Key& key);

  bool Contains(const Key& key) const;

  // A cursor over the list. Sees every key inserted before it was positioned, maybe more.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid().
    const Key& key() const { return node_->key; }
    void Next() { node_ = node_->Next(0); }
    // Positions at the first key >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;
  static constexpr unsigned kBranching = 4;  // each level holds ~1/4 of the one below

  struct Node {
    explicit Node(const Key& k) : key(k) {}
    Key const key;

    Node* Next(int level) const { return next_[level].load(std::memory_order_acquire); }
    void SetNext(int level, Node* x) { next_[level].store(x, std::memory_order_release); }
    // Only before the node is published (or for levels readers cannot reach yet).
    Node* NoBarrierNext(int level) const { return next_[level].load(std::memory_order_relaxed); }
    void NoBarrierSetNext(int level, Node* x) { next_[level].store(x, std::memory_order_relaxed); }

    // Really `height` entries: the node is allocated with room for them (see NewNode).
    std::atomic<Node*> next_[1];
  };

  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  bool Equal(const Key& a, const Key& b) const { return cmp_(a, b) == 0; }
  // First node >= key; if prev, fills prev[level] with the last node < key at each level.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;

  Cmp const cmp_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_;  // written only by the writer
  uint32_t rnd_;                 // writer only
};

template <typename Key, class Cmp>
typename SkipList<Key, Cmp>::Node* SkipList<Key, Cmp>::NewNode(const Key& key, int height) {
  char* mem = arena_->AllocateAligned(sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1));
  return new (mem) Node(key);
}

template <typename Key, class Cmp>
SkipList<Key, Cmp>::SkipList(Cmp cmp, Arena* arena)
    : cmp_(cmp),
      arena_(arena),
      head_(NewNode(Key(), kMaxHeight)),
      max_height_(1),
      rnd_(0x2545f491u) {
  for (int i = 0; i < kMaxHeight; i++) head_->NoBarrierSetNext(i, nullptr);
}

template <typename Key, class Cmp>
int SkipList<Key, Cmp>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight) {
    // xorshift32: cheap, deterministic, good enough for level choice.
    rnd_ ^= rnd_ << 13;
    rnd_ ^= rnd_ >> 17;
    rnd_ ^= rnd_ << 5;
    if (rnd_ % kBranching != 0) break;
    height++;
  }
  return height;
}

template <typename Key, class Cmp>
typename SkipList<Key, Cmp>::Node* SkipList<Key, Cmp>::FindGreaterOrEqual(const Key& key,
                                                                          Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && cmp_(next->key, key) < 0) {
      x = next;  // keep searching in this level
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      level--;
    }
  }
}

template <typename Key, class Cmp>
void SkipList<Key, Cmp>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(key, prev);
  assert(x == nullptr || !Equal(key, x->key));
  (void)x;

  int height = RandomHeight();
  if (height > GetMaxHeight()) {
    for (int i = GetMaxHeight(); i < height; i++) prev[i] = head_;
    // Readers seeing the new height before the links below find nullptr at the head's new
    // levels, which is a valid (empty) level: see the header comment.
    max_height_.store(height, std::memory_order_relaxed);
  }

  x = NewNode(key, height);
  for (int i = 0; i < height; i++) {
    // x is not yet reachable, so its own pointers need no barrier; the release store into
    // prev[i] publishes x together with them.
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);
  }
}

template <typename Key, class Cmp>
bool SkipList<Key, Cmp>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && Equal(key, x->key);
}

}  // namespace strata::store
