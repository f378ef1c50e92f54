// Shared dictionaries across OS threads: every worker's state gets a handle
// on the same Dict, and concurrent updates lose nothing.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "api.hpp"
#include "lualib.hpp"
#include "shdict.hpp"

namespace {

using namespace rua;

// Runs 'code' in a fresh state with require "rua.shared"; returns "" or the error.
std::string run_in_state(const std::string& code) {
  State* L = new_state_std();
  open_libs(L);
  shdict::preload_shared(L);
  std::string out;
  if (load_buffer(L, code, "=thread") != kOk || pcall(L, 0, 0, 0) != kOk) out = to_string(L, -1);
  close_state(L);
  return out;
}

TEST(SharedDict, ConcurrentIncrFromFourStatesLosesNothing) {
  constexpr int kThreads = 4, kIters = 20000;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([t, &errors] {
      errors[t] = run_in_state(
          "local d = require('rua.shared').open('unit_concurrent')\n"
          "for i = 1, " + std::to_string(kIters) + " do\n"
          "  d:incr('hits', 1, 0)\n"
          "  d:set('w" + std::to_string(t) + "_' .. (i % 100), string.rep('x', i % 50))\n"
          "  local v = d:get('w" + std::to_string(t) + "_' .. (i % 100))\n"
          "  assert(v == string.rep('x', i % 50))\n"
          "end\n");
    });
  }
  for (auto& th : threads) th.join();
  for (auto& e : errors) EXPECT_EQ(e, "");
  std::string err;
  auto d = shdict::open_dict("unit_concurrent", shdict::kDefaultCapacity, false, &err);
  ASSERT_TRUE(d);
  shdict::Value v;
  ASSERT_TRUE(d->get("hits", v));
  EXPECT_EQ(v.kind, shdict::Value::Kind::Integer);
  EXPECT_EQ(v.i, kThreads * kIters);
  EXPECT_EQ(d->count(), size_t(1 + kThreads * 100));
}

TEST(SharedDict, EvictionUnderConcurrencyKeepsAccountingExact) {
  std::string err;
  auto d = shdict::open_dict("unit_evict", 64 * 1024, true, &err);
  ASSERT_TRUE(d);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([t, d] {
      for (int i = 0; i < 20000; i++) {
        shdict::Value v;
        v.kind = shdict::Value::Kind::String;
        v.s.assign(size_t(i % 700), 'a');
        d->set("k" + std::to_string(t) + "_" + std::to_string(i % 500), v, 0, shdict::Dict::Mode::Set);
        if (i % 7 == 0) d->remove("k" + std::to_string(1 - t) + "_" + std::to_string(i % 500));
      }
    });
  }
  for (auto& th : threads) th.join();
  // Remove everything that is left: the byte count must return to the full capacity.
  for (const std::string& k : d->keys(0)) d->remove(k);
  EXPECT_EQ(d->count(), 0u);
  EXPECT_EQ(d->free_space(), d->capacity());
}

TEST(SharedDict, SameNameOtherCapacityIsAnError) {
  std::string err;
  ASSERT_TRUE(shdict::open_dict("unit_cap", 8192, true, &err));
  EXPECT_FALSE(shdict::open_dict("unit_cap", 16384, true, &err));
  EXPECT_NE(err.find("exists with a capacity of 8192"), std::string::npos);
  EXPECT_TRUE(shdict::open_dict("unit_cap", 1, false, &err));  // no explicit capacity: the existing one
}

}  // namespace
