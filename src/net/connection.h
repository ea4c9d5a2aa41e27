// Connection: one accepted TCP client. Moves bytes: the input buffer fills from the socket,
// the handler consumes whole requests from its front; the handler appends replies to the
// output buffer and calls Flush(). Knows nothing of RESP or commands.
//
// Lifetime: owned by the Listener's bookkeeping; destroyed after its libuv handle closes.
// Handler::OnClose is called exactly once, when Close() is first called (by the handler, on
// EOF, or on a socket error); after it the handler must not touch the connection.
// All methods run on the loop thread.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::net {

class Connection;

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // A new connection; the handler may set its context or Close() it at once.
  virtual void OnOpen(Connection* c) = 0;
  // New bytes were appended to c->input().
  virtual void OnRead(Connection* c) = 0;
  // All output handed to the kernel (e.g. to resume a paused reader). May be spurious.
  virtual void OnDrained(Connection* c) = 0;
  // The connection is closing; forget it.
  virtual void OnClose(Connection* c) = 0;
};

class Connection {
 public:
  Connection(uint64_t id, ConnectionHandler* handler);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Called by the Listener once the uv_tcp_t is accepted. keepalive_s: TCP keepalive probe
  // interval in seconds (Redis's tcp-keepalive), 0 for none.
  uv_tcp_t* handle() { return &handle_; }
  void Start(int keepalive_s);

  uint64_t id() const { return id_; }
  const std::string& peer() const { return peer_; }    // "ip:port"
  const std::string& local() const { return local_; }  // "ip:port"
  bool peer_is_loopback() const { return peer_loopback_; }
  int fd() const;

  // Unconsumed input bytes (contiguous).
  std::string_view input() const { return {buf_.get() + start_, end_ - start_}; }
  // Drops n bytes from the front of input().
  void Consume(size_t n);
  // Makes room so the buffer can hold `total` unconsumed bytes without growing again.
  void ReserveInput(size_t total);
  // Bytes allocated for input (for CLIENT LIST / limits).
  size_t input_capacity() const { return cap_; }

  // Replies are appended here; nothing is sent until Flush().
  std::string* output() { return &out_; }
  // Bytes not yet accepted by the kernel.
  size_t pending_output() const { return out_.size() + inflight_.size(); }
  // Hands output to the kernel: a direct write, then an async write for what does not fit.
  void Flush();

  void PauseReading();
  void ResumeReading();
  bool reading() const { return reading_; }

  // Closes once every byte of output is written (a protocol error, QUIT).
  void CloseAfterWrite();
  // Closes now; unsent output is dropped.
  void Close();
  bool closing() const { return closing_; }
  // CloseAfterWrite() was called: no more input is to be processed.
  bool close_pending() const { return close_after_write_ || closing_; }

  void set_context(void* ctx) { context_ = ctx; }
  void* context() const { return context_; }

 private:
  friend class Listener;
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteCb(uv_write_t* req, int status);
  static void OnCloseCb(uv_handle_t* h);
  void StartWrite();

  uint64_t id_;
  ConnectionHandler* handler_;
  uv_tcp_t handle_;
  uv_write_t write_req_;
  std::string peer_, local_;
  bool peer_loopback_ = false;
  void* context_ = nullptr;

  // Input: bytes [start_, end_) of buf_ (capacity cap_) are unconsumed.
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, start_ = 0, end_ = 0;

  std::string out_;       // appended by the handler, not yet handed to libuv
  std::string inflight_;  // owned by the uv_write in progress (empty when none)
  bool reading_ = false;
  bool close_after_write_ = false;
  bool closing_ = false;
};

// Accepts connections on one or more addresses and owns the Connection objects.
class Listener {
 public:
  Listener(uv_loop_t* loop, ConnectionHandler* handler);
  ~Listener();

  // Binds and listens on addr:port ("127.0.0.1", "::1", "0.0.0.0", ...). An error says which
  // address failed and why (e.g. "address already in use").
  bool Listen(const std::string& addr, int port, int backlog, std::string* error);
  // Stops accepting (the sockets close); open connections stay.
  void StopListening();
  // TCP keepalive for connections accepted from now on (seconds; 0 turns it off).
  void set_keepalive(int seconds) { keepalive_s_ = seconds; }

 private:
  static void OnConnection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  ConnectionHandler* handler_;
  std::vector<uv_tcp_t*> servers_;
  uint64_t next_id_ = 1;
  int keepalive_s_ = 300;
};

}  // namespace strata::net
