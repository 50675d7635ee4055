// CRLReason values of RFC 5280 §5.3.1 and the event table of jpki.md §12.
#include "openmyna/pki/revocation_reason.h"

#include <gtest/gtest.h>

namespace openmyna::pki {
namespace {

TEST(RevocationReason, ValuesAndNamesAreThoseOfRfc5280) {
  // RFC 5280 §5.3.1: CRLReason ::= ENUMERATED { unspecified (0),
  // keyCompromise (1), cACompromise (2), affiliationChanged (3),
  // superseded (4), cessationOfOperation (5), certificateHold (6),
  // -- value 7 is not used; removeFromCRL (8), privilegeWithdrawn (9),
  // aACompromise (10) }
  const std::pair<const char*, int> rfc[] = {
      {"unspecified", 0},        {"keyCompromise", 1},
      {"cACompromise", 2},       {"affiliationChanged", 3},
      {"superseded", 4},         {"cessationOfOperation", 5},
      {"certificateHold", 6},    {"removeFromCRL", 8},
      {"privilegeWithdrawn", 9}, {"aACompromise", 10}};
  for (const auto& [name, value] : rfc) {
    auto parsed = ParseReason(name);
    ASSERT_TRUE(parsed) << name;
    EXPECT_EQ(static_cast<int>(*parsed), value) << name;
    EXPECT_EQ(ReasonName(*parsed), name);
    EXPECT_EQ(ReasonFromValue(value), parsed.value());
  }
  EXPECT_FALSE(ReasonFromValue(7));
  EXPECT_FALSE(ParseReason("lost"));
  EXPECT_EQ(*ParseReason("KEYCOMPROMISE"), RevocationReason::kKeyCompromise);
}

TEST(RevocationRules, FollowTheJpkiTable) {
  // jpki.md §12 (defaults of §13 rows 14-16).
  const auto& change = RuleFor(RevocationEvent::kBasicAttributeChange);
  EXPECT_TRUE(change.revokes_signature);
  EXPECT_FALSE(change.revokes_authentication);
  EXPECT_EQ(change.reason, RevocationReason::kAffiliationChanged);
  const auto& invalid = RuleFor(RevocationEvent::kCardInvalidation);
  EXPECT_TRUE(invalid.revokes_signature && invalid.revokes_authentication);
  EXPECT_EQ(invalid.reason, RevocationReason::kCessationOfOperation);
  const auto& abroad = RuleFor(RevocationEvent::kMoveAbroadContinuedUse);
  EXPECT_TRUE(abroad.revokes_signature);
  EXPECT_FALSE(abroad.revokes_authentication);
  EXPECT_EQ(abroad.reason, RevocationReason::kAffiliationChanged);
  EXPECT_EQ(RuleFor(RevocationEvent::kLossOrTheft).reason,
            RevocationReason::kCertificateHold);
  EXPECT_EQ(RuleFor(RevocationEvent::kRenewal).reason,
            RevocationReason::kSuperseded);
  EXPECT_EQ(RuleFor(RevocationEvent::kHolderRequest).reason,
            RevocationReason::kCessationOfOperation);
  EXPECT_EQ(RuleFor(RevocationEvent::kKeyCompromise).reason,
            RevocationReason::kKeyCompromise);
  EXPECT_EQ(RuleFor(RevocationEvent::kDestroyedBeforeHandover).reason,
            RevocationReason::kUnspecified);
  EXPECT_EQ(RuleFor(RevocationEvent::kIssuerKeyCompromise).reason,
            RevocationReason::kCaCompromise);
  EXPECT_EQ(RevocationRules().size(), 9u);
}

}  // namespace
}  // namespace openmyna::pki
