#include "openmyna/domain/corporate_number.h"

#include <fmt/format.h>

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

int CorporateNumberCheckDigit(std::string_view base) {
  if (base.size() != 12) return -1;
  int sum = 0;
  // Pn counted from the rightmost digit (n = 1); Qn = 1 for odd n, 2 for
  // even n (法人番号の指定等に関する省令 Art. 2).
  for (std::size_t n = 1; n <= 12; ++n) {
    const char c = base[12 - n];
    if (!IsDigit(c)) return -1;
    sum += (c - '0') * (n % 2 == 1 ? 1 : 2);
  }
  return 9 - sum % 9;
}

Result<std::string> ParseCorporateNumber(std::string_view text) {
  std::size_t characters = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
    if (!IsDigit(c)) {
      return Fail(DomainErrc::kInvalidNumber,
                  fmt::format("character {} is not a digit", characters));
    }
  }
  if (text.size() != 13) {
    return Fail(DomainErrc::kInvalidNumberLength,
                fmt::format("must be 13 digits, got {}", text.size()));
  }
  const int expected = CorporateNumberCheckDigit(text.substr(1));
  if (text[0] - '0' != expected) {
    return Fail(DomainErrc::kInvalidCheckDigit,
                fmt::format("check digit should be {}", expected));
  }
  return std::string(text);
}

}  // namespace openmyna::domain
