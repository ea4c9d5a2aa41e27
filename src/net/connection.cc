#include "net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace strata::net {
namespace {

constexpr size_t kMinReadSpace = 16 * 1024;
// An empty input buffer larger than this is freed, so one big request does not pin memory
// for the rest of the connection's life.
constexpr size_t kIdleBufferLimit = 256 * 1024;

std::string FormatAddr(const sockaddr_storage& ss, bool* loopback) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
    if (loopback) *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    return std::string(ip) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    if (loopback) {
      *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
                  (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
    }
    return std::string(ip) + ":" + std::to_string(port);
  }
  return "?:0";
}

}  // namespace

Connection::Connection(uint64_t id, ConnectionHandler* handler) : id_(id), handler_(handler) {
  handle_.data = this;
  write_req_.data = this;
}

Connection::~Connection() = default;

int Connection::fd() const {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(&handle_), &fd);
  return fd;
}

void Connection::Start(int keepalive_s) {
  sockaddr_storage ss;
  int len = sizeof(ss);
  if (uv_tcp_getpeername(&handle_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    peer_ = FormatAddr(ss, &peer_loopback_);
  }
  len = sizeof(ss);
  if (uv_tcp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    local_ = FormatAddr(ss, nullptr);
  }
  uv_tcp_nodelay(&handle_, 1);
  uv_tcp_keepalive(&handle_, keepalive_s > 0 ? 1 : 0, static_cast<unsigned>(keepalive_s));
  handler_->OnOpen(this);
  if (!closing_) ResumeReading();
}

void Connection::Consume(size_t n) {
  start_ += n;
  if (start_ == end_) {
    start_ = end_ = 0;  // cheap reset: no bytes to move
    if (cap_ > kIdleBufferLimit) {
      buf_.reset();
      cap_ = 0;
    }
  }
}

void Connection::ReserveInput(size_t total) {
  size_t live = end_ - start_;
  if (cap_ - start_ >= total) return;
  size_t new_cap = std::max(total, cap_);
  if (new_cap <= cap_ && start_ > 0) {
    std::memmove(buf_.get(), buf_.get() + start_, live);
  } else {
    auto nb = std::make_unique_for_overwrite<char[]>(new_cap);  // no zeroing
    if (live) std::memcpy(nb.get(), buf_.get() + start_, live);
    buf_ = std::move(nb);
    cap_ = new_cap;
  }
  start_ = 0;
  end_ = live;
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->cap_ - c->end_ < kMinReadSpace) {
    // Compact first; when the live bytes themselves need the room, grow geometrically so a
    // large request costs O(size) copying in all, and memory never runs ahead of the bytes
    // actually received by more than 2x (a client cannot make us reserve what it only
    // announces).
    size_t live = c->end_ - c->start_;
    if (c->cap_ >= live + kMinReadSpace) {
      c->ReserveInput(c->cap_);
    } else {
      c->ReserveInput(std::max(live + kMinReadSpace, c->cap_ * 2));
    }
  }
  buf->base = c->buf_.get() + c->end_;
  buf->len = c->cap_ - c->end_;
}

void Connection::OnReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread > 0) {
    c->end_ += static_cast<size_t>(nread);
    if (!c->closing_) c->handler_->OnRead(c);
  } else if (nread < 0) {
    c->Close();  // EOF or error
  }
}

void Connection::PauseReading() {
  if (reading_ && !closing_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
  reading_ = false;
}

void Connection::ResumeReading() {
  if (reading_ || closing_) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), &Connection::OnAlloc,
                    &Connection::OnReadCb) == 0) {
    reading_ = true;
  }
}

void Connection::Flush() {
  if (closing_ || !inflight_.empty() || out_.empty()) return;
  uv_buf_t b = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&handle_), &b, 1);
  if (n == static_cast<int>(out_.size())) {
    out_.clear();
    if (close_after_write_) {
      Close();
    } else {
      handler_->OnDrained(this);
    }
    return;
  }
  if (n < 0 && n != UV_EAGAIN) {
    Close();
    return;
  }
  if (n > 0) out_.erase(0, static_cast<size_t>(n));
  StartWrite();
}

void Connection::StartWrite() {
  inflight_.swap(out_);  // out_ is now empty and keeps collecting new replies
  uv_buf_t b = uv_buf_init(inflight_.data(), static_cast<unsigned>(inflight_.size()));
  if (uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&handle_), &b, 1,
               &Connection::OnWriteCb) != 0) {
    inflight_.clear();
    Close();
  }
}

void Connection::OnWriteCb(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->inflight_.clear();
  if (c->inflight_.capacity() > (1u << 20)) c->inflight_.shrink_to_fit();
  if (status < 0 || c->closing_) {
    c->Close();
    return;
  }
  if (!c->out_.empty()) {
    c->Flush();
  } else if (c->close_after_write_) {
    c->Close();
  } else {
    c->handler_->OnDrained(c);
  }
}

void Connection::CloseAfterWrite() {
  close_after_write_ = true;
  PauseReading();
  if (out_.empty() && inflight_.empty()) Close();
}

void Connection::Close() {
  if (closing_) return;
  handler_->OnClose(this);
  reading_ = false;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), &Connection::OnCloseCb);
}

void Connection::OnCloseCb(uv_handle_t* h) {
  // The connection was released to libuv in Listener::OnConnection; reclaim and free it.
  std::unique_ptr<Connection> owned(static_cast<Connection*>(h->data));
}

Listener::Listener(uv_loop_t* loop, ConnectionHandler* handler) : loop_(loop), handler_(handler) {}

Listener::~Listener() { StopListening(); }

bool Listener::Listen(const std::string& addr, int port, int backlog, std::string* error) {
  sockaddr_storage ss{};
  if (uv_ip4_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss)) != 0 &&
      uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss)) != 0) {
    *error = "invalid bind address '" + addr + "'";
    return false;
  }
  auto server = std::make_unique<uv_tcp_t>();
  uv_tcp_init(loop_, server.get());
  server->data = this;
  unsigned flags = ss.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
  int rc = uv_tcp_bind(server.get(), reinterpret_cast<sockaddr*>(&ss), flags);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(server.get()), backlog, &Listener::OnConnection);
  }
  if (rc != 0) {
    *error = "could not listen on " + addr + ":" + std::to_string(port) + ": " + uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(server.release()),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    return false;
  }
  servers_.push_back(server.release());
  return true;
}

void Listener::StopListening() {
  for (uv_tcp_t* s : servers_) {
    uv_close(reinterpret_cast<uv_handle_t*>(s),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
  servers_.clear();
}

void Listener::OnConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto* self = static_cast<Listener*>(server->data);
  auto conn = std::make_unique<Connection>(self->next_id_++, self->handler_);
  uv_tcp_init(self->loop_, conn->handle());
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(conn->handle())) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(conn.release()->handle()), &Connection::OnCloseCb);
    return;
  }
  // From here libuv's handle owns the connection; OnCloseCb frees it.
  conn.release()->Start(self->keepalive_s_);
}

}  // namespace strata::net
