#include "openmyna/domain/fees.h"

#include <algorithm>

namespace openmyna::domain {

int ConvenienceStoreFee(int counter_fee_yen) {
  return std::max(0, counter_fee_yen - kConvenienceStoreDiscountYen);
}

}  // namespace openmyna::domain
