#include "openmyna/domain/schedules.h"

namespace openmyna::domain {

bool ConvenienceStoreOpen(
    std::chrono::hh_mm_ss<std::chrono::minutes> time_of_day) {
  const auto t = time_of_day.to_duration();
  return t >= kConvenienceStoreOpens && t < kConvenienceStoreCloses;
}

bool MayUseConvenienceStore(int age, bool has_valid_auth_cert,
                            bool face_auth_card) {
  return age >= kConvenienceStoreMinimumAge && has_valid_auth_cert &&
         !face_auth_card;
}

Availability KioskAvailability(bool lives_in_municipality,
                               bool domicile_in_municipality,
                               KioskCertificate certificate) {
  // domain.md §8.1 table, seen from the municipality offering the service.
  switch (certificate) {
    case KioskCertificate::kResidentRecordCopy:
    case KioskCertificate::kSealRegistration:
      return lives_in_municipality ? Availability::kAvailable
                                   : Availability::kDependsOnOtherMunicipality;
    case KioskCertificate::kFamilyRegister:
    case KioskCertificate::kFamilyRegisterAnnex:
      if (!domicile_in_municipality) {
        return Availability::kDependsOnOtherMunicipality;
      }
      return lives_in_municipality ? Availability::kAvailable
                                   : Availability::kAfterPriorRegistration;
  }
  return Availability::kDependsOnOtherMunicipality;
}

Date MoveInPresentationDeadline(Date moved_in) {
  return AddDays(moved_in, kMoveInPresentationDays);
}

}  // namespace openmyna::domain
