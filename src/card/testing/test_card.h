// A personalised in-memory card for tests and the fuzz target: every AP of
// the table, PINs set, keys generated (once per process: RSA-2048
// generation is slow), certificate EFs filled with DER-shaped blobs of the
// sizes of card-apdu.md §11.1.
#pragma once

#include <cstddef>

#include "openmyna/card/image.h"

namespace openmyna::card::testing {

inline constexpr char kAuthPin[] = "1234";         // card-apdu.md §11.2
inline constexpr char kSignPassword[] = "ABC123";  // card-apdu.md §11.3
inline constexpr char kJukiPin[] = "5678";

// `30 82 HH LL` followed by (size - 4) filler bytes: what OpenSC's size
// probe expects at the start of a certificate EF (card-apdu.md §3.2).
Bytes DerShapedBlob(std::size_t size, std::uint8_t fill);

// A standard card: auth PIN 1234, sign password ABC123, juki/common PIN
// 5678; JPKI certificates of 750 (000A), 827 (0001), 748 (000B) and 748
// (0002) bytes; common AP record 1 set. The same keys on every call.
CardImage PersonalizedImage();

}  // namespace openmyna::card::testing
