#include "openmyna/card/faces/errors.h"

std::string_view openmyna::ErrorTraits<openmyna::card::faces::FacesErrc>::Name(
    openmyna::card::faces::FacesErrc code) {
  using openmyna::card::faces::FacesErrc;
  switch (code) {
    case FacesErrc::kInvalidNumber:
      return "invalid_number";
    case FacesErrc::kInvalidName:
      return "invalid_name";
    case FacesErrc::kInvalidAddress:
      return "invalid_address";
    case FacesErrc::kInvalidDate:
      return "invalid_date";
    case FacesErrc::kInvalidSecurityCode:
      return "invalid_security_code";
    case FacesErrc::kInvalidKey:
      return "invalid_key";
    case FacesErrc::kInvalidImage:
      return "invalid_image";
    case FacesErrc::kInvalidLength:
      return "invalid_length";
    case FacesErrc::kInvalidArgument:
      return "invalid_argument";
    case FacesErrc::kCrypto:
      return "crypto";
    case FacesErrc::kRender:
      return "render";
  }
  return "unknown";
}
