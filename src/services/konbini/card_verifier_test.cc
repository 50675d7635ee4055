// The centre's card check (card_verifier.h) against an OCSP responder: a
// loopback responder (pki/testing/ocsp_server.h) answering with responses
// made by plain OpenSSL (pki/testing/ocsp_fixture.h), as `serve`'s responder
// would at the centre's clock. The fixture's clock (2026-11-26 10:00 JST) lies
// days before the system clock, like `serve --now` on another day: an answer
// current at the centre's clock is stale by the system's.
#include "openmyna/services/konbini/card_verifier.h"

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "konbini_test_fixture.h"
#include "openmyna/services/konbini/site.h"
#include "testing/ocsp_fixture.h"
#include "testing/ocsp_server.h"

namespace openmyna::konbini {
namespace {

using namespace openmyna::konbini::testing;  // NOLINT: the fixture's names

// 千曲 太郎's card certificate, the authentication roots, the generation that
// issued the certificate with its key (which signs the answers here), and
// a loopback responder.
class OcspTest : public KonbiniTest {
 protected:
  void SetUp() override {
    KonbiniTest::SetUp();
    if (HasFatalFailure()) return;
    cert_ = pki::testing::ParseDer(holders_.at(0).certificate_der);
    auto roots = sandbox_->Roots(pki::CaKind::kAuthentication);
    ASSERT_TRUE(roots) << roots.error();
    roots_ = std::move(*roots);
    // Generation 1 issued the card's certificate (and signs the answers).
    issuer_.reset(X509_dup(roots_[0].get()));
    ASSERT_EQ(X509_check_issued(issuer_.get(), cert_.get()), X509_V_OK);
    auto ca = sandbox_->CaSigner(pki::CaKind::kAuthentication, 1);
    ASSERT_TRUE(ca) << ca.error();
    ca_ = std::move(*ca);
    ASSERT_TRUE(responder_.Start());
  }
  // What the responder answers from now on: good or revoked, made at
  // `this_update`.
  void Answer(TimePoint this_update, bool revoked) {
    responder_.Answer(pki::testing::OcspResponse(cert_.get(), issuer_.get(),
                                                 *ca_, this_update, revoked));
  }

  pki::X509Ptr cert_;
  std::vector<pki::X509Ptr> roots_;
  pki::X509Ptr issuer_;
  std::unique_ptr<pki::Signer> ca_;
  pki::testing::OcspAnswerServer responder_;
};

TEST_F(OcspTest, OcspIsJudgedAtTheCentresClock) {
  const Holder& taro = holders_.at(0);
  pki::X509Ptr& cert = cert_;
  pki::testing::OcspAnswerServer& responder = responder_;
  PkiCardVerifier verifier(std::move(roots_), responder.url());

  const TimePoint now = clock_.Now();
  auto check = [&](TimePoint this_update, bool revoked) {
    Answer(this_update, revoked);
    SoftwareCard card(taro.certificate_der, taro.key, "1234");
    EXPECT_TRUE(card.VerifyPin("1234"));
    const Bytes challenge = {0x6f, 0x6d, 0x2d, 0x6f, 0x63, 0x73, 0x70};
    auto signature = card.SignChallenge(challenge);
    EXPECT_TRUE(signature) << signature.error();
    return verifier.Verify(taro.certificate_der, challenge, *signature, now);
  };

  // Good, signed at the centre's clock: accepted, the serial as OpenSSL
  // reads it from the certificate.
  auto good = check(now, false);
  ASSERT_TRUE(good) << good.error();
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string serial = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  EXPECT_EQ(*pki::Serial::FromHex(*good), *pki::Serial::FromHex(serial));
  EXPECT_GE(responder.asked(), 1);

  // Revoked at the centre's clock: refused as revoked.
  auto revoked = check(now, true);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().ToString().find("revoked"), std::string::npos)
      << revoked.error();

  // Good but made two days before the centre's clock (nextUpdate passed):
  // currency is still judged, at that clock.
  auto stale = check(now - std::chrono::hours(48), false);
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().ToString().find("revocation-unknown"),
            std::string::npos)
      << stale.error();
  EXPECT_NE(stale.error().ToString().find("not current"), std::string::npos)
      << stale.error();
}

// The verifier keeps a card's certificate parsed between sessions: the
// card's signature over each new challenge and its revocation are still
// judged every time (a card accepted once is refused once revoked).
TEST_F(OcspTest, ACardSeenBeforeIsJudgedAgainEachSession) {
  const Holder& taro = holders_.at(0);
  PkiCardVerifier verifier(std::move(roots_), responder_.url());
  const TimePoint now = clock_.Now();
  SoftwareCard card(taro.certificate_der, taro.key, "1234");
  ASSERT_TRUE(card.VerifyPin("1234"));
  const Bytes first = {0x01, 0x02, 0x03};
  const Bytes second = {0x04, 0x05, 0x06};
  auto signed_first = card.SignChallenge(first);
  ASSERT_TRUE(signed_first) << signed_first.error();

  Answer(now, false);
  auto good = verifier.Verify(taro.certificate_der, first, *signed_first, now);
  ASSERT_TRUE(good) << good.error();
  // The same certificate with the last challenge's signature: refused.
  auto replayed =
      verifier.Verify(taro.certificate_der, second, *signed_first, now);
  ASSERT_FALSE(replayed);
  EXPECT_TRUE(replayed.error().Is(KonbiniErrc::kBadSignature))
      << replayed.error();
  // Revoked since: refused, although it was accepted a moment ago.
  Answer(now, true);
  auto signed_second = card.SignChallenge(second);
  ASSERT_TRUE(signed_second) << signed_second.error();
  auto revoked =
      verifier.Verify(taro.certificate_der, second, *signed_second, now);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().ToString().find("revoked"), std::string::npos)
      << revoked.error();
  // Past its validity (the same parsed certificate, a later instant).
  Answer(now + std::chrono::days(365 * 6), false);
  auto expired = verifier.Verify(taro.certificate_der, second, *signed_second,
                                 now + std::chrono::days(365 * 6));
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().ToString().find("expired"), std::string::npos)
      << expired.error();
}

// The sandbox's site (serve's /kiosk/ page) asks the responder it is given
// (SiteOptions::ocsp_url): a card the responder calls revoked is refused at
// the kiosk although the registry still has it good; a good answer prints;
// a site without a responder asks none.
TEST_F(OcspTest, TheSiteAsksTheOcspResponderItIsGiven) {
  const Holder& taro = holders_.at(0);
  pki::testing::OcspAnswerServer& responder = responder_;

  const auto session = [&](Site& site) {
    SoftwareCard card(taro.certificate_der, taro.key, "1234");
    Kiosk kiosk(site.centre(), clock_, site.document_keys());
    return kiosk.Run(card, "1234", Choice("20218", KonbiniCertificate::kInkan));
  };
  SiteOptions options;
  options.ocsp_url = responder.url();
  auto site = Site::Open(sandbox_->dir(), *store_, clock_, options);
  ASSERT_TRUE(site) << site.error();
  Answer(clock_.Now(), true);
  auto revoked = session(**site);
  ASSERT_FALSE(revoked);
  EXPECT_TRUE(revoked.error().Is(KonbiniErrc::kRefused)) << revoked.error();
  EXPECT_NE(revoked.error().ToString().find("revoked"), std::string::npos)
      << revoked.error();
  const int asked = responder.asked();
  EXPECT_GE(asked, 1);
  Answer(clock_.Now(), false);
  auto good = session(**site);
  EXPECT_TRUE(good) << good.error();
  EXPECT_GT(responder.asked(), asked);

  auto plain = Site::Open(sandbox_->dir(), *store_, clock_);
  ASSERT_TRUE(plain) << plain.error();
  const int before = responder.asked();
  auto unchecked = session(**plain);
  EXPECT_TRUE(unchecked) << unchecked.error();
  EXPECT_EQ(responder.asked(), before);
}

}  // namespace
}  // namespace openmyna::konbini
