// Who holds a certificate (issue 9): the look-up every service that reads a
// card makes (sign-in, platform verification, portal, kiosk, clinic). From
// the serial of the certificate the card presented: the resident, the card
// and the certificate's state as the registry knows them, and, for a
// certificate that was replaced (a signature certificate after a change of
// name or address or a move; either certificate after a loss, a reissue or
// a renewal: jpki.md §13), its successor, so a relying party learns the new
// certificate (and with it the new address) of the same person.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

// A certificate's standing at an instant, from the registry's record (the
// CA's OCSP/CRL answer is the relying party's own check, pki/).
enum class CertificateStanding {
  kGood,
  kRevoked,      // revoked, on hold included (see Certificate::reason)
  kExpired,      // past not_after
  kNotYetValid,  // before not_before
};
std::string_view ToString(CertificateStanding standing);
CertificateStanding StandingAt(const Certificate& c, TimePoint now);

// Where a card stands for a service that reads it. An OCSP or CRL answer
// "revoked" does not say which: a card reported lost or stolen and a card
// that ended otherwise (replaced, expired, death, moving out, not presented
// in time: domain.md §6) both have their certificates revoked
// (cessationOfOperation), yet the holder must be told different things —
// report and reissue (jpki.md §12) vs. the card is no longer valid.
enum class CardStanding {
  kInUse,          // produced or active
  kSuspended,      // hotline suspension (一時停止), certificates on hold
  kReportedLost,   // void, lost or stolen (Card::void_reason)
  kNoLongerValid,  // void for any other reason
};
std::string_view ToString(CardStanding standing);
CardStanding StandingOf(const Card& card);

struct CertificateHolder {
  Certificate certificate;  // the registry's record of the serial
  CertificateStanding standing = CertificateStanding::kGood;
  CardStanding card_standing = CardStanding::kInUse;
  Card card;          // the card it was issued on
  Resident resident;  // its holder
  // When this certificate is no longer good: the holder's newest good
  // certificate of the same type issued after it, if there is one yet (a
  // card reported lost has none until the reissued card is delivered).
  std::optional<Certificate> successor;
};

// Serial as the registry keys it: hex digits of the CA (lower case, no
// leading zeros); accepts any case, colons and spaces (as openssl prints).
// kInvalidInput when not hex.
Result<std::string> CanonicalSerial(std::string_view serial);

// The certificate of `type` that replaced `old` for its holder, at `now`
// (see CertificateHolder::successor); std::nullopt when `old` is still good
// or nothing newer is good.
Result<std::optional<Certificate>> FindSuccessor(RegistryTx& tx,
                                                 const Certificate& old,
                                                 TimePoint now);

// The same look-up inside the caller's transaction, without role check or
// audit entry: for a registry service that checks the role and audits the
// access itself in that transaction (the clinic's eligibility check,
// insurance_service.cc). kNotFound / kInvalidInput as below.
Result<CertificateHolder> FindCertificateHolder(RegistryTx& tx,
                                                std::string_view serial,
                                                TimePoint now);

// The card the certificate with `serial` was issued on and where it stands,
// for a service that has already checked the certificate's chain and
// revocation and needs to know what to tell the holder (no actor, no audit
// entry: nothing about the resident is read). std::nullopt when the registry
// never issued the serial; kInvalidInput when it is not hex.
struct CardOfCertificate {
  Card card;
  CardStanding standing = CardStanding::kInUse;
};
Result<std::optional<CardOfCertificate>> FindCardOfCertificate(
    RegistryStore& store, std::string_view serial);

// The holder of the certificate with `serial`. Role check: action
// "certificate.holder" (permissions.h: clerk, kiosk, platform, system; and
// the clinic role; kRefused otherwise). Written to the
// resident's audit trail (who, role, why, when) in the same transaction,
// unless the actor is the resident. kNotFound when the registry never
// issued the serial; kInvalidInput when it is not hex.
Result<CertificateHolder> LookUpCertificateHolder(RegistryStore& store,
                                                  const Clock& clock, Rng& rng,
                                                  const Actor& actor,
                                                  std::string_view serial);

// The resident's authentication certificate in use at `now` (what logs in
// to the portal and opens a kiosk session): on an active standard card,
// not revoked, not_before <= now <= not_after; and whether an active
// face-authentication card (no PIN, no certificates) was seen.
struct AuthenticationInUse {
  std::optional<Certificate> certificate;
  bool face_auth_card = false;
};
Result<AuthenticationInUse> AuthenticationInUseOf(RegistryTx& tx,
                                                  std::string_view resident_id,
                                                  TimePoint now);

}  // namespace openmyna::registry
