// TLS for the HTTP client: OpenSSL contexts and per-connection settings.
//
// A context holds the trusted certificates, which are costly to load (the
// system store is a few hundred certificates), so contexts are made once per
// process and shared by every worker: an SSL_CTX is safe to share between
// threads once configured. What differs per connection (the name to send as
// SNI and to check the certificate against, whether to verify at all) is set
// on the connection's SSL object instead.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace rua::http {

struct TlsOptions {
  std::string server_name;  // SNI and the name the certificate must match
  bool verify = true;       // check the chain and the name
  std::string ca_file;      // trusted certificates (PEM); empty: the system store
};

// The client context trusting 'ca_file' (empty: the system's CA store).
// Null with 'err' set when the file cannot be loaded.
boost::asio::ssl::context* client_context(const std::string& ca_file, std::string& err);

// Sets SNI, the verification mode and the expected host name on 'ssl'.
bool configure_ssl(SSL* ssl, const TlsOptions& opts, std::string& err);

// The message for a failed handshake: "certificate verify failed: <reason>"
// when the peer's certificate was rejected, else "handshake failed: <reason>".
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec);

}  // namespace rua::http
