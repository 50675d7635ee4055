// Time as an injected dependency (architecture.md §6): nothing reads the
// system clock directly, so that the sandbox can run at a chosen date and
// tests can stand still or jump.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

namespace openmyna {

using TimePoint = std::chrono::system_clock::time_point;

// Source of the current instant (UTC). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The machine's clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that stands still until told to move; for tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override;
  void Set(TimePoint now);
  void Advance(std::chrono::system_clock::duration by);

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

// The machine's clock shifted by a fixed offset: runs at normal speed from a
// chosen starting instant ("the sandbox thinks it is 2030-03-01").
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::chrono::system_clock::duration offset)
      : offset_(offset) {}
  // A clock whose Now() equals `start` at the moment of construction.
  static OffsetClock StartingAt(TimePoint start);
  TimePoint Now() const override {
    return std::chrono::system_clock::now() + offset_;
  }
  std::chrono::system_clock::duration offset() const { return offset_; }

 private:
  std::chrono::system_clock::duration offset_;
};

}  // namespace openmyna
