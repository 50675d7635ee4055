// A minimal blocking HTTP/1.1 client (Boost.Beast over OpenSSL) for the
// sandbox's own relying parties (the demo relying party's token and
// UserInfo calls): http:// or https:// with the server certificate checked
// against one trusted root file and the URL's host or IP (RFC 6125).
// One request per connection; 60 s timeout.
#pragma once

#include <string>
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
};

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string location;  // the Location header (a redirect), or empty
};

// BaseErrc::kInvalidArgument for a URL that is not http(s)://host[:port]/;
// BaseErrc::kIo for a
// connection, TLS or protocol failure (the message names the URL).
Result<ClientResponse> Fetch(const ClientRequest& request);

}  // namespace openmyna::http
