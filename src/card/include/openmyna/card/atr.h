// The chip's own answer to reset (ISO/IEC 7816-3 §8), header-only so that
// the kernel (Card::Atr, GET DATA 5F51) and the transports (the trivial card,
// the `--atr` profiles of transport/realism.h) share one copy.
#pragma once

#include <array>
#include <cstdint>

namespace openmyna::card {

// The My Number Card's contact ATR (card-apdu.md §1.1; pcsc-tools
// smartcard_list.txt "JUKICARD"): the only ATR OpenSC's jpki driver matches
// without sending an APDU (card-apdu.md §1.2). Other ATRs a reader may show
// (2024 generation, contactless) are transport realism profiles.
inline constexpr std::array<std::uint8_t, 9> kContactAtr = {
    0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

}  // namespace openmyna::card
