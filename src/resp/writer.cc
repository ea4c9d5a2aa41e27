// Reply encoding. Every reply is appended with one append() of a small stack buffer for its
// header (and, for short replies, its whole body), so the output string grows geometrically
// and integers never go through printf.
#include "resp/writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace strata::resp {
namespace {

// Room for a type byte, a 20-digit int64 with its sign, and CRLF.
constexpr size_t kHeaderMax = 1 + 20 + 2;

// Writes `v` in decimal at `p`; returns the end. std::to_chars is printf-free and uses a
// two-digits-at-a-time table in libstdc++.
char* FormatInt(char* p, int64_t v) { return std::to_chars(p, p + 20, v).ptr; }

// "<type><n>\r\n" into out.
void AppendHeader(std::string* out, char type, int64_t n) {
  char buf[kHeaderMax];
  buf[0] = type;
  char* p = FormatInt(buf + 1, n);
  *p++ = '\r';
  *p++ = '\n';
  out->append(buf, p - buf);
}

// Appends s with CR and LF replaced by spaces, so that it stays one protocol line.
void AppendOneLine(std::string* out, std::string_view s) {
  const size_t start = out->size();
  out->append(s);
  if (s.find_first_of("\r\n") == std::string_view::npos) return;
  for (size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
}

// Redis 7.0's addReplyDouble text: "%.17g" with "inf", "-inf" and a sign-less "nan".
// Returns the length written to buf (at most 32 bytes).
size_t FormatDouble(char* buf, double v) {
  if (std::isnan(v)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(v)) {
    if (v > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  // to_chars(general, precision) is specified as printf's %.*g in the C locale.
  return std::to_chars(buf, buf + 32, v, std::chars_format::general, 17).ptr - buf;
}

}  // namespace

void Writer::Simple(std::string_view s) {
  out_->push_back('+');
  AppendOneLine(out_, s);
  out_->append("\r\n", 2);
}

void Writer::Error(std::string_view msg) {
  // As Redis's addReplyErrorFormat: CR/LF turned into spaces.
  out_->push_back('-');
  AppendOneLine(out_, msg);
  out_->append("\r\n", 2);
}

void Writer::Integer(int64_t v) { AppendHeader(out_, ':', v); }

void Writer::Bulk(std::string_view s) {
  // Short bulks go out in one append; longer ones as header + body + CRLF.
  constexpr size_t kInline = 64;
  if (s.size() <= kInline) {
    char buf[kHeaderMax + kInline + 2];
    buf[0] = '$';
    char* p = FormatInt(buf + 1, static_cast<int64_t>(s.size()));
    *p++ = '\r';
    *p++ = '\n';
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '\r';
    *p++ = '\n';
    out_->append(buf, p - buf);
    return;
  }
  AppendHeader(out_, '$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void Writer::Null() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void Writer::NullArray() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void Writer::ArrayHeader(int64_t n) { AppendHeader(out_, '*', n); }

void Writer::MapHeader(int64_t n) {
  if (proto_ >= 3) {
    AppendHeader(out_, '%', n);
  } else {
    AppendHeader(out_, '*', n * 2);
  }
}

void Writer::SetHeader(int64_t n) { AppendHeader(out_, proto_ >= 3 ? '~' : '*', n); }

void Writer::PushHeader(int64_t n) { AppendHeader(out_, proto_ >= 3 ? '>' : '*', n); }

void Writer::Double(double v) {
  char text[32];
  const size_t len = FormatDouble(text, v);
  char buf[kHeaderMax + 32 + 2];
  char* p = buf;
  if (proto_ >= 3) {
    *p++ = ',';
  } else {
    *p++ = '$';
    p = FormatInt(p, static_cast<int64_t>(len));
    *p++ = '\r';
    *p++ = '\n';
  }
  std::memcpy(p, text, len);
  p += len;
  *p++ = '\r';
  *p++ = '\n';
  out_->append(buf, p - buf);
}

void Writer::Bool(bool v) {
  if (proto_ >= 3) {
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(v ? ":1\r\n" : ":0\r\n", 4);
  }
}

void Writer::Verbatim(std::string_view text, std::string_view format) {
  if (proto_ < 3) {
    Bulk(text);
    return;
  }
  AppendHeader(out_, '=', static_cast<int64_t>(format.size() + 1 + text.size()));
  out_->append(format);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n", 2);
}

}  // namespace strata::resp
