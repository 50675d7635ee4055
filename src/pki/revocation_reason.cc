#include "openmyna/pki/revocation_reason.h"

#include <array>
#include <cctype>
#include <string>

#include "openmyna/pki/errors.h"

namespace openmyna::pki {
namespace {

struct ReasonRow {
  RevocationReason reason;
  std::string_view name;
};

// RFC 5280 §5.3.1.
constexpr std::array<ReasonRow, 10> kReasons = {{
    {RevocationReason::kUnspecified, "unspecified"},
    {RevocationReason::kKeyCompromise, "keyCompromise"},
    {RevocationReason::kCaCompromise, "cACompromise"},
    {RevocationReason::kAffiliationChanged, "affiliationChanged"},
    {RevocationReason::kSuperseded, "superseded"},
    {RevocationReason::kCessationOfOperation, "cessationOfOperation"},
    {RevocationReason::kCertificateHold, "certificateHold"},
    {RevocationReason::kRemoveFromCrl, "removeFromCRL"},
    {RevocationReason::kPrivilegeWithdrawn, "privilegeWithdrawn"},
    {RevocationReason::kAaCompromise, "aACompromise"},
}};

// jpki.md §12 with the defaults of §13 rows 14-16.
constexpr std::array<RevocationRule, 9> kRules = {{
    {RevocationEvent::kBasicAttributeChange, "basic-attribute-change", true,
     false, false, RevocationReason::kAffiliationChanged},
    {RevocationEvent::kCardInvalidation, "card-invalidation", true, true, false,
     RevocationReason::kCessationOfOperation},
    {RevocationEvent::kMoveAbroadContinuedUse, "move-abroad-continued-use",
     true, false, false, RevocationReason::kAffiliationChanged},
    {RevocationEvent::kLossOrTheft, "loss-or-theft", true, true, false,
     RevocationReason::kCertificateHold},
    {RevocationEvent::kRenewal, "renewal", true, true, true,
     RevocationReason::kSuperseded},
    {RevocationEvent::kHolderRequest, "holder-request", true, true, true,
     RevocationReason::kCessationOfOperation},
    {RevocationEvent::kKeyCompromise, "key-compromise", true, true, true,
     RevocationReason::kKeyCompromise},
    {RevocationEvent::kDestroyedBeforeHandover, "destroyed-before-handover",
     true, true, true, RevocationReason::kUnspecified},
    {RevocationEvent::kIssuerKeyCompromise, "issuer-key-compromise", true, true,
     true, RevocationReason::kCaCompromise},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view ReasonName(RevocationReason reason) {
  for (const ReasonRow& row : kReasons) {
    if (row.reason == reason) return row.name;
  }
  return "unknown";
}

std::optional<RevocationReason> ReasonFromValue(int value) {
  for (const ReasonRow& row : kReasons) {
    if (static_cast<int>(row.reason) == value) return row.reason;
  }
  return std::nullopt;
}

Result<RevocationReason> ParseReason(std::string_view text) {
  for (const ReasonRow& row : kReasons) {
    if (EqualsIgnoreCase(text, row.name)) return row.reason;
  }
  if (!text.empty() && text.size() <= 2 &&
      std::isdigit(static_cast<unsigned char>(text[0])) &&
      std::isdigit(static_cast<unsigned char>(text.back()))) {
    if (auto reason = ReasonFromValue(std::stoi(std::string(text)))) {
      return *reason;
    }
  }
  return Fail(PkiErrc::kInvalidReason,
              "unknown revocation reason '" + std::string(text) +
                  "' (RFC 5280 names: unspecified, keyCompromise, "
                  "cACompromise, affiliationChanged, superseded, "
                  "cessationOfOperation, certificateHold, ...)");
}

std::span<const RevocationRule> RevocationRules() { return kRules; }

const RevocationRule& RuleFor(RevocationEvent event) {
  for (const RevocationRule& rule : kRules) {
    if (rule.event == event) return rule;
  }
  return kRules[0];  // unreachable: every event has a row
}

}  // namespace openmyna::pki
