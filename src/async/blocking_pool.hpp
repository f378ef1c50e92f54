// A small pool of threads for blocking work (SQLite statements, file reads),
// shared by all workers of the process. Work runs on a pool thread; its
// result is handed back to the worker's own loop, where the waiting Lua
// thread continues — Lua state is only ever touched on its worker's thread.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <utility>

namespace rua {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads), size_(threads) {}
  ~BlockingPool() { pool_.join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // The process-wide pool; its size comes from RUA_BLOCKING_THREADS (default 4)
  // the first time it is used.
  static BlockingPool& shared();

  std::size_t size() const { return size_; }

  // Runs work() on a pool thread, then done(result) on 'home'. 'home' keeps
  // running (is not out of work) until done has run.
  template <typename Work, typename Done>
  void run(boost::asio::io_context& home, Work work, Done done) {
    auto guard = boost::asio::make_work_guard(home);
    boost::asio::post(pool_, [&home, guard = std::move(guard), work = std::move(work),
                              done = std::move(done)]() mutable {
      auto result = work();
      boost::asio::post(home, [guard = std::move(guard), done = std::move(done),
                               result = std::move(result)]() mutable { done(std::move(result)); });
    });
  }

 private:
  boost::asio::thread_pool pool_;
  std::size_t size_;
};

}  // namespace rua
