// libFuzzer target for the SSTable reader: Table (table.h), the footer, block trailer and
// decompression (format.h), blocks (block.h), the properties block and the bloom filter
// (bloom.h).
//
// Input: a flags byte (bits 0-1 the mode; bit 2: the file hands out its own memory, as an
// mmap'ed file does; bit 3: reads go through a block cache), then
//   mode 0 (raw):     the table file's bytes. Random bytes rarely pass the footer's magic and
//                     checksum; the seeds are real tables, which the fuzzer can damage.
//   mode 1 (damaged): a parameters byte (compression, bloom filter, block size, restart
//                     interval), an entry count, a value size, a flip list
//                     (store_fuzz_util.h) and up to 8 bytes of key prefix. A table built
//                     with TableBuilder from those is damaged by the flips.
//   mode 2 (sealed):  as mode 1, but after the flips every block trailer and the footer get
//                     checksums that match their damaged contents again, so that the damage
//                     reaches the block, index, filter, properties and decompression parsers.
//   mode 3 (block):   the bytes are one block's contents: iterated with both comparators,
//                     decoded as a properties block, probed as a bloom filter, decompressed
//                     as lz4 and as zstd.
// An opened table is scanned (checksums verified, then not), sought to its own keys and to
// keys from the input, and looked up with InternalGet (which consults the bloom filter).
//
// Checks, besides "no crash, no sanitizer report, no leak":
//   - every failure is Corruption (or NotSupported for a footer's format version);
//   - mode 1, the checksums' promise (table.h): an undamaged table opens and reads back
//     exactly what was written; a damaged one either fails to open or gives, with checksums
//     verified, only true data: a scan yields a prefix of the entries and fails if it stops
//     early, a Get or Seek finds the right entry or fails, never a wrong or missing one.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/block.h"
#include "store/bloom.h"
#include "store/cache.h"
#include "store/dbformat.h"
#include "store/format.h"
#include "store/options.h"
#include "store/table.h"
#include "store/table_builder.h"
#include "store_fuzz_util.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::store {
namespace {

using fuzz::InputReader;

// Every status a reader of a damaged file may return.
bool IsDamage(const Status& s) { return s.IsCorruption() || s.IsNotSupported(); }

// Caps on scans, so that a table whose index names the same block many times stays fast.
constexpr size_t kMaxScan = 1 << 16;
constexpr size_t kMaxTargets = 32;

struct Entry {
  std::string ikey;
  std::string value;
  bool operator==(const Entry&) const = default;
};

std::vector<Entry> Scan(const Table& table, const ReadOptions& options, Status* status) {
  std::vector<Entry> out;
  std::unique_ptr<Iterator> it = table.NewIterator(options);
  for (it->SeekToFirst(); it->Valid() && out.size() < kMaxScan; it->Next()) {
    out.push_back(Entry{std::string(it->key()), std::string(it->value())});
  }
  *status = it->status();
  CHECK(status->ok() || IsDamage(*status));
  if (!status->ok()) CHECK(!it->Valid());
  return out;
}

// An internal key (>= 8 bytes) for a probe: k itself if it parses, else k with a tag added.
std::string AsInternalKey(std::string_view k) {
  ParsedInternalKey p;
  if (ParseInternalKey(k, &p)) return std::string(k);
  std::string r(k);
  PutFixed64(&r, PackTag(kMaxSequence, kSeekKind));
  return r;
}

// Seeks, Gets and offsets for each target; only "no crash" and status sanity.
void Probe(const Table& table, const std::vector<std::string>& targets) {
  ReadOptions options;
  std::unique_ptr<Iterator> it = table.NewIterator(options);
  for (const std::string& t : targets) {
    // One iterator for all targets (a seek near the current position narrows the search)
    // and a fresh one for each.
    it->Seek(t);
    CHECK(it->status().ok() || IsDamage(it->status()));
    if (it->Valid()) it->Next();
    std::unique_ptr<Iterator> fresh = table.NewIterator(options);
    fresh->Seek(t);
    CHECK(fresh->status().ok() || IsDamage(fresh->status()));

    std::string value;
    TableGetResult r;
    r.value = &value;
    Status s = table.InternalGet(options, t, &r);
    CHECK(s.ok() || IsDamage(s));
    if (r.filter_excluded) CHECK(s.ok() && !r.found);
    (void)table.ApproximateOffsetOf(t);
  }
  (void)table.properties().ToString();
}

// Opens file and probes it with its own keys and with targets.
void OpenAndProbe(const std::string& file, bool mmap, Cache* cache,
                  std::vector<std::string> targets) {
  std::unique_ptr<Table> table;
  Status s = Table::Open(Options(), std::make_unique<fuzz::StringRandomAccessFile>(file, mmap),
                         file.size(), cache, 0, &table);
  if (!s.ok()) {
    CHECK(IsDamage(s));
    CHECK(table == nullptr);
    return;
  }
  Status scan_status;
  ReadOptions verified;
  const std::vector<Entry> entries = Scan(*table, verified, &scan_status);
  ReadOptions unverified;
  unverified.verify_checksums = false;
  unverified.fill_cache = false;
  Scan(*table, unverified, &scan_status);
  for (size_t i = 0; i < entries.size() && targets.size() < kMaxTargets; i += 1 + i / 4) {
    targets.push_back(entries[i].ikey);
    targets.push_back(entries[i].ikey + std::string(24, '\xff'));
  }
  for (std::string& t : targets) t = AsInternalKey(t);
  Probe(*table, targets);
}

// --- Modes 1 and 2: a table built here, then damaged --------------------------------------

struct BuiltTable {
  std::string file;
  std::vector<Entry> entries;             // in order
  std::vector<std::string> absent_ikeys;  // lookups that must find nothing
  std::vector<BlockHandle> blocks;        // every block with a trailer
};

// Entry i's user key is prefix + big-endian i, so keys are sorted and distinct for any
// prefix. Every third key has a second, older version; some versions are deletions. Values
// are runs of one letter, so that compression has something to save.
BuiltTable Build(uint8_t params, size_t count, size_t value_size, std::string_view prefix) {
  Options options;
  options.compression = static_cast<Compression>(params % 3);
  options.bloom_bits_per_key = (params & 4) ? 10 : 0;
  static constexpr size_t kBlockSizes[] = {64, 256, 1024, 4096};
  options.block_size = kBlockSizes[(params >> 3) & 3];
  options.block_restart_interval = 1 + ((params >> 5) & 7);

  BuiltTable t;
  auto user_key = [&prefix](size_t i) {
    std::string k(prefix);
    k.push_back(static_cast<char>(i >> 8));
    k.push_back(static_cast<char>(i));
    return k;
  };
  for (size_t i = 0; i < count; i++) {
    const int versions = i % 3 == 0 ? 2 : 1;
    for (int j = 0; j < versions; j++) {
      const auto kind = (i + j + params) % 5 == 0 ? ValueKind::kDeletion : ValueKind::kValue;
      Entry e;
      AppendInternalKey(&e.ikey, user_key(i), 1000 - 10 * j, kind);
      if (kind == ValueKind::kValue) {
        e.value.assign(value_size * ((i + j) % 4) / 3, static_cast<char>('a' + i % 26));
        e.value += std::to_string(i);
      }
      t.entries.push_back(std::move(e));
    }
  }
  for (size_t i : {count, count + 1}) {
    t.absent_ikeys.emplace_back();
    AppendInternalKey(&t.absent_ikeys.back(), user_key(i), kMaxSequence, kSeekKind);
  }
  t.absent_ikeys.emplace_back();
  AppendInternalKey(&t.absent_ikeys.back(), user_key(0) + "x", kMaxSequence, kSeekKind);
  // Older than the oldest version of key 0.
  t.absent_ikeys.emplace_back();
  AppendInternalKey(&t.absent_ikeys.back(), user_key(0), 989, kSeekKind);

  fuzz::StringWritableFile sink;
  TableBuilder builder(options, &sink);
  for (const Entry& e : t.entries) builder.Add(e.ikey, e.value);
  CHECK(builder.Finish().ok());
  t.file = std::move(sink.contents());

  // Where the blocks are, for resealing: the footer's handles and the index's.
  Footer footer;
  CHECK(footer.DecodeFrom(std::string_view(t.file).substr(t.file.size() - Footer::kEncodedLength))
            .ok());
  t.blocks = {footer.index, footer.properties};
  if (footer.filter.size > 0) t.blocks.push_back(footer.filter);
  fuzz::StringRandomAccessFile source(t.file, /*mmap=*/true);
  BlockContents index_contents;
  CHECK(ReadBlock(&source, footer.index, VerifyChecksum::kYes, &index_contents).ok());
  Block index(std::move(index_contents));
  BlockIterator it(&index, InternalKeyComparator());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view v = it.value();
    BlockHandle h;
    CHECK(h.DecodeFrom(&v));
    t.blocks.push_back(h);
  }
  CHECK(it.status().ok());
  return t;
}

// Rewrites every block trailer's checksum and the footer's checksum to match the contents.
void Reseal(const std::vector<BlockHandle>& blocks, std::string* file) {
  for (const BlockHandle& h : blocks) {
    const uint32_t crc = Checksum(std::string_view(*file).substr(h.offset, h.size + 1));
    EncodeFixed32(file->data() + h.offset + h.size + 1, MaskChecksum(crc));
  }
  char* footer = file->data() + file->size() - Footer::kEncodedLength;
  EncodeFixed32(footer + 52, MaskChecksum(Checksum(std::string_view(footer, 52))));
}

// The checksums' promise for a table built by Build and damaged (or not) without resealing.
void CheckTrueData(const BuiltTable& t, const std::string& file, bool mmap, Cache* cache) {
  const bool intact = file == t.file;
  std::unique_ptr<Table> table;
  Status s = Table::Open(Options(), std::make_unique<fuzz::StringRandomAccessFile>(file, mmap),
                         file.size(), cache, 0, &table);
  if (!s.ok()) {
    CHECK(!intact);
    CHECK(IsDamage(s));
    return;
  }
  if (intact) CHECK(table->properties().num_entries == t.entries.size());

  ReadOptions options;
  Status scan_status;
  const std::vector<Entry> got = Scan(*table, options, &scan_status);
  CHECK(got.size() <= t.entries.size());
  for (size_t i = 0; i < got.size(); i++) CHECK(got[i] == t.entries[i]);
  if (scan_status.ok()) CHECK(got.size() == t.entries.size());
  if (intact) CHECK(scan_status.ok());

  std::unique_ptr<Iterator> it = table->NewIterator(options);
  for (size_t i = 0; i < t.entries.size(); i += 1 + i / 8) {
    const Entry& e = t.entries[i];
    ParsedInternalKey p;
    CHECK(ParseInternalKey(e.ikey, &p));
    // A Seek to each entry, and a Get for its user key at its sequence (which must find
    // exactly this version: older ones have lower sequences, newer ones are not visible).
    it->Seek(e.ikey);
    if (it->Valid()) {
      CHECK(it->key() == e.ikey && it->value() == e.value);
    } else {
      CHECK(!intact && IsDamage(it->status()));
    }
    std::string value;
    TableGetResult r;
    r.value = &value;
    std::string lookup;
    AppendInternalKey(&lookup, p.user_key, p.sequence, kSeekKind);
    s = table->InternalGet(options, lookup, &r);
    if (s.ok()) {
      CHECK(r.found && r.kind == p.kind && r.sequence == p.sequence);
      if (p.kind == ValueKind::kValue) CHECK(value == e.value);
    } else {
      CHECK(!intact && IsDamage(s));
    }
    CHECK(table->ApproximateOffsetOf(e.ikey) <= file.size());
  }
  for (const std::string& k : t.absent_ikeys) {
    TableGetResult r;
    s = table->InternalGet(options, k, &r);
    CHECK(s.ok() ? !r.found : !intact && IsDamage(s));
  }
}

// --- Mode 3: one block's contents -----------------------------------------------------------

void ProbeBlock(std::string_view bytes, const Comparator* cmp) {
  const bool internal = cmp == InternalKeyComparator();
  BlockContents contents;
  contents.heap = std::make_unique_for_overwrite<char[]>(bytes.size());  // exact size for ASan
  std::memcpy(contents.heap.get(), bytes.data(), bytes.size());
  contents.data = std::string_view(contents.heap.get(), bytes.size());
  Block block(std::move(contents));

  // Seek targets (internal keys for the internal comparator, Seek's contract): the block's
  // keys; longer keys just after them; and 32-byte runs of the block itself from every offset
  // of its start (padded past its end), which equal the bytes that follow some key, so that a
  // comparison with a damaged key runs on as far as it can.
  std::vector<std::string> targets;
  auto add_target = [&targets, internal](std::string_view t) {
    targets.push_back(internal ? AsInternalKey(t) : std::string(t));
  };
  BlockIterator it(&block, cmp);
  size_t n = 0;
  for (it.SeekToFirst(); it.Valid() && n < kMaxScan; it.Next(), n++) {
    if (targets.size() < kMaxTargets) {
      add_target(it.key());
      add_target(std::string(it.key()) + std::string(24, '\xff'));
    }
  }
  CHECK(it.status().ok() || it.status().IsCorruption());
  for (size_t i = 0; i < bytes.size() && i < 64; i++) {
    std::string t(bytes.substr(i, 32));
    t.resize(32, '\xff');  // near the end: longer than the block
    if (internal) PutFixed64(&t, PackTag(kMaxSequence, kSeekKind));
    targets.push_back(std::move(t));
  }

  std::unique_ptr<Iterator> reused = block.NewIterator(cmp);
  for (const std::string& t : targets) {
    reused->Seek(t);
    if (reused->Valid()) reused->Next();
    BlockIterator fresh(&block, cmp);
    fresh.Seek(t);
    CHECK(fresh.status().ok() || fresh.status().IsCorruption());
  }
}

void ProbeBytes(std::string_view bytes) {
  ProbeBlock(bytes, BytewiseComparator());
  ProbeBlock(bytes, InternalKeyComparator());

  TableProperties props;
  Status s = DecodeTableProperties(bytes, &props);
  CHECK(s.ok() || s.IsCorruption());
  (void)props.ToString();

  for (size_t i = 0; i < bytes.size() && i < 64; i += 8) {
    (void)BloomFilterPolicy::KeyMayMatch(bytes.substr(i, 8), bytes);
  }

  for (Compression type : {Compression::kLZ4, Compression::kZstd}) {
    BlockContents contents;
    s = UncompressBlock(type, bytes, &contents);
    CHECK(s.ok() || s.IsCorruption());
    if (s.ok()) CHECK(contents.owned() && contents.data.size() <= kMaxBlockSize);
  }
}

}  // namespace
}  // namespace strata::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::store;
  InputReader in(std::string_view(reinterpret_cast<const char*>(data), size));
  const uint8_t flags = in.Byte();
  const int mode = flags & 3;
  const bool mmap = flags & 4;
  std::unique_ptr<Cache> cache;
  if (flags & 8) cache = NewLRUCache(8 << 10, /*num_shard_bits=*/0);

  switch (mode) {
    case 0: {
      const std::string file(in.rest());
      std::vector<std::string> targets;
      for (size_t i = 0; i + 12 <= file.size() && targets.size() < 4; i += file.size() / 4 + 1) {
        targets.push_back(file.substr(i, 12));
      }
      OpenAndProbe(file, mmap, cache.get(), targets);
      break;
    }
    case 1:
    case 2: {
      const uint8_t params = in.Byte();
      const size_t count = 1 + in.Byte();
      const size_t value_size = in.Byte();
      std::string flip_list(in.Bytes(1 + 4 * (in.rest().empty() ? 0 : (in.rest()[0] & 15))));
      const BuiltTable t = Build(params, count, value_size, in.Bytes(8));
      std::string file = t.file;
      InputReader flips(flip_list);
      fuzz::ApplyFlips(&flips, &file);
      if (mode == 1) {
        CheckTrueData(t, file, mmap, cache.get());
      } else {
        Reseal(t.blocks, &file);
        std::vector<std::string> targets;
        for (const Entry& e : t.entries) {
          if (targets.size() == kMaxTargets) break;
          targets.push_back(e.ikey);
        }
        OpenAndProbe(file, mmap, cache.get(), targets);
      }
      break;
    }
    case 3:
      ProbeBytes(in.rest());
      break;
  }
  return 0;
}
