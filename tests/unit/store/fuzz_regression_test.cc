// Regression tests for what the store's fuzz targets (fuzz/*_fuzz.cc) found. Each test
// replays the part of the fuzz input that mattered; the whole input stays in the target's
// seed corpus, fuzz/corpus/<target>/regress_*, so the fuzzer replays it on every run too.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "store/block.h"
#include "store/dbformat.h"
#include "store/format.h"
#include "store/options.h"
#include "store/version_edit.h"
#include "store_test_util.h"

namespace strata::store {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Runs f; returns the heap allocations it made, or -1 where they cannot be counted
// (sanitizer builds, which still run f and check everything else).
template <typename F>
int CountAllocations(F f) {
  if (!testing::AllocationCountingAvailable()) {
    f();
    return -1;
  }
  testing::StartCountingAllocations();
  f();
  return static_cast<int>(testing::StopCountingAllocations());
}

// manifest_fuzz (regress_file_counts): a snapshot edit whose kFileCounts for file #5 says
// 0 entries and 2 tombstones ("0b 05 00 02" below). It decoded, but re-encoding dropped the
// counts (they are written only for files with entries), so the edit did not round-trip.
// More tombstones than entries is damage: the decoder refuses it.
TEST(FuzzRegressionTest, ManifestFileCountsWithMoreTombstonesThanEntries) {
  const std::string record = FromHex(
      "0a010203030904e807050109670105000000000000070005d00f0962015a0000000000000979015f00000000"
      "00000b050002070004d40b09610150000000000000096d0155000000000000070106b81709e1010a00000000"
      "000009660114000000000000070107b8170967010a000000000000096b0014000009670105");
  VersionEdit edit;
  Status s = edit.DecodeFrom(record);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(edit.new_files().empty());

  // The same record with 2 entries and 2 tombstones decodes, and round-trips.
  std::string fixed = record;
  const size_t counts = fixed.find(std::string("\x0b\x05\x00\x02", 4));
  ASSERT_NE(counts, std::string::npos);
  fixed[counts + 2] = 2;
  ASSERT_TRUE(edit.DecodeFrom(fixed).ok());
  ASSERT_EQ(edit.new_files().size(), 4u);
  EXPECT_EQ(edit.new_files()[0].second.num_entries, 2u);
  EXPECT_EQ(edit.new_files()[0].second.num_deletions, 2u);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit again;
  ASSERT_TRUE(again.DecodeFrom(encoded).ok());
  EXPECT_EQ(again.DebugString(), edit.DebugString());
}

// sst_reader_fuzz (regress_lz4_raw_size): a 4-byte lz4 block whose header claims an
// 88582615-byte raw size. UncompressBlock allocated the claimed size before checking that
// the (empty) compressed data could expand to it; the fuzzer's malloc limit caught it.
TEST(FuzzRegressionTest, CompressedBlockSizeIsCheckedBeforeAllocating) {
  const std::string lz4_block("\xd7\xd3\x9e\x2a", 4);
  BlockContents contents;
  Status s;
  const int used =
      CountAllocations([&] { s = UncompressBlock(Compression::kLZ4, lz4_block, &contents); });
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  Status expected;
  const int status_cost =
      CountAllocations([&] { expected = Status::Corruption("bad lz4 block size"); });
  EXPECT_EQ(used, status_cost);  // nothing but the error message

  // The same for zstd: a bare frame header that claims 768 MiB of content.
  std::string zstd_block;
  PutVarint32(&zstd_block, 768u << 20);
  zstd_block += std::string("\x28\xb5\x2f\xfd\xe0", 5);  // magic; 8-byte content size, one segment
  PutFixed64(&zstd_block, uint64_t{768} << 20);
  const int zstd_used =
      CountAllocations([&] { s = UncompressBlock(Compression::kZstd, zstd_block, &contents); });
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  const int zstd_status_cost =
      CountAllocations([&] { expected = Status::Corruption("bad zstd block size"); });
  EXPECT_EQ(zstd_used, zstd_status_cost);
}

// sst_reader_fuzz (regress_block_short_key): a block whose only key is empty, followed by 16
// bytes of value. Seeking it with the internal key comparator compared the empty key as an
// internal key: CompareInternalKeys took its user key as size() - 8 bytes (wrapped around)
// and read past the block's end while the target matched the bytes after the key. A key of
// a block read as internal keys must hold the 8-byte tag; a shorter one is Corruption.
TEST(FuzzRegressionTest, BlockKeyShorterThanInternalKeyTag) {
  const std::string bytes = std::string("\x00\x00\x10", 3) + std::string(16, 'A') +
                            std::string("\x00\x00\x00\x00\x01\x00\x00\x00", 8);
  BlockContents contents;
  contents.heap = std::make_unique_for_overwrite<char[]>(bytes.size());  // exact size for ASan
  std::memcpy(contents.heap.get(), bytes.data(), bytes.size());
  contents.data = std::string_view(contents.heap.get(), bytes.size());
  Block block(std::move(contents));

  BlockIterator it(&block, InternalKeyComparator());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().IsCorruption());

  // The fuzzer's target: the bytes after the key, one more byte, and a tag.
  std::string target = bytes.substr(3) + "\xff";
  PutFixed64(&target, PackTag(kMaxSequence, kSeekKind));
  BlockIterator seek(&block, InternalKeyComparator());
  seek.Seek(target);
  EXPECT_FALSE(seek.Valid());
  EXPECT_TRUE(seek.status().IsCorruption());

  // As a block of user keys the empty key is fine.
  BlockIterator bytewise(&block, BytewiseComparator());
  bytewise.SeekToFirst();
  ASSERT_TRUE(bytewise.Valid());
  EXPECT_EQ(bytewise.key(), "");
  EXPECT_EQ(bytewise.value(), std::string(16, 'A'));
}

}  // namespace
}  // namespace strata::store
