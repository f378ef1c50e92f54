#include "tls.hpp"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <map>
#include <memory>
#include <mutex>

namespace rua::http {

namespace ssl = boost::asio::ssl;

namespace {

std::unique_ptr<ssl::context> make_context(const std::string& ca_file, std::string& err) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  boost::system::error_code ec;
  if (ca_file.empty())
    ctx->set_default_verify_paths(ec);  // honours SSL_CERT_FILE / SSL_CERT_DIR
  else
    ctx->load_verify_file(ca_file, ec);
  if (ec) {
    err = "cannot load trusted certificates" + (ca_file.empty() ? std::string() : " from " + ca_file) + ": " +
          ec.message();
    return nullptr;
  }
  return ctx;
}

}  // namespace

ssl::context* client_context(const std::string& ca_file, std::string& err) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<ssl::context>> contexts;
  std::lock_guard lock(mutex);
  auto it = contexts.find(ca_file);
  if (it != contexts.end()) return it->second.get();
  auto ctx = make_context(ca_file, err);
  if (!ctx) return nullptr;
  return contexts.emplace(ca_file, std::move(ctx)).first->second.get();
}

bool configure_ssl(SSL* ssl, const TlsOptions& opts, std::string& err) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(opts.server_name, ec);
  bool is_ip = !ec;
  // SNI carries host names only (RFC 6066), never addresses.
  if (!is_ip && !opts.server_name.empty() && SSL_set_tlsext_host_name(ssl, opts.server_name.c_str()) != 1) {
    err = "cannot set the TLS server name";
    return false;
  }
  if (!opts.verify) {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    return true;
  }
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  if (opts.server_name.empty()) return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, addr.to_string().c_str())
                 : X509_VERIFY_PARAM_set1_host(param, opts.server_name.c_str(), 0);
  if (ok != 1) {
    err = "cannot set the name to verify";
    return false;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return true;
}

std::string handshake_error(SSL* ssl, const boost::system::error_code& ec) {
  long result = SSL_get_verify_result(ssl);
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && result != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
  return "handshake failed: " + ec.message();
}

}  // namespace rua::http
