// The HTTP server behind `rua serve app.lua`: Boost.Beast HTTP/1.1 on Asio.
//
// N workers (default: the number of cores), each an OS thread with its own
// io_context, its own Lua state loaded from the app file and its own
// listening socket on the shared port (SO_REUSEPORT: the kernel spreads the
// connections). Nothing is shared between workers on the request path.
// Each request runs as a task (rua.web's req/res, src/web) on the worker's
// loop; while it waits on I/O the worker serves other connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rua::server {

enum class LogFormat { Off, Text, Json };

struct Config {
  std::string app_path;
  std::string host = "127.0.0.1";
  uint16_t port = 8080;              // 0: an ephemeral port (printed at start)
  int workers = 0;                   // 0: the number of cores
  size_t max_body = 1 << 20;         // 413 beyond
  size_t max_header = 16 << 10;      // 431 beyond (request line and headers)
  double timeout = 60;               // seconds to receive a request (408), or idle keep-alive
  size_t max_connections = 10000;    // per worker; beyond: 503 and close
  double drain = 10;                 // SIGTERM/SIGINT: seconds to finish in-flight requests
  LogFormat log = LogFormat::Text;   // the access log (stdout)
  std::string tls_cert, tls_key;     // PEM files: HTTPS when given
};

// Runs the server until SIGTERM or SIGINT; returns the process's exit code.
int serve(const Config& cfg);

// `rua serve ...`: parses the arguments after "serve" (argv[0] is "serve")
// and runs the server. Returns the exit code.
int serve_main(int argc, char** argv);

}  // namespace rua::server
