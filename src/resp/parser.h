// Incremental RESP request parser (multibulk `*N\r\n$len\r\n...` and inline `PING a b\r\n`),
// independent of the network and the commands: it sees bytes, yields argument vectors.
//
// Contract: the caller keeps the unconsumed input in one contiguous buffer and calls Parse()
// with all of it each time more bytes arrive. Parse() never copies bulk payloads: on kOk,
// args() are views into that buffer, valid until the caller changes or compacts it. Feeding
// the same stream split at any points gives the same sequence of results. Work per call is
// proportional to the new bytes (the parser remembers how far it got), so a huge multibulk
// arriving in small pieces is not re-parsed from its start.
//
// Limits and error texts are Redis 7's (networking.c): every error is fatal for the
// connection — the caller replies "-<error()>\r\n" and closes after writing it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512ll * 1024 * 1024;  // proto-max-bulk-len
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
  // Unauthenticated clients (requirepass set, AUTH not yet done) may send at most this many
  // arguments and bulks of at most this many bytes, as Redis 7 does.
  int64_t unauth_max_multibulk = 10;
  int64_t unauth_max_bulk_len = 16384;
};

class Parser {
 public:
  enum class Result {
    kOk,          // a whole command: args() and consumed() are set
    kIncomplete,  // need more bytes; call again with the same start and more data
    kEmpty,       // consumed() bytes held no command (empty line, *0, *-1): skip them
    kError,       // protocol error: error() is e.g. "ERR Protocol error: invalid bulk length"
  };

  explicit Parser(const ParserLimits& limits = ParserLimits()) : limits_(limits) {}

  // Parses the next request at the start of `data` (all unconsumed bytes).
  Result Parse(std::string_view data);

  const std::vector<std::string_view>& args() const { return args_; }
  // Bytes of `data` the last kOk/kEmpty result used.
  size_t consumed() const { return consumed_; }
  // The error text without the leading '-' or trailing CRLF.
  const std::string& error() const { return error_; }
  // When kIncomplete inside a large bulk: how many bytes the whole request is known to need
  // (0 if unknown). Lets the caller reserve buffer space once instead of growing it.
  size_t bytes_needed() const { return bytes_needed_; }

  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  // Forgets any partial request (e.g. after the caller discarded its buffer).
  void Reset();

 private:
  Result ParseMultibulk(std::string_view data);
  Result ParseInline(std::string_view data);

  ParserLimits limits_;
  bool authenticated_ = true;
  // Partial-multibulk state: offsets relative to the start of the request.
  int64_t multibulk_len_ = 0;    // 0: not inside a multibulk request
  size_t pos_ = 0;               // next byte to parse
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // (offset, length) of parsed args
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;  // owned storage for unquoted inline arguments
  size_t consumed_ = 0;
  size_t bytes_needed_ = 0;
  std::string error_;
};

// Splits an inline command line the way Redis's sdssplitargs does: whitespace separates,
// "double quotes" support \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' support \'.
// A closing quote must be followed by whitespace or the end. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace strata::resp
