#include "openmyna/domain/date.h"

#include <gtest/gtest.h>

#include "openmyna/domain/errors.h"
#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;
using namespace std::chrono;

TEST(ParseDate, AcceptsRealCalendarDates) {
  auto d = ParseDate("2024-02-29");  // 2024 is a leap year
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(*d, Date(year{2024}, month{2}, day{29}));
  EXPECT_EQ(*ParseDate("0001-01-01"), Date(year{1}, January, day{1}));
  EXPECT_EQ(*ParseDate("9999-12-31"), Date(year{9999}, December, day{31}));
}

TEST(ParseDate, RejectsDatesThatDoNotExist) {
  for (const char* text :
       {"2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
        "2024-01-00", "0000-01-01", "2024-01-32"}) {
    auto d = ParseDate(text);
    ASSERT_FALSE(d) << text;
    EXPECT_TRUE(d.error().Is(DomainErrc::kInvalidDate)) << text;
  }
  EXPECT_TRUE(ParseDate("2000-02-29"));  // divisible by 400: leap
}

TEST(ParseDate, RejectsAnyOtherShape) {
  for (const char* text :
       {"", "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "20240101",
        "2024-01-01 ", " 2024-01-01", "2024-01-01T00", "２０２４-01-01",
        "2024-0a-01", "+202-01-01", "2024--1-01"}) {
    auto d = ParseDate(text);
    ASSERT_FALSE(d) << text;
    EXPECT_TRUE(d.error().Is(DomainErrc::kInvalidDate)) << text;
  }
}

TEST(ParseDate, ErrorIsOnePrintableLine) {
  auto d = ParseDate(std::string_view("2024\n01\x01-01\xff", 13));
  ASSERT_FALSE(d);
  for (char c : d.error().message()) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7F) << int(c);
  }
}

TEST(FormatDate, IsIsoAndRoundTrips) {
  EXPECT_EQ(FormatDate(Date(year{987}, March, day{5})), "0987-03-05");
  EXPECT_EQ(FormatCompactDate(D("1990-01-02")), "19900102");
  for (const char* text : {"2024-02-29", "1868-01-25", "2019-05-01"}) {
    EXPECT_EQ(FormatDate(D(text)), text);
  }
}

// The real certificate of jpki.md §3.1: notBefore 221123172927Z is
// 2022-11-24 02:29:27 JST; notAfter 270923145959Z is 2027-09-23 23:59:59 JST.
TEST(JapanTime, MatchesTheRealCertificateTimes) {
  const TimePoint not_before = sys_days{Date{year{2022}, November, day{23}}} +
                               hours{17} + minutes{29} + seconds{27};
  EXPECT_EQ(JapanDateOf(not_before), D("2022-11-24"));
  const TimePoint not_after = sys_days{Date{year{2027}, September, day{23}}} +
                              hours{14} + minutes{59} + seconds{59};
  EXPECT_EQ(EndOfJapanDay(D("2027-09-23")), not_after);
  EXPECT_EQ(JapanDateOf(not_after), D("2027-09-23"));
  EXPECT_EQ(JapanDateOf(not_after + seconds{1}), D("2027-09-24"));
}

TEST(JapanTime, DayStartsAtFifteenUtcTheDayBefore) {
  const TimePoint start = StartOfJapanDay(D("2024-01-01"));
  EXPECT_EQ(start, sys_days(Date(year{2023}, December, day{31})) + hours{15});
  EXPECT_EQ(JapanDateOf(start), D("2024-01-01"));
  EXPECT_EQ(JapanDateOf(start - seconds{1}), D("2023-12-31"));
  EXPECT_EQ(EndOfJapanDay(D("2024-01-01")) - start, hours{24} - seconds{1});
}

TEST(JapanTime, RoundTripsOverTheWholeInstantRange) {
  EXPECT_TRUE(InstantRange(kEarliestInstantDate));
  EXPECT_TRUE(InstantRange(kLatestInstantDate));
  EXPECT_FALSE(InstantRange(D("2323-03-29")));  // the fuzzer's find
  EXPECT_FALSE(InstantRange(D("1677-12-31")));
  for (Date d : {kEarliestInstantDate, kLatestInstantDate, D("1970-01-01")}) {
    EXPECT_EQ(JapanDateOf(StartOfJapanDay(d)), d);
    EXPECT_EQ(JapanDateOf(EndOfJapanDay(d)), d);
  }
}

TEST(AddMonths, ClampsToMonthEnd) {
  EXPECT_EQ(AddMonths(D("2024-01-31"), 1), D("2024-02-29"));
  EXPECT_EQ(AddMonths(D("2023-01-31"), 1), D("2023-02-28"));
  EXPECT_EQ(AddMonths(D("2024-05-31"), -3), D("2024-02-29"));
  EXPECT_EQ(AddMonths(D("2024-03-15"), -3), D("2023-12-15"));
  EXPECT_EQ(AddMonths(D("2024-12-31"), 2), D("2025-02-28"));
  EXPECT_EQ(AddMonths(D("2024-07-31"), 0), D("2024-07-31"));
}

TEST(AddDays, CountsCalendarDays) {
  EXPECT_EQ(AddDays(D("2024-02-28"), 1), D("2024-02-29"));
  EXPECT_EQ(AddDays(D("2023-02-28"), 1), D("2023-03-01"));
  EXPECT_EQ(AddDays(D("2024-01-01"), -1), D("2023-12-31"));
  EXPECT_EQ(DaysBetween(D("2024-01-01"), D("2025-01-01")), 366);
  EXPECT_EQ(DaysBetween(D("2025-01-01"), D("2024-01-01")), -366);
}

// Age under 年齢計算ニ関スル法律 and Civil Code Art. 143: age N is reached at
// the end of the day before the birthday and held on the birthday.
TEST(AgeAt, AroundTheEighteenthBirthday) {
  const Date birth = D("2006-04-02");
  EXPECT_EQ(AgeAt(birth, D("2024-04-01")), 17);
  EXPECT_EQ(AgeAt(birth, D("2024-04-02")), 18);
  EXPECT_EQ(AgeAt(birth, D("2024-04-03")), 18);
  EXPECT_EQ(DayReachingAge(birth, 18), D("2024-04-01"));
}

TEST(AgeAt, AroundTheFifteenthBirthday) {
  const Date birth = D("2009-12-31");
  EXPECT_EQ(AgeAt(birth, D("2024-12-30")), 14);
  EXPECT_EQ(AgeAt(birth, D("2024-12-31")), 15);
  EXPECT_EQ(AgeAt(birth, D("2025-01-01")), 15);
}

TEST(AgeAt, FromBirthAndBefore) {
  const Date birth = D("2020-06-15");
  EXPECT_EQ(AgeAt(birth, D("2020-06-14")), -1);
  EXPECT_EQ(AgeAt(birth, D("2020-06-15")), 0);
  EXPECT_EQ(AgeAt(birth, D("2021-06-14")), 0);
  EXPECT_EQ(AgeAt(birth, D("2021-06-15")), 1);
}

// Born on 1 April: reaches the age on 31 March (the reason such children
// start school a year earlier than those born on 2 April).
TEST(AgeAt, FirstOfAprilReachesAgeOnThirtyFirstOfMarch) {
  EXPECT_EQ(DayReachingAge(D("2018-04-01"), 6), D("2024-03-31"));
  EXPECT_EQ(DayReachingAge(D("2018-04-02"), 6), D("2024-04-01"));
}

// 29 February: the year ends at the end of 28 February (Art. 143(2)
// proviso), so age N is held from 1 March in common years and from
// 29 February in leap years.
TEST(AgeAt, TwentyNinthOfFebruaryBirths) {
  const Date birth = D("2004-02-29");
  EXPECT_EQ(AgeAt(birth, D("2022-02-28")), 17);
  EXPECT_EQ(AgeAt(birth, D("2022-03-01")), 18);
  EXPECT_EQ(AgeAt(birth, D("2024-02-28")), 19);
  EXPECT_EQ(AgeAt(birth, D("2024-02-29")), 20);
  EXPECT_EQ(DayReachingAge(birth, 18), D("2022-02-28"));
  EXPECT_EQ(DayReachingAge(birth, 20), D("2024-02-28"));
}

// jpki.md §6.2: issued 2022-11-24, birthday 09-23 -> 5th birthday 2027-09-23.
TEST(NthBirthdayAfter, TheRealCertificateExample) {
  EXPECT_EQ(NthBirthdayAfter(D("1990-09-23"), D("2022-11-24"), 5),
            D("2027-09-23"));
  EXPECT_EQ(NthBirthdayAfter(D("1990-09-23"), D("2022-11-24"), 1),
            D("2023-09-23"));
}

// jpki.md §13 row 17: a birthday on the issue date is not counted.
TEST(NthBirthdayAfter, BirthdayOnTheStartDateIsNotCounted) {
  const Date birth = D("1980-06-10");
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-06-09"), 1), D("2024-06-10"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-06-10"), 1), D("2025-06-10"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-06-11"), 1), D("2025-06-10"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-06-10"), 10), D("2034-06-10"));
}

TEST(NthBirthdayAfter, DayOfBirthIsNotABirthday) {
  const Date birth = D("2024-03-05");
  EXPECT_EQ(NthBirthdayAfter(birth, birth, 1), D("2025-03-05"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-12-31"), 5), D("2029-03-05"));
}

// jpki.md §13 row 17: 29 February -> 28 February in common years.
TEST(NthBirthdayAfter, TwentyNinthOfFebruary) {
  const Date birth = D("2000-02-29");
  EXPECT_EQ(NthBirthdayAfter(birth, D("2022-03-01"), 1), D("2023-02-28"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2022-03-01"), 2), D("2024-02-29"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2023-02-28"), 1), D("2024-02-29"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-02-28"), 1), D("2024-02-29"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-02-29"), 1), D("2025-02-28"));
  EXPECT_EQ(NthBirthdayAfter(birth, D("2024-02-29"), 10), D("2034-02-28"));
  EXPECT_EQ(BirthdayInYear(birth, year{2100}), D("2100-02-28"));
}

}  // namespace
}  // namespace openmyna::domain
