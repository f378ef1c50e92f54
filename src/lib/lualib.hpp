// The standard libraries. Each open_* function is a native that builds its
// library table and returns it (like luaopen_*); open_libs loads them all
// into package.loaded and the globals, as luaL_openlibs does.
#pragma once

#include "api.hpp"

namespace rua {

int open_base(State* L);       // base.cpp
int open_coroutine(State* L);  // corolib.cpp
int open_table(State* L);      // tablib.cpp
int open_io(State* L);         // iolib.cpp
int open_os(State* L);         // oslib.cpp
int open_string(State* L);     // strlib.cpp
int open_utf8(State* L);       // utf8lib.cpp
int open_math(State* L);       // mathlib.cpp
int open_debug(State* L);      // dblib.cpp
int open_package(State* L);    // loadlib.cpp

void open_libs(State* L);      // init.cpp

}  // namespace rua
