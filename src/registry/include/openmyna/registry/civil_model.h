// The civil records behind the convenience-store certificates (issue 11,
// item 1; ../shared/docs/konbini.md §2): households (世帯), the resident's
// 住民票 items kept beside the Resident record (本籍・筆頭者, the dates of the
// residence, the support measure), family registers (戸籍) with their
// members, events and attached address register (戸籍の附票), and seal
// registrations (印鑑登録). Plain values like model.h; the civil service
// (civil_service.h) is the only writer that enforces the rules.
//
// Dates are "YYYY-MM-DD" (JST calendar days), as in model.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "openmyna/registry/model.h"

namespace openmyna::registry {

// One member of a household and their 続柄 (relationship to the head) as
// written on the 住民票: "世帯主" for the head, then "妻", "夫", "子",
// "長男", "母", "同居人", ... (free text, as municipalities write it).
struct HouseholdMember {
  std::string resident_id;
  std::string relationship;
};

// A household (世帯) in the municipality of residence. Every resident is in
// at most one household (enforced by the store).
struct Household {
  std::string id;
  std::string municipality_code;
  std::string address;
  std::string head_id;                   // 世帯主
  std::vector<HouseholdMember> members;  // the head first
  std::string formed_on;
};

// 住民基本台帳事務における支援措置 (DV, stalking, child abuse): while in
// force, nobody obtains the resident's 住民票 or 附票 in their place and
// the convenience-store service refuses (konbini.md §2.5).
struct SupportMeasure {
  std::string kind;      // "dv", "stalking", "child_abuse", "other"
  std::string since;     // granted on
  std::string last_day;  // domain::SupportMeasureLastDay, extendable
};

// The items of a resident's 住民票 that the Resident record does not hold
// (住民基本台帳法 §7). `honseki` and `hittosha` are the residence
// municipality's copy of the domicile (Japanese nationals only); the family
// register itself is held by the domicile municipality.
struct ResidentCivil {
  std::string resident_id;
  std::string honseki;              // 本籍
  std::string hittosha;             // 筆頭者 (head of the family register)
  std::string family_register_id;   // when held in this registry
  std::string became_resident_on;   // 住民となった年月日
  std::string address_set_on;       // 住所を定めた年月日
  std::string address_notified_on;  // 届出年月日
  std::string previous_address;     // 前住所
  std::optional<SupportMeasure> support_measure;
  // A 転出届 filed before the move (住民基本台帳法 Art. 24): the planned day
  // (転出予定日) and the new address; the resident stays registered here
  // until the move-in elsewhere. "" when none.
  std::string move_out_planned_on;
  std::string move_out_address;
};

// One line of the 戸籍の附票: an address and the day it was set.
struct AttachedAddress {
  std::string address;
  std::string set_on;
};

// A person in a family register (戸籍法 §13): entered with a cause and date,
// possibly removed (除籍) later; the record stays in the register.
struct FamilyRegisterMember {
  std::string resident_id;  // "" when not a resident of this registry
  std::string name;
  std::string name_kana;  // 振り仮名 (from 2025-05-26)
  std::string date_of_birth;
  Sex sex = Sex::kUnknown;
  std::string father;
  std::string mother;
  std::string relationship;  // 父母との続柄: "長男", "長女", "二男", ...
  std::string spouse;        // 夫 / 妻 name, "" when none
  std::string entered_on;
  std::string entry_cause;                 // "編製", "出生", "婚姻", ...
  std::string left_on;                     // "" while in the register
  std::string left_cause;                  // "婚姻", "死亡", "転籍", ...
  std::vector<AttachedAddress> addresses;  // 戸籍の附票, oldest first
};

// A 身分事項 event filed for a member. Filed at some municipality, then
// reflected in the register; until reflected, certificates of this register
// are refused (konbini.md §2.3, city.tamba).
struct FamilyRegisterEvent {
  std::string id;
  int member = 0;  // index into FamilyRegister::members
  std::string kind;  // "出生", "婚姻", "離婚", "養子縁組", "死亡", ...
  std::string on;  // the day of the event
  std::string filed_on;
  std::string filed_with;    // municipality code that received the filing
  std::string detail;        // as written in the 身分事項 column
  std::string reflected_on;  // "" = not yet reflected
};

// A family register (戸籍), held by the municipality of its 本籍.
struct FamilyRegister {
  std::string id;
  std::string municipality_code;  // the domicile municipality (本籍地)
  std::string honseki;            // 本籍 (full address text)
  std::string head_name;          // 筆頭者氏名
  std::string created_on;
  std::string created_cause;  // "編製" cause: "婚姻", "転籍", ...
  std::vector<FamilyRegisterMember> members;
  std::vector<FamilyRegisterEvent> events;
};

enum class SealState { kRegistered, kDeregistered };

// A seal registration (印鑑登録) in the municipality of residence: the
// registration number, the scanned impression (PNG) and its true size.
struct SealRegistration {
  std::string number;  // 登録番号, "<municipality>-<6 digits>"
  std::string resident_id;
  std::string municipality_code;
  std::string impression_png;     // the PNG bytes of the scanned impression
  std::string impression_sha256;  // hex, to refuse a seal shared in a household
  double width_mm = 0;
  double height_mm = 0;
  std::string registered_on;
  SealState state = SealState::kRegistered;
  std::string deregistered_on;
  std::string deregistration_reason;  // "廃止", "亡失", "転出", "死亡", ...
};

std::string_view ToString(SealState state);

}  // namespace openmyna::registry
