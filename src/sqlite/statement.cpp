// Prepared statements: bind, step, rows, run, reset, finalize.
//
// step and rows() share one read-ahead buffer per statement: rows() reads
// kFetchBatch rows per op, so iterating costs one trip to the pool per
// batch rather than per row. bind only records the values (checked against
// the statement's parameters at once); the next step, rows or run binds
// them. Reset and finalize never wait: they run after the ops already asked
// for, at once if there are none. A statement is meant to be walked by one
// task at a time.
#include <new>
#include <utility>

#include "objects.hpp"

namespace rua::sqlite {

namespace {

constexpr size_t kFetchBatch = 64;

StmtBox* stmt_box(State* L, int idx) { return static_cast<StmtBox*>(check_udata(L, idx, kStmtType)); }

void drop_buffer(Statement& st) {
  st.buffer.clear();
  st.next = 0;
  st.at_end = false;
}

// Pushes the next row read ahead, or nil where the statement's rows ended;
// false (nothing pushed) if the buffer has neither.
bool take_row(State* L, Statement& st) {
  if (st.next < st.buffer.count()) {
    push_row(L, st.buffer, st.next++, 0);
    return true;
  }
  if (!st.at_end) return false;
  drop_buffer(st);
  push_nil(L);
  return true;
}

// Values at first..top as the statement's next values; a mismatch with its
// parameters is reported like a failed op (raised, or returned when safe).
bool take_params(State* L, Statement& st, int first, Params& out) {
  capture_params(L, first, get_top(L), out);
  std::string err;
  int rc = check_params(st.param_names, out, err);
  if (rc == SQLITE_OK) return true;
  Op op(Op::Kind::Step);  // only its failure is used
  op.fail(rc, std::move(err));
  push_failure(L, op);
  return false;
}

int params_failed(State* L, Statement& st, int base) {
  return report_failure(L, op_ctx(base, st.conn->options().safe));
}

// An op on the statement, carrying what bind and rows() asked for.
OpPtr stmt_op(Op::Kind kind, const std::shared_ptr<Statement>& sp) {
  auto op = std::make_shared<Op>(kind);
  op->stmt = sp;
  op->restart = sp->restart;
  op->bind = sp->has_pending;
  op->params = std::move(sp->pending);
  sp->restart = false;
  sp->has_pending = false;
  sp->pending = Params();
  return op;
}

void detached(State* L, Op::Kind kind, const std::shared_ptr<Statement>& sp) {
  auto op = std::make_shared<Op>(kind);
  op->stmt = sp;
  sp->conn->submit_detached(L, std::move(op));
}

int push_fetched(State* L, Op& op) {
  Statement& st = *op.stmt;
  if (op.failed()) {
    drop_buffer(st);
    return push_failure(L, op);
  }
  st.buffer = std::move(op.rows);
  st.next = 0;
  st.at_end = op.done;
  push_boolean(L, true);
  if (!take_row(L, st)) push_nil(L);
  return 2;
}

// stmt:bind(...) -> stmt
int s_bind(State* L) {
  Statement& st = check_stmt(L, 1);
  Params p;
  int base = get_top(L);
  if (!take_params(L, st, 2, p)) return params_failed(L, st, base);
  drop_buffer(st);
  st.pending = std::move(p);
  st.has_pending = true;
  st.restart = true;
  set_top(L, 1);
  return 1;
}

// stmt:step() -> row | nil
int s_step(State* L) {
  StmtBox* box = stmt_box(L, 1);
  Statement& st = usable_stmt(L, *box->stmt);
  if (take_row(L, st)) return 1;
  return run_op(L, *st.conn, stmt_op(Op::Kind::Step, box->stmt), push_fetched);
}

// The iterator of stmt:rows(): upvalue 1 is the statement.
int rows_next(State* L) {
  auto* box = static_cast<StmtBox*>(to_userdata(L, upvalue_index(1)));
  Statement& st = usable_stmt(L, *box->stmt);
  if (take_row(L, st)) return 1;
  OpPtr op = stmt_op(Op::Kind::Fetch, box->stmt);
  op->limit = kFetchBatch;
  return run_op(L, *st.conn, std::move(op), push_fetched);
}

// stmt:rows(...) -> iterator, nil, nil, closer (a loop left early resets the statement)
int s_rows(State* L) {
  StmtBox* box = stmt_box(L, 1);
  Statement& st = usable_stmt(L, *box->stmt);
  if (get_top(L) > 1) {
    Params p;
    int base = get_top(L);
    if (!take_params(L, st, 2, p)) return params_failed(L, st, base);
    st.pending = std::move(p);
    st.has_pending = true;
  }
  drop_buffer(st);
  st.restart = true;
  push_value(L, 1);
  push_native(L, rows_next, 1);
  push_nil(L);
  push_nil(L);
  new (new_userdata(L, sizeof(StmtBox), 0)) StmtBox{box->stmt};
  set_metatable_named(L, kCursorType);
  return 4;
}

// stmt:run(...) -> {changes =, last_insert_id =}
int s_run(State* L) {
  StmtBox* box = stmt_box(L, 1);
  Statement& st = usable_stmt(L, *box->stmt);
  OpPtr op = stmt_op(Op::Kind::Run, box->stmt);
  if (get_top(L) > 1) {
    op->params = Params();
    int base = get_top(L);
    if (!take_params(L, st, 2, op->params)) return params_failed(L, st, base);
    op->bind = true;
  }
  drop_buffer(st);
  return run_op(L, *st.conn, std::move(op), push_run_result);
}

// stmt:reset() -> stmt
int s_reset(State* L) {
  StmtBox* box = stmt_box(L, 1);
  usable_stmt(L, *box->stmt);
  drop_buffer(*box->stmt);
  box->stmt->restart = false;
  detached(L, Op::Kind::Reset, box->stmt);
  set_top(L, 1);
  return 1;
}

// stmt:finalize() -> true; also __close
int s_finalize(State* L) {
  StmtBox* box = stmt_box(L, 1);
  Statement& st = *box->stmt;
  if (!st.finalized) {
    st.finalized = true;
    drop_buffer(st);
    if (!st.conn->closed()) detached(L, Op::Kind::Finalize, box->stmt);
  }
  push_boolean(L, true);
  return 1;
}

int s_gc(State* L) {
  static_cast<StmtBox*>(to_userdata(L, 1))->~StmtBox();  // the last reference finalizes it
  return 0;
}

int s_tostring(State* L) {
  Statement& st = *stmt_box(L, 1)->stmt;
  push_fstring(L, "sqlite.stmt (%s)", st.finalized ? "finalized" : st.sql.c_str());
  return 1;
}

int cursor_close(State* L) {
  auto* box = static_cast<StmtBox*>(to_userdata(L, 1));
  Statement& st = *box->stmt;
  if (st.finalized || st.conn->closed()) return 0;
  drop_buffer(st);
  st.restart = false;
  detached(L, Op::Kind::Reset, box->stmt);
  return 0;
}

int cursor_gc(State* L) {
  static_cast<StmtBox*>(to_userdata(L, 1))->~StmtBox();
  return 0;
}

}  // namespace

void open_stmt_type(State* L) {
  if (new_metatable(L, kStmtType)) {
    static const Reg kMethods[] = {{"bind", s_bind},  {"step", s_step},   {"rows", s_rows},
                                   {"run", s_run},    {"reset", s_reset}, {"finalize", s_finalize},
                                   {nullptr, nullptr}};
    new_lib(L, kMethods);
    set_field(L, -2, "__index");
    static const Reg kMeta[] = {
        {"__gc", s_gc}, {"__close", s_finalize}, {"__tostring", s_tostring}, {nullptr, nullptr}};
    set_funcs(L, kMeta, 0);
  }
  pop(L, 1);
  if (new_metatable(L, kCursorType)) {
    static const Reg kMeta[] = {{"__close", cursor_close}, {"__gc", cursor_gc}, {nullptr, nullptr}};
    set_funcs(L, kMeta, 0);
  }
  pop(L, 1);
}

}  // namespace rua::sqlite
