// Error codes of the card transports (vpcd client, in-process transport,
// transcripts, realism knobs). Input errors are named kBad... so that the CLI
// maps them to exit code 2 (cli/context.h).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::card::transport {

enum class TransportErrc {
  kBadAddress = 1,      // --vpcd HOST:PORT is malformed or does not resolve
  kBadLatencySpec = 2,  // --latency INS=ms,... is malformed
  kBadAtrProfile = 3,   // --atr names no known profile
  kBadTranscript = 4,   // a transcript file is malformed (line named)
  kIo = 5,              // a socket operation failed for a non-transient reason
  kProtocol = 6,        // vpcd sent something the protocol does not allow
};

}  // namespace openmyna::card::transport

template <>
struct openmyna::ErrorTraits<openmyna::card::transport::TransportErrc> {
  static constexpr std::string_view kLibrary = "card.transport";
  static std::string_view Name(openmyna::card::transport::TransportErrc code);
};
