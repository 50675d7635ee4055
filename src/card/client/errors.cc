#include "openmyna/card/client/errors.h"

namespace openmyna {

std::string_view ErrorTraits<card::client::ClientErrc>::Name(
    card::client::ClientErrc code) {
  using card::client::ClientErrc;
  switch (code) {
    case ClientErrc::kInvalidPin:
      return "invalid_pin";
    case ClientErrc::kInvalidArgument:
      return "invalid_argument";
    case ClientErrc::kBadReaderName:
      return "bad_reader_name";
    case ClientErrc::kNoReader:
      return "no_reader";
    case ClientErrc::kNoCard:
      return "no_card";
    case ClientErrc::kPcsc:
      return "pcsc";
    case ClientErrc::kCardStatus:
      return "card_status";
    case ClientErrc::kBadResponse:
      return "bad_response";
  }
  return "unknown";
}

}  // namespace openmyna
