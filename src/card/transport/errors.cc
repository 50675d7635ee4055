#include "openmyna/card/transport/errors.h"

namespace openmyna {

std::string_view ErrorTraits<card::transport::TransportErrc>::Name(
    card::transport::TransportErrc code) {
  using card::transport::TransportErrc;
  switch (code) {
    case TransportErrc::kBadAddress:
      return "bad_address";
    case TransportErrc::kBadLatencySpec:
      return "bad_latency_spec";
    case TransportErrc::kBadAtrProfile:
      return "bad_atr_profile";
    case TransportErrc::kBadTranscript:
      return "bad_transcript";
    case TransportErrc::kIo:
      return "io";
    case TransportErrc::kProtocol:
      return "protocol";
  }
  return "unknown";
}

}  // namespace openmyna
