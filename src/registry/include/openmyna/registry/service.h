// RegistryService: every life event of a card (issue 5, item 2; domain.md
// §3, §5, §6; jpki.md §4, §12, §13) as one operation that
//  - checks that the actor's role may perform it (permissions.h),
//  - enforces the guidebook's rule and refuses otherwise (kRefused, with the
//    rule in the message; kInvalidInput/kBadIndividualNumber for malformed
//    input; kNotFound for unknown records),
//  - changes the records, drives the CA and the chip (ports.h), and writes
//    one audit entry (who, role, what, why, when) when the actor is not the
//    resident, all in ONE transaction: a refusal or failure writes nothing.
// Every date comes from the injected Clock (JST calendar day of Now()).
// Thread-safe (the store serialises transactions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/ports.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct ServiceOptions {
  // Days from application to the card waiting at the counter (guidebook:
  // about one to two months; the sandbox default is 30).
  int production_lead_days = 30;
  // Lines of the notes area (追記欄) on a new card (sandbox default, see
  // docs/registry.md).
  int notes_capacity = 4;
};

struct ApplicationRequest {
  std::string resident_id;
  // Who applies: the resident, or the legal representative (required under
  // 15 and for adult wards, domain.md §6).
  std::string applicant_id;
  CardKind card_kind = CardKind::kStandard;
  bool signature_certificate = true;
  bool authentication_certificate = true;
};

// Everything the registry holds about one resident.
struct ResidentFile {
  Resident resident;
  std::vector<Card> cards;
  std::vector<Certificate> certificates;
  std::vector<Application> applications;
  std::vector<Fee> fees;
  std::vector<Notice> notices;
};

// The result of a change of name or address.
struct ChangeOutcome {
  Resident resident;
  std::optional<Card> card;  // the card as rewritten, when one is active
  // When the notes area was full: the free reissue applied for.
  std::optional<Application> notes_full_reissue;
};

class RegistryService {
 public:
  // Borrowed references must outlive the service.
  RegistryService(RegistryStore& store, const Clock& clock, Rng& rng,
                  CaPort& ca, CardPort& card, ServiceOptions options = {});

  // --- records -----------------------------------------------------------
  Status PutMunicipality(const Actor& actor, const Municipality& m);
  // Registers a resident (birth or move-in from abroad). The id is assigned;
  // the number, dates, municipality and legal representative are checked.
  Result<Resident> RegisterResident(const Actor& actor, Resident draft);
  // Reads (audited). The resident role may read only its own record.
  Result<ResidentFile> GetResident(const Actor& actor, std::string_view id);
  // Finds by individual number (audited; the number is never logged).
  Result<Resident> FindResident(const Actor& actor,
                                std::string_view individual_number);
  // The audit trail of a resident, oldest first (the portal's やりとり履歴).
  Result<std::vector<AuditEntry>> AuditTrail(const Actor& actor,
                                             std::string_view resident_id);
  Result<Certificate> GetCertificate(const Actor& actor,
                                     std::string_view serial);
  // Who holds the certificate `serial`, and its successor (audited;
  // certificate_holder.h).
  Result<CertificateHolder> CertificateHolderOf(const Actor& actor,
                                                std::string_view serial);

  // --- first issue ---------------------------------------------------------
  // Application (交付申請). Refused when the resident has a card in force or
  // a pending application, when under 15 or an adult ward and the applicant
  // is not the legal representative, and when a signature certificate is
  // asked for under 15, for an adult ward or on a face-auth card.
  Result<Application> Apply(const Actor& actor, const ApplicationRequest& req);
  // Production (J-LIS): the card is made today; its expiry and its
  // certificates' come from domain::ComputeValidity.
  Result<Card> Produce(const Actor& actor, std::string_view application_id);
  // Delivery at the counter (交付): the receiver (resident, or the legal
  // representative under 15 / for adult wards) sets the passwords that exist
  // on this card (domain.md §3); keys are made on the chip and the accepted
  // certificates issued. A card this one replaces becomes void and its
  // certificates are revoked (superseded for a renewal, else
  // cessationOfOperation).
  Result<Card> Deliver(const Actor& actor, std::string_view card_id,
                       std::string_view receiver_id,
                       const Passwords& passwords);
  // Certificates declined at application, added later at the counter.
  Result<Card> AddCertificates(const Actor& actor, std::string_view card_id,
                               bool signature, bool authentication,
                               const Passwords& passwords);

  // --- loss, theft, damage ------------------------------------------------
  // Hotline suspension (一時停止), at any hour: the card is suspended and
  // both certificates revoked with certificateHold (jpki.md §12).
  Result<Card> Suspend(const Actor& actor, std::string_view card_id);
  // The card was found: the counter lifts the suspension. The held
  // certificates stay revoked; new ones are issued (jpki.md §13 row 14).
  Result<Card> LiftSuspension(const Actor& actor, std::string_view card_id);
  // Loss or theft confirmed (not found): needs the police report reference;
  // the card becomes void and its certificates not yet revoked are revoked
  // (cessationOfOperation; held ones stay on hold).
  Result<Card> ReportLossOrTheft(const Actor& actor, std::string_view card_id,
                                 ReissueReason reason,
                                 std::string_view police_report);
  // Reissue (再交付) at the counter: ¥1,000 with certificates, ¥800 without
  // (the municipality's schedule); for loss or theft the card must have been
  // reported with a police report; a damaged card is handed in and voided.
  Result<Application> ApplyForReissue(const Actor& actor,
                                      std::string_view resident_id,
                                      ReissueReason reason,
                                      bool with_certificates);

  // --- renewal and expiry ---------------------------------------------------
  // Renewal, free, from 3 months before the card's expiry (domain.md §5).
  Result<Application> ApplyForRenewal(const Actor& actor,
                                      std::string_view resident_id);
  // Writes the renewal notice (有効期限通知書) for every card in force whose
  // renewal window is open today and that has none yet. Returns how many.
  Result<int> GenerateRenewalNotices(const Actor& actor);
  // Voids every card past its expiry, and every card not presented within
  // 90 days of moving in (its certificates revoked, cessationOfOperation).
  // Returns how many cards became void.
  Result<int> ExpireCards(const Actor& actor);

  // --- changes ---------------------------------------------------------------
  // Change of address / name within the municipality (domain.md §6): notes
  // entry, chip text rewritten, signature certificate revoked
  // (affiliationChanged) and re-issued, authentication certificate kept.
  // When the notes area is full the card is not written and a free reissue
  // (kNotesFull) is applied for instead.
  Result<ChangeOutcome> ChangeAddress(const Actor& actor,
                                      std::string_view resident_id,
                                      std::string_view new_address);
  Result<ChangeOutcome> ChangeName(const Actor& actor,
                                   std::string_view resident_id,
                                   std::string_view new_name);
  // Former surname (旧氏) written beside the name: notes entry and chip text;
  // no certificate changes (jpki.md §13 row 11: not in the SAN).
  Result<ChangeOutcome> SetFormerSurname(const Actor& actor,
                                         std::string_view resident_id,
                                         std::string_view former_surname);
  // Moving in from another municipality on `moved_in_on`: the record moves,
  // the signature certificate is revoked (affiliationChanged), and the card
  // must be presented by MoveInPresentationDeadline (moved_in + 90 days).
  Result<Resident> MoveIn(const Actor& actor, std::string_view resident_id,
                          std::string_view municipality_code,
                          std::string_view new_address,
                          std::string_view moved_in_on);
  // The card presented at the new municipality: in time, the new address is
  // written (notes, chip) and a signature certificate re-issued; late, the
  // card becomes void (committed) and the call fails with kRefused.
  Result<Card> PresentAfterMoveIn(const Actor& actor, std::string_view card_id);
  // Password unlock / reset at the counter (issuer command).
  Status ResetPassword(const Actor& actor, std::string_view card_id,
                       domain::PasswordKind kind,
                       std::string_view new_password);
  // A foreign resident's period of stay changed: the card's expiry moves to
  // the new end of stay, never beyond a Japanese national's (domain.md §5).
  Result<Card> ChangePeriodOfStay(const Actor& actor,
                                  std::string_view resident_id,
                                  std::string_view new_end);
  // Death (住民票消除): cards void, certificates revoked
  // (cessationOfOperation, jpki.md §13 row 15).
  Result<Resident> RecordDeath(const Actor& actor, std::string_view resident_id,
                               std::string_view died_on);

  // The clock and random source the service was built with (for services
  // built beside it on the same store, e.g. CivilService).
  const Clock& clock() const { return clock_; }
  Rng& rng() const { return rng_; }

 private:
  struct Impl;
  RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
  CaPort& ca_;
  CardPort& card_;
  ServiceOptions options_;
};

}  // namespace openmyna::registry
