// The personalization profile: the user-facing JSON that says who a card
// belongs to and how it is set up (issue 3 item 4; docs/profiles.md).
//
//   {"number": "123456789018", "name": "番号 花子",
//    "address": "長野県千曲市杭瀬下…", "birth_date": "1990-05-10",
//    "sex": "female", "kind": "standard",
//    "passwords": {"signature": "ABC123", "authentication": "1234",
//                  "juki": "1234", "input_assist": "1234"},
//    "certificates": ["authentication", "signature"]}
//
// Optional keys: kana, former_surname, photo (PNG path, relative to the
// profile's folder), municipality_code / municipality_prefecture /
// municipality_name, security_code, issue_date, adult_ward, residence
// {status, stay_until}. Any other key is refused (typos must not pass
// silently).
//
// Every rule is checked before anything is built, and every broken rule is
// reported (kInvalidProfile; one "field: problem" per line), so that no
// image is ever written from a bad profile.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/residence.h"

namespace openmyna::card::perso {

enum class ProfileSex { kMale, kFemale, kOther };
enum class ProfileKind { kStandard, kFaceAuth };

// Secrets: never logged; wiped when the profile is destroyed.
struct ProfilePasswords {
  std::string signature;       // 署名用: 6–16 of A–Z 0–9; "" = none
  std::string authentication;  // 利用者証明用: 4 digits; "" = none
  std::string juki;            // 住民基本台帳用: 4 digits; "" = none
  std::string input_assist;  // 券面事項入力補助用: 4 digits; "" = none
  ~ProfilePasswords();
};

struct Profile {
  std::string number;  // 12 digits, check digit verified
  std::string name;    // UTF-8, surname and given name separated by a space
  std::string address;
  domain::Date birth_date;
  ProfileSex sex = ProfileSex::kOther;
  ProfileKind kind = ProfileKind::kStandard;
  ProfilePasswords passwords;
  bool authentication_certificate = false;
  bool signature_certificate = false;
  // Optional.
  std::string kana;
  std::string former_surname;
  std::filesystem::path photo;  // absolute after parsing; empty = none
  std::string municipality_code = "20218";  // 千曲市 (202185 without check)
  std::string municipality_prefecture = "Nagano-ken";
  std::string municipality_name = "Chikuma-shi";
  std::string security_code;  // 4 digits; "" = drawn at personalization
  domain::Date issue_date;    // the profile's, else the date passed in
  bool adult_ward = false;
  domain::ResidenceStatus residence =
      domain::ResidenceStatus::kJapaneseNational;
  std::optional<domain::Date> stay_until;

  int AgeAtIssue() const { return domain::AgeAt(birth_date, issue_date); }
};

// Parses and validates a profile. `today` (JST date) is the issue date
// unless the profile names one; `base_dir` resolves a relative photo path.
// The photo file must exist (it is read at personalization).
Result<Profile> ParseProfile(std::string_view json_text, domain::Date today,
                             const std::filesystem::path& base_dir = {});

// ParseProfile of a file (kIo when unreadable; base_dir = its folder).
Result<Profile> LoadProfile(const std::filesystem::path& path,
                            domain::Date today);

}  // namespace openmyna::card::perso
