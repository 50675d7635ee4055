// Whole-number settings of `openmyna serve --set NAME=VALUE`
// (http::ServiceContext::settings), parsed alike for every service.
#pragma once

#include <string>

#include "openmyna/base/result.h"
#include "openmyna/http/service.h"

namespace openmyna::cli {

// The whole number `name` from the settings in [low, high], or `fallback`
// when it is not set; a malformed or out-of-range value fails (kBadRoute:
// the service does not start).
Result<long long> WholeSetting(const http::ServiceContext& context,
                               const std::string& name, long long fallback,
                               long long low, long long high);

}  // namespace openmyna::cli
