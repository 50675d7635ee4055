#include "openmyna/domain/era.h"

#include <gtest/gtest.h>

#include "openmyna/domain/errors.h"
#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;

EraDate E(Era era, int y, unsigned m, unsigned d) { return {era, y, m, d}; }

// Era change days (官報 announcements; the change day belongs to the new
// era): Taisho 1912-07-30, Showa 1926-12-25, Heisei 1989-01-08 (Showa 64
// ended on 01-07), Reiwa 2019-05-01 (Heisei 31 ended on 04-30).
TEST(ToEra, BoundariesOfEveryEra) {
  EXPECT_EQ(*ToEra(D("1868-01-25")), E(Era::kMeiji, 1, 1, 25));
  EXPECT_EQ(*ToEra(D("1912-07-29")), E(Era::kMeiji, 45, 7, 29));
  EXPECT_EQ(*ToEra(D("1912-07-30")), E(Era::kTaisho, 1, 7, 30));
  EXPECT_EQ(*ToEra(D("1926-12-24")), E(Era::kTaisho, 15, 12, 24));
  EXPECT_EQ(*ToEra(D("1926-12-25")), E(Era::kShowa, 1, 12, 25));
  EXPECT_EQ(*ToEra(D("1989-01-07")), E(Era::kShowa, 64, 1, 7));
  EXPECT_EQ(*ToEra(D("1989-01-08")), E(Era::kHeisei, 1, 1, 8));
  EXPECT_EQ(*ToEra(D("2019-04-30")), E(Era::kHeisei, 31, 4, 30));
  EXPECT_EQ(*ToEra(D("2019-05-01")), E(Era::kReiwa, 1, 5, 1));
  EXPECT_EQ(*ToEra(D("2026-11-25")), E(Era::kReiwa, 8, 11, 25));
}

TEST(ToEra, FailsBeforeMeiji) {
  auto e = ToEra(D("1868-01-24"));
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().Is(DomainErrc::kInvalidEraDate));
}

TEST(FromEra, InvertsToEra) {
  EXPECT_EQ(*FromEra(E(Era::kShowa, 55, 2, 17)), D("1980-02-17"));
  EXPECT_EQ(*FromEra(E(Era::kHeisei, 2, 1, 2)), D("1990-01-02"));
  EXPECT_EQ(*FromEra(E(Era::kReiwa, 1, 5, 1)), D("2019-05-01"));
  EXPECT_EQ(*FromEra(E(Era::kHeisei, 12, 2, 29)), D("2000-02-29"));
  for (Date d = D("1868-01-25"); d < D("2060-01-01");
       d = AddDays(d, 97)) {  // a stride that visits every month and era
    auto e = ToEra(d);
    ASSERT_TRUE(e) << FormatDate(d);
    auto back = FromEra(*e);
    ASSERT_TRUE(back) << FormatDate(d);
    EXPECT_EQ(*back, d);
  }
}

TEST(FromEra, RejectsDatesOutsideTheEra) {
  for (const EraDate& e :
       {E(Era::kShowa, 64, 1, 8), E(Era::kHeisei, 1, 1, 7),
        E(Era::kMeiji, 45, 7, 30), E(Era::kTaisho, 1, 7, 29),
        E(Era::kTaisho, 15, 12, 25), E(Era::kHeisei, 31, 5, 1),
        E(Era::kReiwa, 1, 4, 30), E(Era::kMeiji, 1, 1, 24)}) {
    auto d = FromEra(e);
    ASSERT_FALSE(d) << EraNameEn(e.era) << e.year;
    EXPECT_TRUE(d.error().Is(DomainErrc::kInvalidEraDate)) << d.error();
  }
}

TEST(FromEra, RejectsImpossibleDates) {
  for (const EraDate& e : {E(Era::kReiwa, 5, 2, 29), E(Era::kReiwa, 0, 6, 1),
                           E(Era::kReiwa, 3, 13, 1), E(Era::kHeisei, 3, 4, 31),
                           E(static_cast<Era>(9), 1, 1, 1)}) {
    EXPECT_FALSE(FromEra(e));
  }
}

// jpki.md §3.3: "419900102" = 1990-01-02 (Heisei); era 0 = unknown.
TEST(JpkiDateOfBirth, EraCodeAndGregorianDate) {
  EXPECT_EQ(JpkiDateOfBirth(D("1990-01-02")), "419900102");
  EXPECT_EQ(JpkiDateOfBirth(D("1989-01-07")), "319890107");
  EXPECT_EQ(JpkiDateOfBirth(D("2019-05-01")), "520190501");
  EXPECT_EQ(JpkiDateOfBirth(D("1920-03-03")), "219200303");
  EXPECT_EQ(JpkiDateOfBirth(D("1900-12-31")), "119001231");
  EXPECT_EQ(JpkiDateOfBirth(D("1860-01-01")), "018600101");
}

// card-apdu.md §9.1: born 1980-02-17 -> 昭和55 -> "550217".
TEST(EraYymmdd, CollationNumberBForm) {
  EXPECT_EQ(EraYymmdd(D("1980-02-17")), "550217");
  EXPECT_EQ(EraYymmdd(D("2019-05-01")), "010501");
  EXPECT_EQ(EraYymmdd(D("2019-04-30")), "310430");
  EXPECT_EQ(EraYymmdd(D("1989-01-07")), "640107");
}

TEST(EraNames, BothLanguages) {
  EXPECT_EQ(EraNameJa(Era::kReiwa), "令和");
  EXPECT_EQ(EraNameJa(Era::kShowa), "昭和");
  EXPECT_EQ(EraNameEn(Era::kTaisho), "Taisho");
  EXPECT_EQ(EraNameEn(Era::kMeiji), "Meiji");
  EXPECT_EQ(EraNameJa(Era::kHeisei), "平成");
  EXPECT_EQ(EraStart(Era::kHeisei), D("1989-01-08"));
}

}  // namespace
}  // namespace openmyna::domain
