// 公的個人認証AP (JPKI-AP), card-apdu.md §4.
#pragma once

#include "openmyna/card/model.h"

namespace openmyna::card::apps {

// FIDs of card-apdu.md §4.1.
inline constexpr Fid kJpkiSignCert = 0x0001;
inline constexpr Fid kJpkiSignCaCert = 0x0002;
inline constexpr Fid kJpkiTokenInfo = 0x0006;
inline constexpr Fid kJpkiCertPresence = 0x0008;
inline constexpr Fid kJpkiProtected0009 = 0x0009;
inline constexpr Fid kJpkiAuthCert = 0x000A;
inline constexpr Fid kJpkiAuthCaCert = 0x000B;
inline constexpr Fid kJpkiAuthKey = 0x0017;
inline constexpr Fid kJpkiAuthPin = 0x0018;
inline constexpr Fid kJpkiSignKey = 0x001A;
inline constexpr Fid kJpkiSignPin = 0x001B;

Application JpkiLayout(CardKind kind);

}  // namespace openmyna::card::apps
