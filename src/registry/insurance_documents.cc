// InsuranceService::IssueQualificationDocument (insurance_service.h): the
// registry's facts for domain::DecideQualificationDocument, read in one
// transaction with the audit entry.
#include <fmt/format.h>

#include "access.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/insurer_number.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/insurance_store.h"

namespace openmyna::registry {
namespace {

// An active card holding an authentication certificate that is neither
// revoked nor outside its validity at `now`.
Result<bool> HoldsUsableCard(RegistryTx& tx, std::string_view resident_id,
                             TimePoint now) {
  OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident_id));
  for (const Card& card : cards) {
    if (card.state != CardState::kActive) continue;
    OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card.id));
    for (const Certificate& c : certs) {
      if (c.type == CertificateType::kAuthentication && !c.revoked &&
          c.not_before <= now && now <= c.not_after) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<QualificationDocument> InsuranceService::IssueQualificationDocument(
    const Actor& actor, std::string_view membership_id) {
  const internal::ServiceAccess access{clock_, rng_};
  if (actor.role != Role::kSystem && actor.role != Role::kInsurer) {
    return Fail(RegistryErrc::kRefused,
                fmt::format("role {} may not issue insurance documents",
                            ToString(actor.role)));
  }
  QualificationDocument out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(const Membership m,
                              ins.RequireMembership(membership_id));
    if (actor.role == Role::kInsurer && actor.id != m.insurer_number) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("insurer {} may not issue documents for insurer "
                              "{}'s record",
                              actor.id, m.insurer_number));
    }
    const domain::Date today = access.Today();
    const std::string today_text = domain::FormatDate(today);
    if (!(m.acquired_on <= today_text &&
          (m.lost_on.empty() || today_text < m.lost_on))) {
      return Fail(RegistryErrc::kRefused,
                  "the membership is not valid today (資格喪失 or not yet "
                  "acquired): no document");
    }
    if (m.link_state == LinkState::kMismatch) {
      return Fail(RegistryErrc::kRefused,
                  "the link is blocked by the collation: correct the record "
                  "first");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto insurer, ins.GetInsurer(m.insurer_number));
    if (!insurer) {
      return Fail(RegistryErrc::kNotFound, "no insurer " + m.insurer_number);
    }
    auto birth = domain::ParseDate(m.date_of_birth);
    if (!birth) {
      return Fail(RegistryErrc::kInvalidInput,
                  "the record's date_of_birth: " + birth.error().message());
    }
    domain::QualificationDocumentFacts facts;
    facts.today = today;
    facts.birth = *birth;
    auto number = domain::InsurerNumber::Parse(m.insurer_number);
    facts.late_elderly = number && !number->IsNationalHealthInsurance() &&
                         number->LawNumber() == "39";  // 後期高齢者医療
    if (m.elderly) {
      if (auto to = domain::ParseDate(m.elderly->valid_to)) {
        facts.elderly_valid_to = *to;
      }
    }
    if (!m.resident_id.empty()) {
      OPENMYNA_ASSIGN_OR_RETURN(auto reg, ins.GetRegistration(m.resident_id));
      facts.registered = reg && !reg->cancelled_at;
      facts.cancelled = reg && reg->cancelled_at;
      OPENMYNA_ASSIGN_OR_RETURN(
          facts.card_usable, HoldsUsableCard(tx, m.resident_id, clock_.Now()));
    }
    const auto decision = domain::DecideQualificationDocument(facts);
    out.number = access.NewId("qd-");
    out.kind = decision.kind;
    out.reason = decision.reason;
    out.issued_on = today_text;
    out.valid_until =
        decision.valid_until ? domain::FormatDate(*decision.valid_until) : "";
    out.membership = m;
    out.membership.resident_id.clear();  // never leaves the registry
    out.insurer = *insurer;
    Actor named = actor;
    named.why = fmt::format(
        "{} 交付 {} ({})", domain::QualificationDocumentName(out.kind),
        insurer->name, actor.why.empty() ? out.number : actor.why);
    return access.Audit(tx, named, m.resident_id, "insurance.document");
  }));
  return out;
}

}  // namespace openmyna::registry
