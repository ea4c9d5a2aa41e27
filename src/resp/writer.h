// RESP2/RESP3 reply encoding into a caller-owned output buffer (append only, no allocation
// beyond the buffer's growth). The protocol version decides how RESP3-only types degrade:
//   type      RESP3                 RESP2
//   null      _\r\n                 $-1\r\n          (NullArray: *-1\r\n)
//   map       %N\r\n k v ...        *2N\r\n k v ...
//   set       ~N\r\n ...            *N\r\n ...
//   double    ,1.5\r\n              $3\r\n1.5\r\n
//   boolean   #t\r\n / #f\r\n       :1\r\n / :0\r\n
//   verbatim  =N\r\ntxt:...\r\n     $N\r\n...\r\n    (bulk of the text alone)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::resp {

class Writer {
 public:
  explicit Writer(std::string* out, int proto = 2) : out_(out), proto_(proto) {}

  int proto() const { return proto_; }
  void set_proto(int proto) { proto_ = proto; }
  std::string* buffer() { return out_; }

  void Ok() { out_->append("+OK\r\n"); }
  void Simple(std::string_view s);  // "+s\r\n"; CR/LF in s are replaced by spaces
  // "-msg\r\n". msg starts with the code: "ERR syntax error", "WRONGTYPE ...". CR/LF are
  // replaced by spaces so one error is always one line.
  // "-msg\r\n"; CR/LF in msg become spaces, as in Redis.
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void Null();
  void NullArray();
  void ArrayHeader(int64_t n);
  void MapHeader(int64_t n);  // n pairs
  void SetHeader(int64_t n);
  void PushHeader(int64_t n);  // RESP3 '>', RESP2 '*'
  void Double(double v);       // %.17g, "inf", "-inf", "nan"
  void Bool(bool v);
  void Verbatim(std::string_view text, std::string_view format = "txt");

 private:
  std::string* out_;
  int proto_;
};

}  // namespace strata::resp
