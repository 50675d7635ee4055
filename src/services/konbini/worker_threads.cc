#include "worker_threads.h"

#include <thread>

namespace openmyna::konbini {

WorkerThreads::~WorkerThreads() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  gone_.wait(lock, [this] { return live_ == 0; });
}

void WorkerThreads::Post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
  // Each idle thread takes one queued task when it wakes: a thread more
  // when the queue outnumbers them.
  if (tasks_.size() > idle_) {
    ++live_;
    std::thread([this] { Loop(); }).detach();
  } else {
    wake_.notify_one();
  }
}

std::size_t WorkerThreads::size() const {
  std::lock_guard lock(mutex_);
  return live_;
}

std::size_t WorkerThreads::idle() const {
  std::lock_guard lock(mutex_);
  return idle_;
}

void WorkerThreads::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    const bool woken = wake_.wait_for(
        lock, idle_timeout_, [this] { return !tasks_.empty() || stopping_; });
    --idle_;
    if (!woken || tasks_.empty()) break;  // idle too long, or stopping
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // what it holds is released before the next wait
    lock.lock();
  }
  // The last access to *this: the destructor may go on once it is unlocked.
  --live_;
  gone_.notify_all();
}

}  // namespace openmyna::konbini
