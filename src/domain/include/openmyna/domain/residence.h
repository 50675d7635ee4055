// Status of residence for the card's validity (domain.md §5, foreign
// residents table; jpki.md §6.1).
#pragma once

#include <span>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::domain {

enum class ResidenceStatus {
  // Expiry as for Japanese nationals:
  kJapaneseNational,            // "japanese"
  kPermanentResident,           // "permanent-resident" (永住者)
  kHighlySkilledProfessional2,  // "highly-skilled-professional-2"
                                // (高度専門職2号)
  kSpecialPermanentResident,  // "special-permanent-resident" (特別永住者)
  // Expiry at the end of the period of stay (needs stay_until):
  kMidToLongTerm,  // "mid-to-long-term": every other status of a 中長期在留者
  // Expiry at the end of the landing / provisional stay period (stay_until):
  kTemporaryRefuge,  // "temporary-refuge" (一時庇護許可者)
  kProvisionalStay,  // "provisional-stay" (仮滞在許可者)
  // Expiry 60 days after the event (status_event):
  kTransitionalBirth,  // "transitional-birth" (出生による経過滞在者)
  kTransitionalLossOfNationality,  // "transitional-loss-of-nationality"
                                   // (国籍喪失による経過滞在者)
};

// Parses the CLI name given in the comments above (exact, lower case).
// Fails with kInvalidStatus, the message listing the accepted names.
Result<ResidenceStatus> ParseResidenceStatus(std::string_view cli_name);

// The CLI name ("permanent-resident", ...).
std::string_view ResidenceStatusName(ResidenceStatus status);

// Every status, in declaration order (for help texts and tests).
std::span<const ResidenceStatus> AllResidenceStatuses();

// True for the statuses whose card expires at the end of a period of stay
// (kMidToLongTerm, kTemporaryRefuge, kProvisionalStay): they need stay_until.
bool NeedsStayUntil(ResidenceStatus status);

// True for the two transitional statuses (60-day rule): they use
// status_event (for kTransitionalBirth it defaults to the date of birth).
bool IsTransitional(ResidenceStatus status);

}  // namespace openmyna::domain
