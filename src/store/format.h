// SSTable file format: block handles, the footer, the block trailer, and reading a block back
// (checksum check + decompression). The builder is table_builder.h; the reader is table.h.
//
// A table file (all integers little-endian):
//
//   [data block 0][trailer] ... [data block N-1][trailer]
//   [filter block][trailer]       (absent when bloom_bits_per_key == 0; handle size 0)
//   [index block][trailer]
//   [properties block][trailer]
//   [footer]                      (Footer::kEncodedLength = 64 bytes)
//
// Data blocks and the index block use the block layout of block_builder.h, keyed by internal
// keys (dbformat.h); data and index blocks may be compressed, the others never are. The index
// has one entry per data block: key = a separator >= the block's last key and < the next
// block's first key, value = the block's BlockHandle. The filter block is bloom.h's layout.
// The properties block is a block (block_builder.h) of name -> value entries sorted by name;
// see TableProperties for the names. Readers ignore names they do not know.
//
// Block trailer (kBlockTrailerSize = 5 bytes), after every block's stored bytes:
//   compression type: 1 byte (Compression, options.h: 0 none, 1 lz4, 2 zstd)
//   checksum:         fixed32 MaskChecksum(Checksum(stored bytes ++ type byte))
//
// Stored bytes of a compressed block:
//   raw_size: varint32 (size of the uncompressed block) | compressor output
//   (lz4: LZ4_compress_default raw block; zstd: one zstd frame)
// A block is stored compressed only if that saves at least 1/8 of its raw size.
//
// Footer (fixed 64 bytes at the end of the file):
//   index_handle:      fixed64 offset | fixed64 size
//   filter_handle:     fixed64 offset | fixed64 size   (size 0: no filter)
//   properties_handle: fixed64 offset | fixed64 size
//   format_version:    fixed32 (kTableFormatVersion)
//   footer_checksum:   fixed32 MaskChecksum(Checksum(the 52 bytes above))
//   magic:             fixed64 kTableMagicNumber
// Handle sizes exclude the trailer. Inside the index block, handles are varint64 offset |
// varint64 size (BlockHandle::EncodeTo).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/env.h"
#include "store/options.h"
#include "util/status.h"

namespace strata::store {

// DO NOT CHANGE: written in every table's footer.
// First 8 bytes of sha1("strata.sst"), 2b19d8a1ffbe11ec.
constexpr uint64_t kTableMagicNumber = 0x2b19d8a1ffbe11ecull;
// Bumped on any incompatible change of the table layout; readers reject other versions.
constexpr uint32_t kTableFormatVersion = 1;
constexpr size_t kBlockTrailerSize = 5;
// Largest raw block a reader accepts (a block holding one huge value may be this large).
constexpr size_t kMaxBlockSize = size_t{1} << 30;

// Where a block lives in the file: offset and size of its stored bytes (trailer excluded).
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;

  static constexpr size_t kMaxEncodedLength = 20;  // two varint64s
  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input; false if malformed.
  bool DecodeFrom(std::string_view* input);
};

struct Footer {
  BlockHandle index;
  BlockHandle filter;  // size 0: the table has no filter
  BlockHandle properties;
  uint32_t format_version = kTableFormatVersion;

  static constexpr size_t kEncodedLength = 64;
  void EncodeTo(std::string* dst) const;
  // input must be exactly kEncodedLength bytes. Corruption on bad magic, checksum or version.
  Status DecodeFrom(std::string_view input);
};

// What a table records about itself (the properties block). Keys are internal keys.
struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;  // entries of kind kDeletion (tombstones)
  uint64_t raw_key_size = 0;   // sum of internal key sizes, before prefix compression
  uint64_t raw_value_size = 0;
  uint64_t num_data_blocks = 0;
  uint64_t data_size = 0;    // bytes of all data blocks with trailers (= the filter's offset)
  uint64_t index_size = 0;   // stored bytes of the index block
  uint64_t filter_size = 0;  // 0: no filter
  uint64_t min_sequence = 0;
  uint64_t max_sequence = 0;
  std::string smallest_key;  // empty when num_entries == 0
  std::string largest_key;
  Compression compression = Compression::kNone;  // what the builder was asked to use
  uint32_t bloom_bits_per_key = 0;

  // One "name=value" per line (keys escaped), for tools and logs.
  std::string ToString() const;
};

// Encodes props as a properties block (uncompressed, without trailer).
std::string EncodeTableProperties(const TableProperties& props);
// Corruption if the block is malformed or a known property's value is.
Status DecodeTableProperties(std::string_view block, TableProperties* props);

// The uncompressed bytes of a block. Either owns them (heap) or points into memory owned by
// the file (an mmap'ed RandomAccessFile), in which case it must not outlive the file and must
// not be put in a cache that may outlive the table.
struct BlockContents {
  std::string_view data;
  std::unique_ptr<char[]> heap;  // non-null: data points into it
  bool owned() const { return heap != nullptr; }
};

// When ReadBlock checks a block's trailer checksum.
enum class VerifyChecksum {
  kNo,
  kYes,
  // Only if the contents come back owned (read into a buffer, or decompressed): such a copy
  // may go into a cache shared with readers that do verify. A view into a mapped file
  // (RandomAccessFile::Mapped) cannot outlive its table, so it is never cached.
  kIfOwned,
};

// Reads the block at handle, checks its trailer checksum as `verify` says, and decompresses
// it. Corruption if the read is short, the checksum fails, the compression type is unknown,
// or decompression fails; IOError from the file passes through.
Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle, VerifyChecksum verify,
                 BlockContents* result);

// Compresses raw into *out (raw_size varint + compressor output). False if the type is
// kNone, the compressor failed, or the result would not save at least raw.size() / 8; then
// the caller stores raw uncompressed. Thread-safe.
bool CompressBlock(Compression type, std::string_view raw, std::string* out);

// Reverses CompressBlock. Corruption on malformed input.
Status UncompressBlock(Compression type, std::string_view stored, BlockContents* result);

// Appends the 5-byte trailer for stored bytes compressed with type.
void AppendBlockTrailer(std::string_view stored, Compression type, std::string* dst);

}  // namespace strata::store
