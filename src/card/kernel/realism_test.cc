// ATR profiles, latency, tag loss and tamper (issue 3 items 3 and 6).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "kernel/test_util.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/errors.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

using std::chrono::microseconds;

TEST(RealismTest, AtrProfilesAreTheDocumentedBytes) {
  // card-apdu.md §1.1.
  EXPECT_EQ(ToHex(AtrOf(AtrProfile::kContact), ' ', true),
            "3B E0 00 FF 81 31 FE 45 14");
  EXPECT_EQ(ToHex(AtrOf(AtrProfile::kGeneration2024), ' ', true),
            "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B");
  EXPECT_EQ(ToHex(AtrOf(AtrProfile::kContactless), ' ', true),
            "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F");
  // TCK: XOR of every byte after TS is 0 (ISO/IEC 7816-3 §8.2.5).
  for (auto profile : {AtrProfile::kContact, AtrProfile::kGeneration2024,
                       AtrProfile::kContactless}) {
    Bytes atr = AtrOf(profile);
    std::uint8_t x = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
    EXPECT_EQ(x, 0) << ToHex(atr);
  }
  EXPECT_EQ(*ParseAtrProfile("2024"), AtrProfile::kGeneration2024);
  EXPECT_FALSE(ParseAtrProfile("bogus").has_value());
  DeterministicRng rng(41);
  CardOptions options;
  options.atr = AtrProfile::kContactless;
  auto card = Card::FromImage(PersonalizedImage(), rng, options);
  EXPECT_EQ(card->Atr(), AtrOf(AtrProfile::kContactless));
}

TEST(RealismTest, LatencyPerInstruction) {
  auto model = LatencyModel::Parse("2A=300ms,B0=30ms,20=250us");
  ASSERT_TRUE(model.has_value()) << model.error();
  EXPECT_EQ(model->per_ins.at(0x2A), microseconds(300000));
  EXPECT_EQ(model->per_ins.at(0x20), microseconds(250));
  EXPECT_FALSE(LatencyModel::Parse("2A=300").has_value());
  EXPECT_FALSE(LatencyModel::Parse("ZZ=1ms").has_value());
  EXPECT_EQ(LatencyModel::Parse("realistic")->per_ins.at(0x2A),
            microseconds(300000));
  std::vector<microseconds> slept;
  CardOptions options;
  options.latency = *model;
  options.sleep = [&](microseconds d) { slept.push_back(d); };
  DeterministicRng rng(42);
  auto card = Card::FromImage(PersonalizedImage(), rng, options);
  SendSw(*card, kSelectJpki);
  SendSw(*card, "00 B0 8A 00 04");
  SendSw(*card, "00 20 00 98");
  EXPECT_EQ(slept, (std::vector<microseconds>{microseconds(30000),
                                              microseconds(250)}));
}

TEST(RealismTest, TagLossAfterNApdus) {
  CardOptions options;
  options.tag_loss_after_apdus = 3;
  DeterministicRng rng(43);
  auto card = Card::FromImage(PersonalizedImage(), rng, options);
  EXPECT_EQ(SendSw(*card, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card, "00 20 00 98"), 0x63C3);
  EXPECT_EQ(SendSw(*card, "00 20 00 9B"), 0x63C5);
  EXPECT_TRUE(card->lost());
  EXPECT_TRUE(card->Atr().empty());
  EXPECT_TRUE(Send(*card, "00 20 00 98").empty());
  card->Reinsert();
  EXPECT_FALSE(card->Atr().empty());
  EXPECT_EQ(SendSw(*card, "00 20 00 98"), 0x6A88);  // no AP after re-tap
}

TEST(RealismTest, ForcedKeyReadErasesTheChip) {
  DeterministicRng rng(44);
  auto card = Card::FromImage(PersonalizedImage(), rng);
  ASSERT_EQ(SendSw(*card, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card, "00 A4 02 0C 02 00 17"), 0x9000);
  // An ordinary READ BINARY of a key is merely refused (card-apdu.md §3.2).
  EXPECT_EQ(SendSw(*card, "00 B0 00 00 00"), 0x6981);
  // The proprietary-class forced read on a non-key EF is just unknown.
  EXPECT_EQ(SendSw(*card, "80 B0 8A 00 00"), 0x6D00);
  EXPECT_EQ(card->image().state, ChipState::kActive);
  // On the key: the chip erases itself.
  EXPECT_EQ(SendSw(*card, "80 B0 00 00 00"), 0x6F00);
  EXPECT_EQ(card->image().state, ChipState::kErased);
  EXPECT_TRUE(card->image().applications.empty());
  EXPECT_TRUE(card->image().issuer_key.empty());
  for (const char* apdu : {"00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
                           "00 CA 5F 51 00", "00 84 00 00 08", "00 20 00 98"}) {
    EXPECT_EQ(SendSw(*card, apdu), 0x6F00) << apdu;
  }
  card->Reset();
  EXPECT_EQ(SendSw(*card, kSelectJpki), 0x6F00);
  EXPECT_EQ(card->Atr(), AtrOf(AtrProfile::kContact));
}

TEST(RealismTest, LibraryTamperAction) {
  DeterministicRng rng(45);
  auto card = Card::FromImage(PersonalizedImage(), rng);
  ASSERT_EQ(SendSw(*card, kSelectJpki), 0x9000);
  ASSERT_TRUE(card->Tamper().has_value());
  EXPECT_EQ(SendSw(*card, kSelectJpki), 0x6F00);
  EXPECT_EQ(card->image().state, ChipState::kErased);
}

}  // namespace
}  // namespace openmyna::card::testing

namespace openmyna::card::testing {
namespace {

TEST(TamperFileTest, ErasedStateSurvivesReopening) {
  namespace fs = std::filesystem;
  DeterministicRng rng(46);
  const fs::path dir = fs::temp_directory_path() /
                       ("openmyna-tamper-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto key = *StorageKey::FromBytes(rng.Bytes(32));
  for (bool by_apdu : {false, true}) {
    const fs::path path = dir / (by_apdu ? "apdu.img" : "library.img");
    ASSERT_TRUE(SaveImage(path, PersonalizedImage(), key, rng));
    {
      auto card = Card::Open(path, key, rng);
      ASSERT_TRUE(card.has_value());
      if (by_apdu) {
        ASSERT_EQ(SendSw(**card, kSelectJpki), 0x9000);
        ASSERT_EQ(SendSw(**card, "80 B0 9A 00 00"), 0x6F00);
      } else {
        ASSERT_TRUE((*card)->Tamper().has_value());
      }
    }
    auto image = LoadImage(path, nullptr);
    ASSERT_TRUE(image.has_value());
    EXPECT_EQ(image->state, ChipState::kErased);
    EXPECT_TRUE(image->applications.empty());
    EXPECT_EQ(ToString(*ReadFileBytes(path)).find("sealed"), std::string::npos);
    auto reopened = Card::Open(path, key, rng);
    ASSERT_TRUE(reopened.has_value());
    EXPECT_EQ(SendSw(**reopened, kSelectJpki), 0x6F00);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace openmyna::card::testing
