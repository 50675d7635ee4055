// At most as many issuers drawing and signing at once as the machine has
// cores; the others wait their turn in the order they came (issuer.cc).
// Fifty sessions' documents drawn at once on two cores share them: each
// takes fifty times its CPU time, and the registry's commit leader, one
// runnable thread among a hundred, stalls every issuer waiting for its
// commit (server time p99 ≈ 3 × p50 at 50 kiosks, bench/konbini). In
// turn, a document takes about its own CPU time once it starts, and the
// wait before it is first come, first served (p99 ≈ 1.4 × p50).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace openmyna::konbini {

class FifoGate {
 public:
  explicit FifoGate(unsigned slots) : slots_(slots == 0 ? 1 : slots) {}

  // Held from Enter() until destroyed.
  class Pass {
   public:
    explicit Pass(FifoGate& gate) : gate_(gate) {}
    ~Pass() { gate_.Leave(); }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    FifoGate& gate_;
  };

  // Returns once every earlier caller has entered and a slot is free.
  [[nodiscard]] Pass Enter() {
    std::unique_lock lock(mutex_);
    if (inside_ < slots_ && waiting_.empty()) {
      ++inside_;
    } else {
      Waiter me;
      waiting_.push_back(&me);
      me.turn.wait(lock, [&] { return me.admitted; });
    }
    return Pass(*this);
  }

  // Callers waiting now (for tests).
  std::size_t waiting() {
    std::lock_guard lock(mutex_);
    return waiting_.size();
  }

  // The machine's gate: one slot per core (hardware_concurrency).
  static FifoGate& Cores() {
    static FifoGate gate(std::thread::hardware_concurrency());
    return gate;
  }

 private:
  struct Waiter {
    std::condition_variable turn;
    bool admitted = false;
  };

  // The slot goes to the first waiter, if any (only that one is woken).
  void Leave() {
    std::lock_guard lock(mutex_);
    if (waiting_.empty()) {
      --inside_;
      return;
    }
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    next->admitted = true;
    next->turn.notify_one();
  }

  const unsigned slots_;
  std::mutex mutex_;
  unsigned inside_ = 0;
  std::deque<Waiter*> waiting_;
};

}  // namespace openmyna::konbini
