// Test data for the registry (testing only, target openmyna_registry_testing):
// the two sample municipalities, residents and issued cards, made through
// RegistryService as the counter would. Tests read what they check back
// through another path (GetResident, the certificate store, SQL).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/service.h"

namespace openmyna::registry::testing {

inline const Actor kFixtureClerk{"clerk-1", Role::kCounterClerk,
                                 "counter visit"};

// 20218 千曲市 (長野県) and 13221 清瀬市 (東京都), reissue fees ¥1,000/¥800.
Municipality Chikuma();
Municipality Kiyose();
// Both, through PutMunicipality.
Status PutSampleMunicipalities(RegistryService& service,
                               const Actor& actor = kFixtureClerk);

// A resident to register: born 1980-05-05, male, in the municipality its
// address names (東京都 → 13221, otherwise 20218).
Resident DraftResident(std::string individual_number, std::string name,
                       std::string address,
                       std::string date_of_birth = "1980-05-05");

// The four passwords of an adult's standard card.
Passwords AdultPasswords();

// Apply, produce and deliver a card for `r` (who applies and receives it):
// a standard card with both certificates and `passwords`, or a face-auth
// card (no passwords, no signature certificate, the authentication one).
Result<Card> IssueCard(RegistryService& service, const Resident& r,
                       CardKind kind = CardKind::kStandard,
                       const Passwords& passwords = AdultPasswords(),
                       const Actor& actor = kFixtureClerk);

// The resident's certificate of `type` that is not revoked, from
// GetResident; std::nullopt when there is none.
std::optional<Certificate> GoodCertificate(RegistryService& service,
                                           std::string_view resident_id,
                                           CertificateType type,
                                           const Actor& actor = kFixtureClerk);

}  // namespace openmyna::registry::testing
