// CivilTx: the civil records (civil_model.h) inside one registry transaction
// (store.h). Construct it over the RegistryTx a Transact() callback gets:
//
//   store.Transact([&](RegistryTx& tx) -> Status {
//     CivilTx civil(tx);
//     ...
//   });
//
// Put* insert or replace by key; Get*/…Of return std::nullopt when absent.
// Guarantees held by the schema itself (migration 0030), kConflict
// otherwise: a resident is in at most one household and in at most one
// family register as a current member; at most one registered seal per
// resident.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/registry/civil_model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

class CivilTx {
 public:
  explicit CivilTx(RegistryTx& tx) : db_(tx.connection()) {}

  // Writes the household and replaces its membership rows.
  Status PutHousehold(const Household& h);
  Result<std::optional<Household>> GetHousehold(std::string_view id);
  Result<std::optional<Household>> HouseholdOf(std::string_view resident_id);
  Result<std::vector<Household>> ListHouseholds(
      std::string_view municipality_code);  // by id

  Status PutResidentCivil(const ResidentCivil& c);
  Result<std::optional<ResidentCivil>> GetResidentCivil(
      std::string_view resident_id);

  // Writes the register and replaces its index of current members (those
  // with a resident id and no left_on).
  Status PutFamilyRegister(const FamilyRegister& r);
  Result<std::optional<FamilyRegister>> GetFamilyRegister(std::string_view id);
  Result<std::optional<FamilyRegister>> FamilyRegisterOf(
      std::string_view resident_id);
  Result<std::vector<FamilyRegister>> ListFamilyRegisters(
      std::string_view municipality_code);  // by id

  Status PutSeal(const SealRegistration& s);
  Result<std::optional<SealRegistration>> GetSeal(std::string_view number);
  // The resident's registered (not deregistered) seal.
  Result<std::optional<SealRegistration>> RegisteredSealOf(
      std::string_view resident_id);
  Result<std::vector<SealRegistration>> ListSeals(
      std::string_view resident_id);  // by number
  Result<std::int64_t> CountSeals(std::string_view municipality_code);

 private:
  SqlConnection& db_;
};

}  // namespace openmyna::registry
