// The prepared-statement cache of a connection: SQL text -> prepared
// statement, least recently used first out. db:query, db:first and db:run
// prepare each distinct SQL text once; the cache keeps the statement between
// calls with its parameters cleared and its read lock released (reset).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "values.hpp"

namespace rua::sqlite {

// What the dispatcher knows of a statement when it decides where to run it.
struct Stats {
  double avg_us = 0;      // running average of the time SQLite took, in microseconds
  unsigned runs = 0;      // how many times it ran
  bool readonly = false;  // sqlite3_stmt_readonly
  int columns = 0;        // result columns (0: not a query)

  void describe(sqlite3_stmt* s) {
    readonly = sqlite3_stmt_readonly(s) != 0;
    columns = sqlite3_column_count(s);
  }
  // Weights the last run by 1/4: a statement that turns slow (a table that
  // grew, a lock) leaves the fast path within a few runs.
  void record(double us) {
    avg_us = runs == 0 ? us : avg_us + (us - avg_us) / 4;
    runs++;
  }
};

struct CachedStatement {
  std::string sql;
  sqlite3_stmt* stmt = nullptr;
  Stats stats;
  ColumnNames names;
};

class StatementCache {
 public:
  explicit StatementCache(size_t capacity) : capacity_(capacity) {}
  ~StatementCache() { clear(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The entry for sql, now the most recently used; null if absent.
  CachedStatement* find(std::string_view sql);
  // Adds a prepared statement (the cache owns it from now on), finalizing
  // the least recently used one beyond capacity.
  CachedStatement* insert(std::string sql, sqlite3_stmt* stmt);
  // Finalizes every statement.
  void clear();

 private:
  size_t capacity_;
  std::list<CachedStatement> lru_;                                                    // most recent first
  std::unordered_map<std::string_view, std::list<CachedStatement>::iterator> index_;  // keys point into lru_
};

}  // namespace rua::sqlite
