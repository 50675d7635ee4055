#include "openmyna/services/konbini/guide.h"

#include <array>

#include "holder.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/issue_audit.h"

namespace openmyna::konbini {
namespace {

using domain::KonbiniCertificate;

constexpr std::array kCertificates = {
    KonbiniCertificate::kJuminhyo, KonbiniCertificate::kInkan,
    KonbiniCertificate::kKoseki, KonbiniCertificate::kKosekiKojin,
    KonbiniCertificate::kFuhyo};

Result<CardAtKiosk> CardOf(registry::RegistryTx& tx,
                           std::string_view resident_id, TimePoint now,
                           bool immediate_mapping) {
  CardAtKiosk out;
  const domain::Date today = domain::JapanDateOf(now);
  OPENMYNA_ASSIGN_OR_RETURN(
      auto in_use, registry::AuthenticationInUseOf(tx, resident_id, now));
  const std::optional<registry::Certificate>& usable = in_use.certificate;
  if (!usable) {
    out.state = in_use.face_auth_card ? CardAtKiosk::State::kFaceAuth
                                      : CardAtKiosk::State::kNoCertificate;
    return out;
  }
  auto holder = CheckHolder(tx, usable->serial, today, immediate_mapping);
  if (holder) {
    out.state = CardAtKiosk::State::kUsable;
    return out;
  }
  if (!holder.error().Is(KonbiniErrc::kRefused)) {
    return Unexpected(std::move(holder).error());
  }
  OPENMYNA_ASSIGN_OR_RETURN(const domain::Date from, MappedFrom(tx, *usable));
  if (!immediate_mapping &&
      std::chrono::sys_days(today) < std::chrono::sys_days(from)) {
    // On that day, would the centre serve the holder? Another of its rules
    // may still refuse (e.g. under 15 then): say that one, not a day the
    // centre refuses (review finding 4).
    auto then = CheckHolder(tx, usable->serial, from, immediate_mapping);
    if (!then) {
      if (!then.error().Is(KonbiniErrc::kRefused)) {
        return Unexpected(std::move(then).error());
      }
      out.state = CardAtKiosk::State::kRefused;
      out.reason = then.error().message();
      return out;
    }
    out.state = CardAtKiosk::State::kNotYet;
    out.usable_from = domain::FormatDate(from);
    out.reason = holder.error().message();
    return out;
  }
  out.state = CardAtKiosk::State::kRefused;
  out.reason = holder.error().message();
  return out;
}

}  // namespace

Result<ResidentGuide> GuideForResident(registry::RegistryStore& store,
                                       std::string_view resident_id,
                                       TimePoint now,
                                       const CentreOptions& options,
                                       int registration_office_days) {
  ResidentGuide guide;
  guide.closed_reason =
      domain::KonbiniClosedReason(now, options.hours, options.maintenance);
  const domain::Date today = domain::JapanDateOf(now);
  OPENMYNA_RETURN_IF_ERROR(store.Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(resident_id));
    if (!resident) return Fail(KonbiniErrc::kRefused, "no such resident");
    OPENMYNA_ASSIGN_OR_RETURN(
        guide.card, CardOf(tx, resident_id, now, options.immediate_mapping));

    registry::CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto family, civil.FamilyRegisterOf(resident_id));
    // The issuers' rules on the requester (a filed 転出届, a support
    // measure...) refuse every certificate, as the issuer will.
    OPENMYNA_ASSIGN_OR_RETURN(auto items, civil.GetResidentCivil(resident_id));
    std::string person_refusal;
    if (Status person =
            CheckPerson(*resident, items.value_or(registry::ResidentCivil{}),
                        today, /*is_subject=*/true);
        !person) {
      person_refusal = person.error().message();
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto seal, civil.RegisteredSealOf(resident_id));
    std::vector<std::string> codes = {resident->municipality_code};
    if (family && family->municipality_code != resident->municipality_code) {
      codes.push_back(family->municipality_code);
    }
    for (const std::string& code : codes) {
      MunicipalityOffer m;
      m.code = code;
      OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.GetMunicipality(code));
      m.name = found ? found->name : code;
      m.residence = code == resident->municipality_code;
      m.domicile = family && family->municipality_code == code;
      for (KonbiniCertificate c : kCertificates) {
        CertificateOffer offer;
        offer.certificate = c;
        offer.availability = domain::AvailabilityAt(m.residence, m.domicile, c);
        offer.no_registered_seal =
            c == KonbiniCertificate::kInkan && m.residence && !seal;
        offer.fee =
            domain::KonbiniFeeOn(domain::SandboxKonbiniFees(), code, c, today);
        offer.refused_reason = person_refusal;
        m.certificates.push_back(offer);
      }
      if (m.domicile && !m.residence) {
        OPENMYNA_ASSIGN_OR_RETURN(
            m.registration,
            registry::KonbiniRegistrationOf(tx, resident_id, code, today,
                                            registration_office_days));
      }
      guide.municipalities.push_back(std::move(m));
    }

    OPENMYNA_ASSIGN_OR_RETURN(
        auto records, registry::ListDisclosures(tx, resident_id, now, {}));
    for (const auto& record : records) {
      if (record.action != "konbini.issue") continue;
      IssuedDocument doc;
      doc.at = record.provided_at;
      doc.request_id = RequestIdOfIssueReason(record.purpose);
      if (!doc.request_id.empty()) {
        OPENMYNA_ASSIGN_OR_RETURN(
            doc.ledger, registry::FindKonbiniIssuance(tx, doc.request_id));
      }
      if (doc.ledger) {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto issuer, tx.GetMunicipality(doc.ledger->municipality_code));
        doc.municipality_name =
            issuer ? issuer->name : doc.ledger->municipality_code;
        doc.requested_by_self = doc.ledger->subject_id == resident_id;
      }
      guide.issued.push_back(std::move(doc));
    }
    return Ok();
  }));
  return guide;
}

}  // namespace openmyna::konbini
