#include "openmyna/base/clock.h"

#include <gtest/gtest.h>

namespace openmyna {
namespace {

using namespace std::chrono;

TEST(ClockTest, FixedClockStandsStillAndAdvances) {
  const TimePoint t0 = sys_days{year{2030} / 3 / 1};
  FixedClock clock(t0);
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(hours(24));
  EXPECT_EQ(clock.Now(), t0 + hours(24));
  clock.Set(t0);
  EXPECT_EQ(clock.Now(), t0);
}

TEST(ClockTest, OffsetClockStartsAtTheChosenInstant) {
  const TimePoint start = sys_days{year{2035} / 1 / 1};
  OffsetClock clock = OffsetClock::StartingAt(start);
  const auto drift = clock.Now() - start;
  EXPECT_GE(drift, system_clock::duration::zero());
  EXPECT_LT(drift, seconds(5));
}

TEST(ClockTest, SystemClockIsTheMachineClock) {
  SystemClock clock;
  const auto diff = clock.Now() - system_clock::now();
  EXPECT_LT(diff < system_clock::duration::zero() ? -diff : diff, seconds(1));
}

}  // namespace
}  // namespace openmyna
