// Embedding rua in a C++ program that runs on Boost.Asio: call Lua functions
// that wait on I/O (here rua.sleep) without blocking the event loop, in both
// forms the worker offers: a C++20 coroutine awaiting call_async, and a
// plain callback.
//
//   make build && build/rua_embed_example
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "api.hpp"
#include "lualib.hpp"
#include "worker.hpp"

namespace {

const char* kScript = R"(
  function greet(name)
    rua.sleep(0.05)              -- suspends this call only
    return "hello, " .. name, #name
  end
)";

// Prints what a call produced: its results, or its error message.
void print_result(const char* form, const rua::Worker::CallResult& r) {
  if (r.status != rua::kOk) {
    std::printf("%s: error: %s\n", form, rua::to_string(r.thread, -1));
    return;
  }
  std::printf("%s: %s (%lld)\n", form, rua::to_string(r.thread, -2),
              static_cast<long long>(rua::to_integer(r.thread, -1)));
}

}  // namespace

int main() {
  boost::asio::io_context ioc;
  rua::State* L = rua::new_state_std();
  rua::open_libs(L);
  {
    rua::Worker worker(L, ioc);  // registers 'rua' and owns the Lua threads
    rua::require_f(L, "rua", rua::open_rua, true);
    rua::set_global(L, "rua");
    if (rua::do_string(L, kScript) != rua::kOk) {
      std::fprintf(stderr, "%s\n", rua::to_string(L, -1));
      return 1;
    }

    // 1. A C++20 coroutine: the call suspends the coroutine, not the loop.
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
          rua::get_global(L, "greet");
          rua::push_string(L, "coroutine");
          rua::Worker::CallResult r = co_await worker.call_async(1, boost::asio::use_awaitable);
          print_result("awaitable", r);
        },
        boost::asio::detached);

    // 2. A callback, running concurrently with the coroutine's call.
    rua::get_global(L, "greet");
    rua::push_string(L, "callback");
    worker.call(1, [](rua::Worker::CallResult r) { print_result("callback", r); });

    ioc.run();  // both calls sleep 50 ms at the same time
  }
  rua::close_state(L);
  return 0;
}
