#include "openmyna/base/rng.h"

#include <gtest/gtest.h>

#include <set>

namespace openmyna {
namespace {

TEST(RngTest, DeterministicRngRepeatsForTheSameSeed) {
  DeterministicRng a(42);
  DeterministicRng b(42);
  DeterministicRng c(43);
  const auto xa = a.Bytes(64);
  EXPECT_EQ(xa, b.Bytes(64));
  EXPECT_NE(xa, c.Bytes(64));
  // The stream continues rather than restarting.
  EXPECT_NE(a.Bytes(64), xa);
}

TEST(RngTest, UniformBelowStaysInRangeAndCoversIt) {
  DeterministicRng rng(7);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.UniformBelow(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(RngTest, OpenSslRngProducesDistinctOutputs) {
  OpenSslRng rng;
  EXPECT_NE(rng.Bytes(32), rng.Bytes(32));
}

}  // namespace
}  // namespace openmyna
