// The shared dictionary itself (no Lua here): hash map + LRU list under a
// mutex, byte accounting, lazy expiry. See shdict.hpp.
#include "shdict.hpp"

#include <cmath>

namespace rua::shdict {

int64_t Dict::deadline(double ttl) {
  if (!(ttl > 0)) return 0;
  using namespace std::chrono;
  // Clamp absurd TTLs (years) rather than overflow the clock.
  double capped = std::min(ttl, 1e9);
  auto d = duration_cast<Clock::duration>(duration<double>(capped));
  int64_t t = now() + d.count();
  return t == 0 ? 1 : t;
}

Dict::List::iterator Dict::find_live(std::string_view key, int64_t t) {
  auto m = map_.find(key);
  if (m == map_.end()) return lru_.end();
  auto it = m->second;
  if (expired(*it, t)) {
    erase(it);
    return lru_.end();
  }
  if (it != lru_.begin()) lru_.splice(lru_.begin(), lru_, it);
  return it;
}

void Dict::erase(List::iterator it) {
  used_ -= it->bytes();
  map_.erase(std::string_view(it->key));
  lru_.erase(it);
}

bool Dict::make_room(size_t need, bool evict, int64_t t, bool* forcible) {
  if (need > capacity_) return false;
  if (used_ + need <= capacity_) return true;
  // Expired entries first, scanning from the least recently used end.
  for (auto it = lru_.end(); it != lru_.begin() && used_ + need > capacity_;) {
    --it;
    if (expired(*it, t)) {
      auto dead = it++;
      erase(dead);
    }
  }
  if (used_ + need <= capacity_) return true;
  if (!evict) return false;
  while (used_ + need > capacity_ && !lru_.empty()) {
    erase(std::prev(lru_.end()));
    *forcible = true;
  }
  return used_ + need <= capacity_;
}

Dict::SetResult Dict::set(std::string_view key, Value v, double ttl, Mode mode) {
  SetResult r;
  std::lock_guard lock(mu_);
  int64_t t = now();
  auto it = find_live(key, t);
  bool exists = it != lru_.end();
  if ((mode == Mode::Add || mode == Mode::SafeAdd) && exists) return {false, "exists", false};
  if (mode == Mode::Replace && !exists) return {false, "not found", false};
  if (v.kind == Value::Kind::Nil) {
    if (exists) erase(it);
    return r;
  }
  size_t need = kEntryOverhead + key.size() + v.s.size();
  size_t old = exists ? it->bytes() : 0;
  if (exists) {
    // Account the replacement as a resize of the existing entry.
    used_ -= old;
    bool evict = !(mode == Mode::SafeSet || mode == Mode::SafeAdd);
    // Keep the entry itself out of eviction while room is made.
    map_.erase(std::string_view(it->key));  // before the key moves
    Entry keep = std::move(*it);
    lru_.erase(it);
    if (!make_room(need, evict, t, &r.forcible)) {
      // Put the old value back: a failed set changes nothing.
      lru_.push_front(std::move(keep));
      map_.emplace(std::string_view(lru_.front().key), lru_.begin());
      used_ += old;
      return {false, "no memory", r.forcible};
    }
    keep.value = std::move(v);
    keep.expires = deadline(ttl);
    lru_.push_front(std::move(keep));
  } else {
    bool evict = !(mode == Mode::SafeSet || mode == Mode::SafeAdd);
    if (!make_room(need, evict, t, &r.forcible)) return {false, "no memory", r.forcible};
    lru_.push_front(Entry{std::string(key), std::move(v), deadline(ttl)});
  }
  map_.emplace(std::string_view(lru_.front().key), lru_.begin());
  used_ += need;
  return r;
}

bool Dict::get(std::string_view key, Value& out) {
  std::lock_guard lock(mu_);
  auto it = find_live(key, now());
  if (it == lru_.end()) return false;
  out = it->value;
  return true;
}

static bool is_number(const Value& v) {
  return v.kind == Value::Kind::Integer || v.kind == Value::Kind::Float;
}

static Value add(const Value& a, const Value& b) {
  Value r;
  if (a.kind == Value::Kind::Integer && b.kind == Value::Kind::Integer) {
    r.kind = Value::Kind::Integer;
    // Wraps around like Lua's integer arithmetic.
    r.i = int64_t(uint64_t(a.i) + uint64_t(b.i));
  } else {
    r.kind = Value::Kind::Float;
    double x = a.kind == Value::Kind::Integer ? double(a.i) : a.d;
    double y = b.kind == Value::Kind::Integer ? double(b.i) : b.d;
    r.d = x + y;
  }
  return r;
}

Dict::IncrResult Dict::incr(std::string_view key, const Value& by, bool has_init, const Value& init,
                            double init_ttl) {
  IncrResult r;
  std::lock_guard lock(mu_);
  int64_t t = now();
  auto it = find_live(key, t);
  if (it != lru_.end()) {
    if (!is_number(it->value)) {
      r.err = "not a number";
      return r;
    }
    it->value = add(it->value, by);  // numbers: the entry's size does not change
    r.ok = true;
    r.value = it->value;
    return r;
  }
  if (!has_init) {
    r.err = "not found";
    return r;
  }
  Value v = add(init, by);
  size_t need = kEntryOverhead + key.size();
  if (!make_room(need, true, t, &r.forcible)) {
    r.err = "no memory";
    return r;
  }
  lru_.push_front(Entry{std::string(key), v, deadline(init_ttl)});
  map_.emplace(std::string_view(lru_.front().key), lru_.begin());
  used_ += need;
  r.ok = true;
  r.value = v;
  return r;
}

void Dict::remove(std::string_view key) {
  std::lock_guard lock(mu_);
  auto m = map_.find(key);
  if (m != map_.end()) erase(m->second);
}

double Dict::ttl(std::string_view key) {
  std::lock_guard lock(mu_);
  int64_t t = now();
  auto it = find_live(key, t);
  if (it == lru_.end()) return -1;
  if (it->expires == 0) return 0;
  return std::chrono::duration<double>(Clock::duration(it->expires - t)).count();
}

bool Dict::expire(std::string_view key, double ttl) {
  std::lock_guard lock(mu_);
  auto it = find_live(key, now());
  if (it == lru_.end()) return false;
  it->expires = deadline(ttl);
  return true;
}

std::vector<std::string> Dict::keys(size_t max) {
  std::lock_guard lock(mu_);
  int64_t t = now();
  std::vector<std::string> out;
  for (const Entry& e : lru_) {
    if (max != 0 && out.size() >= max) break;
    if (!expired(e, t)) out.push_back(e.key);
  }
  return out;
}

void Dict::flush_all() {
  std::lock_guard lock(mu_);
  map_.clear();
  lru_.clear();
  used_ = 0;
}

size_t Dict::flush_expired(size_t max) {
  std::lock_guard lock(mu_);
  int64_t t = now();
  size_t n = 0;
  for (auto it = lru_.begin(); it != lru_.end() && (max == 0 || n < max);) {
    if (expired(*it, t)) {
      erase(it++);
      n++;
    } else {
      ++it;
    }
  }
  return n;
}

size_t Dict::free_space() {
  std::lock_guard lock(mu_);
  return capacity_ - used_;
}

size_t Dict::count() {
  std::lock_guard lock(mu_);
  return map_.size();
}

namespace {
std::mutex registry_mu;
// Dicts live as long as the process, like nginx's shared zones: a dict
// keeps its data between workers' on_start calls and reloads of a state.
std::unordered_map<std::string, std::shared_ptr<Dict>>& registry() {
  static auto* r = new std::unordered_map<std::string, std::shared_ptr<Dict>>();
  return *r;
}
}  // namespace

std::shared_ptr<Dict> open_dict(std::string_view name, size_t capacity, bool explicit_capacity,
                                std::string* err) {
  std::lock_guard lock(registry_mu);
  auto& r = registry();
  auto it = r.find(std::string(name));
  if (it != r.end()) {
    if (explicit_capacity && it->second->capacity() != capacity) {
      *err = "shared dict '" + std::string(name) + "' exists with a capacity of " +
             std::to_string(it->second->capacity()) + " bytes";
      return nullptr;
    }
    return it->second;
  }
  auto d = std::make_shared<Dict>(std::string(name), capacity);
  r.emplace(std::string(name), d);
  return d;
}

}  // namespace rua::shdict
