// Dispatch by method and path. A pattern is either an exact path
// ("/healthz") or a prefix ending in "/*" ("/ocsp/*" matches "/ocsp/" and
// everything below it). Exact patterns win over prefixes; among prefixes the
// longest wins. A path that matches no pattern gets 404; a path that matches
// but not with this method gets 405 with an Allow header (RFC 9110 §15.5.6).
// Both are RFC 9457 problem documents.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/http/message.h"

namespace openmyna::http {

// Runs on a server worker thread; must be thread-safe and must not throw
// (the server turns an escaped exception into a 500 problem anyway).
using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Fails with kBadRoute for an empty method, a pattern not starting with
  // '/', or a (method, pattern) pair registered twice.
  Status Add(std::string method, std::string pattern, Handler handler);

  // Finds the handler and calls it, or answers 404/405. A HEAD request is
  // served by the GET handler (RFC 9110 §9.3.2; the server drops the body).
  Response Dispatch(const Request& request) const;

 private:
  struct Entry {
    std::string pattern;
    bool prefix = false;
    std::map<std::string, Handler> by_method;
  };
  const Entry* Match(std::string_view path) const;

  std::vector<Entry> entries_;
};

}  // namespace openmyna::http
