// The keep-alive pool of a worker: idle connections by key (scheme, host,
// port, TLS name and verification, or a pool name the caller chose).
//
// It is an Asio service of the worker's io_context, so there is exactly one
// per worker, with no lock, and it goes away with the loop: its shutdown
// closes every connection the worker still has (pooled or held by Lua
// objects that the collector has not freed yet), while the loop's socket
// services are still there to close them.
//
// An idle connection leaves after its idle timeout. When taken it is checked
// with a non-blocking peek: one the server closed (or sent anything on
// unasked) is dropped for the next, rather than failing the request. (A
// readiness wait on every idle socket would notice sooner but costs an
// epoll_ctl and a wakeup per request; the peek is one recv per reuse.) The
// race left, a server closing just as the request goes, is the retry's job
// (http.lua). Taking is LIFO: the most recently used connection is the
// likeliest to be alive.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "connection.hpp"

namespace rua::http {

class ConnectionPool : public net::execution_context::service {
 public:
  static inline net::execution_context::id id;

  explicit ConnectionPool(net::execution_context& ctx) : service(ctx) {}
  static ConnectionPool& of(net::io_context& ioc);

  // An idle connection for 'key', or null.
  std::shared_ptr<Connection> take(const std::string& key);
  // Keeps 'c' for reuse for up to 'idle'; with more than 'size' idle under
  // its key, the least recently used one is closed.
  void put(std::shared_ptr<Connection> c, Millis idle, std::size_t size);
  std::size_t idle_count() const;
  std::size_t idle_count(const std::string& key) const;

  void track(Connection* c) { all_.insert(c); }
  void forget(Connection* c) { all_.erase(c); }

 private:
  void shutdown() override;
  void remove(Connection* c);

  std::unordered_map<std::string, std::list<std::shared_ptr<Connection>>> idle_;  // front: most recent
  std::unordered_set<Connection*> all_;
};

}  // namespace rua::http
