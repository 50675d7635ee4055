#include "openmyna/base/utf8.h"

namespace openmyna {

Utf8Sequence Utf8SequenceAt(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong form
    if (lead == 0xED) high = 0x9F;  // no surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong form
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  std::size_t good = 1;
  while (good < length && i + good < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i + good]);
    if (byte < low || byte > high) break;
    low = 0x80;
    high = 0xBF;
    ++good;
  }
  return {good, good == length};
}

bool IsUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Sequence sequence = Utf8SequenceAt(text, i);
    if (!sequence.valid) return false;
    i += sequence.length;
  }
  return true;
}

}  // namespace openmyna
