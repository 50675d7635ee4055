// Health-insurance sample data for a fresh sandbox (`openmyna db seed`, run
// by `openmyna up`; issue 12, item 1), after SeedSampleData:
//  - sandbox insurers (保険者別番号 991, valid check digits; names say
//    サンドボックス): a 健康保険組合 and 協会けんぽ (Nagano), the national
//    health insurance of Kiyose City and the late-elderly union of Nagano;
//  - memberships of the five sample residents, enrolled with the individual
//    number: 千曲 太郎 changed jobs on 2026-04-01, moving (with his daughter
//    花子 as dependent) from the 組合 to 協会けんぽ; 更級 ハル is late-elderly
//    (10 %, 特定疾病 人工透析); 清瀬 次郎 is in Kiyose's 国保 with a 限度額
//    certificate;
//  - a near-namesake of 千曲 太郎 (same name, kana, birth date and sex,
//    living in Kiyose), never enrolled: the look-alike of the 2023 failure;
//  - a sample clinic and pharmacy (institution codes 2010991001, 2040991001);
//  - generated, reproducible medication (24 months), check-ups (太郎, five
//    years) and monthly medical expenses, dated back from the clock's today;
//  - the first sample resident's card registered as insurance card when
//    that card exists and has an authentication certificate.
// Idempotent: a second run finds the memberships and adds nothing.
#pragma once

#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct InsuranceSeedReport {
  std::vector<Insurer> insurers;
  std::vector<MedicalInstitution> institutions;
  int memberships_created = 0;
  int medication_records = 0;
  int checkups = 0;
  int expenses = 0;
  std::string namesake_id;          // the look-alike resident
  std::string registered_resident;  // whose card was registered, or ""
};

Result<InsuranceSeedReport> SeedInsuranceSampleData(RegistryStore& store,
                                                    RegistryService& registry,
                                                    InsuranceService& insurance,
                                                    const Clock& clock);

// The sample insurers' numbers (check digit computed by domain).
std::string SampleInsurerNumber(std::string_view base);

}  // namespace openmyna::registry
