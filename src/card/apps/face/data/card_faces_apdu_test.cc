// Both card-face applications through APDUs against an in-memory card
// (Card::FromImage): access rules of card-apdu.md §5 and §6, retry counters
// of §9.2, the 82 length form, hashes and signatures checked with the
// openssl command line, and the challenge signature (card presence proof).
// Expected bytes come from card-apdu.md (§8.2, §8.3 worked example) and
// from values worked out by hand (照合番号B, era years), never from the
// builders.
#include <gtest/gtest.h>

#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/faces/personalize.h"
#include "openmyna/card/issuance.h"
#include "testing/test_support.h"

namespace openmyna::card::faces {
namespace {

using test_support::Hex;
using test_support::Slice;

using namespace std::chrono_literals;
using test_support::NewRsaKey;
using test_support::OpensslSha256;
using test_support::PkeyPtr;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;
using test_support::WritePublicKeyPem;

constexpr std::string_view kSelectText =
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
constexpr std::string_view kSelectFace =
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
// card-apdu.md §8.3 worked example (UTF-8 from Python).
constexpr std::string_view kWorkedExample =
    "FF 20 5C DF 21 08 00 0E 00 20 00 50 00 5B"
    " DF 22 0F e5 b1 b1 e7 94 b0 e3 80 80 e5 a4 aa e9 83 8e"
    " DF 23 2D e6 9d b1 e4 ba ac e9 83 bd e5 8d 83 e4 bb a3 e7 94 b0 e5 8c ba"
    " e9 9c 9e e3 81 8c e9 96 a2 ef bc 92 ef bc 8d ef bc 91 ef bc 8d ef bc 92"
    " DF 24 08 31 39 38 30 30 34 30 31 DF 25 01 31";
// Born 1980-04-01 = 昭和55年4月1日 → "550401"; card expiry 2035; code 2285.
constexpr std::string_view kBirthKey = "550401";
constexpr std::string_view kCollationB = "55040120352285";
constexpr std::string_view kNumber = "123456789018";
constexpr std::string_view kPin = "1234";

// VERIFY by SFI (card-apdu.md §3.1: 00 20 00 (80|SFI) Lc value).
std::string Verify(std::uint8_t sfi, std::string_view value) {
  return "00 20 00 " + ToHex(Bytes{static_cast<std::uint8_t>(0x80 | sfi)}) +
         " " + ToHex(Bytes{static_cast<std::uint8_t>(value.size())}) + " " +
         ToHex(ToBytes(value));
}
// READ BINARY by SFI, offset 0, extended Le = whole file (§3.2).
std::string ReadAll(std::uint8_t sfi) {
  return "00 B0 " + ToHex(Bytes{static_cast<std::uint8_t>(0x80 | sfi)}) +
         " 00 00 00 00";
}

class CardFacesApduTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    issuer_ = NewRsaKey().release();
    standard_ = new CardImage(MakeImage(CardKind::kStandard, Address()));
  }
  static void TearDownTestSuite() {
    delete standard_;
    EVP_PKEY_free(issuer_);
  }
  static std::string Address() { return "東京都千代田区霞が関２－１－２"; }
  static CardFacesProfile Profile(std::string address) {
    CardFacesProfile p;
    p.number = std::string(kNumber);
    p.info = {.name = "山田 太郎",
              .address = std::move(address),
              .birth = 1980y / 4 / 1,
              .sex = Sex::kMale};
    p.card_expiry = 2035y / 4 / 1;
    p.security_code = "2285";
    p.municipality_code = "13101";
    p.input_assist_pin = std::string(kPin);
    p.text_issuer = {issuer_, MakeKeyId("9000033", "001").value()};
    p.face_issuer = {issuer_, MakeKeyId("9000023", "001").value()};
    return p;
  }
  static CardImage MakeImage(CardKind kind, std::string address) {
    DeterministicRng rng(7);
    CardImage image = NewBlankImage(kind, rng);
    CardFacesProfile p = Profile(std::move(address));
    if (kind == CardKind::kFaceAuth) p.input_assist_pin.clear();
    Status st = PersonalizeCardFaces(image, p);
    EXPECT_TRUE(st) << st.error();
    return image;
  }
  void SetUp() override {
    card_ = Card::FromImage(*standard_, rng_);
    card_->PowerOn();
    WritePublicKeyPem(issuer_, dir_ / "issuer.pem");
  }

 public:
  // The response of one APDU written in hex.
  Bytes Tx(std::string_view apdu) { return card_->Transmit(Hex(apdu)); }
  // Its status word as "90 00".
  std::string Sw(std::string_view apdu) {
    Bytes r = Tx(apdu);
    return r.size() < 2 ? "?"
                        : ToHex(Slice(r, r.size() - 2, r.size()), ' ', true);
  }
  // Response data, asserting 90 00.
  Bytes Data(std::string_view apdu) {
    Bytes r = Tx(apdu);
    EXPECT_GE(r.size(), 2u);
    EXPECT_EQ(ToHex(Slice(r, r.size() - 2, r.size()), ' ', true), "90 00")
        << apdu;
    return Slice(r, 0, r.size() - 2);
  }

 protected:
  static EVP_PKEY* issuer_;
  static CardImage* standard_;
  DeterministicRng rng_{11};
  std::unique_ptr<Card> card_;
  TempDir dir_;
};
EVP_PKEY* CardFacesApduTest::issuer_ = nullptr;
CardImage* CardFacesApduTest::standard_ = nullptr;

TEST_F(CardFacesApduTest, TextPinOpensTheNumberAndTheBasicData) {
  EXPECT_EQ(Sw(kSelectText), "90 00");
  EXPECT_EQ(Sw(ReadAll(0x01)), "69 82");
  EXPECT_EQ(Sw(ReadAll(0x02)), "69 82");
  EXPECT_EQ(Sw(Verify(0x11, kPin)), "90 00");
  // card-apdu.md §8.2; 16 and 17-byte reads as clients do (§3.2).
  EXPECT_EQ(Data(ReadAll(0x01)),
            Hex("FF 10 0C 31 32 33 34 35 36 37 38 39 30 31 38 FF FF"));
  EXPECT_EQ(Data("00 B0 00 00 10").size(), 16u);
  EXPECT_EQ(Data("00 B0 81 03 0C"), ToBytes(kNumber));  // BEXT's read
  EXPECT_EQ(Data("00 B0 81 00 00").size(), 17u);        // Le 256 (FLT, MNB)
  EXPECT_EQ(ToHex(Data(ReadAll(0x02)), ' '), ToHex(Hex(kWorkedExample), ' '));
  // The short-form length byte at offset 2, as FLT and BEXT read it (§8.3).
  EXPECT_EQ(Data("00 B0 82 02 01"), Hex("5C"));
  // Re-selecting the AP keeps the security status (§16 #6): the client of
  // issue 14 (VERIFY, SELECT the AP again, SELECT EF 0002, READ BINARY).
  EXPECT_EQ(Sw(kSelectText), "90 00");
  EXPECT_EQ(Sw("00 A4 02 0C 02 00 02"), "90 00");
  EXPECT_EQ(ToHex(Data("00 B0 00 00 00"), ' '),
            ToHex(Hex(kWorkedExample), ' '));
  // With the realism knob it is cleared.
  card_->SetOptions(CardOptions{.reselect = ReselectPolicy::kClear});
  EXPECT_EQ(Sw(kSelectText), "90 00");
  EXPECT_EQ(Sw("00 A4 02 0C 02 00 02"), "90 00");
  EXPECT_EQ(Sw("00 B0 00 00 00"), "69 82");
  EXPECT_EQ(Sw(ReadAll(0x01)), "69 82");
}

TEST_F(CardFacesApduTest, CollationAOpensTheNumberButNotTheBasicData) {
  Tx(kSelectText);
  EXPECT_EQ(Sw(Verify(0x14, kNumber)), "90 00");
  EXPECT_EQ(Data(ReadAll(0x01)).size(), 17u);
  EXPECT_EQ(Sw(ReadAll(0x02)), "69 82");
  EXPECT_EQ(Data(ReadAll(0x03)).size(), 336u);
  EXPECT_EQ(Data(ReadAll(0x07)).size(), 536u);
}

TEST_F(CardFacesApduTest, CollationBOpensTheBasicDataButNotTheNumber) {
  Tx(kSelectText);
  EXPECT_EQ(Sw(Verify(0x15, kCollationB)), "90 00");
  EXPECT_EQ(Data(ReadAll(0x02)), Hex(kWorkedExample));
  EXPECT_EQ(Sw(ReadAll(0x01)), "69 82");
  EXPECT_EQ(Data(ReadAll(0x03)).size(), 336u);
  // Free EFs need nothing.
  Tx(kSelectText);
  EXPECT_EQ(Data(ReadAll(0x04)).size(), 568u);
  EXPECT_EQ(Data(ReadAll(0x05)).size(), 256u);
  EXPECT_EQ(Data(ReadAll(0x08)), Bytes(16, 0xFF));
}

TEST_F(CardFacesApduTest, WrongPinCountsDownAndBlocks) {
  // card-apdu.md §9.2 sequence, on the input-assist PIN (3 tries).
  Tx(kSelectText);
  EXPECT_EQ(Sw("00 20 00 91"), "63 C3");
  EXPECT_EQ(Sw(Verify(0x11, "0000")), "63 C2");
  EXPECT_EQ(Sw(Verify(0x11, "0000")), "63 C1");
  EXPECT_EQ(Sw(Verify(0x11, "0000")), "63 C0");
  EXPECT_EQ(Sw("00 20 00 91"), "63 C0");
  EXPECT_EQ(Sw(Verify(0x11, kPin)), "69 84");
  EXPECT_EQ(Sw(ReadAll(0x01)), "69 82");
  // The collation numbers have their own counters, 10 tries (§16 #4).
  EXPECT_EQ(Sw("00 20 00 94"), "63 CA");
  EXPECT_EQ(Sw(Verify(0x14, "123456789017")), "63 C9");
  EXPECT_EQ(Sw(Verify(0x14, kNumber)), "90 00");
  EXPECT_EQ(Sw("00 20 00 94"), "63 CA");  // a right value resets it
}

TEST_F(CardFacesApduTest, KeyReference0012IsBlockedFromIssuance) {
  Tx(kSelectText);
  EXPECT_EQ(Sw("00 20 00 92"), "63 C0");
  EXPECT_EQ(Sw(Verify(0x12, kPin)), "69 84");
}

TEST_F(CardFacesApduTest, HashesAndSignatureOfEf0003VerifyWithOpenssl) {
  Tx(kSelectText);
  ASSERT_EQ(Sw(Verify(0x11, kPin)), "90 00");
  Bytes ef1 = Data(ReadAll(0x01));
  Bytes ef2 = Data(ReadAll(0x02));
  Bytes ef3 = Data(ReadAll(0x03));
  ASSERT_EQ(ef3.size(), 336u);
  WriteFile(dir_ / "ef1", ef1);
  WriteFile(dir_ / "ef2_hashed", Slice(ef2, 14, 95));  // §8.3: bytes 14..94
  EXPECT_EQ(ToHex(Slice(ef3, 8, 40)), OpensslSha256(dir_ / "ef1"));
  EXPECT_EQ(ToHex(Slice(ef3, 43, 75)), OpensslSha256(dir_ / "ef2_hashed"));
  WriteFile(dir_ / "signed", Slice(ef3, 5, 75));
  WriteFile(dir_ / "sig", Slice(ef3, 80, 336));
  auto r = RunTool("openssl dgst -sha256 -verify " + (dir_ / "issuer.pem") +
                   " -signature " + (dir_ / "sig") + " " + (dir_ / "signed"));
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(CardFacesApduTest, LongBasicDataUsesThe82FormOnTheCard) {
  CardImage image = MakeImage(CardKind::kStandard, Address() + Address());
  card_ = Card::FromImage(image, rng_);
  card_->PowerOn();
  Tx(kSelectText);
  ASSERT_EQ(Sw(Verify(0x15, kCollationB)), "90 00");
  Bytes ef2 = Data(ReadAll(0x02));
  // Worked out by hand: value 137 = 0x89; offsets 10, 22, 7F, 8A.
  EXPECT_EQ(Slice(ef2, 0, 16),
            Hex("FF 20 82 00 89 DF 21 08 00 10 00 22 00 7F 00 8A"));
  EXPECT_EQ(ef2.size(), 142u);
  // Clients that read the length byte at offset 2 (BEXT 00 B0 82 02 01)
  // see 82: the documented compatibility risk of the long form (§8.3).
  EXPECT_EQ(Data("00 B0 82 02 01"), Hex("82"));
}

TEST_F(CardFacesApduTest, FaceKeysOpenWhatTheyShould) {
  EXPECT_EQ(Sw(kSelectFace), "90 00");
  for (std::uint8_t sfi : {0x01, 0x02, 0x05, 0x06}) {
    EXPECT_EQ(Sw(ReadAll(sfi)), "69 82") << int(sfi);
  }
  EXPECT_EQ(Data(ReadAll(0x03)).size(), 320u);  // free
  EXPECT_EQ(Data(ReadAll(0x04)).size(), 568u);  // free
  // Birth-date key (era YYMMDD) → EF 0001 only.
  EXPECT_EQ(Sw(Verify(0x11, kBirthKey)), "90 00");
  Bytes age = Data(ReadAll(0x01));
  EXPECT_EQ(Slice(age, 0, 16),
            Concat({Hex("FF 10 82 02 1E DF 11 08"), ToBytes("19800401")}));
  EXPECT_EQ(Sw(ReadAll(0x02)), "69 82");
  // 照合番号B → EF 0002 and 0006, not 0005.
  Tx(kSelectText);  // another AP: the login ends on every card
  Tx(kSelectFace);
  EXPECT_EQ(Sw(Verify(0x12, kCollationB)), "90 00");
  Bytes face = Data(ReadAll(0x02));
  EXPECT_EQ(Slice(face, 0, 3), Hex("FF 20 82"));
  EXPECT_EQ(std::size_t(ReadU16(face, 3)) + 5, face.size());
  EXPECT_EQ(Data(ReadAll(0x06)).size(), 32u);
  EXPECT_EQ(Sw(ReadAll(0x05)), "69 82");
  EXPECT_EQ(Sw(ReadAll(0x01)), "69 82");
  // 照合番号A → EF 0005 as well.
  Tx(kSelectText);  // another AP: the login ends on every card
  Tx(kSelectFace);
  EXPECT_EQ(Sw(Verify(0x13, kNumber)), "90 00");
  EXPECT_EQ(Slice(Data(ReadAll(0x05)), 0, 3), Hex("FF 40 82"));
  EXPECT_EQ(Data(ReadAll(0x02)), face);
  // Wrong birth-date key: its own counter of 10.
  Tx(kSelectFace);
  EXPECT_EQ(Sw(Verify(0x11, "800401")), "63 C9");  // Gregorian YY is wrong
}

TEST_F(CardFacesApduTest, FaceRecordReadInShortChunksLikeAClient) {
  Tx(kSelectFace);
  ASSERT_EQ(Sw(Verify(0x12, kCollationB)), "90 00");
  Bytes whole = Data(ReadAll(0x02));
  Bytes chunked;
  for (std::size_t off = 0; off < whole.size(); off += 256) {
    Bytes p1p2;
    AppendU16(p1p2, static_cast<std::uint16_t>(off));
    Append(chunked, Data("00 B0 " + ToHex(p1p2) + " 00"));
  }
  EXPECT_EQ(chunked, whole);
  Bytes past;
  AppendU16(past, static_cast<std::uint16_t>(whole.size()));
  EXPECT_EQ(Sw("00 B0 " + ToHex(past) + " 01"), "6B 00");
}

// GET CHALLENGE, then 80 2A 00 00 Lc DigestInfo(SHA-256(challenge)) 00 with
// no credential; the signature verifies with the AP's public key (§6).
void CheckPresenceProof(CardFacesApduTest* t, std::string_view select,
                        const Bytes& public_key_tlv, const TempDir& dir) {
  ASSERT_EQ(t->Sw(select), "90 00");
  Bytes challenge = t->Data("00 84 00 00 10");
  ASSERT_EQ(challenge.size(), 16u);
  WriteFile(dir / "challenge", challenge);
  std::string info =
      "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 " +
      OpensslSha256(dir / "challenge");
  Bytes signature = t->Data("80 2A 00 00 33 " + info + " 00");
  ASSERT_EQ(signature.size(), 256u);
  EVP_PKEY* key = DecodeRsaPublicKey(public_key_tlv).value();
  WritePublicKeyPem(key, dir / "card.pem");
  EVP_PKEY_free(key);
  WriteFile(dir / "sig", signature);
  auto r = RunTool("openssl dgst -sha256 -verify " + (dir / "card.pem") +
                   " -signature " + (dir / "sig") + " " + (dir / "challenge"));
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(CardFacesApduTest, BothApsProveTheirPresenceWithoutCredential) {
  // The text AP's key is in EF 0007 DF51 (after a credential, read first).
  Tx(kSelectText);
  ASSERT_EQ(Sw(Verify(0x14, kNumber)), "90 00");
  Bytes ef7 = Data(ReadAll(0x07));
  CheckPresenceProof(this, kSelectText, Slice(ef7, 10, 275), dir_);
  // The face AP's key is in EF 0001 DF12.
  Tx(kSelectFace);
  ASSERT_EQ(Sw(Verify(0x11, kBirthKey)), "90 00");
  Bytes age = Data(ReadAll(0x01));
  CheckPresenceProof(this, kSelectFace, Slice(age, 21, 286), dir_);
}

TEST_F(CardFacesApduTest, FaceAuthCardHasNoInputAssistPin) {
  CardImage image = MakeImage(CardKind::kFaceAuth, Address());
  card_ = Card::FromImage(image, rng_);
  card_->PowerOn();
  Tx(kSelectText);
  EXPECT_EQ(Sw("00 20 00 91"), "63 C0");
  EXPECT_EQ(Sw(Verify(0x11, kPin)), "69 84");
  EXPECT_EQ(Sw(Verify(0x14, kNumber)), "90 00");
  EXPECT_EQ(Data(ReadAll(0x01)).size(), 17u);
}

TEST_F(CardFacesApduTest, ProfileErrorsNameTheField) {
  DeterministicRng rng(3);
  CardImage image = NewBlankImage(CardKind::kStandard, rng);
  CardFacesProfile p = Profile(Address());
  p.input_assist_pin.clear();
  auto st = PersonalizeCardFaces(image, p);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("input_assist"), std::string::npos);
  p = Profile(Address());
  p.input_assist_pin = "12a4";
  EXPECT_FALSE(PersonalizeCardFaces(image, p));
  p = Profile(Address());
  p.security_code = "22";
  EXPECT_FALSE(PersonalizeCardFaces(image, p));
}

}  // namespace
}  // namespace openmyna::card::faces
