// The auxiliary library (lauxlib part of api.hpp): argument checking, error
// messages, metatables by name, references, buffers, loading files.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "api.hpp"
#include "debug.hpp"
#include "gc.hpp"

namespace rua {

namespace {
constexpr int kLevels1 = 10;  // traceback: levels shown at the top
constexpr int kLevels2 = 11;  // and at the bottom
constexpr const char* kLoadedTable = "_LOADED";

// Searches package.loaded for a field holding the object at objidx ("string.format").
bool find_field(State* L, int objidx, int level) {
  if (level == 0 || !is_table(L, -1)) return false;
  push_nil(L);
  while (next(L, -2)) {
    if (type(L, -2) == Type::String) {
      if (raw_equal(L, objidx, -1)) {
        pop(L, 1);
        return true;
      }
      if (find_field(L, objidx, level - 1)) {
        push_string(L, ".");
        replace(L, -3);
        concat(L, 3);
        return true;
      }
    }
    pop(L, 1);
  }
  return false;
}

bool push_global_func_name(State* L, DebugInfo* ar) {
  int top = get_top(L);
  get_info(L, "f", ar);
  get_field(L, kRegistryIndex, kLoadedTable);
  check_stack_msg(L, 6, "not enough stack");
  if (find_field(L, top + 1, 2)) {
    const char* name = to_string(L, -1);
    if (std::strncmp(name, "_G.", 3) == 0) {
      push_string(L, name + 3);
      remove(L, -2);
    }
    copy(L, -1, top + 1);
    set_top(L, top + 1);
    return true;
  }
  set_top(L, top);
  return false;
}

void push_func_name(State* L, DebugInfo* ar) {
  if (*ar->namewhat != '\0') push_fstring(L, "%s '%s'", ar->namewhat, ar->name);
  else if (*ar->what == 'm') push_string(L, "main chunk");
  else if (push_global_func_name(L, ar)) {
    push_fstring(L, "function '%s'", to_string(L, -1));
    remove(L, -2);
  } else if (*ar->what != 'C') push_fstring(L, "function <%s:%d>", ar->short_src, ar->linedefined);
  else push_string(L, "?");
}

int last_level(State* L) {
  DebugInfo ar;
  int li = 1, le = 1;
  while (get_stack(L, le, &ar)) {
    li = le;
    le *= 2;
  }
  while (li < le) {
    int m = (li + le) / 2;
    if (get_stack(L, m, &ar)) li = m + 1;
    else le = m;
  }
  return le - 1;
}
}  // namespace

// ===================================================================
// Errors
// ===================================================================

void where(State* L, int level) {
  DebugInfo ar;
  if (get_stack(L, level, &ar)) {
    get_info(L, "Sl", &ar);
    if (ar.currentline > 0) {
      push_fstring(L, "%s:%d: ", ar.short_src, ar.currentline);
      return;
    }
  }
  push_string(L, "");
}

void errorf(State* L, const char* fmt, ...) {
  va_list argp;
  va_start(argp, fmt);
  where(L, 1);
  push_vfstring(L, fmt, argp);
  va_end(argp);
  concat(L, 2);
  error(L);
}

void arg_error(State* L, int arg, const char* extramsg) {
  DebugInfo ar;
  if (!get_stack(L, 0, &ar)) errorf(L, "bad argument #%d (%s)", arg, extramsg);
  get_info(L, "nt", &ar);
  const char* argword;
  if (arg <= ar.extraargs) {
    argword = "extra argument";
  } else {
    arg -= ar.extraargs;
    if (std::strcmp(ar.namewhat, "method") == 0) {
      arg--;
      if (arg == 0) errorf(L, "calling '%s' on bad self (%s)", ar.name, extramsg);
    }
    argword = "argument";
  }
  if (ar.name == nullptr) ar.name = push_global_func_name(L, &ar) ? to_string(L, -1) : "?";
  errorf(L, "bad %s #%d to '%s' (%s)", argword, arg, ar.name, extramsg);
}

void arg_type_error(State* L, int arg, const char* tname) {
  const char* typearg;
  if (get_metafield(L, arg, "__name") == Type::String) typearg = to_string(L, -1);
  else if (type(L, arg) == Type::LightUserdata) typearg = "light userdata";
  else typearg = type_name(type(L, arg));
  const char* msg = push_fstring(L, "%s expected, got %s", tname, typearg);
  arg_error(L, arg, msg);
}

namespace {
[[noreturn]] void tag_error(State* L, int arg, Type tag) { arg_type_error(L, arg, type_name(tag)); }

void interror(State* L, int arg) {
  if (is_number(L, arg)) arg_error(L, arg, "number has no integer representation");
  tag_error(L, arg, Type::Number);
}
}  // namespace

// ===================================================================
// Arguments
// ===================================================================

void check_stack_msg(State* L, int space, const char* msg) {
  if (!ensure_stack(L, space)) {
    if (msg) errorf(L, "stack overflow (%s)", msg);
    errorf(L, "stack overflow");
  }
}

void check_type(State* L, int arg, Type t) {
  if (type(L, arg) != t) tag_error(L, arg, t);
}

void check_any(State* L, int arg) {
  if (type(L, arg) == Type::None) arg_error(L, arg, "value expected");
}

lua_Number check_number(State* L, int arg) {
  bool isnum;
  lua_Number d = to_numberx(L, arg, &isnum);
  if (!isnum) tag_error(L, arg, Type::Number);
  return d;
}

lua_Number opt_number(State* L, int arg, lua_Number def) { return is_none_or_nil(L, arg) ? def : check_number(L, arg); }

lua_Integer check_integer(State* L, int arg) {
  bool isnum;
  lua_Integer d = to_integerx(L, arg, &isnum);
  if (!isnum) interror(L, arg);
  return d;
}

lua_Integer opt_integer(State* L, int arg, lua_Integer def) {
  return is_none_or_nil(L, arg) ? def : check_integer(L, arg);
}

const char* check_lstring(State* L, int arg, size_t* len) {
  const char* s = to_lstring(L, arg, len);
  if (!s) tag_error(L, arg, Type::String);
  return s;
}

const char* opt_lstring(State* L, int arg, const char* def, size_t* len) {
  if (is_none_or_nil(L, arg)) {
    if (len) *len = def ? std::strlen(def) : 0;
    return def;
  }
  return check_lstring(L, arg, len);
}

int check_option(State* L, int arg, const char* def, const char* const lst[]) {
  const char* name = def ? opt_string(L, arg, def) : check_string(L, arg);
  for (int i = 0; lst[i]; i++)
    if (std::strcmp(lst[i], name) == 0) return i;
  arg_error(L, arg, push_fstring(L, "invalid option '%s'", name));
}

// ===================================================================
// Metatables
// ===================================================================

bool new_metatable(State* L, const char* tname) {
  if (get_metatable_named(L, tname) != Type::Nil) return false;
  pop(L, 1);
  create_table(L, 0, 2);
  push_string(L, tname);
  set_field(L, -2, "__name");
  push_value(L, -1);
  set_field(L, kRegistryIndex, tname);
  return true;
}

void set_metatable_named(State* L, const char* tname) {
  get_metatable_named(L, tname);
  set_metatable(L, -2);
}

void* test_udata(State* L, int ud, const char* tname) {
  void* p = to_userdata(L, ud);
  if (p != nullptr && type(L, ud) == Type::Userdata) {
    if (get_metatable(L, ud)) {
      get_metatable_named(L, tname);
      if (!raw_equal(L, -1, -2)) p = nullptr;
      pop(L, 2);
      return p;
    }
  }
  return nullptr;
}

void* check_udata(State* L, int ud, const char* tname) {
  void* p = test_udata(L, ud, tname);
  if (p == nullptr) arg_type_error(L, ud, tname);
  return p;
}

Type get_metafield(State* L, int obj, const char* e) {
  if (!get_metatable(L, obj)) return Type::Nil;
  push_string(L, e);
  Type tt = raw_get(L, -2);
  if (tt == Type::Nil) pop(L, 2);
  else remove(L, -2);
  return tt;
}

bool call_meta(State* L, int obj, const char* e) {
  obj = abs_index(L, obj);
  if (get_metafield(L, obj, e) == Type::Nil) return false;
  push_value(L, obj);
  call(L, 1, 1);
  return true;
}

const char* to_lstring_meta(State* L, int idx, size_t* len) {
  idx = abs_index(L, idx);
  if (call_meta(L, idx, "__tostring")) {
    if (!is_string(L, -1)) errorf(L, "'__tostring' must return a string");
  } else {
    switch (type(L, idx)) {
      case Type::Number:
      case Type::String: push_value(L, idx); break;
      case Type::Boolean: push_string(L, to_boolean(L, idx) ? "true" : "false"); break;
      case Type::Nil: push_string(L, "nil"); break;
      default: {
        Type tt = get_metafield(L, idx, "__name");
        const char* kind = tt == Type::String ? to_string(L, -1) : type_name(type(L, idx));
        push_fstring(L, "%s: %p", kind, to_pointer(L, idx));
        if (tt != Type::Nil) remove(L, -2);
        break;
      }
    }
  }
  return to_lstring(L, -1, len);
}

lua_Integer len_of(State* L, int idx) {
  len(L, idx);
  bool isnum;
  lua_Integer l = to_integerx(L, -1, &isnum);
  if (!isnum) errorf(L, "object length is not an integer");
  pop(L, 1);
  return l;
}

// ===================================================================
// Null sentinel
// ===================================================================

void* null_sentinel() {
  static char sentinel;
  return &sentinel;
}

// ===================================================================
// References (free list in t[1], as PUC 5.5)
// ===================================================================

int ref(State* L, int t) {
  if (is_nil(L, -1)) {
    pop(L, 1);
    return kRefNil;
  }
  t = abs_index(L, t);
  int r;
  if (raw_get_i(L, t, 1) == Type::Nil) {  // first access: initialise the free list
    r = 0;
    push_integer(L, 0);
    raw_set_i(L, t, 1);
  } else {
    r = int(to_integer(L, -1));
  }
  pop(L, 1);
  if (r != 0) {  // reuse a free reference
    raw_get_i(L, t, r);
    raw_set_i(L, t, 1);
  } else {
    r = int(raw_len(L, t)) + 1;
  }
  raw_set_i(L, t, r);
  return r;
}

void unref(State* L, int t, int r) {
  if (r >= 0) {
    t = abs_index(L, t);
    raw_get_i(L, t, 1);
    raw_set_i(L, t, r);
    push_integer(L, r);
    raw_set_i(L, t, 1);
  }
}

// ===================================================================
// Libraries
// ===================================================================

void set_funcs(State* L, const Reg* l, int nup) {
  check_stack_msg(L, nup, "too many upvalues");
  for (; l->name != nullptr; l++) {
    if (l->func == nullptr) {
      push_boolean(L, false);
    } else {
      for (int i = 0; i < nup; i++) push_value(L, -nup);
      push_native(L, l->func, nup);
    }
    set_field(L, -(nup + 2), l->name);
  }
  pop(L, nup);
}

void new_lib(State* L, const Reg* l) {
  int n = 0;
  while (l[n].name) n++;
  create_table(L, 0, n);
  set_funcs(L, l, 0);
}

bool get_subtable(State* L, int idx, const char* fname) {
  if (get_field(L, idx, fname) == Type::Table) return true;
  pop(L, 1);
  idx = abs_index(L, idx);
  new_table(L);
  push_value(L, -1);
  set_field(L, idx, fname);
  return false;
}

void require_f(State* L, const char* modname, NativeFn openf, bool glb) {
  get_subtable(L, kRegistryIndex, kLoadedTable);
  get_field(L, -1, modname);
  if (!to_boolean(L, -1)) {
    pop(L, 1);
    push_native(L, openf);
    push_string(L, modname);
    call(L, 1, 1);
    push_value(L, -1);
    set_field(L, -3, modname);
  }
  remove(L, -2);
  if (glb) {
    push_value(L, -1);
    set_global(L, modname);
  }
}

void traceback(State* L, State* L1, const char* msg, int level) {
  Buffer b(L);
  DebugInfo ar;
  int last = last_level(L1);
  int limit2show = (last - level > kLevels1 + kLevels2) ? kLevels1 : -1;
  if (msg) {
    b.add_string(msg);
    b.add('\n');
  }
  b.add_string("stack traceback:");
  while (get_stack(L1, level++, &ar)) {
    if (limit2show-- == 0) {
      int n = last - level - kLevels2 + 1;
      push_fstring(L, "\n\t...\t(skipping %d levels)", n);
      b.add_value();
      level += n;
    } else {
      get_info(L1, "Slnt", &ar);
      if (ar.currentline <= 0) push_fstring(L, "\n\t%s: in ", ar.short_src);
      else push_fstring(L, "\n\t%s:%d: in ", ar.short_src, ar.currentline);
      b.add_value();
      push_func_name(L, &ar);
      b.add_value();
      if (ar.istailcall) b.add_string("\n\t(...tail calls...)");
    }
  }
  b.push_result();
}

const char* gsub(State* L, const char* s, const char* p, const char* r) {
  Buffer b(L);
  size_t l = std::strlen(p);
  const char* wild;
  while ((wild = std::strstr(s, p)) != nullptr) {
    b.add(s, size_t(wild - s));
    b.add_string(r);
    s = wild + l;
  }
  b.add_string(s);
  b.push_result();
  return to_string(L, -1);
}

Status load_buffer(State* L, std::string_view buff, const char* name, const char* mode) {
  return load(L, buff, name, mode);
}

Status load_file(State* L, const char* filename, const char* mode) {
  int fnameindex = get_top(L) + 1;
  if (filename == nullptr) push_string(L, "=stdin");
  else push_fstring(L, "@%s", filename);
  FILE* f = filename == nullptr ? stdin : std::fopen(filename, "r");
  if (f == nullptr) {
    const char* serr = std::strerror(errno);
    push_fstring(L, "cannot open %s: %s", to_string(L, fnameindex) + 1, serr);
    remove(L, fnameindex);
    return Status(kErrSyntax + 3);  // LUA_ERRFILE
  }
  std::string content;
  char chunk[8192];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) content.append(chunk, n);
  bool readerr = std::ferror(f) != 0;
  if (filename) std::fclose(f);
  else std::clearerr(stdin);
  if (readerr) {
    const char* serr = std::strerror(errno);
    push_fstring(L, "cannot read %s: %s", to_string(L, fnameindex) + 1, serr);
    remove(L, fnameindex);
    return Status(kErrSyntax + 3);
  }
  // Skip an optional UTF-8 BOM and a first line starting with '#'.
  std::string_view text(content);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!text.empty() && text[0] == '#') {
    size_t nl = text.find('\n');
    // keep the newline so that line numbers stay right
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl);
    // A binary chunk may follow the comment: then the newline goes too.
    if (text.size() > 1 && text[1] == '\x1b') text.remove_prefix(1);
  }
  Status st = load(L, text, to_string(L, fnameindex), mode);
  remove(L, fnameindex);
  return st;
}

int file_result(State* L, bool stat, const char* fname) {
  int en = errno;
  if (stat) {
    push_boolean(L, true);
    return 1;
  }
  push_nil(L);
  const char* msg = en != 0 ? std::strerror(en) : "(no extra info)";
  if (fname) push_fstring(L, "%s: %s", fname, msg);
  else push_string(L, msg);
  push_integer(L, en);
  return 3;
}

int exec_result(State* L, int stat) {
  if (stat != 0 && errno != 0) return file_result(L, false, nullptr);
  const char* what = "exit";
  if (WIFEXITED(stat)) {
    stat = WEXITSTATUS(stat);
  } else if (WIFSIGNALED(stat)) {
    stat = WTERMSIG(stat);
    what = "signal";
  }
  if (*what == 'e' && stat == 0) push_boolean(L, true);
  else push_nil(L);
  push_string(L, what);
  push_integer(L, stat);
  return 3;
}

// ===================================================================
// Buffer
// ===================================================================

Buffer::Buffer(State* L) : L_(L), data_(init_), cap_(sizeof(init_)) {}

Buffer::~Buffer() {
  if (data_ != init_) mem_free(L_, data_, cap_);
}

void Buffer::grow(size_t extra) {
  size_t need = n_ + extra;
  if (need < n_) errorf(L_, "buffer too large");
  size_t ncap = cap_ / 2 * 3;
  if (ncap < need) ncap = need;
  char* nd = static_cast<char*>(mem_alloc(L_, ncap));
  std::memcpy(nd, data_, n_);
  if (data_ != init_) mem_free(L_, data_, cap_);
  data_ = nd;
  cap_ = ncap;
}

void Buffer::add(const char* s, size_t l) {
  if (l == 0) return;
  if (cap_ - n_ < l) grow(l);
  std::memcpy(data_ + n_, s, l);
  n_ += l;
}

void Buffer::add_string(const char* s) { add(s, std::strlen(s)); }

void Buffer::add_value() {
  size_t l;
  const char* s = to_lstring(L_, -1, &l);
  add(s, l);
  pop(L_, 1);
}

char* Buffer::prepare(size_t n) {
  if (cap_ - n_ < n) grow(n);
  return data_ + n_;
}

void Buffer::push_result() { push_lstring(L_, data_, n_); }

}  // namespace rua

// ===================================================================
// The standard warning function (as PUC's lauxlib): off by default,
// "@on"/"@off" control messages, "Lua warning: " prefix on stderr.
// ===================================================================

namespace rua {
namespace {
void warnf_on(void* ud, const char* message, int tocont);
void warnf_cont(void* ud, const char* message, int tocont);
void warnf_off(void* ud, const char* message, int tocont);

bool check_control(State* L, const char* message, int tocont) {
  if (tocont || *(message++) != '@') return false;
  if (std::strcmp(message, "off") == 0) set_warn_fn(L, warnf_off, L);
  else if (std::strcmp(message, "on") == 0) set_warn_fn(L, warnf_on, L);
  return true;
}

void warnf_off(void* ud, const char* message, int tocont) { check_control(static_cast<State*>(ud), message, tocont); }

void warnf_cont(void* ud, const char* message, int tocont) {
  auto* L = static_cast<State*>(ud);
  std::fputs(message, stderr);
  if (tocont) {
    set_warn_fn(L, warnf_cont, L);
  } else {
    std::fputs("\n", stderr);
    std::fflush(stderr);
    set_warn_fn(L, warnf_on, L);
  }
}

void warnf_on(void* ud, const char* message, int tocont) {
  if (check_control(static_cast<State*>(ud), message, tocont)) return;
  std::fputs("Lua warning: ", stderr);
  warnf_cont(ud, message, tocont);
}
}  // namespace

State* new_state_std() {
  State* L = new_state();
  if (L) set_warn_fn(L, warnf_off, L);
  return L;
}

}  // namespace rua
