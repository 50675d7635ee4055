// The holder's data as the card-face applications store it: the individual
// number, the four basic data (基本4情報: name, address, birth date, sex) and
// the secrets derived from them (card-apdu.md §8.2, §8.3, §9.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"

namespace openmyna::card::faces {

// Sex as one ASCII digit per JIS X 0303 / ISO/IEC 5218 (card-apdu.md §8.3,
// §15: the card never uses 3).
enum class Sex : std::uint8_t {
  kUnknown = 0,        // '0' 不明
  kMale = 1,           // '1'
  kFemale = 2,         // '2'
  kNotApplicable = 9,  // '9' 適用不能
};

// The profile words: "male" → 1, "female" → 2, "other" → 9 (not
// applicable: the registry records no male/female), "unknown" → 0.
// kInvalidArgument names the accepted words otherwise.
Result<Sex> ParseSex(std::string_view word);
// The ASCII digit the card stores ('0', '1', '2' or '9').
char SexDigit(Sex sex);

struct BasicInfo {
  // UTF-8. Surname and given name separated by one space; CardName() turns
  // that space into U+3000, the separator the card uses.
  std::string name;
  // UTF-8, exactly as printed on the card face (block numbers in full-width
  // digits and U+FF0D on real cards; stored as given).
  std::string address;
  domain::Date birth;
  Sex sex = Sex::kUnknown;
};

// The name as the card stores it: valid UTF-8, surrounding spaces trimmed,
// the first run of spaces (U+0020 or U+3000) between surname and given name
// replaced by one U+3000 (E3 80 80) (card-apdu.md §8.3). A name without a
// space is kept whole. Fails (kInvalidName) when empty or not UTF-8.
Result<std::string> CardName(std::string_view name);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF): base's check (openmyna/base/utf8.h).
bool IsUtf8(std::string_view text);

// "YYYYMMDD" for a valid date in years 1000-9999; kInvalidDate otherwise.
Result<std::string> CardDate(domain::Date date);

// The 12-digit individual number, validated by the domain rules (digits,
// length, check digit). kInvalidNumber carries the domain's reason.
Result<std::string> CheckedNumber(std::string_view number);

// 照合番号A: the 12-digit individual number (card-apdu.md §9.1).
Result<std::string> CollationNumberA(std::string_view number);

// 照合番号B: birth date as era-year YYMMDD ‖ card expiry year YYYY ‖ the
// 4-digit security code printed on the card = 14 digits (card-apdu.md §9.1,
// §15). Example: born 1980-02-17 (昭和55), expiry 2035, code 2285 →
// "55021720352285". Fails with kInvalidSecurityCode / kInvalidDate.
Result<std::string> CollationNumberB(domain::Date birth,
                                     domain::Date card_expiry,
                                     std::string_view security_code);

// The card-face AP's birth-date key: era-year YYMMDD (card-apdu.md §6, §9.1).
Result<std::string> BirthDateKey(domain::Date birth);

}  // namespace openmyna::card::faces
