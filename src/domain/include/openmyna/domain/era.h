// Japanese eras (元号), Meiji to Reiwa, both ways. The card and the JPKI
// certificates need them: the SAN date of birth "EYYYYMMDD" carries the era
// code (jpki.md §3.3, §13 row 9), and the card's 照合番号B and birth-date key
// use the era year "YYMMDD" (card-apdu.md §9.1).
//
// First days (Gregorian), each the era's year 1 (元年):
//   明治 Meiji   1868-01-25  (Meiji 1-01-01 of the lunisolar calendar; the era
//                            was proclaimed 1868-10-23 with effect from the
//                            start of that year)
//   大正 Taisho  1912-07-30
//   昭和 Showa   1926-12-25
//   平成 Heisei  1989-01-08
//   令和 Reiwa   2019-05-01
// A change day belongs to the new era (1989-01-07 is Showa 64, 1989-01-08 is
// Heisei 1). Month and day are always the Gregorian ones, also for Meiji 1-5
// (Japan adopted the Gregorian calendar on Meiji 6-01-01 = 1873-01-01); this
// is how the JPKI SAN and the card write dates.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"

namespace openmyna::domain {

// The numeric values are the JPKI era codes (jpki.md §3.3; 0 = unknown).
enum class Era { kMeiji = 1, kTaisho = 2, kShowa = 3, kHeisei = 4, kReiwa = 5 };

// A date written with an era year; year 1 = 元年.
struct EraDate {
  Era era;
  int year;
  unsigned month;
  unsigned day;
  friend bool operator==(const EraDate&, const EraDate&) = default;
};

// The era and era year of `d`. Fails with kInvalidEraDate before 1868-01-25
// and with kInvalidDate when `d` is not a valid date.
Result<EraDate> ToEra(Date d);

// The Gregorian date of an era date. Fails with kInvalidEraDate when the
// date lies outside the era (Showa 64-01-08, Heisei 1-01-07, Meiji 45-07-30)
// and with kInvalidDate when month/day do not exist or year < 1.
Result<Date> FromEra(const EraDate& e);

// The first day of `era`.
Date EraStart(Era era);

// "EYYYYMMDD" for the JPKI SAN date of birth (jpki.md §3.3): E = era code
// 1-5, then the Gregorian date. E = 0 (unknown) before 1868-01-25.
// Example: 1990-01-02 -> "419900102".
std::string JpkiDateOfBirth(Date d);

// "YYMMDD" with the era year (card-apdu.md §9.1): 1980-02-17 -> "550217".
// The era year is written with 2 digits (Reiwa 100 in 2118 would wrap to
// "00"); before 1868-01-25 the year digits are "00" (unknown).
std::string EraYymmdd(Date d);

// "明治", "大正", "昭和", "平成", "令和".
std::string_view EraNameJa(Era era);
// "Meiji", "Taisho", "Showa", "Heisei", "Reiwa".
std::string_view EraNameEn(Era era);

}  // namespace openmyna::domain
