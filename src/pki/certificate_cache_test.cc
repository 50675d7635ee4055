// The cache of parsed card certificates (sign-in provider, eligibility): each
// answer gets the certificate of exactly the bytes it sent (re-encoded by
// OpenSSL's i2d_X509 to the same DER), a certificate seen before included, and
// unreadable bytes are refused as ParseCertificate refuses them.
#include "openmyna/pki/certificate_cache.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <vector>

namespace openmyna::pki {
namespace {

// A self-signed certificate made with plain OpenSSL, serial `serial`.
Bytes SelfSigned(long serial) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("card"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert.get(), &der);
  Bytes out(der, der + (n > 0 ? n : 0));
  OPENSSL_free(der);
  return out;
}

Bytes Der(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  Bytes out(der, der + (n > 0 ? n : 0));
  OPENSSL_free(der);
  return out;
}

TEST(CertificateCache, GivesTheCertificateOfTheBytesSent) {
  const Bytes a = SelfSigned(1001);
  const Bytes b = SelfSigned(1002);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  CertificateCache cache(/*capacity=*/2);
  for (const Bytes* sent : {&a, &b, &a, &a, &b}) {
    auto cert = cache.Parse(*sent);
    ASSERT_TRUE(cert) << cert.error().message();
    EXPECT_EQ(Der(cert->get()), *sent);
  }
  // Past its capacity the cache starts afresh and still answers.
  const Bytes c = SelfSigned(1003);
  for (const Bytes* sent : {&c, &a, &b, &c}) {
    auto cert = cache.Parse(*sent);
    ASSERT_TRUE(cert);
    EXPECT_EQ(Der(cert->get()), *sent);
  }
  Bytes cut(a.begin(), a.end() - 1);
  EXPECT_FALSE(cache.Parse(cut));
  EXPECT_FALSE(cache.Parse(ToBytes("not a certificate")));
}

// The bench's many-card configuration (bench/sign_in/run.sh): more cards
// than the cache holds, taken in turn, are parsed afresh every time; one
// card again and again is parsed once; capacity 0 keeps none.
TEST(CertificateCache, CardsTakenInTurnPastCapacityAreAlwaysParsed) {
  std::vector<Bytes> cards;
  for (long serial = 2001; serial <= 2005; ++serial) {
    cards.push_back(SelfSigned(serial));
  }
  CertificateCache cache(/*capacity=*/2);
  for (int round = 0; round < 3; ++round) {
    for (const Bytes& der : cards) {
      auto cert = cache.Parse(der);
      ASSERT_TRUE(cert);
      EXPECT_EQ(Der(cert->get()), der);
    }
  }
  EXPECT_EQ(cache.stats().misses, 15u);
  EXPECT_EQ(cache.stats().hits, 0u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(cache.Parse(cards[0]));
  EXPECT_EQ(cache.stats().misses, 16u);
  EXPECT_EQ(cache.stats().hits, 3u);

  CertificateCache none(/*capacity=*/0);
  for (int i = 0; i < 3; ++i) {
    auto cert = none.Parse(cards[1]);
    ASSERT_TRUE(cert);
    EXPECT_EQ(Der(cert->get()), cards[1]);
  }
  EXPECT_EQ(none.stats().misses, 3u);
  EXPECT_EQ(none.stats().hits, 0u);
}

}  // namespace
}  // namespace openmyna::pki
