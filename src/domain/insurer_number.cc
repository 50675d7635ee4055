#include "openmyna/domain/insurer_number.h"

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

Status AllDigits(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return Fail(DomainErrc::kInvalidNumber,
                  "character " + std::to_string(i + 1) + " is not a digit");
    }
  }
  return Ok();
}

}  // namespace

Result<char> InsurerNumber::CheckDigitOf(std::string_view base) {
  OPENMYNA_RETURN_IF_ERROR(AllDigits(base));
  if (base.size() != 5 && base.size() != 7) {
    return Fail(
        DomainErrc::kInvalidNumberLength,
        "the base must be 5 or 7 digits, got " + std::to_string(base.size()));
  }
  int sum = 0;
  int weight = 2;  // 2 at the last digit, then 1, 2, 1, ... leftwards
  for (auto it = base.rbegin(); it != base.rend(); ++it) {
    const int product = (*it - '0') * weight;
    sum += product / 10 + product % 10;
    weight = weight == 2 ? 1 : 2;
  }
  const int last = sum % 10;
  return static_cast<char>('0' + (last == 0 ? 0 : 10 - last));
}

Result<InsurerNumber> InsurerNumber::Parse(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  OPENMYNA_RETURN_IF_ERROR(AllDigits(text));
  if (text.size() != 6 && text.size() != 8) {
    return Fail(DomainErrc::kInvalidNumberLength,
                "must be 6 or 8 digits, got " + std::to_string(text.size()));
  }
  OPENMYNA_ASSIGN_OR_RETURN(char check,
                            CheckDigitOf(text.substr(0, text.size() - 1)));
  if (text.back() != check) {
    return Fail(DomainErrc::kInvalidCheckDigit,
                std::string("check digit should be ") + check);
  }
  return InsurerNumber(std::string(text));
}

std::string InsurerNumber::LawNumber() const {
  return IsNationalHealthInsurance() ? "" : digits_.substr(0, 2);
}

std::string InsurerNumber::PrefectureCode() const {
  return IsNationalHealthInsurance() ? digits_.substr(0, 2)
                                     : digits_.substr(2, 2);
}

std::string InsurerNumber::Padded8() const {
  return std::string(8 - digits_.size(), ' ') + digits_;
}

}  // namespace openmyna::domain
