// Test helper: a Date literal from "YYYY-MM-DD" (aborts the test binary on a
// typo, which is a bug in the test itself).
#pragma once

#include <cstdlib>
#include <string_view>

#include "openmyna/domain/date.h"

namespace openmyna::domain::testing {

inline Date D(std::string_view text) {
  auto parsed = ParseDate(text);
  if (!parsed) std::abort();
  return *parsed;
}

}  // namespace openmyna::domain::testing
