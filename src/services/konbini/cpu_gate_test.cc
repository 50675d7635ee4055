#include "cpu_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace openmyna::konbini {
namespace {

using namespace std::chrono_literals;

TEST(CorePool, RunsOnItsOwnFewThreadsAndReturnsTheResult) {
  CorePool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> ran_on;
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> callers;
  std::atomic<int> right{0};
  for (int k = 0; k < 8; ++k) {
    callers.emplace_back([&, k] {
      for (int i = 0; i < 20; ++i) {
        const std::string got = pool.Run([&] {
          const int now = ++inside;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          {
            std::lock_guard lock(mutex);
            ran_on.insert(std::this_thread::get_id());
          }
          std::this_thread::sleep_for(100us);
          --inside;
          return std::to_string(k * 100 + i);
        });
        if (got == std::to_string(k * 100 + i)) ++right;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(right.load(), 8 * 20);
  EXPECT_LE(most.load(), 2);  // never more than its threads at once
  EXPECT_LE(ran_on.size(), 2u);
  for (const auto& caller : callers)
    EXPECT_EQ(ran_on.count(caller.get_id()), 0u);
}

TEST(CorePool, TasksStartInTheOrderTheyCame) {
  CorePool pool(1);
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  // The pool's one thread is held until four more tasks are queued.
  std::thread first([&] {
    pool.Run([&] {
      started = true;
      while (!release) std::this_thread::sleep_for(1ms);
      return 0;
    });
  });
  // Eventually: at most 10 s.
  auto until = [](auto done) {
    for (int i = 0; i < 10000 && !done(); ++i) {
      std::this_thread::sleep_for(1ms);
    }
  };
  until([&] { return started.load(); });
  std::vector<std::thread> later;
  for (int k = 0; k < 4; ++k) {
    later.emplace_back([&, k] {
      pool.Run([&, k] {
        std::lock_guard lock(mutex);
        order.push_back(k);
        return 0;
      });
    });
    // The next caller comes only once this one has queued its task.
    until([&] { return pool.queued() == static_cast<std::size_t>(k) + 1; });
  }
  release = true;
  first.join();
  for (auto& t : later) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace openmyna::konbini
