// The image file: round trip, secrets sealed at rest, wrong storage key,
// damaged files.
#include "openmyna/card/image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/errors.h"
#include "openmyna/card/issuance.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

TEST(ImageTest, RoundTripKeepsEverything) {
  DeterministicRng rng(21);
  auto key = StorageKey::FromBytes(rng.Bytes(32));
  ASSERT_TRUE(key.has_value());
  const CardImage original = PersonalizedImage();
  auto encoded = EncodeImage(original, *key, rng);
  ASSERT_TRUE(encoded.has_value());
  const std::string text = ToString(*encoded);
  EXPECT_EQ(text.rfind("OPENMYNA-CARD-IMAGE 1\n", 0), 0u);
  auto decoded = DecodeImage(*encoded, &*key);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  ASSERT_EQ(decoded->applications.size(), original.applications.size());
  EXPECT_EQ(decoded->issuer_key, original.issuer_key);
  EXPECT_EQ(decoded->mf_objects, original.mf_objects);
  for (std::size_t a = 0; a < original.applications.size(); ++a) {
    const auto& x = original.applications[a];
    const auto& y = decoded->applications[a];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.aid, y.aid);
    ASSERT_EQ(x.files.size(), y.files.size());
    for (std::size_t f = 0; f < x.files.size(); ++f) {
      const auto& ex = x.files[f];
      const auto& ey = y.files[f];
      EXPECT_EQ(ex.fid, ey.fid);
      EXPECT_EQ(ex.kind, ey.kind);
      EXPECT_EQ(ex.read, ey.read);
      EXPECT_EQ(ex.data, ey.data);
      EXPECT_EQ(ex.records, ey.records);
      EXPECT_EQ(ex.pin.value, ey.pin.value);
      EXPECT_EQ(ex.pin.tries_left, ey.pin.tries_left);
      EXPECT_EQ(ex.pin.max_tries, ey.pin.max_tries);
      EXPECT_EQ(ex.pin.rule, ey.pin.rule);
      EXPECT_EQ(ex.key.private_key_pkcs8, ey.key.private_key_pkcs8);
      EXPECT_EQ(ex.key.public_key_spki, ey.key.public_key_spki);
      EXPECT_EQ(ex.key.use, ey.key.use);
    }
  }
}

TEST(ImageTest, SecretsAreNotInClear) {
  DeterministicRng rng(22);
  auto key = *StorageKey::FromBytes(rng.Bytes(32));
  const CardImage image = PersonalizedImage();
  const std::string text = ToString(*EncodeImage(image, key, rng));
  EXPECT_EQ(text.find("ABC123"), std::string::npos);
  EXPECT_EQ(text.find(ToHex(ToBytes("ABC123"))), std::string::npos);
  const Bytes& pkcs8 =
      image.FindApplication("jpki")->Find(0x0017)->key.private_key_pkcs8;
  ASSERT_GT(pkcs8.size(), 1000u);
  // No 16-byte window of the private key that is not also part of the
  // (public) modulus appears, in hex, in the file.
  const std::string hex = ToHex(pkcs8);
  const std::string public_hex =
      ToHex(image.FindApplication("jpki")->Find(0x0017)->key.public_key_spki);
  int private_windows = 0;
  for (std::size_t i = 0; i + 32 <= hex.size(); i += 32) {
    if (public_hex.find(hex.substr(i, 32)) != std::string::npos) continue;
    ++private_windows;
    EXPECT_EQ(text.find(hex.substr(i, 32)), std::string::npos);
  }
  EXPECT_GT(private_windows, 40);
  EXPECT_EQ(text.find(ToHex(image.issuer_key)), std::string::npos);
}

TEST(ImageTest, WrongStorageKeyIsRefusedWithoutKeyShowWorks) {
  DeterministicRng rng(23);
  auto key = *StorageKey::FromBytes(rng.Bytes(32));
  auto other = *StorageKey::FromBytes(rng.Bytes(32));
  Bytes encoded = *EncodeImage(PersonalizedImage(), key, rng);
  auto wrong = DecodeImage(encoded, &other);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_TRUE(wrong.error().Is(CardErrc::kBadMasterKey));
  auto shown = DecodeImage(encoded, nullptr);
  ASSERT_TRUE(shown.has_value());
  const auto* pin = shown->FindApplication("jpki")->Find(0x0018);
  EXPECT_TRUE(pin->pin.is_set);
  EXPECT_TRUE(pin->pin.value.empty());
  EXPECT_EQ(pin->pin.tries_left, 3);
  EXPECT_FALSE(shown->FindApplication("jpki")
                   ->Find(0x0017)
                   ->key.public_key_spki.empty());
}

TEST(ImageTest, DamagedFilesAreBadImages) {
  DeterministicRng rng(24);
  auto key = *StorageKey::FromBytes(rng.Bytes(32));
  std::string text = ToString(*EncodeImage(PersonalizedImage(), key, rng));
  for (std::string bad :
       {std::string("garbage"), std::string("OPENMYNA-CARD-IMAGE 9\n{}"),
        std::string("OPENMYNA-CARD-IMAGE 1\n{"),
        std::string("OPENMYNA-CARD-IMAGE 1\n{\"kind\":\"standard\"}"),
        text.substr(0, text.size() / 2)}) {
    auto r = DecodeImage(ToBytes(bad), &key);
    ASSERT_FALSE(r.has_value()) << bad.substr(0, 40);
    EXPECT_TRUE(r.error().Is(CardErrc::kBadImage)) << r.error();
  }
  // A flipped byte inside a sealed secret is caught by GCM.
  const auto pos = text.find("\"value_sealed\": \"") + 20;
  text[pos] = text[pos] == '0' ? '1' : '0';
  auto r = DecodeImage(ToBytes(text), &key);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().Is(CardErrc::kBadMasterKey));
}

TEST(ImageTest, StorageKeyFileIsCreatedPrivate) {
  namespace fs = std::filesystem;
  DeterministicRng rng(25);
  fs::path dir = fs::temp_directory_path() /
                 ("openmyna-key-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto created = StorageKey::LoadOrCreate(dir / "card-master.key", rng);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(fs::file_size(dir / "card-master.key"), 32u);
  EXPECT_EQ(fs::status(dir / "card-master.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto loaded = StorageKey::LoadOrCreate(dir / "card-master.key", rng);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(std::equal(created->bytes().begin(), created->bytes().end(),
                         loaded->bytes().begin()));
  EXPECT_FALSE(StorageKey::FromBytes(Bytes(31)).has_value());
  fs::remove_all(dir);
}

TEST(IssuanceTest, KeysAreRsa2048AndDistinct) {
  const CardImage image = PersonalizedImage();
  auto a = PublicKeyOf(image, "jpki", 0x0017);
  auto b = PublicKeyOf(image, "jpki", 0x001A);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(*a, *b);
  // SubjectPublicKeyInfo of an RSA-2048 key with e = 65537 is 294 bytes.
  EXPECT_EQ(a->size(), 294u);
  DeterministicRng rng(26);
  CardImage blank = NewBlankImage(CardKind::kStandard, rng);
  EXPECT_FALSE(PublicKeyOf(blank, "jpki", 0x0017).has_value());
  EXPECT_EQ(blank.FindApplication("jpki")->Find(0x0008)->data,
            (Bytes{0x00, 0x00, 0x00}));
}

}  // namespace
}  // namespace openmyna::card::testing

namespace openmyna::card::testing {
namespace {

TEST(DescribeImageTest, ShowsCountersButNoSecretsOrContents) {
  CardImage image = PersonalizedImage();
  image.FindApplication("jpki")->Find(0x0018)->pin.tries_left = 1;
  image.FindApplication("jpki")->Find(0x001B)->pin.tries_left = 0;
  const std::string text = DescribeImage(image);
  EXPECT_NE(text.find("0018 authentication PIN: PIN (authentication_pin), "
                      "tries 1/3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("001B signature password: PIN (signature_password), "
                      "BLOCKED (0/5)"),
            std::string::npos);
  EXPECT_NE(text.find("0001 signature certificate: binary, 827 B, read after "
                      "001B"),
            std::string::npos);
  EXPECT_NE(text.find("0017 authentication key: RSA key, generated"),
            std::string::npos);
  EXPECT_EQ(text.find("ABC123"), std::string::npos);
  EXPECT_EQ(text.find("1234"), std::string::npos);
  EXPECT_EQ(text.find("123456789012345"), std::string::npos);  // common AP
  EraseChip(image);
  EXPECT_NE(DescribeImage(image).find("ERASED"), std::string::npos);
}

}  // namespace
}  // namespace openmyna::card::testing
