#include "openmyna/http/errors.h"

std::string_view openmyna::ErrorTraits<openmyna::http::HttpErrc>::Name(
    openmyna::http::HttpErrc code) {
  using openmyna::http::HttpErrc;
  switch (code) {
    case HttpErrc::kInvalidOptions:
      return "invalid_options";
    case HttpErrc::kBindFailed:
      return "bind_failed";
    case HttpErrc::kBadRoute:
      return "bad_route";
    case HttpErrc::kNotRunning:
      return "not_running";
  }
  return "unknown";
}
