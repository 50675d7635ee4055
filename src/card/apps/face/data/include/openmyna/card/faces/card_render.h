// The printed card face as a picture, for documentation and for the portal
// (domain.md §1): ID-1 size (ISO/IEC 7810: 85.60 × 53.98 mm) at 300 dpi.
//   front (おもて面): name, address, birth date, sex, card expiry, the
//     security code, the face photo, and the notes area (追記欄) with its
//     entries;
//   back (うら面): the individual number, name, birth date, and a QR code of
//     the number in the lower left (libqrencode, ISO/IEC 18004).
// Every picture says "SANDBOX" so that it never passes for a real card.
#pragma once

#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/faces/basic_info.h"

namespace openmyna::card::faces {

inline constexpr int kCardWidthPx = 1011;  // 85.60 mm at 300 dpi
inline constexpr int kCardHeightPx = 638;  // 53.98 mm at 300 dpi

enum class CardSide { kFront, kBack };

struct CardFaceView {
  std::string number;  // 12 digits (back side and QR code)
  BasicInfo info;
  domain::Date card_expiry;
  std::string security_code;       // 4 digits
  std::vector<std::string> notes;  // 追記欄 entries, oldest first
  Bytes photo_png;                 // optional; empty → the silhouette
};

// One side as an RGB PNG of kCardWidthPx × kCardHeightPx. Fails with
// kInvalidNumber, kInvalidName, kInvalidAddress, kInvalidDate,
// kInvalidSecurityCode or kInvalidImage on bad input (nothing is drawn), and
// with kRender when cairo, pango or libqrencode fail.
Result<Bytes> RenderCardSidePng(const CardFaceView& view, CardSide side);

}  // namespace openmyna::card::faces
