#include "openmyna/domain/date.h"

#include <fmt/format.h>

#include "openmyna/domain/errors.h"
#include "quote.h"

namespace openmyna::domain {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int DigitsValue(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("expected a date YYYY-MM-DD, got {}",
                            internal::Quote(text)));
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) {
      return Fail(DomainErrc::kInvalidDate,
                  fmt::format("expected a date YYYY-MM-DD, got {}",
                              internal::Quote(text)));
    }
  }
  const int y = DigitsValue(text.substr(0, 4));
  const int m = DigitsValue(text.substr(5, 2));
  const int d = DigitsValue(text.substr(8, 2));
  if (y == 0) {
    return Fail(DomainErrc::kInvalidDate, "year 0000 does not exist");
  }
  if (m < 1 || m > 12) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("{}: month must be 01-12", text));
  }
  const Date date{year{y}, month{static_cast<unsigned>(m)},
                  day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("{}: no such day in that month", text));
  }
  return date;
}

std::string FormatDate(Date d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

std::string FormatCompactDate(Date d) {
  return fmt::format("{:04d}{:02d}{:02d}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

bool InstantRange(Date d) {
  return d.ok() && sys_days{d} >= sys_days{kEarliestInstantDate} &&
         sys_days{d} <= sys_days{kLatestInstantDate};
}

Date JapanDateOf(TimePoint instant) {
  return Date{std::chrono::floor<days>(instant + kJstOffset)};
}

TimePoint StartOfJapanDay(Date d) {
  return TimePoint{sys_days{d} - kJstOffset};
}

TimePoint EndOfJapanDay(Date d) {
  return TimePoint{sys_days{d} + days{1} - kJstOffset -
                   std::chrono::seconds{1}};
}

int DaysBetween(Date from, Date to) {
  return static_cast<int>((sys_days{to} - sys_days{from}).count());
}

Date AddDays(Date d, int n) { return Date{sys_days{d} + days{n}}; }

Date AddMonths(Date d, int months) {
  const std::chrono::year_month ym =
      std::chrono::year_month{d.year(), d.month()} +
      std::chrono::months{months};
  const Date last{ym / std::chrono::last};
  return Date{ym.year(), ym.month(), std::min(d.day(), last.day())};
}

Date BirthdayInYear(Date birth, year y) {
  if (birth.month() == month{2} && birth.day() == day{29} && !y.is_leap()) {
    return Date{y, month{2}, day{28}};
  }
  return Date{y, birth.month(), birth.day()};
}

namespace {

// The day from which age n is held: the n-th anniversary of birth, which for
// a 29 February birth in a common year is 1 March (Civil Code Art. 143(2)).
Date AnniversaryForAge(Date birth, int n) {
  const year y = birth.year() + std::chrono::years{n};
  if (birth.month() == month{2} && birth.day() == day{29} && !y.is_leap()) {
    return Date{y, month{3}, day{1}};
  }
  return Date{y, birth.month(), birth.day()};
}

}  // namespace

int AgeAt(Date birth, Date on) {
  if (sys_days{on} < sys_days{birth}) return -1;
  int age = static_cast<int>(on.year()) - static_cast<int>(birth.year());
  if (sys_days{on} < sys_days{AnniversaryForAge(birth, age)}) --age;
  return age;
}

Date DayReachingAge(Date birth, int n) {
  return AddDays(AnniversaryForAge(birth, n), -1);
}

Date NthBirthdayAfter(Date birth, Date from, int n) {
  year y = from.year();
  if (y <= birth.year()) y = birth.year() + std::chrono::years{1};
  if (sys_days{BirthdayInYear(birth, y)} <= sys_days{from}) {
    y += std::chrono::years{1};
  }
  return BirthdayInYear(birth, y + std::chrono::years{n - 1});
}

}  // namespace openmyna::domain
