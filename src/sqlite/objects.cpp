#include "objects.hpp"

#include <utility>

namespace rua::sqlite {

Connection& check_db(State* L, int idx) {
  auto* box = static_cast<DbBox*>(check_udata(L, idx, kDbType));
  if (box->conn->closed()) errorf(L, "attempt to use a closed database");
  return *box->conn;
}

Statement& usable_stmt(State* L, Statement& st) {
  if (st.finalized) errorf(L, "attempt to use a finalized statement");
  if (st.conn->closed()) errorf(L, "attempt to use a closed database");
  return st;
}

Statement& check_stmt(State* L, int idx) {
  auto* box = static_cast<StmtBox*>(check_udata(L, idx, kStmtType));
  return usable_stmt(L, *box->stmt);
}

int run_op(State* L, Connection& c, OpPtr op, Op::PushFn push, KFunction k) {
  op->push = push;
  return c.submit(L, std::move(op), k != nullptr ? k : finish, op_ctx(get_top(L), c.options().safe));
}

bool succeeded(State* L, intptr_t ctx) {
  int base = ctx_base(ctx);
  return get_top(L) > base && to_boolean(L, base + 1);
}

int finish(State* L, int, intptr_t ctx) {
  if (succeeded(L, ctx)) return get_top(L) - ctx_base(ctx) - 1;
  return report_failure(L, ctx);
}

int report_failure(State* L, intptr_t ctx) {
  int base = ctx_base(ctx);
  // Fewer values: pushing the outcome failed (out of memory) after the op ran.
  if (get_top(L) - base < 4) errorf(L, "sqlite: the results of the operation were lost");
  if (!ctx_safe(ctx)) errorf(L, "%s", to_string(L, base + 2));
  push_nil(L);
  for (int i = 2; i <= 4; i++) push_value(L, base + i);
  return 4;
}

int push_failure(State* L, Op& op) {
  push_boolean(L, false);
  push_fstring(L, "%s (%s)", op.error.c_str(), code_name(op.rc));
  push_integer(L, op.rc & 0xff);
  push_integer(L, op.rc);
  return 4;
}

int push_true(State* L, Op& op) {
  if (op.failed()) return push_failure(L, op);
  push_boolean(L, true);
  push_boolean(L, true);
  return 2;
}

int push_rows_result(State* L, Op& op) {
  if (op.failed()) return push_failure(L, op);
  push_boolean(L, true);
  push_rows(L, op.rows);
  return 2;
}

int push_first_result(State* L, Op& op) {
  if (op.failed()) return push_failure(L, op);
  push_boolean(L, true);
  if (op.rows.count() > 0) {
    push_row(L, op.rows, 0, 0);
  } else {
    push_nil(L);
  }
  return 2;
}

int push_run_result(State* L, Op& op) {
  if (op.failed()) return push_failure(L, op);
  push_boolean(L, true);
  create_table(L, 0, 2);
  push_integer(L, op.changes);
  set_field(L, -2, "changes");
  push_integer(L, op.last_insert_id);
  set_field(L, -2, "last_insert_id");
  return 2;
}

}  // namespace rua::sqlite
