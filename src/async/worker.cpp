#include "worker.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <new>

#include "blocking_pool.hpp"
#include "state.hpp"

namespace rua {

namespace {
constexpr const char* kHandleType = "rua.thread";

// Registry key under which the worker's pointer is kept (a light userdata key).
char worker_key;

int traceback_handler(State* L) {
  const char* msg = to_string(L, 1);
  if (msg == nullptr) {
    if (call_meta(L, 1, "__tostring") && type(L, -1) == Type::String) return 1;
    msg = push_fstring(L, "(error object is a %s value)", type_name_of(L, type(L, 1)));
  }
  traceback(L, L, msg, 1);
  return 1;
}

// The handler of spawned threads: the report gets a traceback, the threads
// that wait on this one get the error object unchanged (a table stays a table).
int task_error_handler(State* L) {
  traceback_handler(L);
  size_t len;
  const char* tb = to_lstring(L, -1, &len);
  if (Worker* w = Worker::of(L)) w->tracebacks_[chain_root(L)] = std::string(tb ? tb : "", tb ? len : 0);
  pop(L, 1);
  push_value(L, 1);
  return 1;
}
}  // namespace

// ===================================================================
// Tasks
// ===================================================================

struct Worker::ThreadCache {
  static constexpr size_t kMax = 256;
  std::vector<std::pair<State*, int>> threads;  // thread, its registry reference
  bool closed = false;                          // the worker is gone
};

struct Worker::Task {
  enum class Phase { Pending, Running, Done, Failed, Killed };
  State* thread = nullptr;  // the root thread
  State* main = nullptr;    // the worker's main thread (for the registry)
  int ref = kNoRef;         // registry reference keeping 'thread' alive
  Phase phase = Phase::Pending;
  uint64_t wait_id = 0;  // the wait in progress (0: none)
  std::function<void()> cancel;
  std::vector<Ticket> waiters;  // rua.wait'ing chains
  int nresults = 0;             // results kept on the thread's stack when Done/Failed
  bool collected = false;       // results already taken by a wait
  bool is_main = false;
  std::function<void(bool ok)> on_done;  // Worker::call's completion

  std::shared_ptr<ThreadCache> cache;  // set when the thread may be reused (a call that ended well)

  ~Task() {
    if (ref == kNoRef || main == nullptr) return;
    if (cache && !cache->closed && cache->threads.size() < ThreadCache::kMax && phase == Phase::Done) {
      set_top(thread, 0);
      cache->threads.emplace_back(thread, ref);
      return;
    }
    unref(main, kRegistryIndex, ref);
  }
  bool alive() const { return phase == Phase::Pending || phase == Phase::Running; }
};

namespace {
// The userdata a spawn returns: it owns a reference to the task.
struct Handle {
  Worker::TaskPtr task;
};

int handle_gc(State* L) {
  auto* h = static_cast<Handle*>(to_userdata(L, 1));
  h->task.~shared_ptr();
  return 0;
}

int handle_tostring(State* L) {
  auto* h = static_cast<Handle*>(to_userdata(L, 1));
  push_fstring(L, "rua.thread: %p", static_cast<void*>(h->task.get()));
  return 1;
}
}  // namespace

Worker::Worker(State* L, boost::asio::io_context& ioc)
    : L_(L), ioc_(ioc), thread_cache_(std::make_shared<ThreadCache>()) {
  push_light_userdata(L, this);
  raw_set_p(L, kRegistryIndex, &worker_key);
  if (new_metatable(L, kHandleType)) {
    push_native(L, handle_gc);
    set_field(L, -2, "__gc");
    push_native(L, handle_tostring);
    set_field(L, -2, "__tostring");
  }
  pop(L, 1);
  update_now();
}

Worker::~Worker() {
  tasks_.clear();
  thread_cache_->closed = true;
  for (auto& [th, r] : thread_cache_->threads) unref(L_, kRegistryIndex, r);
  thread_cache_->threads.clear();
  push_nil(L_);
  raw_set_p(L_, kRegistryIndex, &worker_key);
}

Worker* Worker::of(State* L) {
  raw_get_p(L, kRegistryIndex, &worker_key);
  auto* w = static_cast<Worker*>(to_userdata(L, -1));
  pop(L, 1);
  return w;
}

void Worker::update_now() {
  using namespace std::chrono;
  now_ = duration<double>(system_clock::now().time_since_epoch()).count();
}

BlockingPool& Worker::blocking_pool() { return BlockingPool::shared(); }

void Worker::report_error(State* thread, const char* where) {
  auto it = tracebacks_.find(thread);
  std::string msg;
  if (it != tracebacks_.end()) {
    msg = std::move(it->second);
    tracebacks_.erase(it);
  } else {
    const char* s = to_string(thread, -1);
    msg = s ? s : "(error object is not a string)";
  }
  std::fprintf(stderr, "rua: error in %s: %s\n", where, msg.c_str());
  std::fflush(stderr);
}

void Worker::spawn(State* L, int nargs) {
  State* th = new_thread(L, -(nargs + 1), nargs, 1);  // stack: f args... thread; sized for f (handler below)
  insert(L, -(nargs + 2));    // thread f args...
  push_native(th, task_error_handler);
  xmove(L, th, nargs + 1);  // the new thread: handler f args...
  auto task = std::make_shared<Task>();
  task->thread = th;
  task->main = L_;
  push_value(L, -1);  // the thread
  task->ref = ref(L, kRegistryIndex);
  pop(L, 1);
  auto* h = static_cast<Handle*>(new_userdata(L, sizeof(Handle), 0));
  new (h) Handle{task};
  set_metatable_named(L, kHandleType);
  tasks_[th] = task;
  alive_++;
  boost::asio::post(ioc_, [this, task, nargs] { start_task(task, nargs); });
}

void Worker::start_task(TaskPtr t, int nargs) {
  if (t->phase != Task::Phase::Pending) return;  // killed before it started
  t->phase = Task::Phase::Running;
  State* th = t->thread;
  th->errfunc = save_stack(th, th->ci->func + 1);  // the handler at index 1
  update_now();
  int nres = 0;
  TaskStatus st = task_start(th, nargs, &nres);
  step(t, st, nres);
}

void Worker::step(const TaskPtr& t, TaskStatus st, int nres) {
  switch (st) {
    case TaskStatus::Suspended: return;  // an operation will continue it
    case TaskStatus::Yielded: {          // a yield at the root: let others run, then go on
      Ticket tk{t->thread, t, next_wait_id_++};
      t->wait_id = tk.wait_id;
      pop(t->thread, nres);
      boost::asio::post(ioc_, [this, tk] { complete(tk, [](State*) { return 0; }); });
      return;
    }
    case TaskStatus::Finished:
      t->nresults = nres;
      finish_task(t, true);
      return;
    case TaskStatus::Failed:
      t->nresults = 1;
      if (!t->is_main) report_error(t->thread, "spawned thread");
      finish_task(t, false);
      return;
  }
}

void Worker::finish_task(const TaskPtr& t, bool ok) {
  t->phase = ok ? Task::Phase::Done : Task::Phase::Failed;
  t->wait_id = 0;
  t->cancel = nullptr;
  tasks_.erase(t->thread);
  alive_--;
  wake_waiters(t);
  notify_done(t);
}

void Worker::notify_done(const TaskPtr& t) {
  if (!t->on_done) return;
  auto done = std::move(t->on_done);
  t->on_done = nullptr;
  done(t->phase == Task::Phase::Done);
}

void Worker::call(int nargs, std::function<void(CallResult)> done) {
  State* L = L_;
  auto task = std::make_shared<Task>();
  State* th;
  if (!thread_cache_->threads.empty()) {  // a finished call's thread, its stack empty
    auto [cached, r] = thread_cache_->threads.back();
    thread_cache_->threads.pop_back();
    th = cached;
    task->ref = r;
    if (!ensure_stack(th, nargs + 2)) errorf(L, "stack overflow (too many arguments)");
    push_native(th, traceback_handler);
    xmove(L, th, nargs + 1);
  } else {
    th = new_thread(L, -(nargs + 1), nargs, 1);  // stack: f args... thread; sized for f (handler below)
    insert(L, -(nargs + 2));
    push_native(th, traceback_handler);  // hosts get the message with its traceback
    xmove(L, th, nargs + 1);
    task->ref = ref(L, kRegistryIndex);  // pops the thread
  }
  task->thread = th;
  task->main = L_;
  task->cache = thread_cache_;
  task->collected = true;              // no Lua waiter takes its results
  task->on_done = [this, weak = std::weak_ptr<Task>(task), done = std::move(done)](bool ok) {
    TaskPtr t = weak.lock();
    CallResult r;
    r.thread = t->thread;
    r.task = t;
    if (t->phase == Task::Phase::Killed) {
      r.status = kErrRun;
      push_string(t->thread, "killed");
      r.nresults = 1;
    } else {
      r.status = ok ? kOk : kErrRun;
      r.nresults = ok ? t->nresults : 1;
    }
    boost::asio::post(ioc_, [done, r = std::move(r)]() mutable { done(std::move(r)); });
  };
  tasks_[th] = task;
  alive_++;
  boost::asio::post(ioc_, [this, task, nargs] { start_task(task, nargs); });
}

void Worker::wake_waiters(const TaskPtr& t) {
  std::vector<Ticket> waiters;
  waiters.swap(t->waiters);
  for (const Ticket& w : waiters) {
    if (!w.task || w.task->wait_id != w.wait_id) continue;  // that waiter went on already
    TaskPtr done = t;
    boost::asio::post(ioc_, [this, w, done] {
      complete(w, [this, done](State* L) {
        if (done->collected) return 0;
        done->collected = true;
        if (done->phase == Task::Phase::Done) {
          xmove(done->thread, L, done->nresults);
          return done->nresults;
        }
        push_nil(L);
        if (done->phase == Task::Phase::Killed)
          push_string(L, "killed");
        else
          xmove(done->thread, L, 1);
        return 2;
      });
    });
  }
}

Status Worker::run_main(int nargs, int nresults) {
  State* L = L_;
  int base = get_top(L) - nargs;  // the function
  push_native(L, traceback_handler);
  insert(L, base);
  ptrdiff_t old_errfunc = L->errfunc;
  L->errfunc = save_stack(L, L->ci->func + base);
  auto task = std::make_shared<Task>();
  task->thread = L;
  task->is_main = true;
  task->phase = Task::Phase::Running;
  tasks_[L] = task;
  alive_++;
  update_now();
  int nres = 0;
  TaskStatus st = task_start(L, nargs, &nres);
  step(task, st, nres);
  while (task->alive()) {
    if (ioc_.run_one() == 0) {  // nothing can ever continue it
      ioc_.restart();
      if (task->alive()) {
        push_string(L, "main chunk is waiting on an operation that can never complete");
        task->nresults = 1;
        finish_task(task, false);
      }
    }
  }
  L->errfunc = old_errfunc;
  Status status = task->phase == Task::Phase::Done ? kOk : kErrRun;
  if (status == kOk) {
    // results are above the handler: drop the handler, adjust to nresults
    remove(L, base);
    if (nresults != kMultRet) set_top(L, base - 1 + nresults);
  } else {
    remove(L, base);  // the handler; the error message stays on top
  }
  return status;
}

void Worker::run() {
  while (alive_ > 0 || timers_ > 0) {
    if (ioc_.run_one() == 0) {
      ioc_.restart();
      if (alive_ > 0) {
        std::fprintf(stderr, "rua: %d thread(s) wait on operations that can never complete\n", alive_);
        std::fflush(stderr);
      }
      break;
    }
  }
  ioc_.restart();
  ioc_.poll();  // run what is left (cancellations)
  ioc_.restart();
}

// ===================================================================
// The async protocol
// ===================================================================

Worker::Ticket Worker::begin_wait(State* L, std::function<void()> cancel) {
  State* root = chain_root(L);
  auto it = tasks_.find(root);
  if (it == tasks_.end()) errorf(L, "async operation outside a task (no event loop runs this code)");
  if (!can_suspend(L)) errorf(L, "attempt to yield across a C-call boundary");
  TaskPtr t = it->second;
  t->wait_id = next_wait_id_++;
  t->cancel = std::move(cancel);
  return Ticket{L, t, t->wait_id};
}

void Worker::complete(const Ticket& tk, const std::function<int(State*)>& push) {
  TaskPtr t = tk.task;
  if (!t || t->phase != Task::Phase::Running || t->wait_id != tk.wait_id) return;  // killed or stale
  t->wait_id = 0;
  t->cancel = nullptr;
  State* inner = tk.inner;
  int n = 0;
  try {
    ensure_stack(inner, 8);
    n = push(inner);
  } catch (...) {
    n = 0;
  }
  update_now();
  int nres = 0;
  TaskStatus st = task_continue(inner, n, &nres);
  step(t, st, nres);
}

Worker::TaskPtr Worker::task_of_handle(State* L, int idx) {
  auto* h = static_cast<Handle*>(check_udata(L, idx, kHandleType));
  return h->task;
}

int Worker::wait_tasks(State* L, int first, int n) {
  State* root = chain_root(L);
  std::vector<TaskPtr> list;
  for (int i = first; i < first + n; i++) {
    TaskPtr t = task_of_handle(L, i);
    if (t->thread == root) errorf(L, "cannot wait on the running thread");
    if (!t->alive()) {  // already over: its outcome at once
      if (t->collected) {
        push_nil(L);
        push_string(L, "already waited");
        return 2;
      }
      t->collected = true;
      if (t->phase == Task::Phase::Done) {
        int nres = t->nresults;
        check_stack_msg(L, nres, "too many results to wait");
        xmove(t->thread, L, nres);
        return nres;
      }
      push_nil(L);
      if (t->phase == Task::Phase::Killed)
        push_string(L, "killed");
      else
        xmove(t->thread, L, 1);
      return 2;
    }
    list.push_back(t);
  }
  if (list.empty()) errorf(L, "no thread to wait for");
  Ticket tk = begin_wait(L);
  for (const TaskPtr& t : list) t->waiters.push_back(tk);
  return suspend(L);
}

int Worker::kill_task(State* L, int idx) {
  TaskPtr t = task_of_handle(L, idx);
  if (t->thread == chain_root(L)) errorf(L, "cannot kill the running thread");
  if (!t->alive()) {
    push_nil(L);
    push_string(L, "already terminated");
    return 2;
  }
  bool started = t->phase == Task::Phase::Running;
  t->phase = Task::Phase::Killed;
  t->wait_id = 0;
  if (t->cancel) {
    auto c = std::move(t->cancel);
    t->cancel = nullptr;
    c();
  }
  tasks_.erase(t->thread);
  alive_--;
  if (started) close_thread_api(t->thread, L);  // run its pending __close handlers
  wake_waiters(t);
  notify_done(t);
  push_boolean(L, true);
  return 1;
}

}  // namespace rua
