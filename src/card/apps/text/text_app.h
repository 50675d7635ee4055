// 券面事項入力補助AP (text / input-assist AP), card-apdu.md §5: the on-card
// layout (files, access rules, PINs, keys). The contents are written at
// personalisation by openmyna::card_face_data (apps/face/data,
// openmyna/card/faces/personalize.h).
#pragma once

#include "openmyna/card/file_ids.h"
#include "openmyna/card/model.h"

namespace openmyna::card::apps {

// FIDs of card-apdu.md §5.
inline constexpr Fid kTextMyNumber = 0x0001;       // PIN or 照合番号A
inline constexpr Fid kTextBasicInfo = 0x0002;      // PIN or 照合番号B
inline constexpr Fid kTextIntegrity = 0x0003;      // PIN or either 照合番号
inline constexpr Fid kTextCvCertificate = 0x0004;  // free
inline constexpr Fid kTextApInfo = 0x0005;         // free
inline constexpr Fid kTextSessionKeyPublic = 0x0006;  // PIN or either 照合番号
inline constexpr Fid kTextSigningKeyPublic = 0x0007;  // PIN or either 照合番号
inline constexpr Fid kTextUnknown0008 = 0x0008;       // sixteen FF
inline constexpr Fid kTextBlocked0012 = 0x0012;       // blocked at issuance
inline constexpr Fid kTextCollationA = 0x0014;        // the 12-digit number
// The AP's private keys. Their FIDs are not published; the sandbox uses
// two free identifiers of the 0001–001E range.
inline constexpr Fid kTextSigningKey = 0x0016;  // 80 2A 00 00, no credential
inline constexpr Fid kTextSessionKey = 0x0017;  // SET SESSION KEY (not used)

Application TextLayout(CardKind kind);

}  // namespace openmyna::card::apps
