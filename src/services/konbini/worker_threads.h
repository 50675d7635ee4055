// Threads for the centre's issuer calls (centre.cc): a posted task never
// waits for a thread (one more is started when none is idle, as a thread
// per call did), and a thread that finished its task is kept for the next
// one. Kept threads keep their per-thread state: pango's default font map
// is one per thread (pango_cairo_font_map_get_default), so an issuer
// rendering its PDF on a new thread matched and loaded its fonts again and
// tore them down at the thread's exit — about a fifth of a session's CPU
// (perf, bench/konbini). A thread idle for `idle_timeout` ends (and frees
// its font map): after a rush, the threads go back to what the load needs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace openmyna::konbini {

class WorkerThreads {
 public:
  explicit WorkerThreads(
      std::chrono::milliseconds idle_timeout = std::chrono::minutes(1))
      : idle_timeout_(idle_timeout) {}
  // Runs every task already posted, then waits for the threads to end.
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  // Runs `task` on an idle thread, or on a new one when none is idle.
  void Post(std::function<void()> task);
  // Threads running now, and those of them waiting for a task.
  std::size_t size() const;
  std::size_t idle() const;

 private:
  void Loop();

  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable gone_;  // a thread ended
  std::deque<std::function<void()>> tasks_;
  std::size_t live_ = 0;  // threads started and not ended
  std::size_t idle_ = 0;  // of them, waiting for a task
  bool stopping_ = false;
};

}  // namespace openmyna::konbini
