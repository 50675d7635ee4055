#include "worker_threads.h"

namespace openmyna::konbini {

WorkerThreads::~WorkerThreads() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerThreads::Post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
  // Each idle thread takes one queued task when it wakes: a thread more
  // when the queue outnumbers them.
  if (tasks_.size() > idle_) {
    threads_.emplace_back([this] { Loop(); });
  } else {
    wake_.notify_one();
  }
}

std::size_t WorkerThreads::size() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

std::size_t WorkerThreads::idle() const {
  std::lock_guard lock(mutex_);
  return idle_;
}

void WorkerThreads::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [this] { return !tasks_.empty() || stopping_; });
    --idle_;
    if (tasks_.empty()) return;  // stopping, nothing left
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // what it holds is released before the next wait
    lock.lock();
  }
}

}  // namespace openmyna::konbini
