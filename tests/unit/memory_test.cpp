// The per-state memory cap (set_memory_limit, rua --max-memory): hitting it
// raises the catchable "not enough memory" error, in any allocation (strings,
// tables, the loader), and the state stays usable.
#include <gtest/gtest.h>

#include <string>

#include "api.hpp"
#include "lualib.hpp"

namespace {

using namespace rua;

class MemoryCap : public testing::Test {
 protected:
  void SetUp() override {
    L = new_state_std();
    open_libs(L);
    set_memory_limit(L, 16u << 20);
  }
  void TearDown() override { close_state(L); }
  // Runs a chunk that returns a string; returns it, or the error message.
  std::string run(const char* code) {
    if (load_buffer(L, code, "=test") != kOk) {
      std::string m = to_string(L, -1);
      pop(L, 1);
      return "load: " + m;
    }
    Status st = pcall(L, 0, 1, 0);
    const char* s = to_string(L, -1);
    std::string r = s ? s : "(not a string)";
    pop(L, 1);
    return st == kOk ? r : "error: " + r;
  }
  State* L = nullptr;
};

TEST_F(MemoryCap, HugeStringIsACatchableError) {
  EXPECT_EQ(run("local ok, e = pcall(string.rep, 'x', 64 * 1024 * 1024) return tostring(ok) .. ' ' .. e"),
            "false not enough memory");
}

TEST_F(MemoryCap, GrowingTableIsACatchableErrorAndTheStateGoesOn) {
  EXPECT_EQ(run("local t = {} local ok, e = pcall(function() for i = 1, 1e8 do t[i] = {i} end end) "
                "return tostring(ok) .. ' ' .. e"),
            "false not enough memory");
  gc(L, kGcCollect);
  EXPECT_LT(size_t(gc(L, kGcCount)) * 1024, size_t(16u << 20));
  EXPECT_EQ(run("local t = {} for i = 1, 1000 do t[i] = i end return tostring(#t)"), "1000");
}

TEST_F(MemoryCap, LoadingAHugeChunkFailsCleanly) {
  // The chunk is built without a cap; then the cap leaves too little room
  // for its prototypes (200,000 distinct string constants).
  set_memory_limit(L, 0);
  EXPECT_EQ(
      run("local parts = {} for i = 1, 200000 do parts[i] = '\"' .. i .. string.rep('y', 40) .. '\"' end "
          "CHUNK = 'return {' .. table.concat(parts, ',') .. '}' return 'built'"),
      "built");
  gc(L, kGcCollect);
  set_memory_limit(L, size_t(gc(L, kGcCount)) * 1024 + (4u << 20));
  std::string r = run("local f, e = load(CHUNK) return f and 'loaded' or e");
  EXPECT_NE(r.find("not enough memory"), std::string::npos) << r;
  EXPECT_EQ(run("CHUNK = nil return 'still ' .. 'alive'"), "still alive");
}

TEST_F(MemoryCap, NoCapMeansNoLimit) {
  set_memory_limit(L, 0);
  EXPECT_EQ(memory_limit(L), 0u);
  EXPECT_EQ(run("return tostring(#string.rep('x', 32 * 1024 * 1024))"), "33554432");
}

}  // namespace
