#include "cpu_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace openmyna::konbini {
namespace {

using namespace std::chrono_literals;

// Waits (at most 10 s) until `done`.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 10000 && !done(); ++i) std::this_thread::sleep_for(1ms);
  return done();
}

TEST(FifoGate, WaitersEnterInTheOrderTheyCame) {
  FifoGate gate(1);
  // The slot held (a Pass is neither copied nor moved: made in place).
  auto a = std::unique_ptr<FifoGate::Pass>(new FifoGate::Pass(gate.Enter()));
  std::vector<int> order;
  std::mutex order_mutex;
  std::vector<std::thread> waiters;
  for (int k = 0; k < 4; ++k) {
    waiters.emplace_back([&, k] {
      auto pass = gate.Enter();
      std::lock_guard lock(order_mutex);
      order.push_back(k);
    });
    // The next one comes only after this one waits.
    EXPECT_TRUE(Eventually([&] { return gate.waiting() == 1u + k; }));
  }
  {
    std::lock_guard lock(order_mutex);
    EXPECT_TRUE(order.empty());
  }
  a.reset();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(FifoGate, AtMostSlotsHoldersAtOnce) {
  FifoGate gate(3);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 12; ++k) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto pass = gate.Enter();
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(50us);
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2);  // and it does let several in
}

}  // namespace
}  // namespace openmyna::konbini
