#include "server.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <type_traits>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <future>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "json.hpp"
#include "lualib.hpp"
#include "sqlite.hpp"
#include "web.hpp"
#include "worker.hpp"

namespace rua::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using Clock = std::chrono::steady_clock;

// What the worker sees of a connection (plain or TLS).
class Conn {
 public:
  virtual ~Conn() = default;
  virtual void drain() = 0;
  virtual void on_timeout() = 0;
  virtual std::chrono::steady_clock::time_point deadline() const = 0;
  virtual void close() = 0;
};

// Sockets bound to the worker's io_context's executor type (no type-erased
// executor on the hot path).
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
using Acceptor = asio::basic_socket_acceptor<tcp, asio::io_context::executor_type>;
using TlsStream = asio::ssl::stream<Socket>;

void append_num(std::string& s, uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  s.append(buf, size_t(r.ptr - buf));
}

// One worker: a thread, a loop, a Lua state with the app, a listener.
class ServerWorker {
 public:
  ServerWorker(const Config& cfg, int id) : cfg_(cfg), id_(id) {}

  // Loads the app and binds; on failure 'error' says why.
  bool start(uint16_t port, std::string& error, uint16_t* bound);
  void run();
  // From any thread: stop accepting, finish in-flight requests, then stop.
  void drain() {
    asio::post(*ioc_, [this] { begin_drain(); });
  }
  void force_stop() { ioc_->stop(); }
  void teardown();

  const Config& cfg() const { return cfg_; }
  int id() const { return id_; }
  bool started = false;  // start() succeeded: its loop runs until drained
  State* L() const { return L_; }
  Worker& worker() { return *worker_; }
  web::App& app() { return app_; }
  bool draining() const { return draining_; }
  uint64_t next_request() { return ++requests_; }
  std::string_view date();

  void add(Conn* c) { conns_.insert(c); }
  void remove(Conn* c);

 private:
  void accept();
  void sweep();
  void begin_drain();

  const Config& cfg_;
  int id_;
  std::unique_ptr<asio::io_context> ioc_;
  State* L_ = nullptr;
  std::unique_ptr<Worker> worker_;
  web::App app_;
  std::optional<Acceptor> acceptor_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::optional<asio::steady_timer> deadline_;
  std::optional<asio::steady_timer> sweeper_;
  std::unordered_set<Conn*> conns_;
  bool draining_ = false;
  bool tearing_down_ = false;
  uint64_t requests_ = 0;
  time_t date_sec_ = 0;
  char date_[64] = {};
  size_t date_len_ = 0;
};

std::string_view ServerWorker::date() {
  time_t now = std::time(nullptr);
  if (now != date_sec_) {
    date_sec_ = now;
    struct tm tm;
    gmtime_r(&now, &tm);
    date_len_ = std::strftime(date_, sizeof date_, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return std::string_view(date_, date_len_);
}

// JSON string escaping for the access log.
void json_escape(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
}

// One client connection: reads requests one after the other (pipelined
// ones wait in the buffer, so answers go out in order), runs each as a task,
// writes the answer.
template <class Stream>
class ConnT : public Conn, public std::enable_shared_from_this<ConnT<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, Socket>;
  Socket& sock() {
    if constexpr (kTls)
      return stream_.next_layer();
    else
      return stream_;
  }

 public:
  template <class... Extra>
  ConnT(ServerWorker& w, Socket socket, Extra&... extra) : w_(w), stream_(std::move(socket), extra...) {
    w_.add(this);
    beast::error_code ec;
    auto ep = sock().remote_endpoint(ec);
    if (!ec) ex_.remote_addr = ep.address().to_string();
    ex_.worker_id = w.id();
    ex_.stream = [this](std::string_view chunk, std::function<void(bool)> done) {
      stream_chunk(chunk, std::move(done));
    };
    sock().set_option(tcp::no_delay(true), ec);
  }
  ~ConnT() override {
    if (ex_.slot_id) w_.app().release(ex_);
    w_.remove(this);
  }

  void start() {
    if constexpr (kTls) {
      deadline_ = Clock::now() + timeout();
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->deadline_ = Clock::time_point::max();
        if (ec) return self->close();
        self->read();
      });
    } else {
      read();
    }
  }

  // Draining: an idle connection closes now, a busy one after its answer.
  void drain() override {
    if (!busy_ && !got_bytes()) close();
  }

 private:
  bool got_bytes() const { return buf_.size() > 0 || (parser_ && parser_->got_some()); }

  void read() {
    ex_.reset();
    head_sent_ = false;
    body_bytes_ = 0;
    parser_.emplace();
    parser_->header_limit(std::uint32_t(std::min<size_t>(w_.cfg().max_header, UINT32_MAX)));
    parser_->body_limit(w_.cfg().max_body);
    deadline_ = Clock::now() + timeout();
    http::async_read_header(stream_, buf_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  // The worker's sweep found the deadline passed: cancel what is pending;
  // its handler sees timed_out_.
 public:
  void on_timeout() override {
    timed_out_ = true;
    deadline_ = Clock::time_point::max();
    beast::error_code ignored;
    sock().cancel(ignored);
  }
  Clock::time_point deadline() const override { return deadline_; }

 private:

  std::chrono::steady_clock::duration timeout() const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(w_.cfg().timeout));
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_error(ec);
    auto& m = parser_->get();
    auto expect = m[http::field::expect];
    if (!expect.empty()) {
      if (!beast::iequals(expect, "100-continue")) return fail(417, "Expectation Failed");
      if (!parser_->is_done()) {
        auto self = this->shared_from_this();
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        return asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                                 [self](beast::error_code ec, size_t) {
                                   if (ec) return self->close();
                                   self->read_body();
                                 });
      }
    }
    if (parser_->is_done()) return on_request();
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buf_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->on_error(ec);
      self->on_request();
    });
  }

  void on_error(beast::error_code ec) {
    if (ec == http::error::header_limit) return fail(431, "Request Header Fields Too Large");
    if (ec == http::error::body_limit) return fail(413, "Content Too Large");
    if (timed_out_) {
      timed_out_ = false;
      if (got_bytes() && !w_.draining()) return fail(408, "Request Timeout");
      return close();
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
    if (&ec.category() == &http::make_error_code(http::error::bad_target).category())
      return fail(400, "Bad Request");
    close();
  }

  // An answer from the server itself; the connection closes after it.
  void fail(int status, std::string_view text) {
    keep_alive_ = false;
    ex_.out_headers.clear();
    ex_.has_content_type = false;
    ex_.status = status;
    ex_.out_body.assign(text);
    ex_.add_header("Content-Type", "text/plain; charset=utf-8");
    if (ex_.method.empty() && parser_) {
      // the request line may be there (for the log)
      auto& m = parser_->get();
      ex_.method = m.method_string();
      ex_.target = m.target();
      ex_.path = ex_.target.substr(0, ex_.target.find('?'));
    }
    start_ = Clock::now();
    write();
  }

  void on_request() {
    busy_ = true;
    start_ = Clock::now();
    deadline_ = Clock::time_point::max();  // the handler's time is not the client's
    auto& m = parser_->get();
    ex_.method = m.method_string();
    ex_.target = m.target();
    size_t q = ex_.target.find('?');
    if (q == std::string_view::npos) {
      ex_.path = ex_.target;
    } else {
      ex_.path = ex_.target.substr(0, q);
      ex_.query = ex_.target.substr(q + 1);
    }
    for (auto& f : m) ex_.headers.emplace_back(f.name_string(), f.value());
    ex_.body = m.body();
    ex_.number = w_.next_request();
    ex_.head = m.method() == http::verb::head;
    keep_alive_ = m.keep_alive() && !w_.draining();
    http10_ = m.version() < 11;

    int handler = 0;
    web::Match match = w_.app().route(ex_, &handler);
    if (match != web::Match::Found && !w_.app().has_middleware()) {
      if (match == web::Match::NotFound) {
        ex_.status = 404;
        ex_.out_body = "Not Found";
      } else {
        ex_.status = 405;
        ex_.out_body = "Method Not Allowed";
        ex_.add_header("Allow", ex_.allow);
      }
      ex_.add_header("Content-Type", "text/plain; charset=utf-8");
      return write();
    }
    State* L = w_.L();
    int nargs = w_.app().push_call(L, ex_, match, handler);
    w_.worker().call(nargs, [self = this->shared_from_this()](Worker::CallResult r) { self->on_done(r); });
  }

  void on_done(Worker::CallResult& r) {
    w_.app().release(ex_);
    if (ex_.streaming) {
      if (r.status != kOk) log_error(r);
      return end_stream(r.status == kOk);
    }
    if (r.status != kOk) {
      ex_.out_headers.clear();
      ex_.has_content_type = false;
      if (ex_.bad_json) {
        ex_.status = 400;
        ex_.out_body = R"({"error":"invalid json"})";
        ex_.add_header("Content-Type", "application/json");
      } else {
        log_error(r);
        ex_.status = 500;
        ex_.out_body = "Internal Server Error";
        ex_.add_header("Content-Type", "text/plain; charset=utf-8");
      }
    }
    write();
  }

  // The status line and headers; 'length' -1: a chunked body follows, -2: no body.
  void build_head(std::string& o, long long length) {
    o += http10_ ? "HTTP/1.0 " : "HTTP/1.1 ";
    append_num(o, uint64_t(ex_.status));
    o += ' ';
    std::string_view why = web::reason(ex_.status);
    o += why.empty() ? "Unknown" : why;
    o += "\r\n";
    for (auto& [n, v] : ex_.out_headers) {
      o += n;
      o += ": ";
      o += v;
      o += "\r\n";
    }
    if (length >= 0) {
      o += "Content-Length: ";
      append_num(o, uint64_t(length));
      o += "\r\n";
    } else if (length == -1 && !http10_) {
      o += "Transfer-Encoding: chunked\r\n";
    }
    o += "Date: ";
    o += w_.date();
    o += "\r\n";
    if (!keep_alive_)
      o += "Connection: close\r\n";
    else if (http10_)
      o += "Connection: keep-alive\r\n";
    o += "\r\n";
  }

  void log_error(Worker::CallResult& r) {
    const char* msg = to_string(r.thread, -1);
    std::fprintf(stderr, "rua: error in handler of %.*s %.*s: %s\n", int(ex_.method.size()), ex_.method.data(),
                 int(ex_.path.size()), ex_.path.data(), msg ? msg : "(error object is not a string)");
    std::fflush(stderr);
  }

  void write() {
    out_.clear();
    bool no_body = ex_.status < 200 || ex_.status == 204 || ex_.status == 304;
    if (no_body) {
      build_head(out_, -2);
    } else {
      build_head(out_, (long long)ex_.out_body.size());
    }
    body_bytes_ = 0;
    if (!no_body && !ex_.head) {
      out_ += ex_.out_body;
      body_bytes_ = ex_.out_body.size();
    }
    send_out();
  }

  void send_out() {
    deadline_ = Clock::now() + timeout();
    asio::async_write(stream_, asio::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_write(ec);
    });
  }

  // res:write: the head with the first chunk, then one chunk per call.
  void stream_chunk(std::string_view chunk, std::function<void(bool)> done) {
    if (broken_) {
      asio::post(stream_.get_executor(), [done = std::move(done)] { done(false); });
      return;
    }
    std::string& o = chunk_;
    o.clear();
    if (!head_sent_) {
      head_sent_ = true;
      if (http10_) keep_alive_ = false;  // the body ends when the connection closes
      build_head(o, -1);
    }
    if (!ex_.head && !chunk.empty()) {
      if (!http10_) {
        char hex[20];
        auto r = std::to_chars(hex, hex + sizeof hex, chunk.size(), 16);
        o.append(hex, size_t(r.ptr - hex));
        o += "\r\n";
      }
      o += chunk;
      if (!http10_) o += "\r\n";
      body_bytes_ += chunk.size();
    }
    deadline_ = Clock::now() + timeout();
    asio::async_write(stream_, asio::buffer(o), [self = this->shared_from_this(), done = std::move(done)](beast::error_code ec, size_t) {
      self->deadline_ = Clock::time_point::max();
      if (ec) self->broken_ = true;
      done(!ec);
    });
  }

  // The handler of a streamed response is over: the last chunk.
  void end_stream(bool ok) {
    out_.clear();
    if (!ok || broken_) {
      keep_alive_ = false;
      return on_write(beast::error_code(asio::error::connection_aborted));
    }
    if (!http10_ && !ex_.head) out_ += "0\r\n\r\n";
    send_out();
  }

  void on_write(beast::error_code ec) {
    deadline_ = Clock::time_point::max();
    log();
    busy_ = false;
    if (ec) return close();
    if (!keep_alive_ || w_.draining()) {
      beast::error_code ignored;
      sock().shutdown(asio::socket_base::shutdown_send, ignored);
      return close();
    }
    read();
  }

  void log() {
    LogFormat f = w_.cfg().log;
    if (f == LogFormat::Off) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    std::string& line = log_;
    line.clear();
    if (f == LogFormat::Text) {
      line += ex_.remote_addr.empty() ? "-" : ex_.remote_addr;
      line += ' ';
      line += ex_.method.empty() ? "-" : ex_.method;
      line += ' ';
      for (char c : ex_.target) line += (c < 0x20 || c == 0x7f) ? '?' : c;
      if (ex_.target.empty()) line += '-';
      line += ' ';
      append_num(line, uint64_t(ex_.status));
      line += ' ';
      append_num(line, body_bytes_);
      line += ' ';
      append_num(line, uint64_t(us));
      line += "us\n";
    } else {
      line += "{\"time\":";
      append_num(line, uint64_t(std::time(nullptr)));
      line += ",\"worker\":";
      append_num(line, uint64_t(w_.id()));
      line += ",\"remote\":\"";
      json_escape(line, ex_.remote_addr);
      line += "\",\"method\":\"";
      json_escape(line, ex_.method);
      line += "\",\"path\":\"";
      json_escape(line, ex_.target);
      line += "\",\"status\":";
      append_num(line, uint64_t(ex_.status));
      line += ",\"bytes\":";
      append_num(line, body_bytes_);
      line += ",\"us\":";
      append_num(line, uint64_t(us));
      line += "}\n";
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 public:
  void close() override {
    beast::error_code ignored;
    sock().close(ignored);
  }

 private:
  ServerWorker& w_;
  Stream stream_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  web::Exchange ex_;
  std::string out_;
  std::string chunk_;
  std::string log_;
  size_t body_bytes_ = 0;
  Clock::time_point start_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool keep_alive_ = true;
  bool http10_ = false;
  bool busy_ = false;
  bool timed_out_ = false;
  bool head_sent_ = false;  // streaming: the head went out
  bool broken_ = false;     // streaming: a write failed
};

void ServerWorker::remove(Conn* c) {
  conns_.erase(c);
  if (draining_ && conns_.empty() && !tearing_down_) ioc_->stop();
}

// Runs the app file and its on_start functions; errors are left on L's top.
Status load_app(State* L, Worker& w, web::App& app, const std::string& path, int id) {
  Status st = load_file(L, path.c_str(), "bt");
  if (st != kOk) return st;
  // (each run_main below needs a loop that is not stopped: one that ran out
  // of work, as after a chunk that waited on the blocking pool, is)
  w.ioc().restart();
  st = w.run_main(0, 1);
  if (st != kOk) return st;
  // app.load in protected mode
  push_native(L, [](State* L) -> int {
    auto* app = static_cast<web::App*>(to_userdata(L, 1));
    push_value(L, 2);
    app->load(L);
    return 0;
  });
  insert(L, -2);
  push_light_userdata(L, &app);
  insert(L, -2);
  st = pcall(L, 2, 0, 0);
  if (st != kOk) return st;
  app.push_on_start(L);
  push_integer(L, id);
  w.ioc().restart();
  return w.run_main(2, 0);
}

bool ServerWorker::start(uint16_t port, std::string& error, uint16_t* bound) {
  ioc_ = std::make_unique<asio::io_context>(1);
  L_ = new_state_std();
  if (L_ == nullptr) {
    error = "cannot create state: not enough memory";
    return false;
  }
  worker_ = std::make_unique<Worker>(L_, *ioc_);
  open_libs(L_);
  preload_json(L_);
  preload_sqlite(L_);
  preload_web(L_);
  require_f(L_, "rua", open_rua, true);
  pop(L_, 1);
  if (load_app(L_, *worker_, app_, cfg_.app_path, id_) != kOk) {
    const char* msg = to_string(L_, -1);
    error = msg ? msg : std::string("(error object is a ") + type_name_of(L_, type(L_, -1)) + " value)";
    pop(L_, 1);
    return false;
  }
  set_top(L_, 0);
  if (!cfg_.tls_cert.empty()) {
    try {
      tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                        asio::ssl::context::single_dh_use);
      tls_->use_certificate_chain_file(cfg_.tls_cert);
      tls_->use_private_key_file(cfg_.tls_key, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      error = "TLS certificate '" + cfg_.tls_cert + "' / key '" + cfg_.tls_key + "': " + e.what();
      return false;
    }
  }
  try {
    tcp::endpoint ep(asio::ip::make_address(cfg_.host), port);
    acceptor_.emplace(ioc_->get_executor());
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    int one = 1;
    if (::setsockopt(acceptor_->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      throw std::runtime_error("SO_REUSEPORT: " + std::string(std::strerror(errno)));
    acceptor_->bind(ep);
    acceptor_->listen(asio::socket_base::max_listen_connections);
    *bound = acceptor_->local_endpoint().port();
  } catch (const std::exception& e) {
    error = "cannot listen on " + cfg_.host + ":" + std::to_string(port) + ": " + e.what();
    return false;
  }
  return true;
}

void ServerWorker::accept() {
  acceptor_->async_accept([this](beast::error_code ec, Socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
      // EMFILE and the like: try again shortly rather than spin
      auto t = std::make_shared<asio::steady_timer>(*ioc_, std::chrono::milliseconds(50));
      t->async_wait([this, t](beast::error_code) {
        if (acceptor_->is_open()) accept();
      });
      return;
    }
    if (conns_.size() >= cfg_.max_connections) {
      static const char k503[] =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
          "19\r\nConnection: close\r\n\r\nService Unavailable";
      beast::error_code ignored;
      sock.non_blocking(true, ignored);
      sock.write_some(asio::buffer(k503, sizeof k503 - 1), ignored);
      sock.shutdown(asio::socket_base::shutdown_send, ignored);
      sock.close(ignored);
    } else {
      if (tls_)
        std::make_shared<ConnT<TlsStream>>(*this, std::move(sock), *tls_)->start();
      else
        std::make_shared<ConnT<Socket>>(*this, std::move(sock))->start();
    }
    accept();
  });
}

void ServerWorker::sweep() {
  auto period = std::chrono::milliseconds(std::clamp(int(cfg_.timeout * 250), 10, 250));
  sweeper_->expires_after(period);
  sweeper_->async_wait([this](beast::error_code ec) {
    if (ec) return;
    auto now = Clock::now();
    std::vector<Conn*> late;
    for (Conn* c : conns_)
      if (c->deadline() <= now) late.push_back(c);
    for (Conn* c : late) c->on_timeout();
    sweep();
  });
}

void ServerWorker::run() {
  sweeper_.emplace(*ioc_);
  sweep();
  accept();
  ioc_->restart();  // running the app's main chunk may have left the loop stopped (out of work)
  ioc_->run();
}

void ServerWorker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  beast::error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  if (sweeper_) sweeper_->cancel();
  if (conns_.empty()) return ioc_->stop();
  std::vector<Conn*> list(conns_.begin(), conns_.end());
  for (Conn* c : list) c->drain();
  deadline_.emplace(*ioc_, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg_.drain)));
  deadline_->async_wait([this](beast::error_code ec) {
    if (!ec) ioc_->stop();
  });
}

void ServerWorker::teardown() {
  tearing_down_ = true;
  acceptor_.reset();
  deadline_.reset();
  sweeper_.reset();
  std::vector<Conn*> list(conns_.begin(), conns_.end());
  for (Conn* c : list) c->close();
  // Pending handlers hold tasks and connections: destroying the loop frees
  // them while the Lua state is still there; then the state goes.
  worker_.reset();
  ioc_.reset();
  if (L_) close_state(L_);
  L_ = nullptr;
}

double parse_seconds(const char* s) {
  char* end;
  double v = std::strtod(s, &end);
  if (end == s || v <= 0) return -1;
  if (std::strcmp(end, "ms") == 0) return v / 1000;
  if (*end == '\0' || std::strcmp(end, "s") == 0) return v;
  if (std::strcmp(end, "m") == 0) return v * 60;
  return -1;
}

size_t parse_bytes(const char* s) {
  char* end;
  unsigned long long n = std::strtoull(s, &end, 10);
  if (end == s) return 0;
  switch (*end) {
    case 'k': case 'K': n <<= 10; end++; break;
    case 'm': case 'M': n <<= 20; end++; break;
    case 'g': case 'G': n <<= 30; end++; break;
    default: break;
  }
  return *end == '\0' ? size_t(n) : 0;
}

void usage() {
  std::fprintf(stderr,
               "usage: rua serve app.lua [options]\n"
               "  --host ADDR        address to listen on (127.0.0.1)\n"
               "  --port N           port (8080; 0: any free port)\n"
               "  --workers N        worker threads (the number of cores)\n"
               "  --max-body SIZE    largest request body (1m; beyond: 413)\n"
               "  --max-header SIZE  largest request head (16k; beyond: 431)\n"
               "  --timeout T        time to receive a request, idle keep-alive (60s; 408)\n"
               "  --max-conns N      connections per worker (10000; beyond: 503)\n"
               "  --drain T          on SIGTERM/SIGINT, time to finish requests (10s)\n"
               "  --log FORMAT       access log on stdout: text, json or off (text)\n"
               "  --tls-cert FILE    certificate chain (PEM): serve HTTPS\n"
               "  --tls-key FILE     its private key (PEM)\n");
}

}  // namespace

int serve(const Config& cfg) {
  int n = cfg.workers > 0 ? cfg.workers : int(std::max(1u, std::thread::hardware_concurrency()));
  // Signals go to the main thread only (sigwait below).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::vector<std::unique_ptr<ServerWorker>> workers;
  std::vector<std::thread> threads;
  std::atomic<int> finished{0};
  std::atomic<bool> failed{false};
  uint16_t port = cfg.port;
  std::mutex mu;
  std::string first_error;

  auto launch = [&](int id, std::promise<uint16_t>* ready) {
    workers.push_back(std::make_unique<ServerWorker>(cfg, id));
    ServerWorker* w = workers.back().get();
    threads.emplace_back([&, w, ready, p = port] {
      std::string err;
      uint16_t bound = 0;
      bool ok = w->start(p, err, &bound);
      w->started = ok;
      if (!ok) {
        std::lock_guard lk(mu);
        if (first_error.empty()) first_error = err;
        failed = true;
      }
      ready->set_value(ok ? bound : 0);
      if (ok) w->run();
      w->teardown();
      finished++;
    });
  };

  std::vector<std::promise<uint16_t>> promises(static_cast<size_t>(n));
  launch(0, &promises[0]);
  uint16_t bound = promises[0].get_future().get();
  if (bound != 0) {
    port = bound;
    for (int i = 1; i < n; i++) launch(i, &promises[size_t(i)]);
    for (int i = 1; i < n; i++) promises[size_t(i)].get_future().wait();
  }
  if (failed) {
    for (auto& w : workers)
      if (w->started) w->drain();
    for (auto& t : threads) t.join();
    std::fprintf(stderr, "rua: %s\n", first_error.c_str());
    return EXIT_FAILURE;
  }
  std::printf("rua: serving %s on %s://%s:%u (%d worker%s)\n", cfg.app_path.c_str(),
              cfg.tls_cert.empty() ? "http" : "https", cfg.host.c_str(), unsigned(port), n, n == 1 ? "" : "s");
  std::fflush(stdout);

  bool draining = false;
  while (finished < n) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      if (!draining) {
        draining = true;
        for (auto& w : workers) w->drain();
      } else {
        for (auto& w : workers) w->force_stop();
      }
    }
  }
  for (auto& t : threads) t.join();
  return EXIT_SUCCESS;
}

int serve_main(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    std::string value;
    bool has_value = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_value = true;
      } else if (a != "--help" && i + 1 < argc) {
        value = argv[++i];
        has_value = true;
      }
      if (a == "--help") {
        usage();
        return EXIT_SUCCESS;
      }
      if (!has_value) {
        std::fprintf(stderr, "rua serve: option '%s' needs a value\n", a.c_str());
        return EXIT_FAILURE;
      }
      auto bad = [&](const char* what) {
        std::fprintf(stderr, "rua serve: bad value for %s: '%s' (%s)\n", a.c_str(), value.c_str(), what);
        return EXIT_FAILURE;
      };
      char* end;
      if (a == "--host") {
        cfg.host = value;
      } else if (a == "--port") {
        long p = std::strtol(value.c_str(), &end, 10);
        if (*end || end == value.c_str() || p < 0 || p > 65535) return bad("a port number 0..65535");
        cfg.port = uint16_t(p);
      } else if (a == "--workers") {
        long w = std::strtol(value.c_str(), &end, 10);
        if (*end || end == value.c_str() || w < 1 || w > 1024) return bad("a count 1..1024");
        cfg.workers = int(w);
      } else if (a == "--max-body") {
        size_t s = parse_bytes(value.c_str());
        if (s == 0) return bad("a size such as 64k or 1m");
        cfg.max_body = s;
      } else if (a == "--max-header") {
        size_t s = parse_bytes(value.c_str());
        if (s < 256) return bad("a size such as 16k (at least 256)");
        cfg.max_header = s;
      } else if (a == "--timeout") {
        double t = parse_seconds(value.c_str());
        if (t <= 0) return bad("a duration such as 30s or 500ms");
        cfg.timeout = t;
      } else if (a == "--drain") {
        double t = parse_seconds(value.c_str());
        if (t <= 0) return bad("a duration such as 10s");
        cfg.drain = t;
      } else if (a == "--max-conns") {
        long c = std::strtol(value.c_str(), &end, 10);
        if (*end || end == value.c_str() || c < 1) return bad("a positive count");
        cfg.max_connections = size_t(c);
      } else if (a == "--tls-cert") {
        cfg.tls_cert = value;
      } else if (a == "--tls-key") {
        cfg.tls_key = value;
      } else if (a == "--log") {
        if (value == "text")
          cfg.log = LogFormat::Text;
        else if (value == "json")
          cfg.log = LogFormat::Json;
        else if (value == "off")
          cfg.log = LogFormat::Off;
        else
          return bad("text, json or off");
      } else {
        std::fprintf(stderr, "rua serve: unknown option '%s'\n", a.c_str());
        usage();
        return EXIT_FAILURE;
      }
    } else if (cfg.app_path.empty()) {
      cfg.app_path = a;
    } else {
      std::fprintf(stderr, "rua serve: more than one app file ('%s')\n", a.c_str());
      return EXIT_FAILURE;
    }
  }
  if (cfg.app_path.empty()) {
    usage();
    return EXIT_FAILURE;
  }
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) {
    std::fprintf(stderr, "rua serve: --tls-cert and --tls-key go together\n");
    return EXIT_FAILURE;
  }
  return serve(cfg);
}

}  // namespace rua::server
