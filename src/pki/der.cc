#include "openmyna/pki/der.h"

#include <chrono>
#include <cstdio>

namespace openmyna::pki::der {

std::size_t LengthOfLength(std::uint64_t length) {
  if (length < 0x80) return 1;
  std::size_t bytes = 0;
  for (std::uint64_t v = length; v != 0; v >>= 8) ++bytes;
  return 1 + bytes;
}

void AppendLength(Bytes& out, std::uint64_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  const std::size_t n = LengthOfLength(length) - 1;
  out.push_back(static_cast<std::uint8_t>(0x80 | n));
  for (std::size_t i = n; i-- > 0;) {
    out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  }
}

void AppendHeader(Bytes& out, std::uint8_t tag, std::uint64_t length) {
  out.push_back(tag);
  AppendLength(out, length);
}

std::uint64_t TlvSize(std::uint64_t content_length) {
  return 1 + LengthOfLength(content_length) + content_length;
}

Bytes IntegerContents(ByteView magnitude) {
  std::size_t start = 0;
  while (start + 1 < magnitude.size() && magnitude[start] == 0) ++start;
  Bytes out;
  if (magnitude.empty()) {
    out.push_back(0);
    return out;
  }
  if (magnitude[start] & 0x80) out.push_back(0);
  out.insert(out.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(start),
             magnitude.end());
  return out;
}

void AppendTlv(Bytes& out, std::uint8_t tag, ByteView contents) {
  AppendHeader(out, tag, contents.size());
  out.insert(out.end(), contents.begin(), contents.end());
}

Bytes EncodeTime(TimePoint when) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(when);
  const auto days = floor<std::chrono::days>(seconds);
  const year_month_day ymd{days};
  const hh_mm_ss hms{seconds - days};
  const int year = static_cast<int>(ymd.year());
  char text[32];
  Bytes out;
  if (year >= 1950 && year <= 2049) {
    std::snprintf(text, sizeof text, "%02d%02u%02u%02d%02d%02dZ", year % 100,
                  static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    AppendTlv(out, kUtcTime, ToBytes(text));
  } else {
    std::snprintf(text, sizeof text, "%04d%02u%02u%02d%02d%02dZ", year,
                  static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    AppendTlv(out, kGeneralizedTime, ToBytes(text));
  }
  return out;
}

}  // namespace openmyna::pki::der
