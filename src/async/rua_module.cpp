// The 'rua' module: sleeping, time, light threads and timers on the worker's
// event loop (all of them cooperative: they run on the worker's thread).
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <new>

#include "worker.hpp"

namespace rua {

namespace {

constexpr const char* kTimerType = "rua.timer";

Worker* worker(State* L) {
  Worker* w = Worker::of(L);
  if (w == nullptr) errorf(L, "no event loop: this state is not run by a rua worker");
  return w;
}

std::chrono::steady_clock::duration seconds(double s) {
  if (!(s > 0)) return std::chrono::steady_clock::duration::zero();
  if (s > 1e9) s = 1e9;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// rua.sleep(seconds)
int r_sleep(State* L) {
  double s = check_number(L, 1);
  Worker* w = worker(L);
  if (!(s > 0)) {  // just let the others run: no timer (a timer costs system calls)
    Worker::Ticket tk = w->begin_wait(L);
    boost::asio::post(w->ioc(), [w, tk] { w->complete(tk, [](State*) { return 0; }); });
    return suspend(L);
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(w->ioc());
  timer->expires_after(seconds(s));
  Worker::Ticket tk = w->begin_wait(L, [timer] { timer->cancel(); });
  timer->async_wait([w, tk, timer](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the thread was killed
    w->complete(tk, [](State*) { return 0; });
  });
  return suspend(L);
}

int r_now(State* L) {
  push_number(L, worker(L)->now());
  return 1;
}

// rua.spawn(f, ...) -> handle
int r_spawn(State* L) {
  check_type(L, 1, Type::Function);
  worker(L)->spawn(L, get_top(L) - 1);
  return 1;
}

// rua.wait(t1, ...) -> results of the first to finish, or nil, err
int r_wait(State* L) {
  int n = get_top(L);
  arg_check(L, n >= 1, 1, "thread handle expected");
  return worker(L)->wait_tasks(L, 1, n);
}

int r_kill(State* L) { return worker(L)->kill_task(L, 1); }

// ---- timers ----

struct TimerState {
  explicit TimerState(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
  Worker* w = nullptr;
  int fref = kNoRef;  // registry: {f, args..., n = count}
  double interval = 0;
  bool repeat = false;
  bool armed = false;
};

struct TimerHandle {
  std::shared_ptr<TimerState> st;
};

void disarm(TimerState& t) {
  if (!t.armed) return;
  t.armed = false;
  t.w->timer_disarmed();
  unref(t.w->state(), kRegistryIndex, t.fref);
  t.fref = kNoRef;
}

void arm(std::shared_ptr<TimerState> st);

void fire(const std::shared_ptr<TimerState>& st) {
  State* L = st->w->state();
  raw_get_i(L, kRegistryIndex, st->fref);  // the {f, args...} table
  get_field(L, -1, "n");
  int n = int(to_integer(L, -1));
  pop(L, 1);
  check_stack_msg(L, n + 2, "too many timer arguments");
  for (int i = 1; i <= n; i++) raw_get_i(L, -i, i);
  remove(L, -(n + 1));  // the table
  st->w->spawn(L, n - 1);
  pop(L, 1);  // the handle: timer tasks are detached
  if (st->repeat && st->armed) {
    arm(st);
  } else {
    disarm(*st);
  }
}

void arm(std::shared_ptr<TimerState> st) {
  st->timer.expires_after(seconds(st->interval));
  st->timer.async_wait([st](const boost::system::error_code& ec) {
    if (ec || !st->armed) return;
    fire(st);
  });
}

int timer_cancel(State* L) {
  auto* h = static_cast<TimerHandle*>(check_udata(L, 1, kTimerType));
  bool was = h->st->armed;
  disarm(*h->st);
  h->st->timer.cancel();
  push_boolean(L, was);
  return 1;
}

int timer_gc(State* L) {
  auto* h = static_cast<TimerHandle*>(to_userdata(L, 1));
  h->~TimerHandle();  // an armed timer keeps running without its handle
  return 0;
}

int new_timer(State* L, double delay, bool repeat, int first_arg) {
  Worker* w = worker(L);
  int n = get_top(L) - first_arg + 1;  // function and arguments
  create_table(L, n, 1);
  for (int i = 0; i < n; i++) {
    push_value(L, first_arg + i);
    raw_set_i(L, -2, i + 1);
  }
  push_integer(L, n);
  set_field(L, -2, "n");
  auto st = std::make_shared<TimerState>(w->ioc());
  st->w = w;
  st->fref = ref(L, kRegistryIndex);
  st->interval = delay;
  st->repeat = repeat;
  st->armed = true;
  w->timer_armed();
  auto* h = static_cast<TimerHandle*>(new_userdata(L, sizeof(TimerHandle), 0));
  new (h) TimerHandle{st};
  set_metatable_named(L, kTimerType);
  arm(st);
  return 1;
}

// rua.timer(delay, f, ...) -> timer with :cancel()
int r_timer(State* L) {
  double delay = check_number(L, 1);
  check_type(L, 2, Type::Function);
  return new_timer(L, delay, false, 2);
}

// rua.every(interval, f) -> timer with :cancel()
int r_every(State* L) {
  double interval = check_number(L, 1);
  arg_check(L, interval > 0, 1, "interval must be positive");
  check_type(L, 2, Type::Function);
  set_top(L, 2);
  return new_timer(L, interval, true, 2);
}

const Reg kFuncs[] = {{"sleep", r_sleep}, {"now", r_now},     {"spawn", r_spawn}, {"wait", r_wait},
                      {"kill", r_kill},   {"timer", r_timer}, {"every", r_every}, {nullptr, nullptr}};

}  // namespace

int open_rua(State* L) {
  if (new_metatable(L, kTimerType)) {
    static const Reg kMethods[] = {{"cancel", timer_cancel}, {nullptr, nullptr}};
    new_lib(L, kMethods);
    set_field(L, -2, "__index");
    push_native(L, timer_gc);
    set_field(L, -2, "__gc");
  }
  pop(L, 1);
  new_lib(L, kFuncs);
  return 1;
}

}  // namespace rua
