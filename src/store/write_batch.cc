// WriteBatch encoding: see write_batch.h. The header (sequence, count) is always present, so
// an empty batch is kHeaderSize bytes; Clear keeps the string's capacity so a batch reused on
// the hot path does not allocate once warmed up.
#include "store/write_batch.h"

#include "store/dbformat.h"
#include "store/memtable.h"
#include "store/write_batch_internal.h"
#include "util/coding.h"

namespace strata::store {

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(WriteBatchInternal::kHeaderSize);
}

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(this); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(ValueKind::kValue));
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(ValueKind::kDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::RollbackTo(const SavePoint& sp) {
  rep_.resize(sp.size);
  WriteBatchInternal::SetCount(this, sp.count);
}

void WriteBatch::RecordAt(size_t offset, bool* is_put, std::string_view* key,
                          std::string_view* value) const {
  std::string_view input(rep_);
  input.remove_prefix(offset);
  *is_put = static_cast<unsigned char>(input[0]) == static_cast<unsigned char>(ValueKind::kValue);
  input.remove_prefix(1);
  GetLengthPrefixed(&input, key);
  *value = {};
  if (*is_put) GetLengthPrefixed(&input, value);
}

Status WriteBatch::Iterate(Handler* handler) const {
  std::string_view input(rep_);
  if (input.size() < WriteBatchInternal::kHeaderSize) {
    return Status::Corruption("write batch", "smaller than its header");
  }
  input.remove_prefix(WriteBatchInternal::kHeaderSize);
  uint32_t found = 0;
  while (!input.empty()) {
    found++;
    auto kind = static_cast<unsigned char>(input[0]);
    input.remove_prefix(1);
    std::string_view key, value;
    if (kind == static_cast<unsigned char>(ValueKind::kValue)) {
      if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
        return Status::Corruption("write batch", "bad Put record");
      }
      handler->Put(key, value);
    } else if (kind == static_cast<unsigned char>(ValueKind::kDeletion)) {
      if (!GetLengthPrefixed(&input, &key)) {
        return Status::Corruption("write batch", "bad Delete record");
      }
      handler->Delete(key);
    } else {
      return Status::Corruption("write batch", "unknown record kind");
    }
  }
  if (found != WriteBatchInternal::Count(this)) {
    return Status::Corruption("write batch", "record count does not match its header");
  }
  return Status::OK();
}

uint32_t WriteBatchInternal::Count(const WriteBatch* batch) {
  return DecodeFixed32(batch->rep_.data() + 8);
}
void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t n) {
  EncodeFixed32(batch->rep_.data() + 8, n);
}
uint64_t WriteBatchInternal::Sequence(const WriteBatch* batch) {
  return DecodeFixed64(batch->rep_.data());
}
void WriteBatchInternal::SetSequence(WriteBatch* batch, uint64_t seq) {
  EncodeFixed64(batch->rep_.data(), seq);
}

Status WriteBatchInternal::SetContents(WriteBatch* batch, std::string_view contents) {
  if (contents.size() < kHeaderSize) {
    return Status::Corruption("write batch", "smaller than its header");
  }
  batch->rep_.assign(contents.data(), contents.size());
  return Status::OK();
}

namespace {

class MemTableInserter : public WriteBatch::Handler {
 public:
  MemTableInserter(uint64_t seq, MemTable* mem) : seq_(seq), mem_(mem) {}
  void Put(std::string_view key, std::string_view value) override {
    mem_->Add(seq_++, ValueKind::kValue, key, value);
  }
  void Delete(std::string_view key) override {
    mem_->Add(seq_++, ValueKind::kDeletion, key, std::string_view());
  }

 private:
  uint64_t seq_;
  MemTable* mem_;
};

}  // namespace

Status WriteBatchInternal::InsertInto(const WriteBatch* batch, MemTable* mem) {
  MemTableInserter inserter(Sequence(batch), mem);
  return batch->Iterate(&inserter);
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch* src) {
  SetCount(dst, Count(dst) + Count(src));
  dst->rep_.append(src->rep_.data() + kHeaderSize, src->rep_.size() - kHeaderSize);
}

}  // namespace strata::store
