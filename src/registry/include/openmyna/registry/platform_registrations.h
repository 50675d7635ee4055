// The rules of the JPKI platform verification API (issue 9, item 5;
// shared/docs/sign-in-portal.md §2.3–2.4): a relying party registers a
// resident with the signature certificate (6–16 character password), later
// signs them in with the authentication certificate (4-digit PIN), and after
// a change of name or address, a move or a loss re-reads the signature
// certificate to replace the one on file. The cryptography (signature,
// chain, validity, revocation at the CA) is checked by the caller
// (services/platform_verify) before; these functions decide, from the
// registry's records, what the relying party is told:
//
//   registration  kOk | kAlreadyRegistered (409)
//   login         kOk | kNotRegistered (404) | kSignatureRevoked (410: the
//                 signature certificate on file was revoked or expired;
//                 `successor` names the one that replaced it, when issued)
//   replacement   kOk | kNotRegistered (404: no registration with the old
//                 serial)
//
// Each call is one transaction that also writes the resident's audit trail
// ("platform.registration" / "platform.login" / "platform.replacement": who,
// why, when). The relying party is the platform credential's id (one per
// contract: `openmyna db credentials` makes more).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct PlatformRegistration {
  std::string id;  // the user id the relying party keeps (c-3lab's
                   // tisUserId), stable across replacements
  std::string relying_party;
  std::string resident_id;
  std::string signature_serial;  // the signature certificate on file
  TimePoint registered_at;
  TimePoint updated_at;
};

enum class PlatformVerdict {
  kOk,
  kNotRegistered,        // 404
  kAlreadyRegistered,    // 409
  kSignatureRevoked,     // 410
  kCertificateMismatch,  // the certificate is not of the expected type or
                         // belongs to another resident (401)
  kCertificateNotGood,   // the registry holds it revoked or expired (401)
};
std::string_view ToString(PlatformVerdict verdict);

struct PlatformAnswer {
  PlatformVerdict verdict = PlatformVerdict::kOk;
  std::string detail;  // why, for the problem document
  std::optional<PlatformRegistration> registration;
  CertificateHolder holder;  // of the presented certificate
  // kSignatureRevoked: the registry's record of the certificate on file,
  // and the one that replaced it (when issued yet).
  std::optional<Certificate> on_file;
  std::optional<Certificate> successor;
};

// Role check: action "platform.verify" (kRefused otherwise). kNotFound when
// the registry never issued the presented serial; kInvalidInput for a
// serial that is not hex.
Result<PlatformAnswer> PlatformRegister(RegistryStore& store,
                                        const Clock& clock, Rng& rng,
                                        const Actor& actor,
                                        std::string_view signature_serial);
Result<PlatformAnswer> PlatformLogin(RegistryStore& store, const Clock& clock,
                                     Rng& rng, const Actor& actor,
                                     std::string_view authentication_serial);
Result<PlatformAnswer> PlatformReplace(RegistryStore& store, const Clock& clock,
                                       Rng& rng, const Actor& actor,
                                       std::string_view old_signature_serial,
                                       std::string_view new_signature_serial);
// The successor link for a relying party that holds `old_signature_serial`
// on file (kNotRegistered otherwise: only a party that had the old
// certificate learns the new one): `on_file` is its record, `successor` the
// good signature certificate that replaced it (none yet after a loss until
// the new card is delivered; none while it is still good). Audited as
// "platform.successor". The certificate itself (with the new address in its
// subjectAltName, jpki.md §13) comes from the CA's store.
Result<PlatformAnswer> PlatformSuccessor(RegistryStore& store,
                                         const Clock& clock, Rng& rng,
                                         const Actor& actor,
                                         std::string_view old_signature_serial);

// Storage (the conformance suite runs them on both back ends).
Status InsertPlatformRegistration(RegistryTx& tx,
                                  const PlatformRegistration& r);
Status UpdatePlatformRegistration(RegistryTx& tx,
                                  const PlatformRegistration& r);
Result<std::optional<PlatformRegistration>> FindPlatformRegistration(
    RegistryTx& tx, std::string_view relying_party,
    std::string_view resident_id);
Result<std::optional<PlatformRegistration>> FindPlatformRegistrationBySerial(
    RegistryTx& tx, std::string_view relying_party,
    std::string_view signature_serial);

}  // namespace openmyna::registry
