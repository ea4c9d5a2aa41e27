// SSTable format, builder and reader: round trips over every option combination, seeks and
// point lookups against a model, properties, the block cache, the two-level iterator, and
// systematic corruption (every byte of a table).
#include "store/table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/block_builder.h"
#include "store/cache.h"
#include "store/dbformat.h"
#include "store/format.h"
#include "store/table_builder.h"
#include "store/two_level_iterator.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

// --- In-memory files ------------------------------------------------------------------------

class StringSink final : public WritableFile {
 public:
  explicit StringSink(int fail_after_appends = -1) : fail_after_(fail_after_appends) {}
  Status Append(std::string_view data) override {
    if (fail_after_ >= 0 && appends_ >= fail_after_) return Status::IOError("injected append");
    appends_++;
    contents_.append(data);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  const std::string& contents() const { return contents_; }

 private:
  std::string contents_;
  int fail_after_;
  int appends_ = 0;
};

// Reads copy into scratch, or (mmap mode) return views of the file's own memory.
class StringSource final : public RandomAccessFile {
 public:
  explicit StringSource(std::string contents, bool mmap = false)
      : contents_(std::move(contents)), mmap_(mmap) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    reads_++;
    if (offset > contents_.size()) {
      *result = {};
      return Status::OK();
    }
    n = std::min<size_t>(n, contents_.size() - offset);
    if (mmap_) {
      *result = std::string_view(contents_.data() + offset, n);
    } else {
      std::memcpy(scratch, contents_.data() + offset, n);
      *result = std::string_view(scratch, n);
    }
    return Status::OK();
  }
  bool Mapped() const override { return mmap_; }
  int reads() const { return reads_.load(); }

 private:
  std::string contents_;
  bool mmap_;
  mutable std::atomic<int> reads_{0};
};

// --- Test data and model --------------------------------------------------------------------

struct IKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};
using Model = std::map<std::string, std::string, IKeyLess>;

using testing::IKey;

std::string RandomBytes(std::mt19937_64* rng, size_t len) {
  std::string s(len, '\0');
  for (auto& c : s) c = static_cast<char>((*rng)() & 0xff);
  return s;
}

// n user keys (binary, shared prefixes, \0 bytes, one empty key), each with 1-3 versions
// (distinct sequences, ~20% deletions), values of 0-200 bytes that compress somewhat.
Model RandomModel(std::mt19937_64* rng, int n, std::vector<std::string>* user_keys) {
  Model m;
  const std::string prefixes[] = {"", std::string("\0\0", 2), "user:", "user:1000:", "\xff"};
  std::vector<std::string> keys{""};
  while (static_cast<int>(keys.size()) < n) {
    keys.push_back(prefixes[(*rng)() % 5] + RandomBytes(rng, (*rng)() % 16));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  uint64_t seq = 1;
  for (const auto& u : keys) {
    int versions = 1 + static_cast<int>((*rng)() % 3);
    for (int v = 0; v < versions; v++) {
      seq += 1 + (*rng)() % 3;
      bool del = (*rng)() % 5 == 0;
      std::string value;
      if (!del && (*rng)() % 6 != 0) {
        size_t len = (*rng)() % 200;
        value = std::string(len / 2, 'a' + static_cast<char>((*rng)() % 26)) +
                RandomBytes(rng, len - len / 2);
      }
      m[IKey(u, seq, del ? ValueKind::kDeletion : ValueKind::kValue)] = value;
    }
  }
  if (user_keys != nullptr) *user_keys = keys;
  return m;
}

// The newest entry of user_key with sequence <= seq, as InternalGet should report it.
TableGetResult ModelGet(const Model& m, std::string_view user_key, uint64_t seq,
                        std::string* value) {
  TableGetResult r;
  auto it = m.lower_bound(IKey(user_key, seq, kSeekKind));
  if (it != m.end() && ExtractUserKey(it->first) == user_key) {
    ParsedInternalKey p;
    EXPECT_TRUE(ParseInternalKey(it->first, &p));
    r.found = true;
    r.kind = p.kind;
    r.sequence = p.sequence;
    if (p.kind == ValueKind::kValue) *value = it->second;
  }
  return r;
}

std::string BuildTable(const Options& options, const Model& m, TableProperties* props = nullptr) {
  StringSink sink;
  TableBuilder b(options, &sink);
  for (const auto& [k, v] : m) b.Add(k, v);
  EXPECT_EQ(b.NumEntries(), m.size());
  Status s = b.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(b.FileSize(), sink.contents().size());
  if (props != nullptr) *props = b.properties();
  return sink.contents();
}

Status OpenTable(const std::string& contents, Cache* cache, std::unique_ptr<Table>* table,
                 bool mmap = false, const StringSource** source = nullptr) {
  auto file = std::make_unique<StringSource>(contents, mmap);
  if (source != nullptr) *source = file.get();
  return Table::Open(Options(), std::move(file), contents.size(), cache, 0, table);
}

// --- Round trips over option combinations ----------------------------------------------------

struct Combo {
  Compression compression;
  int restart_interval;
  size_t block_size;
  int bloom_bits;
  bool cache;
  bool mmap;
};

class TableParamTest : public ::testing::TestWithParam<Combo> {
 protected:
  Options MakeOptions() const {
    Options o;
    o.compression = GetParam().compression;
    o.block_restart_interval = GetParam().restart_interval;
    o.block_size = GetParam().block_size;
    o.bloom_bits_per_key = GetParam().bloom_bits;
    return o;
  }
};

TEST_P(TableParamTest, RoundTrip) {
  const Combo c = GetParam();
  std::mt19937_64 rng(c.block_size + c.restart_interval + static_cast<int>(c.compression));
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 600, &user_keys);
  TableProperties built;
  std::string contents = BuildTable(MakeOptions(), m, &built);

  auto cache = NewLRUCache(1 << 20);
  std::unique_ptr<Table> table;
  Status s = OpenTable(contents, c.cache ? cache.get() : nullptr, &table, c.mmap);
  ASSERT_TRUE(s.ok()) << s.ToString();

  // Properties.
  const TableProperties& p = table->properties();
  EXPECT_EQ(p.num_entries, m.size());
  uint64_t deletions = 0, raw_keys = 0, raw_values = 0, min_seq = UINT64_MAX, max_seq = 0;
  for (const auto& [k, v] : m) {
    ParsedInternalKey pk;
    ASSERT_TRUE(ParseInternalKey(k, &pk));
    deletions += pk.kind == ValueKind::kDeletion;
    raw_keys += k.size();
    raw_values += v.size();
    min_seq = std::min(min_seq, pk.sequence);
    max_seq = std::max(max_seq, pk.sequence);
  }
  EXPECT_EQ(p.num_deletions, deletions);
  EXPECT_EQ(p.raw_key_size, raw_keys);
  EXPECT_EQ(p.raw_value_size, raw_values);
  EXPECT_EQ(p.min_sequence, min_seq);
  EXPECT_EQ(p.max_sequence, max_seq);
  EXPECT_EQ(p.smallest_key, m.begin()->first);
  EXPECT_EQ(p.largest_key, m.rbegin()->first);
  EXPECT_EQ(p.compression, c.compression);
  EXPECT_EQ(p.bloom_bits_per_key, static_cast<uint32_t>(c.bloom_bits));
  EXPECT_EQ(table->has_filter(), c.bloom_bits > 0);
  EXPECT_GE(p.num_data_blocks, 1u);
  EXPECT_EQ(p.data_size, built.data_size);
  EXPECT_EQ(p.index_size, built.index_size);
  if (c.block_size == 64) {
    EXPECT_GT(p.num_data_blocks, 100u);
  }

  ReadOptions ro;
  for (int pass = 0; pass < 2; pass++) {  // the second pass reads through the cache
    auto it = table->NewIterator(ro);
    auto mi = m.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++mi) {
      ASSERT_NE(mi, m.end());
      ASSERT_EQ(it->key(), mi->first);
      ASSERT_EQ(it->value(), mi->second);
    }
    ASSERT_EQ(mi, m.end());
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  }
  // Blocks viewing mmap'ed memory are never cached; decompressed copies are.
  if (c.cache && (!c.mmap || c.compression != Compression::kNone)) {
    EXPECT_GT(cache->hits(), 0u);
    EXPECT_GT(cache->TotalCharge(), 0u);
  } else {
    EXPECT_EQ(cache->TotalCharge(), 0u);
  }

  // Seek to every key, and between keys: an older sequence of the same user key, and just
  // past the user key.
  auto it = table->NewIterator(ro);
  auto check_seek = [&](const std::string& target) {
    it->Seek(target);
    auto expect = m.lower_bound(target);
    if (expect == m.end()) {
      ASSERT_FALSE(it->Valid());
      ASSERT_TRUE(it->status().ok());
    } else {
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), expect->first);
      ASSERT_EQ(it->value(), expect->second);
    }
  };
  for (const auto& [k, v] : m) {
    check_seek(k);
    ParsedInternalKey pk;
    ParseInternalKey(k, &pk);
    check_seek(IKey(pk.user_key, pk.sequence - 1, kSeekKind));
    check_seek(IKey(std::string(pk.user_key) + '\0', kMaxSequence, kSeekKind));
  }
  check_seek(IKey("", kMaxSequence, kSeekKind));
  check_seek(IKey(std::string(30, '\xff'), 0, ValueKind::kDeletion));

  // Point lookups at the newest state, at older snapshots, and for absent keys.
  for (const auto& u : user_keys) {
    for (uint64_t snap : {kMaxSequence, max_seq / 2, min_seq, uint64_t{0}}) {
      std::string got, want;
      TableGetResult r;
      r.value = &got;
      s = table->InternalGet(ro, IKey(u, snap, kSeekKind), &r);
      ASSERT_TRUE(s.ok()) << s.ToString();
      TableGetResult w = ModelGet(m, u, snap, &want);
      ASSERT_EQ(r.found, w.found);
      if (w.found) {
        ASSERT_EQ(r.sequence, w.sequence);
        ASSERT_EQ(r.kind, w.kind);
        if (w.kind == ValueKind::kValue) {
          ASSERT_EQ(got, want);
        }
      }
    }
  }
  int absent_found = 0;
  for (int i = 0; i < 2000; i++) {
    std::string u = "absent:" + std::to_string(i);
    TableGetResult r;
    ASSERT_TRUE(table->InternalGet(ro, IKey(u, kMaxSequence, kSeekKind), &r).ok());
    absent_found += r.found;
  }
  EXPECT_EQ(absent_found, 0);
  Table::BloomStats bs = table->bloom_stats();
  if (c.bloom_bits > 0) {
    EXPECT_GT(bs.checked, 2000u);
    EXPECT_GE(bs.useful, 1900u);       // ~1% false positives expected
    EXPECT_GT(bs.false_positive, 0u);  // lookups at snapshot 0 find nothing visible
  } else {
    EXPECT_EQ(bs.checked, 0u);
  }
}

std::vector<Combo> AllCombos() {
  std::vector<Combo> v;
  for (Compression comp : {Compression::kNone, Compression::kLZ4, Compression::kZstd}) {
    for (int restart : {1, 16}) {
      for (size_t block_size : {size_t{64}, size_t{4096}}) {
        for (int bloom : {0, 10}) {
          for (int cache_mode = 0; cache_mode < 3; cache_mode++) {
            v.push_back({comp, restart, block_size, bloom, cache_mode >= 1, cache_mode == 2});
          }
        }
      }
    }
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(TableCombos, TableParamTest, ::testing::ValuesIn(AllCombos()));

// --- Builder behaviour ----------------------------------------------------------------------

TEST(Table, EmptyTable) {
  Options o;
  std::string contents = BuildTable(o, Model());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(contents, nullptr, &table).ok());
  EXPECT_EQ(table->properties().num_entries, 0u);
  EXPECT_EQ(table->properties().num_data_blocks, 0u);
  auto it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  TableGetResult r;
  EXPECT_TRUE(table->InternalGet(ReadOptions(), IKey("a", 5), &r).ok());
  EXPECT_FALSE(r.found);
}

TEST(Table, RejectsOutOfOrderAndMalformedKeys) {
  Options o;
  {
    StringSink sink;
    TableBuilder b(o, &sink);
    b.Add(IKey("b", 1), "x");
    b.Add(IKey("a", 1), "y");
    EXPECT_TRUE(b.status().IsInvalidArgument());
    EXPECT_TRUE(b.Finish().IsInvalidArgument());
  }
  {
    StringSink sink;
    TableBuilder b(o, &sink);
    b.Add(IKey("a", 5), "x");
    b.Add(IKey("a", 5), "x");  // duplicate internal key
    EXPECT_TRUE(b.status().IsInvalidArgument());
    b.Abandon();
  }
  {
    StringSink sink;
    TableBuilder b(o, &sink);
    b.Add("short", "x");
    EXPECT_TRUE(b.status().IsInvalidArgument());
    b.Abandon();
  }
  {
    StringSink sink;
    TableBuilder b(o, &sink);
    b.Add(IKey("a", 7), "x");
    b.Add(IKey("a", 6), "x");  // older version of the same key: in order
    b.Add(IKey("b", 9), "x");
    EXPECT_TRUE(b.Finish().ok());
  }
}

TEST(Table, WriteErrorsAreReported) {
  std::mt19937_64 rng(3);
  Model m = RandomModel(&rng, 300, nullptr);
  for (int fail_after : {0, 1, 5, 20}) {
    Options o;
    o.block_size = 256;
    StringSink sink(fail_after);
    TableBuilder b(o, &sink);
    for (const auto& [k, v] : m) b.Add(k, v);
    EXPECT_TRUE(b.Finish().IsIOError()) << fail_after;
  }
}

TEST(Table, LargeValuesSpanningBlocks) {
  Model m;
  for (int i = 0; i < 20; i++) {
    m[IKey("big" + std::to_string(i), 100 - i)] = std::string(50000 + i * 1000, 'a' + i % 26);
    m[IKey("small" + std::to_string(i), 200 - i)] = "s";
  }
  for (Compression comp : {Compression::kNone, Compression::kLZ4, Compression::kZstd}) {
    Options o;
    o.compression = comp;
    std::string contents = BuildTable(o, m);
    std::unique_ptr<Table> table;
    ASSERT_TRUE(OpenTable(contents, nullptr, &table).ok());
    auto it = table->NewIterator(ReadOptions());
    auto mi = m.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++mi) {
      ASSERT_EQ(it->key(), mi->first);
      ASSERT_EQ(it->value(), mi->second);
    }
    EXPECT_EQ(mi, m.end());
    if (comp != Compression::kNone) {
      EXPECT_LT(contents.size(), 100000u);  // runs compress
    }
  }
}

TEST(Table, CompressionKeptOnlyWhenWorthwhile) {
  Model compressible, random;
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; i++) {
    compressible[IKey("key" + std::to_string(100000 + i), 1)] = std::string(100, 'x');
    random[IKey("key" + std::to_string(100000 + i), 1)] = RandomBytes(&rng, 100);
  }
  auto data_size_with = [](const Model& m, Compression c) {
    Options o;
    o.compression = c;
    TableProperties p;
    BuildTable(o, m, &p);
    return p.data_size;
  };
  uint64_t plain = data_size_with(compressible, Compression::kNone);
  EXPECT_LT(data_size_with(compressible, Compression::kLZ4), plain / 3);
  EXPECT_LT(data_size_with(compressible, Compression::kZstd), plain / 3);
  // Random values do not compress by 1/8: data blocks are stored raw, at the same size.
  uint64_t random_plain = data_size_with(random, Compression::kNone);
  EXPECT_EQ(data_size_with(random, Compression::kLZ4), random_plain);
  EXPECT_EQ(data_size_with(random, Compression::kZstd), random_plain);
}

// VerifyChecksum::kIfOwned checks a block that comes back as a copy (a read buffer or a
// decompressed block: what a cache may keep) and leaves a view of a mapped file unchecked.
TEST(Table, ReadBlockVerifiesIfOwnedOnlyWhatItCopies) {
  std::mt19937_64 rng(23);
  Model m = RandomModel(&rng, 200, nullptr);
  bool saw_compressed = false;
  for (Compression comp : {Compression::kNone, Compression::kLZ4}) {
    Options o;
    o.compression = comp;
    std::string contents = BuildTable(o, m);
    Footer f;
    ASSERT_TRUE(f.DecodeFrom(std::string_view(contents).substr(contents.size() - 64)).ok());
    // Damage the index block's checksum (the 4 bytes after its type byte): its contents stay
    // as they were, so only the checksum can tell.
    contents[f.index.offset + f.index.size + 1] ^= 0x01;
    for (bool mapped : {false, true}) {
      SCOPED_TRACE(std::string(comp == Compression::kNone ? "none" : "lz4") +
                   (mapped ? " mapped" : " pread"));
      StringSource src(contents, mapped);
      BlockContents bc;
      EXPECT_TRUE(ReadBlock(&src, f.index, VerifyChecksum::kYes, &bc).IsCorruption());
      EXPECT_TRUE(ReadBlock(&src, f.index, VerifyChecksum::kNo, &bc).ok());
      // The block's type byte says whether it was stored compressed (a block that does not
      // shrink enough is stored as is).
      const bool compressed = contents[f.index.offset + f.index.size] != 0;
      saw_compressed = saw_compressed || compressed;
      const Status s = ReadBlock(&src, f.index, VerifyChecksum::kIfOwned, &bc);
      EXPECT_EQ(s.IsCorruption(), !mapped || compressed) << s.ToString();
    }
  }
  EXPECT_TRUE(saw_compressed);  // the decompressed-copy case was exercised
}

TEST(Table, IndexSeparatorsAreShort) {
  // Between "prefix/100246/<16-byte suffix>" and "prefix/100249/..." the separator is
  // "prefix/100247" (13 bytes instead of 30). Where the differing digits are adjacent
  // ("...29/" vs "...30/") no shorter separator exists and the whole key stays.
  // Gaps of 2..6 so that block boundaries land on varied digits whatever the number of
  // entries per block (with a fixed gap, every boundary could fall on a carry).
  Model m;
  int n = 100000;
  for (int i = 0; i < 5000; i++) {
    n += 2 + (i * 7919) % 5;
    m[IKey("prefix/" + std::to_string(n) + "/sixteen-byte-sfx", 1)] = "v";
  }
  Options o;
  TableProperties p;
  std::string contents = BuildTable(o, m, &p);

  Footer f;
  ASSERT_TRUE(f.DecodeFrom(std::string_view(contents).substr(contents.size() - 64)).ok());
  StringSource src(contents);
  BlockContents bc;
  ASSERT_TRUE(ReadBlock(&src, f.index, VerifyChecksum::kYes, &bc).ok());
  Block index(std::move(bc));
  auto it = index.NewIterator(InternalKeyComparator());
  size_t entries = 0, short_ones = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    entries++;
    if (ExtractUserKey(it->key()).size() <= 13) short_ones++;
  }
  EXPECT_EQ(entries, p.num_data_blocks);
  EXPECT_GT(short_ones * 3, entries) << short_ones << " of " << entries;
}

// --- Reader behaviour -----------------------------------------------------------------------

TEST(Table, BlockCacheServesRepeatedReads) {
  std::mt19937_64 rng(11);
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 500, &user_keys);
  Options o;
  o.block_size = 512;
  std::string contents = BuildTable(o, m);
  auto cache = NewLRUCache(1 << 20);
  std::unique_ptr<Table> table;
  const StringSource* source;
  ASSERT_TRUE(OpenTable(contents, cache.get(), &table, false, &source).ok());
  const int reads_after_open = source->reads();

  auto get_all = [&](const ReadOptions& ro) {
    for (const auto& u : user_keys) {
      TableGetResult r;
      ASSERT_TRUE(table->InternalGet(ro, IKey(u, kMaxSequence, kSeekKind), &r).ok());
    }
  };
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  get_all(no_fill);
  EXPECT_EQ(cache->TotalCharge(), 0u);
  const int reads_no_fill = source->reads() - reads_after_open;
  EXPECT_GT(reads_no_fill, 0);

  get_all(ReadOptions());
  const int reads_fill = source->reads() - reads_after_open - reads_no_fill;
  EXPECT_EQ(static_cast<uint64_t>(reads_fill), table->properties().num_data_blocks);
  EXPECT_GT(cache->TotalCharge(), 0u);

  get_all(ReadOptions());  // all from the cache
  EXPECT_EQ(source->reads() - reads_after_open - reads_no_fill - reads_fill, 0);
  EXPECT_GE(cache->hits(), user_keys.size());

  // An iterator pins its current block; the cache can be pruned underneath it.
  auto it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  cache->Prune();
  std::string first_key(it->key());
  EXPECT_EQ(first_key, m.begin()->first);
  int n = 0;
  for (; it->Valid(); it->Next()) n++;
  EXPECT_EQ(static_cast<size_t>(n), m.size());

  // Two tables sharing a cache do not see each other's blocks.
  Model other;
  other[IKey(m.begin()->first.substr(0, m.begin()->first.size() - 8), 1)] = "other-table";
  std::string other_contents = BuildTable(o, other);
  std::unique_ptr<Table> other_table;
  ASSERT_TRUE(OpenTable(other_contents, cache.get(), &other_table).ok());
  auto it2 = other_table->NewIterator(ReadOptions());
  it2->SeekToFirst();
  ASSERT_TRUE(it2->Valid());
  EXPECT_EQ(it2->value(), "other-table");
}

// A point lookup whose block is in the cache allocates nothing: stack iterators, an inline
// key buffer, and the value copied into the caller's string.
TEST(Table, CachedPointLookupDoesNotAllocate) {
  std::mt19937_64 rng(13);
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 400, &user_keys);
  Options o;
  o.block_size = 1024;
  std::string contents = BuildTable(o, m);
  auto cache = NewLRUCache(1 << 20);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(contents, cache.get(), &table).ok());
  std::string value;
  value.reserve(1000);
  std::vector<std::string> lookup_keys;
  for (const auto& u : user_keys) lookup_keys.push_back(IKey(u, kMaxSequence, kSeekKind));
  for (int i = 0; i < 100; i++) lookup_keys.push_back(IKey("absent" + std::to_string(i), 9));
  ReadOptions ro;
  auto get_all = [&] {
    size_t found = 0;
    for (const auto& k : lookup_keys) {
      TableGetResult r;
      r.value = &value;
      EXPECT_TRUE(table->InternalGet(ro, k, &r).ok());
      found += r.found;
    }
    return found;
  };
  const size_t found = get_all();  // warms the cache
  testing::StartCountingAllocations();
  const size_t found_again = get_all();
  const size_t allocs = testing::StopCountingAllocations();
  EXPECT_EQ(found, found_again);
  EXPECT_EQ(found, user_keys.size());
  EXPECT_EQ(allocs, 0u);
}

// One table and one small cache (constant eviction) shared by several threads doing point
// lookups and scans. Meaningful under TSan and ASan.
TEST(Table, ConcurrentReadersShareTableAndCache) {
  std::mt19937_64 rng(14);
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 1000, &user_keys);
  Options o;
  o.block_size = 512;
  o.compression = Compression::kLZ4;
  std::string contents = BuildTable(o, m);
  auto cache = NewLRUCache(8 * 1024);  // a handful of blocks
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(contents, cache.get(), &table).ok());

  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 r(t);
      for (int i = 0; i < 2000; i++) {
        const std::string& u = user_keys[r() % user_keys.size()];
        std::string got, want;
        TableGetResult res;
        res.value = &got;
        if (!table->InternalGet(ReadOptions(), IKey(u, kMaxSequence, kSeekKind), &res).ok()) {
          errors++;
          continue;
        }
        TableGetResult w = ModelGet(m, u, kMaxSequence, &want);
        if (res.found != w.found || res.sequence != w.sequence || got != want) errors++;
      }
      auto it = table->NewIterator(ReadOptions());
      size_t n = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
      if (n != m.size() || !it->status().ok()) errors++;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(cache->TotalCharge(), 8u * 1024 + 16 * 1024);  // per-shard rounding, one block each
}

TEST(Table, ApproximateOffsetOfIsMonotonic) {
  std::mt19937_64 rng(12);
  Model m = RandomModel(&rng, 1000, nullptr);
  Options o;
  o.block_size = 1024;
  std::string contents = BuildTable(o, m);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(contents, nullptr, &table).ok());
  uint64_t prev = 0;
  for (const auto& [k, v] : m) {
    uint64_t off = table->ApproximateOffsetOf(k);
    EXPECT_GE(off, prev);
    prev = off;
  }
  EXPECT_GT(prev, 0u);
  EXPECT_EQ(table->ApproximateOffsetOf(IKey(std::string(40, '\xff'), 0)),
            table->properties().data_size);
}

TEST(Table, PropertiesToStringEscapesKeys) {
  TableProperties p;
  p.num_entries = 3;
  p.smallest_key = std::string("a\0b", 3);
  std::string s = p.ToString();
  EXPECT_NE(s.find("num_entries=3\n"), std::string::npos);
  EXPECT_NE(s.find("smallest_key=a\\x00b\n"), std::string::npos);
}

TEST(Table, PropertiesBlockRoundTripsAndIgnoresUnknownNames) {
  TableProperties p;
  p.num_entries = 1234567890123ull;
  p.num_deletions = 7;
  p.smallest_key = std::string("\0\x01", 2);
  p.largest_key = "zz";
  p.compression = Compression::kZstd;
  p.min_sequence = 5;
  p.max_sequence = kMaxSequence;
  TableProperties q;
  ASSERT_TRUE(DecodeTableProperties(EncodeTableProperties(p), &q).ok());
  EXPECT_EQ(q.num_entries, p.num_entries);
  EXPECT_EQ(q.num_deletions, 7u);
  EXPECT_EQ(q.smallest_key, p.smallest_key);
  EXPECT_EQ(q.largest_key, "zz");
  EXPECT_EQ(q.compression, Compression::kZstd);
  EXPECT_EQ(q.max_sequence, kMaxSequence);

  BlockBuilder b(1);
  b.Add("future.property", "whatever");
  std::string num;
  PutVarint64(&num, 42);
  b.Add("strata.num-entries", num);
  ASSERT_TRUE(DecodeTableProperties(b.Finish(), &q).ok());
  EXPECT_EQ(q.num_entries, 42u);

  BlockBuilder bad(1);
  bad.Add("strata.num-entries", "\xff");  // truncated varint
  EXPECT_TRUE(DecodeTableProperties(bad.Finish(), &q).IsCorruption());
}

// --- Format pieces --------------------------------------------------------------------------

TEST(TableFormat, BlockHandleRoundTrip) {
  for (uint64_t off : {0ull, 1ull, 300ull, 1ull << 40}) {
    BlockHandle h{off, off / 2 + 3};
    std::string enc;
    h.EncodeTo(&enc);
    EXPECT_LE(enc.size(), BlockHandle::kMaxEncodedLength);
    std::string_view in(enc);
    BlockHandle d;
    ASSERT_TRUE(d.DecodeFrom(&in));
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(d.offset, h.offset);
    EXPECT_EQ(d.size, h.size);
    std::string_view cut(enc.data(), enc.size() - 1);
    EXPECT_FALSE(d.DecodeFrom(&cut));
  }
}

TEST(TableFormat, FooterRoundTripAndValidation) {
  Footer f;
  f.index = {1000, 200};
  f.filter = {800, 200};
  f.properties = {1205, 90};
  std::string enc;
  f.EncodeTo(&enc);
  ASSERT_EQ(enc.size(), Footer::kEncodedLength);
  Footer d;
  ASSERT_TRUE(d.DecodeFrom(enc).ok());
  EXPECT_EQ(d.index.offset, 1000u);
  EXPECT_EQ(d.filter.size, 200u);
  EXPECT_EQ(d.properties.offset, 1205u);

  std::string bad_magic = enc;
  bad_magic.back() ^= 1;
  EXPECT_TRUE(d.DecodeFrom(bad_magic).IsCorruption());
  std::string bad_field = enc;
  bad_field[3] ^= 1;
  EXPECT_TRUE(d.DecodeFrom(bad_field).IsCorruption());
  EXPECT_TRUE(d.DecodeFrom(enc.substr(1)).IsCorruption());

  Footer future = f;
  future.format_version = kTableFormatVersion + 1;
  std::string fenc;
  future.EncodeTo(&fenc);
  EXPECT_TRUE(d.DecodeFrom(fenc).IsNotSupported());
}

TEST(TableFormat, CompressionRoundTripsAndRejectsGarbage) {
  std::mt19937_64 rng(1);
  std::string raw;
  for (int i = 0; i < 200; i++) raw += "entry-" + std::to_string(i % 17) + RandomBytes(&rng, 2);
  for (Compression c : {Compression::kLZ4, Compression::kZstd}) {
    std::string stored;
    ASSERT_TRUE(CompressBlock(c, raw, &stored));
    EXPECT_LT(stored.size(), raw.size() - raw.size() / 8);
    BlockContents out;
    ASSERT_TRUE(UncompressBlock(c, stored, &out).ok());
    EXPECT_EQ(out.data, raw);
    EXPECT_TRUE(out.owned());
    // Every single-byte change decodes to Corruption or to some bytes, never a crash.
    for (size_t i = 0; i < stored.size(); i++) {
      std::string bad = stored;
      bad[i] ^= 0x5a;
      BlockContents o2;
      Status s = UncompressBlock(c, bad, &o2);
      if (!s.ok()) {
        EXPECT_TRUE(s.IsCorruption());
      }
    }
    BlockContents o3;
    EXPECT_TRUE(UncompressBlock(c, "", &o3).IsCorruption());
    EXPECT_TRUE(UncompressBlock(c, std::string("\xff\xff\xff\xff\x0f", 5), &o3).IsCorruption());
  }
  std::string stored;
  EXPECT_FALSE(CompressBlock(Compression::kNone, raw, &stored));
  EXPECT_FALSE(CompressBlock(Compression::kLZ4, RandomBytes(&rng, 4096), &stored));
  BlockContents o4;
  EXPECT_TRUE(UncompressBlock(static_cast<Compression>(9), "\x01x", &o4).IsCorruption());
}

TEST(TableFormat, ReadBlockChecksTrailer) {
  std::string file = "hello block";
  AppendBlockTrailer(file, Compression::kNone, &file);
  StringSource src(file);
  BlockHandle h{0, 11};
  BlockContents c;
  ASSERT_TRUE(ReadBlock(&src, h, VerifyChecksum::kYes, &c).ok());
  EXPECT_EQ(c.data, "hello block");
  EXPECT_TRUE(c.owned());

  StringSource mm(file, /*mmap=*/true);
  ASSERT_TRUE(ReadBlock(&mm, h, VerifyChecksum::kYes, &c).ok());
  EXPECT_EQ(c.data, "hello block");
  EXPECT_FALSE(c.owned());

  std::string bad = file;
  bad[0] = 'j';
  StringSource bad_src(bad);
  EXPECT_TRUE(ReadBlock(&bad_src, h, VerifyChecksum::kYes, &c).IsCorruption());
  EXPECT_TRUE(ReadBlock(&bad_src, h, VerifyChecksum::kNo, &c).ok());  // not checked
  EXPECT_TRUE(
      ReadBlock(&src, BlockHandle{4, 11}, VerifyChecksum::kYes, &c).IsCorruption());  // short read
  EXPECT_TRUE(ReadBlock(&src, BlockHandle{0, 1ull << 40}, VerifyChecksum::kYes, &c).IsCorruption());

  std::string bad_type = file;
  bad_type[11] = 7;  // unknown compression type, checksum fixed up
  bad_type.resize(11);
  std::string trailer;
  AppendBlockTrailer(bad_type, static_cast<Compression>(7), &trailer);
  bad_type += trailer;
  StringSource type_src(bad_type);
  EXPECT_TRUE(ReadBlock(&type_src, h, VerifyChecksum::kYes, &c).IsCorruption());
}

// --- Two-level iterator ---------------------------------------------------------------------

TEST(TableTwoLevelIterator, StopsAtTheFirstBadBlock) {
  // Three good blocks and a bad one in the middle: iteration returns the first block's
  // entries and then stops with the error; it never skips ahead to the third block.
  auto make_block = [](const std::vector<std::string>& keys) {
    BlockBuilder b(2);
    for (const auto& k : keys) b.Add(k, "v" + k);
    return std::string(b.Finish());
  };
  std::vector<std::string> blocks = {make_block({"a", "b"}), "", make_block({"e", "f"})};
  BlockBuilder index(1);
  index.Add("b", "0");
  index.Add("d", "1");
  index.Add("f", "2");
  std::string index_bytes(index.Finish());
  BlockContents ic;
  ic.data = index_bytes;
  Block index_block(std::move(ic));

  std::vector<std::unique_ptr<Block>> owned;
  auto fn = [&](std::string_view v) -> std::unique_ptr<Iterator> {
    int i = v[0] - '0';
    if (blocks[i].empty()) return NewEmptyIterator(Status::Corruption("bad block", "1"));
    BlockContents c;
    c.data = blocks[i];
    owned.push_back(std::make_unique<Block>(std::move(c)));
    return owned.back()->NewIterator(BytewiseComparator());
  };
  auto it = NewTwoLevelIterator(index_block.NewIterator(BytewiseComparator()), fn);
  std::vector<std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen.emplace_back(it->key());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(it->status().IsCorruption());

  it->Seek("e");  // seeking past the bad block works and clears the error
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "e");
  EXPECT_TRUE(it->status().ok());
  it->Seek("c");  // lands in the bad block
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  it->Seek("zzz");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(TableTwoLevelIterator, SkipsEmptyBlocksAndReportsIndexErrors) {
  BlockBuilder empty(1);
  std::string empty_bytes(empty.Finish());
  BlockBuilder full(1);
  full.Add("x", "1");
  std::string full_bytes(full.Finish());
  BlockBuilder index(1);
  index.Add("a", "e");
  index.Add("b", "e");
  index.Add("x", "f");
  std::string index_bytes(index.Finish());
  BlockContents ic;
  ic.data = index_bytes;
  Block index_block(std::move(ic));
  std::vector<std::unique_ptr<Block>> owned;
  auto fn = [&](std::string_view v) -> std::unique_ptr<Iterator> {
    BlockContents c;
    c.data = v == "e" ? empty_bytes : full_bytes;
    owned.push_back(std::make_unique<Block>(std::move(c)));
    return owned.back()->NewIterator(BytewiseComparator());
  };
  auto it = NewTwoLevelIterator(index_block.NewIterator(BytewiseComparator()), fn);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "x");
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());

  auto bad = NewTwoLevelIterator(NewEmptyIterator(Status::IOError("index")), fn);
  bad->SeekToFirst();
  EXPECT_FALSE(bad->Valid());
  EXPECT_TRUE(bad->status().IsIOError());
}

TEST(TableTwoLevelIterator, CleanupIteratorRunsAfterTheIteratorIsGone) {
  // The usual use: the table is owned by a shared_ptr (as a table cache would hand out) and
  // the iterator keeps it alive.
  Model m;
  m[IKey("a", 1)] = "1";
  m[IKey("b", 2)] = "2";
  std::string contents = BuildTable(Options(), m);
  std::unique_ptr<Table> opened;
  ASSERT_TRUE(OpenTable(contents, nullptr, &opened).ok());
  std::shared_ptr<Table> table(std::move(opened));
  std::weak_ptr<Table> weak = table;
  auto it = NewCleanupIterator(table->NewIterator(ReadOptions()), [table]() mutable {});
  table.reset();
  EXPECT_FALSE(weak.expired());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, 2);
  EXPECT_TRUE(it->status().ok());
  it.reset();
  EXPECT_TRUE(weak.expired());

  bool ran = false;
  auto e = NewCleanupIterator(NewEmptyIterator(Status::IOError("x")), [&ran] { ran = true; });
  EXPECT_TRUE(e->status().IsIOError());
  e.reset();
  EXPECT_TRUE(ran);
}

// --- Corruption -----------------------------------------------------------------------------

enum Region { kData, kFilter, kIndex, kProperties, kFooter, kNumRegions };
const char* const kRegionNames[] = {"data", "filter", "index", "properties", "footer"};

// Which part of the table a byte belongs to (trailers count with their block).
Region RegionOf(const std::string& contents, size_t pos) {
  Footer f;
  EXPECT_TRUE(f.DecodeFrom(std::string_view(contents).substr(contents.size() - 64)).ok());
  auto in = [pos](const BlockHandle& h) {
    return pos >= h.offset && pos < h.offset + h.size + kBlockTrailerSize;
  };
  if (pos >= contents.size() - Footer::kEncodedLength) return kFooter;
  if (f.filter.size > 0 && in(f.filter)) return kFilter;
  if (in(f.index)) return kIndex;
  if (in(f.properties)) return kProperties;
  return kData;
}

// Opens contents and reads everything (scan + a point lookup per user key). Every answer
// must be correct or a Corruption error: never wrong data, never a crash. Returns whether any
// operation reported the corruption.
bool ReadsAreCorrectOrCorruption(const std::string& contents, const Model& m,
                                 const std::vector<std::string>& user_keys, Cache* cache) {
  std::unique_ptr<Table> table;
  Status s = OpenTable(contents, cache, &table);
  if (!s.ok()) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    return true;
  }
  bool detected = false;
  auto it = table->NewIterator(ReadOptions());
  auto mi = m.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++mi) {
    if (mi == m.end()) {
      ADD_FAILURE() << "extra entry";
      return true;
    }
    if (it->key() != mi->first || it->value() != mi->second) {
      ADD_FAILURE() << "wrong entry";
      return true;
    }
  }
  if (!it->status().ok()) {
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    detected = true;
  } else {
    EXPECT_EQ(mi, m.end()) << "scan ended early without an error";
  }
  for (const auto& u : user_keys) {
    std::string got, want;
    TableGetResult r;
    r.value = &got;
    s = table->InternalGet(ReadOptions(), IKey(u, kMaxSequence, kSeekKind), &r);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      detected = true;
      continue;
    }
    TableGetResult w = ModelGet(m, u, kMaxSequence, &want);
    EXPECT_EQ(r.found, w.found) << "wrong Get result";
    if (r.found && w.found) {
      EXPECT_EQ(r.sequence, w.sequence);
      EXPECT_EQ(got, want);
    }
  }
  return detected;
}

// Flips every byte of a small multi-block table (each compression type) and checks that the
// reader either reports Corruption or returns correct data. Every byte is covered by a
// checksum, so every flip must in fact be detected.
TEST(TableCorruption, EveryByteFlipIsDetected) {
  std::mt19937_64 rng(99);
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 40, &user_keys);
  for (Compression comp : {Compression::kNone, Compression::kLZ4, Compression::kZstd}) {
    SCOPED_TRACE(static_cast<int>(comp));
    Options o;
    o.block_size = 512;
    o.block_restart_interval = 4;
    o.compression = comp;
    const std::string good = BuildTable(o, m);
    ASSERT_FALSE(ReadsAreCorrectOrCorruption(good, m, user_keys, nullptr));

    auto cache = NewLRUCache(1 << 20);
    int per_region[kNumRegions] = {};
    int undetected = 0;
    for (size_t pos = 0; pos < good.size(); pos++) {
      std::string bad = good;
      bad[pos] ^= static_cast<char>(1 << (pos % 8));
      per_region[RegionOf(good, pos)]++;
      // Alternate between reading through a shared cache and reading directly.
      if (!ReadsAreCorrectOrCorruption(bad, m, user_keys, pos % 2 ? cache.get() : nullptr)) {
        undetected++;
        ADD_FAILURE() << "flip at " << pos << " (" << kRegionNames[RegionOf(good, pos)]
                      << ") went unnoticed";
      }
      if (HasFailure()) return;
    }
    EXPECT_EQ(undetected, 0);
    for (int r = 0; r < kNumRegions; r++) {
      if (r == kFilter) continue;
      EXPECT_GT(per_region[r], 0) << kRegionNames[r];  // every region was exercised
    }
    EXPECT_GT(per_region[kFilter], 0);
  }
}

TEST(TableCorruption, TruncatedOrExtendedFilesFailToOpen) {
  std::mt19937_64 rng(5);
  Model m = RandomModel(&rng, 50, nullptr);
  Options o;
  o.block_size = 256;
  const std::string good = BuildTable(o, m);
  for (size_t len = 0; len < good.size(); len += 7) {
    std::unique_ptr<Table> table;
    Status s = OpenTable(good.substr(0, len), nullptr, &table);
    EXPECT_TRUE(s.IsCorruption()) << len << " " << s.ToString();
  }
  std::unique_ptr<Table> table;
  EXPECT_TRUE(OpenTable(good + "x", nullptr, &table).IsCorruption());
  EXPECT_TRUE(OpenTable(std::string(1000, '\0'), nullptr, &table).IsCorruption());
}

// With verify_checksums = false and no cache, corrupt data blocks are not detected by
// checksum; the reader may then return garbage but must still never crash or read out of
// bounds (run under ASan).
TEST(TableCorruption, UnverifiedReadsNeverCrash) {
  std::mt19937_64 rng(17);
  std::vector<std::string> user_keys;
  Model m = RandomModel(&rng, 40, &user_keys);
  for (Compression comp : {Compression::kNone, Compression::kLZ4}) {
    Options o;
    o.block_size = 512;
    o.compression = comp;
    const std::string good = BuildTable(o, m);
    ReadOptions ro;
    ro.verify_checksums = false;
    for (size_t pos = 0; pos < good.size(); pos++) {
      std::string bad = good;
      bad[pos] ^= 0x40;
      std::unique_ptr<Table> table;
      if (!OpenTable(bad, nullptr, &table).ok()) continue;
      auto it = table->NewIterator(ro);
      size_t n = 0;
      for (it->SeekToFirst(); it->Valid() && n < 100000; it->Next()) n++;
      ASSERT_LT(n, 100000u);
      for (const auto& u : user_keys) {
        std::string v;
        TableGetResult r;
        r.value = &v;
        (void)table->InternalGet(ro, IKey(u, kMaxSequence, kSeekKind), &r);
      }
    }
  }
}

}  // namespace
}  // namespace strata::store
