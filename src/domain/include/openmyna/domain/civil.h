// Rules of the civil records behind the convenience-store certificates
// (issue 11, item 1; ../shared/docs/konbini.md §2.2, §2.5): seal
// registration (印鑑登録) and the support measure (支援措置).
//
// Sources:
// - 印鑑登録証明事務処理要領 (総務省, 昭和49年 自治振第10号) 第2-1, 第2-2, as
//   restated by municipal pages (city.nagahama, shichigahama): a person under
//   15 or an adult ward (成年被後見人) cannot register; the impression must
//   not fit inside an 8 mm square nor exceed a 25 mm square; one seal per
//   person; a seal already registered by another member of the household is
//   refused.
// - 住民基本台帳事務処理要領 第5-10 (支援措置): the measure runs one year from
//   the day it is granted and may be extended by a year at a time.
#pragma once

#include <optional>
#include <string>

#include "openmyna/domain/date.h"

namespace openmyna::domain {

// Impression limits of 第2-2 (millimetres, the sides of the smallest
// enclosing rectangle).
inline constexpr double kSealMinSideMm = 8.0;
inline constexpr double kSealMaxSideMm = 25.0;
// Minimum age to register a seal (第2-1).
inline constexpr int kSealMinimumAge = 15;

// Why a person of `age` (adult ward or not) may not register a seal, or
// nullopt when they may.
std::optional<std::string> SealRegistrationRefusal(int age, bool adult_ward);

// Why an impression of `width_mm` x `height_mm` may not be registered, or
// nullopt when it may: it fits inside the 8 mm square (both sides <= 8) or
// does not fit in the 25 mm square (a side > 25), or a side is not positive.
std::optional<std::string> SealImpressionRefusal(double width_mm,
                                                 double height_mm);

// The last day of a support measure granted on `granted_on` (one year:
// the day before the anniversary; Civil Code Art. 143).
Date SupportMeasureLastDay(Date granted_on);

// Whether a measure from `since` to `last_day` (inclusive) protects on `on`.
bool SupportMeasureInForce(Date since, Date last_day, Date on);

}  // namespace openmyna::domain
