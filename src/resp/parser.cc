// RESP request parsing with Redis 7's limits, error texts and quirks (networking.c
// processInlineBuffer / processMultibulkBuffer, sds.c sdssplitargs), written for an
// incremental caller: the parser keeps offsets into the request, never pointers, so the caller
// may grow or move its buffer between calls.
#include "resp/parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace strata::resp {
namespace {

constexpr std::string_view kProtocolError = "ERR Protocol error: ";

// A vector whose capacity grew past this after a huge request is released, so one big
// request does not pin memory for the rest of the connection's life.
constexpr size_t kKeepCapacity = 4096;

// Argument vectors start at most this large; a declared count never allocates by itself
// (a hostile `*2147483647` costs nothing until the bulks actually arrive).
constexpr size_t kInitialArgs = 1024;

// Redis's string2ll(): the whole of `s` must be a canonical decimal int64 — no sign other
// than a leading '-', no leading zeros, no spaces, at most 20 characters, no overflow.
bool ParseStrictInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= 21) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// isspace() in the C locale, which is the one Redis runs its ctype calls in.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Ends an unquoted word (sdssplitargs' inner switch); \v and \f do not.
bool EndsWord(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0'; }

// Redis compares argv[0] with strcasecmp, i.e. as a C string: up to its first NUL.
bool IsAttackCommand(std::string_view name) {
  name = name.substr(0, name.find('\0'));
  auto equals = [name](std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  return equals("post") || equals("host:");
}

template <typename T>
void ClearAndTrim(std::vector<T>* v) {
  v->clear();
  if (v->capacity() > kKeepCapacity) std::vector<T>().swap(*v);
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  // Reading past the end gives '\0', as the C string sdssplitargs reads would.
  auto at = [line](size_t i) -> char { return i < line.size() ? line[i] : '\0'; };
  size_t p = 0;
  while (true) {
    while (at(p) != '\0' && IsSpace(at(p))) ++p;
    if (at(p) == '\0') return true;
    std::string current;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      const char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          current.push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(at(p));
              break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or nothing at all.
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) {
            out->clear();
            return false;
          }
          done = true;
        } else if (c == '\0') {
          out->clear();  // unterminated quotes
          return false;
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) {
            out->clear();
            return false;
          }
          done = true;
        } else if (c == '\0') {
          out->clear();
          return false;
        } else {
          current.push_back(c);
        }
      } else if (EndsWord(c)) {
        done = true;
      } else if (c == '"') {
        in_double = true;
      } else if (c == '\'') {
        in_single = true;
      } else {
        current.push_back(c);
      }
      if (at(p) != '\0') ++p;
    }
    out->push_back(std::move(current));
  }
}

void Parser::Reset() {
  stage_ = Stage::kStart;
  pos_ = 0;
  scan_pos_ = 0;
  line_blocked_ = false;
  multibulk_len_ = 0;
  bulk_len_ = -1;
  ClearAndTrim(&arg_spans_);
}

Parser::Result Parser::Fail(std::string_view what) {
  error_.assign(kProtocolError);
  error_.append(what);
  Reset();
  return Result::kError;
}

// Looks for `term` in the line that starts at pos_, the way Redis's strchr() over the query
// buffer does: a NUL byte ends the search for good (line_blocked_). Only the first
// max_inline_len + 1 bytes of the line are searched, and the search resumes at scan_pos_, so
// each byte is examined once however the input is split. kFound sets *at (and scan_pos_ to
// it, so a repeated call finds it at once); kTooBig means the line is over the limit.
Parser::Scan Parser::FindTerminator(std::string_view data, char term, size_t* at) {
  if (!line_blocked_) {
    const size_t limit = std::min(limits_.max_inline_len, SIZE_MAX / 2);
    const size_t window_end = std::min(data.size(), pos_ + limit + 1);
    if (scan_pos_ < window_end) {
      const char* begin = data.data() + scan_pos_;
      const size_t n = window_end - scan_pos_;
      const void* found = std::memchr(begin, term, n);
      const size_t searched = found ? static_cast<const char*>(found) - begin : n;
      const void* nul = std::memchr(begin, '\0', searched);
      if (nul != nullptr) {
        bytes_scanned_ += static_cast<const char*>(nul) - begin + 1;
        line_blocked_ = true;
      } else if (found != nullptr) {
        bytes_scanned_ += searched + 1;
        scan_pos_ += searched;
        *at = scan_pos_;
        return Scan::kFound;
      } else {
        bytes_scanned_ += n;
        scan_pos_ = window_end;
      }
    }
  }
  if (data.size() - pos_ > limits_.max_inline_len) return Scan::kTooBig;
  return Scan::kMore;
}

Parser::Result Parser::Parse(std::string_view data) {
  args_.clear();
  if (args_.capacity() > kKeepCapacity) std::vector<std::string_view>().swap(args_);
  consumed_ = 0;
  bytes_needed_ = 0;
  close_silently_ = false;
  error_.clear();
  // The caller must only ever add bytes to a partial request; if the buffer shrank it has
  // started over, and so do we.
  if (data.size() < scan_pos_ || data.size() < pos_) Reset();
  if (stage_ == Stage::kStart) {
    if (data.empty()) return Result::kIncomplete;
    stage_ = data[0] == '*' ? Stage::kCount : Stage::kInline;
    pos_ = 0;
    scan_pos_ = 0;
    line_blocked_ = false;
  }
  const Result result = stage_ == Stage::kInline ? ParseInline(data) : ParseMultibulk(data);
  if (result == Result::kOk && IsAttackCommand(args_[0])) {
    // Redis's securityWarningCommand(): an HTTP request sent to the port (cross-protocol
    // scripting). Redis frees the client without a reply.
    args_.clear();
    consumed_ = 0;
    close_silently_ = true;
    error_ = "ERR Protocol error: possible cross-protocol attack (POST or Host: command)";
    return Result::kError;
  }
  return result;
}

Parser::Result Parser::ParseInline(std::string_view data) {
  size_t newline = 0;
  switch (FindTerminator(data, '\n', &newline)) {
    case Scan::kMore:
      return Result::kIncomplete;
    case Scan::kTooBig:
      return Fail("too big inline request");
    case Scan::kFound:
      break;
  }
  size_t line_len = newline;
  if (line_len > 0 && data[line_len - 1] == '\r') --line_len;
  const std::string_view line = data.substr(0, line_len);

  // The line holds no NUL (the search stops there). Without quotes, sdssplitargs reduces to
  // splitting on whitespace, and the arguments can be views of the input.
  if (line.find_first_of("\"'") == std::string_view::npos) {
    size_t p = 0;
    while (true) {
      while (p < line.size() && IsSpace(line[p])) ++p;
      if (p == line.size()) break;
      const size_t start = p;
      while (p < line.size() && !EndsWord(line[p])) ++p;
      args_.push_back(line.substr(start, p - start));
    }
  } else {
    if (!SplitInlineArgs(line, &inline_args_)) return Fail("unbalanced quotes in request");
    for (const std::string& arg : inline_args_) args_.push_back(arg);
  }
  consumed_ = newline + 1;
  Reset();
  return args_.empty() ? Result::kEmpty : Result::kOk;
}

Parser::Result Parser::ParseMultibulk(std::string_view data) {
  if (stage_ == Stage::kCount) {
    size_t cr = 0;
    switch (FindTerminator(data, '\r', &cr)) {
      case Scan::kMore:
        return Result::kIncomplete;
      case Scan::kTooBig:
        return Fail("too big mbulk count string");
      case Scan::kFound:
        break;
    }
    if (cr + 2 > data.size()) return Result::kIncomplete;  // the byte after '\r' (unchecked)
    int64_t count = 0;
    if (!ParseStrictInt64(data.substr(1, cr - 1), &count) || count > INT_MAX) {
      return Fail("invalid multibulk length");
    }
    if (!authenticated_ && count > limits_.unauth_max_multibulk) {
      return Fail("unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    if (count <= 0) {
      consumed_ = pos_;
      Reset();
      return Result::kEmpty;
    }
    multibulk_len_ = count;
    arg_spans_.clear();
    arg_spans_.reserve(std::min(static_cast<size_t>(count), kInitialArgs));
    stage_ = Stage::kBulkHeader;
    scan_pos_ = pos_;
    line_blocked_ = false;
  }

  while (multibulk_len_ > 0) {
    if (stage_ == Stage::kBulkHeader) {
      size_t cr = 0;
      switch (FindTerminator(data, '\r', &cr)) {
        case Scan::kMore:
          return Result::kIncomplete;
        case Scan::kTooBig:
          return Fail("too big bulk count string");
        case Scan::kFound:
          break;
      }
      if (cr + 2 > data.size()) return Result::kIncomplete;
      if (data[pos_] != '$') {
        // Redis formats the byte with %c and then maps CR/LF to spaces.
        char got = data[pos_];
        if (got == '\r' || got == '\n') got = ' ';
        std::string what = "expected '$', got '";
        what.push_back(got);
        what.push_back('\'');
        return Fail(what);
      }
      int64_t len = 0;
      if (!ParseStrictInt64(data.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail("invalid bulk length");
      }
      if (!authenticated_ && len > limits_.unauth_max_bulk_len) {
        return Fail("unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = cr + 2;
      stage_ = Stage::kBulkData;
    }
    // The payload and the two bytes after it, which Redis skips without looking at them.
    const size_t end = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (data.size() < end) {
      bytes_needed_ = end;
      return Result::kIncomplete;
    }
    arg_spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = end;
    scan_pos_ = end;
    line_blocked_ = false;
    stage_ = Stage::kBulkHeader;
    --multibulk_len_;
  }

  args_.reserve(arg_spans_.size());
  for (const auto& [offset, len] : arg_spans_) args_.push_back(data.substr(offset, len));
  consumed_ = pos_;
  Reset();
  return Result::kOk;
}

}  // namespace strata::resp
