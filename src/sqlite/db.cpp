// The db object: exec, query, first, run, prepare, transaction, close.
#include <new>
#include <string>

#include "objects.hpp"

namespace rua::sqlite {

namespace {

DbBox* db_box(State* L) { return static_cast<DbBox*>(check_udata(L, 1, kDbType)); }

OpPtr sql_op(State* L, Op::Kind kind, bool with_params) {
  auto op = std::make_shared<Op>(kind);
  op->sql = check_sv(L, 2);
  if (with_params) capture_params(L, 3, get_top(L), op->params);
  return op;
}

// db:exec(sql) -> true
int db_exec(State* L) {
  Connection& c = check_db(L, 1);
  return run_op(L, c, sql_op(L, Op::Kind::Exec, false), push_true);
}

// db:query(sql, ...) -> rows
int db_query(State* L) {
  Connection& c = check_db(L, 1);
  return run_op(L, c, sql_op(L, Op::Kind::Query, true), push_rows_result);
}

// db:first(sql, ...) -> row | nil
int db_first(State* L) {
  Connection& c = check_db(L, 1);
  return run_op(L, c, sql_op(L, Op::Kind::First, true), push_first_result);
}

// db:run(sql, ...) -> {changes =, last_insert_id =}
int db_run(State* L) {
  Connection& c = check_db(L, 1);
  return run_op(L, c, sql_op(L, Op::Kind::Run, true), push_run_result);
}

int push_prepared(State* L, Op& op) {
  if (op.failed()) return push_failure(L, op);
  push_boolean(L, true);
  new (new_userdata(L, sizeof(StmtBox), 1)) StmtBox{op.stmt};
  set_metatable_named(L, kStmtType);
  return 2;
}

// The statement keeps its db object alive (user value 1), so the db is
// never collected, and closed, under a statement still in use.
int prepared(State* L, int, intptr_t ctx) {
  if (!succeeded(L, ctx)) return report_failure(L, ctx);
  push_value(L, 1);
  set_i_uservalue(L, -2, 1);
  return 1;
}

// db:prepare(sql) -> statement
int db_prepare(State* L) {
  Connection& c = check_db(L, 1);
  set_top(L, 2);
  return run_op(L, c, sql_op(L, Op::Kind::Prepare, false), push_prepared, prepared);
}

// db:close() -> true. Requests made before it still run; later ones raise.
int db_close(State* L) {
  DbBox* box = db_box(L);
  if (box->conn->closed()) {
    push_boolean(L, true);
    return 1;
  }
  box->conn->set_closed();
  set_top(L, 1);
  return run_op(L, *box->conn, std::make_shared<Op>(Op::Kind::Close), push_true);
}

// __close and __gc: close without waiting (they must not suspend). The
// close runs after the requests already made, at once if there are none.
int db_close_now(State* L) {
  DbBox* box = db_box(L);
  if (!box->conn->closed()) {
    box->conn->set_closed();
    box->conn->submit_detached(L, std::make_shared<Op>(Op::Kind::Close));
  }
  return 0;
}

int db_gc(State* L) {
  db_close_now(L);
  static_cast<DbBox*>(to_userdata(L, 1))->~DbBox();
  return 0;
}

int db_tostring(State* L) {
  DbBox* box = db_box(L);
  if (box->conn->closed()) {
    push_string(L, "sqlite.db (closed)");
  } else {
    push_fstring(L, "sqlite.db (%s)", box->conn->options().path.c_str());
  }
  return 1;
}

// ===================================================================
// db:transaction(f [, mode])
//
// Stack: 1 db, 2 f, 3 mode, 4 the guard (a to-be-closed value), then f's
// results or error, then each op's outcome. The guard rolls back if the
// task is killed (or the coroutine closed) while the transaction is open;
// every other way out has already committed or rolled back.
// ===================================================================

struct Guard {
  std::shared_ptr<Connection> conn;
  State* owner = nullptr;  // the task the transaction belongs to
  bool open = false;       // a ROLLBACK is due if the stack unwinds past the guard
};

constexpr int kGuard = 4;

Guard* guard(State* L) { return static_cast<Guard*>(to_userdata(L, kGuard)); }

int guard_close(State* L) {
  auto* g = static_cast<Guard*>(to_userdata(L, 1));
  if (g->open) {
    g->open = false;
    auto op = std::make_shared<Op>(Op::Kind::Rollback);
    op->root = g->owner;
    g->conn->submit_detached(L, std::move(op));
  }
  return 0;
}

int guard_gc(State* L) {
  guard_close(L);
  static_cast<Guard*>(to_userdata(L, 1))->~Guard();
  return 0;
}

int rolled_back(State* L, int, intptr_t) {
  guard(L)->open = false;
  push_value(L, kGuard + 1);  // f's error, raised again as it was
  error(L);
}

int commit_failed(State* L, int, intptr_t ctx) {
  guard(L)->open = false;
  int failure = ctx_base(ctx) - 4;  // COMMIT's outcome, below the ROLLBACK's
  set_top(L, failure + 4);
  return report_failure(L, op_ctx(failure, ctx_safe(ctx)));
}

int committed(State* L, int, intptr_t ctx) {
  Connection& c = *guard(L)->conn;
  int base = ctx_base(ctx);
  if (!succeeded(L, ctx)) {  // the transaction is still open: roll it back, then report
    set_top(L, base + 4);
    return run_op(L, c, std::make_shared<Op>(Op::Kind::Rollback), push_true, commit_failed);
  }
  guard(L)->open = false;
  set_top(L, base);
  return base - kGuard;  // f's results
}

int body_done(State* L, int status, intptr_t) {
  Connection& c = *guard(L)->conn;
  if (status != kOk) {
    set_top(L, kGuard + 1);  // the error object
    return run_op(L, c, std::make_shared<Op>(Op::Kind::Rollback), push_true, rolled_back);
  }
  return run_op(L, c, std::make_shared<Op>(Op::Kind::Commit), push_true, committed);
}

int begun(State* L, int, intptr_t ctx) {
  if (!succeeded(L, ctx)) {
    guard(L)->open = false;
    return report_failure(L, ctx);
  }
  set_top(L, kGuard);
  push_value(L, 2);
  push_value(L, 1);
  return pcall_k(L, 1, kMultRet, 0, 0, body_done);
}

int db_transaction(State* L) {
  Connection& c = check_db(L, 1);
  check_type(L, 2, Type::Function);
  static const char* const kModes[] = {"deferred", "immediate", "exclusive", nullptr};
  static const char* const kBegin[] = {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"};
  int mode = check_option(L, 3, "immediate", kModes);
  set_top(L, 3);
  auto* db = static_cast<DbBox*>(to_userdata(L, 1));
  // Open from now on: were the task killed before BEGIN's outcome comes
  // back, the guard's ROLLBACK would still run after the BEGIN.
  new (new_userdata(L, sizeof(Guard), 0)) Guard{db->conn, chain_root(L), true};
  set_metatable_named(L, kTransactionType);
  to_close(L, kGuard);
  auto op = std::make_shared<Op>(Op::Kind::Begin);
  op->sql = kBegin[mode];
  return run_op(L, c, std::move(op), push_true, begun);
}

}  // namespace

void open_db_type(State* L) {
  if (new_metatable(L, kDbType)) {
    static const Reg kMethods[] = {{"exec", db_exec},       {"query", db_query},
                                   {"first", db_first},     {"run", db_run},
                                   {"prepare", db_prepare}, {"transaction", db_transaction},
                                   {"close", db_close},     {nullptr, nullptr}};
    new_lib(L, kMethods);
    set_field(L, -2, "__index");
    static const Reg kMeta[] = {
        {"__gc", db_gc}, {"__close", db_close_now}, {"__tostring", db_tostring}, {nullptr, nullptr}};
    set_funcs(L, kMeta, 0);
  }
  pop(L, 1);
  if (new_metatable(L, kTransactionType)) {
    static const Reg kMeta[] = {{"__close", guard_close}, {"__gc", guard_gc}, {nullptr, nullptr}};
    set_funcs(L, kMeta, 0);
  }
  pop(L, 1);
}

}  // namespace rua::sqlite
