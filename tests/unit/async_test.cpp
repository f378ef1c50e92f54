// The async runtime with native task bodies: sleeping tasks, ordering,
// concurrency, kill and wait (the Lua-level tests are in tests/lua/async_*).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>
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

// A Lua function that sleeps (suspending its task) and returns a result.
const char* kHandler = R"(
  return function(x)
    require("rua").sleep(0.01)
    if x < 0 then error("negative") end
    return x * 2, "done"
  end
)";

void push_handler(State* L) {
  ASSERT_EQ(load_buffer(L, kHandler, "=handler"), kOk);
  call(L, 0, 1);
}

TEST_F(AsyncTest, CallWithACallbackGetsTheResultsAfterTheTaskSuspended) {
  push_handler(L);
  push_integer(L, 21);
  bool called = false;
  worker->call(1, [&](Worker::CallResult r) {
    called = true;
    EXPECT_EQ(r.status, kOk);
    ASSERT_EQ(r.nresults, 2);
    EXPECT_EQ(to_integer(r.thread, -2), 42);
    EXPECT_STREQ(to_string(r.thread, -1), "done");
  });
  EXPECT_FALSE(called);  // never from inside the call
  worker->run();
  ioc.restart();
  ioc.run();
  EXPECT_TRUE(called);
  EXPECT_EQ(get_top(L), 0);
}

TEST_F(AsyncTest, CallAsyncInACoroutineAwaitsResultsAndErrors) {
  std::vector<std::string> log;
  boost::asio::co_spawn(
      ioc,
      [&]() -> boost::asio::awaitable<void> {
        push_handler(L);
        push_integer(L, 5);
        Worker::CallResult r = co_await worker->call_async(1, boost::asio::use_awaitable);
        log.push_back(r.status == kOk ? "ok " + std::to_string(to_integer(r.thread, -2)) : "error");
        push_handler(L);
        push_integer(L, -1);
        r = co_await worker->call_async(1, boost::asio::use_awaitable);
        const char* msg = to_string(r.thread, -1);
        log.push_back(r.status != kOk && msg && std::string(msg).find("negative") != std::string::npos
                          ? "error negative"
                          : "no error");
      },
      boost::asio::detached);
  ioc.run();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "ok 10");
  EXPECT_EQ(log[1], "error negative");
}

}  // namespace
