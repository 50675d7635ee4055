// JpkiClient against the card kernel in process (no pcscd), plain and behind
// channels that behave like other real cards: T=0 style 61 XX answers and
// short-APDU-only readers. Expected values come from the card image itself
// (EF contents written by the test card, tries from card-apdu.md §4.1) and
// from OpenSSL (signature verification with the key's published public
// half), never from the client.
#include "openmyna/card/client/jpki_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/client/errors.h"
#include "openmyna/card/file_ids.h"
#include "openmyna/card/issuance.h"
#include "testing/test_card.h"

namespace openmyna::card::client {
namespace {

using State = PinStatus::State;
using card::testing::DerShapedBlob;
using card::testing::kAuthPin;
using card::testing::kSignPassword;
using card::testing::PersonalizedImage;

std::string Hex(ByteView b) { return ToHex(b, ' ', true); }

// The card kernel as an ApduChannel; records every command.
class CardChannel : public ApduChannel {
 public:
  explicit CardChannel(CardEndpoint& card) : card_(card) {}
  Result<Bytes> Transmit(ByteView command) override {
    sent.push_back(Hex(command));
    return card_.Transmit(command);
  }
  std::vector<std::string> sent;

 private:
  CardEndpoint& card_;
};

// A T=0 style card (ISO/IEC 7816-4 status 61 XX): every response with data
// is held back and announced as 61 XX, then handed out by GET RESPONSE at
// most Le bytes at a time.
class GetResponseChannel : public ApduChannel {
 public:
  explicit GetResponseChannel(ApduChannel& inner) : inner_(inner) {}
  Result<Bytes> Transmit(ByteView command) override {
    if (command.size() >= 2 && command[1] == 0xC0) {
      ++get_responses;
      const std::size_t le =
          command.size() == 5 && command[4] != 0 ? command[4] : 256;
      const std::size_t n = std::min(le, pending_.size());
      Bytes out(pending_.begin(), pending_.begin() + n);
      pending_.erase(pending_.begin(), pending_.begin() + n);
      AppendStatus(out);
      return out;
    }
    OPENMYNA_ASSIGN_OR_RETURN(Bytes r, inner_.Transmit(command));
    if (r.size() <= 2) return r;
    pending_sw_ = ReadU16(r, r.size() - 2);
    pending_.assign(r.begin(), r.end() - 2);
    Bytes out;
    AppendStatus(out);
    return out;
  }
  int get_responses = 0;

 private:
  void AppendStatus(Bytes& out) {
    if (pending_.empty()) {
      AppendU16(out, pending_sw_);
    } else {
      out.push_back(0x61);
      out.push_back(static_cast<std::uint8_t>(
          std::min<std::size_t>(pending_.size(), 256) & 0xFF));
    }
  }
  ApduChannel& inner_;
  Bytes pending_;
  std::uint16_t pending_sw_ = 0x9000;
};

// A reader that takes short APDUs only: extended ones (5th byte 00 and at
// least 7 bytes, ISO/IEC 7816-4 §5.2) are answered 67 00.
class ShortOnlyChannel : public ApduChannel {
 public:
  explicit ShortOnlyChannel(ApduChannel& inner) : inner_(inner) {}
  Result<Bytes> Transmit(ByteView command) override {
    if (command.size() >= 7 && command[4] == 0x00) {
      ++refused;
      return Bytes{0x67, 0x00};
    }
    return inner_.Transmit(command);
  }
  int refused = 0;

 private:
  ApduChannel& inner_;
};

Bytes EfData(const CardImage& image, Fid fid) {
  const auto* app = image.FindApplication("jpki");
  const auto* ef = app ? app->Find(fid) : nullptr;
  return ef ? ef->data : Bytes{};
}

Bytes Sha256(ByteView m) {
  Bytes out(32);
  EVP_Digest(m.data(), m.size(), out.data(), nullptr, EVP_sha256(), nullptr);
  return out;
}

// DigestInfo of SHA-256 as OpenSC sends it (card-apdu.md §3.4 table).
Bytes DigestInfo(ByteView message) {
  Bytes out =
      FromHex("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20")
          .value();
  Append(out, Sha256(message));
  return out;
}

// sha256WithRSAEncryption check by OpenSSL with the key the chip published
// at generation (issuance.h PublicKeyOf).
bool VerifiesWith(const CardImage& image, Fid key, ByteView message,
                  ByteView signature) {
  auto spki = PublicKeyOf(image, "jpki", key);
  if (!spki) return false;
  const unsigned char* p = spki->data();
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size()));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      pub != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
      EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  return ok;
}

class JpkiClientTest : public ::testing::Test {
 protected:
  void Plug(CardImage image) {
    image_ = std::move(image);
    card_ = Card::FromImage(image_, rng_);
    card_->PowerOn();
    channel_ = std::make_unique<CardChannel>(*card_);
  }
  void SetUp() override { Plug(PersonalizedImage()); }

  DeterministicRng rng_{7};
  CardImage image_;
  std::unique_ptr<Card> card_;
  std::unique_ptr<CardChannel> channel_;
};

TEST_F(JpkiClientTest, QueryShowsTheIssuedTriesAndSpendsNone) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  for (int round = 0; round < 2; ++round) {
    auto sign = jpki.QueryPin(JpkiKey::kSignature);
    ASSERT_TRUE(sign.has_value()) << sign.error();
    EXPECT_EQ(sign->state, State::kTriesLeft);
    EXPECT_EQ(sign->tries_left, 5);  // card-apdu.md §4.1: 5 tries
    auto auth = jpki.QueryPin(JpkiKey::kAuthentication);
    ASSERT_TRUE(auth.has_value()) << auth.error();
    EXPECT_EQ(auth->tries_left, 3);  // 3 tries
  }
  // The exact bytes of §11.1.
  EXPECT_EQ(channel_->sent[0], "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
  EXPECT_EQ(channel_->sent[1], "00 A4 02 0C 02 00 1B");
  EXPECT_EQ(channel_->sent[2], "00 20 00 80");
  EXPECT_EQ(channel_->sent[3], "00 A4 02 0C 02 00 18");
}

TEST_F(JpkiClientTest, SelectFailsOnACardWithoutJpki) {
  CardImage image = PersonalizedImage();
  std::erase_if(image.applications,
                [](const Application& a) { return a.name == "jpki"; });
  Plug(std::move(image));
  JpkiClient jpki(*channel_);
  auto st = jpki.SelectAp();
  ASSERT_FALSE(st.has_value());
  EXPECT_TRUE(st.error().Is(ClientErrc::kCardStatus));
  EXPECT_NE(st.error().message().find("6A 82"), std::string::npos);
}

TEST_F(JpkiClientTest, ReadsTheAuthCertificateWithoutAPin) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  EXPECT_EQ(*cert, EfData(image_, kJpkiAuthCert));
  auto ca = jpki.ReadCaCertificate(JpkiKey::kSignature);
  ASSERT_TRUE(ca.has_value()) << ca.error();
  EXPECT_EQ(*ca, EfData(image_, kJpkiSignCaCert));
}

TEST_F(JpkiClientTest, SignatureCertificateNeedsThePassword) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto refused = jpki.ReadCertificate(JpkiKey::kSignature);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().Is(ClientErrc::kCardStatus));
  EXPECT_NE(refused.error().message().find("69 82"), std::string::npos);

  auto login = jpki.Login(JpkiKey::kSignature, kSignPassword);
  ASSERT_TRUE(login.has_value()) << login.error();
  EXPECT_EQ(login->state, State::kVerified);
  auto cert = jpki.ReadCertificate(JpkiKey::kSignature);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  EXPECT_EQ(*cert, EfData(image_, kJpkiSignCert));
}

TEST_F(JpkiClientTest, SignsADigestInfoThatOpenSslVerifies) {
  const Bytes message = ToBytes("OpenMyna client test\n");
  for (JpkiKey key : {JpkiKey::kSignature, JpkiKey::kAuthentication}) {
    SCOPED_TRACE(JpkiKeyName(key));
    JpkiClient jpki(*channel_);
    ASSERT_TRUE(jpki.SelectAp());
    auto login =
        jpki.Login(key, key == JpkiKey::kSignature ? kSignPassword : kAuthPin);
    ASSERT_TRUE(login.has_value()) << login.error();
    ASSERT_EQ(login->state, State::kVerified);
    auto sig = jpki.Sign(key, DigestInfo(message));
    ASSERT_TRUE(sig.has_value()) << sig.error();
    EXPECT_EQ(sig->size(), 256u);
    const Fid key_fid =
        key == JpkiKey::kSignature ? kJpkiSignKey : kJpkiAuthKey;
    EXPECT_TRUE(VerifiesWith(image_, key_fid, message, *sig));
    const Fid other = key == JpkiKey::kSignature ? kJpkiAuthKey : kJpkiSignKey;
    EXPECT_FALSE(VerifiesWith(image_, other, message, *sig));
  }
  // §3.4: SELECT the key EF, then 80 2A 00 80 33 <DigestInfo> 00.
  const std::string& last = channel_->sent.back();
  EXPECT_EQ(last.substr(0, 14), "80 2A 00 80 33");
  EXPECT_EQ(last.substr(last.size() - 3), " 00");
  EXPECT_EQ(channel_->sent[channel_->sent.size() - 2], "00 A4 02 0C 02 00 17");
}

TEST_F(JpkiClientTest, SigningWithoutThePinIsRefusedByTheCard) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto sig = jpki.Sign(JpkiKey::kSignature, DigestInfo(ToBytes("x")));
  ASSERT_FALSE(sig.has_value());
  EXPECT_TRUE(sig.error().Is(ClientErrc::kCardStatus));
  EXPECT_NE(sig.error().message().find("69 82"), std::string::npos);
  // Re-selecting the AP keeps the login on real cards (§16 #6); Logout
  // selects another AP, which clears it on every card (§2).
  ASSERT_TRUE(jpki.Login(JpkiKey::kSignature, kSignPassword));
  ASSERT_TRUE(jpki.SelectAp());
  EXPECT_TRUE(jpki.Sign(JpkiKey::kSignature, DigestInfo(ToBytes("x"))));
  ASSERT_TRUE(jpki.Logout());
  EXPECT_EQ(channel_->sent.back(),
            "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08");
  ASSERT_TRUE(jpki.SelectAp());
  EXPECT_FALSE(jpki.Sign(JpkiKey::kSignature, DigestInfo(ToBytes("x"))));
}

TEST_F(JpkiClientTest, SignInputOutsideOneTo245BytesIsNeverSent) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  const std::size_t before = channel_->sent.size();
  for (std::size_t size : {std::size_t{0}, std::size_t{246}}) {
    auto sig = jpki.Sign(JpkiKey::kSignature, Bytes(size, 0x01));
    ASSERT_FALSE(sig.has_value());
    EXPECT_TRUE(sig.error().Is(ClientErrc::kInvalidArgument));
  }
  EXPECT_EQ(channel_->sent.size(), before);
}

TEST_F(JpkiClientTest, WrongPasswordCountsDownThenBlocks) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  for (int expected = 4; expected >= 1; --expected) {
    auto st = jpki.Login(JpkiKey::kSignature, "WRONG1");
    ASSERT_TRUE(st.has_value()) << st.error();
    EXPECT_EQ(st->state, State::kTriesLeft);
    EXPECT_EQ(st->tries_left, expected);
  }
  auto last = jpki.Login(JpkiKey::kSignature, "WRONG1");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->state, State::kBlocked);  // 63 C0 (§9.2)

  // Blocked: Login does not even send the right password...
  const std::size_t before = channel_->sent.size();
  auto blocked = jpki.Login(JpkiKey::kSignature, kSignPassword);
  ASSERT_TRUE(blocked.has_value());
  EXPECT_EQ(blocked->state, State::kBlocked);
  for (std::size_t i = before; i < channel_->sent.size(); ++i) {
    EXPECT_NE(channel_->sent[i].substr(0, 14), "00 20 00 80 06");
  }
  // ...and VERIFY with data gets 69 84, which is mapped to blocked (§9.2).
  auto direct = jpki.VerifyPin(JpkiKey::kSignature, kSignPassword);
  ASSERT_TRUE(direct.has_value());
  EXPECT_EQ(direct->state, State::kBlocked);
  EXPECT_EQ(direct->tries_left, 0);
}

TEST_F(JpkiClientTest, RightPinResetsTheCounter) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto wrong = jpki.Login(JpkiKey::kAuthentication, "0000");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->tries_left, 2);
  ASSERT_EQ(jpki.Login(JpkiKey::kAuthentication, kAuthPin)->state,
            State::kVerified);
  EXPECT_EQ(jpki.QueryPin(JpkiKey::kAuthentication)->tries_left, 3);
}

TEST(NormalizePinTest, AppliesTheFormatRulesOfCardApdu91) {
  // Signature password: 6–16 of A-Z 0-9, upper-cased first.
  EXPECT_EQ(NormalizePin(JpkiKey::kSignature, "abc123").value(), "ABC123");
  EXPECT_EQ(NormalizePin(JpkiKey::kSignature, "ABCDEFGH12345678").value(),
            "ABCDEFGH12345678");
  for (const char* bad : {"AB12", "ABC-12", "ABCDEFGH123456789", ""}) {
    auto r = NormalizePin(JpkiKey::kSignature, bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_TRUE(r.error().Is(ClientErrc::kInvalidPin));
    EXPECT_EQ(r.error().message().find(bad[0] ? bad : "\x01"),
              std::string::npos);  // the value is never in the message
  }
  // Authentication PIN: 4 digits.
  EXPECT_EQ(NormalizePin(JpkiKey::kAuthentication, "1234").value(), "1234");
  for (const char* bad : {"123", "12345", "12a4"}) {
    EXPECT_FALSE(NormalizePin(JpkiKey::kAuthentication, bad)) << bad;
  }
}

TEST_F(JpkiClientTest, MalformedPinCostsNoTry) {
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto r = jpki.Login(JpkiKey::kAuthentication, "12a4");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().Is(ClientErrc::kInvalidPin));
  EXPECT_EQ(jpki.QueryPin(JpkiKey::kAuthentication)->tries_left, 3);
}

// A ~2 KB certificate (the real ones are 1.5–2 KB, card-apdu.md §4.3),
// followed by filler as real EFs have (§4.3, §16 #7).
CardImage ImageWithLargeAuthCertificate(std::size_t der_size,
                                        std::size_t filler) {
  CardImage image = PersonalizedImage();
  Bytes ef = DerShapedBlob(der_size, 0x00);
  for (std::size_t i = 4; i < ef.size(); ++i) {
    ef[i] = static_cast<std::uint8_t>(i * 7);
  }
  ef.resize(der_size + filler, 0xFF);
  EXPECT_TRUE(WriteBinary(image, "jpki", kJpkiAuthCert, ef));
  return image;
}

TEST_F(JpkiClientTest, ExtendedReadTakesTheCertificateInOneCommand) {
  Plug(ImageWithLargeAuthCertificate(2100, 300));
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  const Bytes ef = EfData(image_, kJpkiAuthCert);
  EXPECT_EQ(*cert, Bytes(ef.begin(), ef.begin() + 2100));  // no filler
  // SELECT, the 4-byte header, then one extended read of 2,096 bytes.
  ASSERT_EQ(channel_->sent.size(), 4u);
  EXPECT_EQ(channel_->sent[2], "00 B0 00 00 04");
  EXPECT_EQ(channel_->sent[3], "00 B0 00 04 00 08 30");
}

TEST_F(JpkiClientTest, ShortReadsWhenAsked) {
  Plug(ImageWithLargeAuthCertificate(2100, 300));
  JpkiClient jpki(*channel_, {.extended_length = false});
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  const Bytes ef = EfData(image_, kJpkiAuthCert);
  EXPECT_EQ(*cert, Bytes(ef.begin(), ef.begin() + 2100));
  // 2,096 bytes after the header: 8 chunks of 256 and one of 48 (0x30).
  ASSERT_EQ(channel_->sent.size(), 2u + 1u + 9u);
  EXPECT_EQ(channel_->sent[3], "00 B0 00 04 00");
  EXPECT_EQ(channel_->sent.back(), "00 B0 08 04 30");
}

TEST_F(JpkiClientTest, FallsBackToShortReadsWhenExtendedIsRefused) {
  Plug(ImageWithLargeAuthCertificate(2100, 0));
  ShortOnlyChannel reader(*channel_);
  JpkiClient jpki(reader);
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  EXPECT_EQ(*cert, EfData(image_, kJpkiAuthCert));
  EXPECT_EQ(reader.refused, 1);
}

TEST_F(JpkiClientTest, WorksWithACardThatAnswers61xx) {
  Plug(ImageWithLargeAuthCertificate(2100, 0));
  GetResponseChannel t0(*channel_);
  JpkiClient jpki(t0);
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  EXPECT_EQ(*cert, EfData(image_, kJpkiAuthCert));
  ASSERT_EQ(jpki.Login(JpkiKey::kAuthentication, kAuthPin)->state,
            State::kVerified);
  const Bytes message = ToBytes("61xx");
  auto sig = jpki.Sign(JpkiKey::kAuthentication, DigestInfo(message));
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_TRUE(VerifiesWith(image_, kJpkiAuthKey, message, *sig));
  EXPECT_GT(t0.get_responses, 9);  // 2,096 bytes need 9 GET RESPONSEs
}

TEST_F(JpkiClientTest, TruncatedCertificateIsABadResponse) {
  CardImage image = PersonalizedImage();
  Bytes ef = DerShapedBlob(827, 0x51);
  ef.resize(600);  // header says 827
  ASSERT_TRUE(WriteBinary(image, "jpki", kJpkiAuthCert, ef));
  Plug(std::move(image));
  for (bool extended : {true, false}) {
    JpkiClient jpki(*channel_, {.extended_length = extended});
    ASSERT_TRUE(jpki.SelectAp());
    auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
    ASSERT_FALSE(cert.has_value());
    EXPECT_TRUE(cert.error().Is(ClientErrc::kBadResponse)) << cert.error();
  }
}

TEST_F(JpkiClientTest, NonDerEfIsABadResponse) {
  CardImage image = PersonalizedImage();
  ASSERT_TRUE(WriteBinary(image, "jpki", kJpkiAuthCert, Bytes(100, 0xFF)));
  Plug(std::move(image));
  JpkiClient jpki(*channel_);
  ASSERT_TRUE(jpki.SelectAp());
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  ASSERT_FALSE(cert.has_value());
  EXPECT_TRUE(cert.error().Is(ClientErrc::kBadResponse));
}

TEST(JpkiKeyTest, ParsesTheTwoNames) {
  EXPECT_EQ(ParseJpkiKey("signature").value(), JpkiKey::kSignature);
  EXPECT_EQ(ParseJpkiKey("authentication").value(), JpkiKey::kAuthentication);
  auto bad = ParseJpkiKey("sign");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().Is(ClientErrc::kInvalidArgument));
}

}  // namespace
}  // namespace openmyna::card::client
