#include "openmyna/registry/insurance_service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "access.h"
#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/domain/insurer_number.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_store.h"

namespace openmyna::registry {

// Role checks, ids and the audit rule shared with the registry's other
// services: access.h.
struct InsuranceService::Impl : internal::ServiceAccess {
  explicit Impl(InsuranceService& service)
      : ServiceAccess{service.clock_, service.rng_}, s(service) {}
  InsuranceService& s;

  std::string TodayText() const { return domain::FormatDate(Today()); }

  // One read-only statement, `read(InsuranceTx&)`, on a reader beside the
  // writer with no transaction around it (store.h ReadOneStatement).
  template <typename T, typename F>
  Result<T> Read(F&& read) {
    T out;
    OPENMYNA_REGISTRY_TRANSACT(
        s.store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
          InsuranceTx ins(tx);
          OPENMYNA_ASSIGN_OR_RETURN(out, read(ins));
          return Ok();
        }));
    return out;
  }

  // An eligibility check whose usual path reads one statement: `check(tx,
  // again)` runs first as a one-statement read (store.h ReadOneStatement:
  // no BEGIN/COMMIT around it) with `again` set; where its rows show that a
  // second statement is needed (a rarer path), it sets *again, writes no
  // audit entry and returns, and runs again from scratch in a read snapshot
  // with `again` null. Its audit entries are durable before either returns.
  template <typename F>
  Status ReadOneOrSnapshot(F&& check) {
    bool again = false;
    OPENMYNA_RETURN_IF_ERROR(s.store_.ReadOneStatement(
        [&](RegistryTx& tx) { return check(tx, &again); }));
    if (!again) return Ok();
    return s.store_.Read([&](RegistryTx& tx) { return check(tx, nullptr); });
  }

  // A resident's records of one kind, read by the resident or the system.
  template <typename T, typename List>
  Result<std::vector<T>> OwnRecords(const Actor& actor,
                                    std::string_view resident_id,
                                    std::string_view action, List list) {
    OPENMYNA_RETURN_IF_ERROR(OwnOrSystem(actor, resident_id, action));
    return Read<std::vector<T>>(
        [&](InsuranceTx& ins) { return list(ins, resident_id); });
  }

  static Unexpected<Error> Refuse(std::string message) {
    return Fail(RegistryErrc::kRefused, std::move(message));
  }

  static Status RequireRole(const Actor& actor, std::initializer_list<Role> ok,
                            std::string_view action) {
    if (std::find(ok.begin(), ok.end(), actor.role) != ok.end()) return Ok();
    return Refuse(fmt::format("role {} may not perform {}",
                              ToString(actor.role), action));
  }

  // The resident themself, or the system.
  static Status OwnOrSystem(const Actor& actor, std::string_view resident_id,
                            std::string_view action) {
    if (actor.role == Role::kSystem) return Ok();
    if (actor.role == Role::kResident && actor.id == resident_id) return Ok();
    return Refuse(fmt::format("role {} may not perform {} on this resident",
                              ToString(actor.role), action));
  }

  // An insurer acts only on its own memberships.
  static Status InsurerOwns(const Actor& actor, const Membership& m,
                            std::string_view action) {
    if (actor.role == Role::kSystem) return Ok();
    if (actor.role == Role::kInsurer && actor.id == m.insurer_number) {
      return Ok();
    }
    return Refuse(fmt::format("{} {} may not perform {} on insurer {}'s record",
                              ToString(actor.role), actor.id, action,
                              m.insurer_number));
  }

  static Status CheckDate(std::string_view field, std::string_view text,
                          bool required) {
    if (text.empty() && !required) return Ok();
    if (!domain::ParseDate(text)) {
      return Fail(
          RegistryErrc::kInvalidInput,
          fmt::format("{} must be a YYYY-MM-DD date, got \"{}\"", field, text));
    }
    return Ok();
  }

  static Status Validate(Membership& m) {
    auto insurer = domain::InsurerNumber::Parse(m.insurer_number);
    if (!insurer) {
      return Fail(RegistryErrc::kInvalidInput,
                  "insurer_number: " + insurer.error().message());
    }
    m.insurer_number = insurer->digits();
    if (m.number.empty() || m.number.size() > 20) {
      return Fail(RegistryErrc::kInvalidInput,
                  "number (番号) must be 1 to 20 characters");
    }
    if (m.symbol.size() > 38) {  // 記号: 38 bytes (insurance.md §5.2)
      return Fail(RegistryErrc::kInvalidInput,
                  "symbol (記号) must be at most 38 bytes");
    }
    if (!m.branch.empty() &&
        (m.branch.size() != 2 ||
         !std::all_of(m.branch.begin(), m.branch.end(),
                      [](char c) { return c >= '0' && c <= '9'; }))) {
      return Fail(RegistryErrc::kInvalidInput,
                  "branch (枝番) must be 2 digits");
    }
    OPENMYNA_RETURN_IF_ERROR(CheckDate("date_of_birth", m.date_of_birth, true));
    OPENMYNA_RETURN_IF_ERROR(CheckDate("acquired_on", m.acquired_on, true));
    OPENMYNA_RETURN_IF_ERROR(CheckDate("lost_on", m.lost_on, false));
    OPENMYNA_RETURN_IF_ERROR(
        CheckDate("card_issued_on", m.card_issued_on, false));
    OPENMYNA_RETURN_IF_ERROR(
        CheckDate("card_valid_until", m.card_valid_until, false));
    if (!m.lost_on.empty() && m.lost_on <= m.acquired_on) {
      return Fail(RegistryErrc::kInvalidInput,
                  "lost_on must be after acquired_on");
    }
    const int r = m.contribution_percent;
    if (r != 0 && r != 10 && r != 20 && r != 30) {
      return Fail(RegistryErrc::kInvalidInput,
                  "contribution_percent must be 0, 10, 20 or 30");
    }
    if (m.elderly) {
      OPENMYNA_RETURN_IF_ERROR(
          CheckDate("elderly.valid_from", m.elderly->valid_from, true));
    }
    return Ok();
  }

  static domain::IdentityItems ItemsOf(const Membership& m) {
    return {m.name, m.name_kana, m.date_of_birth, static_cast<int>(m.sex),
            m.address};
  }
  static domain::IdentityItems ItemsOf(const Resident& r) {
    return {r.name, r.name_kana, r.date_of_birth, static_cast<int>(r.sex),
            r.address};
  }

  static std::string Differences(const domain::IdentityMatch& m) {
    std::vector<std::string> items;
    if (!m.name) items.emplace_back("name");
    if (!m.name_kana) items.emplace_back("name_kana");
    if (!m.date_of_birth) items.emplace_back("date_of_birth");
    if (!m.sex) items.emplace_back("sex");
    if (!m.address) items.emplace_back("address");
    return fmt::format("{}", fmt::join(items, ", "));
  }

  // Collation of a linked membership with the resident's registry record
  // (the 2024 control): all five items equal → verified, else mismatch.
  void Collate(Membership& m, const Resident& r) const {
    const domain::IdentityMatch match =
        domain::MatchIdentity(ItemsOf(m), ItemsOf(r));
    m.checked_at = s.clock_.Now();
    if (match.All()) {
      m.link_state = LinkState::kVerified;
      m.link_note.clear();
    } else {
      m.link_state = LinkState::kMismatch;
      m.link_note = "differs from the registry: " + Differences(match);
    }
  }

  // Links `m` by the number or the five items. Returns the counts.
  Result<EnrolmentOutcome> Link(RegistryTx& tx, Membership m,
                                std::string_view individual_number) const {
    EnrolmentOutcome out;
    m.resident_id.clear();
    m.link_state = LinkState::kUnlinked;
    m.link_method = LinkMethod::kNone;
    m.link_note.clear();
    if (!individual_number.empty()) {
      auto number = domain::IndividualNumber::Parse(individual_number);
      if (!number) {
        return Fail(RegistryErrc::kBadIndividualNumber,
                    "individual_number: " + number.error().message());
      }
      OPENMYNA_ASSIGN_OR_RETURN(auto resident,
                                tx.FindResidentByNumber(number->digits()));
      if (!resident) {
        m.link_note = "no resident has the given individual number";
      } else {
        m.resident_id = resident->id;
        m.link_method = LinkMethod::kIndividualNumber;
        Collate(m, *resident);
      }
    } else {
      InsuranceTx ins(tx);
      OPENMYNA_ASSIGN_OR_RETURN(auto born,
                                ins.FindResidentsBornOn(m.date_of_birth));
      const Resident* only = nullptr;
      for (const Resident& r : born) {
        const domain::IdentityMatch match =
            domain::MatchIdentity(ItemsOf(m), ItemsOf(r));
        if (match.All()) {
          ++out.exact_candidates;
          only = &r;
        } else if (match.Count() >= 3) {
          ++out.partial_candidates;
        }
      }
      if (out.exact_candidates == 1) {
        m.resident_id = only->id;
        m.link_method = LinkMethod::kFiveItems;
        m.link_state = LinkState::kVerified;
        m.checked_at = s.clock_.Now();
      } else if (out.exact_candidates == 0) {
        m.link_note = fmt::format(
            "no resident matches all five items ({} match three or four): "
            "the individual number is required",
            out.partial_candidates);
      } else {
        m.link_note = fmt::format(
            "{} residents match all five items: the individual number is "
            "required",
            out.exact_candidates);
      }
    }
    out.membership = std::move(m);
    return out;
  }

  static bool ValidOn(const Membership& m, std::string_view day) {
    return m.acquired_on <= day && (m.lost_on.empty() || day < m.lost_on);
  }
  static bool Served(const Membership& m) {
    return m.link_state == LinkState::kVerified ||
           m.link_state == LinkState::kOverridden ||
           m.link_state == LinkState::kUnlinked;
  }

  // The clinic must be a known institution.
  static Result<MedicalInstitution> Institution(RegistryTx& tx,
                                                const Actor& actor) {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto inst, ins.GetInstitution(actor.id));
    if (!inst) {
      return Fail(RegistryErrc::kRefused,
                  "unknown medical institution " + actor.id);
    }
    return *inst;
  }

  // The insurers of the answer's memberships, by first use, from `rows`
  // (an unknown insurer is absent).
  static void AddInsurers(const std::vector<Insurer>& rows,
                          EligibilityAnswer& answer) {
    std::set<std::string> seen;
    for (const Membership& m : answer.memberships) {
      if (!seen.insert(m.insurer_number).second) continue;
      auto it = std::find_if(rows.begin(), rows.end(), [&](const Insurer& i) {
        return i.number == m.insurer_number;
      });
      if (it != rows.end()) answer.insurers.push_back(*it);
    }
  }

  // Whether a card's authentication certificate may be answered for
  // (insurance.md §1.3): good, or expired less than kGraceMonths ago with
  // no successor yet; a revoked one (suspension, loss, a replaced card) or
  // one replaced by a renewal never is: the card holding the successor
  // answers instead.
  static constexpr int kGraceMonths = 3;
  static Status Answerable(const Certificate& cert,
                           const std::optional<Certificate>& successor,
                           TimePoint now) {
    const std::string later =
        successor ? " (a newer certificate of the holder answers)" : "";
    switch (StandingAt(cert, now)) {
      case CertificateStanding::kGood:
        return Ok();
      case CertificateStanding::kRevoked:
        return Refuse("the authentication certificate is revoked (" +
                      std::string(pki::ReasonName(cert.reason)) + ")" + later);
      case CertificateStanding::kNotYetValid:
        return Refuse("the authentication certificate is not yet valid");
      case CertificateStanding::kExpired:
        if (successor) {
          return Refuse("the authentication certificate expired" + later);
        }
        if (now - cert.not_after > std::chrono::months(kGraceMonths)) {
          return Refuse(
              "the authentication certificate expired more than 3 months ago");
        }
        return Ok();
    }
    return Ok();
  }

  // 保険証利用登録 covers the registered certificates and their successors:
  // the holder's certificates of the same type issued after a registered
  // one (renewal, reissue).
  static Result<bool> RegisteredOrSuccessor(RegistryTx& tx,
                                            const InsuranceRegistration& reg,
                                            const Certificate& cert) {
    for (const std::string& serial : reg.certificate_serials) {
      if (serial == cert.serial) return true;
    }
    for (const std::string& serial : reg.certificate_serials) {
      OPENMYNA_ASSIGN_OR_RETURN(auto registered, tx.GetCertificate(serial));
      if (registered && registered->resident_id == cert.resident_id &&
          registered->type == cert.type &&
          registered->not_before <= cert.not_before) {
        return true;
      }
    }
    return false;
  }

  Status AuditCheck(RegistryTx& tx, const Actor& actor,
                    const MedicalInstitution& inst,
                    std::string_view resident_id) const {
    Actor named = actor;
    named.why = fmt::format("資格確認 {} ({})", inst.name,
                            actor.why.empty() ? "eligibility" : actor.why);
    return Audit(tx, named, resident_id, "insurance.eligibility");
  }
};

InsuranceService::InsuranceService(RegistryStore& store, const Clock& clock,
                                   Rng& rng)
    : store_(store), clock_(clock), rng_(rng) {}

Status InsuranceService::PutInsurer(const Actor& actor,
                                    const Insurer& insurer) {
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.insurer.put"));
  auto number = domain::InsurerNumber::Parse(insurer.number);
  if (!number) {
    return Fail(RegistryErrc::kInvalidInput,
                "insurer number: " + number.error().message());
  }
  if (insurer.name.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "insurer name is required");
  }
  Insurer clean = insurer;
  clean.number = number->digits();
  return store_.Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).PutInsurer(clean); });
}

Status InsuranceService::PutInstitution(const Actor& actor,
                                        const MedicalInstitution& inst) {
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.institution.put"));
  if (inst.code.size() != 10 ||
      !std::all_of(inst.code.begin(), inst.code.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail(RegistryErrc::kInvalidInput,
                "institution code must be 10 digits");
  }
  for (const std::string& item : inst.consent_items) {
    if (item != "drug" && item != "checkup" && item != "care" &&
        item != "surgery") {
      return Fail(RegistryErrc::kInvalidInput,
                  "consent item must be drug, checkup, care or surgery");
    }
  }
  return store_.Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).PutInstitution(inst); });
}

Result<std::optional<MedicalInstitution>> InsuranceService::GetInstitution(
    std::string_view code) {
  return Impl{*this}.Read<std::optional<MedicalInstitution>>(
      [&](InsuranceTx& ins) { return ins.GetInstitution(code); });
}

Result<std::optional<Insurer>> InsuranceService::GetInsurer(
    std::string_view number) {
  return Impl{*this}.Read<std::optional<Insurer>>(
      [&](InsuranceTx& ins) { return ins.GetInsurer(number); });
}

Result<std::optional<MedicalInstitution>>
InsuranceService::InstitutionByCredential(std::string_view credential_id) {
  std::optional<MedicalInstitution> out;
  if (credential_id.empty()) return out;
  // One statement, beside the writer (every request of the HTTP API).
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto all, InsuranceTx(tx).ListInstitutions());
        for (const MedicalInstitution& i : all) {
          if (i.credential_id == credential_id) out = i;
        }
        return Ok();
      }));
  return out;
}

Result<std::optional<Insurer>> InsuranceService::InsurerByCredential(
    std::string_view credential_id) {
  std::optional<Insurer> out;
  if (credential_id.empty()) return out;
  // One statement, beside the writer (every request of the HTTP API).
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto all, InsuranceTx(tx).ListInsurers());
        for (const Insurer& i : all) {
          if (i.credential_id == credential_id) out = i;
        }
        return Ok();
      }));
  return out;
}

Result<EnrolmentOutcome> InsuranceService::Enrol(
    const Actor& actor, const EnrolmentRequest& request) {
  Impl impl{*this};
  Membership m = request.membership;
  OPENMYNA_RETURN_IF_ERROR(Impl::Validate(m));
  OPENMYNA_RETURN_IF_ERROR(Impl::InsurerOwns(actor, m, "insurance.enrol"));
  m.id = impl.NewId("ms-");
  m.enrolled_by = actor.id;
  EnrolmentOutcome out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(out, impl.Link(tx, m, request.individual_number));
    OPENMYNA_RETURN_IF_ERROR(InsuranceTx(tx).InsertMembership(out.membership));
    return impl.Audit(tx, actor, out.membership.resident_id, "insurance.enrol");
  }));
  return out;
}

Result<EnrolmentOutcome> InsuranceService::Correct(
    const Actor& actor, std::string_view membership_id,
    const domain::IdentityItems& items, std::string_view individual_number) {
  Impl impl{*this};
  EnrolmentOutcome out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto m, ins.GetMembership(membership_id));
    if (!m) {
      return Fail(RegistryErrc::kNotFound,
                  "no membership " + std::string(membership_id));
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::InsurerOwns(actor, *m, "insurance.correct"));
    m->name = items.name;
    m->name_kana = items.name_kana;
    m->date_of_birth = items.date_of_birth;
    m->sex = static_cast<Sex>(items.sex == 0 ? 3 : items.sex);
    m->address = items.address;
    OPENMYNA_RETURN_IF_ERROR(Impl::Validate(*m));
    if (individual_number.empty() && !m->resident_id.empty()) {
      // Keep the link, collate again against the same resident.
      OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident(m->resident_id));
      if (!r) return Fail(RegistryErrc::kNotFound, "linked resident is gone");
      impl.Collate(*m, *r);
      out.membership = *m;
    } else {
      OPENMYNA_ASSIGN_OR_RETURN(out, impl.Link(tx, *m, individual_number));
    }
    OPENMYNA_RETURN_IF_ERROR(ins.UpdateMembership(out.membership));
    return impl.Audit(tx, actor, out.membership.resident_id,
                      "insurance.correct");
  }));
  return out;
}

Result<Membership> InsuranceService::Override(const Actor& actor,
                                              std::string_view membership_id,
                                              std::string_view reason) {
  Impl impl{*this};
  if (reason.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "a reason is required to confirm a mismatching link");
  }
  Membership out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto m, ins.GetMembership(membership_id));
    if (!m) {
      return Fail(RegistryErrc::kNotFound,
                  "no membership " + std::string(membership_id));
    }
    OPENMYNA_RETURN_IF_ERROR(
        Impl::InsurerOwns(actor, *m, "insurance.override"));
    if (m->link_state != LinkState::kMismatch) {
      return Impl::Refuse("only a mismatching link can be confirmed (state " +
                          std::string(ToString(m->link_state)) + ")");
    }
    m->link_state = LinkState::kOverridden;
    m->link_note = "confirmed by the insurer: " + std::string(reason);
    OPENMYNA_RETURN_IF_ERROR(ins.UpdateMembership(*m));
    out = *m;
    return impl.Audit(tx, actor, m->resident_id, "insurance.override");
  }));
  return out;
}

Result<Membership> InsuranceService::Lose(const Actor& actor,
                                          std::string_view membership_id,
                                          std::string_view lost_on,
                                          std::string_view reason) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::CheckDate("lost_on", lost_on, true));
  if (reason != "01" && reason != "02" && reason != "03" && reason != "99") {
    return Fail(RegistryErrc::kInvalidInput,
                "loss reason must be 01, 02, 03 or 99 (OQSCD008)");
  }
  Membership out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto m, ins.GetMembership(membership_id));
    if (!m) {
      return Fail(RegistryErrc::kNotFound,
                  "no membership " + std::string(membership_id));
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::InsurerOwns(actor, *m, "insurance.lose"));
    if (std::string(lost_on) <= m->acquired_on) {
      return Fail(RegistryErrc::kInvalidInput,
                  "lost_on must be after acquired_on");
    }
    m->lost_on = lost_on;
    m->loss_reason = reason;
    OPENMYNA_RETURN_IF_ERROR(ins.UpdateMembership(*m));
    out = *m;
    return impl.Audit(tx, actor, m->resident_id, "insurance.lose");
  }));
  return out;
}

Result<RecheckReport> InsuranceService::RecheckLinks(const Actor& actor) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.recheck"));
  RecheckReport report;
  std::string after;
  for (;;) {
    bool more = false;
    OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
      InsuranceTx ins(tx);
      OPENMYNA_ASSIGN_OR_RETURN(auto page,
                                ins.ListLinkedMemberships(after, 500));
      more = page.size() == 500;
      for (Membership& m : page) {
        after = m.id;
        ++report.checked;
        if (m.link_state == LinkState::kOverridden) {
          ++report.overridden;
          continue;
        }
        OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident(m.resident_id));
        const LinkState before = m.link_state;
        if (!r) {
          m.link_state = LinkState::kMismatch;
          m.link_note = "the linked resident is no longer in the registry";
          m.checked_at = clock_.Now();
        } else {
          impl.Collate(m, *r);
        }
        if (m.link_state == LinkState::kVerified) {
          ++report.verified;
        } else {
          ++report.mismatched;
        }
        OPENMYNA_RETURN_IF_ERROR(ins.UpdateMembership(m));
        if (before != m.link_state) {
          OPENMYNA_RETURN_IF_ERROR(
              impl.Audit(tx, actor, m.resident_id, "insurance.collate"));
        }
      }
      return Ok();
    }));
    if (!more) break;
  }
  return report;
}

Result<std::vector<Membership>> InsuranceService::MembershipsOf(
    const Actor& actor, std::string_view resident_id) {
  return Impl{*this}.OwnRecords<Membership>(
      actor, resident_id, "insurance.memberships",
      [](InsuranceTx& ins, std::string_view id) {
        return ins.ListMembershipsOfResident(id);
      });
}

Status InsuranceService::AddMedication(const Actor& actor,
                                       MedicationRecord record) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.medication.add"));
  OPENMYNA_RETURN_IF_ERROR(
      Impl::CheckDate("dispensed_on", record.dispensed_on, true));
  if (record.id.empty()) record.id = impl.NewId("rx-");
  return store_.Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).InsertMedication(record); });
}

Status InsuranceService::AddCheckup(const Actor& actor, CheckupRecord record) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.checkup.add"));
  OPENMYNA_RETURN_IF_ERROR(
      Impl::CheckDate("examined_on", record.examined_on, true));
  if (record.id.empty()) record.id = impl.NewId("hc-");
  return store_.Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).InsertCheckup(record); });
}

Status InsuranceService::AddExpense(const Actor& actor,
                                    MedicalExpense expense) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kSystem}, "insurance.expense.add"));
  if (!domain::ParseDate(expense.month + "-01")) {
    return Fail(RegistryErrc::kInvalidInput, "month must be YYYY-MM");
  }
  if (expense.id.empty()) expense.id = impl.NewId("mx-");
  return store_.Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).InsertExpense(expense); });
}

Result<std::vector<MedicationRecord>> InsuranceService::MedicationOf(
    const Actor& actor, std::string_view resident_id) {
  return Impl{*this}.OwnRecords<MedicationRecord>(
      actor, resident_id, "insurance.medication.read",
      [](InsuranceTx& ins, std::string_view id) {
        return ins.ListMedication(id);
      });
}

Result<std::vector<CheckupRecord>> InsuranceService::CheckupsOf(
    const Actor& actor, std::string_view resident_id) {
  return Impl{*this}.OwnRecords<CheckupRecord>(
      actor, resident_id, "insurance.checkup.read",
      [](InsuranceTx& ins, std::string_view id) {
        return ins.ListCheckups(id);
      });
}

Result<std::vector<MedicalExpense>> InsuranceService::ExpensesOf(
    const Actor& actor, std::string_view resident_id) {
  return Impl{*this}.OwnRecords<MedicalExpense>(
      actor, resident_id, "insurance.expense.read",
      [](InsuranceTx& ins, std::string_view id) {
        return ins.ListExpenses(id);
      });
}

Result<InsuranceRegistration> InsuranceService::RegisterCardAtReader(
    const Actor& actor, std::string_view serial) {
  if (actor.role != Role::kClinic) {
    return Impl::Refuse("only a clinic's reader registers a card this way");
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      CertificateHolder holder,
      LookUpCertificateHolder(store_, clock_, rng_, actor, serial));
  return RegisterCard(actor, holder.resident.id, RegistrationChannel::kReader,
                      holder.certificate.serial);
}

Result<InsuranceRegistration> InsuranceService::RegisterCard(
    const Actor& actor, std::string_view resident_id,
    RegistrationChannel channel, std::string_view serial) {
  Impl impl{*this};
  if (actor.role != Role::kClinic) {
    OPENMYNA_RETURN_IF_ERROR(
        Impl::OwnOrSystem(actor, resident_id, "insurance.register"));
  }
  if (actor.role == Role::kClinic && channel != RegistrationChannel::kReader) {
    return Impl::Refuse("a clinic registers cards only at its reader");
  }
  InsuranceRegistration out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    if (actor.role == Role::kClinic) {
      OPENMYNA_RETURN_IF_ERROR(Impl::Institution(tx, actor));
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(resident_id));
    if (!resident) {
      return Fail(RegistryErrc::kNotFound,
                  "no resident " + std::string(resident_id));
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident_id));
    const Card* active = nullptr;
    for (const Card& c : cards) {
      if (c.state == CardState::kActive) active = &c;
    }
    if (!active) return Impl::Refuse("the resident holds no active card");
    if (active->kind == CardKind::kFaceAuth &&
        channel == RegistrationChannel::kPortal) {
      return Impl::Refuse(
          "a face-authentication card registers only at a clinic's reader");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(active->id));
    const Certificate* auth = nullptr;
    for (const Certificate& c : certs) {
      if (c.type == CertificateType::kAuthentication && !c.revoked) auth = &c;
    }
    if (!auth) {
      return Impl::Refuse(
          "the card holds no good authentication certificate "
          "(利用者証明用電子証明書)");
    }
    if (!serial.empty() && serial != auth->serial) {
      return Impl::Refuse(
          "the certificate is not the card's current authentication "
          "certificate");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto existing, ins.GetRegistration(resident_id));
    if (existing && !existing->cancelled_at) {
      out = *existing;
    } else {
      out.resident_id = std::string(resident_id);
      out.linkage_code = impl.NewId("lk-");
      out.channel = channel;
      out.registered_at = clock_.Now();
      out.cancelled_at.reset();
      out.certificate_serials.clear();
    }
    if (std::find(out.certificate_serials.begin(),
                  out.certificate_serials.end(),
                  auth->serial) == out.certificate_serials.end()) {
      out.certificate_serials.push_back(auth->serial);
    }
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(out));
    return impl.Audit(tx, actor, resident_id, "insurance.register");
  }));
  return out;
}

Result<InsuranceRegistration> InsuranceService::CancelRegistration(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::OwnOrSystem(actor, resident_id, "insurance.unregister"));
  InsuranceRegistration out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto existing, ins.GetRegistration(resident_id));
    if (!existing || existing->cancelled_at) {
      return Fail(RegistryErrc::kNotFound,
                  "the card is not registered as insurance card");
    }
    existing->cancelled_at = clock_.Now();
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(*existing));
    out = *existing;
    return impl.Audit(tx, actor, resident_id, "insurance.unregister");
  }));
  return out;
}

Result<Consent> InsuranceService::RecordConsent(
    const Actor& actor, std::string_view serial,
    const std::vector<std::string>& items, std::string_view method) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::RequireRole(actor, {Role::kClinic}, "insurance.consent"));
  if (method != "face" && method != "pin" && method != "visual") {
    return Fail(RegistryErrc::kInvalidInput,
                "method must be face, pin or visual");
  }
  Consent consent;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(MedicalInstitution inst,
                              Impl::Institution(tx, actor));
    for (const std::string& item : items) {
      if (std::find(inst.consent_items.begin(), inst.consent_items.end(),
                    item) == inst.consent_items.end()) {
        return Impl::Refuse("the facility has not enabled consent item " +
                            item);
      }
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate(serial));
    if (!cert || cert->revoked) {
      return Impl::Refuse("not a good authentication certificate");
    }
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto reg, ins.GetRegistration(cert->resident_id));
    if (!reg || reg->cancelled_at) {
      return Impl::Refuse("the card is not registered as insurance card");
    }
    consent.id = impl.NewId("cs-");
    consent.resident_id = cert->resident_id;
    consent.institution_code = inst.code;
    consent.items = items;
    consent.method = std::string(method);
    consent.given_at = clock_.Now();
    consent.valid_until = consent.given_at + std::chrono::hours(24);
    OPENMYNA_RETURN_IF_ERROR(ins.InsertConsent(consent));
    Actor named = actor;
    named.why = "閲覧同意 " + inst.name;
    return impl.Audit(tx, named, consent.resident_id, "insurance.consent");
  }));
  return consent;
}

Result<InsuranceService::MedicalInformation>
InsuranceService::MedicalInformationFor(const Actor& actor,
                                        const CardDataQuery& card) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::RequireRole(actor, {Role::kClinic},
                                             "insurance.medical_information"));
  MedicalInformation out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(MedicalInstitution inst,
                              Impl::Institution(tx, actor));
    InsuranceTx ins(tx);
    auto insurer = domain::InsurerNumber::Parse(card.insurer_number);
    if (!insurer) {
      return Fail(RegistryErrc::kInvalidInput,
                  "InsurerNumber: " + insurer.error().message());
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        auto found, ins.FindMembershipsByCard(insurer->digits(), card.number));
    std::string resident_id;
    for (const Membership& m : found) {
      if ((card.branch.empty() || m.branch == card.branch) &&
          m.date_of_birth == card.date_of_birth && !m.resident_id.empty() &&
          (m.link_state == LinkState::kVerified ||
           m.link_state == LinkState::kOverridden)) {
        resident_id = m.resident_id;
      }
    }
    if (resident_id.empty()) {
      return Fail(RegistryErrc::kNotFound,
                  "the card data fits no linked membership");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto consent,
                              ins.LatestConsent(resident_id, inst.code));
    if (!consent || consent->valid_until < clock_.Now()) {
      return Impl::Refuse(
          "no valid consent of the patient at this facility (24 hours)");
    }
    out.consent = *consent;
    auto has = [&](const char* item) {
      return std::find(consent->items.begin(), consent->items.end(), item) !=
             consent->items.end();
    };
    if (has("drug")) {
      OPENMYNA_ASSIGN_OR_RETURN(out.medication,
                                ins.ListMedication(resident_id));
    }
    if (has("checkup")) {
      OPENMYNA_ASSIGN_OR_RETURN(out.checkups, ins.ListCheckups(resident_id));
    }
    Actor named = actor;
    named.why = "医療情報閲覧 " + inst.name;
    return impl.Audit(tx, named, resident_id, "insurance.medical_information");
  }));
  return out;
}

Result<EligibilityAnswer> InsuranceService::CheckByCardData(
    const Actor& actor, const CardDataQuery& query) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::RequireRole(
      actor, {Role::kClinic, Role::kSystem}, "insurance.eligibility"));
  auto insurer = domain::InsurerNumber::Parse(query.insurer_number);
  if (!insurer) {
    return Fail(RegistryErrc::kInvalidInput,
                "InsurerNumber: " + insurer.error().message());
  }
  if (query.number.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "InsuredIdentificationNumber is required");
  }
  OPENMYNA_RETURN_IF_ERROR(
      Impl::CheckDate("Birthdate", query.date_of_birth, true));
  EligibilityAnswer first;
  first.reference_classification = 2;
  first.confirmation_date = impl.TodayText();
  EligibilityAnswer answer;
  // Reads and audit entries only: beside the writer, the entries joining
  // the next commit group (store.h); one statement unless a lapsed
  // membership's other memberships are needed.
  OPENMYNA_REGISTRY_TRANSACT(impl.ReadOneOrSnapshot([&](RegistryTx& tx,
                                                        bool* again) -> Status {
    answer = first;
    InsuranceTx ins(tx);
    // The institution, the memberships and their insurer in one statement.
    OPENMYNA_ASSIGN_OR_RETURN(
        auto rows,
        ins.FindCardDataRows(actor.id, insurer->digits(), query.number));
    MedicalInstitution inst{actor.id, "system"};
    if (actor.role == Role::kClinic) {
      if (!rows.institution) {
        return Fail(RegistryErrc::kRefused,
                    "unknown medical institution " + actor.id);
      }
      inst = std::move(*rows.institution);
    }
    std::vector<Membership>& found = rows.memberships;
    const std::string symbol = domain::WithoutSpaces(query.symbol);
    std::erase_if(found, [&](const Membership& m) {
      return (!symbol.empty() && domain::WithoutSpaces(m.symbol) != symbol) ||
             (!query.branch.empty() && m.branch != query.branch) ||
             m.date_of_birth != query.date_of_birth || !Impl::Served(m);
    });
    const std::string today = answer.confirmation_date;
    if (found.empty()) {
      answer.validity = Validity::kNoQualification;
    } else if (found.size() > 1) {
      // Several records fit; one valid today among lapsed ones of the same
      // person (a re-acquisition) is still unambiguous.
      std::vector<Membership> valid;
      for (const Membership& m : found) {
        if (Impl::ValidOn(m, today)) valid.push_back(m);
      }
      if (valid.size() == 1) {
        answer.validity = Validity::kValid;
        answer.memberships = valid;
      } else {
        answer.validity = Validity::kMultiple;
        answer.memberships = found;
      }
    } else {
      const Membership& m = found.front();
      answer.memberships = {m};
      if (Impl::ValidOn(m, today)) {
        answer.validity = Validity::kValid;
      } else {
        answer.validity = Validity::kInvalid;
        if (!m.resident_id.empty()) {
          if (again) {
            *again = true;
            return Ok();
          }
          OPENMYNA_ASSIGN_OR_RETURN(
              auto all, ins.ListMembershipsOfResident(m.resident_id));
          for (const Membership& other : all) {
            if (other.id != m.id && Impl::Served(other) &&
                Impl::ValidOn(other, today)) {
              answer.validity = Validity::kInvalidNewerExists;
            }
          }
        }
      }
    }
    Impl::AddInsurers(rows.insurers, answer);
    for (const Membership& m : answer.memberships) {
      OPENMYNA_RETURN_IF_ERROR(impl.AuditCheck(tx, actor, inst, m.resident_id));
    }
    return Ok();
  }));
  return answer;
}

Result<EligibilityAnswer> InsuranceService::CheckByCertificate(
    const Actor& actor, std::string_view serial) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::RequireRole(
      actor, {Role::kClinic, Role::kSystem}, "insurance.eligibility"));
  EligibilityAnswer first;
  first.reference_classification = 1;
  first.confirmation_date = impl.TodayText();
  EligibilityAnswer answer;
  const TimePoint now = clock_.Now();
  std::string resident_id;  // set when the serial joins the registration
  const Result<std::string> canonical = CanonicalSerial(serial);
  // One statement unless the certificate is no longer good (its successor)
  // or is not the one the registration lists (a registered predecessor).
  OPENMYNA_REGISTRY_TRANSACT(impl.ReadOneOrSnapshot([&](RegistryTx& tx,
                                                        bool* again) -> Status {
    answer = first;
    resident_id.clear();
    InsuranceTx ins(tx);
    // What the check reads, in one statement: the institution, the
    // certificate (the holder look-up of certificate_holder.h: its card and
    // resident must exist), the registration, the memberships, their
    // insurers, the consent at this institution.
    OPENMYNA_ASSIGN_OR_RETURN(
        auto rows, ins.FindCardCheckRows(actor.id, canonical.value_or("")));
    MedicalInstitution inst{actor.id, "system"};
    if (actor.role == Role::kClinic) {
      if (!rows.institution) {
        return Fail(RegistryErrc::kRefused,
                    "unknown medical institution " + actor.id);
      }
      inst = std::move(*rows.institution);
    }
    if (!canonical) return Unexpected(canonical.error());
    if (!rows.certificate ||
        rows.certificate->type != CertificateType::kAuthentication) {
      answer.validity = Validity::kNoQualification;
      answer.message = "not an authentication certificate of this registry";
      return Ok();
    }
    const Certificate& cert = *rows.certificate;
    if (!rows.card_exists || !rows.resident_exists) {
      return Fail(
          RegistryErrc::kStorage,
          "certificate " + *canonical + " names a missing card or resident");
    }
    const std::optional<InsuranceRegistration>& reg = rows.registration;
    const bool listed_as_is =
        reg && std::find(reg->certificate_serials.begin(),
                         reg->certificate_serials.end(),
                         cert.serial) != reg->certificate_serials.end();
    if (again && (StandingAt(cert, now) != CertificateStanding::kGood ||
                  (reg && !reg->cancelled_at && !listed_as_is))) {
      *again = true;  // FindSuccessor or RegisteredOrSuccessor reads more
      return Ok();
    }
    // A certificate no longer good: its successor, if any (renewal,
    // reissue).
    OPENMYNA_ASSIGN_OR_RETURN(auto successor, FindSuccessor(tx, cert, now));
    OPENMYNA_RETURN_IF_ERROR(Impl::Answerable(cert, successor, now));
    const std::string& who = cert.resident_id;
    if (!reg || reg->cancelled_at) {
      answer.validity = Validity::kNoQualification;
      answer.message =
          "the card is not registered as insurance card (保険証利用登録なし)";
      return impl.AuditCheck(tx, actor, inst, who);
    }
    OPENMYNA_ASSIGN_OR_RETURN(bool listed,
                              Impl::RegisteredOrSuccessor(tx, *reg, cert));
    if (!listed) {
      answer.validity = Validity::kNoQualification;
      answer.message =
          "the certificate is older than the registered card's (保険証利用登録"
          "は新しいカードにあります)";
      return impl.AuditCheck(tx, actor, inst, who);
    }
    answer.linkage_code = reg->linkage_code;
    if (!listed_as_is) resident_id = who;  // recorded below, after the read
    std::vector<Membership>& all = rows.memberships;
    std::erase_if(all, [](const Membership& m) {
      return m.link_state != LinkState::kVerified &&
             m.link_state != LinkState::kOverridden;
    });
    const std::string today = answer.confirmation_date;
    for (const Membership& m : all) {
      if (Impl::ValidOn(m, today)) answer.memberships.push_back(m);
    }
    if (!answer.memberships.empty()) {
      answer.validity = Validity::kValid;
    } else if (!all.empty()) {
      answer.validity = Validity::kInvalid;
      answer.memberships = {all.back()};  // the latest, lapsed
    } else {
      answer.validity = Validity::kNoQualification;
    }
    Impl::AddInsurers(rows.insurers, answer);
    if (actor.role == Role::kClinic) answer.consent = std::move(rows.consent);
    return impl.AuditCheck(tx, actor, inst, who);
  }));
  if (!resident_id.empty()) {
    // A successor certificate (renewal, reissue) on first use: the
    // registration lists it from now on.
    const std::string& key = *canonical;  // the snapshot read it
    OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
      InsuranceTx ins(tx);
      OPENMYNA_ASSIGN_OR_RETURN(auto reg, ins.GetRegistration(resident_id));
      if (!reg || reg->cancelled_at ||
          std::find(reg->certificate_serials.begin(),
                    reg->certificate_serials.end(),
                    key) != reg->certificate_serials.end()) {
        return Ok();
      }
      reg->certificate_serials.push_back(key);
      return ins.PutRegistration(*reg);
    }));
  }
  return answer;
}

}  // namespace openmyna::registry
