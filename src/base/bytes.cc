#include "openmyna/base/bytes.h"

#include <openssl/crypto.h>

#include "openmyna/base/errors.h"

namespace openmyna {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHexSeparator(char c) {
  return c == ' ' || c == ':' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

std::string ToHex(ByteView bytes, char separator, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * (separator ? 3 : 2));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (separator && i > 0) out.push_back(separator);
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0F]);
  }
  return out;
}

Result<Bytes> FromHex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int pending = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsHexSeparator(c)) {
      if (pending >= 0) {
        return Fail(
            BaseErrc::kInvalidArgument,
            "hex: separator inside a byte at position " + std::to_string(i));
      }
      continue;
    }
    const int v = HexValue(c);
    if (v < 0) {
      return Fail(BaseErrc::kInvalidArgument,
                  "hex: not a hex digit at position " + std::to_string(i));
    }
    if (pending < 0) {
      pending = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((pending << 4) | v));
      pending = -1;
    }
  }
  if (pending >= 0) {
    return Fail(BaseErrc::kInvalidArgument, "hex: odd number of digits");
  }
  return out;
}

Bytes ToBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string ToString(ByteView bytes) {
  return std::string(bytes.begin(), bytes.end());
}

void AppendU16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void AppendU32(Bytes& out, std::uint32_t value) {
  AppendU16(out, static_cast<std::uint16_t>(value >> 16));
  AppendU16(out, static_cast<std::uint16_t>(value));
}

std::uint16_t ReadU16(ByteView in, std::size_t offset) {
  return static_cast<std::uint16_t>((in[offset] << 8) | in[offset + 1]);
}

std::uint32_t ReadU32(ByteView in, std::size_t offset) {
  return (std::uint32_t{ReadU16(in, offset)} << 16) | ReadU16(in, offset + 2);
}

void Append(Bytes& out, ByteView more) {
  out.insert(out.end(), more.begin(), more.end());
}

Bytes Concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) Append(out, p);
  return out;
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureWipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

void SecureWipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

}  // namespace openmyna
