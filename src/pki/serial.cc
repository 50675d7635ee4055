#include <cctype>

#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

std::string Serial::Hex() const {
  std::string hex = ToHex(bytes);
  const auto first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

Result<Serial> Serial::FromHex(std::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Fail(PkiErrc::kInvalidSerial,
                  "serial is not hex: '" + std::string(hex) + "'");
    }
    digits.push_back(
        static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    return Fail(PkiErrc::kInvalidSerial,
                "serial must be a positive number: '" + std::string(hex) + "'");
  }
  digits = digits.substr(first);
  if (digits.size() % 2 == 1) digits.insert(digits.begin(), '0');
  if (digits.size() > 40) {
    return Fail(PkiErrc::kInvalidSerial,
                "serial longer than 20 octets (RFC 5280 §4.1.2.2)");
  }
  auto bytes = openmyna::FromHex(digits);
  if (!bytes) return Fail(PkiErrc::kInvalidSerial, bytes.error().message());
  return Serial{std::move(*bytes)};
}

}  // namespace openmyna::pki
