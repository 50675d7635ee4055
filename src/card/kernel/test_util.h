// Helpers shared by the kernel's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/card/card.h"

namespace openmyna::card::testing {

// Sends a hex APDU, returns the whole response.
inline Bytes Send(CardEndpoint& card, std::string_view hex) {
  auto apdu = FromHex(hex);
  EXPECT_TRUE(apdu.has_value()) << hex;
  return card.Transmit(*apdu);
}

// The status word of a response.
inline std::uint16_t SwOf(const Bytes& response) {
  if (response.size() < 2) return 0;
  return static_cast<std::uint16_t>(response[response.size() - 2] << 8 |
                                    response.back());
}

// Sends and returns only the status word.
inline std::uint16_t SendSw(CardEndpoint& card, std::string_view hex) {
  return SwOf(Send(card, hex));
}

// The data part of a response.
inline Bytes DataOf(const Bytes& response) {
  return Bytes(response.begin(), response.end() - 2);
}

inline constexpr std::string_view kSelectJpki =
    "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
inline constexpr std::string_view kSelectJuki =
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01";
inline constexpr std::string_view kSelectCommon =
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00";

}  // namespace openmyna::card::testing
