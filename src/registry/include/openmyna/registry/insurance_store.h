// Storage of the insurance records (insurance.h) inside a registry
// transaction: wrap the RegistryTx that RegistryStore::Transact hands out,
//   store.Transact([&](RegistryTx& tx) { InsuranceTx ins(tx); ... });
// so insurance reads and writes commit or roll back with the rest. Same
// contract as RegistryTx: Put* insert or replace by key, Insert* fail with
// kConflict when the key exists, Get* return std::nullopt when absent.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/registry/insurance.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

class InsuranceTx {
 public:
  explicit InsuranceTx(RegistryTx& tx) : db_(tx.connection()) {}

  Status PutInsurer(const Insurer& i);
  Result<std::optional<Insurer>> GetInsurer(std::string_view number);
  Result<std::vector<Insurer>> ListInsurers();  // by number

  // kNotFound when the insurer is unknown (foreign key), kConflict on id.
  Status InsertMembership(const Membership& m);
  // Replaces by id; kNotFound when absent.
  Status UpdateMembership(const Membership& m);
  Result<std::optional<Membership>> GetMembership(std::string_view id);
  // The same, kNotFound "no membership ID" when absent.
  Result<Membership> RequireMembership(std::string_view id);
  // Insurance-card data: 保険者番号 + 番号, ordered by id (callers filter
  // 記号/枝番 and birth date).
  Result<std::vector<Membership>> FindMembershipsByCard(
      std::string_view insurer_number, std::string_view number);
  // The rows an eligibility check by insurance-card data reads, in one
  // statement (one round trip on PostgreSQL instead of three): the
  // institution `institution_code` (std::nullopt when unknown), the
  // memberships of FindMembershipsByCard and the insurers they name (by
  // number; an unknown one is absent).
  struct CardDataRows {
    std::optional<MedicalInstitution> institution;
    std::vector<Membership> memberships;  // by id
    std::vector<Insurer> insurers;        // each once, by first use
  };
  Result<CardDataRows> FindCardDataRows(std::string_view institution_code,
                                        std::string_view insurer_number,
                                        std::string_view number);
  // The rows an eligibility check by card reads, in one statement instead
  // of eight: the institution `institution_code`, the certificate with the
  // (canonical) `serial`, whether its card and resident exist, and for that
  // resident the 保険証利用登録, the memberships (as
  // ListMembershipsOfResident), the insurers they name and the latest
  // consent at the institution (as LatestConsent). Without a certificate
  // only the institution is set.
  struct CardCheckRows {
    std::optional<MedicalInstitution> institution;
    std::optional<Certificate> certificate;
    bool card_exists = false;
    bool resident_exists = false;
    std::optional<InsuranceRegistration> registration;
    std::vector<Membership> memberships;  // by acquired_on, id
    std::vector<Insurer> insurers;        // each once
    std::optional<Consent> consent;
  };
  Result<CardCheckRows> FindCardCheckRows(std::string_view institution_code,
                                          std::string_view serial);
  Result<std::vector<Membership>> ListMembershipsOfResident(
      std::string_view resident_id);  // by acquired_on, id
  Result<std::vector<Membership>> ListMembershipsOfInsurer(
      std::string_view insurer_number);  // by id
  // Linked memberships (any state but kUnlinked), page after `after_id`.
  Result<std::vector<Membership>> ListLinkedMemberships(
      std::string_view after_id, int limit);
  // Every membership, page after `after_id` (by id).
  Result<std::vector<Membership>> ListMemberships(std::string_view after_id,
                                                  int limit);
  Result<std::int64_t> CountMemberships();

  // A document as issued: `d.seq` is assigned (the membership's next) and
  // written back; kNotFound when the membership is unknown, kConflict on
  // the number.
  Status InsertIssuedQualificationDocument(IssuedQualificationDocument& d);
  // The membership's last document (highest seq), or std::nullopt.
  Result<std::optional<IssuedQualificationDocument>>
  LatestIssuedQualificationDocument(std::string_view membership_id);
  Result<std::vector<IssuedQualificationDocument>>
  ListIssuedQualificationDocuments(std::string_view membership_id);  // by seq
  Result<std::optional<IssuedQualificationDocument>>
  GetIssuedQualificationDocument(std::string_view number);
  // Replaces the record of `d.number` (its membership and seq unchanged);
  // kNotFound when no document has that number.
  Status UpdateIssuedQualificationDocument(
      const IssuedQualificationDocument& d);

  Status PutInstitution(const MedicalInstitution& i);
  Result<std::optional<MedicalInstitution>> GetInstitution(
      std::string_view code);
  Result<std::vector<MedicalInstitution>> ListInstitutions();  // by code

  Status InsertMedication(const MedicationRecord& r);
  // Dispensed from `from` to `to` inclusive ("" = open), by date then id.
  Result<std::vector<MedicationRecord>> ListMedication(
      std::string_view resident_id, std::string_view from = {},
      std::string_view to = {});
  Status InsertCheckup(const CheckupRecord& r);
  Result<std::vector<CheckupRecord>> ListCheckups(
      std::string_view resident_id);  // by examined_on, id
  Status InsertExpense(const MedicalExpense& e);
  Result<std::vector<MedicalExpense>> ListExpenses(
      std::string_view resident_id);  // by month, id

  Status PutRegistration(const InsuranceRegistration& r);
  Result<std::optional<InsuranceRegistration>> GetRegistration(
      std::string_view resident_id);
  Result<std::optional<InsuranceRegistration>> FindRegistrationByLinkageCode(
      std::string_view code);

  Status InsertConsent(const Consent& c);
  // The latest consent of `resident_id` at `institution_code` (by
  // valid_until), or std::nullopt.
  Result<std::optional<Consent>> LatestConsent(
      std::string_view resident_id, std::string_view institution_code);

  // Residents born on `date_of_birth` (the first filter of the five-item
  // search; a scan of the residents' documents, see docs/insurance.md).
  Result<std::vector<Resident>> FindResidentsBornOn(
      std::string_view date_of_birth);

 private:
  SqlConnection& db_;
};

}  // namespace openmyna::registry
