// The issuers' signing and drawing, on one thread per core, in the order
// the documents came (issuer.cc). Fifty sessions' documents drawn at once
// on two cores share them: each takes fifty times its CPU time, and the
// registry's commit leader, one runnable thread among a hundred, stalls
// every issuer waiting for its commit (server time p99 ≈ 3 × p50 at 50
// kiosks, bench/konbini). In turn, a document takes about its own CPU time
// once it starts, and the wait before it is first come, first served. The
// threads are few and always the same, so pango's per-thread font map
// (pango_cairo_font_map_get_default) is made once per core, not once per
// thread that ever draws.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace openmyna::konbini {

class CorePool {
 public:
  // `threads` threads (at least one), started now.
  explicit CorePool(unsigned threads) {
    for (unsigned i = 0; i < (threads == 0 ? 1 : threads); ++i) {
      threads_.emplace_back([this] { Loop(); });
    }
  }
  // Runs what was queued, then joins the threads.
  ~CorePool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  CorePool(const CorePool&) = delete;
  CorePool& operator=(const CorePool&) = delete;

  // Runs `f` on a thread of the pool after every task queued before it
  // has started, and returns its result. Never from a task of the same
  // pool (it would wait for itself).
  template <typename F>
  std::invoke_result_t<F&> Run(F f) {
    // Shared with the queued function: the pool's thread may still be
    // leaving the task when the answer is already here.
    auto task =
        std::make_shared<std::packaged_task<std::invoke_result_t<F&>()>>(
            std::move(f));
    auto result = task->get_future();
    {
      std::lock_guard lock(mutex_);
      tasks_.emplace_back([task] { (*task)(); });
    }
    wake_.notify_one();
    return result.get();
  }

  // Tasks waiting for a thread (for tests).
  std::size_t queued() {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }

  // The process's pool: one thread per core (hardware_concurrency). Never
  // destroyed (its threads wait until the process ends).
  static CorePool& Cores() {
    static CorePool* pool = new CorePool(std::thread::hardware_concurrency());
    return *pool;
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return !tasks_.empty() || stopping_; });
      if (tasks_.empty()) return;
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      task = nullptr;
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openmyna::konbini
