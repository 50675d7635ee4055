#include "kernel/pin_rules.h"

#include "openmyna/domain/passwords.h"

namespace openmyna::card {
namespace {

std::optional<std::string> Digits(std::string_view value, std::size_t n) {
  if (value.size() != n) {
    return "must be exactly " + std::to_string(n) + " digits";
  }
  for (char c : value) {
    if (c < '0' || c > '9') return "must be digits only";
  }
  return std::nullopt;
}

std::optional<domain::PasswordKind> PasswordKindOf(PinRule rule) {
  switch (rule) {
    case PinRule::kSignaturePassword:
      return domain::PasswordKind::kSignature;
    case PinRule::kAuthenticationPin:
      return domain::PasswordKind::kAuthentication;
    case PinRule::kJukiPin:
      return domain::PasswordKind::kJuki;
    case PinRule::kInputAssistPin:
      return domain::PasswordKind::kInputAssist;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool IsPassword(PinRule rule) { return PasswordKindOf(rule).has_value(); }

std::optional<std::string> CheckPinValue(PinRule rule, std::string_view value) {
  if (auto kind = PasswordKindOf(rule)) {
    if (auto violation = domain::CheckPassword(*kind, value)) {
      return violation->message;
    }
    return std::nullopt;
  }
  switch (rule) {
    case PinRule::kCollationA:
      return Digits(value, 12);
    case PinRule::kCollationB:
      return Digits(value, 14);
    case PinRule::kBirthDateKey:
      return Digits(value, 6);
    default:
      return std::nullopt;
  }
}

}  // namespace openmyna::card
