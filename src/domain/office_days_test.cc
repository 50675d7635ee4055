// National holidays against the Cabinet Office's published list
// (内閣府「国民の祝日について」, syukujitsu.csv: every 国民の祝日 and 休日 of
// 2025-2027), and office days around them.
#include "openmyna/domain/office_days.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace openmyna::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

std::set<std::string> HolidaysOf(int year) {
  std::set<std::string> out;
  for (Date d = D(year, 1, 1); d.year() == std::chrono::year{year};
       d = AddDays(d, 1)) {
    if (IsNationalHoliday(d)) out.insert(FormatDate(d));
  }
  return out;
}

TEST(NationalHolidays, MatchTheCabinetOfficeListFor2025To2027) {
  EXPECT_EQ(
      HolidaysOf(2025),
      (std::set<std::string>{
          "2025-01-01", "2025-01-13", "2025-02-11", "2025-02-23", "2025-02-24",
          "2025-03-20", "2025-04-29", "2025-05-03", "2025-05-04", "2025-05-05",
          "2025-05-06", "2025-07-21", "2025-08-11", "2025-09-15", "2025-09-23",
          "2025-10-13", "2025-11-03", "2025-11-23", "2025-11-24"}));
  EXPECT_EQ(
      HolidaysOf(2026),
      (std::set<std::string>{
          "2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20",
          "2026-04-29", "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06",
          "2026-07-20", "2026-08-11", "2026-09-21", "2026-09-22", "2026-09-23",
          "2026-10-12", "2026-11-03", "2026-11-23"}));
  EXPECT_EQ(
      HolidaysOf(2027),
      (std::set<std::string>{
          "2027-01-01", "2027-01-11", "2027-02-11", "2027-02-23", "2027-03-21",
          "2027-03-22", "2027-04-29", "2027-05-03", "2027-05-04", "2027-05-05",
          "2027-07-19", "2027-08-11", "2027-09-20", "2027-09-23", "2027-10-11",
          "2027-11-03", "2027-11-23"}));
}

TEST(NationalHolidays, NameTheSubstituteAndTheDayBetween) {
  EXPECT_EQ(NationalHolidayName(D(2026, 5, 6)), "振替休日");
  EXPECT_EQ(NationalHolidayName(D(2026, 9, 22)), "国民の休日");
  EXPECT_EQ(NationalHolidayName(D(2026, 9, 23)), "秋分の日");
  EXPECT_EQ(NationalHolidayName(D(2026, 12, 2)), std::nullopt);
}

TEST(OfficeDays, SkipWeekendsHolidaysAndTheYearEnd) {
  EXPECT_TRUE(IsOfficeDay(D(2026, 12, 2)));    // Wednesday
  EXPECT_FALSE(IsOfficeDay(D(2026, 12, 5)));   // Saturday
  EXPECT_FALSE(IsOfficeDay(D(2026, 11, 23)));  // 勤労感謝の日, a Monday
  EXPECT_FALSE(IsOfficeDay(D(2026, 12, 29)));  // year-end closure, Tuesday
  EXPECT_FALSE(IsOfficeDay(D(2027, 1, 1)));
  EXPECT_EQ(AddOfficeDays(D(2026, 12, 25), 1), D(2026, 12, 28));
  EXPECT_EQ(AddOfficeDays(D(2026, 12, 28), 1), D(2027, 1, 4));
  // Friday before the 2026 silver week (19-23 September).
  EXPECT_EQ(AddOfficeDays(D(2026, 9, 18), 1), D(2026, 9, 24));
  EXPECT_EQ(AddOfficeDays(D(2026, 12, 2), 3), D(2026, 12, 7));
  EXPECT_EQ(AddOfficeDays(D(2026, 12, 2), 0), D(2026, 12, 2));
}

}  // namespace
}  // namespace openmyna::domain
