// Error codes of the relying-party card client (PC/SC reader access and the
// JPKI-AP commands). Input errors are named kInvalid.../kBad... so that the
// CLI maps them to exit code 2 (cli/context.h). A wrong or blocked PIN is
// not an error: it is a value (PinStatus, jpki_client.h; architecture.md §6).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::card::client {

enum class ClientErrc {
  kInvalidPin = 1,       // a PIN that breaks its format rule; never sent
  kInvalidArgument = 2,  // e.g. a signing input longer than 245 bytes
  kBadReaderName = 3,    // the reader named by the caller does not exist
  kNoReader = 4,         // PC/SC lists no reader at all
  kNoCard = 5,           // no card in the reader(s)
  kPcsc = 6,             // the PC/SC service failed (pcscd not running, ...)
  kCardStatus = 7,       // the card answered a status word we cannot use
                         // (the message names the command and the SW)
  kBadResponse = 8,      // a response that is malformed (too short, a
                         // certificate EF that is not DER, ...)
};

}  // namespace openmyna::card::client

template <>
struct openmyna::ErrorTraits<openmyna::card::client::ClientErrc> {
  static constexpr std::string_view kLibrary = "card.client";
  static std::string_view Name(openmyna::card::client::ClientErrc code);
};
