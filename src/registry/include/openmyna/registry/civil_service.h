// CivilService: the clerk operations on the civil records (issue 11,
// item 1; civil_model.h). As RegistryService (service.h), every operation
//  - checks the actor's role (permissions.h, actions "civil.*"),
//  - enforces the rule (kRefused with the rule in the message,
//    kInvalidInput for malformed input, kNotFound for unknown records),
//  - writes the records and one audit entry per resident concerned (who,
//    role, what, why, when) when the actor is not that resident,
// all in ONE transaction: a refusal writes nothing. Dates come from the
// injected Clock. Thread-safe (the store serialises transactions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/civil_model.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

class CivilService {
 public:
  // Borrowed references must outlive the service.
  CivilService(RegistryStore& store, const Clock& clock, Rng& rng);

  // --- households (世帯) ---------------------------------------------------
  // A new household headed by an active resident who is in none; in the
  // head's municipality, at `address` (the head's address when empty).
  Result<Household> FormHousehold(const Actor& actor, std::string_view head_id,
                                  std::string_view address = {});
  // An active resident of the same municipality, in no household, joins
  // with a 続柄 (not "世帯主": there is one head).
  Result<Household> AddHouseholdMember(const Actor& actor,
                                       std::string_view household_id,
                                       std::string_view resident_id,
                                       std::string_view relationship);
  // A member leaves (the head only when alone: the household ends).
  Result<Household> RemoveHouseholdMember(const Actor& actor,
                                          std::string_view household_id,
                                          std::string_view resident_id);
  Result<Household> GetHousehold(const Actor& actor, std::string_view id);
  // The household of a resident (kNotFound when in none).
  Result<Household> HouseholdOf(const Actor& actor,
                                std::string_view resident_id);

  // --- 住民票 items ---------------------------------------------------------
  // Sets 本籍・筆頭者 and the residence dates of `items.resident_id` (the
  // support measure and the family register link are kept). A foreign
  // resident has no 本籍. The Resident's registered_domicile follows.
  Result<ResidentCivil> SetResidentItems(const Actor& actor,
                                         const ResidentCivil& items);
  // The resident's items (empty items when none were set).
  Result<ResidentCivil> GetResidentItems(const Actor& actor,
                                         std::string_view resident_id);
  // 支援措置 granted today for one year (domain::SupportMeasureLastDay), or
  // extended by a year when already in force. kind: dv, stalking,
  // child_abuse, other.
  Result<ResidentCivil> GrantSupportMeasure(const Actor& actor,
                                            std::string_view resident_id,
                                            std::string_view kind);
  Result<ResidentCivil> EndSupportMeasure(const Actor& actor,
                                          std::string_view resident_id);

  // --- family registers (戸籍), at the domicile municipality ---------------
  // A new register (編製) with its members. The members who are residents of
  // this registry get 本籍・筆頭者 and the link in their 住民票 items; a
  // resident is a current member of one register only.
  Result<FamilyRegister> CreateFamilyRegister(const Actor& actor,
                                              FamilyRegister draft);
  // A person enters the register (birth, marriage, adoption, ...).
  Result<FamilyRegister> AddFamilyRegisterMember(const Actor& actor,
                                                 std::string_view register_id,
                                                 FamilyRegisterMember member);
  // A member leaves (除籍: marriage into another register, death, ...); the
  // entry stays, marked, and the resident's link is cleared.
  Result<FamilyRegister> RemoveFamilyRegisterMember(
      const Actor& actor, std::string_view register_id, int member,
      std::string_view cause, std::string_view on);
  // A 身分事項 filing received today (not yet reflected: certificates of the
  // register are refused until ReflectFamilyRegisterEvent).
  Result<FamilyRegister> FileFamilyRegisterEvent(const Actor& actor,
                                                 std::string_view register_id,
                                                 FamilyRegisterEvent event);
  Result<FamilyRegister> ReflectFamilyRegisterEvent(
      const Actor& actor, std::string_view register_id,
      std::string_view event_id);
  // A line of the 戸籍の附票 for a member: an address set on `set_on`.
  Result<FamilyRegister> AddAttachedAddress(const Actor& actor,
                                            std::string_view register_id,
                                            int member,
                                            std::string_view address,
                                            std::string_view set_on);
  Result<FamilyRegister> GetFamilyRegister(const Actor& actor,
                                           std::string_view id);
  Result<FamilyRegister> FamilyRegisterOf(const Actor& actor,
                                          std::string_view resident_id);

  // --- seal registration (印鑑登録) ----------------------------------------
  // Registers the impression (PNG bytes, true size in mm) of an active
  // resident of 15 or over who is not an adult ward and has no registered
  // seal; a seal registered by another member of the household is refused
  // (same image). The number is "<municipality>-<6 digits>".
  Result<SealRegistration> RegisterSeal(const Actor& actor,
                                        std::string_view resident_id,
                                        std::string impression_png,
                                        double width_mm, double height_mm);
  // 廃止 (or loss, ...): the seal stays on file as deregistered today.
  Result<SealRegistration> DeregisterSeal(const Actor& actor,
                                          std::string_view number,
                                          std::string_view reason);
  Result<SealRegistration> GetSeal(const Actor& actor, std::string_view number);
  // Every registration of a resident (registered and deregistered).
  Result<std::vector<SealRegistration>> SealsOf(const Actor& actor,
                                                std::string_view resident_id);

 private:
  struct Impl;
  RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
};

}  // namespace openmyna::registry
