// ISO/IEC 7816-4 §5.1 command APDU parsing: cases 1–4, short and extended
// length fields. Pure function, no state; fuzzed (fuzz/apdu_sequence).
#pragma once

#include <cstdint>
#include <optional>

#include "openmyna/base/bytes.h"

namespace openmyna::card {

struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;  // Nc bytes (empty for cases 1 and 2)
  // Ne: absent for cases 1 and 3. A short Le of 00 means 256, an extended
  // Le of 00 00 means 65,536 (ISO/IEC 7816-4 §5.1).
  std::optional<std::uint32_t> le;
  bool extended = false;  // extended length fields were used
};

// Decodes one command APDU. nullopt when the bytes are not a well-formed
// case 1–4 APDU (fewer than 4 bytes, Lc disagreeing with the length, an
// extended Lc of 0, trailing bytes): the kernel answers 67 00.
std::optional<CommandApdu> ParseCommandApdu(ByteView apdu);

// The inverse: the shortest encoding (short unless Nc > 255 or Ne > 256,
// or `force_extended`). For tests, clients and the issuer tooling.
Bytes EncodeCommandApdu(const CommandApdu& command,
                        bool force_extended = false);

}  // namespace openmyna::card
