#include "values.hpp"

#include <cstring>
#include <string_view>

namespace rua::sqlite {

namespace {

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER: no statement has a parameter
// beyond it, so a table key above it cannot be meant as one.
constexpr lua_Integer kMaxParams = 32766;

// Converts the Lua value at idx; false if its type has no SQL counterpart.
bool to_sql(State* L, int idx, SqlValue& v) {
  switch (type(L, idx)) {
    case Type::None:
    case Type::Nil: v.kind = SqlValue::Kind::Null; return true;
    case Type::Boolean:
      v.kind = SqlValue::Kind::Integer;
      v.i = to_boolean(L, idx) ? 1 : 0;
      return true;
    case Type::Number:
      if (is_integer(L, idx)) {
        v.kind = SqlValue::Kind::Integer;
        v.i = to_integer(L, idx);
      } else {
        v.kind = SqlValue::Kind::Real;
        v.d = to_number(L, idx);
      }
      return true;
    case Type::String:
      v.kind = SqlValue::Kind::Text;
      v.s = to_sv(L, idx);
      return true;
    case Type::LightUserdata:
      if (to_userdata(L, idx) != null_sentinel()) return false;
      v.kind = SqlValue::Kind::Null;
      return true;
    case Type::Userdata:
      if (test_udata(L, idx, kBlobType) == nullptr) return false;
      get_i_uservalue(L, idx, 1);
      v.kind = SqlValue::Kind::Blob;
      v.s = to_sv(L, -1);
      pop(L, 1);
      return true;
    default: return false;
  }
}

void capture_table(State* L, int t, Params& out) {
  out.from_table = true;
  push_nil(L);
  while (next(L, t)) {
    SqlValue v;
    if (type(L, -2) == Type::String) {
      std::string_view name = to_sv(L, -2);
      if (!to_sql(L, -1, v))
        errorf(L, "cannot bind a %s value to parameter '%s'", type_name_of(L, type(L, -1)), to_string(L, -2));
      if (!name.empty() && (name[0] == ':' || name[0] == '@' || name[0] == '$')) name.remove_prefix(1);
      out.by_name.emplace_back(std::string(name), std::move(v));
    } else if (is_integer(L, -2)) {
      lua_Integer k = to_integer(L, -2);
      if (k >= 1 && k <= kMaxParams) {
        if (!to_sql(L, -1, v))
          errorf(L, "cannot bind a %s value to parameter %d", type_name_of(L, type(L, -1)), int(k));
        if (size_t(k) > out.by_index.size()) out.by_index.resize(size_t(k));
        out.by_index[size_t(k) - 1] = std::move(v);
      }
    }
    pop(L, 1);
  }
}

const SqlValue* find_named(const Params& p, const char* name) {
  for (const auto& [k, v] : p.by_name)
    if (k == name) return &v;
  return nullptr;
}

// The value for parameter i (1-based) called name (null or "" for '?'), or
// null if p has none.
const SqlValue* value_for(const Params& p, int i, const char* name) {
  if (p.from_table && name != nullptr && name[0] != '\0' && name[0] != '?') return find_named(p, name + 1);
  if (size_t(i) > p.by_index.size() || p.by_index[i - 1].kind == SqlValue::Kind::Absent) return nullptr;
  return &p.by_index[i - 1];
}

int too_many(int n, std::string& err) {
  err =
      "too many values to bind: the statement has " + std::to_string(n) + " parameter" + (n == 1 ? "" : "s");
  return SQLITE_RANGE;
}

int missing(int i, const char* name, std::string& err) {
  err = name != nullptr && name[0] != '\0' ? "no value for parameter '" + std::string(name) + "'"
                                           : "no value for parameter " + std::to_string(i);
  return SQLITE_RANGE;
}

// SQLITE_STATIC: the caller keeps p alive for as long as stmt may read it.
int bind_one(sqlite3_stmt* stmt, int i, const SqlValue& v) {
  switch (v.kind) {
    case SqlValue::Kind::Integer: return sqlite3_bind_int64(stmt, i, v.i);
    case SqlValue::Kind::Real: return sqlite3_bind_double(stmt, i, v.d);
    case SqlValue::Kind::Text:
      return sqlite3_bind_text64(stmt, i, v.s.data(), v.s.size(), SQLITE_STATIC, SQLITE_UTF8);
    case SqlValue::Kind::Blob: return sqlite3_bind_blob64(stmt, i, v.s.data(), v.s.size(), SQLITE_STATIC);
    default: return sqlite3_bind_null(stmt, i);
  }
}

void push_cell(State* L, const SqlValue& v) {
  switch (v.kind) {
    case SqlValue::Kind::Integer: push_integer(L, v.i); break;
    case SqlValue::Kind::Real: push_number(L, v.d); break;
    case SqlValue::Kind::Text:
    case SqlValue::Kind::Blob: push_lstring(L, v.s.data(), v.s.size()); break;
    default: push_light_userdata(L, null_sentinel()); break;
  }
}

}  // namespace

void capture_params(State* L, int first, int last, Params& out) {
  if (first == last && is_table(L, first)) {
    capture_table(L, first, out);
    return;
  }
  out.by_index.resize(size_t(last >= first ? last - first + 1 : 0));
  for (int i = first; i <= last; i++) {
    if (!to_sql(L, i, out.by_index[size_t(i - first)]))
      arg_error(L, i, push_fstring(L, "cannot bind a %s value", type_name_of(L, type(L, i))));
  }
}

int bind_params(sqlite3_stmt* stmt, const Params& p, std::string& err) {
  int n = sqlite3_bind_parameter_count(stmt);
  if (!p.from_table && p.by_index.size() > size_t(n)) return too_many(n, err);
  for (int i = 1; i <= n; i++) {
    const char* name = sqlite3_bind_parameter_name(stmt, i);
    const SqlValue* v = value_for(p, i, name);
    if (v == nullptr) return missing(i, name, err);
    if (int rc = bind_one(stmt, i, *v); rc != SQLITE_OK) {
      err = sqlite3_errmsg(sqlite3_db_handle(stmt));
      return rc;
    }
  }
  return SQLITE_OK;
}

int check_params(const std::vector<std::string>& names, const Params& p, std::string& err) {
  int n = int(names.size());
  if (!p.from_table && p.by_index.size() > size_t(n)) return too_many(n, err);
  for (int i = 1; i <= n; i++) {
    const char* name = names[size_t(i - 1)].c_str();
    if (value_for(p, i, name) == nullptr) return missing(i, name, err);
  }
  return SQLITE_OK;
}

const std::shared_ptr<const Names>& ColumnNames::of(sqlite3_stmt* stmt) {
  int now = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0);
  if (names && now == reprepares) return names;
  auto fresh = std::make_shared<Names>();
  for (int c = 0, nc = sqlite3_column_count(stmt); c < nc; c++) {
    const char* name = sqlite3_column_name(stmt, c);
    fresh->emplace_back(name != nullptr ? name : "");
  }
  names = std::move(fresh);
  reprepares = now;
  return names;
}

void read_row(sqlite3_stmt* stmt, ColumnNames& names, Rows& rows) {
  if (!rows.names) rows.names = names.of(stmt);
  int nc = int(rows.names->size());
  rows.cells.reserve(rows.cells.size() + size_t(nc));
  for (int c = 0; c < nc; c++) {
    SqlValue& v = rows.cells.emplace_back();
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        v.kind = SqlValue::Kind::Integer;
        v.i = sqlite3_column_int64(stmt, c);
        break;
      case SQLITE_FLOAT:
        v.kind = SqlValue::Kind::Real;
        v.d = sqlite3_column_double(stmt, c);
        break;
      case SQLITE_TEXT: {
        v.kind = SqlValue::Kind::Text;
        auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        if (text != nullptr) v.s.assign(text, size_t(sqlite3_column_bytes(stmt, c)));
        break;
      }
      case SQLITE_BLOB: {
        v.kind = SqlValue::Kind::Blob;
        auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        if (blob != nullptr) v.s.assign(blob, size_t(sqlite3_column_bytes(stmt, c)));
        break;
      }
      default: v.kind = SqlValue::Kind::Null; break;
    }
  }
}

int push_names(State* L, const Rows& rows) {
  int nc = int(rows.columns());
  check_stack_msg(L, nc + 8, "too many result columns");
  for (int c = 0; c < nc; c++)
    push_lstring(L, (*rows.names)[size_t(c)].data(), (*rows.names)[size_t(c)].size());
  return get_top(L) - nc + 1;
}

void push_row(State* L, const Rows& rows, size_t r, int names_idx) {
  size_t nc = rows.columns();
  create_table(L, 0, int(nc));
  const SqlValue* cell = rows.cells.data() + r * nc;
  for (size_t c = 0; c < nc; c++) {
    if (names_idx != 0) {
      push_value(L, names_idx + int(c));
    } else {
      push_lstring(L, (*rows.names)[c].data(), (*rows.names)[c].size());
    }
    push_cell(L, cell[c]);
    raw_set(L, -3);
  }
}

void push_rows(State* L, const Rows& rows) {
  size_t n = rows.count();
  create_table(L, int(n), 0);
  int array = get_top(L);
  int names = push_names(L, rows);
  for (size_t r = 0; r < n; r++) {
    push_row(L, rows, r, names);
    raw_set_i(L, array, lua_Integer(r + 1));
  }
  set_top(L, array);
}

}  // namespace rua::sqlite
