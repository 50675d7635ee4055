#include "openmyna/registry/errors.h"

namespace openmyna {

std::string_view ErrorTraits<registry::RegistryErrc>::Name(
    registry::RegistryErrc code) {
  using registry::RegistryErrc;
  switch (code) {
    case RegistryErrc::kInvalidInput:
      return "invalid_input";
    case RegistryErrc::kBadIndividualNumber:
      return "bad_individual_number";
    case RegistryErrc::kNotFound:
      return "not_found";
    case RegistryErrc::kRefused:
      return "refused";
    case RegistryErrc::kConflict:
      return "conflict";
    case RegistryErrc::kStorage:
      return "storage";
    case RegistryErrc::kMigration:
      return "migration";
    case RegistryErrc::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace openmyna
