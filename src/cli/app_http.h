// One HTTP(S) request of the card holder's app (`openmyna app ...`): Beast
// over OpenSSL, an https server's certificate checked against `cacert` (the
// sandbox TLS root) and the link's host (RFC 6125).
#pragma once

#include <string>

#include "openmyna/base/result.h"

namespace openmyna::cli {

struct HttpsAnswer {
  int status = 0;
  std::string body;
};

// GET, or POST of `body` as application/json. kInvalidArgument for a URL
// that is not http(s), or an https one whose `cacert` file does not exist
// (named, with what to give instead); kIo when the server cannot be reached.
Result<HttpsAnswer> HttpsRequest(const std::string& url, bool post,
                                 const std::string& body,
                                 const std::string& cacert);

// The "detail" of an RFC 9457 problem body, else the body itself: what the
// app (and any client command) prints when a server refuses.
std::string DetailOf(const std::string& body);

}  // namespace openmyna::cli
