// The individual number (個人番号, "My Number"): 12 digits, the last a check
// digit (domain.md §2; jpki.md §5.1).
//
// Check digit (平成26年総務省令第85号 Art. 5): with the 11-digit base weighted
// 6,5,4,3,2,7,6,5,4,3,2 from left to right, r = Σ(digit × weight) mod 11;
// the check digit is 0 when r <= 1, else 11 - r.
//
// Personal data: digits() is the number in clear; log or display Masked()
// unless the screen really needs the whole number (domain.md §2).
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"

namespace openmyna::domain {

// A valid individual number. The only ways to get one are Parse and Generate,
// so holding an IndividualNumber means the text was checked.
class IndividualNumber {
 public:
  // Accepts exactly 12 ASCII digits whose last digit is the check digit of
  // the first 11. No separators, no spaces, no full-width digits. Rules are
  // checked in this order, the error naming the first that fails:
  //  1. every character is 0-9: kInvalidNumber,
  //     "character 5 is not a digit" (1-based, counted in characters);
  //  2. 12 digits: kInvalidNumberLength, "must be 12 digits, got 11";
  //  3. check digit: kInvalidCheckDigit, "check digit should be 8".
  static Result<IndividualNumber> Parse(std::string_view text);

  // A uniformly random base of 11 digits with its check digit. Draws from
  // `rng` (OpenSslRng in production, DeterministicRng in tests).
  static IndividualNumber Generate(Rng& rng);

  // The 12 digits in clear.
  const std::string& digits() const { return digits_; }

  // All but the last 4 digits replaced by '*': "********9018".
  std::string Masked() const;

  friend bool operator==(const IndividualNumber&,
                         const IndividualNumber&) = default;

 private:
  explicit IndividualNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

// The check digit (0-9) of an 11-digit base, or -1 when `eleven_digits` is
// not exactly 11 ASCII digits.
int IndividualNumberCheckDigit(std::string_view eleven_digits);

}  // namespace openmyna::domain
