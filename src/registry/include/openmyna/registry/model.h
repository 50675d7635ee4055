// The registry's records (issue 5, item 1). Plain values: the store persists
// them, the service (service.h) is the only writer that enforces the rules of
// domain.md. Civil dates are ISO 8601 text "YYYY-MM-DD" (JST calendar days);
// instants are TimePoint (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/domain/residence.h"
#include "openmyna/pki/revocation_reason.h"

namespace openmyna::registry {

// A municipality (市区町村) and its fee schedule (domain.md §6: reissue ¥1,000
// with certificates, ¥800 without; renewal and notes-full reissue free).
struct Municipality {
  std::string code;               // local government code, 5 digits (JIS X 0402
                                  // without the check digit), e.g. "20218"
  std::string name;               // "千曲市"
  std::string prefecture;         // "長野県"
  std::string name_romaji;        // "Chikuma-shi" (jpki.md §13 row 7)
  std::string prefecture_romaji;  // "Nagano-ken"
  int reissue_fee_with_certificates_yen = 1000;
  int reissue_fee_without_certificates_yen = 800;
};

enum class Sex { kMale = 1, kFemale = 2, kUnknown = 3 };  // jpki.md §13 row 9

// A foreign resident's status (domain.md §5): the category decides the
// card's expiry (domain::ComputeValidity).
struct ForeignResidence {
  std::string status_of_residence;  // as on the residence card, free text
  domain::ResidenceStatus category = domain::ResidenceStatus::kMidToLongTerm;
  std::string period_of_stay_ends;  // "YYYY-MM-DD" when NeedsStayUntil()
  std::string status_event;         // transitional: birth / loss date
};

enum class ResidentStatus { kActive, kMovedOut, kDeceased };

struct Resident {
  std::string id;                 // opaque registry id, never the number
  std::string individual_number;  // 12 digits; never logged (domain.md §2)
  std::string name;               // current name
  std::string name_kana;          // カナ氏名 (full-width), "" when unknown
  std::string former_surname;     // 旧氏, empty when none (domain.md §6)
  std::string date_of_birth;      // "YYYY-MM-DD"
  Sex sex = Sex::kUnknown;
  std::string address;              // residence (住所)
  std::string registered_domicile;  // 本籍 (empty for foreign residents)
  std::string municipality_code;    // municipality of residence
  std::optional<ForeignResidence> foreign;
  bool adult_ward = false;              // 成年被後見人
  std::string legal_representative_id;  // resident id, for minors and wards
  std::string delivery_address;  // 居所 (DV/stalking victims), or empty
  ResidentStatus status = ResidentStatus::kActive;
  std::string moved_in_on;  // last move-in date, "" when none
  std::string died_on;
};

enum class CardKind { kStandard, kFaceAuth };  // domain.md §8.4

enum class CardState {
  kProduced,  // made, waiting at the counter for delivery
  kActive,    // delivered, usable
  kSuspended,  // hotline 一時停止; liftable at the counter (jpki.md §13 r14)
  kVoid,       // no longer valid (see void_reason)
};

enum class VoidReason {
  kNone,
  kLost,
  kStolen,
  kDamaged,
  kReplaced,  // superseded by a reissued or renewed card
  kExpired,
  kNotPresentedInTime,  // moved in, not presented within 90 days
  kDeath,
  kMovedOut,
};

struct NoteEntry {  // one line of the notes area (追記欄)
  std::string written_on;
  std::string text;
};

struct Card {
  std::string id;
  std::string resident_id;
  std::string application_id;
  CardKind kind = CardKind::kStandard;
  CardState state = CardState::kProduced;
  VoidReason void_reason = VoidReason::kNone;
  std::string issued_on;   // issuance (production) date: validity counts
                           // from it (jpki.md §6.1)
  std::string expires_on;  // last valid day
  std::optional<TimePoint> delivered_at;
  std::vector<NoteEntry> notes;
  int notes_capacity = 4;       // sandbox default, see docs/registry.md
  std::string chip_image_path;  // card image file when personalised
  std::string police_report;    // reference given with loss or theft
  std::string present_by;       // after a move-in: last day to present
  std::string presented_in;     // municipality code it was last presented in
};

enum class CertificateType { kSignature, kAuthentication };

using pki::RevocationReason;  // RFC 5280 §5.3.1 (jpki.md §4.2)

struct Certificate {
  std::string serial;  // hex, as issued by the CA
  std::string card_id;
  std::string resident_id;
  CertificateType type = CertificateType::kAuthentication;
  TimePoint not_before;
  TimePoint not_after;
  bool revoked = false;
  RevocationReason reason = RevocationReason::kUnspecified;
  std::optional<TimePoint> revoked_at;
};

enum class ApplicationKind { kFirstIssue, kReissue, kRenewal, kNotesFull };
enum class ApplicationState { kReceived, kProduced, kDelivered, kCancelled };
enum class ReissueReason { kLoss, kTheft, kDamage };

struct Application {
  std::string id;
  std::string resident_id;
  ApplicationKind kind = ApplicationKind::kFirstIssue;
  ApplicationState state = ApplicationState::kReceived;
  CardKind card_kind = CardKind::kStandard;
  bool with_signature_certificate = true;
  bool with_authentication_certificate = true;
  std::string applicant_id;  // the resident or the legal representative
  std::string police_report;
  TimePoint received_at;
  std::string ready_by;  // expected date (lead time, docs/registry.md)
  std::string card_id;   // set once produced
  std::string replaces_card_id;
  int fee_yen = 0;
};

struct Fee {
  std::string id;
  std::string resident_id;
  std::string application_id;
  int amount_yen = 0;
  std::string what;
  TimePoint charged_at;
};

enum class NoticeKind { kRenewal, kCardVoid, kCertificateRevoked };

struct Notice {
  std::string id;
  std::string resident_id;
  std::string card_id;
  NoticeKind kind = NoticeKind::kRenewal;
  std::string text;
  TimePoint created_at;
};

// Who acts on the registry (issue 5, item 4).
enum class Role {
  kResident,         // the holder (not audited: it is their own data)
  kCounterClerk,     // municipal counter (窓口)
  kHotlineOperator,  // 24-hour hotline
  kKiosk,            // convenience-store kiosk
  kPlatform,         // platform API for relying parties
  kSystem,           // batch jobs (notices, expiry sweeps), seeding
  kInsurer,          // a health insurer (保険者), insurance_*.cc
  kClinic,           // a medical institution or pharmacy (insurance)
};

struct Actor {
  std::string id;  // clerk login, terminal id, or the resident id
  Role role = Role::kCounterClerk;
  std::string why;  // purpose of the access, written to the audit log
};

// One read or change of a resident's data by someone else (architecture.md
// §4): who, role, what, why, when. It is also the statutory record the
// resident sees in the portal (情報提供等記録, 番号法 Art. 23): the optional
// fields below say what a service knows better than the defaults that
// registry/disclosure.h derives from `action` and `role` when they are empty.
struct AuditEntry {
  std::string id;
  std::string resident_id;
  std::string actor_id;
  Role role = Role::kCounterClerk;
  std::string action;  // "resident.read", "card.suspend", ...
  std::string reason;  // the "why" given by the actor
  TimePoint at;        // the time of provision
  // --- Art. 23 details (empty: derived from action and role) -------------
  std::optional<TimePoint> requested_at;  // the time of the request
  std::string requester;           // 情報照会者: the requesting body
  std::string provider;            // 情報提供者: the providing body
  std::vector<std::string> items;  // 特定個人情報の項目 (item keys)
  bool withheld = false;     // 不開示: shown to the resident without details
  std::string on_behalf_of;  // a proxy (代理人) acted for this resident
};

std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);
std::string_view ToString(CardState state);
std::string_view ToString(VoidReason reason);
std::string_view ToString(CertificateType type);

}  // namespace openmyna::registry
