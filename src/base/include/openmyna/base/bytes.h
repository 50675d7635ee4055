// Byte strings and their hex forms; big-endian integer helpers for wire
// formats (ISO/IEC 7816-4 APDUs, DER, vpcd framing).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"

namespace openmyna {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// "3b e0 00" style when `separator` is ' ', "3be000" when it is '\0'.
// Lower case unless `upper`.
std::string ToHex(ByteView bytes, char separator = '\0', bool upper = false);

// Parses hex digits; spaces, colons and line breaks between byte pairs are
// ignored. Fails with kInvalidArgument on an odd digit count or a non-hex
// character (the message names its position).
Result<Bytes> FromHex(std::string_view text);

// Bytes of a string, and back (no encoding change).
Bytes ToBytes(std::string_view text);
std::string ToString(ByteView bytes);

// Big-endian integers.
void AppendU16(Bytes& out, std::uint16_t value);
void AppendU32(Bytes& out, std::uint32_t value);
std::uint16_t ReadU16(ByteView in, std::size_t offset);
std::uint32_t ReadU32(ByteView in, std::size_t offset);

void Append(Bytes& out, ByteView more);
Bytes Concat(std::initializer_list<ByteView> parts);

// Constant-time comparison for secrets (PINs, MACs).
bool ConstantTimeEquals(ByteView a, ByteView b);

// Overwrites memory that held a secret (not optimised away).
void SecureWipe(std::span<std::uint8_t> bytes);
void SecureWipe(std::string& text);

}  // namespace openmyna
