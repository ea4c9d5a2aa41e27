#include "store/version_edit.h"

#include <gtest/gtest.h>

#include "store/dbformat.h"
#include "store_test_util.h"
#include "util/coding.h"

namespace strata::store {
namespace {

using testing::IKey;

void ExpectRoundTrip(const VersionEdit& edit) {
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit parsed;
  Status s = parsed.DecodeFrom(encoded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string encoded2;
  parsed.EncodeTo(&encoded2);
  EXPECT_EQ(encoded, encoded2);
  EXPECT_EQ(edit.DebugString(), parsed.DebugString());
}

TEST(VersionEdit, EmptyEditRoundTrips) {
  VersionEdit edit;
  ExpectRoundTrip(edit);
  std::string encoded;
  edit.EncodeTo(&encoded);
  EXPECT_TRUE(encoded.empty());
}

TEST(VersionEdit, EveryFieldRoundTrips) {
  constexpr uint64_t kBig = 1ull << 50;
  VersionEdit edit;
  for (int i = 0; i < 4; i++) {
    FileMetaData f;
    f.number = kBig + 300 + i;
    f.file_size = kBig + 400 + i;
    f.smallest = IKey("foo", kBig + 500 + i);
    f.largest = IKey("zoo", kBig + 600 + i, ValueKind::kDeletion);
    f.num_entries = i * 1000;  // 0: counts unknown, not written
    f.num_deletions = i;
    edit.AddFile(3, f);
    edit.RemoveFile(4, kBig + 700 + i);
    edit.SetCompactPointer(i, IKey("x", kBig + 900 + i));
  }
  edit.SetFormatVersion(kManifestFormatVersion);
  edit.SetLogNumber(kBig + 100);
  edit.SetNextFile(kBig + 200);
  edit.SetLastSequence(kBig + 1000);
  ExpectRoundTrip(edit);

  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom(encoded).ok());
  EXPECT_EQ(parsed.log_number(), kBig + 100);
  EXPECT_EQ(parsed.next_file_number(), kBig + 200);
  EXPECT_EQ(parsed.last_sequence(), kBig + 1000);
  EXPECT_EQ(parsed.format_version(), kManifestFormatVersion);
  ASSERT_EQ(parsed.new_files().size(), 4u);
  EXPECT_EQ(parsed.new_files()[2].first, 3);
  EXPECT_EQ(parsed.new_files()[2].second.number, kBig + 302);
  EXPECT_EQ(parsed.new_files()[2].second.file_size, kBig + 402);
  EXPECT_EQ(parsed.new_files()[2].second.smallest, IKey("foo", kBig + 502));
  EXPECT_EQ(parsed.new_files()[2].second.largest, IKey("zoo", kBig + 602, ValueKind::kDeletion));
  EXPECT_EQ(parsed.new_files()[2].second.num_entries, 2000u);
  EXPECT_EQ(parsed.new_files()[2].second.num_deletions, 2u);
  EXPECT_EQ(parsed.new_files()[0].second.num_entries, 0u);
  EXPECT_EQ(parsed.deleted_files().size(), 4u);
  EXPECT_EQ(parsed.deleted_files().count({4, kBig + 701}), 1u);
  EXPECT_EQ(parsed.compact_pointers().size(), 4u);
}

// The tags are on disk: a MANIFEST written today must read the same forever.
TEST(VersionEdit, TagValuesAreStable) {
  VersionEdit edit;
  edit.SetLogNumber(5);
  std::string encoded;
  edit.EncodeTo(&encoded);
  EXPECT_EQ(encoded, std::string("\x02\x05", 2));
  edit.Clear();
  edit.RemoveFile(1, 9);
  encoded.clear();
  edit.EncodeTo(&encoded);
  EXPECT_EQ(encoded, std::string("\x06\x01\x09", 3));
  EXPECT_EQ(VersionEdit::kNextFileNumber, 3u);
  EXPECT_EQ(VersionEdit::kLastSequence, 4u);
  EXPECT_EQ(VersionEdit::kCompactPointer, 5u);
  EXPECT_EQ(VersionEdit::kNewFile, 7u);
  EXPECT_EQ(VersionEdit::kFormatVersion, 10u);
  EXPECT_EQ(VersionEdit::kFileCounts, 11u);
}

TEST(VersionEdit, DamagedEncodingsAreCorruption) {
  VersionEdit edit;
  edit.AddFile(2, 10, 1000, IKey("a", 1), IKey("b", 2));
  edit.SetLastSequence(77);
  std::string good;
  edit.EncodeTo(&good);

  VersionEdit parsed;
  // Every truncation is either a shorter valid edit or Corruption, never a crash.
  for (size_t n = 0; n < good.size(); n++) {
    Status s = parsed.DecodeFrom(std::string_view(good).substr(0, n));
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption());
    }
  }
  // The new-file record cut anywhere inside is Corruption.
  EXPECT_TRUE(parsed.DecodeFrom(std::string_view(good).substr(0, 5)).IsCorruption());

  std::string unknown = good;
  PutVarint32(&unknown, 99);
  EXPECT_TRUE(parsed.DecodeFrom(unknown).IsCorruption());

  std::string bad_level;
  PutVarint32(&bad_level, VersionEdit::kDeletedFile);
  PutVarint32(&bad_level, kNumLevels);
  PutVarint64(&bad_level, 1);
  EXPECT_TRUE(parsed.DecodeFrom(bad_level).IsCorruption());

  // Counts for a file the edit does not add.
  std::string orphan_counts;
  PutVarint32(&orphan_counts, VersionEdit::kFileCounts);
  PutVarint64(&orphan_counts, 5);
  PutVarint64(&orphan_counts, 10);
  PutVarint64(&orphan_counts, 1);
  EXPECT_TRUE(parsed.DecodeFrom(orphan_counts).IsCorruption());

  std::string short_key;
  PutVarint32(&short_key, VersionEdit::kNewFile);
  PutVarint32(&short_key, 0);
  PutVarint64(&short_key, 1);
  PutVarint64(&short_key, 1);
  PutLengthPrefixed(&short_key, "abc");  // shorter than an internal key's tag
  PutLengthPrefixed(&short_key, IKey("b", 1));
  EXPECT_TRUE(parsed.DecodeFrom(short_key).IsCorruption());
}

}  // namespace
}  // namespace strata::store
