// The string library (manual §6.4): the simple functions, the pattern
// functions built on Matcher (str_pattern.cpp), and the metatable every
// string shares. format is in str_format.cpp, pack/unpack in str_pack.cpp.
//
// The string metatable has __index = the string table, so ("x"):rep(3)
// works, and the arithmetic metamethods that give Lua its string->number
// coercion: the VM does integer/float arithmetic only on numbers and falls
// back to these for strings (as PUC 5.4+ does), so "10" + 1 is 11 and
// "abc" + 1 is "attempt to add a 'string' with a 'number'".
#include <cctype>
#include <climits>
#include <cstring>

#include "str_pattern.hpp"
#include "strlib.hpp"

namespace rua {

namespace {

// Strings and results never exceed this (PUC's MAX_SIZE): both size_t and
// lua_Integer hold it.
constexpr size_t kMaxSize = size_t(kMaxInteger);

// An optional end position (negative counts back) clipped to [0, len].
size_t end_pos(State* L, int arg, lua_Integer def, size_t len) {
  lua_Integer pos = opt_integer(L, arg, def);
  if (pos > lua_Integer(len)) return len;
  if (pos >= 0) return size_t(pos);
  if (pos < -lua_Integer(len)) return 0;
  return len + size_t(pos) + 1;
}

int str_len(State* L) {
  push_integer(L, lua_Integer(check_sv(L, 1).size()));
  return 1;
}

int str_sub(State* L) {
  std::string_view s = check_sv(L, 1);
  size_t start = str_start_pos(check_integer(L, 2), s.size());
  size_t end = end_pos(L, 3, -1, s.size());
  if (start <= end)
    push_sv(L, s.substr(start - 1, end - start + 1));
  else
    push_string(L, "");
  return 1;
}

// Pushes s with every byte replaced by f(byte), or in reverse order.
template <typename F>
void push_mapped(State* L, std::string_view s, F f) {
  Buffer b(L);
  char* p = b.prepare(s.size());
  for (size_t i = 0; i < s.size(); i++) p[i] = f(s, i);
  b.commit(s.size());
  b.push_result();
}

int str_reverse(State* L) {
  push_mapped(L, check_sv(L, 1), [](std::string_view s, size_t i) { return s[s.size() - 1 - i]; });
  return 1;
}

int str_lower(State* L) {
  push_mapped(L, check_sv(L, 1), [](std::string_view s, size_t i) {
    return char(std::tolower(static_cast<unsigned char>(s[i])));
  });
  return 1;
}

int str_upper(State* L) {
  push_mapped(L, check_sv(L, 1), [](std::string_view s, size_t i) {
    return char(std::toupper(static_cast<unsigned char>(s[i])));
  });
  return 1;
}

// A result of kMaxSize bytes or more is "too large"; one that fits but cannot be
// allocated fails in the allocator with "not enough memory" (as in 5.5).
int str_rep(State* L) {
  std::string_view s = check_sv(L, 1);
  lua_Integer n = check_integer(L, 2);
  size_t lsep;
  const char* sep = opt_lstring(L, 3, "", &lsep);
  if (n <= 0 || (s.empty() && lsep == 0)) {
    push_string(L, "");
    return 1;
  }
  if (s.size() > kMaxSize - lsep || s.size() + lsep > kMaxSize / size_t(n)) {
    errorf(L, "resulting string too large");
  }
  size_t total = size_t(n) * (s.size() + lsep) - lsep;
  if (total == kMaxSize) errorf(L, "resulting string too large");  // PUC's buffers stop one short
  Buffer b(L);
  char* p = b.prepare(total);
  for (lua_Integer i = 1; i < n; i++) {  // all copies but the last have a separator after them
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    if (lsep > 0) {
      std::memcpy(p, sep, lsep);
      p += lsep;
    }
  }
  std::memcpy(p, s.data(), s.size());
  b.commit(total);
  b.push_result();
  return 1;
}

int str_byte(State* L) {
  std::string_view s = check_sv(L, 1);
  lua_Integer pi = opt_integer(L, 2, 1);
  size_t first = str_start_pos(pi, s.size());
  size_t last = end_pos(L, 3, pi, s.size());
  if (first > last) return 0;  // empty interval: no values
  if (last - first >= size_t(INT_MAX)) errorf(L, "string slice too long");
  int n = int(last - first) + 1;
  check_stack_msg(L, n, "string slice too long");
  for (int i = 0; i < n; i++) push_integer(L, static_cast<unsigned char>(s[first - 1 + size_t(i)]));
  return n;
}

int str_char(State* L) {
  int n = get_top(L);
  Buffer b(L);
  char* p = b.prepare(size_t(n));
  for (int i = 1; i <= n; i++) {
    auto c = lua_Unsigned(check_integer(L, i));
    arg_check(L, c <= UCHAR_MAX, i, "value out of range");
    p[i - 1] = char(c);
  }
  b.commit(size_t(n));
  b.push_result();
  return 1;
}

int str_dump(State* L) {
  bool strip = to_boolean(L, 2);
  arg_check(L, is_function(L, 1) && !is_native_function(L, 1), 1, "Lua function expected");
  set_top(L, 1);  // the function must be on top
  if (!dump(L, strip)) errorf(L, "unable to dump given function");
  return 1;
}

// ---- find, match, gmatch, gsub ----

// Is p free of pattern magic, so that find can search for it literally?
bool no_specials(std::string_view p) { return p.find_first_of(std::string_view("^$*+?.([%-")) == p.npos; }

// Skips a leading '^'; true if there was one.
bool strip_anchor(std::string_view* p) {
  if (p->empty() || p->front() != '^') return false;
  p->remove_prefix(1);
  return true;
}

// Pushes the 1-based start and end of a match at s..e.
int push_range(State* L, std::string_view subject, const char* s, const char* e) {
  push_integer(L, lua_Integer(s - subject.data()) + 1);
  push_integer(L, lua_Integer(e - subject.data()));
  return 2;
}

int find_aux(State* L, bool find) {
  std::string_view s = check_sv(L, 1);
  std::string_view p = check_sv(L, 2);
  size_t init = str_start_pos(opt_integer(L, 3, 1), s.size()) - 1;
  if (init > s.size()) {  // starts after the end: nothing can be found
    push_nil(L);
    return 1;
  }
  if (find && (to_boolean(L, 4) || no_specials(p))) {  // a plain search
    size_t at = s.find(p, init);
    if (at != s.npos) return push_range(L, s, s.data() + at, s.data() + at + p.size());
  } else {
    bool anchor = strip_anchor(&p);
    Matcher m(L, s, p);
    const char* s1 = s.data() + init;
    do {
      if (const char* e = m.match_at(s1, p.data())) {
        if (!find) return m.push_captures(s1, e);
        return push_range(L, s, s1, e) + m.push_captures(nullptr, nullptr, false);
      }
    } while (s1++ < m.subject_end() && !anchor);
  }
  push_nil(L);
  return 1;
}

int str_find(State* L) { return find_aux(L, true); }
int str_match(State* L) { return find_aux(L, false); }

// gmatch keeps offsets, not pointers: the iterator may run in another
// coroutine, and it re-reads the subject and pattern from its upvalues.
struct GmatchState {
  size_t pos;        // where the next search starts
  size_t lastmatch;  // end of the last match, or npos: an empty match there is skipped
};

int gmatch_step(State* L) {
  std::string_view s = to_sv(L, upvalue_index(1));
  std::string_view p = to_sv(L, upvalue_index(2));
  auto* gm = static_cast<GmatchState*>(to_userdata(L, upvalue_index(3)));
  Matcher m(L, s, p);
  for (size_t pos = gm->pos; pos <= s.size(); pos++) {
    const char* e = m.match_at(s.data() + pos, p.data());
    if (e != nullptr && size_t(e - s.data()) != gm->lastmatch) {
      gm->pos = gm->lastmatch = size_t(e - s.data());
      return m.push_captures(s.data() + pos, e);
    }
  }
  gm->pos = s.size() + 1;  // exhausted
  return 0;
}

int str_gmatch(State* L) {
  std::string_view s = check_sv(L, 1);
  check_sv(L, 2);
  size_t init = str_start_pos(opt_integer(L, 3, 1), s.size()) - 1;
  set_top(L, 2);  // subject and pattern become upvalues
  auto* gm = static_cast<GmatchState*>(new_userdata(L, sizeof(GmatchState), 0));
  gm->pos = init > s.size() ? s.size() + 1 : init;
  gm->lastmatch = std::string_view::npos;
  push_native(L, gmatch_step, 3);
  return 1;
}

// Appends the replacement string (argument 3) for the match s..e, with
// its %0-%9 and %% escapes.
void add_replacement_string(State* L, Matcher& m, Buffer& b, const char* s, const char* e) {
  std::string_view r = to_sv(L, 3);
  size_t at;
  while ((at = r.find('%')) != r.npos) {
    b.add(r.substr(0, at));
    char c = at + 1 < r.size() ? r[at + 1] : '\0';
    std::string_view text;
    if (c == '%') {
      b.add('%');
    } else if (c == '0') {
      b.add(s, size_t(e - s));
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      if (m.capture_text(c - '1', s, e, &text))
        b.add(text);
      else
        b.add_value();  // a position capture, pushed as an integer
    } else {
      errorf(L, "invalid use of '%%' in replacement string");
    }
    r.remove_prefix(at + 2);
  }
  b.add(r);
}

// Appends the replacement for the match s..e; false if the match is kept
// as it was (a function or table gave nil or false).
bool add_replacement(State* L, Matcher& m, Buffer& b, const char* s, const char* e, Type tr) {
  if (tr == Type::Function) {
    push_value(L, 3);
    int n = m.push_captures(s, e);
    call(L, n, 1);
  } else if (tr == Type::Table) {
    m.push_capture(0, s, e);
    get_table(L, 3);
  } else {  // a string or a number
    add_replacement_string(L, m, b, s, e);
    return true;
  }
  if (!to_boolean(L, -1)) {
    pop(L, 1);
    b.add(s, size_t(e - s));  // keep the original text
    return false;
  }
  if (!is_string(L, -1)) errorf(L, "invalid replacement value (a %s)", type_name_of(L, type(L, -1)));
  b.add_value();
  return true;
}

int str_gsub(State* L) {
  std::string_view src = check_sv(L, 1);
  std::string_view p = check_sv(L, 2);
  Type tr = type(L, 3);
  lua_Integer max_n = opt_integer(L, 4, lua_Integer(src.size()) + 1);
  arg_expected(L, tr == Type::Number || tr == Type::String || tr == Type::Function || tr == Type::Table, 3,
               "string/function/table");
  bool anchor = strip_anchor(&p);
  Matcher m(L, src, p);
  Buffer b(L);
  const char* s = src.data();
  const char* lastmatch = nullptr;
  lua_Integer n = 0;
  bool changed = false;
  while (n < max_n) {
    const char* e = m.match_at(s, p.data());
    if (e != nullptr && e != lastmatch) {
      n++;
      changed = add_replacement(L, m, b, s, e, tr) || changed;
      s = lastmatch = e;
    } else if (s < m.subject_end()) {
      b.add(*s++);  // no match here: copy one byte and try further on
    } else {
      break;
    }
    if (anchor) break;
  }
  if (changed) {
    b.add(s, size_t(m.subject_end() - s));
    b.push_result();
  } else {
    push_value(L, 1);  // nothing replaced: the original string
  }
  push_integer(L, n);
  return 2;
}

// ---- arithmetic metamethods ----

// Pushes argument 'arg' as a number if it is one or a numeral string.
bool to_num(State* L, int arg) {
  if (type(L, arg) == Type::Number) {
    push_value(L, arg);
    return true;
  }
  size_t len;
  const char* s = to_lstring(L, arg, &len);
  return s != nullptr && string_to_number(L, s) == len + 1;
}

// Neither operand converts: hand over to the second operand's metamethod,
// if it is not a string and has one.
void try_metamethod(State* L, const char* event) {
  set_top(L, 2);
  if (type(L, 2) == Type::String || get_metafield(L, 2, event) == Type::Nil) {
    errorf(L, "attempt to %s a '%s' with a '%s'", event + 2, type_name_of(L, type(L, -2)),
           type_name_of(L, type(L, -1)));
  }
  insert(L, -3);
  call(L, 2, 1);
}

int string_arith(State* L, int op, const char* event) {
  if (to_num(L, 1) && to_num(L, 2))
    arith(L, op);
  else
    try_metamethod(L, event);
  return 1;
}

int meta_add(State* L) { return string_arith(L, kOpAdd, "__add"); }
int meta_sub(State* L) { return string_arith(L, kOpSub, "__sub"); }
int meta_mul(State* L) { return string_arith(L, kOpMul, "__mul"); }
int meta_mod(State* L) { return string_arith(L, kOpMod, "__mod"); }
int meta_pow(State* L) { return string_arith(L, kOpPow, "__pow"); }
int meta_div(State* L) { return string_arith(L, kOpDiv, "__div"); }
int meta_idiv(State* L) { return string_arith(L, kOpIDiv, "__idiv"); }
int meta_unm(State* L) { return string_arith(L, kOpUnm, "__unm"); }

const Reg kStringMeta[] = {{"__add", meta_add},   {"__sub", meta_sub}, {"__mul", meta_mul},
                           {"__mod", meta_mod},   {"__pow", meta_pow}, {"__div", meta_div},
                           {"__idiv", meta_idiv}, {"__unm", meta_unm}, {nullptr, nullptr}};

// Gives all strings the metatable {__index = string table, arithmetic}.
// The string table is on top.
void create_string_metatable(State* L) {
  create_table(L, 0, 9);
  set_funcs(L, kStringMeta, 0);
  push_value(L, -2);
  set_field(L, -2, "__index");
  push_string(L, "");
  push_value(L, -2);
  set_metatable(L, -2);
  pop(L, 2);  // the dummy string and the metatable
}

const Reg kStringLib[] = {{"byte", str_byte},         {"char", str_char},     {"dump", str_dump},
                          {"find", str_find},         {"format", str_format}, {"gmatch", str_gmatch},
                          {"gsub", str_gsub},         {"len", str_len},       {"lower", str_lower},
                          {"match", str_match},       {"rep", str_rep},       {"reverse", str_reverse},
                          {"sub", str_sub},           {"upper", str_upper},   {"pack", str_pack},
                          {"packsize", str_packsize}, {"unpack", str_unpack}, {nullptr, nullptr}};

}  // namespace

int open_string(State* L) {
  new_lib(L, kStringLib);
  create_string_metatable(L);
  return 1;
}

}  // namespace rua
