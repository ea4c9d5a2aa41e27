// libFuzzer target for the MANIFEST: VersionEdit decoding (version_edit.h) and recovery,
// VersionSet::Recover (version_set.h), over an in-memory directory (store_fuzz_util.h).
//
// Input: a mode byte (low 2 bits), then
//   mode 0 (edit):     the bytes of one encoded VersionEdit.
//   mode 1 (raw):      the bytes of MANIFEST-000001, named by CURRENT. Random bytes rarely
//                      pass a record checksum; the seeds are real MANIFESTs.
//   mode 2 (framed):   [LE24 truncation if bit 2] records (SplitRecords) written with
//                      log::Writer as MANIFEST-000001, so that the framing is valid and the
//                      edits are fuzzed; the file is then cut at the truncation.
//   mode 3 (current):  the bytes of CURRENT; MANIFEST-000001 is a valid one-record MANIFEST.
//
// Checks, besides "no crash, no sanitizer report, no leak":
//   - DecodeFrom fails only with Corruption, leaving the edit empty; an edit that decodes
//     re-encodes to bytes that decode to the same edit;
//   - Recover fails only with Corruption (NotSupported for a newer format version, NotFound
//     when CURRENT names a missing file); after a successful Recover the version keeps the
//     level invariants of version_set.h, and the counters are consistent: the manifest and
//     log numbers are below the next file number.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/dbformat.h"
#include "store/filename.h"
#include "store/log_writer.h"
#include "store/options.h"
#include "store/version_edit.h"
#include "store/version_set.h"
#include "store_fuzz_util.h"

namespace strata::store {
namespace {

using fuzz::InputReader;

constexpr char kDir[] = "/fuzz";
constexpr size_t kMaxFramedBytes = 128 << 10;

void CheckEdit(std::string_view bytes) {
  VersionEdit edit;
  Status s = edit.DecodeFrom(bytes);
  if (!s.ok()) {
    CHECK(s.IsCorruption());
    CHECK(edit.DebugString() == VersionEdit().DebugString());
    return;
  }
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit again;
  CHECK(again.DecodeFrom(encoded).ok());
  CHECK(again.DebugString() == edit.DebugString());
  std::string encoded_again;
  again.EncodeTo(&encoded_again);
  CHECK(encoded_again == encoded);
}

// Recovers from a directory holding CURRENT and MANIFEST-000001 and checks the result.
void CheckRecover(std::string current, std::string manifest) {
  fuzz::MemEnv env;
  env.Put(CurrentFileName(kDir), std::move(current));
  env.Put(DescriptorFileName(kDir, 1), std::move(manifest));
  Options options;
  options.env = &env;
  options.info_log = [](LogLevel, std::string_view) {};
  // Recover reads no table: it needs no table cache.
  VersionSet vset(kDir, options, /*table_cache=*/nullptr);
  Status s = vset.Recover();
  if (!s.ok()) {
    CHECK(s.IsCorruption() || s.IsNotSupported() || s.IsNotFound());
    return;
  }

  const Version* v = vset.current();
  std::set<uint64_t> numbers;
  for (int level = 0; level < kNumLevels; level++) {
    uint64_t bytes = 0;
    const std::vector<FilePtr>& files = v->files(level);
    for (size_t i = 0; i < files.size(); i++) {
      const FileMetaData& f = *files[i];
      CHECK(numbers.insert(f.number).second);
      CHECK(f.smallest.size() >= 8 && f.largest.size() >= 8);
      CHECK(CompareInternalKeys(f.smallest, f.largest) <= 0);
      if (i > 0) {
        if (level == 0) {
          CHECK(files[i - 1]->number > f.number);
        } else {
          CHECK(ExtractUserKey(files[i - 1]->largest) < ExtractUserKey(f.smallest));
        }
      }
      bytes += f.file_size;
    }
    CHECK(v->NumBytes(level) == bytes);
    const std::string& pointer = vset.compact_pointer(level);
    CHECK(pointer.empty() || pointer.size() >= 8);
  }
  CHECK(vset.ManifestFileNumber() == 1);
  CHECK(vset.NextFileNumber() > vset.ManifestFileNumber());
  CHECK(vset.NextFileNumber() > vset.LogNumber());
  (void)v->DebugString();
}

// A valid MANIFEST with one snapshot record, for the CURRENT mode.
std::string OneRecordManifest() {
  VersionEdit edit;
  edit.SetFormatVersion(kManifestFormatVersion);
  edit.SetLogNumber(3);
  edit.SetNextFile(5);
  edit.SetLastSequence(100);
  std::string smallest, largest;
  AppendInternalKey(&smallest, "a", 10, ValueKind::kValue);
  AppendInternalKey(&largest, "z", 20, ValueKind::kValue);
  edit.AddFile(0, 4, 1000, smallest, largest);
  std::string record;
  edit.EncodeTo(&record);
  fuzz::StringWritableFile sink;
  log::Writer writer(&sink);
  CHECK(writer.AddRecord(record).ok());
  return sink.contents();
}

}  // namespace
}  // namespace strata::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::store;
  InputReader in(std::string_view(reinterpret_cast<const char*>(data), size));
  const uint8_t flags = in.Byte();
  const std::string current = "MANIFEST-000001\n";
  switch (flags & 3) {
    case 0:
      CheckEdit(in.rest());
      break;
    case 1:
      CheckRecover(current, std::string(in.rest()));
      break;
    case 2: {
      const uint32_t truncate_to = (flags & 4) ? in.Le24() : UINT32_MAX;
      fuzz::StringWritableFile sink;
      log::Writer writer(&sink);
      for (const std::string& r : fuzz::SplitRecords(&in, kMaxFramedBytes)) {
        CheckEdit(r);
        CHECK(writer.AddRecord(r).ok());
      }
      std::string manifest = std::move(sink.contents());
      if (truncate_to < manifest.size()) manifest.resize(truncate_to);
      CheckRecover(current, std::move(manifest));
      break;
    }
    case 3:
      CheckRecover(std::string(in.rest()), OneRecordManifest());
      break;
  }
  return 0;
}
