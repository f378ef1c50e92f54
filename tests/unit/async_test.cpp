// The async runtime with native task bodies: sleeping tasks, ordering,
// concurrency, kill and wait (the Lua-level tests are in tests/lua/async_*).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

#include "api.hpp"
#include "lualib.hpp"
#include "worker.hpp"

namespace {

using namespace rua;

std::vector<int>* order = nullptr;

// body(id, seconds): sleeps, then records id
int after_sleep(State* L, int, intptr_t id) {
  order->push_back(int(id));
  push_integer(L, id * 10);
  return 1;
}

int sleeper(State* L) {
  lua_Integer id = check_integer(L, 1);
  lua_Number secs = check_number(L, 2);
  get_global(L, "rua");
  get_field(L, -1, "sleep");
  push_number(L, secs);
  return call_k(L, 1, 0, intptr_t(id), after_sleep);
}

class AsyncTest : public testing::Test {
 protected:
  void SetUp() override {
    L = new_state_std();
    open_libs(L);
    worker = std::make_unique<Worker>(L, ioc);
    require_f(L, "rua", open_rua, true);
    pop(L, 1);
    order = &seen;
  }
  void TearDown() override {
    worker.reset();
    close_state(L);
    order = nullptr;
  }
  void spawn_sleeper(int id, double secs) {
    get_global(L, "rua");
    get_field(L, -1, "spawn");
    push_native(L, sleeper);
    push_integer(L, id);
    push_number(L, secs);
    call(L, 3, 1);
    remove(L, -2);  // leave the handle
  }
  boost::asio::io_context ioc;
  State* L = nullptr;
  std::unique_ptr<Worker> worker;
  std::vector<int> seen;
};

TEST_F(AsyncTest, SleepsEndInOrderOfDeadline) {
  spawn_sleeper(1, 0.03);
  spawn_sleeper(2, 0.01);
  spawn_sleeper(3, 0.02);
  set_top(L, 0);
  worker->run();
  EXPECT_EQ(seen, (std::vector<int>{2, 3, 1}));
}

TEST_F(AsyncTest, ManyConcurrentSleepersTakeTheLongestSleepNotTheSum) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; i++) {
    spawn_sleeper(i, 0.05);
    pop(L, 1);
  }
  worker->run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_LT(secs, 2.0);  // 10,000 x 50 ms would be 500 s if they ran one after another
}

TEST_F(AsyncTest, KillStopsASleepingThread) {
  spawn_sleeper(1, 0.05);  // handle on the stack
  get_global(L, "rua");
  get_field(L, -1, "kill");
  push_value(L, 1);
  call(L, 1, 1);
  EXPECT_TRUE(to_boolean(L, -1));
  set_top(L, 0);
  worker->run();
  EXPECT_TRUE(seen.empty());
}

}  // namespace
