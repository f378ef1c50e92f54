#include "pool.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace rua::http {

ConnectionPool& ConnectionPool::of(net::io_context& ioc) {
  if (!net::has_service<ConnectionPool>(ioc)) {
    // Services shut down in the reverse order of their creation: make sure
    // the socket, timer and resolver services exist before the pool, so they
    // are still up when the pool's shutdown closes its sockets.
    tcp::socket s(ioc);
    net::steady_timer t(ioc);
    tcp::resolver r(ioc);
  }
  return net::use_service<ConnectionPool>(ioc);
}

std::shared_ptr<Connection> ConnectionPool::take(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  std::shared_ptr<Connection> c;
  while (!list.empty() && !c) {
    c = std::move(list.front());
    list.pop_front();
    c->stop_watching();
    if (!c->idle_and_alive()) {  // closed by the server while idle
      c->close();
      c.reset();
    }
  }
  if (list.empty()) idle_.erase(it);
  if (c) c->reused++;
  return c;
}

void ConnectionPool::put(std::shared_ptr<Connection> c, Millis idle, std::size_t size) {
  Connection* raw = c.get();
  auto& list = idle_[c->pool_key];
  list.push_front(std::move(c));
  raw->watch_idle(idle, [this, raw] { remove(raw); });
  while (list.size() > std::max<std::size_t>(size, 1)) {
    list.back()->stop_watching();
    list.back()->close();
    list.pop_back();
  }
}

void ConnectionPool::remove(Connection* c) {
  auto it = idle_.find(c->pool_key);
  if (it == idle_.end()) return;
  auto& list = it->second;
  for (auto i = list.begin(); i != list.end(); ++i) {
    if (i->get() != c) continue;
    std::shared_ptr<Connection> keep = std::move(*i);
    list.erase(i);
    if (list.empty()) idle_.erase(it);
    keep->close();
    return;
  }
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

std::size_t ConnectionPool::idle_count(const std::string& key) const {
  auto it = idle_.find(key);
  return it == idle_.end() ? 0 : it->second.size();
}

void ConnectionPool::shutdown() {
  for (Connection* c : all_) c->drop_io();
  all_.clear();
  idle_.clear();
}

}  // namespace rua::http
