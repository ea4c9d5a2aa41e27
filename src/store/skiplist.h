// SkipList: the memtable's ordered set of byte-string entries. Entries are inserted, never
// removed, and live (inside their nodes) in an Arena until the list is destroyed.
//
// Usage: `char* buf = list.AllocateKey(n)`, write the entry's n bytes into buf, then
// `list.Insert(buf)`. The entry is stored inline, right after the node's level-0 link, so a
// search step touches one cache line per node instead of two (node, then key); this was the
// top cost of SET (a 64 MB memtable is far larger than the caches). Node layout, lowest
// address first, for a node of height h:
//     next[h-1] ... next[1] | next[0] | entry bytes
// and a Node* points at next[0], so Next(level) reads (&next[0])[-level].
//
// Cmp: int operator()(const char* a, const char* b) const, <0 / 0 / >0, on entries.
//
// Concurrency contract:
//   - AllocateKey and Insert require external synchronization: one writer at a time (the DB's
//     write leader), and each Insert takes the buffer of the writer's latest AllocateKey.
//   - Readers (Contains, Iterator) take no lock and may run concurrently with that writer.
//
// Why readers are safe: a node is fully built (entry, and its next pointers at every level)
// before it is linked in, and it is linked bottom-up with release stores; readers follow
// next pointers with acquire loads, so a reader that sees a node sees it initialized. Nodes
// are never unlinked or freed while the list lives. max_height_ is read relaxed: a reader that
// sees a stale (lower) height only takes a slower path; one that sees a new height before the
// head's upper pointers are set sees nullptr there, which reads as "end of level".
//
// Appends are O(1): the writer remembers the last node of every level (tail_), and an entry
// greater than every entry in the list links after those without a search (fillseq, and any
// loader that writes keys in order).
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "store/arena.h"

namespace strata::store {

template <class Cmp>
class SkipList {
 private:
  struct Node;

 public:
  // Both cmp and arena must outlive the list.
  SkipList(Cmp cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // Room for an entry of `size` bytes in a new, unlinked node. Writer only.
  char* AllocateKey(size_t size);
  // Links the node whose entry is `key` (from the latest AllocateKey).
  // REQUIRES: no equal entry is in the list; external synchronization (one writer).
  void Insert(const char* key);

  bool Contains(const char* key) const;

  // A cursor over the list. Sees every entry inserted before it was positioned, maybe more.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid().
    const char* key() const { return node_->Key(); }
    void Next() { node_ = node_->Next(0); }
    // Positions at the first entry >= target.
    void Seek(const char* target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;
  static constexpr unsigned kBranching = 4;  // each level holds ~1/4 of the one below

  // Only next[0] is a member; the upper levels sit below it in memory (see the header).
  struct Node {
    const char* Key() const { return reinterpret_cast<const char*>(this + 1); }
    std::atomic<Node*>* Link(int level) { return &next0 - level; }
    const std::atomic<Node*>* Link(int level) const { return &next0 - level; }

    Node* Next(int level) const { return Link(level)->load(std::memory_order_acquire); }
    void SetNext(int level, Node* x) { Link(level)->store(x, std::memory_order_release); }
    // Only before the node is published (or for levels readers cannot reach yet).
    Node* NoBarrierNext(int level) const { return Link(level)->load(std::memory_order_relaxed); }
    void NoBarrierSetNext(int level, Node* x) { Link(level)->store(x, std::memory_order_relaxed); }

    std::atomic<Node*> next0;
  };

  static Node* NodeOf(const char* key) {
    return reinterpret_cast<Node*>(const_cast<char*>(key)) - 1;
  }
  Node* NewNode(size_t key_size, int height);
  int RandomHeight();
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  // First node >= key; if prev, fills prev[level] with the last node < key at each level.
  Node* FindGreaterOrEqual(const char* key, Node** prev) const;

  Cmp const cmp_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_;  // written only by the writer
  // Writer only: the allocated-but-unlinked node's height, the last node of each level.
  int pending_height_ = 0;
  Node* tail_[kMaxHeight];
  uint32_t rnd_;
};

template <class Cmp>
typename SkipList<Cmp>::Node* SkipList<Cmp>::NewNode(size_t key_size, int height) {
  const size_t links = sizeof(std::atomic<Node*>) * (height - 1);
  char* mem = arena_->AllocateAligned(links + sizeof(Node) + key_size);
  Node* x = reinterpret_cast<Node*>(mem + links);
  for (int i = 0; i < height; i++) new (x->Link(i)) std::atomic<Node*>(nullptr);
  return x;
}

template <class Cmp>
SkipList<Cmp>::SkipList(Cmp cmp, Arena* arena)
    : cmp_(cmp), arena_(arena), head_(NewNode(0, kMaxHeight)), max_height_(1), rnd_(0x2545f491u) {
  for (int i = 0; i < kMaxHeight; i++) tail_[i] = head_;
}

template <class Cmp>
int SkipList<Cmp>::RandomHeight() {
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

template <class Cmp>
typename SkipList<Cmp>::Node* SkipList<Cmp>::FindGreaterOrEqual(const char* key,
                                                                Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr) {
      // The node after next on this level is where the search goes if next < key: start
      // loading it now, while next's entry is compared.
      __builtin_prefetch(next->NoBarrierNext(level));
      if (cmp_(next->Key(), key) < 0) {
        x = next;  // keep searching in this level
        continue;
      }
    }
    if (prev != nullptr) prev[level] = x;
    if (level == 0) return next;
    level--;
  }
}

template <class Cmp>
char* SkipList<Cmp>::AllocateKey(size_t size) {
  pending_height_ = RandomHeight();
  return const_cast<char*>(NewNode(size, pending_height_)->Key());
}

template <class Cmp>
void SkipList<Cmp>::Insert(const char* key) {
  Node* const x = NodeOf(key);
  const int height = pending_height_;
  Node* prev[kMaxHeight];
  if (tail_[0] != head_ && cmp_(tail_[0]->Key(), key) < 0) {
    // Greater than every entry: the tails are the predecessors at every level.
    for (int i = 0; i < kMaxHeight; i++) prev[i] = tail_[i];
  } else {
    Node* next = FindGreaterOrEqual(key, prev);
    assert(next == nullptr || cmp_(key, next->Key()) != 0);
    (void)next;
    for (int i = GetMaxHeight(); i < kMaxHeight; i++) prev[i] = head_;
  }

  if (height > GetMaxHeight()) {
    // Readers seeing the new height before the links below find nullptr at the head's new
    // levels, which is a valid (empty) level: see the header comment.
    max_height_.store(height, std::memory_order_relaxed);
  }
  for (int i = 0; i < height; i++) {
    // x is not yet reachable, so its own pointers need no barrier; the release store into
    // prev[i] publishes x together with them.
    Node* next = prev[i]->NoBarrierNext(i);
    x->NoBarrierSetNext(i, next);
    prev[i]->SetNext(i, x);
    if (next == nullptr) tail_[i] = x;
  }
}

template <class Cmp>
bool SkipList<Cmp>::Contains(const char* key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && cmp_(key, x->Key()) == 0;
}

}  // namespace strata::store
