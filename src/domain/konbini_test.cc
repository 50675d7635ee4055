// Convenience-store rules (konbini.h): the guidebook's hours at their
// boundaries, the year-end closure, weekday-only windows, maintenance, the
// 早見表 cell by cell, and the dated fee table.
#include "openmyna/domain/konbini.h"

#include <gtest/gtest.h>

#include "test_dates.h"

namespace openmyna::domain {
namespace {

using namespace std::chrono;
using testing::D;

// hh:mm JST on `day` as an instant (JST = UTC+9).
TimePoint Jst(std::string_view day, int h, int m) {
  return sys_days(D(day)) + hours{h} + minutes{m} - hours{9};
}

TEST(KonbiniHours, SixThirtyToEleven) {
  // 2026-12-01 is a Tuesday.
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-01", 6, 29), kKonbiniHours));
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-12-01", 6, 30), kKonbiniHours));
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-12-01", 22, 59), kKonbiniHours));
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-01", 23, 0), kKonbiniHours));
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-01", 0, 0), kKonbiniHours));
  EXPECT_NE(KonbiniClosedReason(Jst("2026-12-01", 23, 30), kKonbiniHours)
                ->find("06:30-23:00"),
            std::string::npos);
  // Sunday: open for the general window.
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-12-06", 12, 0), kKonbiniHours));
}

TEST(KonbiniHours, YearEndWeekdaysAndMaintenance) {
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-29", 12, 0), kKonbiniHours));
  EXPECT_TRUE(KonbiniClosedReason(Jst("2027-01-03", 12, 0), kKonbiniHours));
  EXPECT_FALSE(KonbiniClosedReason(Jst("2027-01-04", 12, 0), kKonbiniHours));
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-12-28", 12, 0), kKonbiniHours));
  // Office hours, weekdays only (2026-12-05 is a Saturday).
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-05", 10, 0), kOfficeHours));
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-12-04", 10, 0), kOfficeHours));
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-04", 8, 59), kOfficeHours));
  EXPECT_TRUE(KonbiniClosedReason(Jst("2026-12-04", 17, 0), kOfficeHours));
  // A national holiday on a weekday (勤労感謝の日, Monday 2026-11-23): the
  // general window is open, the office-hours window is not.
  EXPECT_FALSE(KonbiniClosedReason(Jst("2026-11-23", 10, 0), kKonbiniHours));
  EXPECT_NE(KonbiniClosedReason(Jst("2026-11-23", 10, 0), kOfficeHours)
                .value_or("")
                .find("勤労感謝の日"),
            std::string::npos);
  const Maintenance stop[] = {
      {Jst("2026-12-01", 10, 0), Jst("2026-12-01", 11, 0)}};
  EXPECT_TRUE(
      KonbiniClosedReason(Jst("2026-12-01", 10, 0), kKonbiniHours, stop));
  EXPECT_FALSE(
      KonbiniClosedReason(Jst("2026-12-01", 11, 0), kKonbiniHours, stop));
}

TEST(KonbiniAvailability, TheGuidebookTable) {
  using C = KonbiniCertificate;
  using A = Availability;
  const C order[] = {C::kJuminhyo, C::kInkan, C::kKoseki, C::kFuhyo};
  // Rows of the 早見表: (住民登録地 = M, 本籍地 = M) and the expected marks.
  struct Row {
    bool resident, domiciled;
    A marks[4];
  };
  const Row rows[] = {
      {true,
       true,
       {A::kAvailable, A::kAvailable, A::kAvailable, A::kAvailable}},
      {true,
       false,
       {A::kAvailable, A::kAvailable, A::kOtherMunicipality,
        A::kOtherMunicipality}},
      {false,
       true,
       {A::kOtherMunicipality, A::kOtherMunicipality, A::kAfterRegistration,
        A::kAfterRegistration}},
      {false,
       false,
       {A::kOtherMunicipality, A::kOtherMunicipality, A::kOtherMunicipality,
        A::kOtherMunicipality}},
  };
  for (const Row& row : rows) {
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(AvailabilityAt(row.resident, row.domiciled, order[i]),
                row.marks[i])
          << row.resident << row.domiciled << i;
    }
  }
  EXPECT_EQ(AvailabilityAt(false, true, C::kKosekiKojin),
            A::kAfterRegistration);
}

TEST(KonbiniCertificates, NamesRoundTrip) {
  for (const char* name :
       {"juminhyo", "inkan", "koseki", "koseki-kojin", "fuhyo"}) {
    auto c = ParseKonbiniCertificate(name);
    ASSERT_TRUE(c) << name;
    EXPECT_EQ(KonbiniCertificateName(*c), name);
  }
  EXPECT_FALSE(ParseKonbiniCertificate("tohon"));
}

TEST(KonbiniFees, ChikumaIsFiftyYenBelowTheCounterAndTablesAreDated) {
  using C = KonbiniCertificate;
  const auto table = SandboxKonbiniFees();
  auto juminhyo = KonbiniFeeOn(table, "20218", C::kJuminhyo, D("2026-12-01"));
  ASSERT_TRUE(juminhyo);
  EXPECT_EQ(juminhyo->konbini_yen, juminhyo->counter_yen - 50);
  for (C c : {C::kInkan, C::kKoseki, C::kKosekiKojin, C::kFuhyo}) {
    auto row = KonbiniFeeOn(table, "20218", c, D("2026-12-01"));
    ASSERT_TRUE(row);
    EXPECT_EQ(row->konbini_yen, row->counter_yen - 50);
  }
  auto before = KonbiniFeeOn(table, "13221", C::kJuminhyo, D("2026-03-31"));
  auto after = KonbiniFeeOn(table, "13221", C::kJuminhyo, D("2026-04-01"));
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->konbini_yen, 300);
  EXPECT_EQ(after->konbini_yen, 200);
  EXPECT_FALSE(KonbiniFeeOn(table, "20218", C::kJuminhyo, D("2015-12-31")));
  EXPECT_FALSE(KonbiniFeeOn(table, "99999", C::kJuminhyo, D("2026-12-01")));
  // A hand-made table: the latest row on or before the day wins.
  const KonbiniFeeRow rows[] = {
      {"1", C::kInkan, D("2020-01-01"), 300, 250},
      {"1", C::kInkan, D("2024-07-01"), 300, 150},
      {"1", C::kInkan, D("2022-01-01"), 300, 200},
  };
  EXPECT_EQ(KonbiniFeeOn(rows, "1", C::kInkan, D("2023-01-01"))->konbini_yen,
            200);
  EXPECT_EQ(KonbiniFeeOn(rows, "1", C::kInkan, D("2024-07-01"))->konbini_yen,
            150);
}

}  // namespace
}  // namespace openmyna::domain
