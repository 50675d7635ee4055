// National holidays and office days (office_days.h).
#include "openmyna/domain/office_days.h"

#include <cmath>

namespace openmyna::domain {
namespace {

using std::chrono::sys_days;
using std::chrono::weekday;

unsigned Month(Date d) { return static_cast<unsigned>(d.month()); }
unsigned Day(Date d) { return static_cast<unsigned>(d.day()); }
weekday WeekdayOf(Date d) { return weekday{sys_days(d)}; }

// The day of the month of the n-th Monday (Happy Monday, 祝日法 Art. 2).
unsigned NthMonday(int year, unsigned month, unsigned n) {
  const Date first{std::chrono::year{year}, std::chrono::month{month},
                   std::chrono::day{1}};
  const unsigned offset =
      (std::chrono::Monday - WeekdayOf(first)).count();  // 0..6
  return 1 + offset + 7 * (n - 1);
}

// 春分日 / 秋分日 by the usual approximation of the observatory's tables,
// valid 1980-2099: floor(base + 0.242194 (y - 1980) - floor((y - 1980) / 4)).
unsigned EquinoxDay(int year, double base) {
  const int since = year - 1980;
  return static_cast<unsigned>(
      std::floor(base + 0.242194 * since - std::floor(since / 4.0)));
}

// Art. 2 alone: the named days.
std::optional<std::string_view> NamedHoliday(Date d) {
  const int y = static_cast<int>(d.year());
  const unsigned m = Month(d), day = Day(d);
  switch (m) {
    case 1:
      if (day == 1) return "元日";
      if (day == NthMonday(y, 1, 2)) return "成人の日";
      break;
    case 2:
      if (day == 11) return "建国記念の日";
      if (day == 23) return "天皇誕生日";
      break;
    case 3:
      if (day == EquinoxDay(y, 20.8431)) return "春分の日";
      break;
    case 4:
      if (day == 29) return "昭和の日";
      break;
    case 5:
      if (day == 3) return "憲法記念日";
      if (day == 4) return "みどりの日";
      if (day == 5) return "こどもの日";
      break;
    case 7:
      if (day == NthMonday(y, 7, 3)) return "海の日";
      break;
    case 8:
      if (day == 11) return "山の日";
      break;
    case 9:
      if (day == NthMonday(y, 9, 3)) return "敬老の日";
      if (day == EquinoxDay(y, 23.2488)) return "秋分の日";
      break;
    case 10:
      if (day == NthMonday(y, 10, 2)) return "スポーツの日";
      break;
    case 11:
      if (day == 3) return "文化の日";
      if (day == 23) return "勤労感謝の日";
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> NationalHolidayName(Date d) {
  if (auto name = NamedHoliday(d)) return name;
  // Art. 3(2): the Sunday holiday's substitute is the first day after it
  // that is not itself a holiday, so walk back over consecutive holidays.
  for (Date back = AddDays(d, -1); NamedHoliday(back);
       back = AddDays(back, -1)) {
    if (WeekdayOf(back) == std::chrono::Sunday) return "振替休日";
  }
  // Art. 3(3): a day between two holidays (only ever a weekday here).
  if (NamedHoliday(AddDays(d, -1)) && NamedHoliday(AddDays(d, 1))) {
    return "国民の休日";
  }
  return std::nullopt;
}

bool IsNationalHoliday(Date d) { return NationalHolidayName(d).has_value(); }

bool IsYearEndClosure(Date d) {
  const unsigned m = Month(d), day = Day(d);
  return (m == 12 && day >= 29) || (m == 1 && day <= 3);
}

bool IsOfficeDay(Date d) {
  const weekday wd = WeekdayOf(d);
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
  return !IsYearEndClosure(d) && !IsNationalHoliday(d);
}

Date AddOfficeDays(Date d, int n) {
  while (n > 0) {
    d = AddDays(d, 1);
    if (IsOfficeDay(d)) --n;
  }
  return d;
}

}  // namespace openmyna::domain
