#include "net/event_loop.h"

#include <chrono>

namespace strata::net {

struct EventLoop::Timer {
  uv_timer_t handle;
  uint64_t id;
  std::function<void()> fn;
};

struct EventLoop::Signal {
  uv_signal_t handle;
  std::function<void()> fn;
};

EventLoop::EventLoop() {
  uv_loop_init(&loop_);
  async_.data = this;
  uv_async_init(&loop_, &async_, &EventLoop::OnAsync);
  check_.data = this;
  uv_check_init(&loop_, &check_);
  uv_check_start(&check_, &EventLoop::OnCheck);
}

EventLoop::~EventLoop() {
  CloseAll();
  // Drain close callbacks, then the loop itself.
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void EventLoop::CloseAll() {
  auto close = [](uv_handle_t* h) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  };
  close(reinterpret_cast<uv_handle_t*>(&async_));
  close(reinterpret_cast<uv_handle_t*>(&check_));
  for (auto& t : timers_) close(reinterpret_cast<uv_handle_t*>(&t->handle));
  for (auto& s : signals_) close(reinterpret_cast<uv_handle_t*>(&s->handle));
}

void EventLoop::Run() {
  while (!stopping_) {
    uv_run(&loop_, UV_RUN_ONCE);
  }
}

void EventLoop::Stop() {
  Post([this] { stopping_ = true; });
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> l(post_mu_);
    posted_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void EventLoop::OnAsync(uv_async_t* h) {
  auto* self = static_cast<EventLoop*>(h->data);
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> l(self->post_mu_);
    work.swap(self->posted_);
  }
  for (auto& fn : work) fn();
}

void EventLoop::OnCheck(uv_check_t* h) {
  auto* self = static_cast<EventLoop*>(h->data);
  if (self->before_sleep_) self->before_sleep_();
}

uint64_t EventLoop::AddTimer(uint64_t interval_ms, std::function<void()> fn) {
  auto t = std::make_unique<Timer>();
  t->id = next_timer_id_++;
  t->fn = std::move(fn);
  t->handle.data = t.get();
  uv_timer_init(&loop_, &t->handle);
  uv_timer_start(
      &t->handle, [](uv_timer_t* h) { static_cast<Timer*>(h->data)->fn(); }, interval_ms,
      interval_ms);
  uint64_t id = t->id;
  timers_.push_back(std::move(t));
  return id;
}

void EventLoop::CancelTimer(uint64_t id) {
  for (auto& t : timers_) {
    if (t->id == id) uv_timer_stop(&t->handle);
  }
}

void EventLoop::SetBeforeSleep(std::function<void()> fn) { before_sleep_ = std::move(fn); }

void EventLoop::OnSignal(int signum, std::function<void()> fn) {
  auto s = std::make_unique<Signal>();
  s->fn = std::move(fn);
  s->handle.data = s.get();
  uv_signal_init(&loop_, &s->handle);
  uv_signal_start(
      &s->handle, [](uv_signal_t* h, int) { static_cast<Signal*>(h->data)->fn(); }, signum);
  signals_.push_back(std::move(s));
}

int64_t EventLoop::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
int64_t EventLoop::NowUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace strata::net
