// SignDetachedExternal with a software DigestInfo signer. Oracles are
// OpenSSL's own: the same key through CMS_sign must give the identical DER
// (RSASSA-PKCS1-v1_5 is deterministic), and CMS_verify with the sandbox
// root must accept it; the `openssl cms -verify` command line checks the
// card-made signatures in tests/pcsc/card_sign_test.sh.
#include "openmyna/pki/cms.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "internal/openssl_util.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono;

// The raw RSA private operation with PKCS#1 v1.5 type-1 padding over the
// given DigestInfo, as the card does for 80 2A 00 80 (card-apdu.md §3.4).
DigestInfoSigner SoftwareSigner(EVP_PKEY* key, int* calls,
                                Bytes* seen = nullptr) {
  return [key, calls, seen](ByteView digest_info) -> Result<Bytes> {
    ++*calls;
    if (seen) seen->assign(digest_info.begin(), digest_info.end());
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    std::size_t length = 0;
    Bytes out;
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_sign(ctx, nullptr, &length, digest_info.data(),
                            digest_info.size()) == 1;
    if (ok) {
      out.resize(length);
      ok = EVP_PKEY_sign(ctx, out.data(), &length, digest_info.data(),
                         digest_info.size()) == 1;
      out.resize(length);
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) return Fail(PkiErrc::kCrypto, "test signer failed");
    return out;
  };
}

// What OpenSSL makes by itself with the private key in hand: the same
// flags and attributes (signingTime set from the same instant).
Bytes OpenSslReference(ByteView content, EVP_PKEY* key, X509* cert,
                       TimePoint when) {
  constexpr unsigned kFlags =
      CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags);
  CMS_SignerInfo* si = CMS_add1_signer(cms, cert, key, EVP_sha256(), kFlags);
  ASN1_TIME* t = ASN1_TIME_new();
  internal::SetAsn1Time(t, when);
  CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(t), t,
                              -1);
  ASN1_TIME_free(t);
  BIO* data = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
  EXPECT_EQ(CMS_final(cms, data, nullptr, kFlags), 1);
  BIO_free(data);
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms, &der);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  CMS_ContentInfo_free(cms);
  return out;
}

// CMS_verify (OpenSSL) against one trusted root, at `when`.
bool OpenSslVerifies(ByteView cms_der, ByteView content, X509* root,
                     TimePoint when) {
  const unsigned char* p = cms_der.data();
  CMS_ContentInfo* cms =
      d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size()));
  if (cms == nullptr) return false;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
                             system_clock::to_time_t(when));
  BIO* data = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
  const bool ok =
      CMS_verify(cms, nullptr, store, data, nullptr, CMS_BINARY) == 1;
  ERR_clear_error();
  BIO_free(data);
  X509_STORE_free(store);
  CMS_ContentInfo_free(cms);
  return ok;
}

class CmsExternalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Sandbox& sandbox = testing::SharedSandbox();
    store_ = sandbox.OpenStore().value().release();
    DeterministicRng rng(123);
    CertificateAuthority ca(sandbox, *store_, rng);
    sign_ =
        new IssuedCertificate(ca.Issue(testing::SignatureRequest(2)).value());
  }
  X509Ptr Root() {
    auto roots = testing::SharedSandbox().Roots(CaKind::kSignature).value();
    return std::move(roots.front());
  }
  static CertificateStore* store_;
  static IssuedCertificate* sign_;
  TimePoint when_ = testing::FixtureNow() + hours(24 * 10);
  const Bytes content_ = ToBytes("確定申告書 tax return, signed on a card\n");
};
CertificateStore* CmsExternalTest::store_;
IssuedCertificate* CmsExternalTest::sign_;

TEST_F(CmsExternalTest, IdenticalToOpenSslSigningWithTheKey) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  FixedClock clock(when_);
  int calls = 0;
  Bytes digest_info;
  auto ours = SignDetachedExternal(
      content_, cert.get(),
      SoftwareSigner(testing::SubjectKey(2), &calls, &digest_info), clock);
  ASSERT_TRUE(ours) << ours.error();
  EXPECT_EQ(calls, 1);
  // A SHA-256 DigestInfo: the 19-byte prefix of card-apdu.md §3.4 + 32.
  ASSERT_EQ(digest_info.size(), 51u);
  EXPECT_EQ(ToHex(ByteView(digest_info).first(19), ' ', true),
            "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
  const Bytes reference =
      OpenSslReference(content_, testing::SubjectKey(2), cert.get(), when_);
  EXPECT_EQ(ToHex(*ours), ToHex(reference));
}

TEST_F(CmsExternalTest, OpenSslAndVerifyDetachedAcceptIt) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  X509Ptr root = Root();
  FixedClock clock(when_);
  int calls = 0;
  auto cms = SignDetachedExternal(
      content_, cert.get(), SoftwareSigner(testing::SubjectKey(2), &calls),
      clock);
  ASSERT_TRUE(cms) << cms.error();
  EXPECT_TRUE(OpenSslVerifies(*cms, content_, root.get(), when_));
  Bytes changed = content_;
  changed.back() ^= 0x01;
  EXPECT_FALSE(OpenSslVerifies(*cms, changed, root.get(), when_));

  auto verdict = VerifyDetached(*cms, content_, {root.get()}, VerifyOptions{});
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->good) << verdict->detail;
}

// The two halves: the DigestInfo first (no certificate yet), the signature
// later; the result is byte for byte what OpenSSL signs with the key.
TEST_F(CmsExternalTest, InTwoHalvesIdenticalToOpenSsl) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  auto digest_info = DetachedDigestInfo(content_, when_);
  ASSERT_TRUE(digest_info) << digest_info.error();
  int calls = 0;
  auto signature = SoftwareSigner(testing::SubjectKey(2), &calls)(*digest_info);
  ASSERT_TRUE(signature);
  auto cms = AssembleDetached(content_, cert.get(), when_, *signature);
  ASSERT_TRUE(cms) << cms.error();
  EXPECT_EQ(ToHex(*cms),
            ToHex(OpenSslReference(content_, testing::SubjectKey(2), cert.get(),
                                   when_)));
  X509Ptr root = Root();
  EXPECT_TRUE(OpenSslVerifies(*cms, content_, root.get(), when_));
  // Another signing time or content gives another DigestInfo: refused.
  EXPECT_FALSE(
      AssembleDetached(content_, cert.get(), when_ + seconds(1), *signature));
  Bytes changed = content_;
  changed.back() ^= 0x01;
  EXPECT_FALSE(AssembleDetached(changed, cert.get(), when_, *signature));
}

TEST_F(CmsExternalTest, ASignatureByAnotherKeyIsRefused) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  FixedClock clock(when_);
  int calls = 0;
  // Key 3 is not the certificate's key (as when a card signs with its
  // other JPKI key).
  auto cms = SignDetachedExternal(
      content_, cert.get(), SoftwareSigner(testing::SubjectKey(3), &calls),
      clock);
  ASSERT_FALSE(cms);
  EXPECT_TRUE(cms.error().Is(PkiErrc::kCrypto));
  EXPECT_EQ(calls, 1);
}

TEST_F(CmsExternalTest, TheSignersErrorIsPassedThrough) {
  X509Ptr cert = testing::ParseDer(sign_->der);
  FixedClock clock(when_);
  auto cms = SignDetachedExternal(
      content_, cert.get(),
      [](ByteView) -> Result<Bytes> {
        return Fail(PkiErrc::kIo, "card removed");
      },
      clock);
  ASSERT_FALSE(cms);
  EXPECT_TRUE(cms.error().Is(PkiErrc::kIo));
  EXPECT_EQ(cms.error().message(), "card removed");
}

TEST_F(CmsExternalTest, NeedsAnRsaCertificate) {
  int calls = 0;
  auto cms = SignDetachedExternal(
      content_, nullptr, SoftwareSigner(testing::SubjectKey(2), &calls),
      FixedClock(when_));
  ASSERT_FALSE(cms);
  EXPECT_TRUE(cms.error().Is(PkiErrc::kBadCertificate));
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace openmyna::pki
