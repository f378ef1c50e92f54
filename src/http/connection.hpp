// One client connection: a TCP socket (TLS optional), the buffer of bytes
// read and not yet parsed, and the parser of the response being read.
//
// Reading is driven by hand rather than with beast::http::async_read: bytes
// in the buffer are fed to the parser first, and the socket is read only when
// the parser needs more. So an operation that can be answered from bytes
// already received (the body of a small response that came with its header,
// the next response of a pipeline) completes without suspending the Lua
// thread, and a body can be returned in pieces of the size the caller asks
// for (Beast's buffer_body stops the parser when the piece is full).
//
// Errors close the connection and are reported once, as the message the
// caller returns to Lua ("timeout", "closed", "connection refused", ...,
// ngx_lua's wording where it has one). Every operation has a deadline; the
// one timer of the connection also times out its idleness in the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tls.hpp"

namespace rua::http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Millis = std::chrono::milliseconds;

class ConnectionPool;

struct Timeouts {
  Millis connect{60000};
  Millis send{60000};
  Millis read{60000};
};

// How a body read ends (besides the end of the body).
enum class BodyRead {
  Exactly,    // when 'max' bytes are in
  Available,  // when at least one byte is in and more would mean waiting (chunks as they come)
  All,        // only at the end of the body
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Completion of an asynchronous step: "" on success, else the error (the
  // connection is closed by then).
  using Done = std::function<void(const std::string& err)>;
  // The outcome of feeding buffered bytes to the parser.
  enum class Step { Ready, Failed, NeedIo };

  explicit Connection(net::io_context& ioc);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // ---- connecting ----
  void connect(const std::string& host, uint16_t port, Done done);
  void handshake(const TlsOptions& opts, Done done);

  // ---- sending ----
  // Writes the concatenation of 'parts' (kept alive until done).
  void write(std::vector<std::string> parts, Done done);
  // Writes what the socket takes at once, without waiting, and removes it
  // from 'parts': true when all is written. Plain TCP only (false on TLS);
  // errors are left for write() to meet and report.
  bool write_now(std::vector<std::string>& parts);

  // ---- receiving ----
  // Starts reading a response header. Ready: the header is parsed (see
  // header()); NeedIo: call read_more.
  Step start_header(bool head_request);
  // Starts reading the next piece of the body into body_piece(). Ready with
  // an empty piece and body_done(): the body is over.
  Step start_body(BodyRead mode, std::size_t max);
  // Reads from the socket until the step started last is Ready or Failed.
  void read_more(Done done);

  const bhttp::response_header<>& header() const { return parser_->get().base(); }
  bool body_done() const { return parser_ && parser_->is_done(); }
  bool response_done() const { return !parser_ || parser_->is_done(); }
  bool response_started() const { return parser_.has_value(); }
  // May the connection carry another request after this response? (Known
  // from the header on; keep_alive() also needs the response read to its end.)
  bool header_keep_alive() const { return parser_->keep_alive(); }
  bool keep_alive() const;
  // How the body is delimited: by chunked coding or the end of the connection
  // (rather than a Content-Length).
  bool body_has_no_length() const { return parser_->chunked() || !parser_->content_length(); }
  std::string& body_piece() { return piece_; }
  // Fields that came after a chunked body (in order), once the body is done.
  std::vector<std::pair<std::string, std::string>> trailers() const;
  // True when the last failure happened before any byte of the response
  // arrived on a connection taken from the pool: the server had closed it.
  bool failed_before_response() const { return failed_before_response_; }

  // ---- state ----
  bool is_open() const;
  bool is_tls() const { return io_ && io_->tls != nullptr; }
  bool busy() const { return busy_; }
  const std::string& last_error() const { return error_; }
  void close();

  Timeouts timeouts;
  std::string pool_key;  // where set_keepalive puts it
  int reused = 0;        // times taken from the pool

  // ---- the pool's side ----
  // Times out the idle connection: 'dead' runs when 'idle' elapses first.
  // stop_watching ends that. idle_and_alive: whether a pooled connection
  // can carry a request (the peer has neither closed it nor sent anything).
  void watch_idle(Millis idle, std::function<void()> dead);
  bool idle_and_alive();
  void stop_watching();
  // The io_context is going away: release the socket and timer now.
  void drop_io();
  ConnectionPool* pool_ = nullptr;

 private:
  struct Io {
    explicit Io(net::io_context& ioc) : sock(ioc), timer(ioc), resolver(ioc) {}
    tcp::socket sock;
    net::steady_timer timer;
    tcp::resolver resolver;
    std::unique_ptr<net::ssl::stream<tcp::socket&>> tls;  // after sock: destroyed first
  };
  enum class Goal { Header, Body };

  using Clock = std::chrono::steady_clock;
  enum class TimerUse { None, Operation, Idle };
  void set_deadline(Millis timeout, TimerUse use);
  void wait_timer();
  void on_timer();
  void arm(Millis timeout);
  void disarm() { timer_use_ = TimerUse::None; }
  void on_timeout();
  void finish(const Done& done, const boost::system::error_code& ec, const char* what);
  void fail(const std::string& err);
  std::string describe(const boost::system::error_code& ec) const;
  void do_connect(const tcp::resolver::results_type& endpoints, Done done);
  Step pump();
  Step feed();
  bool goal_met() const;
  void on_read(const boost::system::error_code& ec, std::size_t n, Done done);
  template <typename Stream>
  void async_read_some(Stream& s, Done done);

  std::unique_ptr<Io> io_;
  boost::beast::flat_buffer buf_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  std::size_t header_fields_ = 0;  // fields of the header; the rest are trailers
  std::size_t received_ = 0;       // bytes of the current response fed to the parser
  Goal goal_ = Goal::Header;
  BodyRead mode_ = BodyRead::All;
  std::string piece_;
  std::size_t filled_ = 0;  // bytes of piece_ written by the parser
  bool need_more_ = false;  // the parser wants bytes the buffer lacks
  bool eof_ = false;        // the peer closed its side
  bool busy_ = false;
  bool timed_out_ = false;
  bool failed_before_response_ = false;
  uint64_t timer_gen_ = 0;  // the timer's current wait; older ones are stale
  bool timer_waiting_ = false;
  TimerUse timer_use_ = TimerUse::None;
  Clock::time_point deadline_;
  std::function<void()> idle_dead_;
  std::string host_;
  std::string error_;
};

}  // namespace rua::http
