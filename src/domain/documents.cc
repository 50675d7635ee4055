#include "openmyna/domain/documents.h"

namespace openmyna::domain {

namespace {
// The age below which a legal representative applies.
constexpr int kAgeApplyingAlone = 15;
}  // namespace

bool ProvesNumber(NumberDocument document, std::optional<Date> data_changed_on,
                  bool card_valid) {
  switch (document) {
    case NumberDocument::kMyNumberCard:
      return card_valid;
    case NumberDocument::kNotificationLetter:
      return false;
    case NumberDocument::kNotificationCard:
      return !data_changed_on ||
             std::chrono::sys_days{*data_changed_on} <
                 std::chrono::sys_days{kNotificationCardAbolished};
  }
  return false;
}

bool IsIdentityDocument(NumberDocument document, bool card_valid) {
  return document == NumberDocument::kMyNumberCard && card_valid;
}

bool CanBeReissued(NumberDocument document) {
  return document == NumberDocument::kMyNumberCard;
}

std::string NameWithFormerSurname(std::string_view surname,
                                  std::string_view former_surname,
                                  std::string_view given_name) {
  std::string out(surname);
  if (!former_surname.empty()) {
    out.append(" [").append(former_surname).append("]");
  }
  out.append(" ").append(given_name);
  return out;
}

bool NeedsLegalRepresentative(int age, bool adult_ward) {
  return age < kAgeApplyingAlone || adult_ward;
}

}  // namespace openmyna::domain
