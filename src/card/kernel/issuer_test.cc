// The authenticated issuer commands (issuer_auth.h, docs/card.md). The
// issuer's answer is computed independently here with OpenSSL's HMAC().
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "kernel/test_util.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/issuer_auth.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

Bytes Hmac(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(),
       data.size(), out.data(), &len);
  return out;
}

class IssuerTest : public ::testing::Test {
 protected:
  IssuerTest() : card_(Card::FromImage(PersonalizedImage(), rng_)) {}
  // GET CHALLENGE + ISSUER AUTHENTICATE with `key`.
  std::uint16_t Authenticate(ByteView key) {
    Bytes ch = DataOf(Send(*card_, "00 84 00 00 10"));
    Bytes msg = ToBytes("OpenMyna issuer v1");
    Append(msg, ch);
    return SendSw(*card_, "80 82 00 00 20 " + ToHex(Hmac(key, msg)));
  }
  DeterministicRng rng_{31};
  std::unique_ptr<Card> card_;
  const Bytes issuer_key_ = *IssuerKeyOf(PersonalizedImage());
};

TEST_F(IssuerTest, LibraryResponseMatchesOpensslHmac) {
  const Bytes ch = rng_.Bytes(16);
  Bytes msg = ToBytes("OpenMyna issuer v1");
  Append(msg, ch);
  EXPECT_EQ(IssuerAuthResponse(issuer_key_, ch), Hmac(issuer_key_, msg));
}

// The MAC context is kept per thread and keyed again only when the key
// changes: alternating keys (and an empty one) must each give OpenSSL's
// one-shot HMAC().
TEST_F(IssuerTest, ResponseFollowsTheKeyAcrossCalls) {
  const Bytes other(32, 0x42);
  const Bytes ch = rng_.Bytes(16);
  Bytes msg = ToBytes("OpenMyna issuer v1");
  Append(msg, ch);
  for (const Bytes* key : {&issuer_key_, &other, &other, &issuer_key_}) {
    EXPECT_EQ(IssuerAuthResponse(*key, ch), Hmac(*key, msg));
  }
  const Bytes empty;
  EXPECT_EQ(IssuerAuthResponse(empty, ch), Hmac(empty, msg));
  EXPECT_EQ(IssuerAuthResponse(issuer_key_, ch), Hmac(issuer_key_, msg));
  EXPECT_NE(IssuerAuthResponse(issuer_key_, ch), Hmac(other, msg));
}

TEST_F(IssuerTest, UnblockABlockedPin) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  for (int i = 0; i < 3; ++i) SendSw(*card_, "00 20 00 98 04 30 30 30 30");
  ASSERT_EQ(SendSw(*card_, "00 20 00 98"), 0x63C0);
  // Without issuer authentication: refused.
  EXPECT_EQ(SendSw(*card_, "80 2C 03 98"), 0x6982);
  // A wrong key: 63 00, and the challenge is spent.
  EXPECT_EQ(Authenticate(Bytes(32, 0x42)), 0x6300);
  EXPECT_EQ(SendSw(*card_, "80 82 00 00 20 " + ToHex(Bytes(32, 0))), 0x6985);
  EXPECT_EQ(SendSw(*card_, "80 2C 03 98"), 0x6982);
  ASSERT_EQ(Authenticate(issuer_key_), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 2C 03 98"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98"), 0x63C3);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
}

TEST_F(IssuerTest, SetANewPinValueWithThePolicy) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(Authenticate(issuer_key_), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 2C 02 9B 06 41 42 43 44 45 46"), 0x6A80);
  EXPECT_EQ(SendSw(*card_, "80 2C 02 9B 06 5A 5A 5A 39 39 39"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B 06 41 42 43 31 32 33"), 0x63C4);
  EXPECT_EQ(SendSw(*card_, "00 20 00 9B 06 5A 5A 5A 39 39 39"), 0x9000);
  // Power loss ends the issuer session.
  card_->Reset();
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 2C 03 98"), 0x6982);
}

TEST_F(IssuerTest, RewriteBinaryData) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 0B"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 D6 00 00 02 30 82"), 0x6982);
  ASSERT_EQ(Authenticate(issuer_key_), 0x9000);
  ASSERT_EQ(SendSw(*card_, "80 0E 00 00"), 0x9000);  // truncate to empty
  EXPECT_EQ(SendSw(*card_, "00 B0 00 00 04"), 0x6B00);
  ASSERT_EQ(SendSw(*card_, "80 D6 00 00 04 30 82 00 01"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "80 D6 00 04 01 05"), 0x9000);
  EXPECT_EQ(Send(*card_, "00 B0 00 00 00"),
            (Bytes{0x30, 0x82, 0x00, 0x01, 0x05, 0x90, 0x00}));
  EXPECT_EQ(SendSw(*card_, "80 D6 00 09 01 05"), 0x6B00);
  // Internal objects cannot be written.
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 17"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "80 D6 00 00 01 00"), 0x6981);
}

}  // namespace
}  // namespace openmyna::card::testing
