// The authenticated issuer commands: how the municipal counter (registry)
// unblocks or resets a PIN and rewrites text/face data through an ordinary
// reader, long after personalisation. Sandbox-defined proprietary commands
// (CLA 80); the full byte-level description is in docs/card.md "Issuer
// commands".
//
//   1. 00 84 00 00 10                GET CHALLENGE → 16 random bytes
//   2. 80 82 00 00 20 <response>     ISSUER AUTHENTICATE
//        response = HMAC-SHA256(issuer_key, "OpenMyna issuer v1" ‖ challenge)
//        → 90 00 (issuer authenticated until power-off/reset) or 63 00
//        (the challenge is consumed either way; without a fresh challenge
//        → 69 85).
//   3. in the selected application, with issuer authentication:
//      80 2C 03 (80|SFI)             RESET RETRY COUNTER: tries = max
//      80 2C 02 (80|SFI) Lc new      same, and set a new value (rule of the
//                                    PIN; 6A 80 when broken)
//      80 D6 P1 P2 Lc data           UPDATE BINARY at offset P1P2 (15 bits)
//                                    of the current EF; the EF grows as needed
//      80 0E P1 P2                   ERASE BINARY: truncate the current EF at
//                                    offset P1P2
//      without issuer authentication → 69 82.
//
// A blocked PIN is never reset by time; only these commands (or a new
// image) reset it.
#pragma once

#include <cstdint>
#include <string_view>

#include "openmyna/base/bytes.h"

namespace openmyna::card {

inline constexpr std::string_view kIssuerAuthLabel = "OpenMyna issuer v1";
inline constexpr std::uint8_t kInsIssuerAuthenticate = 0x82;
inline constexpr std::uint8_t kInsResetRetryCounter = 0x2C;
inline constexpr std::uint8_t kInsUpdateBinary = 0xD6;
inline constexpr std::uint8_t kInsEraseBinary = 0x0E;

// HMAC-SHA256(issuer_key, kIssuerAuthLabel ‖ challenge): 32 bytes. Used by
// the card to check, and by the issuer to answer.
Bytes IssuerAuthResponse(ByteView issuer_key, ByteView challenge);

}  // namespace openmyna::card
