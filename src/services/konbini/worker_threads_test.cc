#include "worker_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace openmyna::konbini {
namespace {

using namespace std::chrono_literals;

TEST(WorkerThreads, EachBlockedTaskGetsAThreadAndFinishedThreadsAreKept) {
  std::mutex mutex;
  std::condition_variable changed;
  int arrived = 0;
  bool release = false;
  std::set<std::thread::id> ids;
  auto wait_for = [&](auto done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, done);
  };
  WorkerThreads workers;
  // Four tasks that each wait until all four run: they would never all
  // arrive if a task waited for a thread another task holds.
  for (int i = 0; i < 4; ++i) {
    workers.Post([&] {
      std::unique_lock lock(mutex);
      ++arrived;
      ids.insert(std::this_thread::get_id());
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
    });
  }
  ASSERT_TRUE(wait_for([&] { return arrived == 4; }));
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(workers.size(), 4u);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  // Once they have ended, more tasks run on the same four threads.
  for (int i = 0; i < 10000 && workers.idle() < 4; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(workers.idle(), 4u);
  std::atomic<int> ran{0};
  std::set<std::thread::id> later;
  for (int round = 0; round < 20; ++round) {
    workers.Post([&] {
      std::lock_guard lock(mutex);
      later.insert(std::this_thread::get_id());
      ++ran;
      changed.notify_all();
    });
    ASSERT_TRUE(wait_for([&] { return ran == round + 1; }));
  }
  for (const auto& id : later) EXPECT_TRUE(ids.count(id) == 1);
  EXPECT_EQ(workers.size(), 4u);
}

TEST(WorkerThreads, IdleThreadsEndAndANewTaskStillRuns) {
  WorkerThreads workers(20ms);
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) {
    workers.Post([&] {
      std::this_thread::sleep_for(5ms);
      ++ran;
    });
  }
  EXPECT_GE(workers.size(), 1u);
  for (int i = 0; i < 10000 && (ran < 3 || workers.size() > 0); ++i) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(workers.size(), 0u);
  workers.Post([&] { ++ran; });
  for (int i = 0; i < 10000 && ran < 4; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(ran.load(), 4);
}

TEST(WorkerThreads, DestructionRunsWhatWasPosted) {
  std::atomic<int> ran{0};
  {
    WorkerThreads workers;
    for (int i = 0; i < 8; ++i) {
      workers.Post([&] {
        std::this_thread::sleep_for(5ms);
        ++ran;
      });
    }
  }
  EXPECT_EQ(ran.load(), 8);
}

}  // namespace
}  // namespace openmyna::konbini
