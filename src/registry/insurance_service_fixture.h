// (test only) The fixture of the insurance rules' tests
// (insurance_service_test.cc, insurance_documents_test.cc): the registry of
// testing/service_fixture.h, InsuranceService over it with two insurers and
// a clinic, and residents and cards made through RegistryService.
#pragma once

#include <gtest/gtest.h>

#include <chrono>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/registry/service.h"
#include "testing/service_fixture.h"

namespace openmyna::registry::testing {

// 10:00 JST (or `hour_jst`) on y-m-d.
inline TimePoint At(int y, unsigned m, unsigned d, int hour_jst = 10) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hour_jst - 9};
}

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};
const Actor kSystem{"batch", Role::kSystem, "nightly batch"};
const Actor kKenpo{"01040013", Role::kInsurer, "資格取得届"};
const Actor kKyosai{"33120015", Role::kInsurer, "資格取得届"};
const Actor kClinic{"2010000017", Role::kClinic, "受付"};

constexpr const char* kTaroAddress = "長野県千曲市大字杭瀬下84番地";
constexpr const char* kNamesakeAddress = "東京都清瀬市中里五丁目842番地";

class InsuranceServiceTest : public RegistryServiceFixture {
 protected:
  InsuranceServiceTest() : RegistryServiceFixture(At(2026, 12, 1), 12) {}
  void SetUp() override {
    RegistryServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    insurance_ = std::make_unique<InsuranceService>(*store_, clock_, rng_);
    ASSERT_TRUE(insurance_->PutInsurer(
        kSystem, {"01040013", "協会けんぽ 宮城支部", "協会けんぽ"}));
    ASSERT_TRUE(insurance_->PutInsurer(
        kSystem, {"33120015", "警察共済 千葉", "共済組合"}));
    ASSERT_TRUE(insurance_->PutInstitution(kSystem, {"2010000017",
                                                     "サンドボックス診療所",
                                                     InstitutionKind::kClinic,
                                                     "長野県千曲市",
                                                     {"drug", "checkup"}}));
  }

  Resident Register(std::string number, std::string address,
                    std::string dob = "1980-05-05",
                    std::string name = "千曲 太郎",
                    std::string kana = "チクマ タロウ",
                    std::string representative = "") {
    Resident r;
    r.individual_number = std::move(number);
    r.name = std::move(name);
    r.name_kana = std::move(kana);
    r.date_of_birth = std::move(dob);
    r.sex = Sex::kMale;
    r.address = std::move(address);
    r.legal_representative_id = std::move(representative);
    r.municipality_code = r.address.starts_with("東京都") ? "13221" : "20218";
    auto registered = registry_->RegisterResident(kClerk, r);
    EXPECT_TRUE(registered) << registered.error();
    return registered.value_or(Resident{});
  }

  Card IssueCard(const Resident& r, CardKind kind = CardKind::kStandard) {
    auto delivered = testing::IssueCard(*registry_, r, kind);
    EXPECT_TRUE(delivered) << delivered.error();
    return delivered.value_or(Card{});
  }

  std::string AuthSerial(const std::string& resident_id) {
    auto file = registry_->GetResident(kSystem, resident_id);
    EXPECT_TRUE(file);
    std::string serial;
    for (const Certificate& c : file->certificates) {
      if (c.type == CertificateType::kAuthentication && !c.revoked) {
        serial = c.serial;
      }
    }
    return serial;
  }

  // The insurer's copy of Taro, as on a 資格取得届.
  static Membership Form(std::string insurer = "01040013",
                         std::string number = "5678",
                         std::string branch = "00") {
    Membership m;
    m.insurer_number = std::move(insurer);
    m.symbol = "1234";
    m.number = std::move(number);
    m.branch = std::move(branch);
    m.name = "千曲 太郎";
    m.name_kana = "チクマ タロウ";
    m.date_of_birth = "1980-05-05";
    m.sex = Sex::kMale;
    m.address = kTaroAddress;
    m.acquired_on = "2020-04-01";
    return m;
  }

  EnrolmentOutcome Enrol(const Actor& insurer, Membership m,
                         std::string number = "") {
    auto out = insurance_->Enrol(insurer, {std::move(m), std::move(number)});
    EXPECT_TRUE(out) << out.error();
    return out.value_or(EnrolmentOutcome{});
  }

  Validity ByData(std::string insurer, std::string number, std::string branch,
                  std::string dob = "1980-05-05", std::string symbol = "") {
    auto answer = insurance_->CheckByCardData(
        kClinic, {std::move(insurer), std::move(symbol), std::move(number),
                  std::move(branch), std::move(dob)});
    EXPECT_TRUE(answer) << answer.error();
    return answer ? answer->validity : Validity::kNoQualification;
  }

  std::vector<AuditEntry> Audit(const std::string& resident_id) {
    auto trail = registry_->AuditTrail(kSystem, resident_id);
    EXPECT_TRUE(trail) << trail.error();
    return trail.value_or(std::vector<AuditEntry>{});
  }

  static int Count(const std::vector<AuditEntry>& trail,
                   std::string_view action) {
    int n = 0;
    for (const AuditEntry& e : trail) n += e.action == action;
    return n;
  }

  std::unique_ptr<InsuranceService> insurance_;
};

}  // namespace openmyna::registry::testing
