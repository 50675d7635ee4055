// SELECT, READ BINARY, READ RECORD, GET DATA, CLA/INS rules and the OpenSC
// probes. Expected status words come from card-apdu.md (§1.3, §3, §7, §14,
// §16), not from the kernel.
#include "openmyna/card/card.h"

#include <gtest/gtest.h>

#include "kernel/test_util.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/issuance.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

class CardTest : public ::testing::Test {
 protected:
  CardTest() : card_(Card::FromImage(PersonalizedImage(), rng_)) {
    card_->PowerOn();
  }
  DeterministicRng rng_{7};
  std::unique_ptr<Card> card_;
};

TEST_F(CardTest, EveryOpenScProbeIsRefused) {
  // The 29 APDUs of card-apdu.md §1.3, with the §16 #1 answers for GET DATA.
  std::vector<std::pair<std::string, std::uint16_t>> probes = {
      {"00 A4 04 00 07 62 76 01 FF 00 00 00", 0x6A82},
      {"00 A4 04 00 06 A0 00 00 00 01 01", 0x6A82},
      {"00 A4 04 00 0B E8 2B 06 01 04 01 81 C3 1F 02 01 00", 0x6A82},
      {"00 A4 04 0C 0F D2 33 00 00 00 45 73 74 45 49 44 20 76 33 35", 0x6A82},
      {"00 CA DF 30 05", 0x6A88},
      {"00 CB 3F FF 03 5C 01 7E 08", 0x6D00},
      {"00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00", 0x6A82},
      {"00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00", 0x6A82},
      {"00 A4 04 0C 07 A0 00 00 01 16 DB 00 00", 0x6A82},
      {"00 A4 04 0C 07 A0 00 00 00 79 10 00 00", 0x6A82},
      {"00 A4 04 00 0C F2 76 A2 88 BC FB A6 9D 34 F3 10 01", 0x6A82},
      {"00 A4 04 00 09 A0 00 00 03 97 42 54 46 59 00", 0x6A82},
      {"00 A4 04 00 06 D2 76 00 01 24 01 00", 0x6A82},
  };
  for (int xx = 0; xx < 16; ++xx) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "00 A4 04 0C 07 A0 00 00 00 79 01 %02X 00",
                  xx);
    probes.emplace_back(buf, 0x6A82);
  }
  ASSERT_EQ(probes.size(), 29u);
  // Both with no AP selected and with the JPKI AP selected (state carries
  // over between PC/SC clients, pcsc-testing.md P16).
  for (bool with_ap : {false, true}) {
    card_->Reset();
    if (with_ap) {
      ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
    }
    for (const auto& [apdu, sw] : probes) {
      EXPECT_EQ(SendSw(*card_, apdu), sw) << apdu << " with_ap=" << with_ap;
    }
  }
}

TEST_F(CardTest, SelectKnownApplicationsAnyP2) {
  for (const char* p2 : {"0C", "00", "04"}) {
    EXPECT_EQ(SendSw(*card_, std::string("00 A4 04 ") + p2 +
                                 " 0A D3 92 F0 00 26 01 00 00 00 01"),
              0x9000);
    // No FCI is returned (§16 #2).
    EXPECT_EQ(Send(*card_, std::string("00 A4 04 ") + p2 +
                               " 0A D3 92 F0 00 26 01 00 00 00 01 00"),
              (Bytes{0x90, 0x00}));
  }
  EXPECT_EQ(SendSw(*card_, kSelectJuki), 0x9000);
  EXPECT_EQ(SendSw(*card_, kSelectCommon), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 A4 04 00 07 A0 00 00 01 51 00 00"), 0x9000);
  // An AID prefix is not enough (§16 #14).
  EXPECT_EQ(SendSw(*card_, "00 A4 04 0C 05 D3 92 F0 00 26"), 0x6A82);
}

TEST_F(CardTest, SelectMfRules) {
  // Right after reset: 6A 86; with an AP current: 90 00 without leaving it.
  EXPECT_EQ(SendSw(*card_, "00 A4 00 00"), 0x6A86);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 A4 00 00"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0A"), 0x9000);  // still JPKI
  EXPECT_EQ(SendSw(*card_, "00 A4 00 00 02 3F 00"), 0x6A82);
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 3F 00"), 0x6A82);
}

TEST_F(CardTest, SelectEfWithNoApSelected) {
  // §16 #16: 6A 82, except the MF's own 001E which reads as internal (§7.3).
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0A"), 0x6A82);
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 2F 10"), 0x6A82);
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 1E"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6981);
}

TEST_F(CardTest, ReadBinaryOffsetChunksAsOpenSc) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0A"), 0x9000);
  // The size probe and the 256-byte chunks of §11.1 (750-byte certificate).
  EXPECT_EQ(Send(*card_, "00 B0 00 00 04"),
            (Bytes{0x30, 0x82, 0x02, 0xEA, 0x90, 0x00}));
  Bytes whole;
  for (const char* apdu :
       {"00 B0 00 00 00", "00 B0 01 00 00", "00 B0 02 00 EE"}) {
    Bytes r = Send(*card_, apdu);
    ASSERT_EQ(SwOf(r), 0x9000) << apdu;
    Append(whole, DataOf(r));
  }
  EXPECT_EQ(whole, DerShapedBlob(750, 0xA1));
}

TEST_F(CardTest, ReadBinaryPastTheEnd) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0A"), 0x9000);
  // Le beyond the end: the bytes that exist + 90 00.
  Bytes r = Send(*card_, "00 B0 02 E0 00");
  EXPECT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(DataOf(r).size(), 750u - 0x2E0);
  // Offset at / beyond the end: 6B 00.
  EXPECT_EQ(SendSw(*card_, "00 B0 02 EE 01"), 0x6B00);
  EXPECT_EQ(SendSw(*card_, "00 B0 7F FF 01"), 0x6B00);
}

TEST_F(CardTest, ReadBinarySfiAndExtendedLe) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  // 00 B0 8A 00 00 00 00: the whole auth certificate in one response.
  Bytes r = Send(*card_, "00 B0 8A 00 00 00 00");
  EXPECT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(DataOf(r), DerShapedBlob(750, 0xA1));
  // BEXT's form with an offset and an explicit extended Le.
  r = Send(*card_, "00 B0 8A 04 00 01 2C");
  EXPECT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(DataOf(r).size(), 300u);
  // The SFI read made 000A current: the offset form continues there.
  EXPECT_EQ(Send(*card_, "00 B0 00 00 04"),
            (Bytes{0x30, 0x82, 0x02, 0xEA, 0x90, 0x00}));
  EXPECT_EQ(SendSw(*card_, "00 B0 9F 00 04"), 0x6A82);  // no EF 001F
}

TEST_F(CardTest, ReadBinaryAccessRules) {
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6986);  // nothing selected
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6986);  // no current EF
  // The signature certificate needs the signature password (§4.1, §16 #3).
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 01"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6982);
  // Internal EFs (PIN, key): 69 81.
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 18"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6981);
  EXPECT_EQ(SendSw(*card_, "00 B0 97 00 04"), 0x6981);
  // EF 0009 is protected (§16 #13).
  EXPECT_EQ(SendSw(*card_, "00 B0 89 00 04"), 0x6982);
  // After the password the certificate opens.
  ASSERT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x9000);
  EXPECT_EQ(Send(*card_, "00 B0 81 00 04"),
            (Bytes{0x30, 0x82, 0x03, 0x37, 0x90, 0x00}));
  // Re-selecting the current AP keeps the security status, as real cards
  // do (card-apdu.md §2, §16 #6); the current EF is gone.
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6986);
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x9000);
  // Selecting another AP and coming back clears it (§2).
  ASSERT_EQ(SendSw(*card_, kSelectJuki), 0x9000);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x6982);
}

TEST_F(CardTest, ReselectClearKnobDropsTheLogin) {
  // The realism knob: re-selecting the current AP clears its security
  // status, as OpenSC's logout assumes (§11.4, §16 #6).
  card_->SetOptions(CardOptions{.reselect = ReselectPolicy::kClear});
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x9000);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x6982);
  // The counter is untouched by either behaviour.
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B"), 0x63C5);
  EXPECT_EQ(ParseReselectPolicy("keep"), ReselectPolicy::kKeep);
  EXPECT_EQ(ParseReselectPolicy("clear"), ReselectPolicy::kClear);
  EXPECT_EQ(ParseReselectPolicy("Clear"), std::nullopt);
}

TEST_F(CardTest, TokenInfoAndCertificatePresence) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  Bytes r = Send(*card_, "00 B0 86 00 00 00 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  Bytes info = DataOf(r);
  ASSERT_EQ(info.size(), 160u);  // §4.2
  EXPECT_EQ(ToString(ByteView(info).subspan(0, 32)),
            "JPKIAPICCTOKEN2                 ");
  EXPECT_EQ(ToString(ByteView(info).subspan(140, 4)), "0301");
  EXPECT_EQ(Send(*card_, "00 B0 88 00 03"),
            (Bytes{0x8F, 0x8F, 0x00, 0x90, 0x00}));
}

TEST_F(CardTest, ReadRecordCommonAp) {
  ASSERT_EQ(SendSw(*card_, kSelectCommon), 0x9000);
  // jpki/myna's read: 00 B2 01 0C 00 (SFI 1, record 1).
  Bytes r = Send(*card_, "00 B2 01 0C 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(ToString(DataOf(r)),
            "\x01\x1C"
            "123456789012345"
            "20218"
            "20350510");
  EXPECT_EQ(SendSw(*card_, "00 B2 02 0C 00"), 0x6A83);
  EXPECT_EQ(SendSw(*card_, "00 B2 01 0D 00"), 0x6A81);  // all records (§16 #15)
  // Current-EF form after SELECT.
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 02"), 0x9000);
  r = Send(*card_, "00 B2 01 04 00");
  EXPECT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(DataOf(r).size(), 16u);
  // READ BINARY of a record EF and READ RECORD of a binary EF: 69 81.
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 01"), 0x6981);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B2 01 54 00"), 0x6981);
}

TEST_F(CardTest, GetDataAtMfLevelOnly) {
  // 5F51 = the contact ATR without TS (§7.3).
  EXPECT_EQ(
      Send(*card_, "00 CA 5F 51 00"),
      (Bytes{0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14, 0x90, 0x00}));
  EXPECT_EQ(SendSw(*card_, "00 CA 00 42 00"), 0x6A88);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 CA 5F 51 00"), 0x6A88);
  // Selecting the ISD brings the MF objects back.
  ASSERT_EQ(SendSw(*card_, "00 A4 04 0C 07 A0 00 00 01 51 00 00"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 CA 5F 51 00"), 0x9000);
}

TEST_F(CardTest, ClaAndInsRules) {
  EXPECT_EQ(SendSw(*card_, "01 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
            0x6881);
  EXPECT_EQ(SendSw(*card_, "08 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
            0x6882);
  EXPECT_EQ(SendSw(*card_, "0C B0 00 00 04"), 0x69FC);
  EXPECT_EQ(SendSw(*card_, "A0 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
            0x6E00);
  EXPECT_EQ(SendSw(*card_, "FF CA 00 00 00"), 0x6E00);
  EXPECT_EQ(SendSw(*card_, "00 12 00 00"), 0x6D00);
  EXPECT_EQ(SendSw(*card_, "80 FC 00 00"), 0x6700);  // §3.1
  EXPECT_EQ(SendSw(*card_, "00 A4"), 0x6700);        // malformed
  EXPECT_EQ(SendSw(*card_, "00 A4 04 0C 0A D3 92"), 0x6700);
}

TEST_F(CardTest, GetChallenge) {
  Bytes a = Send(*card_, "00 84 00 00 08");
  Bytes b = Send(*card_, "00 84 00 00 08");
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(SwOf(a), 0x9000);
  EXPECT_NE(a, b);
  EXPECT_EQ(Send(*card_, "00 84 00 00 00").size(), 258u);     // Le 00 = 256
  EXPECT_EQ(SendSw(*card_, "00 84 00 00 00 00 10"), 0x6985);  // extended
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 84 00 00 10"), 0x9000);  // also in an AP
}

TEST_F(CardTest, LeavingAnApClearsItsSecurityStatus) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x9000);
  ASSERT_EQ(SendSw(*card_, kSelectJuki), 0x9000);
  // The JPKI EFs are not reachable from the juki AP, by SFI or FID.
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x6A82);
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0A"), 0x6A82);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 B0 81 00 04"), 0x6982);
  // The tries survive the AP switch (only the verified status is dropped).
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B"), 0x63C5);
}

TEST_F(CardTest, PowerAndResetClearVolatileState) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
  card_->Reset();
  EXPECT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 17"), 0x6A82);  // no AP
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 17"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 2A 00 80 03 01 02 03 00"), 0x6982);
}

}  // namespace
}  // namespace openmyna::card::testing

namespace openmyna::card::testing {
namespace {

TEST(LargeEfTest, ReadableWholeWithAnExtendedLe) {
  // Card-face EFs (photo, images) can exceed the 15-bit offset range; an
  // extended Le reads up to 65,536 bytes (card-apdu.md §3.2).
  CardImage image = PersonalizedImage();
  Bytes big = DerShapedBlob(40000, 0x77);
  ASSERT_TRUE(WriteBinary(image, "jpki", 0x000B, big).has_value());
  EXPECT_FALSE(WriteBinary(image, "jpki", 0x000B, Bytes(70000, 0)).has_value());
  DeterministicRng rng(9);
  auto card = Card::FromImage(image, rng);
  ASSERT_EQ(SendSw(*card, kSelectJpki), 0x9000);
  Bytes r = Send(*card, "00 B0 8B 00 00 00 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_EQ(DataOf(r), big);
  // The last offset the offset form can name still reads.
  r = Send(*card, "00 B0 7F FF 01");
  EXPECT_EQ(DataOf(r), Bytes{0x77});
}

}  // namespace
}  // namespace openmyna::card::testing

namespace openmyna::card::testing {
namespace {

TEST(CardIdentityTest, CommonRecordAndMfObjectsAgree) {
  DeterministicRng rng(10);
  CardImage image = NewBlankImage(CardKind::kStandard, rng);
  EXPECT_FALSE(SetCardIdentity(image, "12345", "20218", "20350510"));
  EXPECT_FALSE(SetCardIdentity(image, "123456789012345", "2021A", "20350510"));
  ASSERT_TRUE(SetCardIdentity(image, "987654321098765", "20218", "20350510"));
  auto card = Card::FromImage(image, rng);
  EXPECT_EQ(ToString(DataOf(Send(*card, "00 CA 00 F0 00"))), "20218");
  EXPECT_EQ(ToString(DataOf(Send(*card, "00 CA 00 F2 00"))), "20350510");
  ASSERT_EQ(SendSw(*card, kSelectCommon), 0x9000);
  // jpki/myna's read of the common AP (card-apdu.md §7.2).
  EXPECT_EQ(ToString(DataOf(Send(*card, "00 B2 01 0C 00"))),
            "\x01\x1C"
            "987654321098765"
            "20218"
            "20350510");
}

}  // namespace
}  // namespace openmyna::card::testing
