#include "openmyna/registry/insurance_store.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "insurance_statements.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "record_rows.h"

namespace openmyna::registry {
namespace {

using internal::All;
using internal::Doc;
using internal::Done;
using internal::One;

std::string State(LinkState s) { return std::string(ToString(s)); }

SqlParam NullIfEmpty(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

// A resident's memberships in the order of ListMembershipsOfResident.
void SortByAcquisition(std::vector<Membership>& list) {
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.acquired_on, a.id) < std::tie(b.acquired_on, b.id);
  });
}

// Adds the insurer of `cell` unless one with its number is there already.
Status AddInsurerOnce(const SqlCell& cell, std::string_view number,
                      std::vector<Insurer>& insurers) {
  if (!cell ||
      std::any_of(insurers.begin(), insurers.end(),
                  [&](const Insurer& i) { return i.number == number; })) {
    return Ok();
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto insurer, internal::Parse<Insurer>(cell));
  insurers.push_back(std::move(insurer));
  return Ok();
}

// A row of insurance_statements.h's: its tag.
char Tag(const SqlRow& row) {
  const SqlCell& tag = row.at(0);
  return tag && !tag->empty() ? tag->front() : '?';
}

// A tagged row's document into `out`.
template <typename T>
Status ParseInto(const SqlRow& row, std::optional<T>& out) {
  OPENMYNA_ASSIGN_OR_RETURN(out, internal::Parse<T>(row.at(1)));
  return Ok();
}

// An 'm' row: the membership, and its insurer unless already there.
Status AddMembership(const SqlRow& row, std::vector<Membership>& memberships,
                     std::vector<Insurer>& insurers) {
  OPENMYNA_ASSIGN_OR_RETURN(auto m, internal::Parse<Membership>(row.at(1)));
  OPENMYNA_RETURN_IF_ERROR(
      AddInsurerOnce(row.at(2), m.insurer_number, insurers));
  memberships.push_back(std::move(m));
  return Ok();
}

// A row of kCardCheckRowsSql into `out`.
Status CardCheckRow(const SqlRow& row, InsuranceTx::CardCheckRows& out) {
  switch (Tag(row)) {
    case 'i':
      return ParseInto(row, out.institution);
    case 'c':
      return ParseInto(row, out.certificate);
    case 'd':
      out.card_exists = true;
      return Ok();
    case 'r':
      out.resident_exists = true;
      return Ok();
    case 'g':
      return ParseInto(row, out.registration);
    case 's':
      return ParseInto(row, out.consent);
    case 'm':
      return AddMembership(row, out.memberships, out.insurers);
    default:
      return Fail(RegistryErrc::kStorage, "unexpected eligibility row");
  }
}

// The insurers `memberships` name, each once (an unknown one is absent).
Result<std::vector<Insurer>> InsurersOf(
    InsuranceTx& ins, const std::vector<Membership>& memberships) {
  std::vector<Insurer> out;
  for (const Membership& m : memberships) {
    if (std::any_of(out.begin(), out.end(), [&](const Insurer& i) {
          return i.number == m.insurer_number;
        })) {
      continue;
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto insurer, ins.GetInsurer(m.insurer_number));
    if (insurer) out.push_back(*std::move(insurer));
  }
  return out;
}

}  // namespace

Status InsuranceTx::PutInsurer(const Insurer& i) {
  return Done(
      db_.Query("INSERT INTO insurers (number, doc) VALUES ($1, $2) "
                "ON CONFLICT (number) DO UPDATE SET doc = excluded.doc",
                {i.number, Doc(i)}));
}

Result<std::optional<Insurer>> InsuranceTx::GetInsurer(
    std::string_view number) {
  return One<Insurer>(db_.Query("SELECT doc FROM insurers WHERE number = $1",
                                {std::string(number)}));
}

Result<std::vector<Insurer>> InsuranceTx::ListInsurers() {
  return All<Insurer>(db_.Query("SELECT doc FROM insurers ORDER BY number"));
}

Status InsuranceTx::InsertMembership(const Membership& m) {
  OPENMYNA_ASSIGN_OR_RETURN(auto insurer, GetInsurer(m.insurer_number));
  if (!insurer) {
    return Fail(RegistryErrc::kNotFound, "no insurer " + m.insurer_number);
  }
  return Done(db_.Query(
      "INSERT INTO memberships (id, insurer_number, symbol, number, branch, "
      "resident_id, link_state, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {m.id, m.insurer_number, m.symbol, m.number, m.branch,
       NullIfEmpty(m.resident_id), State(m.link_state), Doc(m)}));
}

Status InsuranceTx::UpdateMembership(const Membership& m) {
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "UPDATE memberships SET insurer_number = $2, symbol = $3, number = $4, "
      "branch = $5, resident_id = $6, link_state = $7, doc = $8 WHERE id = $1",
      {m.id, m.insurer_number, m.symbol, m.number, m.branch,
       NullIfEmpty(m.resident_id), State(m.link_state), Doc(m)}));
  if (db_.ChangedRows() != 1) {
    return Fail(RegistryErrc::kNotFound, "no membership " + m.id);
  }
  return Ok();
}

Result<std::optional<Membership>> InsuranceTx::GetMembership(
    std::string_view id) {
  return One<Membership>(db_.Query("SELECT doc FROM memberships WHERE id = $1",
                                   {std::string(id)}));
}

Result<Membership> InsuranceTx::RequireMembership(std::string_view id) {
  OPENMYNA_ASSIGN_OR_RETURN(auto m, GetMembership(id));
  if (!m) {
    return Fail(RegistryErrc::kNotFound, "no membership " + std::string(id));
  }
  return *std::move(m);
}

Result<std::vector<Membership>> InsuranceTx::FindMembershipsByCard(
    std::string_view insurer_number, std::string_view number) {
  return All<Membership>(
      db_.Query("SELECT doc FROM memberships WHERE insurer_number = $1 AND "
                "number = $2 ORDER BY id",
                {std::string(insurer_number), std::string(number)}));
}

Result<InsuranceTx::CardDataRows> InsuranceTx::FindCardDataRows(
    std::string_view institution_code, std::string_view insurer_number,
    std::string_view number) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db_.Query(internal::kCardDataRowsSql,
                           {std::string(institution_code),
                            std::string(insurer_number), std::string(number)}));
  CardDataRows out;
  for (const SqlRow& row : rows) {
    OPENMYNA_RETURN_IF_ERROR(
        Tag(row) == 'i' ? ParseInto(row, out.institution)
                        : AddMembership(row, out.memberships, out.insurers));
  }
  if (out.memberships.size() > internal::kMembershipsInOne) {
    OPENMYNA_ASSIGN_OR_RETURN(out.memberships,
                              FindMembershipsByCard(insurer_number, number));
    OPENMYNA_ASSIGN_OR_RETURN(out.insurers, InsurersOf(*this, out.memberships));
  }
  std::sort(out.memberships.begin(), out.memberships.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

Result<InsuranceTx::CardCheckRows> InsuranceTx::FindCardCheckRows(
    std::string_view institution_code, std::string_view serial) {
  OPENMYNA_ASSIGN_OR_RETURN(auto rows, db_.Query(internal::kCardCheckRowsSql,
                                                 {std::string(institution_code),
                                                  std::string(serial)}));
  CardCheckRows out;
  for (const SqlRow& row : rows) {
    OPENMYNA_RETURN_IF_ERROR(CardCheckRow(row, out));
  }
  if (out.memberships.size() > internal::kMembershipsInOne && out.certificate) {
    OPENMYNA_ASSIGN_OR_RETURN(
        out.memberships,
        ListMembershipsOfResident(out.certificate->resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(out.insurers, InsurersOf(*this, out.memberships));
  }
  SortByAcquisition(out.memberships);
  return out;
}

Result<std::vector<Membership>> InsuranceTx::ListMembershipsOfResident(
    std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto list, All<Membership>(db_.Query(
                     "SELECT doc FROM memberships WHERE resident_id = $1",
                     {std::string(resident_id)})));
  SortByAcquisition(list);
  return list;
}

Result<std::vector<Membership>> InsuranceTx::ListMembershipsOfInsurer(
    std::string_view insurer_number) {
  return All<Membership>(db_.Query(
      "SELECT doc FROM memberships WHERE insurer_number = $1 ORDER BY id",
      {std::string(insurer_number)}));
}

Result<std::vector<Membership>> InsuranceTx::ListLinkedMemberships(
    std::string_view after_id, int limit) {
  return All<Membership>(db_.Query(
      "SELECT doc FROM memberships WHERE link_state <> 'unlinked' AND id > $1 "
      "ORDER BY id LIMIT $2",
      {std::string(after_id), std::int64_t{limit}}));
}

Result<std::vector<Membership>> InsuranceTx::ListMemberships(
    std::string_view after_id, int limit) {
  return All<Membership>(db_.Query(
      "SELECT doc FROM memberships WHERE id > $1 ORDER BY id LIMIT $2",
      {std::string(after_id), std::int64_t{limit}}));
}

Status InsuranceTx::InsertIssuedQualificationDocument(
    IssuedQualificationDocument& d) {
  OPENMYNA_ASSIGN_OR_RETURN(auto member, GetMembership(d.membership_id));
  if (!member) {
    return Fail(RegistryErrc::kNotFound, "no membership " + d.membership_id);
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db_.Query("SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                           "insurance_documents WHERE membership_id = $1",
                           {d.membership_id}));
  d.seq = std::stoll(rows.at(0).at(0).value_or("1"));
  return Done(
      db_.Query("INSERT INTO insurance_documents (number, membership_id, seq, "
                "issued_on, doc) VALUES ($1, $2, $3, $4, $5)",
                {d.number, d.membership_id, d.seq, d.issued_on, Doc(d)}));
}

Result<std::optional<IssuedQualificationDocument>>
InsuranceTx::LatestIssuedQualificationDocument(std::string_view membership_id) {
  return One<IssuedQualificationDocument>(
      db_.Query("SELECT doc FROM insurance_documents WHERE membership_id = $1 "
                "ORDER BY seq DESC LIMIT 1",
                {std::string(membership_id)}));
}

Result<std::vector<IssuedQualificationDocument>>
InsuranceTx::ListIssuedQualificationDocuments(std::string_view membership_id) {
  return All<IssuedQualificationDocument>(
      db_.Query("SELECT doc FROM insurance_documents WHERE membership_id = $1 "
                "ORDER BY seq",
                {std::string(membership_id)}));
}

Result<std::optional<IssuedQualificationDocument>>
InsuranceTx::GetIssuedQualificationDocument(std::string_view number) {
  return One<IssuedQualificationDocument>(
      db_.Query("SELECT doc FROM insurance_documents WHERE number = $1",
                {std::string(number)}));
}

Status InsuranceTx::UpdateIssuedQualificationDocument(
    const IssuedQualificationDocument& d) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db_.Query("UPDATE insurance_documents SET doc = $2 WHERE "
                           "number = $1 RETURNING number",
                           {d.number, Doc(d)}));
  if (rows.empty()) {
    return Fail(RegistryErrc::kNotFound, "no document " + d.number);
  }
  return Ok();
}

Result<std::int64_t> InsuranceTx::CountMemberships() {
  OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                            db_.Query("SELECT COUNT(*) FROM memberships"));
  return std::stoll(rows.at(0).at(0).value_or("0"));
}

Status InsuranceTx::PutInstitution(const MedicalInstitution& i) {
  return Done(
      db_.Query("INSERT INTO medical_institutions (code, doc) VALUES ($1, $2) "
                "ON CONFLICT (code) DO UPDATE SET doc = excluded.doc",
                {i.code, Doc(i)}));
}

Result<std::optional<MedicalInstitution>> InsuranceTx::GetInstitution(
    std::string_view code) {
  return One<MedicalInstitution>(
      db_.Query("SELECT doc FROM medical_institutions WHERE code = $1",
                {std::string(code)}));
}

Result<std::vector<MedicalInstitution>> InsuranceTx::ListInstitutions() {
  return All<MedicalInstitution>(
      db_.Query("SELECT doc FROM medical_institutions ORDER BY code"));
}

Status InsuranceTx::InsertMedication(const MedicationRecord& r) {
  return Done(db_.Query(
      "INSERT INTO medication_records (id, resident_id, dispensed_on, doc) "
      "VALUES ($1, $2, $3, $4)",
      {r.id, r.resident_id, r.dispensed_on, Doc(r)}));
}

Result<std::vector<MedicationRecord>> InsuranceTx::ListMedication(
    std::string_view resident_id, std::string_view from, std::string_view to) {
  return All<MedicationRecord>(db_.Query(
      "SELECT doc FROM medication_records WHERE resident_id = $1 AND "
      "dispensed_on >= $2 AND dispensed_on <= $3 ORDER BY dispensed_on, id",
      {std::string(resident_id), std::string(from),
       to.empty() ? std::string("9999-12-31") : std::string(to)}));
}

Status InsuranceTx::InsertCheckup(const CheckupRecord& r) {
  return Done(db_.Query(
      "INSERT INTO checkup_records (id, resident_id, examined_on, doc) "
      "VALUES ($1, $2, $3, $4)",
      {r.id, r.resident_id, r.examined_on, Doc(r)}));
}

Result<std::vector<CheckupRecord>> InsuranceTx::ListCheckups(
    std::string_view resident_id) {
  return All<CheckupRecord>(
      db_.Query("SELECT doc FROM checkup_records WHERE resident_id = $1 "
                "ORDER BY examined_on, id",
                {std::string(resident_id)}));
}

Status InsuranceTx::InsertExpense(const MedicalExpense& e) {
  return Done(
      db_.Query("INSERT INTO medical_expenses (id, resident_id, month, doc) "
                "VALUES ($1, $2, $3, $4)",
                {e.id, e.resident_id, e.month, Doc(e)}));
}

Result<std::vector<MedicalExpense>> InsuranceTx::ListExpenses(
    std::string_view resident_id) {
  return All<MedicalExpense>(
      db_.Query("SELECT doc FROM medical_expenses WHERE resident_id = $1 "
                "ORDER BY month, id",
                {std::string(resident_id)}));
}

Status InsuranceTx::PutRegistration(const InsuranceRegistration& r) {
  return Done(db_.Query(
      "INSERT INTO insurance_registrations (resident_id, linkage_code, doc) "
      "VALUES ($1, $2, $3) ON CONFLICT (resident_id) DO UPDATE SET "
      "linkage_code = excluded.linkage_code, doc = excluded.doc",
      {r.resident_id, r.linkage_code, Doc(r)}));
}

Result<std::optional<InsuranceRegistration>> InsuranceTx::GetRegistration(
    std::string_view resident_id) {
  return One<InsuranceRegistration>(db_.Query(
      "SELECT doc FROM insurance_registrations WHERE resident_id = $1",
      {std::string(resident_id)}));
}

Result<std::optional<InsuranceRegistration>>
InsuranceTx::FindRegistrationByLinkageCode(std::string_view code) {
  return One<InsuranceRegistration>(db_.Query(
      "SELECT doc FROM insurance_registrations WHERE linkage_code = $1",
      {std::string(code)}));
}

Status InsuranceTx::InsertConsent(const Consent& c) {
  return Done(db_.Query(
      "INSERT INTO insurance_consents (id, resident_id, institution_code, "
      "valid_until, doc) VALUES ($1, $2, $3, $4, $5)",
      {c.id, c.resident_id, c.institution_code,
       std::int64_t{std::chrono::duration_cast<std::chrono::seconds>(
                        c.valid_until.time_since_epoch())
                        .count()},
       Doc(c)}));
}

Result<std::optional<Consent>> InsuranceTx::LatestConsent(
    std::string_view resident_id, std::string_view institution_code) {
  return One<Consent>(db_.Query(
      "SELECT doc FROM insurance_consents WHERE resident_id = $1 AND "
      "institution_code = $2 ORDER BY valid_until DESC, id DESC LIMIT 1",
      {std::string(resident_id), std::string(institution_code)}));
}

Result<std::vector<Resident>> InsuranceTx::FindResidentsBornOn(
    std::string_view date_of_birth) {
  // The documents are nlohmann's compact dump (no spaces), the same form
  // the bulk loader renders; the exact comparison is done on the parsed
  // record below, the LIKE only narrows the scan.
  OPENMYNA_ASSIGN_OR_RETURN(
      auto all,
      All<Resident>(db_.Query(
          "SELECT doc FROM residents WHERE doc LIKE $1 ORDER BY id",
          {"%\"date_of_birth\":\"" + std::string(date_of_birth) + "\"%"})));
  std::erase_if(
      all, [&](const Resident& r) { return r.date_of_birth != date_of_birth; });
  return all;
}

}  // namespace openmyna::registry
