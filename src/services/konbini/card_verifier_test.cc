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
#include "testing/ocsp_fixture.h"
#include "testing/ocsp_server.h"

namespace openmyna::konbini {
namespace {

using namespace openmyna::konbini::testing;  // NOLINT: the fixture's names

TEST_F(KonbiniTest, OcspIsJudgedAtTheCentresClock) {
  const Holder& taro = holders_.at(0);
  pki::X509Ptr cert = pki::testing::ParseDer(taro.certificate_der);
  auto roots = sandbox_->Roots(pki::CaKind::kAuthentication);
  ASSERT_TRUE(roots) << roots.error();
  // Generation 1 issued the card's certificate (and signs the answers).
  pki::X509Ptr issuer(X509_dup((*roots)[0].get()));
  ASSERT_EQ(X509_check_issued(issuer.get(), cert.get()), X509_V_OK);
  auto ca = sandbox_->CaSigner(pki::CaKind::kAuthentication, 1);
  ASSERT_TRUE(ca) << ca.error();

  pki::testing::OcspAnswerServer responder;
  ASSERT_TRUE(responder.Start());
  PkiCardVerifier verifier(std::move(*roots), responder.url());

  const TimePoint now = clock_.Now();
  auto check = [&](TimePoint this_update, bool revoked) {
    responder.Answer(pki::testing::OcspResponse(cert.get(), issuer.get(), **ca,
                                                this_update, revoked));
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

}  // namespace
}  // namespace openmyna::konbini
