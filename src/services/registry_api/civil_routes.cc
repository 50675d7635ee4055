#include "civil_routes.h"

#include <charconv>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/registry/civil_model_json.h"
#include "openmyna/registry/errors.h"

namespace openmyna::services::internal {
namespace {

using nlohmann::json;
using registry::Actor;
using registry::RegistryErrc;

// A string field of the body (required unless `optional`).
Result<std::string> Field(const json& body, const char* name,
                          bool optional = false) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (optional) return std::string();
    return Fail(RegistryErrc::kInvalidInput, std::string(name) + ": required");
  }
  if (!it->is_string()) {
    return Fail(RegistryErrc::kInvalidInput,
                std::string(name) + ": must be a string");
  }
  return it->get<std::string>();
}

Result<double> Millimetres(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_number()) {
    return Fail(RegistryErrc::kInvalidInput,
                std::string(name) + ": a number of millimetres is required");
  }
  return it->get<double>();
}

Result<int> Index(const RouteParams& p, const char* name) {
  const std::string& text = p.at(name);
  int value = -1;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Fail(RegistryErrc::kInvalidInput,
                std::string(name) + ": a member index (0, 1, ...)");
  }
  return value;
}

template <typename T>
Result<json> Out(Result<T> result) {
  if (!result) return Unexpected(std::move(result).error());
  return json(*result);
}

}  // namespace

std::vector<CivilRoute> CivilRoutes(registry::CivilService* c) {
  std::vector<CivilRoute> routes;
  auto Add = [&routes](std::string method, std::string pattern,
                       std::string action, std::string summary,
                       RouteHandler handler) {
    routes.push_back({{std::move(method), std::move(pattern), std::move(action),
                       std::move(summary)},
                      std::move(handler)});
  };
  // --- households
  Add("POST", "/v1/households", "civil.household.write",
      "Form a household (世帯) headed by a resident",
      [c](const Actor& a, const RouteParams&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto head, Field(b, "head_id"));
        OPENMYNA_ASSIGN_OR_RETURN(auto address, Field(b, "address", true));
        return Out(c->FormHousehold(a, head, address));
      });
  Add("GET", "/v1/households/{id}", "civil.household.read",
      "A household with its members and their 続柄",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->GetHousehold(a, p.at("id")));
      });
  Add("POST", "/v1/households/{id}/members", "civil.household.write",
      "A resident joins a household with a 続柄",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto resident, Field(b, "resident_id"));
        OPENMYNA_ASSIGN_OR_RETURN(auto relationship, Field(b, "relationship"));
        return Out(
            c->AddHouseholdMember(a, p.at("id"), resident, relationship));
      });
  Add("POST", "/v1/households/{id}/members/remove", "civil.household.write",
      "A member leaves a household (the head last)",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto resident, Field(b, "resident_id"));
        return Out(c->RemoveHouseholdMember(a, p.at("id"), resident));
      });
  Add("GET", "/v1/residents/{id}/household", "civil.household.read",
      "The household of a resident",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->HouseholdOf(a, p.at("id")));
      });
  // --- 住民票 items and the support measure
  Add("GET", "/v1/residents/{id}/civil", "civil.resident.read",
      "A resident's 住民票 items (本籍・筆頭者, dates, support measure)",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->GetResidentItems(a, p.at("id")));
      });
  Add("POST", "/v1/residents/{id}/civil", "civil.resident.write",
      "Set a resident's 本籍・筆頭者 and residence dates",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto items, registry::DecodeJson<registry::ResidentCivil>(b));
        items.resident_id = p.at("id");
        return Out(c->SetResidentItems(a, items));
      });
  Add("POST", "/v1/residents/{id}/support-measure", "civil.support_measure",
      "Grant (or extend by a year) the support measure (支援措置)",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto kind, Field(b, "kind"));
        return Out(c->GrantSupportMeasure(a, p.at("id"), kind));
      });
  Add("POST", "/v1/residents/{id}/support-measure/end", "civil.support_measure",
      "End the support measure",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->EndSupportMeasure(a, p.at("id")));
      });
  // --- family registers
  Add("POST", "/v1/family-registers", "civil.koseki.write",
      "Create a family register (戸籍) at the domicile municipality",
      [c](const Actor& a, const RouteParams&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto draft, registry::DecodeJson<registry::FamilyRegister>(b));
        return Out(c->CreateFamilyRegister(a, std::move(draft)));
      });
  Add("GET", "/v1/family-registers/{id}", "civil.koseki.read",
      "A family register with its members, events and 附票",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->GetFamilyRegister(a, p.at("id")));
      });
  Add("GET", "/v1/residents/{id}/family-register", "civil.koseki.read",
      "The family register a resident is a current member of",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->FamilyRegisterOf(a, p.at("id")));
      });
  Add("POST", "/v1/family-registers/{id}/members", "civil.koseki.write",
      "A person enters the family register",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto member,
            registry::DecodeJson<registry::FamilyRegisterMember>(b));
        return Out(
            c->AddFamilyRegisterMember(a, p.at("id"), std::move(member)));
      });
  Add("POST", "/v1/family-registers/{id}/members/{index}/remove",
      "civil.koseki.write", "A member leaves the family register (除籍)",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(int index, Index(p, "index"));
        OPENMYNA_ASSIGN_OR_RETURN(auto cause, Field(b, "cause"));
        OPENMYNA_ASSIGN_OR_RETURN(auto on, Field(b, "on"));
        return Out(
            c->RemoveFamilyRegisterMember(a, p.at("id"), index, cause, on));
      });
  Add("POST", "/v1/family-registers/{id}/members/{index}/addresses",
      "civil.koseki.write", "A line of the 戸籍の附票 for a member",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(int index, Index(p, "index"));
        OPENMYNA_ASSIGN_OR_RETURN(auto address, Field(b, "address"));
        OPENMYNA_ASSIGN_OR_RETURN(auto set_on, Field(b, "set_on"));
        return Out(
            c->AddAttachedAddress(a, p.at("id"), index, address, set_on));
      });
  Add("POST", "/v1/family-registers/{id}/events", "civil.koseki.write",
      "File a 身分事項 event (pending until reflected)",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto event, registry::DecodeJson<registry::FamilyRegisterEvent>(b));
        return Out(c->FileFamilyRegisterEvent(a, p.at("id"), std::move(event)));
      });
  Add("POST", "/v1/family-registers/{id}/events/{event}/reflect",
      "civil.koseki.write", "Reflect a filed event in the register",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->ReflectFamilyRegisterEvent(a, p.at("id"), p.at("event")));
      });
  // --- seals
  Add("POST", "/v1/seals", "civil.seal.register",
      "Register a seal (印鑑登録): PNG impression (base64) and true size",
      [c](const Actor& a, const RouteParams&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto resident, Field(b, "resident_id"));
        OPENMYNA_ASSIGN_OR_RETURN(auto png64,
                                  Field(b, "impression_png_base64"));
        auto png = Base64Decode(png64);
        if (!png) {
          return Fail(RegistryErrc::kInvalidInput,
                      "impression_png_base64: not base64");
        }
        OPENMYNA_ASSIGN_OR_RETURN(double width, Millimetres(b, "width_mm"));
        OPENMYNA_ASSIGN_OR_RETURN(double height, Millimetres(b, "height_mm"));
        return Out(c->RegisterSeal(a, resident, openmyna::ToString(*png), width,
                                   height));
      });
  Add("GET", "/v1/seals/{number}", "civil.seal.read",
      "A seal registration (with the impression)",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->GetSeal(a, p.at("number")));
      });
  Add("POST", "/v1/seals/{number}/deregister", "civil.seal.deregister",
      "Deregister a seal (廃止, 亡失, ...)",
      [c](const Actor& a, const RouteParams& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto reason, Field(b, "reason"));
        return Out(c->DeregisterSeal(a, p.at("number"), reason));
      });
  Add("GET", "/v1/residents/{id}/seals", "civil.seal.read",
      "Every seal registration of a resident",
      [c](const Actor& a, const RouteParams& p, const json&) -> Result<json> {
        return Out(c->SealsOf(a, p.at("id")));
      });
  return routes;
}

}  // namespace openmyna::services::internal
