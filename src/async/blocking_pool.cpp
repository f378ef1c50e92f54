#include "blocking_pool.hpp"

#include <cstdlib>

namespace rua {

BlockingPool& BlockingPool::shared() {
  static BlockingPool pool([] {
    const char* env = std::getenv("RUA_BLOCKING_THREADS");
    long n = env ? std::strtol(env, nullptr, 10) : 4;
    return std::size_t(n >= 1 && n <= 256 ? n : 4);
  }());
  return pool;
}

}  // namespace rua
