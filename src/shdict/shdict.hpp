// Shared dictionaries: key-value stores shared by every worker (OS thread)
// of the process, like OpenResty's ngx.shared.DICT. Lua code reaches them
// through web.shared(name) or require("rua.shared").open(name); each
// worker's state holds its own handle on the same Dict.
//
// A Dict is a hash map plus an LRU list under one mutex. Critical sections
// are a lookup and a copy of one value, so contention stays small; the
// design keeps cross-worker state out of Lua heaps (DESIGN.md section 4).
// Values are booleans, integers, floats and strings (copied in and out).
// Each dict has a byte capacity: set() evicts expired then least recently
// used entries to make room; safe_set()/safe_add() fail with "no memory"
// instead. Expiry uses the monotonic clock; expired entries are removed
// lazily (on access, when room is needed, or by flush_expired).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rua {
struct State;
}

namespace rua::shdict {

struct Value {
  enum class Kind : uint8_t { Nil, Boolean, Integer, Float, String };
  Kind kind = Kind::Nil;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

class Dict {
 public:
  using Clock = std::chrono::steady_clock;

  // Bytes counted per entry beyond its key and string value: the list and
  // hash nodes and their bookkeeping.
  static constexpr size_t kEntryOverhead = 96;
  static constexpr size_t kMaxKey = 65535;

  Dict(std::string name, size_t capacity) : name_(std::move(name)), capacity_(capacity) {}
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;

  const std::string& name() const { return name_; }
  size_t capacity() const { return capacity_; }

  enum class Mode { Set, SafeSet, Add, SafeAdd, Replace };
  struct SetResult {
    bool ok = true;
    const char* err = nullptr;  // "exists", "not found", "no memory"
    bool forcible = false;      // valid entries were evicted to make room
  };
  // ttl <= 0: never expires. A Nil value deletes the key (Set and SafeSet).
  SetResult set(std::string_view key, Value v, double ttl, Mode mode);

  // False if the key is absent or expired.
  bool get(std::string_view key, Value& out);
  // Adds 'by' to the number at key. A missing key starts at 'init' when
  // has_init (with init_ttl), else fails "not found"; a non-number fails
  // "not a number". Integers stay integers unless an operand is a float.
  struct IncrResult {
    bool ok = false;
    const char* err = nullptr;
    Value value;
    bool forcible = false;
  };
  IncrResult incr(std::string_view key, const Value& by, bool has_init, const Value& init, double init_ttl);
  void remove(std::string_view key);
  // Seconds left (0: no expiry); negative if the key is absent or expired.
  double ttl(std::string_view key);
  // False if the key is absent or expired. ttl <= 0 removes the expiry.
  bool expire(std::string_view key, double ttl);
  // Up to max live keys (0: all), most recently used first.
  std::vector<std::string> keys(size_t max);
  void flush_all();
  // Removes up to max expired entries (0: all); returns how many.
  size_t flush_expired(size_t max);
  size_t free_space();
  size_t count();

 private:
  struct Entry {
    std::string key;
    Value value;
    int64_t expires = 0;  // Clock ticks; 0: never
    size_t bytes() const { return kEntryOverhead + key.size() + value.s.size(); }
  };
  using List = std::list<Entry>;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Keys are views of the Entry's own key (list nodes never move).
  using Map = std::unordered_map<std::string_view, List::iterator, Hash, std::equal_to<>>;

  static int64_t now() { return Clock::now().time_since_epoch().count(); }
  static int64_t deadline(double ttl);
  static bool expired(const Entry& e, int64_t t) { return e.expires != 0 && e.expires <= t; }

  // The live entry at key (moved to the front of the LRU list), or end.
  List::iterator find_live(std::string_view key, int64_t t);
  void erase(List::iterator it);
  // Frees room for 'need' bytes: expired entries first, then, if allowed,
  // the least recently used. False if it could not.
  bool make_room(size_t need, bool evict, int64_t t, bool* forcible);

  std::string name_;
  size_t capacity_;
  size_t used_ = 0;
  std::mutex mu_;
  List lru_;  // front: most recently used
  Map map_;
};

// The process-wide dict called name, created with 'capacity' bytes on first
// use. Raises (through 'err') if it exists with another explicit capacity.
std::shared_ptr<Dict> open_dict(std::string_view name, size_t capacity, bool explicit_capacity,
                                std::string* err);
constexpr size_t kDefaultCapacity = size_t(64) << 20;

// Lua: shared(name [, capacity]) -> dict. capacity: bytes, or a string
// with a k/m/g suffix ("10m"). This is web.shared and rua.shared's open.
int lua_shared(State* L);
// Registers require "rua.shared" in package.preload.
void preload_shared(State* L);

}  // namespace rua::shdict
