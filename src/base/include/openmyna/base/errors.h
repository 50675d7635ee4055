// Error codes of the base library (see result.h for the scheme).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna {

enum class BaseErrc {
  kInvalidArgument = 1,  // malformed input (hex, date text, ...)
  kIo = 2,               // a file or socket operation failed
  kCrypto = 3,           // OpenSSL reported a failure
  kNotFound = 4,         // a named thing does not exist
};

template <>
struct ErrorTraits<BaseErrc> {
  static constexpr std::string_view kLibrary = "base";
  static std::string_view Name(BaseErrc code);
};

}  // namespace openmyna
