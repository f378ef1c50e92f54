// A SQLite connection, and where and in which order requests on it run.
//
// Every request from Lua (open, a query, a step of a prepared statement,
// close, ...) is an Op. A connection runs one op at a time, in the order the
// ops were made; the others wait in its queue. An op carries its inputs and
// its outcome by value (values.hpp), so it can run on any thread. It runs:
//
//   sync    when the state has no worker (a plain embedded state) or the
//           caller cannot be suspended (a __gc, a module being loaded by
//           require, a sort comparator): on the calling thread, at once,
//           after the op in flight (if any) has finished. It blocks, as a C
//           library would.
//   inline  when it is a read-only query returning rows that took SQLite
//           less than inline_max_us on average so far (or a write inside the
//           calling task's db:transaction on a WAL database, whose lock it
//           already holds), and the connection is idle: on the worker's
//           thread at once, without waiting for locks (SQLITE_BUSY sends it
//           to the pool instead). At most kInlineBudgetUs of inline work runs
//           in a row before an op goes to the pool, which lets the worker's
//           loop turn. Why: a pool round trip costs more than such a
//           statement (figures in bench/sqlite/README.md).
//   pool    otherwise: the task suspends, the op runs on the blocking pool,
//           and its completion continues the task on the worker.
//
// Locks: on the pool an op never waits for a lock inside SQLite (its busy
// timeout is 0 there). An op that meets SQLITE_BUSY is tried again from a
// timer on the worker's loop, with SQLite's own backoff, until
// busy_timeout_ms has passed. A pool thread asleep in SQLite's busy handler
// would be lost to the ops that hold the lock: with more connections
// waiting than pool threads, the holders could not get a thread to COMMIT,
// and every waiter would sit out its whole timeout (the two-worker test
// did exactly that before).
//
// Transactions: while a task's db:transaction is open, the ops of other
// tasks wait (parked_) until it ends, so they neither see its uncommitted
// rows nor get rolled back with it. Nested db:transaction calls of the owner
// are savepoints.
//
// Threads: the queue, the transaction state and the flags belong to the
// worker's thread. SQLite's objects (db_, the cache, Statement::handle) are
// used by whichever thread runs the op in flight, one at a time. mutex_
// guards what the worker's thread and a pool thread may both touch:
// working_, orphans_ and statements_.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "api.hpp"
#include "cache.hpp"
#include "values.hpp"
#include "worker.hpp"

namespace rua::sqlite {

// The default of the inline_max_us option, and the inline time in a row
// after which an op goes to the pool anyway (see above and the benchmark).
constexpr double kDefaultInlineMaxUs = 50;
constexpr double kInlineBudgetUs = 2000;

class Connection;

// A statement made by db:prepare; the Lua statement object holds it.
struct Statement {
  explicit Statement(std::shared_ptr<Connection> c) : conn(std::move(c)) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  std::shared_ptr<Connection> conn;
  std::string sql;
  std::vector<std::string> param_names;  // parameter i + 1's name with its sigil, "" for '?'
  // Used by the op in flight; null once finalized or the connection closed.
  sqlite3_stmt* handle = nullptr;
  Params bound;  // the values bound to handle (bound without a copy: they must outlive the binding)
  Stats stats;
  ColumnNames names;
  // The worker's thread only.
  bool finalized = false;  // finalize was asked for: Lua may no longer use it
  Rows buffer;             // rows read ahead, handed out by step and rows()
  size_t next = 0;         // the next row of buffer to hand out
  bool at_end = false;     // buffer reaches the end of the statement's rows
  bool restart = false;    // the next op starts the statement over (rows() was called)
  bool has_pending = false;
  Params pending;  // values from bind, to be bound by the next op
};

struct Op {
  // Open, Close, Exec: the connection. Query, First, Run: a cached statement
  // (by SQL text) or a prepared one. Prepare to Finalize: prepared
  // statements. Begin, Commit, Rollback: db:transaction.
  enum class Kind : uint8_t {
    Open,
    Close,
    Exec,
    Query,
    First,
    Run,
    Prepare,
    Step,
    Fetch,
    Reset,
    Finalize,
    Begin,
    Commit,
    Rollback
  };
  explicit Op(Kind k) : kind(k) {}

  Kind kind;
  std::string sql;  // Open: the file name; Begin: DEFERRED, IMMEDIATE or EXCLUSIVE
  Params params;
  bool bind = false;                // on a prepared statement: bind params first
  bool restart = false;             // Step, Fetch: reset the statement first
  size_t limit = 0;                 // Fetch: the most rows to read ahead
  std::shared_ptr<Statement> stmt;  // the prepared statement (Prepare: the one made)
  State* root = nullptr;            // the task that asked (null: nobody in particular)
  int depth = 0;                    // Begin, Commit, Rollback: the transaction level
  bool dispatched = false;          // on_dispatch has run
  size_t progress = 0;              // Exec, Begin, Commit, Rollback: where the next statement starts
  int attempts = 0;                 // tries after SQLITE_BUSY
  std::chrono::steady_clock::time_point deadline;  // for those tries

  // The outcome.
  int rc = SQLITE_OK;  // an extended result code
  std::string error;
  Rows rows;
  bool done = false;  // Step, Fetch: the statement ran to its end (and was reset)
  int64_t changes = 0;
  int64_t last_insert_id = 0;
  double micros = 0;  // the time a statement took in SQLite

  // Delivery: push puts the results on the caller's stack, as
  // 'true, values...' or 'false, message, primary code, extended code'.
  using PushFn = int (*)(State* L, Op& op);
  PushFn push = nullptr;
  std::shared_ptr<Connection> conn;  // while in flight
  Worker* worker = nullptr;
  Worker::Ticket ticket;  // async: who waits

  bool failed() const { return rc != SQLITE_OK; }
  void fail(int code, std::string message) {
    rc = code;
    error = std::move(message);
  }
};
using OpPtr = std::shared_ptr<Op>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Options {
    std::string path;
    bool readonly = false;
    bool create = true;
    bool wal = true;
    bool safe = false;  // SQL errors return nil, message, code instead of raising
    int busy_timeout_ms = 5000;
    bool set_cache_size = false;
    int64_t cache_size = 0;
    std::string synchronous;  // empty: SQLite's default
    double inline_max_us = kDefaultInlineMaxUs;
  };

  explicit Connection(Options o);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const Options& options() const { return opts_; }
  // Closed, or closing: Lua may not make new requests.
  bool closed() const { return closed_; }
  void set_closed() { closed_ = true; }
  bool in_transaction() const { return depth_ > 0; }

  // Runs op for the code running on L, then returns k(L, kOk, ctx) with
  // what op.push pushed on top of L: at once, or after suspending L until
  // the op has run on the pool. ctx is the top of L before the results.
  int submit(State* L, OpPtr op, KFunction k, intptr_t ctx);
  // Runs op for nobody (a reset or a rollback on the way out, a close by
  // the collector): at once if the connection is idle, else after the ops
  // before it. Never suspends.
  void submit_detached(State* L, OpPtr op);

  // A statement made by Prepare, finalized by close.
  void track(Statement* s);
  // Called when the Lua side lets go of s: finalizes its handle now, or
  // from the next op if one is running.
  void forget(Statement* s);

 private:
  // connection.cpp: where ops run
  bool may_inline(const Op& op);
  bool run_inline(Op& op);
  void run_sync(Op& op);
  void start_next();
  void to_pool(OpPtr op);
  void run_on_pool(Op& op);
  void finish_pool_op(OpPtr op);
  bool retry_when_free(OpPtr& op);
  void on_dispatch(Op& op);
  void after_op(const Op& op);
  void end_transaction();

  // execute.cpp: what ops do (on the thread that runs them)
  void execute(Op& op, bool wait_for_locks);
  void set_busy_timeout(int ms);
  void do_open(Op& op);
  void do_close(Op& op);
  void do_exec(Op& op);
  void do_prepare(Op& op);
  void do_statement(Op& op);
  void run_cached(Op& op);
  void run_statement(Op& op, sqlite3_stmt* s, Stats& stats, ColumnNames& names, bool bind);
  void fetch(Op& op, Statement& st);
  bool rebind(Op& op, Statement& st);
  sqlite3_stmt* prepare_one(Op& op, unsigned flags);
  bool pragma(Op& op, const std::string& sql, std::string* value = nullptr);
  void finalize_orphans();
  void close_handle();

  Options opts_;
  sqlite3* db_ = nullptr;
  StatementCache cache_;
  bool wal_ = false;  // journal_mode is WAL
  int busy_ms_ = -1;  // the busy timeout set on db_

  // The worker's thread.
  Worker* worker_ = nullptr;
  bool closed_ = false;
  bool in_flight_ = false;  // an op is on the pool (or its completion not yet handled)
  std::deque<OpPtr> queue_;
  std::deque<OpPtr> parked_;   // ops of other tasks, waiting for the transaction to end
  State* owner_ = nullptr;     // the task whose db:transaction is open
  int depth_ = 0;              // its nesting level
  bool write_locked_ = false;  // the transaction began IMMEDIATE or EXCLUSIVE

  std::mutex mutex_;
  std::condition_variable idle_;
  bool working_ = false;  // a pool thread has or is about to run an op
  std::vector<sqlite3_stmt*> orphans_;
  std::atomic<bool> has_orphans_{false};
  std::unordered_set<Statement*> statements_;
};

// "SQLITE_BUSY" for 5 and every extended code of it; "SQLITE_ERROR" when unknown.
const char* code_name(int rc);

}  // namespace rua::sqlite
