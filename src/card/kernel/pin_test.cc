// VERIFY / CHANGE REFERENCE DATA / CHANGE KEY and the retry counters
// (card-apdu.md §9.2 tables, §16 #5, #8, #9), including persistence.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kernel/test_util.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/errors.h"
#include "openmyna/card/issuance.h"
#include "openmyna/domain/passwords.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

namespace fs = std::filesystem;

class PinTest : public ::testing::Test {
 protected:
  PinTest() : card_(Card::FromImage(PersonalizedImage(), rng_)) {}
  DeterministicRng rng_{11};
  std::unique_ptr<Card> card_;
};

TEST_F(PinTest, AuthPinSequenceOfTheSpecification) {
  // card-apdu.md §9.2, "Exact sequence for the auth PIN".
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 18"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80"), 0x63C3);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 30 30 30 30"), 0x63C2);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 30 30 30 30"), 0x63C1);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 30 30 30 30"), 0x63C0);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80"), 0x63C0);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 31 32 33 34"), 0x6984);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80"), 0x63C0);
  // Blocked survives reset and re-selection (§9.2 "non-volatile").
  card_->Reset();
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98"), 0x63C0);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x6984);
  // The other PIN is unaffected.
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B"), 0x63C5);
}

TEST_F(PinTest, CorrectPinResetsTheCounterAndQueryStays63Cx) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 18"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 30 30 30 30"), 0x63C2);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80 04 31 32 33 34"), 0x9000);
  // Never 90 00 to the query, also when verified (§16 #5, P14).
  EXPECT_EQ(SendSw(*card_, "00 20 00 80"), 0x63C3);
}

TEST_F(PinTest, SignPasswordHasFiveTries) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B"), 0x63C5);
  // "999999" as in §11.4: 63 C4.
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B 06 39 39 39 39 39 39"), 0x63C4);
  for (std::uint16_t sw : {0x63C3, 0x63C2, 0x63C1, 0x63C0}) {
    EXPECT_EQ(SendSw(*card_, "00 20 00 9B 06 39 39 39 39 39 39"), sw);
  }
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x6984);
}

TEST_F(PinTest, VerifyLengthAndReferenceErrors) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  // 17 bytes: 67 00, no attempt spent (§16 #9).
  EXPECT_EQ(SendSw(*card_,
                   "00 20 00 98 11 31 31 31 31 31 31 31 31 31 31 31 31 31 31 "
                   "31 31 31"),
            0x6700);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98"), 0x63C3);
  // A wrong length for a 4-digit PIN counts as a wrong attempt.
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 02 31 32"), 0x63C2);
  EXPECT_EQ(SendSw(*card_, "00 20 00 80"), 0x6986);  // no current EF
  EXPECT_EQ(SendSw(*card_, "00 20 00 9F"), 0x6A88);  // no such object
  EXPECT_EQ(SendSw(*card_, "00 20 01 98"), 0x6A86);
}

TEST_F(PinTest, ChangeReferenceData) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 18"), 0x9000);
  // Without a prior VERIFY: 69 82.
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 04 39 38 37 36"), 0x6982);
  ASSERT_EQ(SendSw(*card_, "00 20 00 80 04 31 32 33 34"), 0x9000);
  // A new PIN that breaks the 4-digit rule: 6A 80, unchanged (§16 #8).
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 05 39 38 37 36 35"), 0x6A80);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 04 39 38 37 41"), 0x6A80);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 04 39 38 37 36"), 0x9000);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x63C2);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 39 38 37 36"), 0x9000);
  // The signature password rule: letters and digits, 6–16 (§9.1).
  ASSERT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 1B"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 06 41 42 43 44 45 46"), 0x6A80);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 06 61 62 63 31 32 33"), 0x6A80);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 07 58 59 5A 39 38 37 36"), 0x9000);
  // CHANGE KEY (80 32) is not the JPKI PINs' command: 69 85.
  EXPECT_EQ(SendSw(*card_, "80 32 00 80 04 31 31 31 31"), 0x6985);
}

TEST_F(PinTest, ChangeKeyForJukiAndCommon) {
  ASSERT_EQ(SendSw(*card_, kSelectJuki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 1C"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 32 00 80 04 31 31 31 31"), 0x6982);
  ASSERT_EQ(SendSw(*card_, "00 20 00 80 04 35 36 37 38"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 24 01 80 04 31 31 31 31"), 0x6985);
  EXPECT_EQ(SendSw(*card_, "80 32 00 80 04 31 31 31 31"), 0x9000);
  ASSERT_EQ(SendSw(*card_, kSelectJuki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 9C 04 31 31 31 31"), 0x9000);
  // The common AP keeps its own copy (§7.2): still 5678.
  ASSERT_EQ(SendSw(*card_, kSelectCommon), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 9C 04 35 36 37 38"), 0x9000);
}

class PinFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("openmyna-pin-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "card.img";
    key_.emplace(*StorageKey::FromBytes(rng_.Bytes(32)));
    ASSERT_TRUE(SaveImage(path_, PersonalizedImage(), *key_, rng_));
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  int TriesOnDisk(std::string_view app, Fid fid) {
    auto image = LoadImage(path_, nullptr);
    EXPECT_TRUE(image.has_value());
    return image->FindApplication(app)->Find(fid)->pin.tries_left;
  }
  DeterministicRng rng_{13};
  fs::path dir_, path_;
  std::optional<StorageKey> key_;
};

TEST_F(PinFileTest, EveryAttemptIsOnDiskBeforeTheAnswer) {
  auto card = Card::Open(path_, *key_, rng_);
  ASSERT_TRUE(card.has_value()) << card.error();
  ASSERT_EQ(SendSw(**card, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(**card, "00 20 00 98 04 30 30 30 30"), 0x63C2);
  EXPECT_EQ(TriesOnDisk("jpki", 0x0018), 2);
  EXPECT_EQ(SendSw(**card, "00 20 00 98 04 30 30 30 30"), 0x63C1);
  // A "killed" process: the card object is dropped, a new one opens the
  // file. The tries already spent are still spent.
  card->reset();
  auto again = Card::Open(path_, *key_, rng_);
  ASSERT_TRUE(again.has_value());
  ASSERT_EQ(SendSw(**again, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(**again, "00 20 00 98"), 0x63C1);
  EXPECT_EQ(SendSw(**again, "00 20 00 98 04 31 32 33 34"), 0x9000);
  EXPECT_EQ(TriesOnDisk("jpki", 0x0018), 3);
  // The image stays private.
  EXPECT_EQ(fs::status(path_).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(PinFileTest, NoComparisonWhenTheCounterCannotBeStored) {
  auto card = Card::Open(path_, *key_, rng_);
  ASSERT_TRUE(card.has_value());
  ASSERT_EQ(SendSw(**card, kSelectJpki), 0x9000);
  // Make the folder unusable: the image's parent becomes a plain file.
  fs::remove_all(dir_);
  { std::ofstream(dir_.string()) << "not a folder"; }
  // Even the correct PIN is not compared: 65 81 (memory failure).
  EXPECT_EQ(SendSw(**card, "00 20 00 98 04 31 32 33 34"), 0x6581);
  EXPECT_EQ(SendSw(**card, "00 20 00 98"), 0x63C3);
  fs::remove(dir_);
}

TEST(FaceAuthCardTest, HasNoPasswords) {
  DeterministicRng rng(5);
  CardImage image = NewBlankImage(CardKind::kFaceAuth, rng);
  auto refused = SetPin(image, "jpki", 0x0018, "1234");
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().Is(CardErrc::kInvalidPin));
  auto card = Card::FromImage(image, rng);
  ASSERT_EQ(SendSw(*card, kSelectJpki), 0x9000);
  // Every password answers as blocked (query 63 C0, VERIFY 69 84).
  EXPECT_EQ(SendSw(*card, "00 20 00 98"), 0x63C0);
  EXPECT_EQ(SendSw(*card, "00 20 00 98 04 31 32 33 34"), 0x6984);
  EXPECT_EQ(SendSw(*card, "00 20 00 9B"), 0x63C0);
  ASSERT_EQ(SendSw(*card, kSelectJuki), 0x9000);
  EXPECT_EQ(SendSw(*card, "00 20 00 9C"), 0x63C0);
}

TEST(SetPinTest, RulesOfTheDomainPolicy) {
  DeterministicRng rng(6);
  CardImage image = NewBlankImage(CardKind::kStandard, rng);
  for (const char* bad : {"123", "12345", "12a4"}) {
    auto st = SetPin(image, "jpki", 0x0018, bad);
    EXPECT_FALSE(st.has_value()) << bad;
  }
  for (const char* bad :
       {"ABC12", "ABCDEF", "123456", "abc123", "ABCDEFGH123456789"}) {
    auto st = SetPin(image, "jpki", 0x001B, bad);
    EXPECT_FALSE(st.has_value()) << bad;
    EXPECT_TRUE(st.error().Is(CardErrc::kInvalidPin));
  }
  EXPECT_TRUE(SetPin(image, "jpki", 0x001B, "A1B2C3D4E5F6G7H8").has_value());
  EXPECT_FALSE(SetPin(image, "jpki", 0x0017, "1234").has_value());  // a key
  EXPECT_FALSE(SetPin(image, "nope", 0x0018, "1234").has_value());
}

}  // namespace
}  // namespace openmyna::card::testing

namespace openmyna::card::testing {
namespace {

TEST(LayoutTest, RetryCountsAgreeWithTheDomainPolicy) {
  // The layouts' max tries must be those of the guidebook rules the domain
  // library holds (jpki.md §7.1 / card-apdu.md §9.1), not a second opinion.
  DeterministicRng rng(8);
  const CardImage image = NewBlankImage(CardKind::kStandard, rng);
  const std::tuple<const char*, Fid, domain::PasswordKind> pins[] = {
      {"jpki", 0x0018, domain::PasswordKind::kAuthentication},
      {"jpki", 0x001B, domain::PasswordKind::kSignature},
      {"juki", 0x001C, domain::PasswordKind::kJuki},
      {"common", 0x001C, domain::PasswordKind::kJuki},
  };
  for (const auto& [app, fid, kind] : pins) {
    const ElementaryFile* ef = image.FindApplication(app)->Find(fid);
    ASSERT_NE(ef, nullptr) << app;
    EXPECT_EQ(ef->pin.max_tries, domain::PolicyFor(kind).max_tries) << app;
    EXPECT_FALSE(ef->pin.is_set);  // blank: answers as blocked until set
  }
}

}  // namespace
}  // namespace openmyna::card::testing
