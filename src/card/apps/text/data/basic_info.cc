#include "openmyna/card/faces/basic_info.h"

#include <string>

#include "openmyna/base/utf8.h"
#include "openmyna/card/faces/errors.h"
#include "openmyna/domain/era.h"
#include "openmyna/domain/individual_number.h"

namespace openmyna::card::faces {
namespace {

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Length of the space at `pos` (1 for U+0020, 3 for U+3000), 0 otherwise.
std::size_t SpaceAt(std::string_view s, std::size_t pos) {
  if (pos < s.size() && s[pos] == ' ') return 1;
  if (s.substr(pos, 3) == kIdeographicSpace) return 3;
  return 0;
}

}  // namespace

Result<Sex> ParseSex(std::string_view word) {
  if (word == "male") return Sex::kMale;
  if (word == "female") return Sex::kFemale;
  if (word == "other") return Sex::kNotApplicable;
  if (word == "unknown") return Sex::kUnknown;
  return Fail(FacesErrc::kInvalidArgument,
              "sex must be male, female, other or unknown, got \"" +
                  std::string(word) + "\"");
}

char SexDigit(Sex sex) {
  return static_cast<char>('0' + static_cast<int>(sex));
}

bool IsUtf8(std::string_view text) { return openmyna::IsUtf8(text); }

Result<std::string> CardName(std::string_view name) {
  if (!IsUtf8(name)) {
    return Fail(FacesErrc::kInvalidName, "name is not valid UTF-8");
  }
  // Trim spaces at both ends.
  while (std::size_t n = SpaceAt(name, 0)) name.remove_prefix(n);
  while (!name.empty()) {
    if (name.back() == ' ') {
      name.remove_suffix(1);
    } else if (name.size() >= 3 &&
               name.substr(name.size() - 3) == kIdeographicSpace) {
      name.remove_suffix(3);
    } else {
      break;
    }
  }
  if (name.empty()) return Fail(FacesErrc::kInvalidName, "name is empty");
  std::string out;
  std::size_t i = 0;
  while (i < name.size() && SpaceAt(name, i) == 0) ++i;
  out.append(name.substr(0, i));
  if (i < name.size()) {
    while (std::size_t n = SpaceAt(name, i)) i += n;
    out.append(kIdeographicSpace);
    out.append(name.substr(i));
  }
  return out;
}

Result<std::string> CardDate(domain::Date date) {
  if (!date.ok() || int(date.year()) < 1000 || int(date.year()) > 9999) {
    return Fail(FacesErrc::kInvalidDate,
                "the card stores dates of years 1000-9999 as YYYYMMDD");
  }
  return domain::FormatCompactDate(date);
}

Result<std::string> CheckedNumber(std::string_view number) {
  auto parsed = domain::IndividualNumber::Parse(number);
  if (!parsed) {
    return Fail(FacesErrc::kInvalidNumber,
                "individual number: " + parsed.error().message());
  }
  return parsed->digits();
}

Result<std::string> CollationNumberA(std::string_view number) {
  return CheckedNumber(number);
}

Result<std::string> BirthDateKey(domain::Date birth) {
  OPENMYNA_RETURN_IF_ERROR(CardDate(birth));
  if (!domain::ToEra(birth)) {
    return Fail(FacesErrc::kInvalidDate,
                "birth date before the Meiji era has no era year");
  }
  return domain::EraYymmdd(birth);
}

Result<std::string> CollationNumberB(domain::Date birth,
                                     domain::Date card_expiry,
                                     std::string_view security_code) {
  if (security_code.size() != 4 || !AllDigits(security_code)) {
    return Fail(FacesErrc::kInvalidSecurityCode,
                "security code must be 4 digits");
  }
  OPENMYNA_ASSIGN_OR_RETURN(std::string birth_key, BirthDateKey(birth));
  OPENMYNA_ASSIGN_OR_RETURN(std::string expiry, CardDate(card_expiry));
  return birth_key + expiry.substr(0, 4) + std::string(security_code);
}

}  // namespace openmyna::card::faces
