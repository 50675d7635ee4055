// The insurer number (保険者番号) printed on every health-insurance card and
// sent by clinics to the eligibility service (insurance.md §1.5).
//
// Layout (厚生労働省「保険者番号等の設定について」, 保険者番号設定要領):
//   8 digits: 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号
//   (1); 6 digits for municipal national health insurance (国民健康保険), which
//   has no 法別番号: 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1).
//
// Check digit (検証番号), same rule for both lengths:
//   1. multiply the digits of the base by 2 and 1 alternately, starting with
//      2 at the last digit of the base;
//   2. add the products, a two-digit product counting as the sum of its
//      two digits;
//   3. the check digit is 10 minus the last digit of the sum, or 0 when that
//      last digit is 0.
// (The Luhn scheme.) Published examples and their sources are in
// insurer_number_test.cc.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::domain {

class InsurerNumber {
 public:
  // Accepts exactly 6 or 8 ASCII digits whose last digit is the check digit
  // of the others. The online eligibility messages left-pad a 6-digit number
  // with spaces to 8 characters (insurance.md §1.5): leading ASCII spaces are
  // accepted and dropped. Errors, first failing rule: kInvalidNumber (a
  // character that is not a digit), kInvalidNumberLength ("must be 6 or 8
  // digits, got 7"), kInvalidCheckDigit ("check digit should be 5").
  static Result<InsurerNumber> Parse(std::string_view text);

  // The check digit of a 5- or 7-digit base; kInvalidNumber /
  // kInvalidNumberLength otherwise.
  static Result<char> CheckDigitOf(std::string_view base);

  const std::string& digits() const { return digits_; }
  // 6 digits: a municipal national health insurance (国民健康保険).
  bool IsNationalHealthInsurance() const { return digits_.size() == 6; }
  // 法別番号 ("01" 協会けんぽ, "06" 組合, "39" 後期高齢者, ...); "" for 国保.
  std::string LawNumber() const;
  // 都道府県番号 (JIS X 0401 prefecture code, "20" = 長野県).
  std::string PrefectureCode() const;
  // The 8-character form of the eligibility messages ("  202184").
  std::string Padded8() const;

  friend bool operator==(const InsurerNumber&, const InsurerNumber&) = default;

 private:
  explicit InsurerNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

}  // namespace openmyna::domain
