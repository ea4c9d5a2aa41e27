#include "store/skiplist.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "store/arena.h"
#include "util/coding.h"

namespace strata::store {
namespace {

// Entries are 8-byte big-endian integers, so bytewise order is numeric order.
struct U64Cmp {
  int operator()(const char* a, const char* b) const { return std::memcmp(a, b, 8); }
};
using IntList = SkipList<U64Cmp>;

struct Key {
  explicit Key(uint64_t v) { EncodeBigEndian64(buf, v); }
  char buf[8];
};
uint64_t Value(const char* p) { return DecodeBigEndian64(p); }
void Insert(IntList* list, uint64_t v) {
  char* mem = list->AllocateKey(8);
  EncodeBigEndian64(mem, v);
  list->Insert(mem);
}
bool Contains(const IntList& list, uint64_t v) { return list.Contains(Key(v).buf); }

TEST(SkipList, Empty) {
  Arena arena;
  IntList list(U64Cmp(), &arena);
  EXPECT_FALSE(Contains(list, 10));
  IntList::Iterator it(&list);
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.Seek(Key(100).buf);
  EXPECT_FALSE(it.Valid());
}

TEST(SkipList, InsertAndLookupMatchesStdSet) {
  Arena arena;
  IntList list(U64Cmp(), &arena);
  std::set<uint64_t> model;
  std::mt19937_64 rnd(1000);
  for (int i = 0; i < 2000; i++) {
    uint64_t k = rnd() % 5000;
    if (model.insert(k).second) Insert(&list, k);
  }
  for (uint64_t k = 0; k < 5000; k++) EXPECT_EQ(Contains(list, k), model.count(k) == 1) << k;

  IntList::Iterator it(&list);
  it.SeekToFirst();
  for (uint64_t k : model) {
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(Value(it.key()), k);
    it.Next();
  }
  EXPECT_FALSE(it.Valid());

  for (uint64_t target : {0ull, 1ull, 2500ull, 4999ull, 5000ull}) {
    it.Seek(Key(target).buf);
    auto m = model.lower_bound(target);
    if (m == model.end()) {
      EXPECT_FALSE(it.Valid());
    } else {
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(Value(it.key()), *m);
    }
  }
}

// One writer inserts increasing keys while readers scan. A reader must always see a sorted
// sequence, and every key inserted before its scan began (the publication guarantee).
TEST(SkipList, ConcurrentReadersSeeConsistentState) {
  Arena arena;
  IntList list(U64Cmp(), &arena);
  constexpr uint64_t kKeys = 20000;
  std::atomic<uint64_t> inserted{0};  // keys [0, inserted) are in the list
  std::atomic<bool> failed{false};

  auto reader = [&] {
    while (inserted.load(std::memory_order_acquire) < kKeys && !failed.load()) {
      uint64_t known = inserted.load(std::memory_order_acquire);
      IntList::Iterator it(&list);
      it.SeekToFirst();
      uint64_t expect = 0;
      // Keys are inserted as 2*i, so the list must be exactly 0, 2, 4, ... as far as it goes.
      while (it.Valid()) {
        if (Value(it.key()) != expect) failed = true;
        expect += 2;
        it.Next();
      }
      if (expect / 2 < known) failed = true;
      if (known > 0 && !Contains(list, 2 * (known - 1))) failed = true;
    }
  };
  std::thread r1(reader), r2(reader);
  for (uint64_t i = 0; i < kKeys; i++) {
    Insert(&list, 2 * i);
    inserted.store(i + 1, std::memory_order_release);
  }
  r1.join();
  r2.join();
  EXPECT_FALSE(failed.load());
}

}  // namespace
}  // namespace strata::store
