// domain.md §7 (the three documents) and §6 (former surname), from the
// guidebook's table and notes.
#include "openmyna/domain/documents.h"

#include <gtest/gtest.h>

#include "openmyna/domain/fees.h"
#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;

TEST(Documents, WhatEachDocumentProves) {
  using N = NumberDocument;
  EXPECT_TRUE(ProvesNumber(N::kMyNumberCard));
  EXPECT_FALSE(ProvesNumber(N::kMyNumberCard, {}, /*card_valid=*/false));
  EXPECT_FALSE(ProvesNumber(N::kNotificationLetter));
  EXPECT_TRUE(ProvesNumber(N::kNotificationCard));
  EXPECT_TRUE(ProvesNumber(N::kNotificationCard, D("2020-05-24")));
  EXPECT_FALSE(ProvesNumber(N::kNotificationCard, D("2020-05-25")));
  EXPECT_FALSE(ProvesNumber(N::kNotificationCard, D("2023-01-01")));

  EXPECT_TRUE(IsIdentityDocument(N::kMyNumberCard));
  EXPECT_FALSE(IsIdentityDocument(N::kMyNumberCard, false));
  EXPECT_FALSE(IsIdentityDocument(N::kNotificationCard));
  EXPECT_FALSE(IsIdentityDocument(N::kNotificationLetter));

  EXPECT_TRUE(CanBeReissued(N::kMyNumberCard));
  EXPECT_FALSE(CanBeReissued(N::kNotificationCard));
  EXPECT_FALSE(CanBeReissued(N::kNotificationLetter));
  EXPECT_EQ(kNotificationCardAbolished, D("2020-05-25"));
  EXPECT_EQ(kFormerSurnameSince, D("2019-11-05"));
}

// Guidebook p.4: 『番号 [〇〇] 花子』.
TEST(Documents, FormerSurnameNotation) {
  EXPECT_EQ(NameWithFormerSurname("番号", "〇〇", "花子"), "番号 [〇〇] 花子");
  EXPECT_EQ(NameWithFormerSurname("番号", "", "花子"), "番号 花子");
}

TEST(Documents, LegalRepresentativeUnderFifteenAndForWards) {
  EXPECT_TRUE(NeedsLegalRepresentative(14, false));
  EXPECT_FALSE(NeedsLegalRepresentative(15, false));
  EXPECT_TRUE(NeedsLegalRepresentative(40, true));
}

// domain.md §6: ¥1,000 with certificates, ¥800 without, free when the notes
// area is full.
TEST(Fees, ReissueFee) {
  EXPECT_EQ(ReissueFee(kGuidebookFees, true, false), 1000);
  EXPECT_EQ(ReissueFee(kGuidebookFees, false, false), 800);
  EXPECT_EQ(ReissueFee(kGuidebookFees, true, true), 0);
  FeeSchedule custom;
  custom.reissue_with_certs_yen = 1200;
  EXPECT_EQ(ReissueFee(custom, true, false), 1200);
}

}  // namespace
}  // namespace openmyna::domain
