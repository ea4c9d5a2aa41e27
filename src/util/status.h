// Status: the result of an operation that can fail, passed across module boundaries instead
// of exceptions (LevelDB's model). An OK status carries no allocation; an error carries a code
// and a message. Thread-compatible: a const Status may be read from several threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace strata {

class Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kNotSupported = 3,
    kInvalidArgument = 4,
    kIOError = 5,
    kBusy = 6,  // e.g. the data directory is locked by another process
  };

  Status() = default;
  Status(const Status& s) : code_(s.code_), msg_(s.msg_ ? new std::string(*s.msg_) : nullptr) {}
  Status& operator=(const Status& s) {
    if (this != &s) {
      code_ = s.code_;
      msg_.reset(s.msg_ ? new std::string(*s.msg_) : nullptr);
    }
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kNotFound, m, m2);
  }
  static Status Corruption(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kCorruption, m, m2);
  }
  static Status NotSupported(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kNotSupported, m, m2);
  }
  static Status InvalidArgument(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kInvalidArgument, m, m2);
  }
  static Status IOError(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kIOError, m, m2);
  }
  static Status Busy(std::string_view m, std::string_view m2 = {}) {
    return Status(Code::kBusy, m, m2);
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  Code code() const { return code_; }

  // The message alone, without the code's name ("" when OK).
  std::string_view message() const { return msg_ ? std::string_view(*msg_) : std::string_view(); }
  // "OK", or e.g. "IO error: <message>".
  std::string ToString() const {
    if (ok()) return "OK";
    const char* name = "Unknown";
    switch (code_) {
      case Code::kOk:
        name = "OK";
        break;
      case Code::kNotFound:
        name = "NotFound";
        break;
      case Code::kCorruption:
        name = "Corruption";
        break;
      case Code::kNotSupported:
        name = "Not implemented";
        break;
      case Code::kInvalidArgument:
        name = "Invalid argument";
        break;
      case Code::kIOError:
        name = "IO error";
        break;
      case Code::kBusy:
        name = "Busy";
        break;
    }
    std::string r(name);
    if (msg_) r.append(": ").append(*msg_);
    return r;
  }

 private:
  // No message, no allocation: a NotFound on the read path (every SET of a new key) is free.
  Status(Code code, std::string_view m, std::string_view m2) : code_(code) {
    if (m.empty() && m2.empty()) return;
    auto s = std::make_unique<std::string>(m);
    if (!m2.empty()) s->append(": ").append(m2);
    msg_ = std::move(s);
  }

  Code code_ = Code::kOk;
  std::unique_ptr<std::string> msg_;  // null when OK or when there is no message
};

}  // namespace strata
