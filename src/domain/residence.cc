#include "openmyna/domain/residence.h"

#include <fmt/format.h>

#include <array>

#include "openmyna/domain/errors.h"
#include "quote.h"

namespace openmyna::domain {
namespace {

struct StatusRow {
  ResidenceStatus status;
  std::string_view name;
};

constexpr std::array<StatusRow, 9> kStatuses{{
    {ResidenceStatus::kJapaneseNational, "japanese"},
    {ResidenceStatus::kPermanentResident, "permanent-resident"},
    {ResidenceStatus::kHighlySkilledProfessional2,
     "highly-skilled-professional-2"},
    {ResidenceStatus::kSpecialPermanentResident, "special-permanent-resident"},
    {ResidenceStatus::kMidToLongTerm, "mid-to-long-term"},
    {ResidenceStatus::kTemporaryRefuge, "temporary-refuge"},
    {ResidenceStatus::kProvisionalStay, "provisional-stay"},
    {ResidenceStatus::kTransitionalBirth, "transitional-birth"},
    {ResidenceStatus::kTransitionalLossOfNationality,
     "transitional-loss-of-nationality"},
}};

constexpr std::array<ResidenceStatus, 9> kAll{
    ResidenceStatus::kJapaneseNational,
    ResidenceStatus::kPermanentResident,
    ResidenceStatus::kHighlySkilledProfessional2,
    ResidenceStatus::kSpecialPermanentResident,
    ResidenceStatus::kMidToLongTerm,
    ResidenceStatus::kTemporaryRefuge,
    ResidenceStatus::kProvisionalStay,
    ResidenceStatus::kTransitionalBirth,
    ResidenceStatus::kTransitionalLossOfNationality,
};

}  // namespace

Result<ResidenceStatus> ParseResidenceStatus(std::string_view cli_name) {
  for (const StatusRow& row : kStatuses) {
    if (row.name == cli_name) return row.status;
  }
  std::string names;
  for (const StatusRow& row : kStatuses) {
    if (!names.empty()) names += ", ";
    names += row.name;
  }
  return Fail(DomainErrc::kInvalidStatus,
              fmt::format("unknown status {}; expected one of: {}",
                          internal::Quote(cli_name), names));
}

std::string_view ResidenceStatusName(ResidenceStatus status) {
  for (const StatusRow& row : kStatuses) {
    if (row.status == status) return row.name;
  }
  return "unknown";
}

std::span<const ResidenceStatus> AllResidenceStatuses() { return kAll; }

bool NeedsStayUntil(ResidenceStatus status) {
  return status == ResidenceStatus::kMidToLongTerm ||
         status == ResidenceStatus::kTemporaryRefuge ||
         status == ResidenceStatus::kProvisionalStay;
}

bool IsTransitional(ResidenceStatus status) {
  return status == ResidenceStatus::kTransitionalBirth ||
         status == ResidenceStatus::kTransitionalLossOfNationality;
}

}  // namespace openmyna::domain
