// The Lua side of rua.sqlite: its userdata types, and how a method hands an
// op to its connection and turns the outcome into results or an error.
//
// Every op's push function leaves 'true, results...' or 'false, message,
// code, extended code' above a base index; a continuation (finish, or a
// method's own) then returns the results or reports the failure. The same
// continuation serves ops that ran at once and ops that suspended the task.
#pragma once

#include <cstdint>
#include <memory>

#include "connection.hpp"

namespace rua::sqlite {

constexpr const char* kDbType = "rua.sqlite.db";
constexpr const char* kStmtType = "rua.sqlite.stmt";
constexpr const char* kCursorType = "rua.sqlite.cursor";
constexpr const char* kTransactionType = "rua.sqlite.transaction";

struct DbBox {
  std::shared_ptr<Connection> conn;
};

struct StmtBox {
  std::shared_ptr<Statement> stmt;
};

// The connection of the db at idx; raises if it is closed.
Connection& check_db(State* L, int idx);
// The statement at idx; raises if it is finalized or its db closed.
Statement& check_stmt(State* L, int idx);
Statement& usable_stmt(State* L, Statement& st);

// A continuation's context: the top before the op's results, and whether
// failures are returned (safe) rather than raised.
inline intptr_t op_ctx(int base, bool safe) { return intptr_t(base) * 2 + (safe ? 1 : 0); }
inline int ctx_base(intptr_t ctx) { return int(ctx / 2); }
inline bool ctx_safe(intptr_t ctx) { return (ctx & 1) != 0; }

// Hands op to c with its push function; k (default finish) gets the outcome.
int run_op(State* L, Connection& c, OpPtr op, Op::PushFn push, KFunction k = nullptr);
// The default continuation: the values after 'true', or the failure.
int finish(State* L, int status, intptr_t ctx);
// Raises the failure above ctx's base, or returns nil, message, code, extended code.
int report_failure(State* L, intptr_t ctx);
bool succeeded(State* L, intptr_t ctx);

// Push functions shared by db and statement methods.
int push_failure(State* L, Op& op);
int push_true(State* L, Op& op);
int push_rows_result(State* L, Op& op);
int push_first_result(State* L, Op& op);
int push_run_result(State* L, Op& op);

// The metatables (db.cpp, statement.cpp).
void open_db_type(State* L);
void open_stmt_type(State* L);

}  // namespace rua::sqlite
