#include "openmyna/card/faces/tlv.h"

#include <string>

#include "openmyna/card/faces/errors.h"

namespace openmyna::card::faces {

Result<Bytes> EncodeLength(std::size_t length) {
  if (length > kMaxTlvValue) {
    return Fail(FacesErrc::kInvalidLength,
                "value of " + std::to_string(length) +
                    " bytes exceeds the 82 HH LL length form (65,535)");
  }
  if (length < 0x80) return Bytes{static_cast<std::uint8_t>(length)};
  // card-apdu.md §8.1: from 128 up the card always uses 82 HH LL.
  return Bytes{0x82, static_cast<std::uint8_t>(length >> 8),
               static_cast<std::uint8_t>(length & 0xFF)};
}

Status AppendTlv(Bytes& out, std::uint16_t tag, ByteView value) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes length, EncodeLength(value.size()));
  if (tag > 0xFF) out.push_back(static_cast<std::uint8_t>(tag >> 8));
  out.push_back(static_cast<std::uint8_t>(tag & 0xFF));
  Append(out, length);
  Append(out, value);
  return Ok();
}

Result<Bytes> Tlv(std::uint16_t tag, ByteView value) {
  Bytes out;
  out.reserve(value.size() + 5);
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(out, tag, value));
  return out;
}

std::optional<TlvItem> ParseTlv(ByteView in, std::size_t offset) {
  std::size_t pos = offset;
  if (pos >= in.size()) return std::nullopt;
  TlvItem item;
  item.offset = offset;
  std::uint16_t tag = in[pos++];
  if ((tag & 0x1F) == 0x1F) {
    if (pos >= in.size()) return std::nullopt;
    tag = static_cast<std::uint16_t>((tag << 8) | in[pos++]);
  }
  item.tag = tag;
  if (pos >= in.size()) return std::nullopt;
  std::size_t length = in[pos++];
  if (length == 0x81) {
    if (pos + 1 > in.size()) return std::nullopt;
    length = in[pos++];
  } else if (length == 0x82) {
    if (pos + 2 > in.size()) return std::nullopt;
    length = ReadU16(in, pos);
    pos += 2;
  } else if (length > 0x80) {
    return std::nullopt;  // 83+ forms never occur on this card
  }
  item.header_size = pos - offset;
  item.value_size = length;
  if (in.size() - pos < length) return std::nullopt;
  return item;
}

std::optional<std::vector<TlvItem>> ParseTlvSequence(ByteView in,
                                                     std::size_t begin,
                                                     std::size_t end) {
  std::vector<TlvItem> items;
  if (end > in.size() || begin > end) return std::nullopt;
  ByteView window = in.first(end);
  std::size_t pos = begin;
  while (pos < end) {
    if (window[pos] == 0x00 || window[pos] == 0xFF) break;  // filler
    auto item = ParseTlv(window, pos);
    if (!item) return std::nullopt;
    items.push_back(*item);
    pos += item->size();
  }
  return items;
}

}  // namespace openmyna::card::faces
