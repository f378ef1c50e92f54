// The Lua side of shared dictionaries: web.shared(name) and
// require("rua.shared").open(name) return a handle whose methods follow
// OpenResty's ngx.shared.DICT (get, set, safe_set, add, safe_add, replace,
// incr, delete, ttl, expire, get_keys, flush_all, flush_expired, capacity,
// free_space), returning nil/false plus a message where ngx does.
#include <cmath>
#include <cstring>
#include <new>

#include "api.hpp"
#include "shdict.hpp"

namespace rua::shdict {

namespace {

constexpr const char* kDictType = "rua.shared.dict";

struct Box {
  std::shared_ptr<Dict> dict;
};

// The ngx.shared way of failing: nil and a message.
int fail(State* L, const char* msg) {
  push_nil(L);
  push_string(L, msg);
  return 2;
}

Dict& check_dict(State* L) {
  auto* box = static_cast<Box*>(check_udata(L, 1, kDictType));
  return *box->dict;
}

// The key at arg 2: a string (numbers converted), or nil + message pushed
// (returns false) for nil, empty and too long keys, as ngx does.
bool get_key(State* L, std::string_view* key) {
  Type t = type(L, 2);
  const char* err = nullptr;
  if (t == Type::Nil || t == Type::None) {
    err = "nil key";
  } else if (t != Type::String && t != Type::Number) {
    arg_type_error(L, 2, "string");
  } else {
    *key = to_sv(L, 2);
    if (key->empty()) err = "empty key";
    else if (key->size() > Dict::kMaxKey) err = "key too long";
  }
  if (err == nullptr) return true;
  fail(L, err);
  return false;
}

// The value at idx; false for types a dict cannot hold.
bool get_value(State* L, int idx, Value* v) {
  switch (type(L, idx)) {
    case Type::None:
    case Type::Nil:
      v->kind = Value::Kind::Nil;
      return true;
    case Type::Boolean:
      v->kind = Value::Kind::Boolean;
      v->b = to_boolean(L, idx);
      return true;
    case Type::Number:
      if (is_integer(L, idx)) {
        v->kind = Value::Kind::Integer;
        v->i = to_integer(L, idx);
      } else {
        v->kind = Value::Kind::Float;
        v->d = to_number(L, idx);
      }
      return true;
    case Type::String: {
      v->kind = Value::Kind::String;
      std::string_view s = to_sv(L, idx);
      v->s.assign(s.data(), s.size());
      return true;
    }
    default:
      return false;
  }
}

void push_dict_value(State* L, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Nil: push_nil(L); break;
    case Value::Kind::Boolean: push_boolean(L, v.b); break;
    case Value::Kind::Integer: push_integer(L, v.i); break;
    case Value::Kind::Float: push_number(L, v.d); break;
    case Value::Kind::String: push_sv(L, v.s); break;
  }
}

double check_ttl(State* L, int arg) {
  lua_Number t = opt_number(L, arg, 0);
  arg_check(L, t >= 0 && !std::isnan(t), arg, "bad exptime");
  return t;
}

int do_set(State* L, Dict::Mode mode) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  Value v;
  if (!get_value(L, 3, &v)) {
    return fail(L, "bad value type");
  }
  double ttl = check_ttl(L, 4);
  Dict::SetResult r = d.set(key, std::move(v), ttl, mode);
  push_boolean(L, r.ok);
  if (r.ok) push_nil(L);
  else push_string(L, r.err);
  push_boolean(L, r.forcible);
  return 3;
}

// dict:set(key, value [, exptime]) -> ok, err, forcible. A nil value deletes.
int dict_set(State* L) { return do_set(L, Dict::Mode::Set); }
int dict_safe_set(State* L) { return do_set(L, Dict::Mode::SafeSet); }
int dict_add(State* L) { return do_set(L, Dict::Mode::Add); }
int dict_safe_add(State* L) { return do_set(L, Dict::Mode::SafeAdd); }
int dict_replace(State* L) { return do_set(L, Dict::Mode::Replace); }

// dict:get(key) -> value | nil
int dict_get(State* L) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  Value v;
  if (!d.get(key, v)) {
    push_nil(L);
    return 1;
  }
  push_dict_value(L, v);
  return 1;
}

// dict:incr(key, value [, init [, init_ttl]]) -> new value, nil, forcible | nil, err
int dict_incr(State* L) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  arg_expected(L, type(L, 3) == Type::Number, 3, "number");
  Value by, init;
  get_value(L, 3, &by);
  bool has_init = !is_none_or_nil(L, 4);
  if (has_init) {
    arg_expected(L, type(L, 4) == Type::Number, 4, "number");
    get_value(L, 4, &init);
  }
  double init_ttl = check_ttl(L, 5);
  Dict::IncrResult r = d.incr(key, by, has_init, init, init_ttl);
  if (!r.ok) {
    return fail(L, r.err);
  }
  push_dict_value(L, r.value);
  push_nil(L);
  push_boolean(L, r.forcible);
  return 3;
}

// dict:delete(key)
int dict_delete(State* L) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  d.remove(key);
  return 0;
}

// dict:ttl(key) -> seconds left (0: none) | nil, "not found"
int dict_ttl(State* L) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  double t = d.ttl(key);
  if (t < 0) {
    return fail(L, "not found");
  }
  push_number(L, t);
  return 1;
}

// dict:expire(key, exptime) -> true | nil, "not found"
int dict_expire(State* L) {
  Dict& d = check_dict(L);
  std::string_view key;
  if (!get_key(L, &key)) return 2;
  check_number(L, 3);
  if (!d.expire(key, check_ttl(L, 3))) {
    return fail(L, "not found");
  }
  push_boolean(L, true);
  return 1;
}

// dict:get_keys([max = 1024]) -> array of keys (max 0: all)
int dict_keys(State* L) {
  Dict& d = check_dict(L);
  lua_Integer max = opt_integer(L, 2, 1024);
  arg_check(L, max >= 0, 2, "negative count");
  std::vector<std::string> keys = d.keys(size_t(max));
  create_table(L, int(keys.size()), 0);
  for (size_t i = 0; i < keys.size(); i++) {
    push_sv(L, keys[i]);
    raw_set_i(L, -2, lua_Integer(i + 1));
  }
  return 1;
}

int dict_flush_all(State* L) {
  check_dict(L).flush_all();
  return 0;
}

// dict:flush_expired([max]) -> number removed
int dict_flush_expired(State* L) {
  Dict& d = check_dict(L);
  lua_Integer max = opt_integer(L, 2, 0);
  arg_check(L, max >= 0, 2, "negative count");
  push_integer(L, lua_Integer(d.flush_expired(size_t(max))));
  return 1;
}

int dict_capacity(State* L) {
  push_integer(L, lua_Integer(check_dict(L).capacity()));
  return 1;
}

int dict_free_space(State* L) {
  push_integer(L, lua_Integer(check_dict(L).free_space()));
  return 1;
}

int dict_count(State* L) {
  push_integer(L, lua_Integer(check_dict(L).count()));
  return 1;
}

int dict_gc(State* L) {
  auto* box = static_cast<Box*>(check_udata(L, 1, kDictType));
  box->~Box();
  return 0;
}

int dict_tostring(State* L) {
  auto* box = static_cast<Box*>(check_udata(L, 1, kDictType));
  push_fstring(L, "shared dict '%s' (%p)", box->dict->name().c_str(), static_cast<void*>(box->dict.get()));
  return 1;
}

void open_dict_type(State* L) {
  if (new_metatable(L, kDictType)) {
    static const Reg kMethods[] = {
        {"get", dict_get},       {"set", dict_set},
        {"safe_set", dict_safe_set}, {"add", dict_add},
        {"safe_add", dict_safe_add}, {"replace", dict_replace},
        {"incr", dict_incr},     {"delete", dict_delete},
        {"ttl", dict_ttl},       {"expire", dict_expire},
        {"get_keys", dict_keys}, {"keys", dict_keys},
        {"flush_all", dict_flush_all}, {"flush_expired", dict_flush_expired},
        {"capacity", dict_capacity}, {"free_space", dict_free_space},
        {"count", dict_count},   {nullptr, nullptr}};
    new_lib(L, kMethods);
    set_field(L, -2, "__index");
    static const Reg kMeta[] = {{"__gc", dict_gc}, {"__tostring", dict_tostring}, {nullptr, nullptr}};
    set_funcs(L, kMeta, 0);
  }
  pop(L, 1);
}

// "64m", "512k", "1g", "4096", "4096b" -> bytes; 0 if malformed.
size_t parse_size(std::string_view s) {
  size_t i = 0, n = 0;
  if (s.empty()) return 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
    if (n > (size_t(1) << 50)) return 0;
    n = n * 10 + size_t(s[i] - '0');
  }
  if (i == 0) return 0;
  std::string_view unit = s.substr(i);
  if (unit.empty() || unit == "b" || unit == "B") return n;
  if (unit.size() != 1) return 0;
  switch (unit[0]) {
    case 'k': case 'K': return n << 10;
    case 'm': case 'M': return n << 20;
    case 'g': case 'G': return n << 30;
    default: return 0;
  }
}

int open_shared_module(State* L) {
  static const Reg kFuncs[] = {{"open", lua_shared}, {nullptr, nullptr}};
  new_lib(L, kFuncs);
  return 1;
}

}  // namespace

int lua_shared(State* L) {
  std::string_view name = check_sv(L, 1);
  arg_check(L, !name.empty(), 1, "empty name");
  size_t capacity = kDefaultCapacity;
  bool explicit_capacity = !is_none_or_nil(L, 2);
  if (explicit_capacity) {
    if (type(L, 2) == Type::Number) {
      lua_Integer n = check_integer(L, 2);
      capacity = n > 0 ? size_t(n) : 0;
    } else {
      capacity = parse_size(check_sv(L, 2));
    }
    arg_check(L, capacity >= 4096, 2, "capacity must be a size of at least 4k, such as 4096, \"512k\" or \"64m\"");
  }
  std::string err;
  std::shared_ptr<Dict> d = open_dict(name, capacity, explicit_capacity, &err);
  if (!d) errorf(L, "%s", err.c_str());
  open_dict_type(L);
  new (new_userdata(L, sizeof(Box), 0)) Box{std::move(d)};
  set_metatable_named(L, kDictType);
  return 1;
}

void preload_shared(State* L) {
  get_subtable(L, kRegistryIndex, "_PRELOAD");
  push_native(L, open_shared_module);
  set_field(L, -2, "rua.shared");
  pop(L, 1);
}

}  // namespace rua::shdict
