// The four passwords (暗証番号) of the card (domain.md §3; jpki.md §7.1;
// card-apdu.md §9). Only their format rules live here; retry counters are
// the card's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace openmyna::domain {

enum class PasswordKind {
  kSignature,  // 署名用電子証明書 password: 6-16 of A-Z 0-9, 5 tries
  kAuthentication,  // 利用者証明用電子証明書 PIN: 4 digits, 3 tries
  kJuki,            // 住民基本台帳用 PIN: 4 digits, 3 tries
  kInputAssist,     // 券面事項入力補助用 PIN: 4 digits, 3 tries
};

struct PasswordPolicy {
  std::size_t min_length;
  std::size_t max_length;
  int max_tries;  // consecutive wrong entries that lock the function
  std::string_view description;  // for help texts
};

// The policy of `kind` (a static object; the reference stays valid).
const PasswordPolicy& PolicyFor(PasswordKind kind);

enum class PasswordRule {
  kTooShort,
  kTooLong,
  kBadCharacter,  // signature: not A-Z/0-9 (lower case included: the JPKI
                  // client upper-cases input, the card compares bytes);
                  // 4-digit PINs: not 0-9
  kNeedsLetter,   // signature password without A-Z
  kNeedsDigit,    // signature password without 0-9
};

struct PasswordViolation {
  PasswordRule rule;
  std::string message;  // never contains the candidate itself
};

// The first rule `candidate` breaks, or nullopt when it is acceptable.
// Order: bad character, too short, too long, needs letter, needs digit.
std::optional<PasswordViolation> CheckPassword(PasswordKind kind,
                                               std::string_view candidate);

// Whether the card holds this password at all (domain.md §3 "when it exists"):
// none on a face-authentication card; no signature password under 15 at
// issue or for adult wards (their authentication PIN is set by the legal
// representative, but it exists).
bool PasswordExists(PasswordKind kind, int age_at_issue, bool adult_ward,
                    bool face_auth_card);

}  // namespace openmyna::domain
