#include "openmyna/http/router.h"

#include "openmyna/http/errors.h"

namespace openmyna::http {

Status Router::Add(std::string method, std::string pattern, Handler handler) {
  if (method.empty() || pattern.empty() || pattern.front() != '/' || !handler) {
    return Fail(HttpErrc::kBadRoute, "bad route " + method + " " + pattern);
  }
  bool prefix = false;
  if (pattern.size() >= 2 && pattern.ends_with("/*")) {
    pattern.pop_back();  // keep the trailing '/'
    prefix = true;
  }
  for (Entry& entry : entries_) {
    if (entry.pattern == pattern && entry.prefix == prefix) {
      if (!entry.by_method.emplace(method, std::move(handler)).second) {
        return Fail(HttpErrc::kBadRoute,
                    "route registered twice: " + method + " " + pattern);
      }
      return Ok();
    }
  }
  Entry entry;
  entry.pattern = std::move(pattern);
  entry.prefix = prefix;
  entry.by_method.emplace(std::move(method), std::move(handler));
  entries_.push_back(std::move(entry));
  return Ok();
}

const Router::Entry* Router::Match(std::string_view path) const {
  const Entry* best = nullptr;
  for (const Entry& entry : entries_) {
    if (!entry.prefix) {
      if (entry.pattern == path) return &entry;
    } else if (path.starts_with(entry.pattern) &&
               (best == nullptr ||
                entry.pattern.size() > best->pattern.size())) {
      best = &entry;
    }
  }
  return best;
}

Response Router::Dispatch(const Request& request) const {
  const Entry* entry = Match(request.path);
  if (entry == nullptr) {
    return Problem(404, "Not Found", "no resource at " + request.path);
  }
  auto it = entry->by_method.find(request.method);
  if (it == entry->by_method.end() && request.method == "HEAD") {
    it = entry->by_method.find("GET");
  }
  if (it == entry->by_method.end()) {
    std::string allow;
    for (const auto& [method, handler] : entry->by_method) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    Response response =
        Problem(405, "Method Not Allowed",
                request.method + " is not allowed on " + request.path);
    response.AddHeader("Allow", allow);
    return response;
  }
  return it->second(request);
}

}  // namespace openmyna::http
