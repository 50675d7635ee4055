// The HTTP/1.1 server every OpenMyna service runs on (Boost.Beast/Asio).
//
// - HTTP/1.1 persistent connections (RFC 9112 §9.3): a connection stays
//   open until the client sends "Connection: close", an HTTP/1.0 client does
//   not ask for keep-alive, the idle timeout passes, or the server stops.
// - Limits: a request whose body exceeds max_body_bytes gets 413 (RFC 9110
//   §15.5.14) and the connection is closed; headers beyond max_header_bytes
//   get 431 (RFC 6585 §5); a malformed request gets 400. All errors leave as
//   RFC 9457 application/problem+json documents.
// - Timeouts: a request must arrive completely within read_timeout once it
//   has started, and a response the socket did not take at once must be
//   taken within read_timeout; an idle keep-alive connection is closed after
//   idle_timeout. One sweeper checks them every quarter of the shorter of
//   the two (10-250 ms), so a connection is closed at most that much late.
//   A handler's own time is not limited.
// - `threads` worker threads run the handlers; handlers must be thread-safe.
// - Stop() is graceful: the listener closes at once, idle connections are
//   closed, requests in progress finish and their responses are written.
//
// Ownership: the Server owns its sockets and threads; the Router is moved in.
// Nothing here throws across this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/http/router.h"

namespace openmyna::http {

// A second listener that speaks HTTPS (RFC 9110 §4.2.2, TLS 1.2+), serving
// the same routes as the plain one.
struct TlsOptions {
  std::filesystem::path certificate_chain_pem;  // leaf first, then CAs
  std::filesystem::path private_key_pem;        // PEM (PKCS#8 or SEC1)
  std::uint16_t port = 0;                       // 0: ephemeral (tls_port())
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // loopback unless told otherwise
  std::uint16_t port = 0;             // 0: an ephemeral port (see port())
  int threads = 2;                    // 1..256
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::string server_name = "openmyna";  // the Server header
  // The Date header (RFC 9110 §6.6.1) reads this clock; nullptr: the
  // system clock. Not owned; must outlive the server.
  const Clock* clock = nullptr;
  // When set, Start() also listens with TLS on tls->port (same address);
  // handlers see Request::secure. Fails kInvalidOptions if the files do not
  // load.
  std::optional<TlsOptions> tls;
};

class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();  // Stop()s if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the worker threads; returns once the socket
  // accepts connections. Fails with kInvalidOptions or kBindFailed.
  Status Start();

  // The bound port (useful with port 0); 0 before Start().
  std::uint16_t port() const;
  // The bound TLS port; 0 without TlsOptions or before Start().
  std::uint16_t tls_port() const;

  // Graceful stop (see the file comment); waits for the worker threads.
  // Idempotent.
  void Stop();

  // Blocks until Stop() is called from another thread or a signal handler
  // context registered with StopOnSignals().
  void Wait();

  // Makes SIGINT and SIGTERM call Stop() (for `openmyna serve`).
  void StopOnSignals();

  struct Impl;  // implementation detail (server.cc)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::http
