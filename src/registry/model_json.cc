#include "openmyna/registry/model_json.h"

#include <chrono>

namespace openmyna::registry {}  // namespace openmyna::registry

namespace openmyna::pki {
void to_json(nlohmann::json& j, const RevocationReason& v) {
  j = std::string(ReasonName(v));
}
// An unknown name is refused, naming it (json_enum.h), not read as
// "unspecified"; a certificate's missing "reason" still reads as
// unspecified (Get's default below: RFC 5280 §5.3.1, an absent reasonCode).
void from_json(const nlohmann::json& j, RevocationReason& v) {
  const auto& text = j.get_ref<const std::string&>();
  auto parsed = ParseReason(text);
  if (!parsed) {
    throw nlohmann::json::other_error::create(
        501, "unknown revocation reason \"" + text + "\"", &j);
  }
  v = *parsed;
}
}  // namespace openmyna::pki

namespace openmyna::domain {
void to_json(nlohmann::json& j, const ResidenceStatus& v) {
  j = std::string(ResidenceStatusName(v));
}
void from_json(const nlohmann::json& j, ResidenceStatus& v) {
  auto parsed = ParseResidenceStatus(j.get<std::string>());
  if (!parsed)
    throw nlohmann::json::other_error::create(501, parsed.error().message(),
                                              &j);
  v = *parsed;
}
}  // namespace openmyna::domain

namespace openmyna::registry {
namespace {

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}
TimePoint FromSeconds(std::int64_t s) {
  return TimePoint(std::chrono::seconds(s));
}
template <typename T>
T Get(const nlohmann::json& j, const char* key, T fallback = T{}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}
TimePoint GetTime(const nlohmann::json& j, const char* key) {
  return FromSeconds(Get<std::int64_t>(j, key, 0));
}
std::optional<TimePoint> GetOptTime(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return FromSeconds(it->get<std::int64_t>());
}
nlohmann::json OptTime(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(Seconds(*t)) : nlohmann::json(nullptr);
}

}  // namespace

void to_json(nlohmann::json& j, const Municipality& v) {
  j = {{"code", v.code},
       {"name", v.name},
       {"prefecture", v.prefecture},
       {"name_romaji", v.name_romaji},
       {"prefecture_romaji", v.prefecture_romaji},
       {"reissue_fee_with_certificates_yen",
        v.reissue_fee_with_certificates_yen},
       {"reissue_fee_without_certificates_yen",
        v.reissue_fee_without_certificates_yen}};
}
void from_json(const nlohmann::json& j, Municipality& v) {
  v.code = Get<std::string>(j, "code");
  v.name = Get<std::string>(j, "name");
  v.prefecture = Get<std::string>(j, "prefecture");
  v.name_romaji = Get<std::string>(j, "name_romaji");
  v.prefecture_romaji = Get<std::string>(j, "prefecture_romaji");
  v.reissue_fee_with_certificates_yen =
      Get<int>(j, "reissue_fee_with_certificates_yen", 1000);
  v.reissue_fee_without_certificates_yen =
      Get<int>(j, "reissue_fee_without_certificates_yen", 800);
}

void to_json(nlohmann::json& j, const ForeignResidence& v) {
  j = {{"status_of_residence", v.status_of_residence},
       {"category", v.category},
       {"period_of_stay_ends", v.period_of_stay_ends},
       {"status_event", v.status_event}};
}
void from_json(const nlohmann::json& j, ForeignResidence& v) {
  v.status_of_residence = Get<std::string>(j, "status_of_residence");
  v.category = Get<domain::ResidenceStatus>(
      j, "category", domain::ResidenceStatus::kMidToLongTerm);
  v.period_of_stay_ends = Get<std::string>(j, "period_of_stay_ends");
  v.status_event = Get<std::string>(j, "status_event");
}

void to_json(nlohmann::json& j, const Resident& v) {
  j = {{"id", v.id},
       {"individual_number", v.individual_number},
       {"name", v.name},
       {"name_kana", v.name_kana},
       {"former_surname", v.former_surname},
       {"date_of_birth", v.date_of_birth},
       {"sex", v.sex},
       {"address", v.address},
       {"registered_domicile", v.registered_domicile},
       {"municipality_code", v.municipality_code},
       {"foreign",
        v.foreign ? nlohmann::json(*v.foreign) : nlohmann::json(nullptr)},
       {"adult_ward", v.adult_ward},
       {"legal_representative_id", v.legal_representative_id},
       {"delivery_address", v.delivery_address},
       {"status", v.status},
       {"moved_in_on", v.moved_in_on},
       {"died_on", v.died_on}};
}
void from_json(const nlohmann::json& j, Resident& v) {
  v.id = Get<std::string>(j, "id");
  v.individual_number = Get<std::string>(j, "individual_number");
  v.name = Get<std::string>(j, "name");
  v.name_kana = Get<std::string>(j, "name_kana");
  v.former_surname = Get<std::string>(j, "former_surname");
  v.date_of_birth = Get<std::string>(j, "date_of_birth");
  v.sex = Get<Sex>(j, "sex", Sex::kUnknown);
  v.address = Get<std::string>(j, "address");
  v.registered_domicile = Get<std::string>(j, "registered_domicile");
  v.municipality_code = Get<std::string>(j, "municipality_code");
  if (auto it = j.find("foreign"); it != j.end() && !it->is_null()) {
    v.foreign = it->get<ForeignResidence>();
  } else {
    v.foreign.reset();
  }
  v.adult_ward = Get<bool>(j, "adult_ward", false);
  v.legal_representative_id = Get<std::string>(j, "legal_representative_id");
  v.delivery_address = Get<std::string>(j, "delivery_address");
  v.status = Get<ResidentStatus>(j, "status", ResidentStatus::kActive);
  v.moved_in_on = Get<std::string>(j, "moved_in_on");
  v.died_on = Get<std::string>(j, "died_on");
}

void to_json(nlohmann::json& j, const NoteEntry& v) {
  j = {{"written_on", v.written_on}, {"text", v.text}};
}
void from_json(const nlohmann::json& j, NoteEntry& v) {
  v.written_on = Get<std::string>(j, "written_on");
  v.text = Get<std::string>(j, "text");
}

void to_json(nlohmann::json& j, const Card& v) {
  j = {{"id", v.id},
       {"resident_id", v.resident_id},
       {"application_id", v.application_id},
       {"kind", v.kind},
       {"state", v.state},
       {"void_reason", v.void_reason},
       {"issued_on", v.issued_on},
       {"expires_on", v.expires_on},
       {"delivered_at", OptTime(v.delivered_at)},
       {"notes", v.notes},
       {"notes_capacity", v.notes_capacity},
       {"chip_image_path", v.chip_image_path},
       {"police_report", v.police_report},
       {"present_by", v.present_by},
       {"presented_in", v.presented_in}};
}
void from_json(const nlohmann::json& j, Card& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.application_id = Get<std::string>(j, "application_id");
  v.kind = Get<CardKind>(j, "kind", CardKind::kStandard);
  v.state = Get<CardState>(j, "state", CardState::kProduced);
  v.void_reason = Get<VoidReason>(j, "void_reason", VoidReason::kNone);
  v.issued_on = Get<std::string>(j, "issued_on");
  v.expires_on = Get<std::string>(j, "expires_on");
  v.delivered_at = GetOptTime(j, "delivered_at");
  v.notes = Get<std::vector<NoteEntry>>(j, "notes");
  v.notes_capacity = Get<int>(j, "notes_capacity", 4);
  v.chip_image_path = Get<std::string>(j, "chip_image_path");
  v.police_report = Get<std::string>(j, "police_report");
  v.present_by = Get<std::string>(j, "present_by");
  v.presented_in = Get<std::string>(j, "presented_in");
}

void to_json(nlohmann::json& j, const Certificate& v) {
  j = {{"serial", v.serial},
       {"card_id", v.card_id},
       {"resident_id", v.resident_id},
       {"type", v.type},
       {"not_before", Seconds(v.not_before)},
       {"not_after", Seconds(v.not_after)},
       {"revoked", v.revoked},
       {"reason", v.reason},
       {"revoked_at", OptTime(v.revoked_at)}};
}
void from_json(const nlohmann::json& j, Certificate& v) {
  v.serial = Get<std::string>(j, "serial");
  v.card_id = Get<std::string>(j, "card_id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.type = Get<CertificateType>(j, "type", CertificateType::kAuthentication);
  v.not_before = GetTime(j, "not_before");
  v.not_after = GetTime(j, "not_after");
  v.revoked = Get<bool>(j, "revoked", false);
  v.reason = Get<RevocationReason>(j, "reason", RevocationReason::kUnspecified);
  v.revoked_at = GetOptTime(j, "revoked_at");
}

void to_json(nlohmann::json& j, const Application& v) {
  j = {{"id", v.id},
       {"resident_id", v.resident_id},
       {"kind", v.kind},
       {"state", v.state},
       {"card_kind", v.card_kind},
       {"with_signature_certificate", v.with_signature_certificate},
       {"with_authentication_certificate", v.with_authentication_certificate},
       {"applicant_id", v.applicant_id},
       {"police_report", v.police_report},
       {"received_at", Seconds(v.received_at)},
       {"ready_by", v.ready_by},
       {"card_id", v.card_id},
       {"replaces_card_id", v.replaces_card_id},
       {"fee_yen", v.fee_yen}};
}
void from_json(const nlohmann::json& j, Application& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.kind = Get<ApplicationKind>(j, "kind", ApplicationKind::kFirstIssue);
  v.state = Get<ApplicationState>(j, "state", ApplicationState::kReceived);
  v.card_kind = Get<CardKind>(j, "card_kind", CardKind::kStandard);
  v.with_signature_certificate = Get<bool>(j, "with_signature_certificate");
  v.with_authentication_certificate =
      Get<bool>(j, "with_authentication_certificate");
  v.applicant_id = Get<std::string>(j, "applicant_id");
  v.police_report = Get<std::string>(j, "police_report");
  v.received_at = GetTime(j, "received_at");
  v.ready_by = Get<std::string>(j, "ready_by");
  v.card_id = Get<std::string>(j, "card_id");
  v.replaces_card_id = Get<std::string>(j, "replaces_card_id");
  v.fee_yen = Get<int>(j, "fee_yen", 0);
}

void to_json(nlohmann::json& j, const Fee& v) {
  j = {{"id", v.id},
       {"resident_id", v.resident_id},
       {"application_id", v.application_id},
       {"amount_yen", v.amount_yen},
       {"what", v.what},
       {"charged_at", Seconds(v.charged_at)}};
}
void from_json(const nlohmann::json& j, Fee& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.application_id = Get<std::string>(j, "application_id");
  v.amount_yen = Get<int>(j, "amount_yen", 0);
  v.what = Get<std::string>(j, "what");
  v.charged_at = GetTime(j, "charged_at");
}

void to_json(nlohmann::json& j, const Notice& v) {
  j = {{"id", v.id},           {"resident_id", v.resident_id},
       {"card_id", v.card_id}, {"kind", v.kind},
       {"text", v.text},       {"created_at", Seconds(v.created_at)}};
}
void from_json(const nlohmann::json& j, Notice& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.card_id = Get<std::string>(j, "card_id");
  v.kind = Get<NoticeKind>(j, "kind", NoticeKind::kRenewal);
  v.text = Get<std::string>(j, "text");
  v.created_at = GetTime(j, "created_at");
}

void to_json(nlohmann::json& j, const AuditEntry& v) {
  j = {{"id", v.id},
       {"resident_id", v.resident_id},
       {"actor_id", v.actor_id},
       {"role", v.role},
       {"action", v.action},
       {"reason", v.reason},
       {"at", Seconds(v.at)}};
  // Art. 23 details only when set, so older documents stay as they were.
  if (v.requested_at) j["requested_at"] = Seconds(*v.requested_at);
  if (!v.requester.empty()) j["requester"] = v.requester;
  if (!v.provider.empty()) j["provider"] = v.provider;
  if (!v.items.empty()) j["items"] = v.items;
  if (v.withheld) j["withheld"] = true;
  if (!v.on_behalf_of.empty()) j["on_behalf_of"] = v.on_behalf_of;
}
void from_json(const nlohmann::json& j, AuditEntry& v) {
  v.id = Get<std::string>(j, "id");
  v.resident_id = Get<std::string>(j, "resident_id");
  v.actor_id = Get<std::string>(j, "actor_id");
  v.role = Get<Role>(j, "role", Role::kSystem);
  v.action = Get<std::string>(j, "action");
  v.reason = Get<std::string>(j, "reason");
  v.at = GetTime(j, "at");
  if (j.contains("requested_at")) v.requested_at = GetTime(j, "requested_at");
  v.requester = Get<std::string>(j, "requester");
  v.provider = Get<std::string>(j, "provider");
  v.items = Get<std::vector<std::string>>(j, "items");
  v.withheld = Get<bool>(j, "withheld", false);
  v.on_behalf_of = Get<std::string>(j, "on_behalf_of");
}

// The names of the stored documents (model_json.h's tables), one table per
// enum.
std::string_view ToString(Role role) {
  return json_enum::NameOf(role, kJsonNamesOfRole);
}

std::optional<Role> ParseRole(std::string_view text) {
  for (const auto& [role, name] : kJsonNamesOfRole) {
    if (name == text) return role;
  }
  return std::nullopt;
}

std::string_view ToString(CardState state) {
  return json_enum::NameOf(state, kJsonNamesOfCardState);
}
std::string_view ToString(VoidReason reason) {
  return json_enum::NameOf(reason, kJsonNamesOfVoidReason);
}
std::string_view ToString(CertificateType type) {
  return json_enum::NameOf(type, kJsonNamesOfCertificateType);
}

}  // namespace openmyna::registry
