// The package library and require (manual §6.3; PUC: loadlib.c).
//
// require asks each function of package.searchers in turn for a loader:
// package.preload, then Lua files along package.path, then native libraries
// along package.cpath (the "C" and "C root" searchers). Every searcher and
// require itself hold the package table as upvalue 1, so they see the
// current package.path even if the global 'package' is replaced.
//
// Native C libraries: rua has no lua.h-compatible C API yet, so a luaopen_*
// function of a shared library could not be called safely. rua behaves like
// a PUC Lua built without dynamic-library support: the C searchers still
// find files along package.cpath (so a module that exists only as a .so
// fails with a clear message instead of "not found"), and package.loadlib
// returns fail, a message and "absent".
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "lualib.hpp"

namespace rua {

namespace {

constexpr const char* kDirSep = "/";
constexpr char kPathSep = ';';
constexpr const char* kPathMark = "?";
constexpr const char* kExecDir = "!";
constexpr const char* kIgnoreMark = "-";
constexpr const char* kVersionSuffix = "_5_5";
constexpr const char* kLoadedTable = "_LOADED";
constexpr const char* kPreloadTable = "_PRELOAD";
constexpr const char* kClibsTable = "_CLIBS";
constexpr const char* kNoNativeLibs = "native C libraries are not supported by rua yet";

// The default paths are PUC Lua's for Unix, so modules installed for Lua 5.5
// are found by rua too.
constexpr const char* kPathDefault =
    "/usr/local/share/lua/5.5/?.lua;/usr/local/share/lua/5.5/?/init.lua;"
    "/usr/local/lib/lua/5.5/?.lua;/usr/local/lib/lua/5.5/?/init.lua;"
    "./?.lua;./?/init.lua";
constexpr const char* kCPathDefault = "/usr/local/lib/lua/5.5/?.so;/usr/local/lib/lua/5.5/loadall.so;./?.so";

// ---- package.loadlib ----

int ll_loadlib(State* L) {
  check_string(L, 1);
  check_string(L, 2);
  push_nil(L);
  push_string(L, kNoNativeLibs);
  push_string(L, "absent");  // PUC's answer when dynamic libraries are disabled
  return 3;
}

// ---- searching paths ----

bool readable(const char* filename) {
  std::FILE* f = std::fopen(filename, "r");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

// Pushes "no file 'a'\n\tno file 'b'..." for the templates of 'path'.
void push_not_found(State* L, std::string_view path) {
  Buffer b(L);
  b.add("no file '");
  for (char c : path) {
    if (c == kPathSep)
      b.add("'\n\tno file '");
    else
      b.add(c);
  }
  b.add("'");
  b.push_result();
}

// package.searchpath: replaces sep in name by dirsep and tries each
// template of path with '?' replaced by name. Pushes the first readable
// file name (true) or the list of names tried (false).
bool search_path(State* L, const char* name, const char* path, const char* sep, const char* dirsep) {
  if (*sep != '\0' && std::strchr(name, *sep) != nullptr) name = gsub(L, name, sep, dirsep);
  const char* names = gsub(L, path, kPathMark, name);
  std::string_view all(names);
  std::string filename;
  for (size_t start = 0; start <= all.size();) {
    size_t end = all.find(kPathSep, start);
    if (end == std::string_view::npos) end = all.size();
    filename.assign(all.substr(start, end - start));
    if (!filename.empty() && readable(filename.c_str())) {
      push_sv(L, filename);
      return true;
    }
    start = end + 1;
  }
  push_not_found(L, all);
  return false;
}

int ll_searchpath(State* L) {
  const char* name = check_string(L, 1);  // checked in order: the first bad argument is reported
  const char* path = check_string(L, 2);
  const char* sep = opt_string(L, 3, ".");
  const char* dirsep = opt_string(L, 4, kDirSep);
  if (search_path(L, name, path, sep, dirsep)) return 1;
  push_nil(L);
  insert(L, -2);
  return 2;  // fail, the names tried
}

// Searches package[pname] (path or cpath) for module name.
bool find_file(State* L, const char* name, const char* pname) {
  get_field(L, upvalue_index(1), pname);
  const char* path = to_string(L, -1);
  if (path == nullptr) errorf(L, "'package.%s' must be a string", pname);
  return search_path(L, name, path, ".", kDirSep);
}

// A searcher's answer for a file it found: the loader and the file name,
// or an error if the file could not be loaded.
int check_load(State* L, bool ok, const char* filename) {
  if (!ok)
    errorf(L, "error loading module '%s' from file '%s':\n\t%s", to_string(L, 1), filename, to_string(L, -1));
  push_string(L, filename);  // the loader's second argument
  return 2;
}

// ---- the searchers ----

int searcher_preload(State* L) {
  const char* name = check_string(L, 1);
  get_field(L, kRegistryIndex, kPreloadTable);
  if (get_field(L, -1, name) == Type::Nil) {
    push_fstring(L, "no field package.preload['%s']", name);
    return 1;
  }
  push_string(L, ":preload:");
  return 2;
}

int searcher_lua(State* L) {
  const char* name = check_string(L, 1);
  if (!find_file(L, name, "path")) return 1;  // the names tried
  const char* filename = to_string(L, -1);
  return check_load(L, load_file(L, filename, "bt") == kOk, filename);
}

// A native library file was found: it cannot be opened (see the top note).
int native_library_error(State* L, const char* filename) {
  push_string(L, kNoNativeLibs);
  return check_load(L, false, filename);
}

int searcher_c(State* L) {
  const char* name = check_string(L, 1);
  if (!find_file(L, name, "cpath")) return 1;
  return native_library_error(L, to_string(L, -1));
}

// "a.b.c" may live in the library of its root "a" as luaopen_a_b_c.
int searcher_croot(State* L) {
  const char* name = check_string(L, 1);
  const char* dot = std::strchr(name, '.');
  if (dot == nullptr) return 0;  // a root module: searcher_c covered it
  push_lstring(L, name, size_t(dot - name));
  if (!find_file(L, to_string(L, -1), "cpath")) return 1;
  return native_library_error(L, to_string(L, -1));
}

void create_searchers(State* L) {
  static const NativeFn kSearchers[] = {searcher_preload, searcher_lua, searcher_c, searcher_croot};
  constexpr int n = int(sizeof kSearchers / sizeof kSearchers[0]);
  create_table(L, n, 0);
  for (int i = 0; i < n; i++) {
    push_value(L, -2);  // the package table, as upvalue
    push_native(L, kSearchers[i], 1);
    raw_set_i(L, -2, i + 1);
  }
  set_field(L, -2, "searchers");
}

// ---- require ----

// Leaves the loader and its data on the stack, or raises "module not found"
// with every searcher's explanation.
void find_loader(State* L, const char* name) {
  if (get_field(L, upvalue_index(1), "searchers") != Type::Table)
    errorf(L, "'package.searchers' must be a table");
  int searchers = get_top(L);
  Buffer msg(L);
  for (int i = 1;; i++) {
    if (raw_get_i(L, searchers, i) == Type::Nil) {
      pop(L, 1);
      msg.push_result();
      errorf(L, "module '%s' not found:%s", name, to_string(L, -1));
    }
    push_string(L, name);
    call(L, 1, 2);
    if (is_function(L, -2)) return;
    if (is_string(L, -2)) {
      pop(L, 1);
      msg.add("\n\t");
      msg.add(to_sv(L, -1));
      pop(L, 1);
    } else {
      pop(L, 2);
    }
  }
}

int ll_require(State* L) {
  const char* name = check_string(L, 1);
  set_top(L, 1);
  get_field(L, kRegistryIndex, kLoadedTable);  // index 2
  get_field(L, 2, name);
  if (to_boolean(L, -1)) return 1;  // already loaded
  pop(L, 1);
  find_loader(L, name);
  rotate(L, -2, 1);   // data, loader
  push_value(L, 1);   // the loader gets the name
  push_value(L, -3);  // and the loader data
  call(L, 2, 1);
  if (!is_nil(L, -1))
    set_field(L, 2, name);  // loaded[name] = result
  else
    pop(L, 1);
  if (get_field(L, 2, name) == Type::Nil) {  // the module set no value
    push_boolean(L, true);
    copy(L, -1, -2);
    set_field(L, 2, name);
  }
  rotate(L, -2, 1);  // result, loader data
  return 2;
}

// ---- package.path and package.cpath ----

bool no_env(State* L) {
  get_field(L, kRegistryIndex, "LUA_NOENV");
  bool b = to_boolean(L, -1);
  pop(L, 1);
  return b;
}

// Pushes the path from the environment, with ";;" standing for the default.
void push_path(State* L, const char* envname, const char* dft) {
  std::string versioned = std::string(envname) + kVersionSuffix;
  const char* path = std::getenv(versioned.c_str());
  if (path == nullptr) path = std::getenv(envname);
  if (path == nullptr || no_env(L)) {
    push_string(L, dft);
    return;
  }
  std::string_view p(path);
  size_t mark = p.find(";;");
  if (mark == std::string_view::npos) {
    push_sv(L, p);
    return;
  }
  std::string result;
  if (mark > 0) result.append(p.substr(0, mark)).push_back(kPathSep);
  result.append(dft);
  if (mark + 2 < p.size()) result.append(1, kPathSep).append(p.substr(mark + 2));
  push_sv(L, result);
}

void set_path(State* L, const char* fieldname, const char* envname, const char* dft) {
  push_path(L, envname, dft);
  set_field(L, -2, fieldname);
}

const Reg kPackageFuncs[] = {
    {"loadlib", ll_loadlib},
    {"searchpath", ll_searchpath},
    {nullptr, nullptr},
};

}  // namespace

int open_package(State* L) {
  get_subtable(L, kRegistryIndex, kClibsTable);  // kept for code that looks for it
  pop(L, 1);
  new_lib(L, kPackageFuncs);
  create_searchers(L);
  set_path(L, "path", "LUA_PATH", kPathDefault);
  set_path(L, "cpath", "LUA_CPATH", kCPathDefault);
  push_fstring(L, "%s\n%c\n%s\n%s\n%s\n", kDirSep, kPathSep, kPathMark, kExecDir, kIgnoreMark);
  set_field(L, -2, "config");
  get_subtable(L, kRegistryIndex, kLoadedTable);
  set_field(L, -2, "loaded");
  get_subtable(L, kRegistryIndex, kPreloadTable);
  set_field(L, -2, "preload");
  push_global_table(L);
  push_value(L, -2);  // require gets the package table as upvalue
  static const Reg kGlobalFuncs[] = {{"require", ll_require}, {nullptr, nullptr}};
  set_funcs(L, kGlobalFuncs, 1);
  pop(L, 1);
  return 1;
}

}  // namespace rua
