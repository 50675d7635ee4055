// The corporate number (法人番号): 13 digits, the FIRST a check digit
// (jpki.md §5.2; 法人番号の指定等に関する省令, 平成26年財務省令第70号 Art. 2).
//
// Check digit: with the 12-digit base's digits weighted 1, 2, 1, 2, ...
// counting from the rightmost (weight 1), check = 9 - (Σ mod 9), always 1-9.
// A 0<->9 substitution cannot be detected by this rule.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::domain {

// Accepts exactly 13 ASCII digits whose first digit is the check digit of the
// other 12; returns them unchanged. Errors, in this order: kInvalidNumber
// ("character N is not a digit"), kInvalidNumberLength ("must be 13 digits,
// got N"), kInvalidCheckDigit ("check digit should be N").
Result<std::string> ParseCorporateNumber(std::string_view text);

// The check digit (1-9) of a 12-digit base, or -1 when `twelve_digit_base` is
// not exactly 12 ASCII digits.
int CorporateNumberCheckDigit(std::string_view twelve_digit_base);

}  // namespace openmyna::domain
