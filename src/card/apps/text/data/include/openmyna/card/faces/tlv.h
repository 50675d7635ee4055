// BER-TLV as the card-face applications store it (card-apdu.md §8.1):
// one- or two-byte tags (private class DF xx / FF xx, application class
// 5F xx / 7F xx, context tags 90 / 91 / A1), definite lengths, and the
// card's length rule: short form below 128, `82 HH LL` from 128 up, never
// `81 LL` (ISO/IEC 7816-4 §5.2.2.1 allows both; the card uses only these).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::card::faces {

// The largest value an `82 HH LL` length can carry.
inline constexpr std::size_t kMaxTlvValue = 0xFFFF;

// The length field for `length`: 1 byte below 128, else 82 HH LL.
// Fails (kInvalidLength) above 65,535.
Result<Bytes> EncodeLength(std::size_t length);

// Appends tag ‖ length ‖ value. `tag` is written as 1 byte when ≤ 0xFF,
// else as 2 bytes big-endian. Fails (kInvalidLength) above 65,535.
Status AppendTlv(Bytes& out, std::uint16_t tag, ByteView value);

// tag ‖ length ‖ value as a new byte string.
Result<Bytes> Tlv(std::uint16_t tag, ByteView value);

// One parsed object: where it sits inside the buffer that was parsed.
struct TlvItem {
  std::uint16_t tag = 0;
  std::size_t offset = 0;       // of the tag's first byte
  std::size_t header_size = 0;  // tag + length bytes
  std::size_t value_size = 0;
  std::size_t size() const { return header_size + value_size; }
};

// Parses the object that starts at `offset` of `in`. Two-byte tags are those
// whose first byte has the low five bits set (ISO/IEC 7816-4 §5.2.2.1).
// Accepts short, 81 and 82 length forms. Returns nullopt when the bytes do
// not hold a complete object (never reads outside `in`).
std::optional<TlvItem> ParseTlv(ByteView in, std::size_t offset = 0);

// The objects that follow each other inside [begin, end) of `in`, stopping
// at filler (a 00 or FF where a tag would start) or at the end. Returns
// nullopt if an object is truncated.
std::optional<std::vector<TlvItem>> ParseTlvSequence(ByteView in,
                                                     std::size_t begin,
                                                     std::size_t end);

}  // namespace openmyna::card::faces
