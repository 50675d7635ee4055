// File identifiers that callers outside the chip need: personalization and
// the registry write certificates and set PINs by them (card-apdu.md §4.1
// JPKI-AP, §5 text AP, §7 juki AP). The applications' own layouts
// (src/card/apps/*) use the same constants.
#pragma once

#include "openmyna/card/model.h"

namespace openmyna::card {

// JPKI-AP, card-apdu.md §4.1.
inline constexpr Fid kJpkiSignCert = 0x0001;
inline constexpr Fid kJpkiSignCaCert = 0x0002;
inline constexpr Fid kJpkiTokenInfo = 0x0006;
inline constexpr Fid kJpkiCertPresence = 0x0008;
inline constexpr Fid kJpkiAuthCert = 0x000A;
inline constexpr Fid kJpkiAuthCaCert = 0x000B;
inline constexpr Fid kJpkiAuthKey = 0x0017;
inline constexpr Fid kJpkiAuthPin = 0x0018;
inline constexpr Fid kJpkiSignKey = 0x001A;
inline constexpr Fid kJpkiSignPin = 0x001B;

// 住基AP resident-registry PIN, card-apdu.md §7.1.
inline constexpr Fid kJukiPin = 0x001C;

// 券面事項入力補助AP, card-apdu.md §5.
inline constexpr Fid kTextPin = 0x0011;         // 4 digits, 3 tries
inline constexpr Fid kTextCollationB = 0x0015;  // 14 digits (§9.1)

}  // namespace openmyna::card
