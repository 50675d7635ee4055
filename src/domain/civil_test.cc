// Seal registration and support-measure rules (civil.h), each rule at its
// boundary, the values taken from the 要領 quoted in civil.h.
#include "openmyna/domain/civil.h"

#include <gtest/gtest.h>

#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;

TEST(SealRegistration, FifteenAndNotAWard) {
  EXPECT_TRUE(SealRegistrationRefusal(14, false).has_value());
  EXPECT_FALSE(SealRegistrationRefusal(15, false).has_value());
  EXPECT_TRUE(SealRegistrationRefusal(40, true).has_value());
  EXPECT_NE(SealRegistrationRefusal(14, false)->find("under 15"),
            std::string::npos);
}

TEST(SealImpression, BetweenTheEightAndTwentyFiveMillimetreSquares) {
  EXPECT_TRUE(SealImpressionRefusal(8.0, 8.0).has_value());  // fits in 8 mm
  EXPECT_TRUE(SealImpressionRefusal(5.0, 7.9).has_value());
  EXPECT_FALSE(SealImpressionRefusal(8.1, 8.0).has_value());  // one side over
  EXPECT_FALSE(SealImpressionRefusal(15.0, 15.0).has_value());
  EXPECT_FALSE(SealImpressionRefusal(25.0, 25.0).has_value());
  EXPECT_TRUE(SealImpressionRefusal(25.1, 10.0).has_value());
  EXPECT_TRUE(SealImpressionRefusal(10.0, 26.0).has_value());
  EXPECT_TRUE(SealImpressionRefusal(0.0, 12.0).has_value());
  EXPECT_TRUE(SealImpressionRefusal(-1.0, 12.0).has_value());
}

TEST(SupportMeasure, OneYearInclusive) {
  EXPECT_EQ(SupportMeasureLastDay(D("2026-04-01")), D("2027-03-31"));
  // No 29 February in 2025: the month's last day (Civil Code Art. 143(2)).
  EXPECT_EQ(SupportMeasureLastDay(D("2024-02-29")), D("2025-02-28"));
  EXPECT_EQ(SupportMeasureLastDay(D("2023-03-01")), D("2024-02-29"));
  const Date since = D("2026-04-01");
  const Date last = D("2027-03-31");
  EXPECT_FALSE(SupportMeasureInForce(since, last, D("2026-03-31")));
  EXPECT_TRUE(SupportMeasureInForce(since, last, since));
  EXPECT_TRUE(SupportMeasureInForce(since, last, last));
  EXPECT_FALSE(SupportMeasureInForce(since, last, D("2027-04-01")));
}

}  // namespace
}  // namespace openmyna::domain
