#include "openmyna/domain/fees.h"

#include <algorithm>

namespace openmyna::domain {

int ConvenienceStoreFee(int counter_fee_yen) {
  return std::max(0, counter_fee_yen - kConvenienceStoreDiscountYen);
}

int ReissueFee(const FeeSchedule& fees, bool with_certificates,
               bool notes_area_full) {
  if (notes_area_full) return fees.notes_full_reissue_yen;
  return with_certificates ? fees.reissue_with_certs_yen
                           : fees.reissue_without_certs_yen;
}

}  // namespace openmyna::domain
