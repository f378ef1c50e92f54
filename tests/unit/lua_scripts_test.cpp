// Runs every tests/lua/*.lua script in a fresh state with the standard
// libraries. A script passes when it returns the string "OK".
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "json.hpp"
#include "lualib.hpp"
#include "shdict.hpp"
#include "sqlite.hpp"
#include "worker.hpp"

#include <boost/asio/io_context.hpp>
#include <memory>

namespace {

namespace fs = std::filesystem;
using namespace rua;

fs::path scripts_dir() { return fs::path(RUA_SOURCE_DIR) / "tests" / "lua"; }

std::vector<std::string> list_scripts() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(scripts_dir(), ec))
    if (e.path().extension() == ".lua") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

int traceback_handler(State* L) {
  const char* msg = to_string(L, 1);
  if (msg == nullptr) msg = push_fstring(L, "(error object is a %s value)", type_name_of(L, type(L, 1)));
  traceback(L, L, msg, 1);
  return 1;
}

class LuaScript : public testing::TestWithParam<std::string> {};

// Scripts named async_* need the event loop: they run as the main task of a
// worker, as the CLI runs scripts; the others run in a plain state.
bool needs_worker(const std::string& name) { return name.rfind("async_", 0) == 0; }

TEST_P(LuaScript, ReturnsOK) {
  fs::path old = fs::current_path();
  fs::current_path(scripts_dir());  // scripts may load files next to them
  State* L = new_state_std();
  ASSERT_NE(L, nullptr);
  open_libs(L);
  preload_json(L);    // require "rua.json"
  preload_sqlite(L);  // require "rua.sqlite"
  shdict::preload_shared(L);  // require "rua.shared"
  std::string file = GetParam() + ".lua";
  Status st;
  std::string result;
  if (needs_worker(GetParam())) {
    boost::asio::io_context ioc;
    auto worker = std::make_unique<Worker>(L, ioc);
    require_f(L, "rua", open_rua, true);
    pop(L, 1);
    st = load_file(L, file.c_str());
    ASSERT_EQ(st, kOk) << to_string(L, -1);
    st = worker->run_main(0, 1);
    result = to_string(L, -1) ? to_string(L, -1) : "(not a string)";
    worker->run();  // threads still alive finish before the state closes
    worker.reset();
  } else {
    push_native(L, traceback_handler);
    st = load_file(L, file.c_str());
    ASSERT_EQ(st, kOk) << to_string(L, -1);
    st = pcall(L, 0, 1, 1);
    result = to_string(L, -1) ? to_string(L, -1) : "(not a string)";
  }
  EXPECT_EQ(st, kOk) << result;
  if (st == kOk) EXPECT_EQ(result, "OK");
  gc(L, kGcCollect);
  close_state(L);
  fs::current_path(old);
}

INSTANTIATE_TEST_SUITE_P(Scripts, LuaScript, testing::ValuesIn(list_scripts()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace_if(
                               n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LuaScript);

}  // namespace
