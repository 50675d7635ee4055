// The standard's choice of data mask (ISO/IEC 18004:2015 §7.8.3) made from
// one encoding of the symbol: libqrencode's own choice (QRcode_encodeInput)
// masks and scores the symbol eight times, 1.0 M instructions for the
// sign-in page's version 6 (14 % of serve's per sign-in, session 12); this
// one scores the same symbols by the same rules (Table 11) with rows and
// columns as bits, 0.24 M (callgrind, session 13). Private to the qr
// library.
#pragma once

#include <qrencode.h>

#include <cstdint>
#include <vector>

namespace openmyna::qr {

// `code` as encoded with mask pattern 000 (QRcode_encodeMask, modules as
// qrencode.h describes them: bit 0 dark, bit 7 a function module) re-masked
// with each of the 8 patterns (§7.8.2, Table 10) and its format information
// (§7.9) rewritten for it; returns the dark modules of the one of lowest
// penalty, the first pattern on a tie (as libqrencode picks).
std::vector<std::uint8_t> LowestPenaltyModules(const QRcode& code,
                                               QRecLevel level);

}  // namespace openmyna::qr
