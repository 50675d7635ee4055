#include "openmyna/registry/insurance_json.h"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace openmyna::registry {
namespace {

template <typename T>
T Get(const nlohmann::json& j, const char* key, T fallback = T{}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}
template <typename T>
std::optional<T> GetOpt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}
template <typename T>
nlohmann::json Opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}
TimePoint FromSeconds(std::int64_t s) {
  return TimePoint(std::chrono::seconds(s));
}

}  // namespace

// The names of the stored documents (insurance_json.h's tables).
std::string_view ToString(LinkState state) {
  return json_enum::NameOf(state, kJsonNamesOfLinkState);
}

std::string_view ToString(LinkMethod method) {
  return json_enum::NameOf(method, kJsonNamesOfLinkMethod);
}

void to_json(nlohmann::json& j, const Membership& v) {
  j = {{"id", v.id},
       {"insurer_number", v.insurer_number},
       {"symbol", v.symbol},
       {"number", v.number},
       {"branch", v.branch},
       {"relationship", v.relationship},
       {"card_classification", v.card_classification},
       {"insured_name", v.insured_name},
       {"name", v.name},
       {"name_kana", v.name_kana},
       {"date_of_birth", v.date_of_birth},
       {"sex", v.sex},
       {"address", v.address},
       {"post_number", v.post_number},
       {"acquired_on", v.acquired_on},
       {"lost_on", v.lost_on},
       {"loss_reason", v.loss_reason},
       {"card_issued_on", v.card_issued_on},
       {"card_valid_until", v.card_valid_until},
       {"contribution_percent", v.contribution_percent},
       {"preschool", v.preschool},
       {"elderly", Opt(v.elderly)},
       {"limit", Opt(v.limit)},
       {"specific_diseases", v.specific_diseases},
       {"resident_id", v.resident_id},
       {"link_state", v.link_state},
       {"link_method", v.link_method},
       {"link_note", v.link_note},
       {"checked_at",
        v.checked_at ? nlohmann::json(Seconds(*v.checked_at)) : nullptr},
       {"enrolled_by", v.enrolled_by}};
}

void from_json(const nlohmann::json& j, Membership& v) {
  v.id = Get<std::string>(j, "id");
  v.insurer_number = Get<std::string>(j, "insurer_number");
  v.symbol = Get<std::string>(j, "symbol");
  v.number = Get<std::string>(j, "number");
  v.branch = Get<std::string>(j, "branch");
  v.relationship = Get<Relationship>(j, "relationship", Relationship::kInsured);
  v.card_classification = Get<std::string>(j, "card_classification", "01");
  v.insured_name = Get<std::string>(j, "insured_name");
  v.name = Get<std::string>(j, "name");
  v.name_kana = Get<std::string>(j, "name_kana");
  v.date_of_birth = Get<std::string>(j, "date_of_birth");
  v.sex = Get<Sex>(j, "sex", Sex::kUnknown);
  v.address = Get<std::string>(j, "address");
  v.post_number = Get<std::string>(j, "post_number");
  v.acquired_on = Get<std::string>(j, "acquired_on");
  v.lost_on = Get<std::string>(j, "lost_on");
  v.loss_reason = Get<std::string>(j, "loss_reason");
  v.card_issued_on = Get<std::string>(j, "card_issued_on");
  v.card_valid_until = Get<std::string>(j, "card_valid_until");
  v.contribution_percent = Get<int>(j, "contribution_percent", 30);
  v.preschool = Get<bool>(j, "preschool", false);
  v.elderly = GetOpt<ElderlyRecipient>(j, "elderly");
  v.limit = GetOpt<LimitCertificate>(j, "limit");
  v.specific_diseases =
      Get<std::vector<SpecificDisease>>(j, "specific_diseases");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.link_state = Get<LinkState>(j, "link_state", LinkState::kUnlinked);
  v.link_method = Get<LinkMethod>(j, "link_method", LinkMethod::kNone);
  v.link_note = Get<std::string>(j, "link_note");
  if (auto s = GetOpt<std::int64_t>(j, "checked_at")) {
    v.checked_at = FromSeconds(*s);
  } else {
    v.checked_at.reset();
  }
  v.enrolled_by = Get<std::string>(j, "enrolled_by");
}

void to_json(nlohmann::json& j, const Consent& v) {
  j = {{"id", v.id},
       {"resident_id", v.resident_id},
       {"institution_code", v.institution_code},
       {"items", v.items},
       {"method", v.method},
       {"given_at", Seconds(v.given_at)},
       {"valid_until", Seconds(v.valid_until)}};
}

void from_json(const nlohmann::json& j, Consent& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.institution_code = Get<std::string>(j, "institution_code");
  v.items = Get<std::vector<std::string>>(j, "items");
  v.method = Get<std::string>(j, "method");
  v.given_at = FromSeconds(Get<std::int64_t>(j, "given_at", 0));
  v.valid_until = FromSeconds(Get<std::int64_t>(j, "valid_until", 0));
}

void to_json(nlohmann::json& j, const InsuranceRegistration& v) {
  j = {{"resident_id", v.resident_id},
       {"linkage_code", v.linkage_code},
       {"channel", v.channel},
       {"registered_at", Seconds(v.registered_at)},
       {"cancelled_at",
        v.cancelled_at ? nlohmann::json(Seconds(*v.cancelled_at)) : nullptr},
       {"certificate_serials", v.certificate_serials}};
}

void from_json(const nlohmann::json& j, InsuranceRegistration& v) {
  v.resident_id = Get<std::string>(j, "resident_id");
  v.linkage_code = Get<std::string>(j, "linkage_code");
  v.channel = Get<RegistrationChannel>(j, "channel");
  v.registered_at = FromSeconds(Get<std::int64_t>(j, "registered_at", 0));
  if (auto s = GetOpt<std::int64_t>(j, "cancelled_at")) {
    v.cancelled_at = FromSeconds(*s);
  } else {
    v.cancelled_at.reset();
  }
  v.certificate_serials =
      Get<std::vector<std::string>>(j, "certificate_serials");
}

}  // namespace openmyna::registry
