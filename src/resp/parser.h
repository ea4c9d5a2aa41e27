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
// connection — the caller replies "-<error()>\r\n" and closes after writing it (unless
// close_silently(), see below).
//
// Redis quirks kept on purpose, because clients and the protocol tests see them:
//  - A line is ended by '\n' (inline) or '\r' (the `*N` and `$N` lines), and the byte after
//    that '\r' is skipped unchecked, as are the two bytes after a bulk payload.
//  - Like Redis's strchr() on the query buffer, a NUL byte stops the search for a line's end:
//    such a line never ends, so the request waits until it is over the 64 KiB limit and
//    fails with "too big ..." (Redis's "protocol desync" tests rely on that).
//  - Empty inline lines, `*0` and `*-N` are kEmpty.
// One deliberate difference: Redis applies the 64 KiB line limits to whatever is buffered
// when a read ends, so a longer line can slip through if it arrives in one read. Here a line
// whose terminator is not within the first max_inline_len + 1 bytes is always an error, so
// the result never depends on how the stream was split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
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

  // After kOk: the arguments, valid until the next Parse() or Reset() and while the buffer
  // is unchanged. Views into the buffer, except quoted inline arguments, which the parser
  // holds (they differ from their bytes on the wire).
  const std::vector<std::string_view>& args() const { return args_; }
  // Bytes of `data` the last kOk/kEmpty result used.
  size_t consumed() const { return consumed_; }
  // The error text without the leading '-' or trailing CRLF.
  const std::string& error() const { return error_; }
  // When kIncomplete inside a large bulk: how many bytes the whole request is known to need
  // (0 if unknown). Lets the caller reserve buffer space once instead of growing it.
  // Set whenever a bulk's payload is awaited, to the end of that payload and its CRLF
  // (counted from data[0]); whether it is worth reserving for is the caller's call.
  size_t bytes_needed() const { return bytes_needed_; }

  // After kError: true when the request was a cross-protocol attack (a first argument of
  // "POST" or "Host:", any case, inline or multibulk, as Redis's processCommand checks). Redis
  // closes such a connection without replying, so the caller writes nothing and closes at
  // once; error() then holds a text for the log only.
  bool close_silently() const { return close_silently_; }
  // Bytes examined by line-terminator searches since construction: a work counter that lets
  // tests check that parsing cost stays proportional to the input, however it is split.
  uint64_t bytes_scanned() const { return bytes_scanned_; }

  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  // Forgets any partial request (e.g. after the caller discarded its buffer).
  void Reset();

 private:
  // Where the request being parsed stands. kStart: nothing seen yet.
  enum class Stage : uint8_t { kStart, kInline, kCount, kBulkHeader, kBulkData };
  enum class Scan : uint8_t { kFound, kMore, kTooBig };

  Result ParseMultibulk(std::string_view data);
  Result ParseInline(std::string_view data);
  // Searches the line starting at pos_ for `term`, resuming at scan_pos_; see parser.cc.
  Scan FindTerminator(std::string_view data, char term, size_t* at);
  // Sets error_ to "ERR Protocol error: <what>" and forgets the request.
  Result Fail(std::string_view what);

  ParserLimits limits_;
  bool authenticated_ = true;
  Stage stage_ = Stage::kStart;
  // All offsets are relative to the start of the request (data[0]).
  size_t pos_ = 0;             // start of the line or bulk payload being parsed
  size_t scan_pos_ = 0;        // next byte the terminator search of the current line examines
  bool line_blocked_ = false;  // a NUL ended the search of the current line (see parser.cc)
  int64_t multibulk_len_ = 0;  // bulks still to read
  int64_t bulk_len_ = -1;      // payload length of the bulk being read
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // (offset, length) of parsed bulks
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;  // owned storage for quoted inline arguments
  size_t consumed_ = 0;
  size_t bytes_needed_ = 0;
  uint64_t bytes_scanned_ = 0;
  bool close_silently_ = false;
  std::string error_;
};

// Splits an inline command line the way Redis's sdssplitargs does: whitespace separates,
// "double quotes" support \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' support \'.
// A closing quote must be followed by whitespace or the end. Returns false on unbalanced quotes.
// As in sdssplitargs, which reads a C string, a NUL byte ends the line. Also as there, a quote
// inside an unquoted word opens a quoted part of the same word (a"b c" is `ab c`), and a word
// ends at space, \t, \r, \n but not at \v or \f (which are skipped between words).
// `out` is cleared first; on false it is left empty.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace strata::resp
