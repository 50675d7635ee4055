// JSON form of the model records: the `doc` column of every table and the
// body of the HTTP API (services/registry_api). Enums travel as snake_case
// names (json_enum.h: a name the enum does not have is refused, naming it),
// instants as Unix seconds. from_json throws nlohmann exceptions: call
// it inside try (the store and the API do).
#pragma once

#include <nlohmann/json.hpp>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/json_enum.h"
#include "openmyna/registry/model.h"

namespace openmyna::pki {
void to_json(nlohmann::json& j, const RevocationReason& v);
void from_json(const nlohmann::json& j, RevocationReason& v);
}  // namespace openmyna::pki
namespace openmyna::domain {
void to_json(nlohmann::json& j, const ResidenceStatus& v);
void from_json(const nlohmann::json& j, ResidenceStatus& v);
}  // namespace openmyna::domain

namespace openmyna::registry {

OPENMYNA_JSON_ENUM(Sex, "sex",
                   {{Sex::kMale, "male"},
                    {Sex::kFemale, "female"},
                    {Sex::kUnknown, "unknown"}})
OPENMYNA_JSON_ENUM(ResidentStatus, "resident status",
                   {{ResidentStatus::kActive, "active"},
                    {ResidentStatus::kMovedOut, "moved_out"},
                    {ResidentStatus::kDeceased, "deceased"}})
OPENMYNA_JSON_ENUM(CardKind, "card kind",
                   {{CardKind::kStandard, "standard"},
                    {CardKind::kFaceAuth, "face_auth"}})
OPENMYNA_JSON_ENUM(CardState, "card state",
                   {{CardState::kProduced, "produced"},
                    {CardState::kActive, "active"},
                    {CardState::kSuspended, "suspended"},
                    {CardState::kVoid, "void"}})
OPENMYNA_JSON_ENUM(VoidReason, "void reason",
                   {{VoidReason::kNone, "none"},
                    {VoidReason::kLost, "lost"},
                    {VoidReason::kStolen, "stolen"},
                    {VoidReason::kDamaged, "damaged"},
                    {VoidReason::kReplaced, "replaced"},
                    {VoidReason::kExpired, "expired"},
                    {VoidReason::kNotPresentedInTime, "not_presented_in_time"},
                    {VoidReason::kDeath, "death"},
                    {VoidReason::kMovedOut, "moved_out"}})
OPENMYNA_JSON_ENUM(CertificateType, "certificate type",
                   {{CertificateType::kSignature, "signature"},
                    {CertificateType::kAuthentication, "authentication"}})
OPENMYNA_JSON_ENUM(ApplicationKind, "application kind",
                   {{ApplicationKind::kFirstIssue, "first_issue"},
                    {ApplicationKind::kReissue, "reissue"},
                    {ApplicationKind::kRenewal, "renewal"},
                    {ApplicationKind::kNotesFull, "notes_full"}})
OPENMYNA_JSON_ENUM(ApplicationState, "application state",
                   {{ApplicationState::kReceived, "received"},
                    {ApplicationState::kProduced, "produced"},
                    {ApplicationState::kDelivered, "delivered"},
                    {ApplicationState::kCancelled, "cancelled"}})
OPENMYNA_JSON_ENUM(NoticeKind, "notice kind",
                   {{NoticeKind::kRenewal, "renewal"},
                    {NoticeKind::kCardVoid, "card_void"},
                    {NoticeKind::kCertificateRevoked, "certificate_revoked"}})
OPENMYNA_JSON_ENUM(Role, "role",
                   {{Role::kResident, "resident"},
                    {Role::kCounterClerk, "counter_clerk"},
                    {Role::kHotlineOperator, "hotline_operator"},
                    {Role::kKiosk, "kiosk"},
                    {Role::kPlatform, "platform"},
                    {Role::kSystem, "system"},
                    {Role::kInsurer, "insurer"},
                    {Role::kClinic, "clinic"}})

void to_json(nlohmann::json& j, const Municipality& v);
void from_json(const nlohmann::json& j, Municipality& v);
void to_json(nlohmann::json& j, const ForeignResidence& v);
void from_json(const nlohmann::json& j, ForeignResidence& v);
void to_json(nlohmann::json& j, const Resident& v);
void from_json(const nlohmann::json& j, Resident& v);
void to_json(nlohmann::json& j, const NoteEntry& v);
void from_json(const nlohmann::json& j, NoteEntry& v);
void to_json(nlohmann::json& j, const Card& v);
void from_json(const nlohmann::json& j, Card& v);
void to_json(nlohmann::json& j, const Certificate& v);
void from_json(const nlohmann::json& j, Certificate& v);
void to_json(nlohmann::json& j, const Application& v);
void from_json(const nlohmann::json& j, Application& v);
void to_json(nlohmann::json& j, const Fee& v);
void from_json(const nlohmann::json& j, Fee& v);
void to_json(nlohmann::json& j, const Notice& v);
void from_json(const nlohmann::json& j, Notice& v);
void to_json(nlohmann::json& j, const AuditEntry& v);
void from_json(const nlohmann::json& j, AuditEntry& v);

// Decodes a record without letting an exception out: kInvalidInput naming
// the offending field when `j` does not match.
template <typename T>
Result<T> DecodeJson(const nlohmann::json& j) {
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Fail(RegistryErrc::kInvalidInput, e.what());
  }
}

}  // namespace openmyna::registry
