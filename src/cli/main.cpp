// The stand-alone interpreter: `rua [options] [script [args]]` with the
// options, environment variables, exit codes and messages of PUC's `lua`,
// an interactive REPL, and `rua --list file.lua` for bytecode listings.
#include <dlfcn.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <memory>

#include "compiler.hpp"
#include "debug.hpp"
#include "http.hpp"
#include "json.hpp"
#include "lualib.hpp"
#include "shdict.hpp"
#include "server.hpp"
#include "sqlite.hpp"
#include "web.hpp"
#include "worker.hpp"

namespace {

using namespace rua;

// The Lua language (not this code) is Lua.org's; scripts such as the official
// test suite look for "Lua 5.5.1" and the copyright holder in this line.
constexpr const char* kVersionLine =
    "rua 0.1 (Lua 5.5.1)  Lua language Copyright (C) 1994-2026 Lua.org, PUC-Rio";
constexpr const char* kPrompt = "> ";
constexpr const char* kPrompt2 = ">> ";
constexpr size_t kMaxInput = 512;

State* global_L = nullptr;
Worker* worker = nullptr;  // runs every chunk as a task on the event loop
const char* progname = "rua";
char* (*get_env)(const char*) = std::getenv;

char* no_getenv(const char*) { return nullptr; }

void set_signal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}

// Hook set by the SIGINT handler: stops the running code with an error.
void lstop(State* L, DebugInfo*) {
  set_hook(L, nullptr, 0, 0);
  errorf(L, "interrupted!");
}

// A signal cannot touch the state safely; it only installs a hook that
// raises the error at the next instruction. A second SIGINT kills.
void laction(int i) {
  int flag = kMaskCall | kMaskRet | kMaskLine | kMaskCount;
  set_signal(i, SIG_DFL);
  set_hook(global_L, lstop, flag, 1);
}

void print_usage(const char* badoption) {
  std::fprintf(stderr, "%s: ", progname);
  if (badoption[1] == 'e' || badoption[1] == 'l')
    std::fprintf(stderr, "'%s' needs argument\n", badoption);
  else
    std::fprintf(stderr, "unrecognized option '%s'\n", badoption);
  std::fprintf(stderr,
               "usage: %s [options] [script [args]]\n"
               "Available options are:\n"
               "  -e stat   execute string 'stat'\n"
               "  -i        enter interactive mode after executing 'script'\n"
               "  -l mod    require library 'mod' into global 'mod'\n"
               "  -l g=mod  require library 'mod' into global 'g'\n"
               "  -v        show version information\n"
               "  -E        ignore environment variables\n"
               "  -W        turn warnings on\n"
               "  --        stop handling options\n"
               "  -         stop handling options and execute stdin\n"
               "  --list f  print the bytecode listing of file f\n"
               "  --max-memory SIZE  cap the Lua heap (e.g. 64m): beyond it, 'not enough memory'\n"
               "rua serve app.lua [options]: run an HTTP app (rua serve --help)\n",
               progname);
  std::fflush(stderr);
}

void l_message(const char* pname, const char* msg) {
  if (pname) std::fprintf(stderr, "%s: ", pname);
  std::fprintf(stderr, "%s\n", msg);
  std::fflush(stderr);
}

Status report(State* L, Status status) {
  if (status != kOk) {
    const char* msg = to_string(L, -1);
    if (msg == nullptr) msg = "(error message not a string)";
    l_message(progname, msg);
    pop(L, 1);
  }
  return status;
}

// Runs the function below 'narg' arguments as a task on the main thread:
// async natives (rua.sleep, ...) work in every chunk; errors come back with
// a traceback.
Status do_call(State* L, int narg, int nres) {
  global_L = L;
  set_signal(SIGINT, laction);
  Status status = worker->run_main(narg, nres);
  set_signal(SIGINT, SIG_DFL);
  return status;
}

void print_version() {
  std::fwrite(kVersionLine, 1, std::strlen(kVersionLine), stdout);
  std::fwrite("\n", 1, 1, stdout);
  std::fflush(stdout);
}

void create_arg_table(State* L, char** argv, int argc, int script) {
  int narg = argc - (script + 1);
  create_table(L, narg > 0 ? narg : 0, script + 1);
  for (int i = 0; i < argc; i++) {
    push_string(L, argv[i]);
    raw_set_i(L, -2, i - script);
  }
  set_global(L, "arg");
}

Status do_chunk(State* L, Status status) {
  if (status == kOk) status = do_call(L, 0, 0);
  return report(L, status);
}

Status do_file(State* L, const char* name) { return do_chunk(L, load_file(L, name, "bt")); }

Status do_string(State* L, const char* s, const char* name) {
  return do_chunk(L, load_buffer(L, std::string_view(s, std::strlen(s)), name, "t"));
}

// Runs 'globname = require(modname)' for -l globname[=modname]; a "-suffix"
// on a module name without '=' is a version mark, not part of the global.
Status do_library(State* L, char* globname) {
  char* suffix = nullptr;
  char* modname = std::strchr(globname, '=');
  if (modname == nullptr) {
    modname = globname;
    suffix = std::strchr(modname, '-');
  } else {
    *modname = '\0';
    modname++;
  }
  get_global(L, "require");
  push_string(L, modname);
  Status status = do_call(L, 1, 1);
  if (status == kOk) {
    if (suffix != nullptr) *suffix = '\0';
    set_global(L, globname);
  }
  return report(L, status);
}

int push_args(State* L) {
  if (get_global(L, "arg") != Type::Table) errorf(L, "'arg' is not a table");
  int n = int(len_of(L, -1));
  check_stack_msg(L, n + 3, "too many arguments to script");
  int i;
  for (i = 1; i <= n; i++) raw_get_i(L, -i, i);
  remove(L, -i);
  return n;
}

Status handle_script(State* L, char** argv) {
  const char* fname = argv[0];
  if (std::strcmp(fname, "-") == 0 && std::strcmp(argv[-1], "--") != 0) fname = nullptr;
  Status status = load_file(L, fname, "bt");
  if (status == kOk) {
    int n;
    try {  // a script can replace 'arg' (error: "'arg' is not a table")
      n = push_args(L);
    } catch (const LuaError& e) {
      return report(L, e.status);
    }
    status = do_call(L, n, kMultRet);
  }
  return report(L, status);
}

constexpr int kHasError = 1, kHasI = 2, kHasV = 4, kHasE = 8, kHasBigE = 16;

int collect_args(char** argv, int* first) {
  int args = 0;
  if (argv[0] != nullptr) {
    if (argv[0][0]) progname = argv[0];
  } else {
    *first = -1;
    return 0;
  }
  int i;
  for (i = 1; argv[i] != nullptr; i++) {
    *first = i;
    if (argv[i][0] != '-') return args;
    switch (argv[i][1]) {
      case '-':
        if (argv[i][2] != '\0') return kHasError;
        *first = argv[i + 1] != nullptr ? i + 1 : 0;
        return args;
      case '\0': return args;
      case 'E':
        if (argv[i][2] != '\0') return kHasError;
        args |= kHasBigE;
        break;
      case 'W':
        if (argv[i][2] != '\0') return kHasError;
        break;
      case 'i': args |= kHasI; [[fallthrough]];
      case 'v':
        if (argv[i][2] != '\0') return kHasError;
        args |= kHasV;
        break;
      case 'e': args |= kHasE; [[fallthrough]];
      case 'l':
        if (argv[i][2] == '\0') {
          i++;
          if (argv[i] == nullptr || argv[i][0] == '-') return kHasError;
        }
        break;
      default: return kHasError;
    }
  }
  *first = 0;
  return args;
}

bool run_args(State* L, char** argv, int n) {
  warn(L, "@off", false);  // warnings are off by default in the stand-alone interpreter
  for (int i = 1; i < n; i++) {
    int option = argv[i][1];
    switch (option) {
      case 'e':
      case 'l': {
        char* extra = argv[i] + 2;
        if (*extra == '\0') extra = argv[++i];
        Status status = option == 'e' ? do_string(L, extra, "=(command line)") : do_library(L, extra);
        if (status != kOk) return false;
        break;
      }
      case 'W': warn(L, "@on", false); break;
    }
  }
  return true;
}

Status handle_init(State* L) {
  const char* name = "=LUA_INIT_5_5";
  const char* init = get_env(name + 1);
  if (init == nullptr) {
    name = "=LUA_INIT";
    init = get_env(name + 1);
  }
  if (init == nullptr) return kOk;
  if (init[0] == '@') return do_file(L, init + 1);
  return do_string(L, init, name);
}

// ---- the REPL ----
// readline is loaded at run time (as PUC 5.5.1 does), so the binary works
// without it and LUA_READLINELIB can name another library.

using ReadlineFn = char* (*)(const char*);
using AddHistoryFn = void (*)(const char*);
ReadlineFn l_readline = nullptr;
AddHistoryFn l_addhist = nullptr;

void init_readline(State* L) {
  const char* rllib = get_env("LUA_READLINELIB");
  if (rllib == nullptr) rllib = "libreadline.so.8";
  void* lib = dlopen(rllib, RTLD_NOW | RTLD_LOCAL);
  if (lib != nullptr) {
    auto** name = reinterpret_cast<const char**>(dlsym(lib, "rl_readline_name"));
    if (name != nullptr) *name = "lua";
    l_readline = reinterpret_cast<ReadlineFn>(dlsym(lib, "readline"));
    l_addhist = reinterpret_cast<AddHistoryFn>(dlsym(lib, "add_history"));
    if (l_readline != nullptr) return;
  }
  warn(L, "unable to load readline library '", true);
  warn(L, rllib, true);
  warn(L, "'", false);
}

char* read_line(char* buff, const char* prompt) {
  if (l_readline != nullptr) return l_readline(prompt);
  std::fputs(prompt, stdout);
  std::fflush(stdout);
  return std::fgets(buff, int(kMaxInput), stdin);
}

const char* get_prompt(State* L, bool firstline) {
  if (get_global(L, firstline ? "_PROMPT" : "_PROMPT2") == Type::Nil) return firstline ? kPrompt : kPrompt2;
  const char* p = to_lstring_meta(L, -1, nullptr);
  remove(L, -2);
  return p;
}

bool incomplete(State* L, Status status) {
  if (status == kErrSyntax) {
    size_t lmsg;
    const char* msg = to_lstring(L, -1, &lmsg);
    if (lmsg >= 5 && std::strcmp(msg + lmsg - 5, "<eof>") == 0) return true;
  }
  return false;
}

bool push_line(State* L, bool firstline) {
  char buffer[kMaxInput];
  const char* prmt = get_prompt(L, firstline);
  char* b = read_line(buffer, prmt);
  pop(L, 1);
  if (b == nullptr) return false;
  size_t l = std::strlen(b);
  if (l > 0 && b[l - 1] == '\n') b[--l] = '\0';
  push_lstring(L, b, l);
  if (l_readline != nullptr) std::free(b);
  return true;
}

Status add_return(State* L) {
  const char* line = to_string(L, -1);
  const char* retline = push_fstring(L, "return %s;", line);
  Status status = load_buffer(L, retline, "=stdin", "t");
  if (status == kOk)
    remove(L, -2);
  else
    pop(L, 2);
  return status;
}

void check_local(const char* line) {
  line += std::strspn(line, " \t");
  if (std::strncmp(line, "local", 5) == 0 && std::strchr(" \t", line[5]) != nullptr) {
    std::fprintf(stderr, "%s\n", "warning: locals do not survive across lines in interactive mode");
    std::fflush(stderr);
  }
}

Status multi_line(State* L) {
  size_t len;
  const char* line = to_lstring(L, 1, &len);
  check_local(line);
  for (;;) {
    Status status = load_buffer(L, std::string_view(line, len), "=stdin", "t");
    if (!incomplete(L, status) || !push_line(L, false)) return status;
    remove(L, -2);
    push_string(L, "\n");
    insert(L, -2);
    concat(L, 3);
    line = to_lstring(L, 1, &len);
  }
}

int load_line(State* L, Status* status) {
  set_top(L, 0);
  if (!push_line(L, true)) return -1;
  if ((*status = add_return(L)) != kOk) *status = multi_line(L);
  const char* line = to_string(L, 1);
  if (line[0] != '\0' && l_addhist != nullptr) l_addhist(line);
  remove(L, 1);
  return 0;
}

void l_print(State* L) {
  int n = get_top(L);
  if (n > 0) {
    check_stack_msg(L, kMinStack, "too many results to print");
    get_global(L, "print");
    insert(L, 1);
    if (pcall(L, n, 0, 0) != kOk)
      l_message(progname, push_fstring(L, "error calling 'print' (%s)", to_string(L, -1)));
  }
}

void do_repl(State* L) {
  const char* oldprogname = progname;
  progname = nullptr;
  init_readline(L);
  Status status;
  while (load_line(L, &status) != -1) {
    if (status == kOk) status = do_call(L, 0, kMultRet);
    if (status == kOk)
      l_print(L);
    else
      report(L, status);
  }
  set_top(L, 0);
  std::fwrite("\n", 1, 1, stdout);
  std::fflush(stdout);
  progname = oldprogname;
}

struct Options {
  int argc;
  char** argv;
  int script;
  int args;
};

// Everything before running Lua code, in protected mode: options, libraries, 'arg'.
int setup(State* L) {
  auto* o = static_cast<Options*>(to_userdata(L, 1));
  o->args = collect_args(o->argv, &o->script);
  if (o->args == kHasError) {
    print_usage(o->argv[o->script]);
    return 0;
  }
  if (o->args & kHasV) print_version();
  if (o->args & kHasBigE) {
    get_env = no_getenv;
    push_boolean(L, true);
    set_field(L, kRegistryIndex, "LUA_NOENV");
  } else {
    get_env = std::getenv;
  }
  open_libs(L);
  preload_json(L);                      // require "rua.json"
  preload_sqlite(L);                    // require "rua.sqlite"
  shdict::preload_shared(L);            // require "rua.shared"
  preload_http(L);                      // require "rua.http"
  preload_web(L);                       // require "rua.web"
  require_f(L, "rua", open_rua, true);  // the async runtime, also as the global 'rua'
  pop(L, 1);
  create_arg_table(L, o->argv, o->argc, o->script);
  push_boolean(L, true);
  return 1;
}

// Runs the chunks the options ask for, each as a task on the event loop,
// then lets the threads they spawned finish.
bool run(State* L, const Options& o) {
  gc(L, kGcRestart);
  int optlim = o.script > 0 ? o.script : o.argc;
  if (handle_init(L) != kOk) return false;
  if (!run_args(L, o.argv, optlim)) return false;
  if (o.script > 0 && handle_script(L, o.argv + o.script) != kOk) return false;
  if (o.args & kHasI) {
    do_repl(L);
  } else if (o.script < 1 && !(o.args & (kHasE | kHasV))) {
    if (isatty(0)) {
      print_version();
      do_repl(L);
    } else if (do_file(L, nullptr) != kOk) {
      return false;
    }
  }
  worker->run();
  return true;
}

// rua --list file.lua: compile and print the bytecode listing.
int list_main(const char* file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "rua: cannot open %s\n", file);
    return EXIT_FAILURE;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (!text.empty() && text[0] == '#') text.erase(0, text.find('\n'));
  try {
    auto fp = compile(text, std::string("@") + file);
    std::fputs(list_proto(*fp, true).c_str(), stdout);
  } catch (const CompileError& e) {
    std::fprintf(stderr, "rua: %s\n", e.message.c_str());
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}

}  // namespace

// "64m", "512k", "2g" or a byte count; 0 on a malformed size.
size_t parse_size(const char* s) {
  char* end;
  unsigned long long n = std::strtoull(s, &end, 10);
  if (end == s) return 0;
  switch (*end) {
    case 'k':
    case 'K':
      n <<= 10;
      end++;
      break;
    case 'm':
    case 'M':
      n <<= 20;
      end++;
      break;
    case 'g':
    case 'G':
      n <<= 30;
      end++;
      break;
    default: break;
  }
  return *end == '\0' ? size_t(n) : 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--list") == 0) return list_main(argv[2]);
  if (argc >= 2 && std::strcmp(argv[1], "serve") == 0) return rua::server::serve_main(argc - 1, argv + 1);  // the HTTP server
  size_t max_memory = 0;  // --max-memory SIZE (rua's own option, before lua's)
  while (argc > 1 && std::strncmp(argv[1], "--max-memory", 12) == 0) {
    const char* value = argv[1][12] == '='                  ? argv[1] + 13
                        : (argv[1][12] == '\0' && argc > 2) ? argv[2]
                                                            : nullptr;
    int used = argv[1][12] == '=' ? 1 : 2;
    max_memory = value ? parse_size(value) : 0;
    if (max_memory == 0 || (argv[1][12] != '=' && argv[1][12] != '\0')) {
      l_message(argv[0], "--max-memory needs a size such as 64m");
      return EXIT_FAILURE;
    }
    for (int i = 1; i + used <= argc; i++) argv[i] = argv[i + used];
    argc -= used;
  }
  State* L = new_state_std();
  if (L == nullptr) {
    l_message(argv[0], "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  if (max_memory) set_memory_limit(L, max_memory);
  gc(L, kGcStop);
  boost::asio::io_context ioc(1);
  auto w = std::make_unique<Worker>(L, ioc);
  worker = w.get();
  Options o{argc, argv, 0, 0};
  push_native(L, setup);
  push_light_userdata(L, &o);
  Status status = pcall(L, 1, 1, 0);
  bool result = to_boolean(L, -1);
  pop(L, 1);
  if (status != kOk) {
    report(L, status);
    result = false;
  }
  if (result) result = run(L, o);
  w.reset();
  worker = nullptr;
  close_state(L);
  return result ? EXIT_SUCCESS : EXIT_FAILURE;
}
