// The outcome table against card-apdu.md §10.1 (values typed from the doc).
#include "openmyna/card/status_words.h"

#include <gtest/gtest.h>

namespace openmyna::card {
namespace {

TEST(StatusWordsTest, TableMatchesTheSpecification) {
  const std::pair<Outcome, std::uint16_t> expected[] = {
      {Outcome::kOk, 0x9000},
      {Outcome::kIssuerAuthFailed, 0x6300},
      {Outcome::kWrongLength, 0x6700},
      {Outcome::kLogicalChannel, 0x6881},
      {Outcome::kSecureMessaging, 0x6882},
      {Outcome::kInternalEf, 0x6981},
      {Outcome::kSecurityStatus, 0x6982},
      {Outcome::kBlocked, 0x6984},
      {Outcome::kConditionsOfUse, 0x6985},
      {Outcome::kNoCurrentEf, 0x6986},
      {Outcome::kNoSmSession, 0x69FC},
      {Outcome::kWrongData, 0x6A80},
      {Outcome::kFunctionNotSupported, 0x6A81},
      {Outcome::kFileNotFound, 0x6A82},
      {Outcome::kRecordNotFound, 0x6A83},
      {Outcome::kWrongP1P2, 0x6A86},
      {Outcome::kDataNotFound, 0x6A88},
      {Outcome::kOffsetOutside, 0x6B00},
      {Outcome::kInsNotSupported, 0x6D00},
      {Outcome::kClaNotSupported, 0x6E00},
      {Outcome::kErasedChip, 0x6F00},
      {Outcome::kRsaInputTooLarge, 0x6F00},
  };
  for (auto [outcome, sw] : expected) {
    EXPECT_EQ(StatusWordOf(outcome), sw) << OutcomeName(outcome);
  }
}

TEST(StatusWordsTest, TriesAreInTheLowNibble) {
  EXPECT_EQ(StatusWordOf(Outcome::kWrongPin, 2), 0x63C2);
  EXPECT_EQ(StatusWordOf(Outcome::kTriesLeft, 5), 0x63C5);
  EXPECT_EQ(StatusWordOf(Outcome::kWrongPin, 0), 0x63C0);
}

TEST(StatusWordsTest, ResponseApduAppendsSw) {
  EXPECT_EQ(ResponseApdu(Bytes{0x30, 0x82}, Outcome::kOk),
            (Bytes{0x30, 0x82, 0x90, 0x00}));
}

}  // namespace
}  // namespace openmyna::card
