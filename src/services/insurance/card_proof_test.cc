// The card path's OCSP check (CheckCardProof, card_proof.cc) against a
// loopback responder (pki/testing/ocsp_server.h) answering with responses
// made by plain OpenSSL (pki/testing/ocsp_fixture.h), as `serve`'s responder
// would at the service's clock. The fixture's instant (2026-11-25 03:00 UTC)
// lies days before the system clock, like `serve --now` on another day: an
// answer current at the service's clock is stale by the system's.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/services/insurance_api.h"
#include "testing/ocsp_fixture.h"
#include "testing/ocsp_server.h"
#include "testing/pki_fixture.h"

namespace openmyna::services {
namespace {

TEST(CardProofTest, OcspIsJudgedAtTheServicesClock) {
  pki::Sandbox& sandbox = pki::testing::SharedSandbox();
  auto store = pki::SqliteCertificateStore::Open(sandbox.store_path());
  ASSERT_TRUE(store) << store.error();
  OpenSslRng rng;
  pki::CertificateAuthority authority(sandbox, **store, rng);
  auto issued = authority.Issue(pki::testing::AuthenticationRequest(0));
  ASSERT_TRUE(issued) << issued.error();
  pki::X509Ptr cert = pki::testing::ParseDer(issued->der);
  auto roots = sandbox.Roots(pki::CaKind::kAuthentication);
  ASSERT_TRUE(roots) << roots.error();
  // Generation 1 issued the certificate (and signs the answers).
  pki::X509Ptr issuer(X509_dup((*roots)[0].get()));
  ASSERT_EQ(X509_check_issued(issuer.get(), cert.get()), X509_V_OK);
  auto ca = sandbox.CaSigner(pki::CaKind::kAuthentication, 1);
  ASSERT_TRUE(ca) << ca.error();

  pki::testing::OcspAnswerServer responder;
  ASSERT_TRUE(responder.Start());

  const TimePoint now = pki::testing::FixtureNow() + std::chrono::hours(1);
  FixedClock clock(now);
  InsuranceApiOptions options;
  options.clock = &clock;
  options.rng = &rng;
  options.auth_roots = std::move(*roots);
  options.ocsp_url = responder.url();
  // The card's proof: its key's PKCS#1 v1.5 SHA-256 signature over the
  // nonce, made with plain OpenSSL.
  CardProof proof{issued->der, Bytes{0x6e, 0x6f, 0x6e, 0x63, 0x65}, {}};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr,
                               pki::testing::SubjectKey(0)),
            1);
  ASSERT_EQ(EVP_DigestSign(ctx, nullptr, &size, proof.nonce.data(),
                           proof.nonce.size()),
            1);
  proof.signature.resize(size);
  ASSERT_EQ(EVP_DigestSign(ctx, proof.signature.data(), &size,
                           proof.nonce.data(), proof.nonce.size()),
            1);
  proof.signature.resize(size);
  EVP_MD_CTX_free(ctx);

  auto check = [&](TimePoint this_update, bool revoked) {
    responder.Answer(pki::testing::OcspResponse(cert.get(), issuer.get(), **ca,
                                                this_update, revoked));
    return CheckCardProof(proof, options, now);
  };

  // Good, signed at the service's clock: accepted.
  CardProofCheck good = check(now, false);
  EXPECT_EQ(good.refusal, "");
  EXPECT_EQ(good.serial, issued->serial.Hex());
  EXPECT_GE(responder.asked(), 1);
  // Revoked at the service's clock: refused as revoked.
  CardProofCheck revoked = check(now, true);
  EXPECT_NE(revoked.refusal.find("revoked"), std::string::npos)
      << revoked.refusal;
  // Good but made two days before the service's clock (nextUpdate passed):
  // currency is still judged, at that clock.
  CardProofCheck stale = check(now - std::chrono::hours(48), false);
  EXPECT_NE(stale.refusal.find("revocation-unknown"), std::string::npos)
      << stale.refusal;
}

}  // namespace
}  // namespace openmyna::services
