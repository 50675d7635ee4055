// Calendar dates in Japan time, and the birthday arithmetic of the
// guidebook's validity rules (domain.md §5, jpki.md §6, §13 row 17).
//
// Japan Standard Time is UTC+9 all year; Japan has had no daylight saving
// time since 1951, so the conversion is a fixed offset. This library never
// reads the clock: callers pass instants or dates in.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"

namespace openmyna::domain {

using Date = std::chrono::year_month_day;

// JST offset from UTC (+09:00, no DST).
inline constexpr std::chrono::hours kJstOffset{9};

// Parses strictly "YYYY-MM-DD": exactly 10 ASCII characters, 4-digit year
// 0001-9999, 2-digit month and day, '-' separators, and a date that exists
// in the (proleptic) Gregorian calendar ("2023-02-29" fails).
// Fails with DomainErrc::kInvalidDate; the message says what is wrong.
Result<Date> ParseDate(std::string_view yyyy_mm_dd);

// "YYYY-MM-DD" (ISO 8601 calendar date). `d` must be ok().
std::string FormatDate(Date d);

// "YYYYMMDD", the form used on the card and in the JPKI SAN (card-apdu.md).
std::string FormatCompactDate(Date d);

// TimePoint counts nanoseconds in 64 bits, so instants exist only from
// 1677-09-21 to 2262-04-11 UTC. The three conversions below are defined for
// dates within [kEarliestInstantDate, kLatestInstantDate]; outside that
// range the result is unspecified (found by the fuzzer). ParseDate accepts
// years 0001-9999: check InstantRange(d) before converting user dates.
inline constexpr Date kEarliestInstantDate{
    std::chrono::year{1678}, std::chrono::month{1}, std::chrono::day{1}};
inline constexpr Date kLatestInstantDate{
    std::chrono::year{2261}, std::chrono::month{12}, std::chrono::day{31}};
bool InstantRange(Date d);

// The JST calendar date of an instant.
Date JapanDateOf(TimePoint instant);

// 00:00:00 JST of `d` as an instant (= 15:00:00 UTC of the previous day).
TimePoint StartOfJapanDay(Date d);

// 23:59:59 JST of `d` as an instant (= 14:59:59 UTC of `d`), the form of
// every JPKI notAfter ("YYMMDD145959Z", jpki.md §2.2, §6.2).
TimePoint EndOfJapanDay(Date d);

// Days from `from` to `to` (negative when `to` is earlier).
int DaysBetween(Date from, Date to);

// `d` plus `days` calendar days (may be negative).
Date AddDays(Date d, int days);

// `d` plus `months` calendar months (may be negative); a day that does not
// exist in the target month is clamped to that month's last day
// (2024-01-31 + 1 month = 2024-02-29; 2024-05-31 - 3 months = 2024-02-29).
Date AddMonths(Date d, int months);

// The date of the birthday of `birth` in `year`: the same month and day;
// a 29 February birth has its birthday on 28 February in common years
// (jpki.md §13 row 17; used for expiry dates).
Date BirthdayInYear(Date birth, std::chrono::year year);

// Age in completed years held during the whole of day `on`, under Japanese
// law: 年齢計算ニ関スル法律 (Act on Age Calculation, 1902) counts age from
// the day of birth, and Civil Code Art. 143 ends each year "on the day before
// the corresponding day", so a person *reaches* age N at the end (24:00) of
// the day before the N-th anniversary of birth and holds age N during the
// whole anniversary day. For a 29 February birth in a common year there is no
// corresponding day, so the year ends on the last day of February (Art. 143(2)
// proviso): age N is reached at the end of 28 February and held from 1 March.
// Returns 0 when `on` is before the N=1 anniversary, and -1 when `on` is
// before `birth`.
int AgeAt(Date birth, Date on);

// The legal "day one reaches age n" (年齢到達日): the day at whose end age n
// is attained, i.e. the day before the n-th anniversary of birth. For a
// 29 February birth it is 28 February in every year.
Date DayReachingAge(Date birth, int n);

// The n-th birthday (n >= 1) strictly after `from` (jpki.md §13 row 17): a
// birthday that falls on `from` itself is not counted, the day of birth is
// never a birthday, and a 29 February birthday falls on 28 February in common
// years (BirthdayInYear). Example (jpki.md §6.2): born 09-23, from 2022-11-24,
// n = 5 -> 2027-09-23.
Date NthBirthdayAfter(Date birth, Date from, int n);

}  // namespace openmyna::domain
