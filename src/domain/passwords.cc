#include "openmyna/domain/passwords.h"

#include <fmt/format.h>

namespace openmyna::domain {
namespace {

// domain.md §3; jpki.md §7.1 (OpenSC pkcs15-jpki.c agrees: 6-16, 5 tries
// for the signature password; 3 tries for the authentication PIN).
constexpr PasswordPolicy kSignaturePolicy{
    6, 16, 5,
    "6-16 characters of A-Z and 0-9, at least one letter and one digit"};
constexpr PasswordPolicy kAuthenticationPolicy{4, 4, 3, "4 digits"};
constexpr PasswordPolicy kJukiPolicy{4, 4, 3, "4 digits"};
constexpr PasswordPolicy kInputAssistPolicy{4, 4, 3, "4 digits"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

}  // namespace

const PasswordPolicy& PolicyFor(PasswordKind kind) {
  switch (kind) {
    case PasswordKind::kSignature:
      return kSignaturePolicy;
    case PasswordKind::kAuthentication:
      return kAuthenticationPolicy;
    case PasswordKind::kJuki:
      return kJukiPolicy;
    case PasswordKind::kInputAssist:
      return kInputAssistPolicy;
  }
  return kAuthenticationPolicy;
}

std::optional<PasswordViolation> CheckPassword(PasswordKind kind,
                                               std::string_view candidate) {
  const PasswordPolicy& policy = PolicyFor(kind);
  const bool letters_allowed = kind == PasswordKind::kSignature;
  bool has_letter = false;
  bool has_digit = false;
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    const char c = candidate[i];
    if (IsDigit(c)) {
      has_digit = true;
    } else if (letters_allowed && IsUpper(c)) {
      has_letter = true;
    } else {
      return PasswordViolation{
          PasswordRule::kBadCharacter,
          fmt::format("character {} is not {}", i + 1,
                      letters_allowed ? "an upper-case letter A-Z or a digit"
                                      : "a digit")};
    }
  }
  if (candidate.size() < policy.min_length) {
    return PasswordViolation{
        PasswordRule::kTooShort,
        fmt::format("too short: {} characters, at least {} needed",
                    candidate.size(), policy.min_length)};
  }
  if (candidate.size() > policy.max_length) {
    return PasswordViolation{
        PasswordRule::kTooLong,
        fmt::format("too long: {} characters, at most {} allowed",
                    candidate.size(), policy.max_length)};
  }
  if (letters_allowed && !has_letter) {
    return PasswordViolation{PasswordRule::kNeedsLetter,
                             "needs at least one letter A-Z"};
  }
  if (letters_allowed && !has_digit) {
    return PasswordViolation{PasswordRule::kNeedsDigit,
                             "needs at least one digit 0-9"};
  }
  return std::nullopt;
}

bool PasswordExists(PasswordKind kind, int age_at_issue, bool adult_ward,
                    bool face_auth_card) {
  if (face_auth_card) return false;  // domain.md §8.4: no passwords at all
  if (kind == PasswordKind::kSignature) {
    return age_at_issue >= 15 && !adult_ward;
  }
  return true;
}

}  // namespace openmyna::domain
