// The rua.sqlite module table: open, null, blob, version and the result
// codes. See sqlite.hpp for the whole API.
#include <new>
#include <string_view>

#include "objects.hpp"
#include "sqlite.hpp"

namespace rua {

namespace sqlite {

namespace {

[[noreturn]] void bad_option(State* L, std::string_view name, const char* what) {
  std::string n(name);
  arg_error(L, 2, push_fstring(L, "option '%s' must be %s", n.c_str(), what));
}

bool bool_option(State* L, std::string_view name) {
  if (!is_boolean(L, -1)) bad_option(L, name, "a boolean");
  return to_boolean(L, -1);
}

lua_Integer int_option(State* L, std::string_view name, lua_Integer min, lua_Integer max) {
  bool ok = false;
  lua_Integer n = to_integerx(L, -1, &ok);
  if (!ok || type(L, -1) != Type::Number || n < min || n > max) bad_option(L, name, "an integer in range");
  return n;
}

void set_option(State* L, std::string_view name, Connection::Options& o) {
  if (name == "readonly") {
    o.readonly = bool_option(L, name);
  } else if (name == "create") {
    o.create = bool_option(L, name);
  } else if (name == "wal") {
    o.wal = bool_option(L, name);
  } else if (name == "safe") {
    o.safe = bool_option(L, name);
  } else if (name == "busy_timeout_ms") {
    o.busy_timeout_ms = int(int_option(L, name, 0, 0x7fffffff));
  } else if (name == "cache_size") {
    o.set_cache_size = true;
    o.cache_size = int_option(L, name, INT64_MIN, INT64_MAX);
  } else if (name == "synchronous") {
    std::string_view v = type(L, -1) == Type::String ? to_sv(L, -1) : "";
    if (v != "off" && v != "normal" && v != "full" && v != "extra")
      bad_option(L, name, "\"off\", \"normal\", \"full\" or \"extra\"");
    o.synchronous = v;
  } else if (name == "inline_max_us") {
    bool ok = false;
    o.inline_max_us = to_numberx(L, -1, &ok);
    if (!ok || type(L, -1) != Type::Number || !(o.inline_max_us >= 0)) bad_option(L, name, "a number >= 0");
  } else {
    std::string n(name);
    arg_error(L, 2, push_fstring(L, "unknown option '%s'", n.c_str()));
  }
}

Connection::Options check_options(State* L) {
  Connection::Options o;
  o.path = check_string(L, 1);
  if (is_none_or_nil(L, 2)) return o;
  check_type(L, 2, Type::Table);
  push_nil(L);
  while (next(L, 2)) {
    if (type(L, -2) != Type::String) arg_error(L, 2, "option names must be strings");
    set_option(L, to_sv(L, -2), o);
    pop(L, 1);
  }
  return o;
}

int open_done(State* L, int, intptr_t ctx) {
  int db = ctx_base(ctx);
  if (succeeded(L, ctx)) {
    push_value(L, db);
    return 1;
  }
  static_cast<DbBox*>(to_userdata(L, db))->conn->set_closed();
  return report_failure(L, op_ctx(db, true));  // open returns nil, message, ... whatever 'safe' says
}

// sqlite.open(path [, opts]) -> db | nil, message, code, extended code
int l_open(State* L) {
  Connection::Options o = check_options(L);
  set_top(L, 2);
  auto conn = std::make_shared<Connection>(std::move(o));
  new (new_userdata(L, sizeof(DbBox), 0)) DbBox{conn};
  set_metatable_named(L, kDbType);
  return run_op(L, *conn, std::make_shared<Op>(Op::Kind::Open), push_true, open_done);
}

// sqlite.blob(s) -> a value that binds s as a BLOB
int l_blob(State* L) {
  check_lstring(L, 1, nullptr);
  new_userdata(L, 0, 1);
  push_value(L, 1);
  set_i_uservalue(L, -2, 1);
  set_metatable_named(L, kBlobType);
  return 1;
}

int blob_tostring(State* L) {
  get_i_uservalue(L, 1, 1);
  return 1;
}

void open_blob_type(State* L) {
  if (new_metatable(L, kBlobType)) {
    push_native(L, blob_tostring);
    set_field(L, -2, "__tostring");
  }
  pop(L, 1);
}

struct CodeName {
  const char* name;
  int code;
};

constexpr CodeName kCodes[] = {{"OK", SQLITE_OK},
                               {"ERROR", SQLITE_ERROR},
                               {"INTERNAL", SQLITE_INTERNAL},
                               {"PERM", SQLITE_PERM},
                               {"ABORT", SQLITE_ABORT},
                               {"BUSY", SQLITE_BUSY},
                               {"LOCKED", SQLITE_LOCKED},
                               {"NOMEM", SQLITE_NOMEM},
                               {"READONLY", SQLITE_READONLY},
                               {"INTERRUPT", SQLITE_INTERRUPT},
                               {"IOERR", SQLITE_IOERR},
                               {"CORRUPT", SQLITE_CORRUPT},
                               {"NOTFOUND", SQLITE_NOTFOUND},
                               {"FULL", SQLITE_FULL},
                               {"CANTOPEN", SQLITE_CANTOPEN},
                               {"PROTOCOL", SQLITE_PROTOCOL},
                               {"EMPTY", SQLITE_EMPTY},
                               {"SCHEMA", SQLITE_SCHEMA},
                               {"TOOBIG", SQLITE_TOOBIG},
                               {"CONSTRAINT", SQLITE_CONSTRAINT},
                               {"MISMATCH", SQLITE_MISMATCH},
                               {"MISUSE", SQLITE_MISUSE},
                               {"NOLFS", SQLITE_NOLFS},
                               {"AUTH", SQLITE_AUTH},
                               {"FORMAT", SQLITE_FORMAT},
                               {"RANGE", SQLITE_RANGE},
                               {"NOTADB", SQLITE_NOTADB},
                               {"NOTICE", SQLITE_NOTICE},
                               {"WARNING", SQLITE_WARNING}};

}  // namespace

}  // namespace sqlite

int open_sqlite(State* L) {
  using namespace sqlite;
  open_db_type(L);
  open_stmt_type(L);
  open_blob_type(L);
  static const Reg kFuncs[] = {{"open", l_open}, {"blob", l_blob}, {nullptr, nullptr}};
  new_lib(L, kFuncs);
  push_light_userdata(L, null_sentinel());
  set_field(L, -2, "null");
  push_string(L, sqlite3_libversion());
  set_field(L, -2, "version");
  for (const CodeName& c : kCodes) {
    push_integer(L, c.code);
    set_field(L, -2, c.name);
  }
  return 1;
}

void preload_sqlite(State* L) {
  get_subtable(L, kRegistryIndex, "_PRELOAD");
  push_native(L, open_sqlite);
  set_field(L, -2, "rua.sqlite");
  pop(L, 1);
}

}  // namespace rua
