// JSON form of the civil records (civil_model.h): the `doc` column of their
// tables and the body of the clerk API. As model_json.h: snake_case names;
// the seal impression travels as base64 ("impression_png_base64").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "openmyna/registry/civil_model.h"
#include "openmyna/registry/json_enum.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::registry {

OPENMYNA_JSON_ENUM(SealState, "seal state",
                   {{SealState::kRegistered, "registered"},
                    {SealState::kDeregistered, "deregistered"}})

void to_json(nlohmann::json& j, const HouseholdMember& v);
void from_json(const nlohmann::json& j, HouseholdMember& v);
void to_json(nlohmann::json& j, const Household& v);
void from_json(const nlohmann::json& j, Household& v);
void to_json(nlohmann::json& j, const SupportMeasure& v);
void from_json(const nlohmann::json& j, SupportMeasure& v);
void to_json(nlohmann::json& j, const ResidentCivil& v);
void from_json(const nlohmann::json& j, ResidentCivil& v);
void to_json(nlohmann::json& j, const AttachedAddress& v);
void from_json(const nlohmann::json& j, AttachedAddress& v);
void to_json(nlohmann::json& j, const FamilyRegisterMember& v);
void from_json(const nlohmann::json& j, FamilyRegisterMember& v);
void to_json(nlohmann::json& j, const FamilyRegisterEvent& v);
void from_json(const nlohmann::json& j, FamilyRegisterEvent& v);
void to_json(nlohmann::json& j, const FamilyRegister& v);
void from_json(const nlohmann::json& j, FamilyRegister& v);
void to_json(nlohmann::json& j, const SealRegistration& v);
void from_json(const nlohmann::json& j, SealRegistration& v);

}  // namespace openmyna::registry
