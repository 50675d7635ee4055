// Schedules and service rules as data (domain.md §6, §8.1).
#pragma once

#include <chrono>

#include "openmyna/domain/date.h"

namespace openmyna::domain {

// Multi-copy machines issue certificates daily 06:30-23:00 JST (domain.md
// §8.1): open from 06:30 inclusive up to 23:00 exclusive. Maintenance days
// are not modelled here.
inline constexpr std::chrono::minutes kConvenienceStoreOpens{6 * 60 + 30};
inline constexpr std::chrono::minutes kConvenienceStoreCloses{23 * 60};
bool ConvenienceStoreOpen(
    std::chrono::hh_mm_ss<std::chrono::minutes> time_of_day);

// Under-15s cannot use convenience-store issuance, even with an
// authentication certificate (domain.md §8.1).
inline constexpr int kConvenienceStoreMinimumAge = 15;

// Whether a person may use convenience-store issuance: 15 or older, an
// authentication certificate valid on the day, not a face-auth card.
bool MayUseConvenienceStore(int age, bool has_valid_auth_cert,
                            bool face_auth_card);

// Domain.md §8.1 availability table (○ / △ / ▲).
enum class Availability {
  kAvailable,                   // ○
  kAfterPriorRegistration,      // △
  kDependsOnOtherMunicipality,  // ▲
};
enum class KioskCertificate {
  kResidentRecordCopy,   // 住民票の写し
  kSealRegistration,     // 印鑑登録証明書
  kFamilyRegister,       // 戸籍全部（個人）事項証明書
  kFamilyRegisterAnnex,  // 戸籍の附票の写し
};
// Seen from the municipality that runs the service: does the resident live
// there, is their registered domicile (本籍) there, which certificate.
Availability KioskAvailability(bool lives_in_municipality,
                               bool domicile_in_municipality,
                               KioskCertificate certificate);

// After moving to another municipality the card must be presented there
// "within 90 days of moving in" or it becomes void (domain.md §6). The day
// of moving in is not counted (Civil Code Art. 140), so the last valid day
// is moved_in + 90 days.
inline constexpr int kMoveInPresentationDays = 90;
Date MoveInPresentationDeadline(Date moved_in);

}  // namespace openmyna::domain
