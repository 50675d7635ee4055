// InsuranceService::IssueQualificationDocument and IssueDueDocuments
// (insurance_service.h): the registry's facts for
// domain::DecideQualificationDocument, read in one transaction with the
// record of the issue (insurance_documents table) and the audit entry.
#include <fmt/format.h>

#include <algorithm>

#include "access.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/insurer_number.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/insurance_store.h"

namespace openmyna::registry {
namespace {

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
    return Fail(
        RegistryErrc::kNotFound,
        fmt::format("membership {}: no insurer {}", m.id, m.insurer_number));
  }
  auto birth = domain::ParseDate(m.date_of_birth);
  if (!birth) {
    return Fail(RegistryErrc::kInvalidInput,
                fmt::format("membership {}: the record's date_of_birth is "
                            "not a date YYYY-MM-DD (the value is not shown: "
                            "correct the record)",
                            m.id));
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
    // An active card with an authentication certificate in use: the
    // registry's one rule (certificate_holder.h, review finding 10).
    OPENMYNA_ASSIGN_OR_RETURN(auto in_use,
                              AuthenticationInUseOf(tx, m.resident_id, now));
    facts.card_usable = in_use.certificate.has_value();
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
              const Actor& actor, const Membership& m, DocumentChannel channel,
              QualificationDocument& d) {
  d.number = access.NewId("qd-");
  const bool ex_officio = channel == DocumentChannel::kExOfficio;
  IssuedQualificationDocument issued{d.number,
                                     m.id,
                                     0,
                                     d.kind,
                                     d.reason,
                                     d.issued_on,
                                     d.valid_until,
                                     channel,
                                     actor.id,
                                     /*awaiting_output=*/ex_officio};
  OPENMYNA_RETURN_IF_ERROR(
      InsuranceTx(tx).InsertIssuedQualificationDocument(issued));
  Actor named = actor;
  named.why = fmt::format(
      "{} {} {} ({})", domain::QualificationDocumentName(d.kind),
      ex_officio ? "職権交付" : "交付", d.insurer.name,
      ex_officio ? domain::QualificationDocumentReasonText(d.reason)
                 : (actor.why.empty() ? std::string_view(d.number)
                                      : std::string_view(actor.why)));
  return access.Audit(tx, named, m.resident_id, "insurance.document");
}

// A member due a new document, as decided in the batch's read snapshot.
struct DueCandidate {
  Membership m;
  QualificationDocument decided;  // no number yet
};

// Documents recorded by one write transaction of the batch: short, so that
// the writer is held for a few dozen inserts, never for a page's reads.
constexpr std::size_t kWriteGroup = 50;

// The recorded document `last` again (same number, kind, reason and
// dates), printed from the membership as `decided` read it today.
QualificationDocument Again(const IssuedQualificationDocument& last,
                            QualificationDocument decided) {
  decided.number = last.number;
  decided.kind = last.kind;
  decided.reason = last.reason;
  decided.issued_on = last.issued_on;
  decided.valid_until = last.valid_until;
  return decided;
}

// Whether the holder is due a new document: see IssueDueDocuments.
bool Due(const std::optional<IssuedQualificationDocument>& last,
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
    return Record(tx, access, actor, m, DocumentChannel::kRequest, out);
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
  const domain::Date today = access.Today();
  const std::string today_text = domain::FormatDate(today);
  const TimePoint now = clock_.Now();
  // Read and decide in one snapshot, beside the writer (review finding 17).
  DueDocumentsPage page;
  std::vector<DueCandidate> due;
  OPENMYNA_REGISTRY_TRANSACT(store_.Read([&](RegistryTx& tx) -> Status {
    page = {};
    due.clear();
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto members,
                              ins.ListMemberships(after_id, limit));
    for (const Membership& m : members) {
      ++page.checked;
      if (!Issuable(m, today_text)) continue;
      auto decided = Decide(tx, m, today, now);
      if (!decided) {
        // A wrong record is this member's problem, not the batch's.
        if (decided.error().Is(RegistryErrc::kStorage)) {
          return Unexpected(decided.error());
        }
        page.skipped.push_back({m.id, decided.error().message()});
        continue;
      }
      OPENMYNA_ASSIGN_OR_RETURN(auto last,
                                ins.LatestIssuedQualificationDocument(m.id));
      if (Due(last, *decided, today_text)) {
        due.push_back({m, std::move(*decided)});
      } else if (last->awaiting_output) {
        page.unwritten.push_back(Again(*last, std::move(*decided)));
      }
    }
    if (static_cast<int>(members.size()) == limit) {
      page.next_after = members.back().id;
    }
    return Ok();
  }));
  // Record in short groups; a failed group is tried again one member at a
  // time, so that one member's conflict (an issue on request racing the
  // batch: the unique (membership_id, seq)) costs only that member. Inside
  // the write the membership, its facts and its last document are read
  // again, so a change after the snapshot (a loss, a block, a revoked card,
  // an issue on request) is seen: the document recorded is the one due now.
  struct Written {
    std::vector<QualificationDocument> recorded;
    std::vector<SupersededDocument> superseded;
  };
  const auto record = [&](RegistryTx& tx, const DueCandidate& c,
                          Written& out) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(const Membership m,
                              ins.RequireMembership(c.m.id));
    if (!Issuable(m, today_text)) return Ok();  // lost or blocked meanwhile
    OPENMYNA_ASSIGN_OR_RETURN(auto decided, Decide(tx, m, today, now));
    OPENMYNA_ASSIGN_OR_RETURN(auto last,
                              ins.LatestIssuedQualificationDocument(m.id));
    if (!Due(last, decided, today_text)) return Ok();  // issued meanwhile
    if (last && last->awaiting_output) {
      // Never written and now replaced: it is not to be written any more.
      last->awaiting_output = false;
      OPENMYNA_RETURN_IF_ERROR(ins.UpdateIssuedQualificationDocument(*last));
      out.superseded.push_back({last->number, m.id});
    }
    OPENMYNA_RETURN_IF_ERROR(
        Record(tx, access, actor, m, DocumentChannel::kExOfficio, decided));
    out.recorded.push_back(std::move(decided));
    return Ok();
  };
  for (std::size_t from = 0; from < due.size(); from += kWriteGroup) {
    const std::size_t to = std::min(due.size(), from + kWriteGroup);
    Written written;
    Status group = store_.Transact([&](RegistryTx& tx) -> Status {
      for (std::size_t i = from; i < to; ++i) {
        OPENMYNA_RETURN_IF_ERROR(record(tx, due[i], written));
      }
      return Ok();
    });
    if (!group) {
      written = {};  // rolled back
      for (std::size_t i = from; i < to; ++i) {
        Written one;
        Status alone = store_.Transact(
            [&](RegistryTx& tx) -> Status { return record(tx, due[i], one); });
        if (alone) {
          for (auto& d : one.recorded) written.recorded.push_back(std::move(d));
          for (auto& d : one.superseded) {
            written.superseded.push_back(std::move(d));
          }
        } else if (alone.error().Is(RegistryErrc::kStorage)) {
          return Unexpected(alone.error());
        } else {
          page.skipped.push_back({due[i].m.id, alone.error().message()});
        }
      }
    }
    for (auto& d : written.recorded) page.issued.push_back(std::move(d));
    for (auto& d : written.superseded) page.superseded.push_back(std::move(d));
  }
  return page;
}

Status InsuranceService::MarkDocumentsWritten(
    const Actor& actor, const std::vector<std::string>& numbers) {
  if (actor.role != Role::kSystem) {
    return Fail(RegistryErrc::kRefused,
                fmt::format("role {} may not report the batch's output",
                            ToString(actor.role)));
  }
  if (numbers.empty()) return Ok();
  return store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    for (const std::string& number : numbers) {
      OPENMYNA_ASSIGN_OR_RETURN(auto d,
                                ins.GetIssuedQualificationDocument(number));
      if (!d) return Fail(RegistryErrc::kNotFound, "no document " + number);
      if (!d->awaiting_output) continue;
      d->awaiting_output = false;
      OPENMYNA_RETURN_IF_ERROR(ins.UpdateIssuedQualificationDocument(*d));
    }
    return Ok();
  });
}

}  // namespace openmyna::registry
