// 共通カードAP (common card AP), card-apdu.md §7.2.
#pragma once

#include <string_view>

#include "openmyna/card/model.h"

namespace openmyna::card::apps {

inline constexpr Fid kCommonCardInfo = 0x0001;
inline constexpr Fid kCommonKeyReference = 0x0002;
inline constexpr Fid kCommonInternalAuthKey = 0x0019;
inline constexpr Fid kCommonPin = 0x001C;

Application CommonLayout(CardKind kind);

// Record 1 of EF 0001: simple-TLV 01 1C + 28 ASCII digits = card serial (15)
// ‖ municipality code (5) ‖ expiry YYYYMMDD (8). Empty when the parts do not
// have exactly those lengths.
Bytes CommonCardInfoRecord(std::string_view serial15,
                           std::string_view municipality5,
                           std::string_view expiry8);

}  // namespace openmyna::card::apps
