#include "openmyna/sign_in/errors.h"

std::string_view openmyna::ErrorTraits<openmyna::sign_in::SignInErrc>::Name(
    openmyna::sign_in::SignInErrc code) {
  using openmyna::sign_in::SignInErrc;
  switch (code) {
    case SignInErrc::kInvalid:
      return "invalid";
    case SignInErrc::kNotFound:
      return "not_found";
    case SignInErrc::kIo:
      return "io";
    case SignInErrc::kCrypto:
      return "crypto";
  }
  return "unknown";
}
