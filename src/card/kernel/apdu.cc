// ISO/IEC 7816-4:2020 §5.1 (command-response pairs): the four cases and the
// short / extended length encodings.
#include "openmyna/card/apdu.h"

namespace openmyna::card {

std::optional<CommandApdu> ParseCommandApdu(ByteView apdu) {
  if (apdu.size() < 4) return std::nullopt;
  CommandApdu c;
  c.cla = apdu[0];
  c.ins = apdu[1];
  c.p1 = apdu[2];
  c.p2 = apdu[3];
  const std::size_t body = apdu.size() - 4;
  if (body == 0) return c;  // case 1
  if (body == 1) {          // case 2 short
    c.le = apdu[4] == 0 ? 256u : apdu[4];
    return c;
  }
  if (apdu[4] != 0) {  // short Lc
    const std::size_t lc = apdu[4];
    if (body == 1 + lc) {  // case 3 short
      c.data.assign(apdu.begin() + 5, apdu.end());
      return c;
    }
    if (body == 2 + lc) {  // case 4 short
      c.data.assign(apdu.begin() + 5, apdu.begin() + 5 + lc);
      c.le = apdu.back() == 0 ? 256u : apdu.back();
      return c;
    }
    return std::nullopt;
  }
  // First body byte 00 followed by more: extended length fields.
  if (body < 3) return std::nullopt;
  c.extended = true;
  const std::size_t first = (std::size_t{apdu[5]} << 8) | apdu[6];
  if (body == 3) {  // case 2 extended
    c.le = first == 0 ? 65536u : static_cast<std::uint32_t>(first);
    return c;
  }
  const std::size_t lc = first;
  if (lc == 0) return std::nullopt;
  if (body == 3 + lc) {  // case 3 extended
    c.data.assign(apdu.begin() + 7, apdu.end());
    return c;
  }
  if (body == 5 + lc) {  // case 4 extended
    c.data.assign(apdu.begin() + 7, apdu.begin() + 7 + lc);
    const std::size_t le =
        (std::size_t{apdu[apdu.size() - 2]} << 8) | apdu.back();
    c.le = le == 0 ? 65536u : static_cast<std::uint32_t>(le);
    return c;
  }
  return std::nullopt;
}

Bytes EncodeCommandApdu(const CommandApdu& c, bool force_extended) {
  Bytes out{c.cla, c.ins, c.p1, c.p2};
  const bool extended = force_extended || c.data.size() > 255 ||
                        (c.le.has_value() && *c.le > 256);
  if (!c.data.empty()) {
    if (extended) {
      out.push_back(0);
      AppendU16(out, static_cast<std::uint16_t>(c.data.size()));
    } else {
      out.push_back(static_cast<std::uint8_t>(c.data.size()));
    }
    Append(out, c.data);
  }
  if (c.le.has_value()) {
    if (extended) {
      if (c.data.empty()) out.push_back(0);
      AppendU16(out, static_cast<std::uint16_t>(*c.le & 0xFFFF));
    } else {
      out.push_back(static_cast<std::uint8_t>(*c.le & 0xFF));
    }
  }
  return out;
}

}  // namespace openmyna::card
