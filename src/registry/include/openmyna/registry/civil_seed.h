// Civil records for the sample residents of seed.h (issue 11, item 1), so
// that every convenience-store certificate can be tried on a fresh sandbox:
//  - households: 千曲 太郎 (世帯主) with 千曲 花子 (子); SMITH JOHN; 更級 ハル;
//    清瀬 次郎 in Kiyose;
//  - family registers held by the domicile municipality, across the two
//    municipalities: the 千曲 family lives in Chikuma and is domiciled in
//    Kiyose (13221); 清瀬 次郎 lives in Kiyose and is domiciled in Chikuma;
//    更級 ハル lives and is domiciled in Chikuma; each member with the lines
//    of the 戸籍の附票;
//  - the 住民票 items (本籍・筆頭者, residence dates, 前住所);
//  - registered seals (印鑑登録) of 千曲 太郎, 更級 ハル and 清瀬 次郎, the
//    impression a 1-bit PNG of the surname in a ring, 15 mm square.
// Idempotent: nothing is written when the first sample resident already
// has a household.
#pragma once

#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/registry/civil_service.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct CivilSeedReport {
  std::vector<std::string> households;        // ids, created now
  std::vector<std::string> family_registers;  // ids, created now
  std::vector<std::string> seals;             // numbers, created now
};

// `residents`: the ids of SeedReport::residents, in seed.h's order.
Result<CivilSeedReport> SeedCivilRecords(
    CivilService& civil, const std::vector<std::string>& residents);

// A sample seal impression: `surname` rendered inside a ring, 1-bit PNG of
// `pixels` square.
Result<std::string> SampleSealImpressionPng(std::string_view surname,
                                            int pixels = 240);

}  // namespace openmyna::registry
