// Block format: builder/reader round trips, seeks, and robustness to corrupt contents.
#include "store/block.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/block_builder.h"
#include "store/dbformat.h"
#include "store/format.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

using testing::IKey;

std::string RandomBytes(std::mt19937_64* rng, size_t len) {
  std::string s(len, '\0');
  for (auto& c : s) c = static_cast<char>((*rng)() & 0xff);
  return s;
}

// Binary keys with lots of shared prefixes and \0 bytes, some empty values.
std::map<std::string, std::string> RandomEntries(std::mt19937_64* rng, int n) {
  std::map<std::string, std::string> m;
  const std::string prefixes[] = {"", std::string("\0\0", 2), "user:", "user:1", "zz\xff"};
  while (static_cast<int>(m.size()) < n) {
    std::string k = prefixes[(*rng)() % 5] + RandomBytes(rng, (*rng)() % 12);
    std::string v = ((*rng)() % 4 == 0) ? std::string() : RandomBytes(rng, (*rng)() % 40);
    m[k] = v;
  }
  return m;
}

std::unique_ptr<Block> MakeBlock(std::string_view bytes) {
  BlockContents c;
  c.heap = std::make_unique<char[]>(bytes.size() + 1);
  std::memcpy(c.heap.get(), bytes.data(), bytes.size());
  c.data = std::string_view(c.heap.get(), bytes.size());
  return std::make_unique<Block>(std::move(c));
}

std::string Build(const std::map<std::string, std::string>& m, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (const auto& [k, v] : m) b.Add(k, v);
  return std::string(b.Finish());
}

void CheckBlockMatchesModel(const std::map<std::string, std::string>& m, const Block& block,
                            std::mt19937_64* rng) {
  auto it = block.NewIterator(BytewiseComparator());
  // Full scan.
  auto mi = m.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++mi) {
    ASSERT_NE(mi, m.end());
    ASSERT_EQ(it->key(), mi->first);
    ASSERT_EQ(it->value(), mi->second);
  }
  ASSERT_EQ(mi, m.end());
  ASSERT_TRUE(it->status().ok());
  // Seek to every key, and to a key just after each (between keys).
  for (const auto& [k, v] : m) {
    it->Seek(k);
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), k);
    ASSERT_EQ(it->value(), v);
    std::string after = k + std::string(1, '\0');
    it->Seek(after);
    auto expect = m.lower_bound(after);
    if (expect == m.end()) {
      ASSERT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), expect->first);
    }
  }
  // Random seeks, in random order (exercises the seek-from-current-position shortcut).
  for (int i = 0; i < 300; i++) {
    std::string t = RandomBytes(rng, (*rng)() % 8);
    if ((*rng)() % 2) t = "user:" + t;
    it->Seek(t);
    auto expect = m.lower_bound(t);
    if (expect == m.end()) {
      ASSERT_FALSE(it->Valid()) << i;
    } else {
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), expect->first);
      ASSERT_EQ(it->value(), expect->second);
      // Next after a seek continues in order.
      it->Next();
      ++expect;
      if (expect == m.end()) {
        ASSERT_FALSE(it->Valid());
      } else {
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), expect->first);
      }
    }
  }
  ASSERT_TRUE(it->status().ok());
}

TEST(Block, EmptyBlock) {
  BlockBuilder b(16);
  EXPECT_TRUE(b.empty());
  std::string bytes(b.Finish());
  EXPECT_EQ(bytes.size(), 8u);  // one restart (0) + count
  auto block = MakeBlock(bytes);
  ASSERT_TRUE(block->well_formed());
  auto it = block->NewIterator(BytewiseComparator());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(Block, RoundTripRestartIntervals) {
  for (int interval : {1, 2, 7, 16, 1000}) {
    SCOPED_TRACE(interval);
    std::mt19937_64 rng(interval);
    auto m = RandomEntries(&rng, 2000);
    std::string bytes = Build(m, interval);
    auto block = MakeBlock(bytes);
    ASSERT_TRUE(block->well_formed());
    CheckBlockMatchesModel(m, *block, &rng);
  }
}

TEST(Block, SingleEntryAndEmptyKeyAndValue) {
  std::map<std::string, std::string> m{{"", ""}};
  std::mt19937_64 rng(1);
  CheckBlockMatchesModel(m, *MakeBlock(Build(m, 16)), &rng);
  m = {{"", "v"}, {std::string("\0", 1), ""}, {std::string("\0\0", 2), "x"}};
  CheckBlockMatchesModel(m, *MakeBlock(Build(m, 1)), &rng);
}

TEST(Block, LargeKeysAndValues) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 50; i++) {
    m[std::string(300 + i, 'k') + std::to_string(i)] = std::string(1000 * i, 'v');
  }
  std::mt19937_64 rng(2);
  for (int interval : {1, 16}) CheckBlockMatchesModel(m, *MakeBlock(Build(m, interval)), &rng);
}

TEST(Block, PrefixCompressionSavesSpace) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 1000; i++) m["some/long/common/prefix/" + std::to_string(100000 + i)] = "";
  size_t raw = 0;
  for (const auto& [k, v] : m) raw += k.size();
  EXPECT_LT(Build(m, 16).size(), raw / 2);
  EXPECT_GT(Build(m, 1).size(), raw);  // every key stored whole
}

TEST(Block, BuilderResetReusesBuilder) {
  BlockBuilder b(4);
  b.Add("a", "1");
  b.Add("b", "2");
  std::string first(b.Finish());
  b.Reset();
  b.Add("a", "1");
  b.Add("b", "2");
  EXPECT_EQ(std::string(b.Finish()), first);
  EXPECT_EQ(b.num_entries(), 2);
}

TEST(Block, InternalKeyComparatorBlock) {
  std::map<std::string, std::string, bool (*)(const std::string&, const std::string&)> m(
      [](const std::string& a, const std::string& b) { return CompareInternalKeys(a, b) < 0; });
  uint64_t seq = 1;
  for (int u = 0; u < 200; u++) {
    for (int v = 0; v < 3; v++) {
      std::string ik;
      AppendInternalKey(&ik, "key" + std::to_string(u), seq++,
                        v == 1 ? ValueKind::kDeletion : ValueKind::kValue);
      m[ik] = std::to_string(seq);
    }
  }
  BlockBuilder b(16);
  for (const auto& [k, v] : m) b.Add(k, v);
  auto block = MakeBlock(b.Finish());
  auto it = block->NewIterator(InternalKeyComparator());
  for (const auto& [k, v] : m) {
    it->Seek(k);
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), k);
    ASSERT_EQ(it->value(), v);
  }
  // A seek at (user key, max sequence) lands on the newest version.
  std::string target;
  AppendInternalKey(&target, "key5", kMaxSequence, kSeekKind);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  ParsedInternalKey p;
  ASSERT_TRUE(ParseInternalKey(it->key(), &p));
  EXPECT_EQ(p.user_key, "key5");
}

// The hot path of scans and point lookups: Next and Seek reuse the iterator's key buffer, and
// keys up to 64 bytes need no heap buffer at all.
TEST(Block, NextAndSeekDoNotAllocate) {
  for (size_t key_len : {size_t{30}, size_t{200}}) {
    std::map<std::string, std::string> m;
    for (int i = 0; i < 500; i++) {
      std::string k = std::to_string(100000 + i);
      m[std::string(key_len - k.size(), 'p') + k] = "value";
    }
    auto block = MakeBlock(Build(m, 16));
    BlockIterator it(block.get(), BytewiseComparator());
    testing::StartCountingAllocations();
    size_t n = 0;
    for (int pass = 0; pass < 3; pass++) {
      for (it.SeekToFirst(); it.Valid(); it.Next()) n++;
      for (const auto& [k, v] : m) it.Seek(k);
    }
    const size_t allocs = testing::StopCountingAllocations();
    EXPECT_EQ(n, 3 * m.size());
    if (key_len <= 64) {
      EXPECT_EQ(allocs, 0u);
    } else {
      EXPECT_LE(allocs, 2u);  // the buffer grows once (maybe twice), then is reused
    }
  }
}

TEST(Block, MalformedRestartArrayIsCorruption) {
  for (std::string bytes : {std::string(), std::string("\x01\x00\x00", 3),
                            std::string("\x00\x00\x00\x00", 4),  // zero restarts
                            std::string("\x00\x00\x00\x00\x05\x00\x00\x00", 8)}) {
    auto block = MakeBlock(bytes);
    EXPECT_FALSE(block->well_formed());
    auto it = block->NewIterator(BytewiseComparator());
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption());
    it->Seek("x");
    EXPECT_FALSE(it->Valid());
  }
}

TEST(Block, EntryRunningPastRestartsIsCorruption) {
  BlockBuilder b(16);
  b.Add("key", std::string(20, 'v'));
  std::string bytes(b.Finish());
  bytes[2] = 100;  // value_len past the end of the entries
  auto block = MakeBlock(bytes);
  auto it = block->NewIterator(BytewiseComparator());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(Block, RestartPointOutOfRangeIsCorruption) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 40; i++) m["k" + std::to_string(i)] = "v";
  std::string bytes = Build(m, 4);
  // Point the second restart far past the entries.
  uint32_t num = DecodeFixed32(bytes.data() + bytes.size() - 4);
  size_t restarts = bytes.size() - 4 - 4 * num;
  EncodeFixed32(bytes.data() + restarts + 4, 0x7fffffff);
  auto block = MakeBlock(bytes);
  auto it = block->NewIterator(BytewiseComparator());
  it->Seek("k11");  // the binary search visits restart 1
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

// Every single-byte change and every truncation of a block: the reader may return garbage
// keys (blocks are checksummed one level up), but must never read out of bounds, loop
// forever or crash. Run under ASan to make this test meaningful.
TEST(Block, FuzzedContentsNeverCrash) {
  std::mt19937_64 rng(7);
  auto m = RandomEntries(&rng, 60);
  for (int interval : {1, 4, 16}) {
    const std::string good = Build(m, interval);
    auto exercise = [&](const std::string& bytes) {
      auto block = MakeBlock(bytes);
      auto it = block->NewIterator(BytewiseComparator());
      size_t steps = 0;
      for (it->SeekToFirst(); it->Valid() && steps < 10000; it->Next()) {
        steps++;
        (void)it->key().size();
        (void)it->value().size();
      }
      ASSERT_LT(steps, 10000u);
      for (const auto& [k, v] : m) {
        it->Seek(k);
        if (it->Valid()) it->Next();
      }
    };
    for (size_t i = 0; i < good.size(); i++) {
      for (unsigned char x : {0x01, 0x80, 0xff}) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ x);
        exercise(bad);
      }
    }
    for (size_t len = 0; len < good.size(); len += 3) exercise(good.substr(0, len));
  }
}

// The search index (BuildSearchIndex) must not change any seek's answer: internal keys with
// a long shared prefix, keys that tie in the 8 indexed bytes, short keys, several versions of
// one user key, and targets before, between, equal to and after them all.
TEST(Block, SearchIndexSeeksLikeThePlainSearch) {
  std::mt19937_64 rng(77);
  for (int restart_interval : {1, 2, 16}) {
    std::map<std::string, std::string, decltype([](const std::string& a, const std::string& b) {
               return CompareInternalKeys(a, b) < 0;
             })>
        m;
    std::vector<std::string> users;
    for (int i = 0; i < 400; i++) {
      std::string u = std::string("d\0\0\0\1key:") + RandomBytes(&rng, rng() % 11);
      if (i % 7 == 0) u = u.substr(0, 9 + rng() % 3);            // shorter than the word
      if (i % 5 == 0) u += std::string("\0\0\0\0\0\0\0\0x", 9);  // ties in the word
      users.push_back(u);
      for (int v = 0; v < 1 + static_cast<int>(rng() % 3); v++) {
        m[IKey(u, 1 + rng() % 1000, ValueKind::kValue)] = "v" + std::to_string(i);
      }
    }
    BlockBuilder b(restart_interval);
    for (const auto& [k, v] : m) b.Add(k, v);
    std::string bytes(b.Finish());
    auto plain = MakeBlock(bytes);
    auto indexed = MakeBlock(bytes);
    indexed->BuildSearchIndex();

    std::vector<std::string> targets;
    for (const auto& [k, v] : m) targets.push_back(k);
    for (const std::string& u : users) {
      targets.push_back(IKey(u, kMaxSequence, kSeekKind));
      targets.push_back(IKey(u, 0, ValueKind::kDeletion));
      targets.push_back(IKey(u + "\x01", 500, kSeekKind));
    }
    using namespace std::string_literals;
    for (const std::string& u :
         {""s, "a"s, "d"s, "d\0\0\0\1"s, "d\0\0\0\1key:"s, "zzz"s, "d\0\0\0\2"s}) {
      targets.push_back(IKey(u, 7, kSeekKind));
    }
    for (const std::string& t : targets) {
      auto a = plain->NewIterator(InternalKeyComparator());
      auto c = indexed->NewIterator(InternalKeyComparator());
      a->Seek(t);
      c->Seek(t);
      ASSERT_EQ(a->Valid(), c->Valid()) << restart_interval;
      if (a->Valid()) {
        ASSERT_EQ(a->key(), c->key()) << restart_interval;
      }
      // A second seek from a positioned iterator takes the same path.
      c->Seek(targets[rng() % targets.size()]);
      ASSERT_TRUE(c->status().ok());
    }
  }
}

}  // namespace
}  // namespace strata::store
