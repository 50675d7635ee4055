// Health-insurance records of the registry (issue 12, item 1;
// ../shared/docs/insurance.md §1.6, §4): insurers, memberships (資格) and
// their link to a resident, the medical institutions that check them,
// medication dispensing (薬剤情報), specific check-ups (特定健診情報) and
// medical expenses (医療費通知), and the registration of the card as
// insurance card (保険証利用登録). Plain values, as model.h: civil dates are
// "YYYY-MM-DD" (JST), instants TimePoint. Codes are the ones the online
// eligibility messages use (OQSCDnnn, insurance.md §2.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/domain/qualification_document.h"
#include "openmyna/registry/model.h"

namespace openmyna::registry {

// 保険者. `number` is a valid domain::InsurerNumber (6 or 8 digits).
struct Insurer {
  std::string number;
  std::string name;  // 保険者名称
  std::string kind;  // free label: "健康保険組合", "協会けんぽ",
                     // "国民健康保険", "後期高齢者医療広域連合", "共済組合"
  std::string credential_id;  // its API credential (role insurer), or ""
};

enum class Relationship { kInsured = 1, kDependent = 2 };  // OQSCD009 本人/家族

// The state of the link between an insurer's membership record and a
// resident (insurance.md §4.3–4.4). Only kVerified and kOverridden records
// are served to clinics; kMismatch is the 閲覧停止 of the 2024 control.
enum class LinkState {
  kUnlinked,    // no resident (enrolment refused or not tried)
  kVerified,    // the five items matched the resident's registry record
  kMismatch,    // the last collation found a difference: viewing blocked
  kOverridden,  // the insurer confirmed with a reason (理由付き疑いなし)
};

enum class LinkMethod {
  kNone,
  kIndividualNumber,  // the enrolment carried the individual number
  kFiveItems,         // exactly one resident matched all five items
};

// 高齢受給者証 (70–74): 一部負担割合 as a percentage.
struct ElderlyRecipient {
  std::string issued_on, valid_from, valid_to;
  int contribution_percent = 20;
};

// 限度額適用認定証 data (OQSCD011/012).
struct LimitCertificate {
  std::string classification;  // "01" 限度額適用, "02" …・標準負担額減額, "03"
  std::string category;  // "A01".."A06", "B01".."B10"
  std::string issued_on, valid_from, valid_to;
  bool long_term_hospitalisation = false;  // 長期入院該当
};

// 特定疾病療養受療証 (OQSCD013): 1 人工透析, 2 血友病, 3 HIV (製剤起因).
struct SpecificDisease {
  int category = 1;
  std::string valid_from, valid_to;
  int self_pay_limit_yen = 10000;  // 自己負担限度額 (月額)
};

// One 資格 as the insurer registered it. The identity fields are the
// insurer's copy (they may differ from the registry's: that is what the
// collation checks).
struct Membership {
  std::string id;
  std::string insurer_number;
  std::string symbol;  // 記号 ("" when the card has none)
  std::string number;  // 番号
  std::string branch;  // 枝番, 2 digits
  Relationship relationship = Relationship::kInsured;
  std::string card_classification = "01";  // OQSCD010
  std::string insured_name;  // 被保険者氏名 (本人; 家族 → 本人の氏名)
  // Identity as registered by the insurer (the five items).
  std::string name, name_kana, date_of_birth;
  Sex sex = Sex::kUnknown;
  std::string address, post_number;
  // 資格
  std::string acquired_on;  // 資格取得年月日
  std::string lost_on;      // 資格喪失年月日, "" while valid
  std::string loss_reason;  // OQSCD008: "01" 死亡, "03" 他の資格取得, "99"
  std::string card_issued_on;     // 交付年月日
  std::string card_valid_until;   // 有効期限, "" when none
  int contribution_percent = 30;  // 一部負担金割合
  bool preschool = false;         // 未就学
  std::optional<ElderlyRecipient> elderly;
  std::optional<LimitCertificate> limit;
  std::vector<SpecificDisease> specific_diseases;
  // The link (issue 12, item 2).
  std::string resident_id;  // "" when unlinked; never the individual number
  LinkState link_state = LinkState::kUnlinked;
  LinkMethod link_method = LinkMethod::kNone;
  std::string link_note;  // mismatching items, or the insurer's reason
  std::optional<TimePoint> checked_at;  // last collation
  std::string enrolled_by;              // the insurer's actor id
};

enum class InstitutionKind { kClinic, kPharmacy };

// A medical institution or pharmacy (医療機関・薬局) with its 10-digit code
// (都道府県 2 + 点数表 1 + 医療機関コード 7; insurance.md §1.2).
struct MedicalInstitution {
  std::string code;
  std::string name;
  InstitutionKind kind = InstitutionKind::kClinic;
  std::string address;
  // Consent items the facility has enabled on its reader: "drug",
  // "checkup", "care", "surgery" (薬剤/特定健診/診療/手術, insurance.md §3.1;
  // defaults after install: drug and checkup).
  std::vector<std::string> consent_items = {"drug", "checkup"};
  std::string credential_id;  // its API credential (role clinic), or ""
  // The 目視 password of its readers (a credential of role clinic, made by
  // `openmyna insurance credentials --visual`), or "".
  std::string visual_credential_id;
};

// One dispensed drug (薬剤情報). Codes are the sandbox's own (the real
// 薬価基準収載医薬品コード list is not copied).
struct MedicationRecord {
  std::string id;
  std::string resident_id;
  std::string dispensed_on;
  std::string pharmacy_code;    // MedicalInstitution code
  std::string prescriber_code;  // the clinic that prescribed
  std::string drug_code;
  std::string drug_name;
  std::string dose;  // "1回1錠 1日2回 朝夕食後"
  int quantity = 0;  // units dispensed
  int days = 0;
};

struct CheckupItem {
  std::string code;  // "height", "weight", "bmi", "waist", "sbp", "dbp",
                     // "hba1c", "ldl", "hdl", "tg", "ast", "alt", "ggt"
  std::string name;  // 身長, 体重, ...
  std::string value;
  std::string unit;
};

// One specific health check-up (特定健康診査, ages 40–74).
struct CheckupRecord {
  std::string id;
  std::string resident_id;
  std::string examined_on;
  std::string institution_code;
  std::string insurer_number;
  std::vector<CheckupItem> items;
  std::string
      judgement;  // メタボリックシンドローム判定: 基準該当/予備群該当/非該当
};

// One month of care at one institution (医療費通知).
struct MedicalExpense {
  std::string id;
  std::string resident_id;
  std::string month;  // "YYYY-MM"
  std::string institution_code;
  std::string insurer_number;
  int days = 0;
  int total_yen = 0;  // 医療費の総額
  int paid_yen = 0;   // 窓口負担額
};

// 保険証利用登録 (issue 12, item 3; insurance.md §1.4): the resident's
// consent to use their card as insurance card. The eligibility service
// finds memberships through the registry by the card's authentication
// certificate; `linkage_code` is the per-registration code (連携用の符号)
// that stands for the resident outside the registry, never the number.
// Where a card was registered as insurance card: the portal (マイナポータル),
// a clinic's reader (顔認証付きカードリーダー), or the sample data.
enum class RegistrationChannel { kPortal, kReader, kSandboxSeed };

struct InsuranceRegistration {
  std::string resident_id;
  std::string linkage_code;
  RegistrationChannel channel = RegistrationChannel::kPortal;
  TimePoint registered_at;
  std::optional<TimePoint> cancelled_at;
  // Authentication certificate serials linked so far (the first one at
  // registration; successors after renewal or reissue as they are used).
  std::vector<std::string> certificate_serials;
};

// Consent given at a facility's reader to share medical information with
// it (insurance.md §3.1): the items the patient agreed to among those the
// facility enabled, valid 24 hours from the answer.
struct Consent {
  std::string id;
  std::string resident_id;
  std::string institution_code;
  std::vector<std::string> items;  // "drug", "checkup", "care", "surgery"
  std::string method;              // how the holder was confirmed: "face",
                                   // "pin", "visual"
  TimePoint given_at;
  TimePoint valid_until;
};

// A 資格確認書 or 資格情報のお知らせ as the registry recorded its issue
// (issue 12 item 7; InsuranceService::IssueQualificationDocument on request,
// IssueDueDocuments ex officio). Recorded so that the batch knows what each
// member last received; the printed data is not kept (it is the membership
// as it was that day).
// How a qualification document was issued: on request (the insurer's API,
// InsuranceService::IssueQualificationDocument) or ex officio (職権交付,
// IssueDueDocuments).
enum class DocumentChannel { kRequest, kExOfficio };

struct IssuedQualificationDocument {
  std::string number;  // 交付番号 "qd-…"
  std::string membership_id;
  std::int64_t seq = 0;  // per membership, 1, 2, … in issue order
  domain::QualificationDocumentKind kind =
      domain::QualificationDocumentKind::kCertificate;
  domain::QualificationDocumentReason reason =
      domain::QualificationDocumentReason::kNotRegistered;
  std::string issued_on;    // the JST day
  std::string valid_until;  // "" when none was printed
  DocumentChannel channel = DocumentChannel::kRequest;
  std::string issued_by;  // the actor's id
  // Ex officio only: recorded, but `issue-due` has not yet reported its PDF
  // written (InsuranceService::MarkDocumentsWritten); a later run gives the
  // same document again until it does.
  bool awaiting_output = false;
};

std::string_view ToString(LinkState state);
std::string_view ToString(LinkMethod method);

}  // namespace openmyna::registry
