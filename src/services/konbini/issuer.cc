#include "openmyna/services/konbini/issuer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cpu_gate.h"
#include "holder.h"
#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/domain/civil.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/konbini_registration.h"
#include "openmyna/registry/labels_ja.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/issue_audit.h"
#include "openmyna/services/konbini/pdf.h"

namespace openmyna::konbini {
namespace {

using domain::KonbiniCertificate;
using nlohmann::json;
using registry::CivilTx;
using registry::RegistryTx;
using registry::Resident;

constexpr int kLinesPerPage = 24;
constexpr int kMaxCopies = 10;

auto Refuse(std::string_view text) {
  return Fail(KonbiniErrc::kRefused, std::string(text));
}

// Whether the centre has stopped waiting for the answer.
bool Abandoned(const IssueRequest& request) {
  return request.answer_by != std::chrono::steady_clock::time_point{} &&
         std::chrono::steady_clock::now() > request.answer_by;
}

std::string UtcText(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::hh_mm_ss hms{seconds - day};
  return fmt::format("{}T{:02}:{:02}:{:02}Z",
                     domain::FormatDate(std::chrono::year_month_day{day}),
                     hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

// Everything the document needs, read in ONE transaction.
struct Snapshot {
  Resident subject;
  registry::ResidentCivil items;
  std::optional<registry::Household> household;
  std::vector<std::pair<Resident, registry::ResidentCivil>> persons;
  std::optional<registry::SealRegistration> seal;
  std::optional<registry::FamilyRegister> family_register;
  std::string municipality_name;
  std::string head_name;  // 世帯主
};

std::vector<DocumentPage> Paginate(const std::vector<std::string>& lines) {
  std::vector<DocumentPage> pages;
  const int total = std::max<int>(
      1, (static_cast<int>(lines.size()) + kLinesPerPage - 1) / kLinesPerPage);
  for (int n = 0; n < total; ++n) {
    DocumentPage page{n + 1, total, {}};
    for (int i = n * kLinesPerPage;
         i < std::min<int>((n + 1) * kLinesPerPage, lines.size()); ++i) {
      page.lines.push_back(lines[static_cast<std::size_t>(i)]);
    }
    pages.push_back(std::move(page));
  }
  return pages;
}

// An entry of a resident's trail written by the issuer instance `actor`
// for the kiosk (konbini.issue, konbini.void: issue_audit.h).
registry::AuditEntry KioskAudit(Rng& rng, const std::string& resident_id,
                                const std::string& actor, std::string action,
                                std::string reason, TimePoint at) {
  registry::AuditEntry entry;
  entry.id = registry::NewAuditId(at, rng);
  entry.resident_id = resident_id;
  entry.actor_id = actor;
  entry.role = registry::Role::kKiosk;
  entry.action = std::move(action);
  entry.reason = std::move(reason);
  entry.at = at;
  return entry;
}

}  // namespace

Status IssuerPort::Void(const VoidRequest&) {
  return Fail(KonbiniErrc::kUnavailable, "this issuer keeps no ledger");
}

Status IssuerPort::Confirm(const PrintConfirmation&) {
  return Fail(KonbiniErrc::kUnavailable, "this issuer keeps no ledger");
}

Status MunicipalIssuer::AppendVoidAudits(RegistryTx& tx,
                                         const registry::KonbiniIssuance& row,
                                         TimePoint now) {
  // Beside the issuance on every trail that has it (the requester's and
  // the household members' the document carried, kept with the row):
  // やりとり履歴 must not keep only the fee of a document never printed.
  OPENMYNA_ASSIGN_OR_RETURN(
      auto residents, registry::KonbiniIssuanceResidents(tx, row.request_id));
  for (const std::string& id : residents) {
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(KioskAudit(
        rng_, id, instance_, "konbini.void",
        VoidAuditReason(row.request_id, row.issuer_request_id, row.void_reason),
        now)));
  }
  return Ok();
}

Status MunicipalIssuer::Void(const VoidRequest& request) {
  const TimePoint now = clock_.Now();
  Status done = store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto row, registry::FindKonbiniIssuance(tx, request.request_id));
    std::string issuer_request_id = request.issuer_request_id;
    if (issuer_request_id.empty()) {
      // The centre got no document: the row of its request id here, if the
      // issuer committed one (the request id is unique in the ledger).
      if (!row || row->municipality_code != code_) return Ok();
      if (row->voided_at) return Ok();
      issuer_request_id = row->issuer_request_id;
    }
    OPENMYNA_RETURN_IF_ERROR(registry::VoidKonbiniIssuance(
        tx, code_, request.request_id, issuer_request_id, request.reason, now));
    row->void_reason = request.reason;
    return AppendVoidAudits(tx, *row, now);
  });
  if (done || done.error().Is(registry::RegistryErrc::kConflict)) {
    return Ok();  // void (a retry through another instance finds it so)
  }
  if (done.error().Is(registry::RegistryErrc::kNotFound) ||
      done.error().Is(registry::RegistryErrc::kInvalidInput)) {
    return Fail(KonbiniErrc::kInvalidInput, done.error().message());
  }
  return Fail(KonbiniErrc::kInternal, done.error().message());
}

Status MunicipalIssuer::Confirm(const PrintConfirmation& printed) {
  const TimePoint now = clock_.Now();
  Status done = store_.Transact([&](RegistryTx& tx) -> Status {
    return registry::MarkKonbiniIssuancePrinted(tx, code_, printed.request_id,
                                                printed.issuer_request_id, now);
  });
  if (done) return Ok();
  if (done.error().Is(registry::RegistryErrc::kConflict)) {
    return Fail(KonbiniErrc::kRefused, "この書類は取り消されています (" +
                                           done.error().message() + ")");
  }
  if (done.error().Is(registry::RegistryErrc::kNotFound)) {
    return Fail(KonbiniErrc::kInvalidInput, done.error().message());
  }
  return Fail(KonbiniErrc::kInternal, done.error().message());
}

Result<int> MunicipalIssuer::Sweep() {
  const TimePoint now = clock_.Now();
  // Nearly every sweep finds nothing: a read tells, on a reader connection
  // (store.h ReadOneStatement: SQLite's WAL readers take no write lock,
  // sqlite.org/wal.html "Concurrency"). Only rows to void take the write
  // transaction (BEGIN IMMEDIATE), which then reads them again. Before,
  // every sweep took SQLite's write lock, so a process stopped (SIGSTOP,
  // a debugger, a frozen VM) within an idle sweep held it, and every other
  // process of the file failed "database is locked" after its busy timeout.
  bool any = false;
  Status looked = store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        any, registry::HasUnprintedKonbiniIssuances(tx, code_, now));
    return Ok();
  });
  if (!looked) return Fail(KonbiniErrc::kInternal, looked.error().message());
  if (!any) return 0;
  int voided = 0;
  Status done = store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto rows, registry::VoidUnprintedKonbiniIssuances(tx, code_, now));
    for (const auto& row : rows) {
      OPENMYNA_RETURN_IF_ERROR(AppendVoidAudits(tx, row, now));
    }
    voided = static_cast<int>(rows.size());
    return Ok();
  });
  if (!done) return Fail(KonbiniErrc::kInternal, done.error().message());
  return voided;
}

MunicipalIssuer::MunicipalIssuer(std::string municipality_code,
                                 std::string instance,
                                 registry::RegistryStore& store,
                                 const Clock& clock, Rng& rng,
                                 std::shared_ptr<const DocumentSigner> signer,
                                 IssuerPolicy policy)
    : code_(std::move(municipality_code)),
      instance_(std::move(instance)),
      store_(store),
      clock_(clock),
      rng_(rng),
      signer_(std::move(signer)),
      policy_(policy) {}

Result<SignedDocument> MunicipalIssuer::Issue(const IssueRequest& request) {
  if (Abandoned(request)) {
    return Fail(KonbiniErrc::kTimeout,
                "the centre no longer waits for this document: nothing was "
                "recorded");
  }
  if (request.request_id.empty() || request.subject.empty()) {
    return Fail(KonbiniErrc::kInvalidInput, "request id and subject required");
  }
  if (request.copies < 1 || request.copies > kMaxCopies) {
    return Fail(KonbiniErrc::kInvalidInput, "copies: 1 to 10");
  }
  const KonbiniCertificate kind = request.certificate;
  const bool family = domain::IsFamilyRegisterCertificate(kind);
  const TimePoint now = clock_.Now();
  const domain::Date today = domain::JapanDateOf(now);
  if (family) {
    if (auto closed =
            domain::KonbiniClosedReason(now, policy_.family_register_hours)) {
      return Refuse("戸籍証明書: " + *closed);
    }
  }
  const JuminhyoOptions& options = request.juminhyo;
  if (kind == KonbiniCertificate::kJuminhyo && options.individual_number &&
      !policy_.individual_number_allowed) {
    return Refuse(
        "この市区町村では個人番号入りの住民票はコンビニで取得できません "
        "(the municipality does not print the individual number)");
  }

  const TimePoint print_by = request.print_by == TimePoint{}
                                 ? now + policy_.print_window
                                 : request.print_by;
  Snapshot snap;
  const std::string issuer_request_id = "iss-" + ToHex(rng_.Bytes(16));
  OPENMYNA_RETURN_IF_ERROR(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto subject, tx.GetResident(request.subject));
    if (!subject)
      return Refuse("住民記録が見つかりません (no resident record)");
    snap.subject = *std::move(subject);
    OPENMYNA_ASSIGN_OR_RETURN(auto items,
                              civil.GetResidentCivil(snap.subject.id));
    if (items) snap.items = *std::move(items);
    OPENMYNA_RETURN_IF_ERROR(
        CheckPerson(snap.subject, snap.items, today, true));
    OPENMYNA_ASSIGN_OR_RETURN(auto municipality, tx.GetMunicipality(code_));
    snap.municipality_name = municipality ? municipality->name : code_;
    if (!family && snap.subject.municipality_code != code_) {
      return Refuse(
          "この市区町村に住民登録がありません (not a resident of this "
          "municipality)");
    }
    if (kind == KonbiniCertificate::kJuminhyo) {
      OPENMYNA_ASSIGN_OR_RETURN(snap.household,
                                civil.HouseholdOf(snap.subject.id));
      if (snap.household) {
        OPENMYNA_ASSIGN_OR_RETURN(auto head,
                                  tx.GetResident(snap.household->head_id));
        if (head) snap.head_name = head->name;
      }
      std::vector<std::string> wanted;
      if (options.whole_household && snap.household) {
        for (const auto& m : snap.household->members) {
          wanted.push_back(m.resident_id);
        }
      } else if (!options.members.empty()) {
        wanted = options.members;
        for (const std::string& id : wanted) {
          const bool in_household =
              id == snap.subject.id ||
              (snap.household &&
               std::any_of(snap.household->members.begin(),
                           snap.household->members.end(),
                           [&](const auto& m) { return m.resident_id == id; }));
          if (!in_household) {
            return Refuse(
                "同じ世帯の方の住民票のみ取得できます (only members of the "
                "requester's household)");
          }
        }
      } else {
        wanted = {snap.subject.id};
      }
      for (const std::string& id : wanted) {
        OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident(id));
        if (!r) return Refuse("住民記録が見つかりません (no resident record)");
        OPENMYNA_ASSIGN_OR_RETURN(auto their, civil.GetResidentCivil(id));
        registry::ResidentCivil person_items =
            their ? *their : registry::ResidentCivil{};
        OPENMYNA_RETURN_IF_ERROR(
            CheckPerson(*r, person_items, today, id == snap.subject.id));
        snap.persons.emplace_back(*std::move(r), std::move(person_items));
      }
    }
    if (kind == KonbiniCertificate::kInkan) {
      OPENMYNA_ASSIGN_OR_RETURN(snap.seal,
                                civil.RegisteredSealOf(snap.subject.id));
      if (!snap.seal) {
        return Refuse(
            "印鑑登録がない、または廃止されています (no registered seal, or "
            "the seal was deregistered)");
      }
    }
    if (family) {
      OPENMYNA_ASSIGN_OR_RETURN(snap.family_register,
                                civil.FamilyRegisterOf(snap.subject.id));
      if (!snap.family_register ||
          snap.family_register->municipality_code != code_) {
        return Refuse(
            "この市区町村に本籍がありません (the family register is not held "
            "by this municipality)");
      }
      if (snap.subject.municipality_code != code_) {
        // △: a resident of elsewhere, registered here (利用登録申請).
        OPENMYNA_ASSIGN_OR_RETURN(
            auto registration,
            registry::KonbiniRegistrationOf(tx, snap.subject.id, code_, today,
                                            policy_.registration_office_days));
        if (auto refusal = registry::KonbiniRegistrationRefusal(registration)) {
          return Refuse(*refusal);
        }
      }
      for (const auto& e : snap.family_register->events) {
        if (e.reflected_on.empty()) {
          return Refuse(
              "戸籍の届出が反映されていないため交付できません (a family "
              "register filing is not yet reflected)");
        }
      }
    }
    // The ledger row (with the residents the document carries) and their
    // audit trails (やりとり履歴), in the same transaction as the records
    // read.
    std::vector<std::string> concerned = {snap.subject.id};
    for (const auto& person : snap.persons) {
      if (person.first.id != snap.subject.id) {
        concerned.push_back(person.first.id);
      }
    }
    registry::KonbiniIssuance row{
        issuer_request_id,
        request.request_id,
        instance_,
        code_,
        snap.subject.id,
        std::string(domain::KonbiniCertificateName(kind)),
        request.copies,
        request.fee_yen,
        now,
        print_by};
    row.residents = concerned;
    OPENMYNA_RETURN_IF_ERROR(registry::RecordKonbiniIssuance(tx, row));
    for (const std::string& id : concerned) {
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(
          KioskAudit(rng_, id, instance_, "konbini.issue",
                     IssueAuditReason(domain::KonbiniCertificateName(kind),
                                      request.request_id, issuer_request_id,
                                      request.copies, request.fee_yen),
                     now)));
    }
    return Ok();
  }));
  // The row is committed: if anything below fails, no document leaves
  // this issuer, so its row must not stand with the fee (issue 11 item 6).
  struct VoidUnlessHandedOver {
    MunicipalIssuer& issuer;
    VoidRequest request;
    bool handed_over = false;
    ~VoidUnlessHandedOver() {
      if (handed_over) return;
      if (Status done = issuer.Void(request); !done) {
        log::Get("konbini")->error(
            "the ledger row of {} (never handed over) was not voided: {}",
            request.request_id, done.error().message());
      }
    }
  } guard{*this,
          {request.request_id, issuer_request_id,
           std::string(registry::kVoidDropped)}};

  // Render the fields and lines from the snapshot only.
  Document doc;
  doc.request_id = request.request_id;
  doc.issuer_request_id = issuer_request_id;
  doc.issuer_instance = instance_;
  doc.municipality_code = code_;
  doc.municipality_name = snap.municipality_name;
  doc.certificate = kind;
  doc.subject = snap.subject.id;
  doc.issued_at = UtcText(now);
  doc.copies = request.copies;
  std::vector<std::string> lines;
  json fields = json::object();
  const std::string today_text = domain::FormatDate(today);
  switch (kind) {
    case KonbiniCertificate::kJuminhyo: {
      lines.push_back("住民票の写し");
      lines.push_back("住所 " + snap.subject.address);
      if (options.head_and_relationship && snap.household) {
        fields["head"] = snap.head_name;
        lines.push_back("世帯主 " + snap.head_name);
      }
      fields["address"] = snap.subject.address;
      json persons = json::array();
      for (const auto& [r, items] : snap.persons) {
        json p = {{"name", r.name},
                  {"date_of_birth", r.date_of_birth},
                  {"sex", std::string(registry::SexKanji(r.sex))},
                  {"became_resident_on", items.became_resident_on},
                  {"address_set_on", items.address_set_on},
                  {"previous_address", items.previous_address}};
        lines.push_back("氏名 " + r.name);
        lines.push_back("生年月日 " + r.date_of_birth + "  性別 " +
                        std::string(registry::SexKanji(r.sex)));
        lines.push_back("住民となった年月日 " + items.became_resident_on);
        lines.push_back("住所を定めた年月日 " + items.address_set_on);
        if (!items.previous_address.empty()) {
          lines.push_back("前住所 " + items.previous_address);
        }
        if (options.head_and_relationship && snap.household) {
          for (const auto& m : snap.household->members) {
            if (m.resident_id == r.id) {
              p["relationship"] = m.relationship;
              lines.push_back("続柄 " + m.relationship);
            }
          }
        }
        if (options.honseki && !r.foreign) {
          p["honseki"] = items.honseki;
          p["hittosha"] = items.hittosha;
          lines.push_back("本籍 " + items.honseki + "  筆頭者 " +
                          items.hittosha);
        }
        if (options.individual_number) {
          p["individual_number"] = r.individual_number;
          lines.push_back("個人番号 " + r.individual_number);
        }
        persons.push_back(std::move(p));
        lines.push_back("");
      }
      fields["persons"] = persons;
      lines.push_back(
          snap.persons.size() > 1
              ? "この写しは、世帯全員（又は選択された世帯員）の"
                "住民票の原本と相違ないことを証明する。"
              : "この写しは、住民票の原本と相違ないことを証明する。");
      break;
    }
    case KonbiniCertificate::kInkan: {
      const auto& seal = *snap.seal;
      fields = {{"name", snap.subject.name},
                {"date_of_birth", snap.subject.date_of_birth},
                {"sex", std::string(registry::SexKanji(snap.subject.sex))},
                {"address", snap.subject.address},
                {"seal_number", seal.number},
                {"impression_sha256", seal.impression_sha256},
                {"width_mm", seal.width_mm},
                {"height_mm", seal.height_mm}};
      lines = {
          "印鑑登録証明書",
          "登録番号 " + seal.number,
          "氏名 " + snap.subject.name,
          "生年月日 " + snap.subject.date_of_birth + "  性別 " +
              std::string(registry::SexKanji(snap.subject.sex)),
          "住所 " + snap.subject.address,
          fmt::format("印影 {:.1f} mm x {:.1f} mm (SHA-256 {})", seal.width_mm,
                      seal.height_mm, seal.impression_sha256),
          "この写しは、登録されている印影と相違ないことを証明する。"};
      break;
    }
    case KonbiniCertificate::kKoseki:
    case KonbiniCertificate::kKosekiKojin:
    case KonbiniCertificate::kFuhyo: {
      const auto& reg = *snap.family_register;
      const bool fuhyo = kind == KonbiniCertificate::kFuhyo;
      const bool only_subject = kind == KonbiniCertificate::kKosekiKojin;
      lines.push_back(
          fuhyo ? "戸籍の附票の写し"
                : (only_subject ? "戸籍個人事項証明書" : "戸籍全部事項証明書"));
      lines.push_back("本籍 " + reg.honseki);
      lines.push_back("筆頭者 " + reg.head_name);
      fields["honseki"] = reg.honseki;
      fields["head_name"] = reg.head_name;
      json members = json::array();
      for (std::size_t i = 0; i < reg.members.size(); ++i) {
        const auto& m = reg.members[i];
        if (only_subject && m.resident_id != snap.subject.id) continue;
        json entry = {{"name", m.name},
                      {"date_of_birth", m.date_of_birth},
                      {"sex", std::string(registry::SexKanji(m.sex))}};
        lines.push_back("氏名 " + m.name +
                        (m.name_kana.empty() ? "" : " (" + m.name_kana + ")"));
        lines.push_back("生年月日 " + m.date_of_birth);
        if (fuhyo) {
          json addresses = json::array();
          for (const auto& a : m.addresses) {
            addresses.push_back({{"address", a.address}, {"set_on", a.set_on}});
            lines.push_back("住所 " + a.address + "  住所を定めた年月日 " +
                            a.set_on);
          }
          entry["addresses"] = addresses;
        } else {
          entry["father"] = m.father;
          entry["mother"] = m.mother;
          entry["relationship"] = m.relationship;
          entry["entered"] = m.entered_on + " " + m.entry_cause;
          if (!m.father.empty()) lines.push_back("父 " + m.father);
          if (!m.mother.empty()) lines.push_back("母 " + m.mother);
          if (!m.relationship.empty()) {
            lines.push_back("続柄 " + m.relationship);
          }
          lines.push_back("入籍 " + m.entered_on + " " + m.entry_cause);
          if (!m.left_on.empty()) {
            entry["left"] = m.left_on + " " + m.left_cause;
            lines.push_back("除籍 " + m.left_on + " " + m.left_cause);
          }
          json events = json::array();
          for (const auto& e : reg.events) {
            if (e.member != static_cast<int>(i)) continue;
            events.push_back({{"kind", e.kind}, {"on", e.on}});
            lines.push_back("【" + e.kind + "日】" + e.on + " " + e.detail);
          }
          entry["events"] = events;
        }
        members.push_back(std::move(entry));
        lines.push_back("");
      }
      fields["members"] = members;
      lines.push_back(fuhyo ? "この写しは、戸籍の附票の原本と相違ないことを"
                              "証明する。"
                            : "これは、戸籍に記録されている事項の全部（個人）"
                              "を証明した書面である。");
      break;
    }
  }
  lines.push_back(today_text + "  " + snap.municipality_name + "長 (SANDBOX)");
  lines.push_back(
      "SANDBOX — NOT AN OFFICIAL CERTIFICATE / 見本・公的証明書では"
      "ありません");
  doc.fields = std::move(fields);
  doc.pages = Paginate(lines);
  // The signatures and the drawing: CPU alone, on one thread per core, in
  // turn (cpu_gate.h).
  Result<SignedDocument> handed =
      CorePool::Cores().Run([&]() -> Result<SignedDocument> {
        // Its turn may come after the centre gave up: then the cores go to
        // the documents still awaited (the row is voided below).
        if (Abandoned(request)) {
          return Fail(KonbiniErrc::kTimeout,
                      "the centre no longer waits for this document: not "
                      "signed nor drawn");
        }
        SignedDocument out;
        OPENMYNA_ASSIGN_OR_RETURN(out.jws, signer_->Sign(doc));
        for (const DocumentPage& page : doc.pages) {
          OPENMYNA_ASSIGN_OR_RETURN(std::string code,
                                    signer_->SignPage(doc, page.number));
          out.page_codes.push_back(std::move(code));
        }
        if (snap.seal) out.seal_png = snap.seal->impression_png;
        out.document = std::move(doc);
        if (policy_.pdf_certificate) {
          OPENMYNA_ASSIGN_OR_RETURN(
              std::string pdf, RenderDocumentPdf({&out.document, out.page_codes,
                                                  out.jws, out.seal_png}));
          OPENMYNA_ASSIGN_OR_RETURN(
              out.pdf, SignPdf(std::move(pdf), signer_->key(),
                               policy_.pdf_certificate.get(), clock_));
        }
        return out;
      });
  if (handed) guard.handed_over = true;
  return handed;
}

}  // namespace openmyna::konbini
