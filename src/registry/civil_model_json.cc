#include "openmyna/registry/civil_model_json.h"

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"

namespace openmyna::registry {
namespace {

template <typename T>
T Get(const nlohmann::json& j, const char* key, T fallback = T{}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

}  // namespace

std::string_view ToString(SealState state) {
  return json_enum::NameOf(state, kJsonNamesOfSealState);
}

void to_json(nlohmann::json& j, const HouseholdMember& v) {
  j = {{"resident_id", v.resident_id}, {"relationship", v.relationship}};
}
void from_json(const nlohmann::json& j, HouseholdMember& v) {
  v.resident_id = Get<std::string>(j, "resident_id");
  v.relationship = Get<std::string>(j, "relationship");
}

void to_json(nlohmann::json& j, const Household& v) {
  j = {{"id", v.id},           {"municipality_code", v.municipality_code},
       {"address", v.address}, {"head_id", v.head_id},
       {"members", v.members}, {"formed_on", v.formed_on}};
}
void from_json(const nlohmann::json& j, Household& v) {
  v.id = Get<std::string>(j, "id");
  v.municipality_code = Get<std::string>(j, "municipality_code");
  v.address = Get<std::string>(j, "address");
  v.head_id = Get<std::string>(j, "head_id");
  v.members = Get<std::vector<HouseholdMember>>(j, "members");
  v.formed_on = Get<std::string>(j, "formed_on");
}

void to_json(nlohmann::json& j, const SupportMeasure& v) {
  j = {{"kind", v.kind}, {"since", v.since}, {"last_day", v.last_day}};
}
void from_json(const nlohmann::json& j, SupportMeasure& v) {
  v.kind = Get<std::string>(j, "kind");
  v.since = Get<std::string>(j, "since");
  v.last_day = Get<std::string>(j, "last_day");
}

void to_json(nlohmann::json& j, const ResidentCivil& v) {
  j = {{"resident_id", v.resident_id},
       {"honseki", v.honseki},
       {"hittosha", v.hittosha},
       {"family_register_id", v.family_register_id},
       {"became_resident_on", v.became_resident_on},
       {"address_set_on", v.address_set_on},
       {"address_notified_on", v.address_notified_on},
       {"previous_address", v.previous_address},
       {"move_out_planned_on", v.move_out_planned_on},
       {"move_out_address", v.move_out_address}};
  j["support_measure"] = v.support_measure ? nlohmann::json(*v.support_measure)
                                           : nlohmann::json(nullptr);
}
void from_json(const nlohmann::json& j, ResidentCivil& v) {
  v.resident_id = Get<std::string>(j, "resident_id");
  v.honseki = Get<std::string>(j, "honseki");
  v.hittosha = Get<std::string>(j, "hittosha");
  v.family_register_id = Get<std::string>(j, "family_register_id");
  v.became_resident_on = Get<std::string>(j, "became_resident_on");
  v.address_set_on = Get<std::string>(j, "address_set_on");
  v.address_notified_on = Get<std::string>(j, "address_notified_on");
  v.previous_address = Get<std::string>(j, "previous_address");
  v.move_out_planned_on = Get<std::string>(j, "move_out_planned_on");
  v.move_out_address = Get<std::string>(j, "move_out_address");
  v.support_measure.reset();
  if (auto it = j.find("support_measure"); it != j.end() && !it->is_null()) {
    v.support_measure = it->get<SupportMeasure>();
  }
}

void to_json(nlohmann::json& j, const AttachedAddress& v) {
  j = {{"address", v.address}, {"set_on", v.set_on}};
}
void from_json(const nlohmann::json& j, AttachedAddress& v) {
  v.address = Get<std::string>(j, "address");
  v.set_on = Get<std::string>(j, "set_on");
}

void to_json(nlohmann::json& j, const FamilyRegisterMember& v) {
  j = {{"resident_id", v.resident_id},
       {"name", v.name},
       {"name_kana", v.name_kana},
       {"date_of_birth", v.date_of_birth},
       {"sex", v.sex},
       {"father", v.father},
       {"mother", v.mother},
       {"relationship", v.relationship},
       {"spouse", v.spouse},
       {"entered_on", v.entered_on},
       {"entry_cause", v.entry_cause},
       {"left_on", v.left_on},
       {"left_cause", v.left_cause},
       {"addresses", v.addresses}};
}
void from_json(const nlohmann::json& j, FamilyRegisterMember& v) {
  v.resident_id = Get<std::string>(j, "resident_id");
  v.name = Get<std::string>(j, "name");
  v.name_kana = Get<std::string>(j, "name_kana");
  v.date_of_birth = Get<std::string>(j, "date_of_birth");
  v.sex = Get<Sex>(j, "sex", Sex::kUnknown);
  v.father = Get<std::string>(j, "father");
  v.mother = Get<std::string>(j, "mother");
  v.relationship = Get<std::string>(j, "relationship");
  v.spouse = Get<std::string>(j, "spouse");
  v.entered_on = Get<std::string>(j, "entered_on");
  v.entry_cause = Get<std::string>(j, "entry_cause");
  v.left_on = Get<std::string>(j, "left_on");
  v.left_cause = Get<std::string>(j, "left_cause");
  v.addresses = Get<std::vector<AttachedAddress>>(j, "addresses");
}

void to_json(nlohmann::json& j, const FamilyRegisterEvent& v) {
  j = {{"id", v.id},
       {"member", v.member},
       {"kind", v.kind},
       {"on", v.on},
       {"filed_on", v.filed_on},
       {"filed_with", v.filed_with},
       {"detail", v.detail},
       {"reflected_on", v.reflected_on}};
}
void from_json(const nlohmann::json& j, FamilyRegisterEvent& v) {
  v.id = Get<std::string>(j, "id");
  v.member = Get<int>(j, "member", 0);
  v.kind = Get<std::string>(j, "kind");
  v.on = Get<std::string>(j, "on");
  v.filed_on = Get<std::string>(j, "filed_on");
  v.filed_with = Get<std::string>(j, "filed_with");
  v.detail = Get<std::string>(j, "detail");
  v.reflected_on = Get<std::string>(j, "reflected_on");
}

void to_json(nlohmann::json& j, const FamilyRegister& v) {
  j = {{"id", v.id},
       {"municipality_code", v.municipality_code},
       {"honseki", v.honseki},
       {"head_name", v.head_name},
       {"created_on", v.created_on},
       {"created_cause", v.created_cause},
       {"members", v.members},
       {"events", v.events}};
}
void from_json(const nlohmann::json& j, FamilyRegister& v) {
  v.id = Get<std::string>(j, "id");
  v.municipality_code = Get<std::string>(j, "municipality_code");
  v.honseki = Get<std::string>(j, "honseki");
  v.head_name = Get<std::string>(j, "head_name");
  v.created_on = Get<std::string>(j, "created_on");
  v.created_cause = Get<std::string>(j, "created_cause");
  v.members = Get<std::vector<FamilyRegisterMember>>(j, "members");
  v.events = Get<std::vector<FamilyRegisterEvent>>(j, "events");
}

void to_json(nlohmann::json& j, const SealRegistration& v) {
  j = {{"number", v.number},
       {"resident_id", v.resident_id},
       {"municipality_code", v.municipality_code},
       {"impression_png_base64", Base64Encode(ToBytes(v.impression_png))},
       {"impression_sha256", v.impression_sha256},
       {"width_mm", v.width_mm},
       {"height_mm", v.height_mm},
       {"registered_on", v.registered_on},
       {"state", v.state},
       {"deregistered_on", v.deregistered_on},
       {"deregistration_reason", v.deregistration_reason}};
}
void from_json(const nlohmann::json& j, SealRegistration& v) {
  v.number = Get<std::string>(j, "number");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.municipality_code = Get<std::string>(j, "municipality_code");
  const auto png64 = Get<std::string>(j, "impression_png_base64");
  const auto png = Base64Decode(png64);
  if (!png && !png64.empty()) {
    throw nlohmann::json::other_error::create(
        501, "impression_png_base64: not base64", &j);
  }
  v.impression_png = png ? openmyna::ToString(*png) : std::string();
  v.impression_sha256 = Get<std::string>(j, "impression_sha256");
  v.width_mm = Get<double>(j, "width_mm", 0);
  v.height_mm = Get<double>(j, "height_mm", 0);
  v.registered_on = Get<std::string>(j, "registered_on");
  v.state = Get<SealState>(j, "state", SealState::kRegistered);
  v.deregistered_on = Get<std::string>(j, "deregistered_on");
  v.deregistration_reason = Get<std::string>(j, "deregistration_reason");
}

}  // namespace openmyna::registry
