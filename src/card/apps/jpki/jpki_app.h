// 公的個人認証AP (JPKI-AP), card-apdu.md §4.
#pragma once

#include "openmyna/card/file_ids.h"
#include "openmyna/card/model.h"

namespace openmyna::card::apps {

// FIDs of card-apdu.md §4.1.
inline constexpr Fid kJpkiProtected0009 = 0x0009;

Application JpkiLayout(CardKind kind);

}  // namespace openmyna::card::apps
