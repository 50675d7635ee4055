// Error codes of the domain library (see openmyna/base/result.h).
//
// Codes named kInvalid... describe the caller's input; the CLI maps them to
// exit code 2 (src/cli/context.cc). A *check* command that asks "is this
// valid?" (openmyna number check) renders kInvalidNumberLength and
// kInvalidCheckDigit as a negative answer (exit 1) instead.
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::domain {

enum class DomainErrc {
  kInvalidNumber = 1,        // a number contains a character that is not 0-9
  kInvalidDate = 2,          // not a strict YYYY-MM-DD calendar date, or a
                             // date that contradicts another (issue < birth)
  kInvalidArgument = 3,      // an argument that does not apply or is missing
  kInvalidStatus = 4,        // unknown status-of-residence name
  kNotEligible = 5,          // the rules refuse (e.g. stay ended before issue)
  kInvalidNumberLength = 6,  // wrong number of digits
  kInvalidCheckDigit = 7,    // all digits, right length, wrong check digit
  kInvalidEraDate = 8,       // outside the era table (before Meiji 1) or
                             // outside the given era's range
};

}  // namespace openmyna::domain

template <>
struct openmyna::ErrorTraits<openmyna::domain::DomainErrc> {
  static constexpr std::string_view kLibrary = "domain";
  // "invalid_number", "invalid_date", ... (snake_case of the enumerator).
  static std::string_view Name(openmyna::domain::DomainErrc code);
};
