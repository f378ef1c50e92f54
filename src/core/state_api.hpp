// Creating and closing states and threads.
#pragma once

#include "state.hpp"

namespace rua {

constexpr int kRegistryGlobals = 2;
constexpr int kRegistryMainThread = 3;

// A new state with the given allocator (null: malloc/free) and string-hash
// seed (0: random). Returns null if memory is short.
State* state_new(AllocFn f = nullptr, void* ud = nullptr, uint32_t seed = 0);
// Closes the state: closes pending to-be-closed variables, runs every
// pending finalizer and frees all memory.
void state_close(State* L);
State* thread_new(State* L, int stack_size = kBasicStackSize);
void warning(State* L, const char* msg, bool tocont);

}  // namespace rua
