// The chip's own ATR and tamper (issue 3 item 3). ATR profiles, latency
// and tag loss are transport knobs (src/card/transport/realism_test.cc).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kernel/test_util.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/errors.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

TEST(RealismTest, AtrIsTheContactAtrOfCardApduMd) {
  // card-apdu.md §1.1, typed from the document; other ATRs are transport
  // profiles (transport/realism.h, tested there and through pcscd).
  DeterministicRng rng(41);
  auto card = Card::FromImage(PersonalizedImage(), rng);
  EXPECT_EQ(ToHex(card->Atr(), ' ', true), "3B E0 00 FF 81 31 FE 45 14");
  // TCK: XOR of every byte after TS is 0 (ISO/IEC 7816-3 §8.2.5).
  std::uint8_t x = 0;
  for (std::size_t i = 1; i < card->Atr().size(); ++i) x ^= card->Atr()[i];
  EXPECT_EQ(x, 0);
  // GET DATA 5F51 holds the same ATR without TS (card-apdu.md §7.3).
  EXPECT_EQ(ToHex(Send(*card, "00 CA 5F 51 00"), ' ', true),
            "E0 00 FF 81 31 FE 45 14 90 00");
  // Power events do not change it.
  card->Reset();
  EXPECT_EQ(ToHex(card->Atr()), "3be000ff8131fe4514");
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
  EXPECT_EQ(ToHex(card->Atr()), "3be000ff8131fe4514");
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
