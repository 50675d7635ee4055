// Threads for the centre's issuer calls (centre.cc): a posted task never
// waits for a thread (one more is started when none is idle, as a thread
// per call did), and a thread that finished its task is kept for the next
// one. Kept threads keep their per-thread state: pango's default font map
// is one per thread (pango_cairo_font_map_get_default), so an issuer
// rendering its PDF on a new thread matched and loaded its fonts again and
// tore them down at the thread's exit — about a fifth of a session's CPU
// (perf, bench/konbini). At most as many threads as calls were ever in
// flight at once; they live as long as the owner.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace openmyna::konbini {

class WorkerThreads {
 public:
  WorkerThreads() = default;
  // Runs every task already posted, then joins the threads.
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  // Runs `task` on an idle thread, or on a new one when none is idle.
  void Post(std::function<void()> task);
  // Threads started so far, and those of them waiting for a task.
  std::size_t size() const;
  std::size_t idle() const;

 private:
  void Loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::size_t idle_ = 0;  // threads waiting for a task
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openmyna::konbini
