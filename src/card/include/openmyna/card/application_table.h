// The application table: one row per on-card application (architecture.md
// §2). A new application is a folder src/card/apps/<name>/ with a layout
// function, plus one row in src/card/apps/application_table.cc. The kernel
// library compiles every apps/*/*.cc file (tests excluded) automatically.
#pragma once

#include <span>
#include <string_view>

#include "openmyna/card/model.h"

namespace openmyna::card {

struct ApplicationSpec {
  std::string_view name;  // unique; the key used by the issuance API
  // The blank layout for a card kind: files with their rules, PINs with
  // their sizes (no values), keys not yet generated, EFs with their fixed
  // contents (personal contents are written by issuance.h).
  Application (*layout)(CardKind kind);
};

// Every application of the card, in the order they appear in the image.
std::span<const ApplicationSpec> ApplicationTable();

// AIDs (card-apdu.md §2).
inline constexpr std::uint8_t kJpkiAid[] = {0xD3, 0x92, 0xF0, 0x00, 0x26,
                                            0x01, 0x00, 0x00, 0x00, 0x01};
inline constexpr std::uint8_t kTextAid[] = {0xD3, 0x92, 0x10, 0x00, 0x31,
                                            0x00, 0x01, 0x01, 0x04, 0x08};
inline constexpr std::uint8_t kFaceAid[] = {0xD3, 0x92, 0x10, 0x00, 0x31,
                                            0x00, 0x01, 0x01, 0x04, 0x02};
inline constexpr std::uint8_t kJukiAid[] = {0xD3, 0x92, 0x10, 0x00, 0x31,
                                            0x00, 0x01, 0x01, 0x04, 0x01};
inline constexpr std::uint8_t kCommonAid[] = {0xD3, 0x92, 0x10, 0x00, 0x31,
                                              0x00, 0x01, 0x01, 0x01, 0x00};
// GlobalPlatform Issuer Security Domain: current after power-on.
inline constexpr std::uint8_t kIsdAid[] = {0xA0, 0x00, 0x00, 0x01,
                                           0x51, 0x00, 0x00};

}  // namespace openmyna::card
