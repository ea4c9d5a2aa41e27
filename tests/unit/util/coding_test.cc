#include "util/coding.h"

#include <gtest/gtest.h>

#include "util/checksum.h"
#include "util/status.h"

namespace strata {
namespace {

TEST(Coding, Varint32RoundTripsAndRejectsTruncation) {
  std::string s;
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 0xffffffffu}) PutVarint32(&s, v);
  std::string_view in(s);
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 0xffffffffu}) {
    uint32_t got;
    ASSERT_TRUE(GetVarint32(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
  std::string big;
  PutVarint32(&big, 0xffffffffu);
  std::string_view cut(big.data(), big.size() - 1);
  uint32_t got;
  EXPECT_FALSE(GetVarint32(&cut, &got));
}

TEST(Coding, Varint64AndFixed) {
  std::string s;
  PutVarint64(&s, ~0ull);
  PutFixed64(&s, 0x0102030405060708ull);
  PutFixed32(&s, 0xdeadbeef);
  std::string_view in(s);
  uint64_t v64;
  uint32_t v32;
  ASSERT_TRUE(GetVarint64(&in, &v64));
  EXPECT_EQ(v64, ~0ull);
  ASSERT_TRUE(GetFixed64(&in, &v64));
  EXPECT_EQ(v64, 0x0102030405060708ull);
  ASSERT_TRUE(GetFixed32(&in, &v32));
  EXPECT_EQ(v32, 0xdeadbeefu);
}

TEST(Coding, BigEndianSortsNumerically) {
  char a[8], b[8];
  EncodeBigEndian64(a, 255);
  EncodeBigEndian64(b, 256);
  EXPECT_LT(std::string_view(a, 8), std::string_view(b, 8));
  EXPECT_EQ(DecodeBigEndian64(b), 256u);
}

TEST(Checksum, MaskRoundTripsAndDiffers) {
  uint32_t c = Checksum("hello");
  EXPECT_NE(MaskChecksum(c), c);
  EXPECT_EQ(UnmaskChecksum(MaskChecksum(c)), c);
  EXPECT_EQ(Checksum2("hel", "lo"), c);
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::IOError("write failed", "No space left on device");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.ToString(), "IO error: write failed: No space left on device");
  Status copy = s;
  EXPECT_EQ(copy.message(), s.message());
  EXPECT_TRUE(Status::OK().ok());
  Status bare = Status::NotFound(std::string_view());
  EXPECT_TRUE(bare.IsNotFound());
  EXPECT_EQ(bare.message(), "");
  EXPECT_EQ(bare.ToString(), "NotFound");
}

}  // namespace
}  // namespace strata
