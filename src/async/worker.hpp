// A worker: one event loop (boost::asio::io_context) and one Lua state, and
// the scheduler of the Lua threads ("tasks") that run on it.
//
// A task is a root Lua thread started by the host: the main chunk, a
// rua.spawn'ed function, a timer callback. When Lua code calls an async
// native (rua.sleep, later sockets and SQLite), the native starts the
// operation and returns suspend(L): the VM unwinds to the worker with the
// whole chain of coroutines intact, and the operation's completion pushes
// its results on the thread that called it and continues the task. No C++
// stack is kept per waiting task, only its Lua thread(s).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api.hpp"

namespace rua {

class BlockingPool;

class Worker {
 public:
  struct Task;
  using TaskPtr = std::shared_ptr<Task>;

  // 'L' is the main thread of the worker's state. The worker registers
  // itself in the state (Worker::of finds it) and opens the 'rua' module.
  Worker(State* L, boost::asio::io_context& ioc);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  static Worker* of(State* L);
  boost::asio::io_context& ioc() { return ioc_; }
  State* state() const { return L_; }

  // Cached wall-clock time in seconds, updated when a task is (re)entered.
  double now() const { return now_; }
  void update_now();

  // ---- tasks ----
  // Starts the function below 'nargs' arguments on L's top as a new task on
  // a new thread; pops them and pushes the task's handle (a userdata).
  // The task starts on the next turn of the loop.
  void spawn(State* L, int nargs);
  // Runs the function below 'nargs' arguments on the main thread's top as a
  // task, and runs the loop until that task ends. Returns its status; on
  // failure the error message (with traceback) is on the main thread's top.
  Status run_main(int nargs, int nresults);
  // Runs the loop until no task is alive.
  void run();

  // ---- calling Lua from C++ hosts ----
  // The outcome of a call: on kOk the 'nresults' results, on an error the
  // error object, are on the top of 'thread' (read them with the API on
  // that thread). The thread stays alive as long as the result is held.
  struct CallResult {
    Status status = kOk;
    State* thread = nullptr;
    int nresults = 0;
    TaskPtr task;
  };
  // Calls the function below 'nargs' arguments on the main thread's top as
  // a new task (it may suspend on I/O); pops them. 'done' runs on the loop's
  // thread, from the loop (never from inside this call), when the task ends.
  void call(int nargs, std::function<void(CallResult)> done);
  // The same with any Asio completion token: a callback, or
  // boost::asio::use_awaitable in a C++20 coroutine on this worker's loop:
  //   get_global(L, "handler"); push_integer(L, 21);
  //   Worker::CallResult r = co_await worker.call_async(1, boost::asio::use_awaitable);
  // (examples/embed shows both forms.)
  template <typename CompletionToken>
  auto call_async(int nargs, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(CallResult)>(
        [this, nargs](auto handler) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          call(nargs, [h](CallResult r) { std::move (*h)(std::move(r)); });
        },
        token);
  }
  bool has_tasks() const { return alive_ > 0; }
  // Armed timers keep run() going too (rua.timer/rua.every).
  void timer_armed() { timers_++; }
  void timer_disarmed() { timers_--; }

  // ---- the async protocol, for natives ----
  // A ticket for the operation the running chain is about to wait on: the
  // completion calls resume(ticket, pushfn) to push results and continue.
  struct Ticket {
    State* inner = nullptr;  // the thread that called the async native
    TaskPtr task;
    uint64_t wait_id = 0;
  };
  Ticket begin_wait(State* L, std::function<void()> cancel = nullptr);
  // Pushes results with 'push' (returns how many) on the waiting thread and
  // continues the task, unless it was killed meanwhile. Call on the loop's thread.
  void complete(const Ticket& t, const std::function<int(State*)>& push);

  // ---- used by the 'rua' module ----
  int wait_tasks(State* L, int first, int n);  // rua.wait
  int kill_task(State* L, int idx);            // rua.kill
  TaskPtr task_of_handle(State* L, int idx);
  void report_error(State* thread, const char* where);

  BlockingPool& blocking_pool();

 private:
  void start_task(TaskPtr t, int nargs);
  void step(const TaskPtr& t, TaskStatus st, int nres);
  void finish_task(const TaskPtr& t, bool ok);
  void wake_waiters(const TaskPtr& t);
  void notify_done(const TaskPtr& t);

  State* L_;
  boost::asio::io_context& ioc_;
  double now_ = 0;
  int alive_ = 0;
  int timers_ = 0;
  uint64_t next_wait_id_ = 1;
  std::unordered_map<State*, TaskPtr> tasks_;  // by root thread
  std::unique_ptr<BlockingPool> pool_;
  // Threads of finished call()s, kept for the next ones (a server makes one
  // call per request): no new thread, no stack to grow again each time.
  struct ThreadCache;
  std::shared_ptr<ThreadCache> thread_cache_;

 public:
  // Tracebacks of spawned threads' uncaught errors, kept for the report while
  // the waiters get the error object itself.
  std::unordered_map<State*, std::string> tracebacks_;
};

// Opens the 'rua' module (sleep, now, spawn, wait, kill, timer, every).
int open_rua(State* L);

}  // namespace rua
