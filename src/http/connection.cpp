#include "connection.hpp"

#include <sys/socket.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <iterator>
#include <utility>

#include "pool.hpp"

namespace rua::http {

namespace {
constexpr std::size_t kReadSize = 16 * 1024;
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kPieceLimit = 1024 * 1024;  // BodyRead::Available without a size
}  // namespace

Connection::Connection(net::io_context& ioc) : io_(std::make_unique<Io>(ioc)) {
  pool_ = &ConnectionPool::of(ioc);
  pool_->track(this);
}

Connection::~Connection() {
  if (pool_) pool_->forget(this);
}

bool Connection::is_open() const { return io_ && io_->sock.is_open(); }

void Connection::close() {
  if (!io_) return;
  boost::system::error_code ec;
  io_->resolver.cancel();
  io_->sock.close(ec);
  disarm();
}

void Connection::drop_io() {
  pool_ = nullptr;
  io_.reset();
}

// ===================================================================
// Deadlines
// ===================================================================

// One deadline at a time (the pending operation's, or the end of the idle
// time in the pool) on the one timer. Resetting an Asio timer cancels its
// wait, which costs a completion and a timerfd update each time; as a
// connection's deadlines mostly move later (same timeouts, later starts), the
// timer's wait is left running and, when it ends early, waits again for the
// deadline of the moment. Only a deadline earlier than the wait's end resets it.
void Connection::set_deadline(Millis timeout, TimerUse use) {
  deadline_ = Clock::now() + (timeout.count() > 0 ? timeout : Millis(60000));
  timer_use_ = use;
  if (timer_waiting_ && io_->timer.expiry() <= deadline_) return;
  ++timer_gen_;  // a wait still pending is cancelled and stale
  io_->timer.expires_at(deadline_);
  wait_timer();
}

void Connection::wait_timer() {
  timer_waiting_ = true;
  io_->timer.async_wait([weak = weak_from_this(), gen = timer_gen_](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || self->timer_gen_ != gen || !self->io_) return;
    self->on_timer();
  });
}

void Connection::on_timer() {
  timer_waiting_ = false;
  if (timer_use_ == TimerUse::None) return;
  if (Clock::now() < deadline_) {  // the deadline moved on meanwhile
    io_->timer.expires_at(deadline_);
    return wait_timer();
  }
  TimerUse use = std::exchange(timer_use_, TimerUse::None);
  if (use == TimerUse::Operation) return on_timeout();
  if (auto dead = std::move(idle_dead_)) dead();
}

void Connection::arm(Millis timeout) {
  timed_out_ = false;
  set_deadline(timeout, TimerUse::Operation);
}

void Connection::on_timeout() {
  timed_out_ = true;
  close();  // the pending operation completes with operation_aborted
}

// ===================================================================
// Errors
// ===================================================================

std::string Connection::describe(const boost::system::error_code& ec) const {
  namespace err = net::error;
  if (timed_out_) return "timeout";
  if (ec == err::eof || ec == net::ssl::error::stream_truncated || ec == err::operation_aborted ||
      ec == err::bad_descriptor)
    return "closed";
  if (ec == err::connection_refused) return "connection refused";
  if (ec == err::connection_reset) return "connection reset by peer";
  if (ec == err::broken_pipe) return "broken pipe";
  if (ec == err::host_unreachable) return "no route to host";
  if (ec == err::network_unreachable) return "network unreachable";
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
    return "invalid response: " + ec.message();
  return ec.message();
}

void Connection::fail(const std::string& err) {
  error_ = err;
  close();
}

void Connection::finish(const Done& done, const boost::system::error_code& ec, const char* what) {
  busy_ = false;
  disarm();
  if (!ec) return done("");
  std::string msg = describe(ec);
  if (what != nullptr && !timed_out_) msg = what + msg;
  fail(msg);
  done(error_);
}

// ===================================================================
// Connecting
// ===================================================================

void Connection::connect(const std::string& host, uint16_t port, Done done) {
  busy_ = true;
  host_ = host;
  arm(timeouts.connect);
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (!ec) {  // a literal address: nothing to resolve
    tcp::endpoint ep(addr, port);
    auto self = shared_from_this();
    io_->sock.async_connect(ep, [self, done = std::move(done)](const boost::system::error_code& ec) {
      self->finish(done, ec, nullptr);
    });
    return;
  }
  io_->resolver.async_resolve(
      host, std::to_string(port),
      [self = shared_from_this(), done = std::move(done)](const boost::system::error_code& ec,
                                                          const tcp::resolver::results_type& results) {
        if (ec) {
          self->busy_ = false;
          self->disarm();
          std::string msg =
              self->timed_out_ ? "timeout" : self->host_ + " could not be resolved (" + ec.message() + ")";
          self->fail(msg);
          return done(msg);
        }
        self->do_connect(results, done);
      });
}

void Connection::do_connect(const tcp::resolver::results_type& endpoints, Done done) {
  net::async_connect(
      io_->sock, endpoints,
      [self = shared_from_this(), done = std::move(done)](
          const boost::system::error_code& ec, const tcp::endpoint&) { self->finish(done, ec, nullptr); });
}

void Connection::handshake(const TlsOptions& opts, Done done) {
  std::string err;
  net::ssl::context* ctx = client_context(opts.ca_file, err);
  if (ctx == nullptr || !io_) {
    fail(ctx == nullptr ? err : "closed");
    return done(error_);
  }
  io_->tls = std::make_unique<net::ssl::stream<tcp::socket&>>(io_->sock, *ctx);
  if (!configure_ssl(io_->tls->native_handle(), opts, err)) {
    fail(err);
    return done(error_);
  }
  busy_ = true;
  arm(timeouts.connect);
  io_->tls->async_handshake(
      net::ssl::stream_base::client,
      [self = shared_from_this(), done = std::move(done)](const boost::system::error_code& ec) {
        self->busy_ = false;
        self->disarm();
        if (!ec) return done("");
        std::string msg = self->timed_out_ ? "timeout" : handshake_error(self->io_->tls->native_handle(), ec);
        self->fail(msg);
        done(msg);
      });
}

// ===================================================================
// Sending
// ===================================================================

bool Connection::write_now(std::vector<std::string>& parts) {
  if (!io_ || io_->tls || busy_ || !io_->sock.is_open()) return false;
  boost::system::error_code ec;
  if (!io_->sock.non_blocking()) {  // only what the socket takes now (async ops are unaffected)
    io_->sock.non_blocking(true, ec);
    if (ec) return false;
  }
  std::vector<net::const_buffer> bufs;
  bufs.reserve(parts.size());
  for (const std::string& s : parts)
    if (!s.empty()) bufs.emplace_back(s.data(), s.size());
  std::size_t n = io_->sock.write_some(bufs, ec);
  if (ec) return false;  // would block, or an error the asynchronous write will report
  failed_before_response_ = false;
  std::size_t i = 0;
  for (; i < parts.size() && n >= parts[i].size(); i++) n -= parts[i].size();
  parts.erase(parts.begin(), parts.begin() + std::ptrdiff_t(i));
  if (!parts.empty()) parts.front().erase(0, n);
  return parts.empty();
}

void Connection::write(std::vector<std::string> parts, Done done) {
  auto owned = std::make_shared<std::vector<std::string>>(std::move(parts));
  std::vector<net::const_buffer> bufs;
  bufs.reserve(owned->size());
  for (const std::string& s : *owned)
    if (!s.empty()) bufs.emplace_back(s.data(), s.size());
  busy_ = true;
  failed_before_response_ = false;
  arm(timeouts.send);
  auto handler = [self = shared_from_this(), owned, done = std::move(done)](
                     const boost::system::error_code& ec, std::size_t) {
    // A pooled connection the server had closed fails here or at the first read.
    self->failed_before_response_ = ec && self->reused > 0;
    self->finish(done, ec, nullptr);
  };
  if (io_->tls)
    net::async_write(*io_->tls, bufs, std::move(handler));
  else
    net::async_write(io_->sock, bufs, std::move(handler));
}

// ===================================================================
// Receiving
// ===================================================================

Connection::Step Connection::start_header(bool head_request) {
  parser_.emplace();
  parser_->body_limit(boost::none);
  parser_->header_limit(kHeaderLimit);
  if (head_request) parser_->skip(true);
  parser_->get().body().data = nullptr;  // the parser stops after the header
  received_ = 0;
  goal_ = Goal::Header;
  failed_before_response_ = false;
  return pump();
}

Connection::Step Connection::start_body(BodyRead mode, std::size_t max) {
  if (mode == BodyRead::Exactly && max == 0) mode = BodyRead::All;
  goal_ = Goal::Body;
  mode_ = mode;
  filled_ = 0;
  std::size_t cap = max;
  if (mode == BodyRead::All) {  // the declared length, but no huge allocation on a server's word
    auto remaining = parser_->content_length_remaining();
    cap = remaining ? std::size_t(std::min<std::uint64_t>(*remaining, kPieceLimit * 8)) : kReadSize;
  } else if (max == 0) {
    cap = kPieceLimit;
  }
  parser_->eager(true);
  piece_.resize(cap);
  return pump();
}

bool Connection::goal_met() const {
  if (goal_ == Goal::Header) return parser_->is_header_done();
  if (parser_->is_done()) return true;
  return mode_ != BodyRead::All && filled_ == piece_.size();
}

// Feeds buffered bytes to the parser once.
Connection::Step Connection::feed() {
  auto& body = parser_->get().body();
  if (goal_ == Goal::Body) {
    if (filled_ == piece_.size()) piece_.resize(piece_.size() * 2 + kReadSize);  // BodyRead::All grows
    body.data = piece_.data() + filled_;
    body.size = piece_.size() - filled_;
  }
  boost::system::error_code ec;
  std::size_t n = parser_->put(buf_.data(), ec);
  buf_.consume(n);
  received_ += n;
  if (goal_ == Goal::Body) filled_ = piece_.size() - body.size;
  if (ec == bhttp::error::need_more || (n == 0 && !ec)) {  // no progress without more bytes
    need_more_ = true;
  } else if (ec && ec != bhttp::error::need_buffer) {
    fail("invalid response: " + ec.message());
    return Step::Failed;
  }
  return Step::Ready;
}

Connection::Step Connection::pump() {
  for (;;) {
    if (goal_met()) break;
    if (buf_.size() > 0 && !need_more_) {
      if (feed() == Step::Failed) return Step::Failed;
      continue;
    }
    if (eof_) {  // nothing more will come
      bool nothing = received_ == 0 && buf_.size() == 0;
      boost::system::error_code ec;
      if (!nothing) parser_->put_eof(ec);
      if (nothing || ec) {
        failed_before_response_ = nothing && reused > 0;
        fail("closed");
        return Step::Failed;
      }
      continue;  // a body that ends with the connection
    }
    if (goal_ == Goal::Body && mode_ == BodyRead::Available && filled_ > 0) break;
    return Step::NeedIo;
  }
  if (goal_ == Goal::Body) {
    piece_.resize(filled_);
    parser_->get().body().data = nullptr;
  } else {
    const auto& fields = parser_->get().base();
    header_fields_ = std::size_t(std::distance(fields.begin(), fields.end()));
  }
  return Step::Ready;
}

template <typename Stream>
void Connection::async_read_some(Stream& s, Done done) {
  s.async_read_some(buf_.prepare(kReadSize), [self = shared_from_this(), done = std::move(done)](
                                                 const boost::system::error_code& ec, std::size_t n) {
    self->on_read(ec, n, std::move(done));
  });
}

void Connection::read_more(Done done) {
  if (!is_open()) {
    if (error_.empty()) error_ = "closed";
    return done(error_);  // at once: await() posts a completion that comes this early
  }
  busy_ = true;
  arm(timeouts.read);
  if (io_->tls)
    async_read_some(*io_->tls, std::move(done));
  else
    async_read_some(io_->sock, std::move(done));
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t n, Done done) {
  buf_.commit(n);
  need_more_ = false;
  if (ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
    if (!timed_out_) eof_ = true;
  } else if (ec) {
    failed_before_response_ = received_ == 0 && buf_.size() == 0 && reused > 0;
    return finish(done, ec, nullptr);
  }
  busy_ = false;
  disarm();
  switch (pump()) {
    case Step::Ready: return done("");
    case Step::Failed: return done(error_);
    case Step::NeedIo: return read_more(std::move(done));
  }
}

bool Connection::keep_alive() const {
  if (!is_open() || eof_ || buf_.size() > 0) return false;
  return !parser_ || (parser_->is_done() && parser_->keep_alive());
}

std::vector<std::pair<std::string, std::string>> Connection::trailers() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!parser_ || !parser_->is_done()) return out;
  const auto& fields = parser_->get().base();
  auto it = fields.begin();
  std::advance(it, std::min<std::size_t>(header_fields_, std::distance(fields.begin(), fields.end())));
  for (; it != fields.end(); ++it) out.emplace_back(std::string(it->name_string()), std::string(it->value()));
  return out;
}

// ===================================================================
// Idle in the pool
// ===================================================================

void Connection::watch_idle(Millis idle, std::function<void()> dead) {
  idle_dead_ = std::move(dead);
  set_deadline(idle, TimerUse::Idle);
}

void Connection::stop_watching() {
  if (timer_use_ == TimerUse::Idle) timer_use_ = TimerUse::None;
  idle_dead_ = nullptr;
}

// An idle connection has nothing to read: a byte (or a TLS alert) is
// something the server sent unasked, an end of stream its close. One
// non-blocking peek, rather than a readiness wait kept on every idle socket:
// with Asio's edge-triggered epoll each such wait re-arms the descriptor
// (an epoll_ctl and a wakeup more per request).
bool Connection::idle_and_alive() {
  if (!is_open()) return false;
  char byte;
  ssize_t n = ::recv(io_->sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace rua::http
