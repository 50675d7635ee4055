// A stop request that a signal handler may raise and a poll() loop may wait
// on (the self-pipe pattern). Used for a clean stop on SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <memory>

#include "openmyna/base/result.h"

namespace openmyna::card::transport {

class StopSignal {
 public:
  // Creates the pipe. Fails with kIo when the process is out of descriptors.
  static Result<std::unique_ptr<StopSignal>> Create();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Async-signal-safe; idempotent.
  void RequestStop() noexcept;
  bool stop_requested() const noexcept { return requested_.load(); }
  // Becomes readable once a stop was requested (for poll()).
  int fd() const { return read_fd_; }

  // Waits up to `milliseconds`; returns true if a stop was requested.
  bool WaitFor(int milliseconds) const;

 private:
  StopSignal(int read_fd, int write_fd)
      : read_fd_(read_fd), write_fd_(write_fd) {}
  int read_fd_;
  int write_fd_;
  std::atomic<bool> requested_{false};
};

// Makes SIGINT and SIGTERM call stop.RequestStop() (one StopSignal per
// process; the last call wins). `stop` must outlive the handlers: call
// RestoreDefaultStopSignals() before destroying it.
void StopOnSignals(StopSignal& stop);
void RestoreDefaultStopSignals();

}  // namespace openmyna::card::transport
