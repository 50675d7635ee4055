// Verification: chain by key identifier, validity at a time, revocation by
// CRL (CRLs built here with plain OpenSSL), and detached CMS.
#include "openmyna/pki/verifier.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ocsp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "internal/ocsp_der.h"
#include "openmyna/pki/cms.h"
#include "testing/ocsp_fixture.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono;

class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Sandbox& sandbox = testing::SharedSandbox();
    store_ = sandbox.OpenStore().value().release();
    DeterministicRng rng(99);
    CertificateAuthority ca(sandbox, *store_, rng);
    auth_ = new IssuedCertificate(
        ca.Issue(testing::AuthenticationRequest()).value());
    sign_ =
        new IssuedCertificate(ca.Issue(testing::SignatureRequest(1)).value());
  }
  std::vector<X509*> Roots(CaKind kind) {
    roots_ = testing::SharedSandbox().Roots(kind).value();
    std::vector<X509*> out;
    for (auto& r : roots_) out.push_back(r.get());
    return out;
  }
  VerifyOptions At(TimePoint t) { return VerifyOptions{t, {}}; }
  // CheckOcsp of `response` with `cache` and without a cache give the same
  // verdict; returns the one with the cache.
  static CertificateVerdict SameWithoutCache(X509* cert, X509* issuer,
                                             const Bytes& response,
                                             TimePoint at,
                                             OcspResponseCache& cache) {
    const OcspTransport transport = [&](std::string_view,
                                        ByteView) -> std::optional<Bytes> {
      return response;
    };
    const std::string url = "http://127.0.0.1:9/ocsp/auth";
    const auto with = CheckOcsp(cert, issuer, url, transport, at, &cache);
    const auto without = CheckOcsp(cert, issuer, url, transport, at);
    EXPECT_EQ(with.rule, without.rule)
        << with.detail << " / " << without.detail;
    EXPECT_EQ(with.good, without.good);
    return with;
  }
  // For responses made with testing::OcspResponse: the authentication
  // certificate, its roots, the CA's signer and a time a month ahead of the
  // system clock (inside the certificate's validity).
  struct OcspCase {
    X509Ptr cert;
    std::vector<X509*> roots;
    std::unique_ptr<Signer> ca;
    TimePoint produced;
  };
  OcspCase MakeOcspCase() {
    OcspCase c{testing::ParseDer(auth_->der), Roots(CaKind::kAuthentication),
               nullptr, floor<seconds>(system_clock::now()) + hours(24 * 30)};
    auto ca = testing::SharedSandbox().CaSigner(CaKind::kAuthentication, 1);
    if (ca) c.ca = std::move(*ca);
    return c;
  }

  static CertificateStore* store_;
  static IssuedCertificate* auth_;
  static IssuedCertificate* sign_;
  std::vector<X509Ptr> roots_;
  TimePoint later_ = testing::FixtureNow() + hours(24 * 30);
};
CertificateStore* VerifyTest::store_;
IssuedCertificate* VerifyTest::auth_;
IssuedCertificate* VerifyTest::sign_;

TEST_F(VerifyTest, GoodWithinValidityBadOutside) {
  X509Ptr cert = testing::ParseDer(auth_->der);
  auto roots = Roots(CaKind::kAuthentication);
  auto v = VerifyCertificate(cert.get(), roots, At(later_));
  EXPECT_TRUE(v.good) << v.detail;
  EXPECT_EQ(v.root_index, 0);
  v = VerifyCertificate(cert.get(), roots,
                        At(testing::FixtureNow() - hours(1)));
  EXPECT_FALSE(v.good);
  EXPECT_EQ(v.rule, VerifyRule::kNotYetValid);
  v = VerifyCertificate(cert.get(), roots,
                        At(sys_days(year(2031) / 1 / 2) + hours(15)));
  EXPECT_EQ(v.rule, VerifyRule::kExpired);
  // 1 second before: still valid (23:59:59 JST is the last second).
  v = VerifyCertificate(
      cert.get(), roots,
      At(sys_days(year(2031) / 1 / 2) + hours(14) + minutes(59) + seconds(58)));
  EXPECT_TRUE(v.good) << v.detail;
}

TEST_F(VerifyTest, WrongCaOrTamperedSignatureIsNamed) {
  X509Ptr cert = testing::ParseDer(auth_->der);
  auto v = VerifyCertificate(cert.get(), Roots(CaKind::kSignature), At(later_));
  EXPECT_EQ(v.rule, VerifyRule::kIssuerNotFound);
  Bytes der = auth_->der;
  der[der.size() - 10] ^= 0x01;  // inside the signature value
  X509Ptr tampered = testing::ParseDer(der);
  v = VerifyCertificate(tampered.get(), Roots(CaKind::kAuthentication),
                        At(later_));
  EXPECT_EQ(v.rule, VerifyRule::kSignature);
}

TEST_F(VerifyTest, CrlDecidesRevocation) {
  X509Ptr cert = testing::ParseDer(auth_->der);
  auto signer = testing::SharedSandbox().CaSigner(CaKind::kAuthentication, 1);
  ASSERT_TRUE(signer);
  CrlPartition partition{CaKind::kAuthentication, 1, "13221", "Tokyo-to",
                         "Kiyose-shi"};
  const TimePoint revoked_at = later_ - hours(5);
  auto revoking = testing::BuildCrl(**signer, &partition,
                                    {{auth_->serial.bytes, 1, revoked_at}},
                                    later_ - hours(1), later_ + hours(23));
  auto clean = testing::BuildCrl(**signer, &partition,
                                 {{Bytes{0x01, 0x02}, 4, revoked_at}},
                                 later_ - hours(1), later_ + hours(23));
  auto roots = Roots(CaKind::kAuthentication);

  VerifyOptions options = At(later_);
  options.crls = {testing::CrlDer(clean.get())};
  auto v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_TRUE(v.good) << v.detail;

  options.crls = {testing::CrlDer(revoking.get())};
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_FALSE(v.good);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked);
  EXPECT_EQ(v.revocation_reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ(v.revocation_time, floor<seconds>(revoked_at));

  // The same CRL a week later has expired: revocation status unknown.
  options.at = later_ + hours(24 * 7);
  options.crls = {testing::CrlDer(clean.get())};
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;

  // A CRL for another municipality does not cover this certificate.
  CrlPartition sapporo{CaKind::kAuthentication, 1, "01106", "Hokkaido",
                       "Sapporo-shi-Minami-ku"};
  auto other = testing::BuildCrl(**signer, &sapporo, {}, later_ - hours(1),
                                 later_ + hours(23));
  options.at = later_;
  options.crls = {testing::CrlDer(other.get())};
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
}

// A certificate issued before the policy arc moved (jpki.md §13 row 2):
// the same certificate with its certificatePolicies under the old UUID arc,
// re-signed by the sandbox CA with plain OpenSSL calls. Existing sandboxes
// hold such certificates; verification keeps accepting them, revocation
// included.
TEST_F(VerifyTest, CertificateUnderTheOldUuidArcStillVerifies) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  CERTIFICATEPOLICIES* legacy = sk_POLICYINFO_new_null();
  POLICYINFO* info = POLICYINFO_new();
  ASN1_OBJECT_free(info->policyid);
  info->policyid =
      OBJ_txt2obj("2.25.330328666135903580593862233085226355060.1.1.20", 1);
  ASSERT_NE(info->policyid, nullptr);
  sk_POLICYINFO_push(legacy, info);
  ASSERT_EQ(X509_add1_ext_i2d(cert.get(), NID_certificate_policies, legacy, 1,
                              X509V3_ADD_REPLACE),
            1);
  sk_POLICYINFO_pop_free(legacy, POLICYINFO_free);
  auto signer = testing::SharedSandbox().CaSigner(CaKind::kSignature, 1);
  ASSERT_TRUE(signer);
  ASSERT_GT(
      X509_sign(cert.get(), (*signer)->openssl_private_key(), EVP_sha256()), 0);
  // It really is under the old arc.
  auto* policies = static_cast<CERTIFICATEPOLICIES*>(
      X509_get_ext_d2i(cert.get(), NID_certificate_policies, nullptr, nullptr));
  ASSERT_NE(policies, nullptr);
  char oid[128];
  OBJ_obj2txt(oid, sizeof oid, sk_POLICYINFO_value(policies, 0)->policyid, 1);
  sk_POLICYINFO_pop_free(policies, POLICYINFO_free);
  EXPECT_STREQ(oid, "2.25.330328666135903580593862233085226355060.1.1.20");

  auto roots = Roots(CaKind::kSignature);
  auto v = VerifyCertificate(cert.get(), roots, At(later_));
  EXPECT_TRUE(v.good) << v.detail;
  CrlPartition partition{CaKind::kSignature, 1, "13221", "Tokyo-to",
                         "Kiyose-shi"};
  auto revoking = testing::BuildCrl(
      **signer, &partition, {{sign_->serial.bytes, 1, later_ - hours(5)}},
      later_ - hours(1), later_ + hours(23));
  VerifyOptions options = At(later_);
  options.crls = {testing::CrlDer(revoking.get())};
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
}

TEST_F(VerifyTest, DetachedCmsRoundTrip) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  FixedClock clock(later_);
  const Bytes content = ToBytes("申請書 application form\n");
  auto cms = SignDetached(content, testing::SubjectKey(1), cert.get(), clock);
  ASSERT_TRUE(cms) << cms.error();
  auto roots = Roots(CaKind::kSignature);
  auto verdict = VerifyDetached(*cms, content, roots, VerifyOptions{});
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->good) << verdict->detail;
  Bytes changed = content;
  changed[0] ^= 1;
  verdict = VerifyDetached(*cms, changed, roots, VerifyOptions{});
  ASSERT_TRUE(verdict);
  EXPECT_FALSE(verdict->good);
  // Signed "now" but judged after the certificate expired.
  verdict =
      VerifyDetached(*cms, content, roots, At(sys_days(year(2032) / 1 / 1)));
  ASSERT_TRUE(verdict);
  EXPECT_FALSE(verdict->good);
  EXPECT_EQ(verdict->signer.rule, VerifyRule::kExpired);
  EXPECT_FALSE(VerifyDetached(ToBytes("garbage"), content, roots, {}));
}

// `serve --now` runs the responder on a test clock: its answers are current
// at that clock, not at the system's. ocsp_current_at says which.
TEST_F(VerifyTest, OcspCurrencyIsJudgedAtTheGivenTime) {
  auto [cert, roots, ca, produced] = MakeOcspCase();
  ASSERT_TRUE(ca);
  const Bytes response =
      testing::OcspResponse(cert.get(), roots[0], *ca, produced);
  ASSERT_FALSE(response.empty());
  const OcspTransport transport = [&](std::string_view,
                                      ByteView) -> std::optional<Bytes> {
    return response;
  };
  const std::string url = "http://127.0.0.1:9/ocsp/auth";
  auto v = CheckOcsp(cert.get(), roots[0], url, transport);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  EXPECT_NE(v.detail.find("not current"), std::string::npos) << v.detail;
  v = CheckOcsp(cert.get(), roots[0], url, transport, produced + hours(1));
  EXPECT_TRUE(v.good) << v.detail;
  // 5 minutes of leeway on either side, not more.
  v = CheckOcsp(cert.get(), roots[0], url, transport, produced - minutes(4));
  EXPECT_TRUE(v.good) << v.detail;
  v = CheckOcsp(cert.get(), roots[0], url, transport, produced - minutes(6));
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  v = CheckOcsp(cert.get(), roots[0], url, transport,
                produced + hours(24) + minutes(6));
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;

  VerifyOptions options = At(produced + hours(1));
  options.ocsp_url = url;
  options.ocsp_transport = transport;
  options.ocsp_current_at = options.at;
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_TRUE(v.good) << v.detail;
  options.ocsp_current_at.reset();  // the system clock, as before
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
}

// A relying party's cache of verified responses (ocsp_response_cache.h):
// the same bytes are verified once; a response with other bytes (a
// revocation, a tampered copy) and another issuer are judged afresh, and the
// currency is still read at each request's time.
TEST_F(VerifyTest, OcspResponseCacheReusesOnlyTheSameBytes) {
  auto [cert, roots, ca, produced] = MakeOcspCase();
  ASSERT_TRUE(ca);
  const Bytes good = testing::OcspResponse(cert.get(), roots[0], *ca, produced);
  const Bytes revoked =
      testing::OcspResponse(cert.get(), roots[0], *ca, produced, true);
  // One bit of the response's signature (found by OpenSSL) flipped.
  Bytes tampered = good;
  {
    const unsigned char* p = good.data();
    OCSP_RESPONSE* response =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(good.size()));
    ASSERT_NE(response, nullptr);
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(response);
    ASSERT_NE(basic, nullptr);
    const ASN1_OCTET_STRING* signature = OCSP_resp_get0_signature(basic);
    const unsigned char* sig = ASN1_STRING_get0_data(signature);
    const auto at = std::search(good.begin(), good.end(), sig,
                                sig + ASN1_STRING_length(signature));
    ASSERT_NE(at, good.end());
    tampered[static_cast<std::size_t>(at - good.begin()) + 10] ^= 1;
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(response);
  }
  const Bytes* serving = &good;
  const OcspTransport transport = [&](std::string_view,
                                      ByteView) -> std::optional<Bytes> {
    return *serving;
  };
  const std::string url = "http://127.0.0.1:9/ocsp/auth";
  const TimePoint at = produced + hours(1);
  OcspResponseCache cache;
  auto v = CheckOcsp(cert.get(), roots[0], url, transport, at, &cache);
  EXPECT_TRUE(v.good) << v.detail;
  v = CheckOcsp(cert.get(), roots[0], url, transport, at, &cache);
  EXPECT_TRUE(v.good) << v.detail;
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().hits, 1u);
  serving = &revoked;  // revoked since: other bytes
  v = CheckOcsp(cert.get(), roots[0], url, transport, at, &cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
  EXPECT_EQ(v.revocation_reason, RevocationReason::kKeyCompromise);
  serving = &tampered;
  v = CheckOcsp(cert.get(), roots[0], url, transport, at, &cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  EXPECT_NE(v.detail.find("not trusted"), std::string::npos) << v.detail;
  // The good bytes against another issuer (the signature CA): not trusted.
  serving = &good;
  auto other = Roots(CaKind::kSignature);
  v = CheckOcsp(cert.get(), other[0], url, transport, at, &cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  // The cached good answer is still judged for currency at each request.
  v = CheckOcsp(cert.get(), roots[0], url, transport,
                produced + hours(24) + minutes(6), &cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  EXPECT_NE(v.detail.find("not current"), std::string::npos) << v.detail;
  // Through VerifyCertificate, as a service passes it.
  VerifyOptions options = At(at);
  options.ocsp_url = url;
  options.ocsp_transport = transport;
  options.ocsp_current_at = at;
  options.ocsp_cache = &cache;
  const auto hits = cache.stats().hits;
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_TRUE(v.good) << v.detail;
  EXPECT_EQ(cache.stats().hits, hits + 1);
  serving = &revoked;
  v = VerifyCertificate(cert.get(), roots, options);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
}

// A delegated responder (RFC 6960 §4.2.2.2 case 3, as the sandbox's): with
// a cache, its certificate is chained to the issuer once, and every later
// response it signs still has its own signature checked and must answer
// only for that issuer's certificates; a responder of another CA, or one
// whose certificate was altered, is refused before and after.
TEST_F(VerifyTest, OcspResponderIsAuthorisedOnceEachResponseStillVerified) {
  auto [cert, roots, ca, produced] = MakeOcspCase();
  auto responder =
      testing::SharedSandbox().OcspSigner(CaKind::kAuthentication, 1);
  auto stranger = testing::SharedSandbox().OcspSigner(CaKind::kSignature, 1);
  ASSERT_TRUE(responder && stranger);
  const TimePoint at = produced + hours(1);
  const Bytes good =
      testing::OcspResponse(cert.get(), roots[0], **responder, produced);
  const Bytes revoked =
      testing::OcspResponse(cert.get(), roots[0], **responder, produced, true);
  const Bytes later = testing::OcspResponse(cert.get(), roots[0], **responder,
                                            produced + minutes(1));
  const Bytes foreign =
      testing::OcspResponse(cert.get(), roots[0], **stranger, produced);
  // The responder's certificate inside the response, one bit of its
  // signature flipped (outside what the response's signature covers).
  const auto flip_in_certificate = [&](const Bytes& response) {
    unsigned char* raw = nullptr;
    const int n = i2d_X509((*responder)->certificate(), &raw);
    Bytes der(raw, raw + std::max(n, 0));
    OPENSSL_free(raw);
    Bytes out = response;
    const auto at_cert =
        std::search(out.begin(), out.end(), der.begin(), der.end());
    if (at_cert == out.end()) return Bytes{};
    out[static_cast<std::size_t>(at_cert - out.begin()) + der.size() - 5] ^= 1;
    return out;
  };
  // One bit of the response's own signature flipped.
  const auto flip_in_signature = [](const Bytes& response) {
    const unsigned char* p = response.data();
    OCSP_RESPONSE* r =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response.size()));
    OCSP_BASICRESP* basic = r ? OCSP_response_get1_basic(r) : nullptr;
    Bytes out;
    if (basic) {
      const ASN1_OCTET_STRING* sig = OCSP_resp_get0_signature(basic);
      const unsigned char* b = ASN1_STRING_get0_data(sig);
      const auto hit = std::search(response.begin(), response.end(), b,
                                   b + ASN1_STRING_length(sig));
      if (hit != response.end()) {
        out = response;
        out[static_cast<std::size_t>(hit - response.begin()) + 10] ^= 1;
      }
    }
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(r);
    return out;
  };
  const Bytes bad_certificate = flip_in_certificate(good);
  const Bytes bad_signature = flip_in_signature(later);
  ASSERT_FALSE(bad_certificate.empty());
  ASSERT_FALSE(bad_signature.empty());
  const Bytes* serving = &good;
  const OcspTransport transport = [&](std::string_view,
                                      ByteView) -> std::optional<Bytes> {
    return *serving;
  };
  const std::string url = "http://127.0.0.1:9/ocsp/auth";
  OcspResponseCache cache;
  const auto check = [&](const Bytes& response, TimePoint when) {
    serving = &response;
    return CheckOcsp(cert.get(), roots[0], url, transport, when, &cache);
  };
  // Before any responder is known: the altered certificate and the other
  // CA's responder are refused.
  auto v = check(bad_certificate, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  v = check(foreign, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  // The responder's first response: chained; later ones by the same
  // responder are judged on their own bytes.
  v = check(good, at);
  EXPECT_TRUE(v.good) << v.detail;
  v = check(revoked, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
  v = check(later, at);
  EXPECT_TRUE(v.good) << v.detail;
  v = check(bad_signature, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  EXPECT_NE(v.detail.find("not trusted"), std::string::npos) << v.detail;
  v = check(bad_certificate, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  v = check(foreign, at);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  // The same good bytes against the other CA as issuer: not trusted.
  auto other = Roots(CaKind::kSignature);
  serving = &good;
  v = CheckOcsp(cert.get(), other[0], url, transport, at, &cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  // Long after the responder certificate's validity: checked again, and
  // refused (not current either way, but never good).
  v = check(later, at + hours(24 * 365 * 30));
  EXPECT_FALSE(v.good) << v.detail;
  // Every verdict above matches a cache-less check of the same bytes.
  for (const Bytes* r :
       {&good, &revoked, &later, &bad_signature, &bad_certificate, &foreign}) {
    SameWithoutCache(cert.get(), roots[0], *r, at, cache);
  }
}

// A response by the authorised responder that also answers for another
// CA's certificate: once the responder is known (the cached path checks the
// CertIDs itself, OpenSSL's issuer check being skipped with OCSP_NOVERIFY),
// it is refused as OpenSSL refuses it without the cache; the same response
// naming only this issuer's certificate twice stays good.
TEST_F(VerifyTest, OcspResponseMixingIssuersIsRefusedOnTheCachedPath) {
  auto [cert, roots, ca, produced] = MakeOcspCase();
  auto responder =
      testing::SharedSandbox().OcspSigner(CaKind::kAuthentication, 1);
  ASSERT_TRUE(responder);
  X509Ptr other = testing::ParseDer(sign_->der);
  // Owned here: Roots() keeps only the last kind it was asked for.
  const auto other_roots =
      testing::SharedSandbox().Roots(CaKind::kSignature).value();
  X509* issuer = roots[0];
  X509* other_issuer = other_roots[0].get();
  const TimePoint at = produced + hours(1);
  const Bytes good =
      testing::OcspResponse(cert.get(), issuer, **responder, produced);
  const Bytes mixed = testing::OcspResponse(cert.get(), issuer, **responder,
                                            produced + minutes(1), false,
                                            {{other.get(), other_issuer}});
  const Bytes twice = testing::OcspResponse(cert.get(), issuer, **responder,
                                            produced + minutes(2), false,
                                            {{cert.get(), issuer}});
  OcspResponseCache cache;
  auto v = SameWithoutCache(cert.get(), issuer, good, at, cache);
  ASSERT_TRUE(v.good) << v.detail;  // the responder is now known
  v = SameWithoutCache(cert.get(), issuer, mixed, at, cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
  v = SameWithoutCache(cert.get(), issuer, twice, at, cache);
  EXPECT_TRUE(v.good) << v.detail;
}

// The responseStatus of an OCSPResponse without responseBytes
// (30 03 0a 01 XX), every one-octet value: SplitOcsp reads it as OpenSSL's
// d2i_OCSP_RESPONSE + OCSP_response_status do, a two's-complement INTEGER
// (X.690 §8.4; 0xfc is -4). Found by pki_ocsp_der_fuzzer (session 12):
// SplitOcsp read 0xfc as 252.
TEST(OcspDer, ResponseStatusReadsAsOpenSslReadsIt) {
  for (int octet = 0; octet < 256; ++octet) {
    const Bytes der = {0x30, 0x03, 0x0a, 0x01,
                       static_cast<std::uint8_t>(octet)};
    const unsigned char* p = der.data();
    OCSP_RESPONSE* whole =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
    ASSERT_NE(whole, nullptr) << octet;
    const int expected = OCSP_response_status(whole);
    OCSP_RESPONSE_free(whole);
    const auto split = internal::SplitOcsp(der);
    ASSERT_TRUE(split) << octet;
    EXPECT_EQ(split->status, expected) << octet;
  }
}

// A response OpenSSL decodes that is not DER (the OCSPResponse SEQUENCE in
// BER's indefinite-length form, X.690 §8.1.3.6): SplitOcsp does not take it
// apart, and the check falls back to OpenSSL's decoding of the whole, with
// the same verdicts as for the DER bytes, with and without the cache.
TEST_F(VerifyTest, OcspResponseNotInDerIsDecodedWhole) {
  auto [cert, roots, ca, produced] = MakeOcspCase();
  auto responder =
      testing::SharedSandbox().OcspSigner(CaKind::kAuthentication, 1);
  ASSERT_TRUE(responder);
  const TimePoint at = produced + hours(1);
  const auto indefinite = [](const Bytes& der) {
    // 30 82 LL LL <content>  ->  30 80 <content> 00 00
    EXPECT_EQ(der.size() > 4 ? der[1] : 0, 0x82);
    Bytes out = {0x30, 0x80};
    out.insert(out.end(), der.begin() + 4, der.end());
    out.insert(out.end(), {0x00, 0x00});
    return out;
  };
  const Bytes good = indefinite(
      testing::OcspResponse(cert.get(), roots[0], **responder, produced));
  const Bytes revoked = indefinite(
      testing::OcspResponse(cert.get(), roots[0], **responder, produced, true));
  for (const Bytes* r : {&good, &revoked}) {
    EXPECT_FALSE(internal::SplitOcsp(*r));
    const unsigned char* p = r->data();
    OCSP_RESPONSE* whole =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(r->size()));
    EXPECT_NE(whole, nullptr);  // OpenSSL reads BER
    OCSP_RESPONSE_free(whole);
  }
  OcspResponseCache cache;
  auto v = SameWithoutCache(cert.get(), roots[0], good, at, cache);
  EXPECT_TRUE(v.good) << v.detail;
  v = SameWithoutCache(cert.get(), roots[0], revoked, at, cache);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
}

// A responder that accepts the connection and never answers (the kernel
// completes the handshake from the listen backlog): the check gives up at
// its deadline and says the status is unknown instead of hanging.
TEST_F(VerifyTest, SilentOcspResponderTimesOut) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr),
            0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/ocsp";
  X509Ptr cert = testing::ParseDer(auth_->der);
  auto roots = Roots(CaKind::kAuthentication);
  const auto start = steady_clock::now();
  const CertificateVerdict v = CheckOcsp(cert.get(), roots[0], url, 1);
  const auto waited = steady_clock::now() - start;
  ::close(listener);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown);
  EXPECT_NE(v.detail.find("within 1 s"), std::string::npos) << v.detail;
  // Not a performance figure: without a deadline the call never returns.
  EXPECT_LT(waited, seconds(30));
}

}  // namespace
}  // namespace openmyna::pki
