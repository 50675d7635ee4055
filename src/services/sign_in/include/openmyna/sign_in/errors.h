// Error codes of the sign_in library (see base/result.h for the scheme).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::sign_in {

enum class SignInErrc {
  kInvalid = 1,   // malformed or failing JOSE input, a bad key
  kNotFound = 2,  // no such client
  kIo = 3,        // the client file could not be read or written
  kCrypto = 4,    // OpenSSL failed
};

}  // namespace openmyna::sign_in

template <>
struct openmyna::ErrorTraits<openmyna::sign_in::SignInErrc> {
  static constexpr std::string_view kLibrary = "sign_in";
  static std::string_view Name(openmyna::sign_in::SignInErrc code);
};
