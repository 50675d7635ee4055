// InsuranceService::IssueQualificationDocument and IssueDueDocuments
// (insurance_service.h): the registry's facts for
// domain::DecideQualificationDocument, read in one transaction with the
// record of the issue (insurance_documents table) and the audit entry.
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

// kRefused unless `m` may have a document today: valid today and its link
// not blocked by the collation.
Status Issuable(const Membership& m, const std::string& today) {
  if (!(m.acquired_on <= today && (m.lost_on.empty() || today < m.lost_on))) {
    return Fail(RegistryErrc::kRefused,
                "the membership is not valid today (資格喪失 or not yet "
                "acquired): no document");
  }
  if (m.link_state == LinkState::kMismatch) {
    return Fail(RegistryErrc::kRefused,
                "the link is blocked by the collation: correct the record "
                "first");
  }
  return Ok();
}

// The document `m`'s holder is due on `today` (no number yet): the facts
// from the registry, the rule from the domain.
Result<QualificationDocument> Decide(RegistryTx& tx, const Membership& m,
                                     domain::Date today, TimePoint now) {
  InsuranceTx ins(tx);
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
    OPENMYNA_ASSIGN_OR_RETURN(facts.card_usable,
                              HoldsUsableCard(tx, m.resident_id, now));
  }
  const auto decision = domain::DecideQualificationDocument(facts);
  QualificationDocument out;
  out.kind = decision.kind;
  out.reason = decision.reason;
  out.issued_on = domain::FormatDate(today);
  out.valid_until =
      decision.valid_until ? domain::FormatDate(*decision.valid_until) : "";
  out.membership = m;
  out.membership.resident_id.clear();  // never leaves the registry
  out.insurer = *insurer;
  return out;
}

// Numbers `d`, records its issue and audits it on the linked resident.
Status Record(RegistryTx& tx, const internal::ServiceAccess& access,
              const Actor& actor, const Membership& m, std::string_view channel,
              QualificationDocument& d) {
  d.number = access.NewId("qd-");
  IssuedDocument issued{d.number,
                        m.id,
                        0,
                        d.kind,
                        d.reason,
                        d.issued_on,
                        d.valid_until,
                        std::string(channel),
                        actor.id};
  OPENMYNA_RETURN_IF_ERROR(InsuranceTx(tx).InsertIssuedDocument(issued));
  Actor named = actor;
  const bool ex_officio = channel == "ex_officio";
  named.why = fmt::format(
      "{} {} {} ({})", domain::QualificationDocumentName(d.kind),
      ex_officio ? "職権交付" : "交付", d.insurer.name,
      ex_officio ? domain::QualificationDocumentReasonText(d.reason)
                 : (actor.why.empty() ? std::string_view(d.number)
                                      : std::string_view(actor.why)));
  return access.Audit(tx, named, m.resident_id, "insurance.document");
}

// Whether the holder is due a new document: see IssueDueDocuments.
bool Due(const std::optional<IssuedDocument>& last,
         const QualificationDocument& decided, const std::string& today) {
  return !last || last->kind != decided.kind ||
         (!last->valid_until.empty() && last->valid_until < today);
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
    OPENMYNA_ASSIGN_OR_RETURN(const Membership m,
                              InsuranceTx(tx).RequireMembership(membership_id));
    if (actor.role == Role::kInsurer && actor.id != m.insurer_number) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("insurer {} may not issue documents for insurer "
                              "{}'s record",
                              actor.id, m.insurer_number));
    }
    const domain::Date today = access.Today();
    OPENMYNA_RETURN_IF_ERROR(Issuable(m, domain::FormatDate(today)));
    OPENMYNA_ASSIGN_OR_RETURN(out, Decide(tx, m, today, clock_.Now()));
    return Record(tx, access, actor, m, "request", out);
  }));
  return out;
}

Result<DueDocumentsPage> InsuranceService::IssueDueDocuments(
    const Actor& actor, std::string_view after_id, int limit) {
  const internal::ServiceAccess access{clock_, rng_};
  if (actor.role != Role::kSystem) {
    return Fail(RegistryErrc::kRefused,
                fmt::format("role {} may not run the ex officio issue",
                            ToString(actor.role)));
  }
  if (limit < 1) {
    return Fail(RegistryErrc::kInvalidInput, "the page size must be >= 1");
  }
  DueDocumentsPage page;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    page = {};  // a retried group runs the callback again
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto members,
                              ins.ListMemberships(after_id, limit));
    const domain::Date today = access.Today();
    const std::string today_text = domain::FormatDate(today);
    for (const Membership& m : members) {
      ++page.checked;
      if (!Issuable(m, today_text)) continue;
      OPENMYNA_ASSIGN_OR_RETURN(auto decided,
                                Decide(tx, m, today, clock_.Now()));
      OPENMYNA_ASSIGN_OR_RETURN(auto last, ins.LatestIssuedDocument(m.id));
      if (!Due(last, decided, today_text)) continue;
      OPENMYNA_RETURN_IF_ERROR(
          Record(tx, access, actor, m, "ex_officio", decided));
      page.issued.push_back(std::move(decided));
    }
    if (static_cast<int>(members.size()) == limit) {
      page.next_after = members.back().id;
    }
    return Ok();
  }));
  return page;
}

}  // namespace openmyna::registry
