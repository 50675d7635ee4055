#include "openmyna/domain/errors.h"

namespace openmyna {

std::string_view ErrorTraits<domain::DomainErrc>::Name(
    domain::DomainErrc code) {
  using domain::DomainErrc;
  switch (code) {
    case DomainErrc::kInvalidNumber:
      return "invalid_number";
    case DomainErrc::kInvalidDate:
      return "invalid_date";
    case DomainErrc::kInvalidArgument:
      return "invalid_argument";
    case DomainErrc::kInvalidStatus:
      return "invalid_status";
    case DomainErrc::kNotEligible:
      return "not_eligible";
    case DomainErrc::kInvalidNumberLength:
      return "invalid_number_length";
    case DomainErrc::kInvalidCheckDigit:
      return "invalid_check_digit";
    case DomainErrc::kInvalidEraDate:
      return "invalid_era_date";
  }
  return "unknown";
}

}  // namespace openmyna
