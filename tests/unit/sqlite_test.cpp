// rua.sqlite under real workers: two workers (each an OS thread with its own
// event loop and Lua state) writing one WAL database at once, and the Lua
// tests that need a worker (tests/lua/sqlite_async.lua), run as a task.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "api.hpp"
#include "json.hpp"
#include "lualib.hpp"
#include "sqlite.hpp"
#include "worker.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rua;

// A worker as the CLI sets one up: libraries, rua.json, rua.sqlite, 'rua'.
struct TestWorker {
  TestWorker() : L(new_state_std()) {
    open_libs(L);
    preload_json(L);
    preload_sqlite(L);
    worker = std::make_unique<Worker>(L, ioc);
    require_f(L, "rua", open_rua, true);
    pop(L, 1);
  }
  ~TestWorker() {
    worker.reset();
    close_state(L);
  }
  // Runs chunk as the main task with 'arg' as its one argument; the
  // error message, or "" when it returned "OK".
  std::string run(const std::string& chunk, const char* name, const std::string& arg = "") {
    if (load_buffer(L, chunk, name) != kOk) return to_string(L, -1);
    push_sv(L, arg);
    Status st = worker->run_main(1, 1);
    std::string out = to_string(L, -1) ? to_string(L, -1) : "(not a string)";
    pop(L, 1);
    if (st != kOk) return out;
    return out == "OK" ? "" : "returned " + out;
  }
  boost::asio::io_context ioc;
  State* L;
  std::unique_ptr<Worker> worker;
};

std::string temp_db() {
  char name[] = "/tmp/rua-sqlite-test-XXXXXX";
  int fd = mkstemp(name);
  close(fd);
  return name;
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

constexpr const char* kWriter = R"lua(
  local path = ...
  local sqlite = require "rua.sqlite"
  local db = assert(sqlite.open(path, {busy_timeout_ms = 20000}))
  db:exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, worker TEXT, i INTEGER)")
  local me = tostring(rua)  -- differs between the two states
  -- three tasks per worker, each with its own connection, plus this one
  local tasks = {}
  for k = 1, 3 do
    tasks[k] = rua.spawn(function()
      local c = assert(sqlite.open(path, {busy_timeout_ms = 20000}))
      for i = 1, 100 do
        c:transaction(function(tx) tx:run("INSERT INTO t (worker, i) VALUES (?, ?)", me .. k, i) end)
      end
      c:close()
    end)
  end
  for i = 1, 100 do db:run("INSERT INTO t (worker, i) VALUES (?, ?)", me, i) end
  for k = 1, 3 do rua.wait(tasks[k]) end
  db:close()
  return "OK"
)lua";

TEST(Sqlite, TwoWorkersWriteOneWalDatabaseWithoutLosingRows) {
  std::string path = temp_db();
  {
    TestWorker setup;  // create the table once, so both writers find WAL mode set
    ASSERT_EQ(setup.run("local db = require('rua.sqlite').open(...) "
                        "db:exec('CREATE TABLE t (id INTEGER PRIMARY KEY, worker TEXT, i INTEGER)') "
                        "db:close() return 'OK'",
                        "=setup", path),
              "");
  }
  std::string result[2];
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; w++) {
    threads.emplace_back([&, w] {
      TestWorker tw;
      result[w] = tw.run(kWriter, "=writer", path);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(result[0], "");
  EXPECT_EQ(result[1], "");
  TestWorker check;
  EXPECT_EQ(check.run("local db = require('rua.sqlite').open(..., {readonly = true}) "
                      "local n = db:first('SELECT count(*) AS n FROM t').n "
                      "local d = db:first(\"SELECT count(DISTINCT worker || ':' || i) AS d FROM t\").d "
                      "db:close() "
                      "assert(n == 800, 'rows: ' .. n) assert(d == 800, 'distinct: ' .. d) return 'OK'",
                      "=check", path),
            "");
  remove_db(path);
}

TEST(Sqlite, LuaTestsThatNeedAWorker) {
  fs::path script = fs::path(RUA_SOURCE_DIR) / "tests" / "lua" / "sqlite_async.lua";
  FILE* f = std::fopen(script.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  TestWorker tw;
  EXPECT_EQ(tw.run(text, "@sqlite_async.lua"), "");
}

TEST(Sqlite, StatementsRunSynchronouslyWithoutAWorker) {
  State* L = new_state_std();
  open_libs(L);
  preload_sqlite(L);
  const char* chunk =
      "local db = require('rua.sqlite').open(':memory:') "
      "db:exec('CREATE TABLE t (x)') "
      "db:transaction(function() for i = 1, 10 do db:run('INSERT INTO t VALUES (?)', i) end end) "
      "return db:first('SELECT sum(x) AS s FROM t').s";
  ASSERT_EQ(load_buffer(L, chunk, "=sync"), kOk) << to_string(L, -1);
  ASSERT_EQ(pcall(L, 0, 1, 0), kOk) << to_string(L, -1);
  EXPECT_EQ(to_integer(L, -1), 55);
  close_state(L);
}

}  // namespace
