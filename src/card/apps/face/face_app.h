// 券面AP (券面事項確認AP, card-face AP), card-apdu.md §6: the on-card layout
// (files, access rules, keys). The contents are written at personalisation
// by openmyna::card_face_data (openmyna/card/faces/personalize.h).
#pragma once

#include "openmyna/card/model.h"

namespace openmyna::card::apps {

// FIDs of card-apdu.md §6.
inline constexpr Fid kFaceAgeRecord = 0x0001;      // birth-date key
inline constexpr Fid kFaceCardFace = 0x0002;       // 照合番号A or B
inline constexpr Fid kFaceApData = 0x0003;         // free
inline constexpr Fid kFaceCvCertificate = 0x0004;  // free
inline constexpr Fid kFaceNumberImage = 0x0005;    // 照合番号A only
inline constexpr Fid kFaceUnknown0006 = 0x0006;    // 照合番号A or B
inline constexpr Fid kFaceBirthDateKey = 0x0011;   // era YYMMDD
inline constexpr Fid kFaceCollationB = 0x0012;     // 14 digits
inline constexpr Fid kFaceCollationA = 0x0013;     // the 12-digit number
// The AP's private key (FID not published; a free one of 0001–001E).
inline constexpr Fid kFaceSigningKey = 0x0016;  // 80 2A 00 00, no credential

Application FaceLayout(CardKind kind);

}  // namespace openmyna::card::apps
