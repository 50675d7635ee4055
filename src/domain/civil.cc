#include "openmyna/domain/civil.h"

#include <chrono>
#include <cstdio>

namespace openmyna::domain {

std::optional<std::string> SealRegistrationRefusal(int age, bool adult_ward) {
  if (age < kSealMinimumAge) {
    return "a person under 15 cannot register a seal "
           "(印鑑登録証明事務処理要領 第2-1)";
  }
  if (adult_ward) {
    return "an adult ward (成年被後見人) cannot register a seal "
           "(印鑑登録証明事務処理要領 第2-1)";
  }
  return std::nullopt;
}

std::optional<std::string> SealImpressionRefusal(double width_mm,
                                                 double height_mm) {
  if (!(width_mm > 0) || !(height_mm > 0)) {
    return "the impression's width and height must be positive";
  }
  if (width_mm <= kSealMinSideMm && height_mm <= kSealMinSideMm) {
    return "the impression fits inside an 8 mm square "
           "(印鑑登録証明事務処理要領 第2-2)";
  }
  if (width_mm > kSealMaxSideMm || height_mm > kSealMaxSideMm) {
    return "the impression does not fit in a 25 mm square "
           "(印鑑登録証明事務処理要領 第2-2)";
  }
  return std::nullopt;
}

Date SupportMeasureLastDay(Date granted_on) {
  // Civil Code Art. 143: the period ends on the day before the
  // corresponding day; with no corresponding day (29 February) it ends on
  // the last day of that month (Art. 143(2) proviso).
  if (granted_on.month() == std::chrono::February &&
      granted_on.day() == std::chrono::day{29}) {
    return Date{granted_on.year() + std::chrono::years{1},
                std::chrono::February, std::chrono::day{28}};
  }
  return AddDays(AddMonths(granted_on, 12), -1);
}

bool SupportMeasureInForce(Date since, Date last_day, Date on) {
  return std::chrono::sys_days(since) <= std::chrono::sys_days(on) &&
         std::chrono::sys_days(on) <= std::chrono::sys_days(last_day);
}

}  // namespace openmyna::domain
