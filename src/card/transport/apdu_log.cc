#include "openmyna/card/transport/apdu_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace openmyna::card::transport {
namespace {

// AIDs of card-apdu.md §2.
constexpr std::array<std::uint8_t, 10> kTextApAid = {
    0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08};
constexpr std::array<std::uint8_t, 10> kSurfaceApAid = {
    0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02};

constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsVerify = 0x20;
constexpr std::uint8_t kInsChangeReferenceData = 0x24;
constexpr std::uint8_t kInsChangeKey = 0x32;  // JICSAP, CLA 80

// The header and data field of a command APDU (ISO/IEC 7816-4 §5.1: short
// Lc in byte 5, or extended Lc "00 HH LL"). Data is empty for cases 1 and 2.
struct CommandParts {
  std::size_t data_offset = 0;
  std::size_t data_length = 0;
};

CommandParts SplitCommand(ByteView apdu) {
  if (apdu.size() <= 5) return {};
  if (apdu[4] != 0) {
    const std::size_t lc = apdu[4];
    if (5 + lc <= apdu.size()) return {5, lc};
    return {5, apdu.size() - 5};  // malformed: treat the rest as data
  }
  if (apdu.size() <= 7) return {};  // extended Le only
  const std::size_t lc = (std::size_t{apdu[5]} << 8) | apdu[6];
  return {7, std::min(lc, apdu.size() - 7)};
}

bool HidesCommandData(ByteView apdu) {
  if (apdu.size() < 4) return false;
  const std::uint8_t ins = apdu[1];
  return ins == kInsVerify || ins == kInsChangeReferenceData ||
         ins == kInsChangeKey;
}

bool IsSuccess(ByteView response) {
  return response.size() >= 2 && response[response.size() - 2] == 0x90 &&
         response[response.size() - 1] == 0x00;
}

}  // namespace

std::string ApduLogFormatter::Command(ByteView apdu) const {
  if (!HidesCommandData(apdu)) return "> " + ToHex(apdu, ' ');
  const CommandParts parts = SplitCommand(apdu);
  if (parts.data_length == 0) return "> " + ToHex(apdu, ' ');
  std::string line = "> " + ToHex(apdu.first(parts.data_offset), ' ');
  line += fmt::format(" <{} bytes hidden>", parts.data_length);
  const std::size_t after = parts.data_offset + parts.data_length;
  if (after < apdu.size()) line += " " + ToHex(apdu.subspan(after), ' ');
  return line;
}

bool ApduLogFormatter::HidesResponseOf(ByteView apdu) const {
  if (apdu.size() < 4 || apdu[1] != kInsReadBinary) return false;
  // Short EF id form: P1 = 1 0 0 SFI (ISO/IEC 7816-4 §11.2.2); the SFI is
  // the low byte of the FID on this card (card-apdu.md §0).
  const std::uint16_t ef = (apdu[2] & 0x80) != 0
                               ? static_cast<std::uint16_t>(apdu[2] & 0x1F)
                               : current_ef_;
  switch (application_) {
    case Application::kTextAp:
      return ef == 0x0001 || ef == 0x0002;
    case Application::kSurfaceAp:
      return ef == 0x0005;
    default:
      return false;
  }
}

std::string ApduLogFormatter::Response(ByteView apdu, ByteView response) {
  std::string line;
  if (HidesResponseOf(apdu) && response.size() > 2) {
    line = fmt::format("< <{} bytes hidden> {}", response.size() - 2,
                       ToHex(response.last(2), ' '));
  } else {
    line = "< " + ToHex(response, ' ');
  }
  if (apdu.size() >= 4 && IsSuccess(response)) {
    const CommandParts parts = SplitCommand(apdu);
    const ByteView data = apdu.subspan(parts.data_offset, parts.data_length);
    if (apdu[1] == kInsSelect && apdu[2] == 0x04) {
      if (std::ranges::equal(data, kTextApAid)) {
        application_ = Application::kTextAp;
      } else if (std::ranges::equal(data, kSurfaceApAid)) {
        application_ = Application::kSurfaceAp;
      } else {
        application_ = Application::kOther;
      }
      current_ef_ = 0;
    } else if (apdu[1] == kInsSelect && data.size() == 2) {
      current_ef_ = ReadU16(data, 0);
    } else if (apdu[1] == kInsReadBinary && (apdu[2] & 0x80) != 0) {
      current_ef_ = apdu[2] & 0x1F;
    }
  }
  return line;
}

void ApduLogFormatter::PowerEvent() {
  application_ = Application::kNone;
  current_ef_ = 0;
}

}  // namespace openmyna::card::transport
