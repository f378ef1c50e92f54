#include "cache.hpp"

#include <utility>

namespace rua::sqlite {

CachedStatement* StatementCache::find(std::string_view sql) {
  auto it = index_.find(sql);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

CachedStatement* StatementCache::insert(std::string sql, sqlite3_stmt* stmt) {
  lru_.push_front(CachedStatement{std::move(sql), stmt, {}, {}});
  lru_.front().stats.describe(stmt);
  index_[lru_.front().sql] = lru_.begin();
  while (lru_.size() > capacity_) {
    CachedStatement& old = lru_.back();
    index_.erase(old.sql);
    sqlite3_finalize(old.stmt);
    lru_.pop_back();
  }
  return &lru_.front();
}

void StatementCache::clear() {
  index_.clear();
  for (CachedStatement& e : lru_) sqlite3_finalize(e.stmt);
  lru_.clear();
}

}  // namespace rua::sqlite
