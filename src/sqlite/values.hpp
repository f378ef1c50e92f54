// Values on their way between Lua and SQLite: the parameters bound to a
// statement and the rows it produced.
//
// They are plain C++ data, copied out of (and later into) the Lua state on
// the worker's thread, so that the statement itself can run on a pool thread
// while the Lua state goes on serving other tasks: only the worker's thread
// ever touches the state.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api.hpp"

namespace rua::sqlite {

struct SqlValue {
  enum class Kind : uint8_t { Absent, Null, Integer, Real, Text, Blob };
  Kind kind = Kind::Absent;
  union {
    int64_t i = 0;
    double d;
  };
  std::string s;  // Text and Blob
};

// The values for a statement's parameters. Varargs bind by index, whatever
// the parameters are called; a table binds ':name', '@name' and '$name' by
// name (key without the sigil) and '?' / '?NNN' by index (its array part).
struct Params {
  std::vector<SqlValue> by_index;  // [0] is parameter 1; Absent where a table has a hole
  std::vector<std::pair<std::string, SqlValue>> by_name;
  bool from_table = false;
  bool empty() const { return by_index.empty() && by_name.empty(); }
};

// Reads the values at stack indices first..last of L into out: one table, or
// each value as a positional parameter. Raises a Lua error (naming function
// argument first + k) for a value that cannot be bound.
void capture_params(State* L, int first, int last, Params& out);

// Binds p to every parameter of stmt. On a mismatch (a missing value, or more
// values than parameters) returns SQLITE_RANGE with a message in err.
int bind_params(sqlite3_stmt* stmt, const Params& p, std::string& err);
// The same check against a statement's parameter names (names[i] is
// parameter i + 1's, with its sigil; empty for '?'), without binding.
int check_params(const std::vector<std::string>& names, const Params& p, std::string& err);

// The column names of a statement, shared by the rows read from it. They
// are built once per prepared statement, and again only when SQLite has
// prepared it anew (after a schema change, 'SELECT *' may have new columns).
using Names = std::vector<std::string>;
struct ColumnNames {
  std::shared_ptr<const Names> names;
  int reprepares = -1;  // SQLITE_STMTSTATUS_REPREPARE when names were read
  const std::shared_ptr<const Names>& of(sqlite3_stmt* stmt);
};

// Rows in row-major order, with the column names of the statement.
struct Rows {
  std::shared_ptr<const Names> names;
  std::vector<SqlValue> cells;
  size_t columns() const { return names ? names->size() : 0; }
  size_t count() const { return columns() == 0 ? 0 : cells.size() / columns(); }
  void clear() {
    names.reset();
    cells.clear();
  }
};

// Appends the current row of stmt (whose column names are 'names').
void read_row(sqlite3_stmt* stmt, ColumnNames& names, Rows& rows);

// Pushes the column names of rows (one string each, in order) and returns
// the index of the first: keys for push_row, shared by all rows.
int push_names(State* L, const Rows& rows);
// Pushes row r as a table keyed by column name (NULL is the null sentinel);
// names_idx is push_names' result, or 0 to push the names for this row alone.
void push_row(State* L, const Rows& rows, size_t r, int names_idx);
// Pushes all rows as an array of row tables.
void push_rows(State* L, const Rows& rows);

// The metatable name of the values sqlite.blob(s) makes.
constexpr const char* kBlobType = "rua.sqlite.blob";

}  // namespace rua::sqlite
