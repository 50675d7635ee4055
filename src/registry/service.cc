#include "openmyna/registry/service.h"

#include <fmt/format.h>

#include <algorithm>

#include "access.h"
#include "openmyna/base/bytes.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/domain/passwords.h"
#include "openmyna/domain/schedules.h"
#include "openmyna/domain/validity.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_mapping.h"
#include "openmyna/registry/permissions.h"
#include "resident_file.h"

namespace openmyna::registry {

using domain::Date;

namespace {

// What a registration looks up before its insert, in one statement: how
// many municipalities have its code, residents its individual number, and
// residents the id of its legal representative (0 or 1 each: keys). On
// PostgreSQL these were two or three round trips of the group commit's
// writer, which runs the calls of a group one after another (issue 13).
constexpr std::string_view kRegistrationLookups =
    "SELECT (SELECT COUNT(*) FROM municipalities WHERE code = $1), "
    "(SELECT COUNT(*) FROM residents WHERE individual_number = $2), "
    "(SELECT COUNT(*) FROM residents WHERE id = $3)";

}  // namespace

struct RegistryService::Impl : internal::ServiceAccess {
  explicit Impl(RegistryService& service)
      : ServiceAccess{service.clock_, service.rng_}, s(service) {}
  RegistryService& s;

  static Result<Date> ParseDateField(std::string_view field,
                                     std::string_view text) {
    auto date = domain::ParseDate(text);
    if (!date) {
      return Fail(RegistryErrc::kInvalidInput,
                  fmt::format("{}: {}", field, date.error().message()));
    }
    return *date;
  }

  static Result<Card> LoadCard(RegistryTx& tx, std::string_view id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.GetCard(id));
    if (!found)
      return Fail(RegistryErrc::kNotFound, fmt::format("no card {}", id));
    return *std::move(found);
  }

  static Result<Municipality> LoadMunicipality(RegistryTx& tx,
                                               std::string_view code) {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.GetMunicipality(code));
    if (!found) {
      return Fail(RegistryErrc::kNotFound,
                  fmt::format("no municipality {}", code));
    }
    return *std::move(found);
  }

  static bool InForce(const Card& card) {
    return card.state == CardState::kProduced ||
           card.state == CardState::kActive ||
           card.state == CardState::kSuspended;
  }

  // The card in force of a resident (at most one), if any.
  static Result<std::optional<Card>> CardInForce(RegistryTx& tx,
                                                 std::string_view resident_id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident_id));
    for (Card& card : cards) {
      if (InForce(card)) return std::optional<Card>(std::move(card));
    }
    return std::optional<Card>();
  }

  static Status RequireState(const Card& card, CardState state,
                             std::string_view doing) {
    if (card.state != state) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("cannot {}: card {} is {}, not {}", doing,
                              card.id, ToString(card.state), ToString(state)));
    }
    return Ok();
  }

  static Result<domain::Validity> ValidityFor(const Resident& r, Date issued,
                                              CardKind kind, bool decline_sign,
                                              bool decline_auth) {
    domain::ValidityInput in;
    OPENMYNA_ASSIGN_OR_RETURN(in.birth,
                              ParseDateField("date_of_birth", r.date_of_birth));
    in.issued = issued;
    in.adult_ward = r.adult_ward;
    in.face_auth_card = kind == CardKind::kFaceAuth;
    in.decline_sign_cert = decline_sign;
    in.decline_auth_cert = decline_auth;
    if (r.foreign) {
      in.status = r.foreign->category;
      if (domain::NeedsStayUntil(in.status)) {
        OPENMYNA_ASSIGN_OR_RETURN(
            in.stay_until, ParseDateField("period_of_stay_ends",
                                          r.foreign->period_of_stay_ends));
      }
      if (domain::IsTransitional(in.status) &&
          !r.foreign->status_event.empty()) {
        OPENMYNA_ASSIGN_OR_RETURN(
            in.status_event,
            ParseDateField("status_event", r.foreign->status_event));
      }
    }
    auto validity = domain::ComputeValidity(in);
    if (!validity) {
      return Fail(RegistryErrc::kRefused,
                  "validity: " + validity.error().message());
    }
    return *validity;
  }

  static int AgeOn(const Resident& r, Date on) {
    auto birth = domain::ParseDate(r.date_of_birth);
    return birth ? domain::AgeAt(*birth, on) : 0;
  }

  // The convenience-store centre's mapping of the card's authentication
  // certificates is fed again by the next day's batch after a PIN reset
  // (toshima: "暗証番号の変更…翌日以降"): the certificate is usable there from
  // tomorrow (konbini_mapping.h), never earlier than a date already set.
  static Status KonbiniFromTomorrow(RegistryTx& tx, std::string_view card_id,
                                    Date today, std::string_view reason) {
    const std::string tomorrow = domain::FormatDate(domain::AddDays(today, 1));
    OPENMYNA_ASSIGN_OR_RETURN(auto certificates, tx.ListCertificates(card_id));
    for (const Certificate& c : certificates) {
      if (c.type != CertificateType::kAuthentication || c.revoked) continue;
      OPENMYNA_ASSIGN_OR_RETURN(auto mapping, GetKonbiniMapping(tx, c.serial));
      if (mapping && mapping->usable_from >= tomorrow) continue;
      OPENMYNA_RETURN_IF_ERROR(
          PutKonbiniMapping(tx, {c.serial, tomorrow, std::string(reason)}));
    }
    return Ok();
  }

  static bool MaySign(const Resident& r, CardKind kind, int age) {
    return age >= 15 && !r.adult_ward && kind != CardKind::kFaceAuth;
  }

  // The passwords that must be set now: those that exist on this card
  // (domain::PasswordExists) and, for the two certificates, only when the
  // certificate is being issued.
  static Status CheckPasswords(const Resident& r, const Card& card, int age,
                               bool with_sign, bool with_auth,
                               bool with_card_pins, const Passwords& p) {
    struct Slot {
      domain::PasswordKind kind;
      const std::string& value;
      bool wanted;
      std::string_view name;
    };
    const bool face = card.kind == CardKind::kFaceAuth;
    const Slot slots[] = {
        {domain::PasswordKind::kSignature, p.signature, with_sign,
         "signature password"},
        {domain::PasswordKind::kAuthentication, p.authentication, with_auth,
         "authentication PIN"},
        {domain::PasswordKind::kJuki, p.juki, with_card_pins,
         "resident registry PIN"},
        {domain::PasswordKind::kInputAssist, p.input_assist, with_card_pins,
         "input-assist PIN"},
    };
    for (const Slot& slot : slots) {
      const bool exists =
          slot.wanted &&
          domain::PasswordExists(slot.kind, age, r.adult_ward, face);
      if (!exists) {
        if (!slot.value.empty()) {
          return Fail(RegistryErrc::kInvalidInput,
                      fmt::format("{}: not set on this card (domain.md §3)",
                                  slot.name));
        }
        continue;
      }
      if (slot.value.empty()) {
        return Fail(RegistryErrc::kInvalidInput,
                    fmt::format("{}: required", slot.name));
      }
      if (auto bad = domain::CheckPassword(slot.kind, slot.value)) {
        return Fail(RegistryErrc::kInvalidInput,
                    fmt::format("{}: {}", slot.name, bad->message));
      }
    }
    return Ok();
  }

  // Key on the chip, certificate from the CA, certificate into the chip.
  Status IssueCertificate(RegistryTx& tx, const Card& card, const Resident& r,
                          CertificateType type, Date last_day) const {
    OPENMYNA_ASSIGN_OR_RETURN(Municipality m,
                              LoadMunicipality(tx, r.municipality_code));
    OPENMYNA_ASSIGN_OR_RETURN(Bytes spki, s.card_.GenerateKey(card, type));
    OPENMYNA_ASSIGN_OR_RETURN(IssuedCertificate issued,
                              s.ca_.Issue(type, spki, r, m, s.clock_.Now(),
                                          domain::FormatDate(last_day)));
    OPENMYNA_RETURN_IF_ERROR(
        s.card_.InstallCertificate(card, type, issued.serial));
    Certificate cert;
    cert.serial = issued.serial;
    cert.card_id = card.id;
    cert.resident_id = r.id;
    cert.type = type;
    cert.not_before = issued.not_before;
    cert.not_after = issued.not_after;
    return tx.PutCertificate(cert);
  }

  // The certificates of a card that are still good (not revoked, not
  // expired) of the given types.
  Result<std::vector<Certificate>> GoodCertificates(RegistryTx& tx,
                                                    std::string_view card_id,
                                                    bool sign,
                                                    bool auth) const {
    OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card_id));
    std::vector<Certificate> good;
    for (Certificate& c : certs) {
      const bool wanted = c.type == CertificateType::kSignature ? sign : auth;
      if (wanted && !c.revoked && c.not_after > s.clock_.Now()) {
        good.push_back(std::move(c));
      }
    }
    return good;
  }

  // Revokes the good certificates of the given types; returns which types
  // were revoked.
  Result<std::vector<CertificateType>> Revoke(RegistryTx& tx,
                                              std::string_view card_id,
                                              bool sign, bool auth,
                                              RevocationReason reason) const {
    OPENMYNA_ASSIGN_OR_RETURN(auto good,
                              GoodCertificates(tx, card_id, sign, auth));
    std::vector<CertificateType> types;
    const TimePoint now = s.clock_.Now();
    for (Certificate& c : good) {
      OPENMYNA_RETURN_IF_ERROR(s.ca_.Revoke(c.serial, reason, now));
      c.revoked = true;
      c.reason = reason;
      c.revoked_at = now;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(c));
      types.push_back(c.type);
    }
    return types;
  }

  Status VoidCard(RegistryTx& tx, Card& card, VoidReason why,
                  RevocationReason reason) const {
    card.state = CardState::kVoid;
    card.void_reason = why;
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    return Revoke(tx, card.id, true, true, reason).transform([](auto&&) {});
  }

  Status AddNote(Card& card, std::string text) const {
    card.notes.push_back({domain::FormatDate(Today()), std::move(text)});
    return Ok();
  }

  // Signature certificate re-issued after a change of the four basic data,
  // when the card had one and the holder may still have one.
  Status ReissueSignature(RegistryTx& tx, const Card& card, const Resident& r,
                          bool had_signature) const {
    if (!had_signature || card.state != CardState::kActive) return Ok();
    const Date today = Today();
    if (!MaySign(r, card.kind, AgeOn(r, today))) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(Date birth,
                              ParseDateField("date_of_birth", r.date_of_birth));
    OPENMYNA_ASSIGN_OR_RETURN(Date card_expiry,
                              ParseDateField("expires_on", card.expires_on));
    Date last = domain::CertificateExpiry(birth, today, card_expiry);
    OPENMYNA_ASSIGN_OR_RETURN(auto auth,
                              GoodCertificates(tx, card.id, false, true));
    for (const Certificate& a : auth) {
      last = std::min(last, domain::JapanDateOf(a.not_after));
    }
    return IssueCertificate(tx, card, r, CertificateType::kSignature, last);
  }

  // Shared part of name/address/former-surname changes.
  Result<ChangeOutcome> Change(
      const Actor& actor, std::string_view resident_id, std::string_view action,
      const std::function<std::string(Resident&)>& apply, bool basic_data) {
    OPENMYNA_RETURN_IF_ERROR(Authorize(actor, action, resident_id));
    ChangeOutcome out;
    OPENMYNA_REGISTRY_TRANSACT(s.store_.Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(Resident r, LoadResident(tx, resident_id));
      if (r.status != ResidentStatus::kActive) {
        return Fail(RegistryErrc::kRefused, "resident is not active");
      }
      const std::string note = apply(r);
      OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(r));
      OPENMYNA_RETURN_IF_ERROR(Audit(tx, actor, r.id, action));
      out.resident = r;
      OPENMYNA_ASSIGN_OR_RETURN(auto card, CardInForce(tx, r.id));
      if (!card) return Ok();
      const bool notes_full =
          static_cast<int>(card->notes.size()) >= card->notes_capacity;
      // The chip first: it is the step that can refuse (the card checks the
      // issuer key), and a refusal must leave the CA untouched too (the
      // registry transaction rolls back; a revocation would not).
      if (!notes_full && card->state != CardState::kProduced) {
        OPENMYNA_RETURN_IF_ERROR(s.card_.RewriteTextData(*card, r));
      }
      bool had_signature = false;
      if (basic_data) {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto revoked, Revoke(tx, card->id, true, false,
                                 RevocationReason::kAffiliationChanged));
        had_signature = !revoked.empty();
      }
      if (notes_full) {
        // Notes area full: the card cannot take the entry; a free reissue
        // (domain.md §6) is applied for in the same transaction.
        Application a =
            NewApplication(r, ApplicationKind::kNotesFull, card->kind, r.id);
        a.replaces_card_id = card->id;
        OPENMYNA_ASSIGN_OR_RETURN(auto good,
                                  GoodCertificates(tx, card->id, true, true));
        a.with_authentication_certificate = true;
        a.with_signature_certificate =
            MaySign(r, card->kind, AgeOn(r, Today()));
        OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
        out.notes_full_reissue = a;
        out.card = *card;
        return Ok();
      }
      OPENMYNA_RETURN_IF_ERROR(AddNote(*card, note));
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(*card));
      OPENMYNA_RETURN_IF_ERROR(ReissueSignature(tx, *card, r, had_signature));
      out.card = *card;
      return Ok();
    }));
    return out;
  }

  Application NewApplication(const Resident& r, ApplicationKind kind,
                             CardKind card_kind, std::string applicant) const {
    Application a;
    a.id = NewId("ap-");
    a.resident_id = r.id;
    a.kind = kind;
    a.card_kind = card_kind;
    a.applicant_id = std::move(applicant);
    a.received_at = s.clock_.Now();
    a.ready_by = domain::FormatDate(
        domain::AddDays(Today(), s.options_.production_lead_days));
    return a;
  }
};

RegistryService::RegistryService(RegistryStore& store, const Clock& clock,
                                 Rng& rng, CaPort& ca, CardPort& card,
                                 ServiceOptions options)
    : store_(store),
      clock_(clock),
      rng_(rng),
      ca_(ca),
      card_(card),
      options_(options) {}

Status RegistryService::PutMunicipality(const Actor& actor,
                                        const Municipality& m) {
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "municipality.write"));
  if (m.code.size() != 5 ||
      !std::all_of(m.code.begin(), m.code.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail(RegistryErrc::kInvalidInput,
                "municipality code: must be 5 digits");
  }
  if (m.name.empty() || m.prefecture.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "municipality: name and prefecture are required");
  }
  return store_.Transact([&](RegistryTx& tx) { return tx.PutMunicipality(m); });
}

Result<Resident> RegistryService::RegisterResident(const Actor& actor,
                                                   Resident r) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.register"));
  auto number = domain::IndividualNumber::Parse(r.individual_number);
  if (!number) {
    return Fail(RegistryErrc::kBadIndividualNumber,
                "individual number: " + number.error().message());
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      Date birth, Impl::ParseDateField("date_of_birth", r.date_of_birth));
  if (birth > impl.Today()) {
    return Fail(RegistryErrc::kInvalidInput, "date_of_birth: in the future");
  }
  if (r.name.empty() || r.address.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "name and address are required");
  }
  if (r.name.size() > 400 || r.address.size() > 800) {
    return Fail(RegistryErrc::kInvalidInput,
                "name or address too long (jpki.md §13 row 10)");
  }
  if (r.foreign && domain::NeedsStayUntil(r.foreign->category)) {
    OPENMYNA_RETURN_IF_ERROR(Impl::ParseDateField(
        "period_of_stay_ends", r.foreign->period_of_stay_ends));
  }
  r.id = impl.NewId("r-");
  r.status = ResidentStatus::kActive;
  r.died_on.clear();
  // Minors and adult wards have a legal representative on record.
  const bool needs_representative =
      domain::AgeAt(birth, impl.Today()) < 18 || r.adult_ward;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto counts,
        tx.connection().Query(
            kRegistrationLookups,
            {r.municipality_code, r.individual_number,
             needs_representative ? r.legal_representative_id : ""}));
    const SqlRow& found = counts.at(0);
    if (found.at(0) != "1") {
      return Fail(RegistryErrc::kNotFound,
                  fmt::format("no municipality {}", r.municipality_code));
    }
    if (needs_representative) {
      if (r.legal_representative_id.empty()) {
        return Fail(RegistryErrc::kInvalidInput,
                    "legal_representative_id: required for a minor or an "
                    "adult ward");
      }
      if (found.at(2) != "1") {
        return Fail(RegistryErrc::kNotFound,
                    fmt::format("no resident {}", r.legal_representative_id));
      }
    }
    if (found.at(1) != "0") {
      return Fail(RegistryErrc::kConflict,
                  "individual number already registered");
    }
    OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
    return impl.Audit(tx, actor, r.id, "resident.register");
  }));
  return r;
}

Result<ResidentFile> RegistryService::GetResident(const Actor& actor,
                                                  std::string_view id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.read", id));
  ResidentFile file;
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(file, internal::ReadResidentFile(tx, id));
        return impl.Audit(tx, actor, id, "resident.read");
      }));
  return file;
}

Result<Resident> RegistryService::FindResident(
    const Actor& actor, std::string_view individual_number) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.lookup"));
  if (!domain::IndividualNumber::Parse(individual_number)) {
    return Fail(RegistryErrc::kBadIndividualNumber,
                "not a valid individual number");
  }
  Resident found;
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto r,
                                  tx.FindResidentByNumber(individual_number));
        if (!r)
          return Fail(RegistryErrc::kNotFound, "no resident with that number");
        found = *r;
        return impl.Audit(tx, actor, found.id, "resident.lookup");
      }));
  return found;
}

Result<std::vector<AuditEntry>> RegistryService::AuditTrail(
    const Actor& actor, std::string_view resident_id) {
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "audit.read", resident_id));
  std::vector<AuditEntry> entries;
  OPENMYNA_REGISTRY_TRANSACT(store_.Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(entries, tx.ListAudit(resident_id));
    return Ok();
  }));
  return entries;
}

Result<Certificate> RegistryService::GetCertificate(const Actor& actor,
                                                    std::string_view serial) {
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "certificate.read"));
  Certificate out;
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto c, tx.GetCertificate(serial));
        if (!c) return Fail(RegistryErrc::kNotFound, "no such certificate");
        out = *c;
        return Ok();
      }));
  return out;
}

Result<CertificateHolder> RegistryService::CertificateHolderOf(
    const Actor& actor, std::string_view serial) {
  return LookUpCertificateHolder(store_, clock_, rng_, actor, serial);
}

Result<Application> RegistryService::Apply(const Actor& actor,
                                           const ApplicationRequest& req) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.apply"));
  Application a;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, req.resident_id));
    if (r.status != ResidentStatus::kActive) {
      return Fail(RegistryErrc::kRefused, "resident is not active");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto card, Impl::CardInForce(tx, r.id));
    if (card) {
      return Fail(RegistryErrc::kRefused,
                  "the resident already has a card in force: apply for a "
                  "reissue or a renewal instead");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto apps, tx.ListApplications(r.id));
    for (const Application& other : apps) {
      if (other.state == ApplicationState::kReceived ||
          other.state == ApplicationState::kProduced) {
        return Fail(RegistryErrc::kConflict,
                    "an application is already in progress: " + other.id);
      }
    }
    const int age = Impl::AgeOn(r, impl.Today());
    const std::string applicant =
        req.applicant_id.empty() ? r.id : req.applicant_id;
    if ((age < 15 || r.adult_ward) && applicant != r.legal_representative_id) {
      return Fail(RegistryErrc::kRefused,
                  "under 15 or an adult ward: the legal representative "
                  "applies (domain.md §6)");
    }
    if (applicant != r.id && applicant != r.legal_representative_id) {
      return Fail(RegistryErrc::kRefused,
                  "the applicant must be the resident or the legal "
                  "representative");
    }
    if (req.signature_certificate && !Impl::MaySign(r, req.card_kind, age)) {
      return Fail(RegistryErrc::kRefused,
                  "no signature certificate under 15, for an adult ward or "
                  "on a face-authentication card (jpki.md §6.2)");
    }
    a = impl.NewApplication(r, ApplicationKind::kFirstIssue, req.card_kind,
                            applicant);
    a.with_signature_certificate = req.signature_certificate;
    a.with_authentication_certificate = req.authentication_certificate;
    OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    return impl.Audit(tx, actor, r.id, "card.apply");
  }));
  return a;
}

Result<Card> RegistryService::Produce(const Actor& actor,
                                      std::string_view application_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.produce"));
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.GetApplication(application_id));
    if (!found) return Fail(RegistryErrc::kNotFound, "no such application");
    Application a = *found;
    if (a.state != ApplicationState::kReceived) {
      return Fail(RegistryErrc::kRefused, "application already produced");
    }
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, a.resident_id));
    const Date today = impl.Today();
    OPENMYNA_ASSIGN_OR_RETURN(
        auto validity,
        Impl::ValidityFor(r, today, a.card_kind, !a.with_signature_certificate,
                          !a.with_authentication_certificate));
    card.id = impl.NewId("c-");
    card.resident_id = r.id;
    card.application_id = a.id;
    card.kind = a.card_kind;
    card.state = CardState::kProduced;
    card.issued_on = domain::FormatDate(today);
    card.expires_on = domain::FormatDate(validity.card_expiry);
    card.notes_capacity = options_.notes_capacity;
    card.presented_in = r.municipality_code;
    OPENMYNA_ASSIGN_OR_RETURN(card.chip_image_path, card_.Produce(card, r));
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    a.state = ApplicationState::kProduced;
    a.card_id = card.id;
    OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    return impl.Audit(tx, actor, r.id, "card.produce");
  }));
  return card;
}

Result<Card> RegistryService::Deliver(const Actor& actor,
                                      std::string_view card_id,
                                      std::string_view receiver_id,
                                      const Passwords& passwords) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.deliver"));
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    OPENMYNA_RETURN_IF_ERROR(
        Impl::RequireState(card, CardState::kProduced, "deliver"));
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, card.resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(auto found,
                              tx.GetApplication(card.application_id));
    if (!found) return Fail(RegistryErrc::kStorage, "card without application");
    Application a = *found;
    OPENMYNA_ASSIGN_OR_RETURN(
        Date issued, Impl::ParseDateField("issued_on", card.issued_on));
    const int age = Impl::AgeOn(r, issued);
    const bool by_representative = age < 15 || r.adult_ward;
    if (by_representative ? receiver_id != r.legal_representative_id
                          : receiver_id != r.id) {
      return Fail(RegistryErrc::kRefused,
                  by_representative
                      ? "under 15 or an adult ward: the legal representative "
                        "receives the card and sets the passwords"
                      : "the resident receives the card in person");
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::CheckPasswords(
        r, card, age, a.with_signature_certificate,
        a.with_authentication_certificate, true, passwords));
    OPENMYNA_ASSIGN_OR_RETURN(
        auto validity,
        Impl::ValidityFor(r, issued, card.kind, !a.with_signature_certificate,
                          !a.with_authentication_certificate));
    card.state = CardState::kActive;
    card.delivered_at = clock_.Now();
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    OPENMYNA_RETURN_IF_ERROR(card_.SetPasswords(card, passwords));
    if (validity.auth_cert_expiry) {
      OPENMYNA_RETURN_IF_ERROR(
          impl.IssueCertificate(tx, card, r, CertificateType::kAuthentication,
                                *validity.auth_cert_expiry));
    }
    if (validity.sign_cert_expiry) {
      OPENMYNA_RETURN_IF_ERROR(
          impl.IssueCertificate(tx, card, r, CertificateType::kSignature,
                                *validity.sign_cert_expiry));
    }
    if (!a.replaces_card_id.empty()) {
      OPENMYNA_ASSIGN_OR_RETURN(Card old,
                                Impl::LoadCard(tx, a.replaces_card_id));
      if (old.state != CardState::kVoid) {
        OPENMYNA_RETURN_IF_ERROR(
            impl.VoidCard(tx, old, VoidReason::kReplaced,
                          a.kind == ApplicationKind::kRenewal
                              ? RevocationReason::kSuperseded
                              : RevocationReason::kCessationOfOperation));
      }
    }
    a.state = ApplicationState::kDelivered;
    OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    return impl.Audit(tx, actor, r.id, "card.deliver");
  }));
  return card;
}

Result<Card> RegistryService::AddCertificates(const Actor& actor,
                                              std::string_view card_id,
                                              bool signature,
                                              bool authentication,
                                              const Passwords& passwords) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.add_certificates"));
  if (!signature && !authentication) {
    return Fail(RegistryErrc::kInvalidInput, "no certificate asked for");
  }
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    OPENMYNA_RETURN_IF_ERROR(
        Impl::RequireState(card, CardState::kActive, "add certificates"));
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, card.resident_id));
    const Date today = impl.Today();
    const int age = Impl::AgeOn(r, today);
    if (signature && !Impl::MaySign(r, card.kind, age)) {
      return Fail(RegistryErrc::kRefused,
                  "no signature certificate under 15, for an adult ward or "
                  "on a face-authentication card (jpki.md §6.2)");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        auto good,
        impl.GoodCertificates(tx, card.id, signature, authentication));
    if (!good.empty()) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("the card already holds a good {} certificate",
                              ToString(good.front().type)));
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::CheckPasswords(
        r, card, age, signature, authentication, false, passwords));
    OPENMYNA_ASSIGN_OR_RETURN(
        Date birth, Impl::ParseDateField("date_of_birth", r.date_of_birth));
    OPENMYNA_ASSIGN_OR_RETURN(
        Date card_expiry, Impl::ParseDateField("expires_on", card.expires_on));
    const Date last = domain::CertificateExpiry(birth, today, card_expiry);
    OPENMYNA_RETURN_IF_ERROR(card_.SetPasswords(card, passwords));
    if (authentication) {
      OPENMYNA_RETURN_IF_ERROR(impl.IssueCertificate(
          tx, card, r, CertificateType::kAuthentication, last));
    }
    if (signature) {
      Date sign_last = last;
      OPENMYNA_ASSIGN_OR_RETURN(
          auto auth, impl.GoodCertificates(tx, card.id, false, true));
      for (const Certificate& c : auth) {
        sign_last = std::min(sign_last, domain::JapanDateOf(c.not_after));
      }
      OPENMYNA_RETURN_IF_ERROR(impl.IssueCertificate(
          tx, card, r, CertificateType::kSignature, sign_last));
    }
    return impl.Audit(tx, actor, r.id, "card.add_certificates");
  }));
  return card;
}

Result<Card> RegistryService::Suspend(const Actor& actor,
                                      std::string_view card_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.suspend"));
  Card card;
  // No time-of-day check: the hotline answers 24 hours, 365 days.
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    OPENMYNA_RETURN_IF_ERROR(
        Impl::RequireState(card, CardState::kActive, "suspend"));
    card.state = CardState::kSuspended;
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    OPENMYNA_RETURN_IF_ERROR(impl.Revoke(tx, card.id, true, true,
                                         RevocationReason::kCertificateHold));
    return impl.Audit(tx, actor, card.resident_id, "card.suspend");
  }));
  return card;
}

Result<Card> RegistryService::LiftSuspension(const Actor& actor,
                                             std::string_view card_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.lift_suspension"));
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    OPENMYNA_RETURN_IF_ERROR(
        Impl::RequireState(card, CardState::kSuspended, "lift a suspension"));
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, card.resident_id));
    card.state = CardState::kActive;
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    // Each certificate put on hold by the suspension is replaced by a new
    // one with the same last day; the held ones stay revoked.
    OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card.id));
    for (const Certificate& c : certs) {
      if (c.revoked && c.reason == RevocationReason::kCertificateHold &&
          c.not_after > clock_.Now()) {
        OPENMYNA_RETURN_IF_ERROR(impl.IssueCertificate(
            tx, card, r, c.type, domain::JapanDateOf(c.not_after)));
      }
    }
    return impl.Audit(tx, actor, r.id, "card.lift_suspension");
  }));
  return card;
}

Result<Card> RegistryService::ReportLossOrTheft(
    const Actor& actor, std::string_view card_id, ReissueReason reason,
    std::string_view police_report) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.report_loss"));
  if (reason == ReissueReason::kDamage) {
    return Fail(RegistryErrc::kInvalidInput,
                "a damaged card is handed in with the reissue application");
  }
  if (police_report.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "police_report: the police report reference is required for "
                "loss or theft (domain.md §6)");
  }
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    if (card.state != CardState::kActive &&
        card.state != CardState::kSuspended) {
      return Fail(RegistryErrc::kRefused,
                  "only a card in use or suspended can be reported lost");
    }
    card.police_report = std::string(police_report);
    OPENMYNA_RETURN_IF_ERROR(
        impl.VoidCard(tx, card,
                      reason == ReissueReason::kTheft ? VoidReason::kStolen
                                                      : VoidReason::kLost,
                      RevocationReason::kCessationOfOperation));
    return impl.Audit(tx, actor, card.resident_id, "card.report_loss");
  }));
  return card;
}

Result<Application> RegistryService::ApplyForReissue(
    const Actor& actor, std::string_view resident_id, ReissueReason reason,
    bool with_certificates) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.reissue"));
  Application a;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(Resident r, Impl::LoadResident(tx, resident_id));
    if (r.status != ResidentStatus::kActive) {
      return Fail(RegistryErrc::kRefused, "resident is not active");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(r.id));
    std::optional<Card> previous;
    for (const Card& c : cards) {
      if (Impl::InForce(c) || (c.state == CardState::kVoid &&
                               (c.void_reason == VoidReason::kLost ||
                                c.void_reason == VoidReason::kStolen))) {
        previous = c;
      }
    }
    if (!previous) {
      return Fail(RegistryErrc::kRefused, "no card to reissue");
    }
    if (reason == ReissueReason::kDamage) {
      if (!Impl::InForce(*previous)) {
        return Fail(RegistryErrc::kRefused, "the damaged card is not in force");
      }
      OPENMYNA_RETURN_IF_ERROR(
          impl.VoidCard(tx, *previous, VoidReason::kDamaged,
                        RevocationReason::kCessationOfOperation));
    } else if (previous->state != CardState::kVoid ||
               previous->police_report.empty()) {
      return Fail(RegistryErrc::kRefused,
                  "loss or theft: report the card with the police report "
                  "reference first (domain.md §6)");
    }
    OPENMYNA_ASSIGN_OR_RETURN(Municipality m,
                              Impl::LoadMunicipality(tx, r.municipality_code));
    const int age = Impl::AgeOn(r, impl.Today());
    a = impl.NewApplication(r, ApplicationKind::kReissue, previous->kind, r.id);
    a.with_authentication_certificate = with_certificates;
    a.with_signature_certificate =
        with_certificates && Impl::MaySign(r, previous->kind, age);
    a.police_report = previous->police_report;
    a.fee_yen = with_certificates ? m.reissue_fee_with_certificates_yen
                                  : m.reissue_fee_without_certificates_yen;
    OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertFee({impl.NewId("fee-"), r.id, a.id, a.fee_yen,
                      with_certificates ? "再交付 (with certificates)"
                                        : "再交付 (without certificates)",
                      clock_.Now()}));
    return impl.Audit(tx, actor, r.id, "card.reissue");
  }));
  return a;
}

Result<Application> RegistryService::ApplyForRenewal(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.renew"));
  Application a;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(Resident r, Impl::LoadResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(auto card, Impl::CardInForce(tx, r.id));
    if (!card || card->state != CardState::kActive) {
      return Fail(RegistryErrc::kRefused, "no card in use to renew");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        Date expiry, Impl::ParseDateField("expires_on", card->expires_on));
    const Date today = impl.Today();
    if (!domain::InRenewalWindow(expiry, today)) {
      return Fail(
          RegistryErrc::kRefused,
          fmt::format("renewal opens on {}, 3 months before the "
                      "expiry {} (domain.md §5)",
                      domain::FormatDate(domain::RenewalWindowOpens(expiry)),
                      card->expires_on));
    }
    a = impl.NewApplication(r, ApplicationKind::kRenewal, card->kind, r.id);
    a.replaces_card_id = card->id;
    a.with_authentication_certificate = true;
    a.with_signature_certificate =
        Impl::MaySign(r, card->kind, Impl::AgeOn(r, today));
    a.fee_yen = 0;  // renewal is free (domain.md §5)
    OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    return impl.Audit(tx, actor, r.id, "card.renew");
  }));
  return a;
}

Result<int> RegistryService::GenerateRenewalNotices(const Actor& actor) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "batch.notices"));
  int written = 0;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    const Date today = impl.Today();
    // Candidates: cards expiring within 3 months and a few days of margin
    // (month-end clamping); the domain rule decides.
    const std::string horizon =
        domain::FormatDate(domain::AddDays(domain::AddMonths(today, 3), 3));
    for (CardState state : {CardState::kActive, CardState::kSuspended}) {
      OPENMYNA_ASSIGN_OR_RETURN(auto cards,
                                tx.ListCardsExpiringBy(state, horizon));
      for (const Card& card : cards) {
        auto expiry = domain::ParseDate(card.expires_on);
        if (!expiry || !domain::InRenewalWindow(*expiry, today)) continue;
        OPENMYNA_ASSIGN_OR_RETURN(bool has,
                                  tx.HasNotice(card.id, NoticeKind::kRenewal));
        if (has) continue;
        OPENMYNA_RETURN_IF_ERROR(tx.InsertNotice(
            {impl.NewId("n-"), card.resident_id, card.id, NoticeKind::kRenewal,
             fmt::format(
                 "有効期限通知書: your card expires on {}; renew it "
                 "free of charge at the counter from {}.",
                 card.expires_on,
                 domain::FormatDate(domain::RenewalWindowOpens(*expiry))),
             clock_.Now()}));
        OPENMYNA_RETURN_IF_ERROR(
            impl.Audit(tx, actor, card.resident_id, "batch.notices"));
        ++written;
      }
    }
    return Ok();
  }));
  return written;
}

Result<int> RegistryService::ExpireCards(const Actor& actor) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "batch.expiry"));
  int voided = 0;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    const Date today = impl.Today();
    const std::string yesterday =
        domain::FormatDate(domain::AddDays(today, -1));
    for (CardState state :
         {CardState::kProduced, CardState::kActive, CardState::kSuspended}) {
      OPENMYNA_ASSIGN_OR_RETURN(auto cards,
                                tx.ListCardsExpiringBy(state, yesterday));
      for (Card& card : cards) {
        // Expiry ends the certificates too (they never outlive the card,
        // domain.md §5); nothing to revoke.
        card.state = CardState::kVoid;
        card.void_reason = VoidReason::kExpired;
        OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
        OPENMYNA_RETURN_IF_ERROR(
            impl.Audit(tx, actor, card.resident_id, "batch.expiry"));
        ++voided;
      }
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto late, tx.ListCardsPresentBy(yesterday));
    for (Card& card : late) {
      if (!Impl::InForce(card)) continue;
      OPENMYNA_RETURN_IF_ERROR(
          impl.VoidCard(tx, card, VoidReason::kNotPresentedInTime,
                        RevocationReason::kCessationOfOperation));
      OPENMYNA_RETURN_IF_ERROR(
          impl.Audit(tx, actor, card.resident_id, "batch.expiry"));
      ++voided;
    }
    return Ok();
  }));
  return voided;
}

Result<ChangeOutcome> RegistryService::ChangeAddress(
    const Actor& actor, std::string_view resident_id,
    std::string_view new_address) {
  if (new_address.empty() || new_address.size() > 800) {
    return Fail(RegistryErrc::kInvalidInput,
                "address: required, at most 200 characters");
  }
  Impl impl{*this};
  return impl.Change(
      actor, resident_id, "resident.change_address",
      [&](Resident& r) {
        r.address = std::string(new_address);
        return "住所 " + r.address;
      },
      true);
}

Result<ChangeOutcome> RegistryService::ChangeName(const Actor& actor,
                                                  std::string_view resident_id,
                                                  std::string_view new_name) {
  if (new_name.empty() || new_name.size() > 400) {
    return Fail(RegistryErrc::kInvalidInput,
                "name: required, at most 100 characters");
  }
  Impl impl{*this};
  return impl.Change(
      actor, resident_id, "resident.change_name",
      [&](Resident& r) {
        r.name = std::string(new_name);
        return "氏名 " + r.name;
      },
      true);
}

Result<ChangeOutcome> RegistryService::SetFormerSurname(
    const Actor& actor, std::string_view resident_id,
    std::string_view former_surname) {
  if (former_surname.empty() || former_surname.size() > 200) {
    return Fail(RegistryErrc::kInvalidInput, "former_surname: required");
  }
  Impl impl{*this};
  return impl.Change(
      actor, resident_id, "resident.former_surname",
      [&](Resident& r) {
        r.former_surname = std::string(former_surname);
        return "旧氏 " + r.former_surname;
      },
      false);
}

Result<Resident> RegistryService::MoveIn(const Actor& actor,
                                         std::string_view resident_id,
                                         std::string_view municipality_code,
                                         std::string_view new_address,
                                         std::string_view moved_in_on) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.move_in"));
  OPENMYNA_ASSIGN_OR_RETURN(Date moved,
                            Impl::ParseDateField("moved_in_on", moved_in_on));
  if (moved > impl.Today()) {
    return Fail(RegistryErrc::kInvalidInput, "moved_in_on: in the future");
  }
  if (new_address.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "address: required");
  }
  Resident r;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(r, Impl::LoadResident(tx, resident_id));
    if (r.status == ResidentStatus::kDeceased) {
      return Fail(RegistryErrc::kRefused, "resident is deceased");
    }
    if (r.municipality_code == municipality_code) {
      return Fail(RegistryErrc::kRefused,
                  "same municipality: this is a change of address");
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadMunicipality(tx, municipality_code));
    r.municipality_code = std::string(municipality_code);
    r.address = std::string(new_address);
    r.moved_in_on = domain::FormatDate(moved);
    r.status = ResidentStatus::kActive;
    OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(r));
    OPENMYNA_ASSIGN_OR_RETURN(auto card, Impl::CardInForce(tx, r.id));
    if (card) {
      card->present_by =
          domain::FormatDate(domain::MoveInPresentationDeadline(moved));
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(*card));
      // The address is one of the four basic data (jpki.md §4.1).
      OPENMYNA_RETURN_IF_ERROR(impl.Revoke(
          tx, card->id, true, false, RevocationReason::kAffiliationChanged));
    }
    return impl.Audit(tx, actor, r.id, "resident.move_in");
  }));
  return r;
}

Result<Card> RegistryService::PresentAfterMoveIn(const Actor& actor,
                                                 std::string_view card_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.present"));
  Card card;
  bool late = false;
  std::string deadline;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(card, Impl::LoadCard(tx, card_id));
    if (!Impl::InForce(card) || card.present_by.empty()) {
      return Fail(RegistryErrc::kRefused,
                  "the card has no pending presentation after a move");
    }
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, card.resident_id));
    deadline = card.present_by;
    if (domain::FormatDate(impl.Today()) > card.present_by) {
      // Not presented within 90 days of moving in: the card is void
      // (domain.md §6). Committed, then refused below.
      late = true;
      OPENMYNA_RETURN_IF_ERROR(
          impl.VoidCard(tx, card, VoidReason::kNotPresentedInTime,
                        RevocationReason::kCessationOfOperation));
      return impl.Audit(tx, actor, r.id, "card.present");
    }
    card.present_by.clear();
    card.presented_in = r.municipality_code;
    if (static_cast<int>(card.notes.size()) < card.notes_capacity) {
      OPENMYNA_RETURN_IF_ERROR(impl.AddNote(card, "住所 " + r.address));
    }
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    if (card.state == CardState::kActive) {
      OPENMYNA_RETURN_IF_ERROR(card_.RewriteTextData(card, r));
      OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card.id));
      const bool had_signature =
          std::any_of(certs.begin(), certs.end(), [](const Certificate& c) {
            return c.type == CertificateType::kSignature &&
                   c.reason == RevocationReason::kAffiliationChanged;
          });
      OPENMYNA_RETURN_IF_ERROR(
          impl.ReissueSignature(tx, card, r, had_signature));
    }
    return impl.Audit(tx, actor, r.id, "card.present");
  }));
  if (late) {
    return Fail(RegistryErrc::kRefused,
                fmt::format("the card was not presented within 90 days of "
                            "moving in (last day {}): it is now void",
                            deadline));
  }
  return card;
}

Status RegistryService::ResetPassword(const Actor& actor,
                                      std::string_view card_id,
                                      domain::PasswordKind kind,
                                      std::string_view new_password) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "card.reset_password"));
  if (auto bad = domain::CheckPassword(kind, new_password)) {
    return Fail(RegistryErrc::kInvalidInput, "password: " + bad->message);
  }
  return store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(Card card, Impl::LoadCard(tx, card_id));
    OPENMYNA_RETURN_IF_ERROR(
        Impl::RequireState(card, CardState::kActive, "reset a password"));
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, card.resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(
        Date issued, Impl::ParseDateField("issued_on", card.issued_on));
    if (!domain::PasswordExists(kind, Impl::AgeOn(r, issued), r.adult_ward,
                                card.kind == CardKind::kFaceAuth)) {
      return Fail(RegistryErrc::kRefused,
                  "this card has no such password (domain.md §3)");
    }
    OPENMYNA_RETURN_IF_ERROR(card_.ResetPassword(card, kind, new_password));
    if (kind == domain::PasswordKind::kAuthentication) {
      OPENMYNA_RETURN_IF_ERROR(Impl::KonbiniFromTomorrow(
          tx, card.id, domain::JapanDateOf(clock_.Now()), "暗証番号の再設定"));
    }
    return impl.Audit(tx, actor, r.id, "card.reset_password");
  });
}

Result<Card> RegistryService::ChangePeriodOfStay(const Actor& actor,
                                                 std::string_view resident_id,
                                                 std::string_view new_end) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.period_of_stay"));
  OPENMYNA_ASSIGN_OR_RETURN(
      Date end, Impl::ParseDateField("period_of_stay_ends", new_end));
  Card card;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(Resident r, Impl::LoadResident(tx, resident_id));
    if (!r.foreign || !domain::NeedsStayUntil(r.foreign->category)) {
      return Fail(RegistryErrc::kRefused,
                  "the resident has no period of stay that limits the card");
    }
    r.foreign->period_of_stay_ends = domain::FormatDate(end);
    OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(r));
    OPENMYNA_ASSIGN_OR_RETURN(auto found, Impl::CardInForce(tx, r.id));
    if (!found) {
      return Fail(RegistryErrc::kRefused, "no card in force to change");
    }
    card = *found;
    OPENMYNA_ASSIGN_OR_RETURN(
        Date birth, Impl::ParseDateField("date_of_birth", r.date_of_birth));
    OPENMYNA_ASSIGN_OR_RETURN(
        Date issued, Impl::ParseDateField("issued_on", card.issued_on));
    auto expiry = domain::CardExpiryAfterStayChange(birth, issued, end);
    if (!expiry) {
      return Fail(RegistryErrc::kRefused, expiry.error().message());
    }
    card.expires_on = domain::FormatDate(*expiry);
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    return impl.Audit(tx, actor, r.id, "resident.period_of_stay");
  }));
  return card;
}

Result<Resident> RegistryService::RecordDeath(const Actor& actor,
                                              std::string_view resident_id,
                                              std::string_view died_on) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "resident.death"));
  OPENMYNA_ASSIGN_OR_RETURN(Date died,
                            Impl::ParseDateField("died_on", died_on));
  if (died > impl.Today()) {
    return Fail(RegistryErrc::kInvalidInput, "died_on: in the future");
  }
  Resident r;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(r, Impl::LoadResident(tx, resident_id));
    if (r.status == ResidentStatus::kDeceased) {
      return Fail(RegistryErrc::kRefused, "death already recorded");
    }
    r.status = ResidentStatus::kDeceased;
    r.died_on = domain::FormatDate(died);
    OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(r));
    OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(r.id));
    for (Card& card : cards) {
      if (!Impl::InForce(card)) continue;
      OPENMYNA_RETURN_IF_ERROR(
          impl.VoidCard(tx, card, VoidReason::kDeath,
                        RevocationReason::kCessationOfOperation));
    }
    return impl.Audit(tx, actor, r.id, "resident.death");
  }));
  return r;
}

}  // namespace openmyna::registry
