// What each op does with SQLite. These run on whichever thread runs the op
// (connection.hpp): they touch SQLite and the op, never the Lua state.
#include <chrono>
#include <cstring>
#include <iterator>
#include <limits>

#include "connection.hpp"

namespace rua::sqlite {

namespace {

// The names of the primary result codes, by value.
const char* const kCodeNames[] = {
    "SQLITE_OK",       "SQLITE_ERROR",   "SQLITE_INTERNAL", "SQLITE_PERM",     "SQLITE_ABORT",
    "SQLITE_BUSY",     "SQLITE_LOCKED",  "SQLITE_NOMEM",    "SQLITE_READONLY", "SQLITE_INTERRUPT",
    "SQLITE_IOERR",    "SQLITE_CORRUPT", "SQLITE_NOTFOUND", "SQLITE_FULL",     "SQLITE_CANTOPEN",
    "SQLITE_PROTOCOL", "SQLITE_EMPTY",   "SQLITE_SCHEMA",   "SQLITE_TOOBIG",   "SQLITE_CONSTRAINT",
    "SQLITE_MISMATCH", "SQLITE_MISUSE",  "SQLITE_NOLFS",    "SQLITE_AUTH",     "SQLITE_FORMAT",
    "SQLITE_RANGE",    "SQLITE_NOTADB",  "SQLITE_NOTICE",   "SQLITE_WARNING"};

bool only_space(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') p++;
  return *p == '\0';
}

}  // namespace

const char* code_name(int rc) {
  size_t primary = size_t(rc & 0xff);
  return primary < std::size(kCodeNames) ? kCodeNames[primary] : "SQLITE_ERROR";
}

void Connection::set_busy_timeout(int ms) {
  if (busy_ms_ == ms) return;
  sqlite3_busy_timeout(db_, ms);
  busy_ms_ = ms;
}

void Connection::finalize_orphans() {
  if (!has_orphans_.load(std::memory_order_acquire)) return;  // the usual case, without the lock
  std::vector<sqlite3_stmt*> list;
  {
    std::lock_guard lock(mutex_);
    list.swap(orphans_);
    has_orphans_.store(false, std::memory_order_relaxed);
  }
  for (sqlite3_stmt* s : list) sqlite3_finalize(s);
}

void Connection::execute(Op& op, bool wait_for_locks) {
  if (op.kind == Op::Kind::Open) return do_open(op);
  if (db_ == nullptr) {
    if (op.kind != Op::Kind::Close && op.kind != Op::Kind::Finalize)
      op.fail(SQLITE_MISUSE, "the database is closed");
    return;
  }
  finalize_orphans();
  set_busy_timeout(wait_for_locks ? opts_.busy_timeout_ms : 0);
  switch (op.kind) {
    case Op::Kind::Close: return do_close(op);
    case Op::Kind::Exec:
    case Op::Kind::Begin:
    case Op::Kind::Commit:
    case Op::Kind::Rollback: return do_exec(op);
    case Op::Kind::Prepare: return do_prepare(op);
    case Op::Kind::Query:
    case Op::Kind::First:
    case Op::Kind::Run:
      if (!op.stmt) return run_cached(op);
      [[fallthrough]];
    default: return do_statement(op);
  }
}

// ===================================================================
// The connection
// ===================================================================

void Connection::do_open(Op& op) {
  int flags =
      opts_.readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (opts_.create ? SQLITE_OPEN_CREATE : 0);
  // No mutex in the connection: ops never use it from two threads at once
  // (connection.hpp), and its locking cost a tenth of an insert's time.
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(opts_.path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    op.fail(db_ ? sqlite3_extended_errcode(db_) : rc, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    close_handle();
    return;
  }
  sqlite3_extended_result_codes(db_, 1);
  set_busy_timeout(opts_.busy_timeout_ms);
  std::string mode;
  bool ok = (!opts_.wal || opts_.readonly || pragma(op, "PRAGMA journal_mode=WAL")) &&
            (opts_.synchronous.empty() || pragma(op, "PRAGMA synchronous=" + opts_.synchronous)) &&
            (!opts_.set_cache_size || pragma(op, "PRAGMA cache_size=" + std::to_string(opts_.cache_size))) &&
            pragma(op, "PRAGMA journal_mode", &mode);  // WAL is persistent: the file may be in it already
  if (!ok) return close_handle();
  wal_ = mode == "wal";
}

// Runs a one-statement pragma, keeping the first column of its first row in *value.
bool Connection::pragma(Op& op, const std::string& sql, std::string* value) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), int(sql.size() + 1), &s, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(s, 0);
      if (value != nullptr && value->empty() && text != nullptr) *value = reinterpret_cast<const char*>(text);
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK) op.fail(rc, sqlite3_errmsg(db_));
  sqlite3_finalize(s);
  return rc == SQLITE_OK;
}

void Connection::close_handle() {
  if (db_ == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    for (Statement* s : statements_) {
      sqlite3_finalize(s->handle);
      s->handle = nullptr;
    }
    statements_.clear();
    for (sqlite3_stmt* s : orphans_) sqlite3_finalize(s);
    orphans_.clear();
  }
  cache_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Connection::do_close(Op&) { close_handle(); }

// db:exec and the transaction statements: any number of statements, no
// parameters. After SQLITE_BUSY, op.progress is where a retry starts.
void Connection::do_exec(Op& op) {
  const char* end = op.sql.c_str() + op.sql.size();
  const char* p = op.sql.c_str() + op.progress;
  while (p < end) {
    sqlite3_stmt* s = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, p, int(end - p + 1), &s, &tail);
    if (rc != SQLITE_OK) return op.fail(rc, sqlite3_errmsg(db_));
    if (s != nullptr) {  // else a comment or blank space
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      }
      if (rc != SQLITE_DONE) op.fail(rc, sqlite3_errmsg(db_));
      sqlite3_finalize(s);
      if (op.failed()) return;
    }
    p = tail;
    op.progress = size_t(p - op.sql.c_str());
  }
}

// ===================================================================
// Statements
// ===================================================================

// Prepares the one statement of op.sql; null (op failed) for a syntax
// error, no statement at all, or more than one.
sqlite3_stmt* Connection::prepare_one(Op& op, unsigned flags) {
  if (op.sql.size() >= size_t(std::numeric_limits<int>::max())) {
    op.fail(SQLITE_TOOBIG, "SQL text too long");
    return nullptr;
  }
  sqlite3_stmt* s = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, op.sql.c_str(), int(op.sql.size() + 1), flags, &s, &tail);
  if (rc != SQLITE_OK) {
    op.fail(rc, sqlite3_errmsg(db_));
    return nullptr;
  }
  if (s == nullptr) {
    op.fail(SQLITE_MISUSE, "no SQL statement in the text");
    return nullptr;
  }
  // Whatever follows must be blank or comments: more statements are db:exec's job.
  while (tail != nullptr && !only_space(tail)) {
    sqlite3_stmt* more = nullptr;
    rc = sqlite3_prepare_v2(db_, tail, -1, &more, &tail);
    sqlite3_finalize(more);
    if (rc != SQLITE_OK || more != nullptr) {
      sqlite3_finalize(s);
      op.fail(SQLITE_MISUSE, "more than one SQL statement in the text; db:exec runs scripts");
      return nullptr;
    }
  }
  return s;
}

void Connection::run_cached(Op& op) {
  CachedStatement* e = cache_.find(op.sql);
  if (e == nullptr) {
    sqlite3_stmt* s = prepare_one(op, SQLITE_PREPARE_PERSISTENT);
    if (s == nullptr) return;
    e = cache_.insert(op.sql, s);
  }
  run_statement(op, e->stmt, e->stats, e->names, true);
  sqlite3_clear_bindings(e->stmt);  // they point into op.params, which is about to go
}

// Query, First, Run: from the start to the end (First: to its first row),
// then reset, so the statement holds no lock between calls.
void Connection::run_statement(Op& op, sqlite3_stmt* s, Stats& stats, ColumnNames& names, bool bind) {
  auto t0 = std::chrono::steady_clock::now();
  op.rows.clear();  // a try after SQLITE_BUSY starts over
  if (bind) {
    int rc = bind_params(s, op.params, op.error);
    if (rc != SQLITE_OK) return op.fail(rc, op.error);
  }
  size_t limit = op.kind == Op::Kind::First ? 1 : std::numeric_limits<size_t>::max();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (op.kind == Op::Kind::Run) continue;
    read_row(s, names, op.rows);
    if (op.rows.count() >= limit) break;
  }
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
    op.changes = sqlite3_changes64(db_);
    op.last_insert_id = sqlite3_last_insert_rowid(db_);
  } else {
    op.fail(rc, sqlite3_errmsg(db_));
  }
  sqlite3_reset(s);
  op.micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  stats.record(op.micros);
}

void Connection::do_prepare(Op& op) {
  sqlite3_stmt* s = prepare_one(op, SQLITE_PREPARE_PERSISTENT);
  if (s == nullptr) return;
  op.stmt = std::make_shared<Statement>(shared_from_this());
  op.stmt->sql = op.sql;
  op.stmt->handle = s;
  op.stmt->stats.describe(s);
  for (int i = 1, n = sqlite3_bind_parameter_count(s); i <= n; i++) {
    const char* name = sqlite3_bind_parameter_name(s, i);
    op.stmt->param_names.emplace_back(name != nullptr ? name : "");
  }
  track(op.stmt.get());
}

// Takes op.params as the statement's values (kept in the statement: they
// are bound without a copy).
bool Connection::rebind(Op& op, Statement& st) {
  op.bind = false;  // once, also when the op is tried again
  sqlite3_reset(st.handle);
  sqlite3_clear_bindings(st.handle);
  st.bound = std::move(op.params);
  std::string err;
  int rc = bind_params(st.handle, st.bound, err);
  if (rc == SQLITE_OK) return true;
  sqlite3_clear_bindings(st.handle);
  st.bound = Params();
  op.fail(rc, err);
  return false;
}

void Connection::do_statement(Op& op) {
  Statement& st = *op.stmt;
  if (st.handle == nullptr) {
    if (op.kind != Op::Kind::Finalize) op.fail(SQLITE_MISUSE, "the statement is finalized");
    return;
  }
  switch (op.kind) {
    case Op::Kind::Reset: sqlite3_reset(st.handle); return;
    case Op::Kind::Finalize: {
      std::lock_guard lock(mutex_);
      sqlite3_finalize(st.handle);
      st.handle = nullptr;
      statements_.erase(&st);
      return;
    }
    case Op::Kind::Step:
    case Op::Kind::Fetch: return fetch(op, st);
    default:  // Query, First, Run on a prepared statement
      if (op.bind) {
        if (!rebind(op, st)) return;
      } else {
        sqlite3_reset(st.handle);
      }
      return run_statement(op, st.handle, st.stats, st.names, false);
  }
}

// Step and Fetch: the next row(s) from where the statement is. At its end
// the statement is reset: the next step runs it again. The rows of a try
// that met SQLITE_BUSY stay in op.rows; the next try adds to them.
void Connection::fetch(Op& op, Statement& st) {
  auto t0 = std::chrono::steady_clock::now();
  if (op.bind) {
    if (!rebind(op, st)) return;
  } else if (op.restart) {
    sqlite3_reset(st.handle);
  }
  op.restart = false;
  size_t limit = op.kind == Op::Kind::Step ? 1 : op.limit;
  int rc;
  while ((rc = sqlite3_step(st.handle)) == SQLITE_ROW) {
    read_row(st.handle, st.names, op.rows);
    if (op.rows.count() >= limit) break;
  }
  if ((rc & 0xff) == SQLITE_BUSY) {  // not reset: a try after the wait goes on stepping
    op.fail(rc, sqlite3_errmsg(db_));
  } else if (rc != SQLITE_ROW) {
    op.done = true;
    if (rc != SQLITE_DONE) op.fail(rc, sqlite3_errmsg(db_));
    sqlite3_reset(st.handle);
  }
  op.micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  st.stats.record(op.micros);
}

}  // namespace rua::sqlite
