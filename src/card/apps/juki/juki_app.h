// 住基AP (Juki AP), card-apdu.md §7.1.
#pragma once

#include "openmyna/card/file_ids.h"
#include "openmyna/card/model.h"

namespace openmyna::card::apps {

inline constexpr Fid kJukiKeyReference = 0x0002;

Application JukiLayout(CardKind kind);

// The 16-byte key reference record shared by 住基AP and 共通AP EF 0002
// (card-apdu.md §8.4 layout "NNNNNNN" 08 05 "GGG" 00 00 00 00; the leading
// 6 marks the test hierarchy, as the sandbox is not production).
Bytes SandboxKeyReference();

}  // namespace openmyna::card::apps
