// Calls, protected calls, continuations and coroutine switches driven by
// native functions only (the front end is tested elsewhere).
#include <gtest/gtest.h>

#include <string>

#include "api.hpp"
#include "lualib.hpp"

namespace {

using namespace rua;

class CallTest : public testing::Test {
 protected:
  void SetUp() override {
    L = new_state_std();
    open_base(L);
    pop(L, 1);
    require_f(L, "coroutine", open_coroutine, true);
    pop(L, 1);
  }
  void TearDown() override { close_state(L); }
  State* L = nullptr;
};

int add_two(State* L) {
  push_integer(L, check_integer(L, 1) + check_integer(L, 2));
  return 1;
}

int fails(State* L) { errorf(L, "boom %d", 42); }

TEST_F(CallTest, CallAndPcallOfNatives) {
  push_native(L, add_two);
  push_integer(L, 2);
  push_integer(L, 3);
  call(L, 2, 1);
  EXPECT_EQ(to_integer(L, -1), 5);
  pop(L, 1);
  push_native(L, fails);
  EXPECT_EQ(pcall(L, 0, 0, 0), kErrRun);
  EXPECT_STREQ(to_string(L, -1), "boom 42");
  pop(L, 1);
}

TEST_F(CallTest, BasePcallUsesContinuation) {
  get_global(L, "pcall");
  push_native(L, fails);
  call(L, 1, 2);
  EXPECT_FALSE(to_boolean(L, -2));
  EXPECT_STREQ(to_string(L, -1), "boom 42");
  pop(L, 2);
  get_global(L, "pcall");
  push_native(L, add_two);
  push_integer(L, 1);
  push_integer(L, 1);
  call(L, 3, kMultRet);
  ASSERT_EQ(get_top(L), 2);
  EXPECT_TRUE(to_boolean(L, 1));
  EXPECT_EQ(to_integer(L, 2), 2);
  set_top(L, 0);
}

int yield_twice_k(State* L, int, intptr_t ctx) {
  if (ctx == 1) {
    push_integer(L, 20);
    return yield_k(L, 1, 2, yield_twice_k);
  }
  push_string(L, "done");
  return 1;
}

int yield_twice(State* L) {
  push_integer(L, 10);
  return yield_k(L, 1, 1, yield_twice_k);
}

TEST_F(CallTest, HostResumeOfNativeCoroutine) {
  State* co = new_thread(L);
  push_native(co, yield_twice);
  int nres = 0;
  EXPECT_EQ(resume(co, L, 0, &nres), kYield);
  ASSERT_EQ(nres, 1);
  EXPECT_EQ(to_integer(co, -1), 10);
  pop(co, 1);
  EXPECT_EQ(resume(co, L, 0, &nres), kYield);
  EXPECT_EQ(to_integer(co, -1), 20);
  pop(co, 1);
  EXPECT_EQ(resume(co, L, 0, &nres), kOk);
  ASSERT_EQ(nres, 1);
  EXPECT_STREQ(to_string(co, -1), "done");
  pop(co, 1);
  EXPECT_EQ(resume(co, L, 0, &nres), kErrRun);
  EXPECT_STREQ(to_string(co, -1), "cannot resume dead coroutine");
}

TEST_F(CallTest, CoroutineWrapFromNativeCode) {
  get_global(L, "coroutine");
  get_field(L, -1, "wrap");
  push_native(L, yield_twice);
  call(L, 1, 1);  // the wrap function
  for (int expect : {10, 20}) {
    push_value(L, -1);
    call(L, 0, 1);
    EXPECT_EQ(to_integer(L, -1), expect);
    pop(L, 1);
  }
  push_value(L, -1);
  call(L, 0, 1);
  EXPECT_STREQ(to_string(L, -1), "done");
  pop(L, 1);
  push_value(L, -1);
  EXPECT_EQ(pcall(L, 0, 0, 0), kErrRun);
  EXPECT_NE(std::string(to_string(L, -1)).find("cannot resume dead coroutine"), std::string::npos);
  set_top(L, 0);
}

TEST_F(CallTest, YieldOutsideCoroutineIsAnError) {
  get_global(L, "coroutine");
  get_field(L, -1, "yield");
  EXPECT_EQ(pcall(L, 0, 0, 0), kErrRun);
  EXPECT_NE(std::string(to_string(L, -1)).find("outside a coroutine"), std::string::npos);
  set_top(L, 0);
}

}  // namespace
