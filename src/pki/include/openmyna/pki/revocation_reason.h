// Revocation reasons (RFC 5280 §5.3.1 CRLReason) and the JPKI life events
// that cause them (jpki.md §4.1, §4.2, §12, §13 rows 14-16), as data.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::pki {

// RFC 5280 §5.3.1 CRLReason; the numeric values are the ENUMERATED values
// that go into CRL entries and OCSP responses (value 7 is unused).
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kCertificateHold = 6,  // JPKI: never lifted (jpki.md §4.3)
  kRemoveFromCrl = 8,    // delta CRLs only: never accepted by the sandbox
  kPrivilegeWithdrawn = 9,
  kAaCompromise = 10,
};

// RFC 5280 ASN.1 names: "unspecified", "keyCompromise", "cACompromise",
// "affiliationChanged", "superseded", "cessationOfOperation",
// "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise".
std::string_view ReasonName(RevocationReason reason);
// Accepts the RFC names case-insensitively (and their decimal values).
// kInvalidReason for anything else.
Result<RevocationReason> ParseReason(std::string_view text);
// From the ENUMERATED value; nullopt for 7 and out-of-range values.
std::optional<RevocationReason> ReasonFromValue(int value);

// The events of a card's life that revoke certificates (jpki.md §12).
enum class RevocationEvent {
  kBasicAttributeChange,     // any change of the 4 basic attributes
  kCardInvalidation,         // return, re-issue, death, 住民票消除
  kMoveAbroadContinuedUse,   // 国外転出 keeping the card
  kLossOrTheft,              // hotline call (一時停止)
  kRenewal,                  // the old certificate
  kHolderRequest,            // the holder applies
  kKeyCompromise,            // the holder's key leaked
  kDestroyedBeforeHandover,  // 交付前に破棄
  kIssuerKeyCompromise,      // the CA key leaked
};

// One row of the table: which certificates an event revokes, and why.
struct RevocationRule {
  RevocationEvent event;
  std::string_view name;  // "basic-attribute-change", ... (CLI spelling)
  bool revokes_signature;
  bool revokes_authentication;
  // "as requested"/"affected": the caller chooses which of the two.
  bool caller_chooses;
  RevocationReason reason;
};

// The whole table of jpki.md §12 (with the §13 defaults), in that order.
std::span<const RevocationRule> RevocationRules();
// The row of one event (every event has exactly one).
const RevocationRule& RuleFor(RevocationEvent event);

}  // namespace openmyna::pki
