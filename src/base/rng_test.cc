#include "openmyna/base/rng.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

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

// Threads sharing one DeterministicRng (a test server's workers drawing
// audit ids) split the single-threaded keystream between them: no block is
// drawn twice, none is lost.
TEST(RngTest, DeterministicRngSharedByThreadsSplitsOneStream) {
  constexpr int kThreads = 8, kDraws = 4000;
  DeterministicRng shared(9), alone(9);
  std::vector<std::vector<std::vector<std::uint8_t>>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kDraws; ++i) drawn[t].push_back(shared.Bytes(8));
    });
  }
  for (auto& thread : threads) thread.join();
  std::multiset<std::vector<std::uint8_t>> concurrent, sequential;
  for (const auto& of_thread : drawn)
    concurrent.insert(of_thread.begin(), of_thread.end());
  for (int i = 0; i < kThreads * kDraws; ++i) sequential.insert(alone.Bytes(8));
  EXPECT_EQ(concurrent, sequential);
}

TEST(RngTest, OpenSslRngProducesDistinctOutputs) {
  OpenSslRng rng;
  EXPECT_NE(rng.Bytes(32), rng.Bytes(32));
}

}  // namespace
}  // namespace openmyna
