// Error codes of the registry library (see base/result.h for the scheme).
// Input errors are named kInvalid.../kBad... so that the CLI maps them to exit
// code 2 and the HTTP API to 400; a refused life event is kRefused (the rule
// of domain.md that forbids it is in the message).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::registry {

enum class RegistryErrc {
  kInvalidInput = 1,         // a malformed field (date, name, code, ...)
  kBadIndividualNumber = 2,  // not 12 digits or wrong check digit
  kNotFound = 3,             // unknown resident, card, municipality, ...
  kRefused = 4,              // a guidebook rule forbids the life event
  kConflict = 5,             // already exists / state changed meanwhile
  kStorage = 6,              // the database reported a failure
  kMigration = 7,            // a schema migration failed
  kUnavailable = 8,          // a dependency (CA, card) is not wired/failed
};

}  // namespace openmyna::registry

template <>
struct openmyna::ErrorTraits<openmyna::registry::RegistryErrc> {
  static constexpr std::string_view kLibrary = "registry";
  static std::string_view Name(openmyna::registry::RegistryErrc code);
};
