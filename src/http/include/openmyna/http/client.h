// A minimal blocking HTTP/1.1 client (Boost.Beast over OpenSSL) for the
// sandbox's own relying parties (the demo relying party's token and
// UserInfo calls): http:// or https:// with the server certificate checked
// against one trusted root file and the URL's host or IP (RFC 6125): a
// host name against the certificate's DNS subjectAltNames only, never its
// subject CN (RFC 6125 §6.4.4).
// One request per connection; each request bounded by its timeout (default
// 60 s: resolving the host, connecting, the TLS handshake, sending and the
// whole answer).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/base/result.h"

namespace openmyna::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string trusted_root_pem;  // required for https://
  // The host name's look-up, the connection, the TLS handshake, the request
  // and the whole answer within this, else kIo naming the timeout (a peer
  // or a name server that stopped answering is given up on).
  std::chrono::milliseconds timeout{60'000};
};

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string location;  // the Location header (a redirect), or empty
  // Every header field as received (name as sent, RFC 9110 §5: compare
  // names case-insensitively; Header() does).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first field named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// BaseErrc::kInvalidArgument for a URL that is not http(s)://host[:port]/;
// BaseErrc::kIo for a
// connection, TLS or protocol failure, or past the timeout (the message
// names the URL).
Result<ClientResponse> Fetch(const ClientRequest& request);

// Requests in turn on one persistent connection per http:// origin
// (HTTP/1.1 keep-alive, RFC 9112 §9.3), as a relying party's HTTP client
// keeps them: a new connection only for another origin or when the server
// closed the previous one (a request that fails on a reused connection
// other than by the timeout is sent once more on a new one, within the same
// timeout). https:// is not supported
// (kInvalidArgument). One per thread.
class KeepAliveClient {
 public:
  KeepAliveClient();
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  Result<ClientResponse> Fetch(const ClientRequest& request);
  // How many TCP connections were opened so far.
  int connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::http
