#include "openmyna/base/clock.h"

namespace openmyna {

TimePoint FixedClock::Now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void FixedClock::Set(TimePoint now) {
  std::lock_guard lock(mutex_);
  now_ = now;
}

void FixedClock::Advance(std::chrono::system_clock::duration by) {
  std::lock_guard lock(mutex_);
  now_ += by;
}

OffsetClock OffsetClock::StartingAt(TimePoint start) {
  return OffsetClock(start - std::chrono::system_clock::now());
}

}  // namespace openmyna
