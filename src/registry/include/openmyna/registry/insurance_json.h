// JSON form of the insurance records (insurance.h): the `doc` column of the
// insurance tables and the bodies of the insurance APIs. Enums as snake_case
// names (json_enum.h: an unknown name is refused, naming it), instants as
// Unix seconds; from_json throws nlohmann exceptions (call it inside try, as
// the store does).
#pragma once

#include <nlohmann/json.hpp>

#include "openmyna/registry/insurance.h"
#include "openmyna/registry/json_enum.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::domain {

OPENMYNA_JSON_ENUM(QualificationDocumentKind, "qualification document kind",
                   {{QualificationDocumentKind::kNotice, "notice"},
                    {QualificationDocumentKind::kCertificate, "certificate"}})
OPENMYNA_JSON_ENUM(
    QualificationDocumentReason, "qualification document reason",
    {{QualificationDocumentReason::kRegisteredCard, "registered_card"},
     {QualificationDocumentReason::kNotRegistered, "not_registered"},
     {QualificationDocumentReason::kRegistrationCancelled,
      "registration_cancelled"},
     {QualificationDocumentReason::kCardNotUsable, "card_not_usable"},
     {QualificationDocumentReason::kLateElderlyInterim,
      "late_elderly_interim"}})

}  // namespace openmyna::domain

namespace openmyna::registry {

OPENMYNA_JSON_ENUM(RegistrationChannel, "registration channel",
                   {{RegistrationChannel::kPortal, "portal"},
                    {RegistrationChannel::kReader, "reader"},
                    {RegistrationChannel::kSandboxSeed, "sandbox-seed"}})
OPENMYNA_JSON_ENUM(DocumentChannel, "document channel",
                   {{DocumentChannel::kRequest, "request"},
                    {DocumentChannel::kExOfficio, "ex_officio"}})
OPENMYNA_JSON_ENUM(Relationship, "relationship",
                   {{Relationship::kInsured, "insured"},
                    {Relationship::kDependent, "dependent"}})
OPENMYNA_JSON_ENUM(LinkState, "link state",
                   {{LinkState::kUnlinked, "unlinked"},
                    {LinkState::kVerified, "verified"},
                    {LinkState::kMismatch, "mismatch"},
                    {LinkState::kOverridden, "overridden"}})
OPENMYNA_JSON_ENUM(LinkMethod, "link method",
                   {{LinkMethod::kNone, "none"},
                    {LinkMethod::kIndividualNumber, "individual_number"},
                    {LinkMethod::kFiveItems, "five_items"}})
OPENMYNA_JSON_ENUM(InstitutionKind, "institution kind",
                   {{InstitutionKind::kClinic, "clinic"},
                    {InstitutionKind::kPharmacy, "pharmacy"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Insurer, number, name, kind,
                                                credential_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ElderlyRecipient, issued_on,
                                                valid_from, valid_to,
                                                contribution_percent)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LimitCertificate,
                                                classification, category,
                                                issued_on, valid_from, valid_to,
                                                long_term_hospitalisation)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SpecificDisease, category,
                                                valid_from, valid_to,
                                                self_pay_limit_yen)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MedicalInstitution, code, name,
                                                kind, address, consent_items,
                                                credential_id,
                                                visual_credential_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MedicationRecord, id,
                                                resident_id, dispensed_on,
                                                pharmacy_code, prescriber_code,
                                                drug_code, drug_name, dose,
                                                quantity, days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CheckupItem, code, name, value,
                                                unit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CheckupRecord, id, resident_id,
                                                examined_on, institution_code,
                                                insurer_number, items,
                                                judgement)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MedicalExpense, id, resident_id,
                                                month, institution_code,
                                                insurer_number, days, total_yen,
                                                paid_yen)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IssuedQualificationDocument,
                                                number, membership_id, seq,
                                                kind, reason, issued_on,
                                                valid_until, channel, issued_by,
                                                awaiting_output)

void to_json(nlohmann::json& j, const Membership& v);
void from_json(const nlohmann::json& j, Membership& v);
void to_json(nlohmann::json& j, const Consent& v);
void from_json(const nlohmann::json& j, Consent& v);
void to_json(nlohmann::json& j, const InsuranceRegistration& v);
void from_json(const nlohmann::json& j, InsuranceRegistration& v);

}  // namespace openmyna::registry
