#include "openmyna/card/errors.h"

namespace openmyna {

std::string_view ErrorTraits<card::CardErrc>::Name(card::CardErrc code) {
  using card::CardErrc;
  switch (code) {
    case CardErrc::kInvalidPin:
      return "invalid_pin";
    case CardErrc::kInvalidArgument:
      return "invalid_argument";
    case CardErrc::kBadImage:
      return "bad_image";
    case CardErrc::kBadMasterKey:
      return "bad_master_key";
    case CardErrc::kNotFound:
      return "not_found";
    case CardErrc::kWrongObjectKind:
      return "wrong_object_kind";
    case CardErrc::kErased:
      return "erased";
    case CardErrc::kIo:
      return "io";
    case CardErrc::kCrypto:
      return "crypto";
  }
  return "unknown";
}

}  // namespace openmyna
