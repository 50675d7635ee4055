// Error codes of the http library (see base/result.h for the scheme).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::http {

enum class HttpErrc {
  kInvalidOptions = 1,  // ServerOptions out of range (threads, limits)
  kBindFailed = 2,      // the listening socket could not be opened
  kBadRoute = 3,        // a route pattern is malformed or registered twice
  kNotRunning = 4,      // the operation needs a started server
};

}  // namespace openmyna::http

template <>
struct openmyna::ErrorTraits<openmyna::http::HttpErrc> {
  static constexpr std::string_view kLibrary = "http";
  static std::string_view Name(openmyna::http::HttpErrc code);
};
