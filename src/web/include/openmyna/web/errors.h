// Error codes of the web library (see base/result.h for the scheme).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::web {

enum class WebErrc {
  kBadForm = 1,  // a form or query string that is not valid urlencoded UTF-8
  kBadTemplate = 2,  // a template that does not parse, or an unknown name
  kBadCatalog = 3,   // a message catalog that is not {"key": {"ja","en"}}
  kNoSession = 4,    // no live session (absent, unknown or timed out)
  kBadCsrf = 5,      // the form's CSRF token is missing or wrong
  kSessionExpired =
      6,  // the session existed but passed its idle or absolute limit
};

}  // namespace openmyna::web

template <>
struct openmyna::ErrorTraits<openmyna::web::WebErrc> {
  static constexpr std::string_view kLibrary = "web";
  static std::string_view Name(openmyna::web::WebErrc code);
};
