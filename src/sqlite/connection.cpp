// Where and in which order the ops of a connection run (see connection.hpp).
#include "connection.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iterator>
#include <utility>

#include "blocking_pool.hpp"

namespace rua::sqlite {

namespace {

// Inline work done on this (worker) thread since its loop last turned (or an
// op last went to the pool).
thread_local double inline_spent_us = 0;
// A handler that zeroes inline_spent_us at the loop's next turn is posted.
thread_local bool inline_reset_posted = false;

int suspend_here(State* L) { return suspend(L); }

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

}  // namespace

Connection::Connection(Options o) : opts_(std::move(o)), cache_(128) {}

Connection::~Connection() { close_handle(); }

Statement::~Statement() {
  if (conn) conn->forget(this);
}

void Connection::track(Statement* s) {
  std::lock_guard lock(mutex_);
  statements_.insert(s);
}

void Connection::forget(Statement* s) {
  std::lock_guard lock(mutex_);
  statements_.erase(s);
  if (s->handle == nullptr) return;
  if (working_) {
    orphans_.push_back(s->handle);  // a pool thread uses the connection: not now
    has_orphans_.store(true, std::memory_order_release);
  } else {
    sqlite3_finalize(s->handle);
  }
  s->handle = nullptr;
}

// ===================================================================
// Submitting
// ===================================================================

int Connection::submit(State* L, OpPtr op, KFunction k, intptr_t ctx) {
  op->root = chain_root(L);
  Worker* w = Worker::of(L);
  if (w == nullptr || !can_suspend(L)) {
    run_sync(*op);
    op->push(L, *op);
    return k(L, kOk, ctx);
  }
  worker_ = w;
  if (!inline_reset_posted) {  // the budget counts work done without the loop turning
    inline_reset_posted = true;
    boost::asio::post(w->ioc(), [] {
      inline_spent_us = 0;
      inline_reset_posted = false;
    });
  }
  if (!in_flight_ && queue_.empty() && may_inline(*op) && run_inline(*op)) {
    op->push(L, *op);
    return k(L, kOk, ctx);
  }
  op->worker = w;
  op->ticket = w->begin_wait(L);
  queue_.push_back(std::move(op));
  start_next();
  push_native(L, suspend_here);
  return call_k(L, 0, kMultRet, ctx, k);  // k runs when suspend_here returns the results
}

void Connection::submit_detached(State* L, OpPtr op) {
  bool may_run_now = owner_ == nullptr || op->root == nullptr || op->root == owner_;
  if (worker_ == nullptr || (!in_flight_ && queue_.empty() && may_run_now)) {
    run_sync(*op);
    return;
  }
  op->worker = worker_;
  queue_.push_back(std::move(op));
  start_next();
}

// ===================================================================
// Running
// ===================================================================

bool Connection::may_inline(const Op& op) {
  if (opts_.inline_max_us <= 0 || inline_spent_us > kInlineBudgetUs || db_ == nullptr) return false;
  if (owner_ != nullptr && op.root != owner_) return false;
  const Stats* stats = nullptr;
  switch (op.kind) {
    case Op::Kind::Query:
    case Op::Kind::First:
    case Op::Kind::Run:
      if (op.stmt) {
        stats = &op.stmt->stats;
      } else if (CachedStatement* e = cache_.find(op.sql)) {
        stats = &e->stats;
      }
      break;
    case Op::Kind::Step:
    case Op::Kind::Fetch: stats = &op.stmt->stats; break;
    default: return false;
  }
  if (stats == nullptr || stats->runs == 0 || stats->avg_us > opts_.inline_max_us) return false;
  if (stats->readonly && stats->columns > 0) return true;
  // A write whose lock this task's transaction holds: with WAL, nothing it does waits for readers.
  return write_locked_ && wal_ && owner_ == op.root && !sqlite3_get_autocommit(db_);
}

// False: the op met a lock and must run on the pool, where it may wait.
bool Connection::run_inline(Op& op) {
  on_dispatch(op);
  execute(op, false);
  inline_spent_us += op.micros;
  if (is_busy(op.rc)) {  // the pool goes on from where it stopped
    op.rc = SQLITE_OK;
    op.error.clear();
    return false;
  }
  after_op(op);
  return true;
}

void Connection::run_sync(Op& op) {
  if (owner_ != nullptr && op.root != nullptr && op.root != owner_) {
    op.fail(SQLITE_BUSY, "the database is in another task's transaction");
    return;
  }
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return !working_; });
  }
  on_dispatch(op);
  execute(op, true);
  after_op(op);
}

void Connection::start_next() {
  while (!in_flight_ && !queue_.empty()) {
    OpPtr op = std::move(queue_.front());
    queue_.pop_front();
    if (owner_ != nullptr && op->root != nullptr && op->root != owner_) {
      parked_.push_back(std::move(op));
      continue;
    }
    // A quick read at the head of the queue runs here rather than through
    // the pool: otherwise, with many tasks, ops that arrive while one is on
    // the pool queue behind it and the queue never empties (a convoy that
    // sends every op to the pool). Its task continues from the loop.
    if (op->ticket.task && may_inline(*op) && run_inline(*op)) {
      Worker* w = op->worker;
      boost::asio::post(w->ioc(), [op = std::move(op)]() mutable {
        op->worker->complete(op->ticket, [&op](State* L) { return op->push(L, *op); });
      });
      continue;
    }
    on_dispatch(*op);
    in_flight_ = true;
    op->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opts_.busy_timeout_ms);
    op->conn = shared_from_this();
    to_pool(std::move(op));
  }
}

void Connection::to_pool(OpPtr op) {
  {
    std::lock_guard lock(mutex_);
    working_ = true;
  }
  inline_spent_us = 0;
  Worker* w = op->worker;
  // The op moves to the pool thread and back: it is only ever destroyed
  // here, on the worker's thread, with whatever Lua-facing objects it holds.
  w->blocking_pool().run(
      w->ioc(),
      [op = std::move(op)]() mutable {
        op->conn->run_on_pool(*op);
        return std::move(op);
      },
      [](OpPtr op) {
        std::shared_ptr<Connection> conn = op->conn;
        conn->finish_pool_op(std::move(op));
      });
}

void Connection::run_on_pool(Op& op) {
  execute(op, false);
  {
    std::lock_guard lock(mutex_);
    working_ = false;
  }
  idle_.notify_all();
}

void Connection::finish_pool_op(OpPtr op) {
  if (retry_when_free(op)) return;
  op->conn.reset();
  in_flight_ = false;
  after_op(*op);
  start_next();  // the next op runs while this one's task goes on
  if (op->ticket.task) op->worker->complete(op->ticket, [&op](State* L) { return op->push(L, *op); });
}

// Schedules another try of an op that met SQLITE_BUSY, the connection
// staying reserved for it meanwhile; false if it is not worth one.
bool Connection::retry_when_free(OpPtr& op) {
  // BUSY_SNAPSHOT: a read transaction's snapshot is too old to write; no wait cures that.
  if ((op->rc & 0xff) != SQLITE_BUSY || op->rc == SQLITE_BUSY_SNAPSHOT) return false;
  if (op->kind == Op::Kind::Open || op->kind == Op::Kind::Close) return false;  // they wait inside SQLite
  // SQLite's default busy handler's delays, in milliseconds.
  static constexpr int kDelays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  auto now = std::chrono::steady_clock::now();
  if (now >= op->deadline) return false;
  auto delay = std::chrono::milliseconds(kDelays[std::min(size_t(op->attempts), std::size(kDelays) - 1)]);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(op->deadline - now) +
              std::chrono::milliseconds(1);
  op->attempts++;
  op->rc = SQLITE_OK;
  op->error.clear();
  auto timer = std::make_shared<boost::asio::steady_timer>(op->worker->ioc(), std::min(delay, left));
  timer->async_wait([op = std::move(op), timer](const boost::system::error_code&) mutable {
    std::shared_ptr<Connection> conn = op->conn;
    conn->to_pool(std::move(op));
  });
  return true;
}

// ===================================================================
// Transactions
// ===================================================================

// Gives the transaction ops their SQL, from the nesting level at the time
// they run (ops of other tasks never get here while one is open).
void Connection::on_dispatch(Op& op) {
  if (op.dispatched) return;  // an inline try that met a lock comes here again
  op.dispatched = true;
  switch (op.kind) {
    case Op::Kind::Begin:
      if (depth_ == 0) {
        owner_ = op.root;
        op.sql = "BEGIN " + op.sql;
      } else {
        op.sql = "SAVEPOINT rua_" + std::to_string(depth_ + 1);
      }
      op.depth = ++depth_;
      break;
    case Op::Kind::Commit:
      op.depth = depth_;
      op.sql = depth_ <= 1 ? "COMMIT" : "RELEASE rua_" + std::to_string(depth_);
      break;
    case Op::Kind::Rollback: {
      op.depth = depth_;
      std::string sp = "rua_" + std::to_string(depth_);
      op.sql = depth_ <= 1 ? "ROLLBACK" : "ROLLBACK TO " + sp + "; RELEASE " + sp;
      break;
    }
    default: break;
  }
}

void Connection::after_op(const Op& op) {
  switch (op.kind) {
    case Op::Kind::Begin:
      if (op.failed()) {
        if (--depth_ == 0) end_transaction();
      } else if (op.depth == 1 && op.sql != "BEGIN DEFERRED") {
        write_locked_ = true;
      }
      break;
    case Op::Kind::Commit:
      if (!op.failed() && depth_ > 0 && --depth_ == 0) end_transaction();
      break;
    case Op::Kind::Rollback:  // a failed rollback leaves no transaction either
      if (depth_ > 0 && --depth_ == 0) end_transaction();
      break;
    default: break;
  }
}

void Connection::end_transaction() {
  owner_ = nullptr;
  write_locked_ = false;
  while (!parked_.empty()) {
    queue_.push_front(std::move(parked_.back()));
    parked_.pop_back();
  }
  start_next();
}

}  // namespace rua::sqlite
