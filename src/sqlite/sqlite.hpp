// rua.sqlite: SQLite (the system libsqlite3) from Lua, without blocking the
// worker: statements run on the blocking pool while the calling task is
// suspended, so the worker's other tasks go on meanwhile.
//
//   local sqlite = require "rua.sqlite"
//   sqlite.open(path [, opts]) -> db | nil, message, code, extended code
//       opts: readonly (false), create (true), wal (true: journal_mode=WAL),
//       busy_timeout_ms (5000), cache_size (PRAGMA cache_size), synchronous
//       ("off", "normal", "full", "extra"; default SQLite's), safe (false:
//       see Errors), inline_max_us (see Where statements run; 0: never).
//       ":memory:" is a private in-memory database.
//   sqlite.null           the NULL of rows; the same value as json.null
//   sqlite.blob(s)        s bound as a BLOB (a plain string binds as TEXT)
//   sqlite.version        the library's version, "3.40.1"
//   sqlite.OK, .ERROR, .BUSY, .CONSTRAINT, ...  the primary result codes
//
//   db:exec(sql)                  runs a script of any number of statements -> true
//   db:query(sql, ...)            -> array of rows (tables keyed by column name)
//   db:first(sql, ...)            -> the first row, or nil
//   db:run(sql, ...)              -> {changes = n, last_insert_id = id}
//   db:prepare(sql)               -> statement
//   db:transaction(f [, mode])    BEGIN (mode "deferred", "immediate" (default)
//       or "exclusive"); f(db); COMMIT and return f's results. If f raises,
//       or COMMIT fails: ROLLBACK and raise that error again. Nested calls
//       are savepoints. While it is open, other tasks' requests on db wait.
//   db:close()                    -> true (also by __close and the collector)
//
//   stmt:bind(...)                values for the next run -> stmt
//   stmt:step()                   -> next row, or nil at the end (the next
//                                    step then runs the statement again)
//   stmt:rows(...)                iterator over the rows, from the start:
//                                    for row in stmt:rows(id) do ... end
//   stmt:run(...)                 -> {changes =, last_insert_id =}
//   stmt:reset()                  -> stmt (back to the start; values stay)
//   stmt:finalize()               (also by __close and the collector)
// step and rows() walk one cursor (rows() reads ahead 64 rows per trip to
// the pool); a statement is meant to be walked by one task at a time.
//
// Parameters: values follow the SQL (or go to bind/rows/run) and bind by
// index ('?', '?NNN', and named ones in order); a single table binds
// ':name', '@name' and '$name' by name (key without the sigil) and '?' by
// its array part. nil and sqlite.null bind NULL, booleans 1 and 0. Values
// are always bound, never spliced into the SQL text. A statement's missing
// value, or a value too many, is an error (SQLITE_RANGE).
//
// Types: INTEGER <-> integer, REAL <-> float, TEXT <-> string, BLOB ->
// string (binary safe; bind with sqlite.blob), NULL <-> sqlite.null. A NaN
// binds as NULL (SQLite has no NaN); column affinity applies as in SQLite
// (2.0 stored in an INTEGER column reads back as 2).
//
// Errors: a failed statement (syntax, constraint, busy database, ...) raises
// "<SQLite's message> (SQLITE_<CODE>)"; with safe = true the methods return
// nil, message, primary code, extended code instead. The connection stays
// usable. Misuse (a bad argument, a closed db, a finalized statement)
// always raises.
//
// Where statements run (connection.hpp has the details): one at a time per
// connection, in order. On the blocking pool while the task waits, except a
// read-only query that ran faster than inline_max_us (default 50) on
// average before (or such a write inside the task's own db:transaction on
// a WAL database), which runs at once on the worker's thread (no lock wait),
// because the pool's round trip costs more than such a statement: see
// bench/sqlite/README.md for the figures. In a state without a worker, or
// where the caller cannot be suspended (a __gc, a module's main chunk run by
// require), statements run synchronously.
#pragma once

#include "api.hpp"

namespace rua {

// The module loader: returns the module table.
int open_sqlite(State* L);

// Registers open_sqlite as package.preload["rua.sqlite"].
void preload_sqlite(State* L);

}  // namespace rua
