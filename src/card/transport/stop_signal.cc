#include "openmyna/card/transport/stop_signal.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "openmyna/card/transport/errors.h"

namespace openmyna::card::transport {
namespace {

std::atomic<StopSignal*> g_stop_signal{nullptr};

void HandleStopSignal(int /*signal*/) {
  if (StopSignal* stop = g_stop_signal.load()) stop->RequestStop();
}

}  // namespace

Result<std::unique_ptr<StopSignal>> StopSignal::Create() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Fail(TransportErrc::kIo,
                std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  return std::unique_ptr<StopSignal>(new StopSignal(fds[0], fds[1]));
}

StopSignal::~StopSignal() {
  if (g_stop_signal.load() == this) RestoreDefaultStopSignals();
  close(read_fd_);
  close(write_fd_);
}

void StopSignal::RequestStop() noexcept {
  if (requested_.exchange(true)) return;
  const char byte = 1;
  // write() is async-signal-safe; a full pipe is impossible (one byte).
  [[maybe_unused]] ssize_t n = write(write_fd_, &byte, 1);
}

bool StopSignal::WaitFor(int milliseconds) const {
  if (stop_requested()) return true;
  pollfd pfd{read_fd_, POLLIN, 0};
  int rc;
  do {
    rc = poll(&pfd, 1, milliseconds);
  } while (rc < 0 && errno == EINTR && !stop_requested());
  return stop_requested();
}

void StopOnSignals(StopSignal& stop) {
  g_stop_signal.store(&stop);
  struct sigaction action {};
  action.sa_handler = HandleStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void RestoreDefaultStopSignals() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  g_stop_signal.store(nullptr);
}

}  // namespace openmyna::card::transport
