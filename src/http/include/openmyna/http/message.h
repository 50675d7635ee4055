// The request and response values that handlers see. They are plain data,
// independent of Boost, so that services and their tests need no Beast
// headers (RFC 9110 semantics, RFC 9112 HTTP/1.1 framing done by the server).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/base/clock.h"

namespace openmyna::http {

// A header field; names compare case-insensitively (RFC 9110 §5.1).
struct Header {
  std::string name;
  std::string value;
};

// One parsed request. `target` is the request-target as received
// (origin-form, e.g. "/ocsp/MEIwQDA%2B..."); `path` is target without the
// query; `remote` is the peer address ("127.0.0.1:53412").
struct Request {
  std::string method;  // "GET", "POST", ... (case-sensitive, RFC 9110 §9.1)
  std::string target;
  std::string path;
  std::string query;  // after '?', without it; empty when absent
  std::vector<Header> headers;
  std::string body;
  std::string remote;
  bool secure = false;  // received over the TLS listener

  // The first header named `name` (case-insensitive), or empty.
  std::string_view HeaderValue(std::string_view name) const;
  // The media type of Content-Type without parameters, lower case.
  std::string ContentType() const;
};

// What a handler returns. The server adds Date, Server, Content-Length and
// Connection itself.
struct Response {
  int status = 200;
  std::string content_type;  // omitted when empty
  std::string body;
  std::vector<Header> headers;

  Response& AddHeader(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
};

// An RFC 9457 problem document (application/problem+json) with the given
// status; `title` is the short summary, `detail` the occurrence-specific
// explanation, `type` a URI (default "about:blank", RFC 9457 §4.2.1). The
// members in that order, each string as json_string.h writes it, text that
// is not UTF-8 replaced by U+FFFD.
Response Problem(int status, std::string_view title,
                 std::string_view detail = {},
                 std::string_view type = "about:blank");

// The reason phrase of a status code ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

// Decodes %XX escapes (RFC 3986 §2.1). Returns false on a malformed escape.
bool PercentDecode(std::string_view in, std::string& out);

// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT": the
// Date header and every other HTTP date (Expires, Last-Modified).
std::string FormatHttpDate(TimePoint when);

}  // namespace openmyna::http
