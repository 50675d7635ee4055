#include "openmyna/domain/individual_number.h"

#include <fmt/format.h>

#include <array>

#include "openmyna/base/log.h"
#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

// Weights of base digits 1..11, left to right (平成26年総務省令第85号 Art. 5:
// Qn = n+1 for n = 1..6 and n-5 for n = 7..11, n counted from the right).
constexpr std::array<int, 11> kWeights{6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 1-based position of the first non-digit, in characters (UTF-8 code
// points), or 0 when every byte is a digit.
std::size_t FirstNonDigitCharacter(std::string_view text) {
  std::size_t characters = 0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) ++characters;  // not a continuation byte
    if (!IsDigit(c)) return characters;
  }
  return 0;
}

}  // namespace

int IndividualNumberCheckDigit(std::string_view eleven_digits) {
  if (eleven_digits.size() != kWeights.size()) return -1;
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) {
    if (!IsDigit(eleven_digits[i])) return -1;
    sum += (eleven_digits[i] - '0') * kWeights[i];
  }
  const int remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

Result<IndividualNumber> IndividualNumber::Parse(std::string_view text) {
  if (std::size_t bad = FirstNonDigitCharacter(text); bad != 0) {
    return Fail(DomainErrc::kInvalidNumber,
                fmt::format("character {} is not a digit", bad));
  }
  if (text.size() != 12) {
    return Fail(DomainErrc::kInvalidNumberLength,
                fmt::format("must be 12 digits, got {}", text.size()));
  }
  const int expected = IndividualNumberCheckDigit(text.substr(0, 11));
  if (text[11] - '0' != expected) {
    return Fail(DomainErrc::kInvalidCheckDigit,
                fmt::format("check digit should be {}", expected));
  }
  return IndividualNumber(std::string(text));
}

IndividualNumber IndividualNumber::Generate(Rng& rng) {
  std::string digits;
  digits.reserve(12);
  for (int i = 0; i < 11; ++i) {
    digits += static_cast<char>('0' + rng.UniformBelow(10));
  }
  digits += static_cast<char>('0' + IndividualNumberCheckDigit(digits));
  return IndividualNumber(std::move(digits));
}

std::string IndividualNumber::Masked() const { return MaskTail(digits_, 4); }

}  // namespace openmyna::domain
