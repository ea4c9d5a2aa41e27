#include "store/format.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "store/block.h"
#include "store/block_builder.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::store {
namespace {

// zstd's default level: a good ratio at flush/compaction speed; lz4 is the fast choice.
constexpr int kZstdLevel = 3;

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: creating one per block would allocate ~100s of KiB each time.
ZSTD_CCtx* ThreadZstdCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadZstdDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Property names in the properties block. DO NOT CHANGE: on disk.
constexpr std::string_view kPropBloomBitsPerKey = "strata.bloom-bits-per-key";
constexpr std::string_view kPropCompression = "strata.compression";
constexpr std::string_view kPropDataSize = "strata.data-size";
constexpr std::string_view kPropFilterSize = "strata.filter-size";
constexpr std::string_view kPropIndexSize = "strata.index-size";
constexpr std::string_view kPropLargestKey = "strata.largest-key";
constexpr std::string_view kPropMaxSequence = "strata.max-sequence";
constexpr std::string_view kPropMinSequence = "strata.min-sequence";
constexpr std::string_view kPropNumDataBlocks = "strata.num-data-blocks";
constexpr std::string_view kPropNumDeletions = "strata.num-deletions";
constexpr std::string_view kPropNumEntries = "strata.num-entries";
constexpr std::string_view kPropRawKeySize = "strata.raw-key-size";
constexpr std::string_view kPropRawValueSize = "strata.raw-value-size";
constexpr std::string_view kPropSmallestKey = "strata.smallest-key";

void AppendEscaped(std::string* dst, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      dst->push_back(ch);
    } else {
      dst->append("\\x");
      dst->push_back(kHex[c >> 4]);
      dst->push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

std::string EncodeTableProperties(const TableProperties& p) {
  std::vector<std::pair<std::string_view, std::string>> entries;
  auto num = [&entries](std::string_view name, uint64_t v) {
    std::string enc;
    PutVarint64(&enc, v);
    entries.emplace_back(name, std::move(enc));
  };
  num(kPropBloomBitsPerKey, p.bloom_bits_per_key);
  num(kPropCompression, static_cast<uint64_t>(p.compression));
  num(kPropDataSize, p.data_size);
  num(kPropFilterSize, p.filter_size);
  num(kPropIndexSize, p.index_size);
  entries.emplace_back(kPropLargestKey, p.largest_key);
  num(kPropMaxSequence, p.max_sequence);
  num(kPropMinSequence, p.min_sequence);
  num(kPropNumDataBlocks, p.num_data_blocks);
  num(kPropNumDeletions, p.num_deletions);
  num(kPropNumEntries, p.num_entries);
  num(kPropRawKeySize, p.raw_key_size);
  num(kPropRawValueSize, p.raw_value_size);
  entries.emplace_back(kPropSmallestKey, p.smallest_key);
  std::sort(entries.begin(), entries.end());

  BlockBuilder builder(1);
  for (const auto& [name, value] : entries) builder.Add(name, value);
  return std::string(builder.Finish());
}

Status DecodeTableProperties(std::string_view block, TableProperties* props) {
  *props = TableProperties();
  BlockContents contents;
  contents.data = block;  // not owned: the Block lives only in this function
  Block b(std::move(contents));
  BlockIterator it(&b, BytewiseComparator());
  const std::pair<std::string_view, uint64_t*> numbers[] = {
      {kPropDataSize, &props->data_size},         {kPropFilterSize, &props->filter_size},
      {kPropIndexSize, &props->index_size},       {kPropMaxSequence, &props->max_sequence},
      {kPropMinSequence, &props->min_sequence},   {kPropNumDataBlocks, &props->num_data_blocks},
      {kPropNumDeletions, &props->num_deletions}, {kPropNumEntries, &props->num_entries},
      {kPropRawKeySize, &props->raw_key_size},    {kPropRawValueSize, &props->raw_value_size},
  };
  auto number = [](std::string_view v, uint64_t* out) { return GetVarint64(&v, out) && v.empty(); };
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view name = it.key(), value = it.value();
    bool ok = true;
    if (name == kPropSmallestKey) {
      props->smallest_key.assign(value);
    } else if (name == kPropLargestKey) {
      props->largest_key.assign(value);
    } else if (name == kPropCompression) {
      uint64_t c = 0;
      ok = number(value, &c) && c <= static_cast<uint64_t>(Compression::kZstd);
      props->compression = static_cast<Compression>(c);
    } else if (name == kPropBloomBitsPerKey) {
      uint64_t b = 0;
      ok = number(value, &b) && b <= UINT32_MAX;
      props->bloom_bits_per_key = static_cast<uint32_t>(b);
    } else {
      for (const auto& [n, field] : numbers) {
        if (name == n) {
          ok = number(value, field);
          break;
        }
      }
    }
    if (!ok) return Status::Corruption("bad table property", name);
  }
  return it.status();
}

std::string TableProperties::ToString() const {
  std::string r;
  auto line = [&r](std::string_view name, uint64_t v) {
    r.append(name).append("=").append(std::to_string(v)).append("\n");
  };
  line("num_entries", num_entries);
  line("num_deletions", num_deletions);
  line("raw_key_size", raw_key_size);
  line("raw_value_size", raw_value_size);
  line("num_data_blocks", num_data_blocks);
  line("data_size", data_size);
  line("index_size", index_size);
  line("filter_size", filter_size);
  line("min_sequence", min_sequence);
  line("max_sequence", max_sequence);
  line("compression", static_cast<uint64_t>(compression));
  line("bloom_bits_per_key", bloom_bits_per_key);
  r.append("smallest_key=");
  AppendEscaped(&r, smallest_key);
  r.append("\nlargest_key=");
  AppendEscaped(&r, largest_key);
  r.append("\n");
  return r;
}

void BlockHandle::EncodeTo(std::string* dst) const {
  char buf[kMaxEncodedLength];
  char* p = EncodeVarint64(buf, offset);
  p = EncodeVarint64(p, size);
  dst->append(buf, p - buf);
}

bool BlockHandle::DecodeFrom(std::string_view* input) {
  return GetVarint64(input, &offset) && GetVarint64(input, &size);
}

void Footer::EncodeTo(std::string* dst) const {
  size_t start = dst->size();
  for (const BlockHandle* h : {&index, &filter, &properties}) {
    PutFixed64(dst, h->offset);
    PutFixed64(dst, h->size);
  }
  PutFixed32(dst, format_version);
  std::string_view covered(dst->data() + start, dst->size() - start);
  PutFixed32(dst, MaskChecksum(Checksum(covered)));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(std::string_view input) {
  if (input.size() != kEncodedLength) return Status::Corruption("table footer has wrong size");
  const char* p = input.data();
  if (DecodeFixed64(p + 56) != kTableMagicNumber) {
    return Status::Corruption("not a table file (bad magic number)");
  }
  uint32_t stored = UnmaskChecksum(DecodeFixed32(p + 52));
  if (Checksum(std::string_view(p, 52)) != stored) {
    return Status::Corruption("table footer checksum mismatch");
  }
  format_version = DecodeFixed32(p + 48);
  if (format_version != kTableFormatVersion) {
    return Status::NotSupported("unsupported table format version", std::to_string(format_version));
  }
  BlockHandle* handles[] = {&index, &filter, &properties};
  for (int i = 0; i < 3; i++) {
    handles[i]->offset = DecodeFixed64(p + 16 * i);
    handles[i]->size = DecodeFixed64(p + 16 * i + 8);
  }
  return Status::OK();
}

void AppendBlockTrailer(std::string_view stored, Compression type, std::string* dst) {
  char trailer[kBlockTrailerSize];
  trailer[0] = static_cast<char>(type);
  uint32_t crc = Checksum2(stored, std::string_view(trailer, 1));
  EncodeFixed32(trailer + 1, MaskChecksum(crc));
  dst->append(trailer, kBlockTrailerSize);
}

bool CompressBlock(Compression type, std::string_view raw, std::string* out) {
  out->clear();
  if (type == Compression::kNone || raw.size() > kMaxBlockSize) return false;
  const size_t limit = raw.size() - raw.size() / 8;  // must save >= 12.5%
  PutVarint32(out, static_cast<uint32_t>(raw.size()));
  const size_t header = out->size();
  size_t produced = 0;
  switch (type) {
    case Compression::kLZ4: {
      int bound = LZ4_compressBound(static_cast<int>(raw.size()));
      if (bound <= 0) return false;
      out->resize(header + bound);
      int n = LZ4_compress_default(raw.data(), out->data() + header, static_cast<int>(raw.size()),
                                   bound);
      if (n <= 0) return false;
      produced = static_cast<size_t>(n);
      break;
    }
    case Compression::kZstd: {
      size_t bound = ZSTD_compressBound(raw.size());
      out->resize(header + bound);
      size_t n = ZSTD_compressCCtx(ThreadZstdCCtx(), out->data() + header, bound, raw.data(),
                                   raw.size(), kZstdLevel);
      if (ZSTD_isError(n)) return false;
      produced = n;
      break;
    }
    default:
      return false;
  }
  out->resize(header + produced);
  return out->size() < limit;
}

Status UncompressBlock(Compression type, std::string_view stored, BlockContents* result) {
  uint32_t raw_size;
  if (!GetVarint32(&stored, &raw_size) || raw_size > kMaxBlockSize) {
    return Status::Corruption("bad compressed block header");
  }
  // Each case checks raw_size against what the compressed bytes can expand to before
  // allocating it: a damaged header must not cost a huge allocation.
  std::unique_ptr<char[]> buf;
  switch (type) {
    case Compression::kLZ4: {
      // LZ4 cannot expand more than ~255x; a larger claim is corruption, not a huge block.
      if (raw_size > stored.size() * 255 + 16 || stored.size() > INT32_MAX) {
        return Status::Corruption("bad lz4 block size");
      }
      buf = std::make_unique_for_overwrite<char[]>(raw_size == 0 ? 1 : raw_size);
      int n = LZ4_decompress_safe(stored.data(), buf.get(), static_cast<int>(stored.size()),
                                  static_cast<int>(raw_size));
      if (n < 0 || static_cast<uint32_t>(n) != raw_size) {
        return Status::Corruption("lz4 block does not decompress");
      }
      break;
    }
    case Compression::kZstd: {
      // A zstd block holds at most 128 KiB and takes at least 4 bytes (3-byte header + one
      // RLE byte): a frame cannot expand more than 32768x.
      if (raw_size / 32768 > stored.size() ||
          ZSTD_getFrameContentSize(stored.data(), stored.size()) != raw_size) {
        return Status::Corruption("bad zstd block size");
      }
      buf = std::make_unique_for_overwrite<char[]>(raw_size == 0 ? 1 : raw_size);
      size_t n =
          ZSTD_decompressDCtx(ThreadZstdDCtx(), buf.get(), raw_size, stored.data(), stored.size());
      if (ZSTD_isError(n) || n != raw_size) {
        return Status::Corruption("zstd block does not decompress");
      }
      break;
    }
    default:
      return Status::Corruption("unknown block compression type");
  }
  result->data = std::string_view(buf.get(), raw_size);
  result->heap = std::move(buf);
  return Status::OK();
}

Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle, VerifyChecksum verify,
                 BlockContents* result) {
  result->data = {};
  result->heap.reset();
  if (handle.size > kMaxBlockSize) return Status::Corruption("block handle too large");
  const size_t n = static_cast<size_t>(handle.size);
  // A mapped file hands back a view of its mapping: no buffer to allocate.
  std::unique_ptr<char[]> scratch;
  if (!file->Mapped()) scratch = std::make_unique_for_overwrite<char[]>(n + kBlockTrailerSize);
  std::string_view got;
  Status s = file->Read(handle.offset, n + kBlockTrailerSize, &got, scratch.get());
  if (!s.ok()) return s;
  if (got.size() != n + kBlockTrailerSize) return Status::Corruption("truncated block read");

  const char* data = got.data();
  const auto type = static_cast<Compression>(static_cast<unsigned char>(data[n]));
  // The contents are a view of the file's memory only for an uncompressed block of a mapped
  // file (the type byte is trusted here unverified: a wrong one yields garbage or Corruption
  // for this reader alone, never a cached block).
  const bool owned = scratch != nullptr || type != Compression::kNone;
  if (verify == VerifyChecksum::kYes || (verify == VerifyChecksum::kIfOwned && owned)) {
    uint32_t stored = UnmaskChecksum(DecodeFixed32(data + n + 1));
    if (Checksum(std::string_view(data, n + 1)) != stored) {
      return Status::Corruption("block checksum mismatch");
    }
  }
  switch (type) {
    case Compression::kNone:
      result->data = std::string_view(data, n);
      // Keep the read buffer as the block: no copy. If the file handed back its own memory
      // (mmap), the contents are not owned.
      if (scratch != nullptr && data == scratch.get()) result->heap = std::move(scratch);
      return Status::OK();
    case Compression::kLZ4:
    case Compression::kZstd:
      return UncompressBlock(type, std::string_view(data, n), result);
  }
  return Status::Corruption("unknown block compression type");
}

}  // namespace strata::store
