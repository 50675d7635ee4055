// Fees and schedules of domain.md §6 and §8.1 (the guidebook's figures).
#include <gtest/gtest.h>

#include "openmyna/domain/errors.h"
#include "openmyna/domain/fees.h"
#include "openmyna/domain/residence.h"
#include "openmyna/domain/schedules.h"
#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;
using namespace std::chrono;

TEST(Fees, GuidebookSchedule) {
  EXPECT_EQ(kGuidebookFees.first_issue_yen, 0);
  EXPECT_EQ(kGuidebookFees.reissue_with_certs_yen, 1000);
  EXPECT_EQ(kGuidebookFees.reissue_without_certs_yen, 800);
  EXPECT_EQ(kGuidebookFees.notes_full_reissue_yen, 0);
  EXPECT_EQ(kGuidebookFees.renewal_yen, 0);
}

TEST(Fees, ConvenienceStoreIsFiftyYenCheaper) {
  EXPECT_EQ(ConvenienceStoreFee(300), 250);
  EXPECT_EQ(ConvenienceStoreFee(450), 400);
  EXPECT_EQ(ConvenienceStoreFee(50), 0);
  EXPECT_EQ(ConvenienceStoreFee(20), 0);
}

hh_mm_ss<minutes> At(int h, int m) {
  return hh_mm_ss<minutes>{hours{h} + minutes{m}};
}

TEST(ConvenienceStore, OpenFromSixThirtyToEleven) {
  EXPECT_FALSE(ConvenienceStoreOpen(At(0, 0)));
  EXPECT_FALSE(ConvenienceStoreOpen(At(6, 29)));
  EXPECT_TRUE(ConvenienceStoreOpen(At(6, 30)));
  EXPECT_TRUE(ConvenienceStoreOpen(At(12, 0)));
  EXPECT_TRUE(ConvenienceStoreOpen(At(22, 59)));
  EXPECT_FALSE(ConvenienceStoreOpen(At(23, 0)));
  EXPECT_FALSE(ConvenienceStoreOpen(At(23, 59)));
}

TEST(ConvenienceStore, FifteenAndAValidAuthCertificate) {
  EXPECT_EQ(kConvenienceStoreMinimumAge, 15);
  EXPECT_FALSE(MayUseConvenienceStore(14, true, false));
  EXPECT_TRUE(MayUseConvenienceStore(15, true, false));
  EXPECT_FALSE(MayUseConvenienceStore(30, false, false));
  EXPECT_FALSE(MayUseConvenienceStore(30, true, true));  // face-auth card
}

// domain.md §8.1 table, every cell.
TEST(KioskAvailability, EveryCellOfTheTable) {
  using A = Availability;
  using C = KioskCertificate;
  struct Row {
    bool lives, domicile;
    A resident, seal, family, annex;
  };
  const Row rows[] = {
      {true, true, A::kAvailable, A::kAvailable, A::kAvailable, A::kAvailable},
      {true, false, A::kAvailable, A::kAvailable,
       A::kDependsOnOtherMunicipality, A::kDependsOnOtherMunicipality},
      {false, true, A::kDependsOnOtherMunicipality,
       A::kDependsOnOtherMunicipality, A::kAfterPriorRegistration,
       A::kAfterPriorRegistration},
      {false, false, A::kDependsOnOtherMunicipality,
       A::kDependsOnOtherMunicipality, A::kDependsOnOtherMunicipality,
       A::kDependsOnOtherMunicipality},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(KioskAvailability(r.lives, r.domicile, C::kResidentRecordCopy),
              r.resident);
    EXPECT_EQ(KioskAvailability(r.lives, r.domicile, C::kSealRegistration),
              r.seal);
    EXPECT_EQ(KioskAvailability(r.lives, r.domicile, C::kFamilyRegister),
              r.family);
    EXPECT_EQ(KioskAvailability(r.lives, r.domicile, C::kFamilyRegisterAnnex),
              r.annex);
  }
}

// "転入後90日以内" with the day of moving in not counted (Civil Code Art. 140).
TEST(MoveIn, NinetyDaysAfterMovingIn) {
  EXPECT_EQ(MoveInPresentationDeadline(D("2024-01-01")), D("2024-03-31"));
  EXPECT_EQ(MoveInPresentationDeadline(D("2023-01-01")), D("2023-04-01"));
  EXPECT_EQ(MoveInPresentationDeadline(D("2024-10-15")), D("2025-01-13"));
}

TEST(ResidenceStatus, NamesRoundTripAndUnknownNamesFail) {
  EXPECT_EQ(AllResidenceStatuses().size(), 9u);
  for (ResidenceStatus s : AllResidenceStatuses()) {
    auto parsed = ParseResidenceStatus(ResidenceStatusName(s));
    ASSERT_TRUE(parsed) << ResidenceStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(*ParseResidenceStatus("permanent-resident"),
            ResidenceStatus::kPermanentResident);
  auto bad = ParseResidenceStatus("tourist");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(DomainErrc::kInvalidStatus));
  EXPECT_NE(bad.error().message().find("mid-to-long-term"), std::string::npos);
  EXPECT_FALSE(ParseResidenceStatus("Permanent-Resident"));
  EXPECT_TRUE(NeedsStayUntil(ResidenceStatus::kProvisionalStay));
  EXPECT_FALSE(NeedsStayUntil(ResidenceStatus::kPermanentResident));
  EXPECT_TRUE(IsTransitional(ResidenceStatus::kTransitionalBirth));
}

TEST(DomainErrors, InputErrorsAreNamedForExitCodeTwo) {
  for (DomainErrc c :
       {DomainErrc::kInvalidNumber, DomainErrc::kInvalidDate,
        DomainErrc::kInvalidArgument, DomainErrc::kInvalidStatus,
        DomainErrc::kInvalidNumberLength, DomainErrc::kInvalidCheckDigit,
        DomainErrc::kInvalidEraDate}) {
    EXPECT_TRUE(ErrorTraits<DomainErrc>::Name(c).starts_with("invalid_"));
  }
  EXPECT_EQ(ErrorTraits<DomainErrc>::Name(DomainErrc::kNotEligible),
            "not_eligible");
}

}  // namespace
}  // namespace openmyna::domain
