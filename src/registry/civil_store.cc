#include "openmyna/registry/civil_store.h"

#include <nlohmann/json.hpp>

#include "openmyna/registry/civil_model_json.h"
#include "openmyna/registry/errors.h"
#include "record_rows.h"

namespace openmyna::registry {
namespace {

using internal::All;
using internal::Doc;
using internal::Done;
using internal::One;

}  // namespace

Status CivilTx::PutHousehold(const Household& h) {
  OPENMYNA_RETURN_IF_ERROR(
      db_.Query("INSERT INTO households (id, municipality_code, doc) VALUES "
                "($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
                "municipality_code = excluded.municipality_code, "
                "doc = excluded.doc",
                {h.id, h.municipality_code, Doc(h)}));
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "DELETE FROM household_members WHERE household_id = $1", {h.id}));
  for (const HouseholdMember& m : h.members) {
    OPENMYNA_RETURN_IF_ERROR(
        db_.Query("INSERT INTO household_members (resident_id, household_id) "
                  "VALUES ($1, $2)",
                  {m.resident_id, h.id}));
  }
  return Ok();
}

Result<std::optional<Household>> CivilTx::GetHousehold(std::string_view id) {
  return One<Household>(
      db_.Query("SELECT doc FROM households WHERE id = $1", {std::string(id)}));
}

Result<std::optional<Household>> CivilTx::HouseholdOf(
    std::string_view resident_id) {
  return One<Household>(
      db_.Query("SELECT h.doc FROM households h JOIN household_members m ON "
                "m.household_id = h.id WHERE m.resident_id = $1",
                {std::string(resident_id)}));
}

Result<std::vector<Household>> CivilTx::ListHouseholds(
    std::string_view municipality_code) {
  return All<Household>(db_.Query(
      "SELECT doc FROM households WHERE municipality_code = $1 ORDER BY id",
      {std::string(municipality_code)}));
}

Status CivilTx::PutResidentCivil(const ResidentCivil& c) {
  return Done(
      db_.Query("INSERT INTO resident_civil (resident_id, doc) VALUES ($1, $2) "
                "ON CONFLICT (resident_id) DO UPDATE SET doc = excluded.doc",
                {c.resident_id, Doc(c)}));
}

Result<std::optional<ResidentCivil>> CivilTx::GetResidentCivil(
    std::string_view resident_id) {
  return One<ResidentCivil>(
      db_.Query("SELECT doc FROM resident_civil WHERE resident_id = $1",
                {std::string(resident_id)}));
}

Status CivilTx::PutFamilyRegister(const FamilyRegister& r) {
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "INSERT INTO family_registers (id, municipality_code, doc) VALUES "
      "($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
      "municipality_code = excluded.municipality_code, doc = excluded.doc",
      {r.id, r.municipality_code, Doc(r)}));
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "DELETE FROM family_register_members WHERE register_id = $1", {r.id}));
  for (const FamilyRegisterMember& m : r.members) {
    if (m.resident_id.empty() || !m.left_on.empty()) continue;
    OPENMYNA_RETURN_IF_ERROR(db_.Query(
        "INSERT INTO family_register_members (resident_id, register_id) "
        "VALUES ($1, $2)",
        {m.resident_id, r.id}));
  }
  return Ok();
}

Result<std::optional<FamilyRegister>> CivilTx::GetFamilyRegister(
    std::string_view id) {
  return One<FamilyRegister>(db_.Query(
      "SELECT doc FROM family_registers WHERE id = $1", {std::string(id)}));
}

Result<std::optional<FamilyRegister>> CivilTx::FamilyRegisterOf(
    std::string_view resident_id) {
  return One<FamilyRegister>(db_.Query(
      "SELECT r.doc FROM family_registers r JOIN family_register_members m "
      "ON m.register_id = r.id WHERE m.resident_id = $1",
      {std::string(resident_id)}));
}

Result<std::vector<FamilyRegister>> CivilTx::ListFamilyRegisters(
    std::string_view municipality_code) {
  return All<FamilyRegister>(
      db_.Query("SELECT doc FROM family_registers WHERE municipality_code = $1 "
                "ORDER BY id",
                {std::string(municipality_code)}));
}

Status CivilTx::PutSeal(const SealRegistration& s) {
  return Done(db_.Query(
      "INSERT INTO seals (number, resident_id, municipality_code, state, doc) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO UPDATE SET "
      "state = excluded.state, doc = excluded.doc",
      {s.number, s.resident_id, s.municipality_code,
       std::string(ToString(s.state)), Doc(s)}));
}

Result<std::optional<SealRegistration>> CivilTx::GetSeal(
    std::string_view number) {
  return One<SealRegistration>(db_.Query(
      "SELECT doc FROM seals WHERE number = $1", {std::string(number)}));
}

Result<std::optional<SealRegistration>> CivilTx::RegisteredSealOf(
    std::string_view resident_id) {
  return One<SealRegistration>(
      db_.Query("SELECT doc FROM seals WHERE resident_id = $1 AND "
                "state = 'registered'",
                {std::string(resident_id)}));
}

Result<std::vector<SealRegistration>> CivilTx::ListSeals(
    std::string_view resident_id) {
  return All<SealRegistration>(
      db_.Query("SELECT doc FROM seals WHERE resident_id = $1 ORDER BY number",
                {std::string(resident_id)}));
}

Result<std::int64_t> CivilTx::CountSeals(std::string_view municipality_code) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      db_.Query("SELECT COUNT(*) FROM seals WHERE municipality_code = $1",
                {std::string(municipality_code)}));
  return std::stoll(rows.at(0).at(0).value_or("0"));
}

}  // namespace openmyna::registry
