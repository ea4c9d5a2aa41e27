// EventLoop: a libuv loop plus the few services the server needs from it — timers, a
// "before sleep" hook run after each round of I/O callbacks, signal handlers, and Post(), the
// one thread-safe entry point (uv_async) by which other threads (e.g. the store's syncer)
// hand work to the loop thread.
//
// Thread safety: everything but Post() and Stop() must be called on the loop thread.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "util/status.h"

namespace strata::net {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  uv_loop_t* uv() { return &loop_; }

  // Runs until Stop(). Returns when every handle is closed.
  void Run();
  // Thread-safe: makes Run() return after the current iteration.
  void Stop();

  // Calls fn on the loop thread soon. Thread-safe. Several posts may be coalesced into one
  // wake-up but every fn runs exactly once, in order.
  void Post(std::function<void()> fn);

  // Calls fn every interval_ms (first after interval_ms). Returns an id for CancelTimer.
  uint64_t AddTimer(uint64_t interval_ms, std::function<void()> fn);
  void CancelTimer(uint64_t id);

  // Runs fn after each round of I/O callbacks, before the loop blocks again (Redis's
  // beforeSleep): the place to flush the WAL once and write all replies.
  void SetBeforeSleep(std::function<void()> fn);

  // Runs fn on the loop thread when signum arrives.
  void OnSignal(int signum, std::function<void()> fn);

  // Milliseconds since the epoch, cached per loop iteration is NOT assumed: always fresh.
  static int64_t NowMs();
  static int64_t NowUs();

 private:
  struct Timer;
  struct Signal;
  static void OnAsync(uv_async_t* h);
  static void OnCheck(uv_check_t* h);
  void CloseAll();

  uv_loop_t loop_;
  uv_async_t async_;
  uv_check_t check_;
  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;  // GUARDED_BY(post_mu_)
  std::function<void()> before_sleep_;
  std::vector<std::unique_ptr<Timer>> timers_;
  std::vector<std::unique_ptr<Signal>> signals_;
  uint64_t next_timer_id_ = 1;
  bool stopping_ = false;
};

}  // namespace strata::net
