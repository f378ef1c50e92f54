#include "lualib.hpp"

namespace rua {

void open_libs(State* L) {
  static const Reg kLibs[] = {
      {"_G", open_base},           {"package", open_package}, {"coroutine", open_coroutine},
      {"table", open_table},       {"io", open_io},           {"os", open_os},
      {"string", open_string},     {"math", open_math},       {"utf8", open_utf8},
      {"debug", open_debug},       {nullptr, nullptr}};
  for (const Reg* lib = kLibs; lib->func; lib++) {
    require_f(L, lib->name, lib->func, true);
    pop(L, 1);
  }
}

}  // namespace rua
