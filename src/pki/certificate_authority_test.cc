// Issuance profiles (jpki.md §3.1, §3.2, §12, §13). Expected byte values
// come from jpki.md (decoded real certificates and worked DER examples),
// not from this library.
#include "openmyna/pki/certificate_authority.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <regex>
#include <set>

#include "openmyna/pki/errors.h"
#include "openmyna/pki/verifier.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono;
using testing::ParseDer;
using testing::SharedSandbox;

Bytes ExtensionValue(X509* cert, int nid, bool* critical = nullptr) {
  const int i = X509_get_ext_by_NID(cert, nid, -1);
  if (i < 0) return {};
  X509_EXTENSION* ext = X509_get_ext(cert, i);
  if (critical) *critical = X509_EXTENSION_get_critical(ext) == 1;
  const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(ext);
  return Bytes(v->data, v->data + v->length);
}

bool Contains(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(),
                     needle.end()) != haystack.end();
}

std::string Text(const X509_NAME* name, int nid, int index = 0) {
  int pos = -1;
  for (int i = 0; i <= index; ++i)
    pos = X509_NAME_get_index_by_NID(name, nid, pos);
  if (pos < 0) return {};
  const ASN1_STRING* s =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

class IssueTest : public ::testing::Test {
 protected:
  Sandbox& sandbox_ = SharedSandbox();
  std::unique_ptr<CertificateStore> store_ = sandbox_.OpenStore().value();
  DeterministicRng rng_{42};
  CertificateAuthority ca_{sandbox_, *store_, rng_};

  X509Ptr Root(CaKind kind) {
    auto roots = sandbox_.Roots(kind).value();
    return std::move(roots.back());
  }
};

TEST_F(IssueTest, AuthenticationCertificateHasTheJpkiAuthProfile) {
  auto issued = ca_.Issue(testing::AuthenticationRequest());
  ASSERT_TRUE(issued) << issued.error();
  X509Ptr cert = ParseDer(issued->der);
  X509Ptr root = Root(CaKind::kAuthentication);

  // Subject C=JP, CN=<14 random><13221>003A (jpki.md §3.1, §13 row 13).
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  EXPECT_EQ(X509_NAME_entry_count(subject), 2);
  EXPECT_EQ(Text(subject, NID_countryName), "JP");
  const std::string cn = Text(subject, NID_commonName);
  EXPECT_TRUE(std::regex_match(cn, std::regex("[0-9A-Z]{14}13221003A"))) << cn;

  // keyUsage critical 03 02 07 80 (jpki.md §1).
  bool critical = false;
  EXPECT_EQ(ExtensionValue(cert.get(), NID_key_usage, &critical),
            (Bytes{0x03, 0x02, 0x07, 0x80}));
  EXPECT_TRUE(critical);
  // EKU clientAuth, non-critical: SEQUENCE { 1.3.6.1.5.5.7.3.2 }.
  EXPECT_EQ(ExtensionValue(cert.get(), NID_ext_key_usage, &critical),
            (Bytes{0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
                   0x03, 0x02}));
  EXPECT_FALSE(critical);
  EXPECT_TRUE(ExtensionValue(cert.get(), NID_subject_alt_name).empty());
  ExtensionValue(cert.get(), NID_certificate_policies, &critical);
  EXPECT_TRUE(critical);
  // OCSP URL and CRL partition URL of the sandbox base URL.
  const Bytes aia = ExtensionValue(cert.get(), NID_info_access);
  EXPECT_TRUE(Contains(aia, ToBytes("http://127.0.0.1:8390/ocsp/auth")));
  const Bytes crldp = ExtensionValue(cert.get(), NID_crl_distribution_points);
  EXPECT_TRUE(
      Contains(crldp, ToBytes("http://127.0.0.1:8390/crl/auth/g1/13221.crl")));
  EXPECT_TRUE(Contains(crldp, ToBytes("Kiyose-shi CRLDP")));
  // notAfter 23:59:59 JST of the requested date.
  ASN1_TIME* expected = ASN1_TIME_new();
  ASN1_TIME_set_string(expected, "310102145959Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(cert.get()), expected), 0);
  ASN1_TIME_free(expected);
  // Chains to the root: AKI = root SKI; the root's key verifies it.
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  ASSERT_NE(aki, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(root.get())),
            0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(root.get())), 1);
  // SKI is the last extension (jpki.md §3.1).
  const int n = X509_get_ext_count(cert.get());
  EXPECT_EQ(
      OBJ_obj2nid(X509_EXTENSION_get_object(X509_get_ext(cert.get(), n - 1))),
      NID_subject_key_identifier);
  // Stored as good.
  auto status = store_->StatusOf(CaKind::kAuthentication, issued->serial);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, CertificateStatus::Kind::kGood);
}

TEST_F(IssueTest, SignatureCertificateCarriesTheResidentInTheSan) {
  IssueRequest request = testing::SignatureRequest();
  request.personal.sex = SanSex::kMale;
  auto issued = ca_.Issue(request);
  ASSERT_TRUE(issued) << issued.error();
  X509Ptr cert = ParseDer(issued->der);

  const X509_NAME* subject = X509_get_subject_name(cert.get());
  EXPECT_EQ(X509_NAME_entry_count(subject), 4);
  EXPECT_EQ(Text(subject, NID_localityName, 0), "Tokyo-to");
  EXPECT_EQ(Text(subject, NID_localityName, 1), "Kiyose-shi");
  bool critical = false;
  EXPECT_EQ(ExtensionValue(cert.get(), NID_key_usage, &critical),
            (Bytes{0x03, 0x02, 0x06, 0xC0}));  // jpki.md §3.2
  EXPECT_TRUE(critical);
  EXPECT_TRUE(ExtensionValue(cert.get(), NID_ext_key_usage).empty());

  const Bytes san = ExtensionValue(cert.get(), NID_subject_alt_name, &critical);
  EXPECT_FALSE(critical);
  // The worked DER examples of jpki.md §3.3.
  EXPECT_TRUE(
      Contains(san, *FromHex("a0 19 06 0a 2a 83 08 8c 9b 55 08 05 05 04 "
                             "a0 0b 0c 09 34 31 39 39 30 30 31 30 32")));
  EXPECT_TRUE(
      Contains(san, *FromHex("a0 11 06 0a 2a 83 08 8c 9b 55 08 05 05 03 "
                             "a0 03 0c 01 31")));
  // Name flags: five characters (including U+3000) → "00000".
  EXPECT_TRUE(Contains(san, ToBytes("清瀬　花子")));
  EXPECT_TRUE(
      Contains(san, *FromHex("a0 15 06 0a 2a 83 08 8c 9b 55 08 05 05 02 "
                             "a0 07 0c 05 30 30 30 30 30")));
  // Order 5.5.1, 5.5.4, 5.5.3, 5.5.5, 5.5.2, 5.5.6 (jpki.md §3.2).
  std::vector<int> order;
  for (std::size_t i = 0; i + 12 <= san.size(); ++i) {
    if (san[i] == 0x06 && san[i + 1] == 0x0a && san[i + 2] == 0x2a &&
        san[i + 9] == 0x05 && san[i + 10] == 0x05) {
      order.push_back(san[i + 11]);
    }
  }
  EXPECT_EQ(order, (std::vector<int>{1, 4, 3, 5, 2, 6}));
}

TEST_F(IssueTest, SerialsAreRandomPositiveAndUnique) {
  std::set<std::string> serials;
  for (int i = 0; i < 10; ++i) {
    auto issued = ca_.Issue(testing::AuthenticationRequest());
    ASSERT_TRUE(issued) << issued.error();
    EXPECT_EQ(issued->serial.bytes.size(), 16u);
    EXPECT_LT(issued->serial.bytes[0], 0x80);  // positive INTEGER
    serials.insert(issued->serial.Hex());
  }
  EXPECT_EQ(serials.size(), 10u);
}

TEST_F(IssueTest, ASerialCollisionIsRetried) {
  // Two issuers replaying the same random stream: the second one draws the
  // first one's serial first, finds it taken, and draws again.
  DeterministicRng first_rng(2024), second_rng(2024);
  CertificateAuthority first(sandbox_, *store_, first_rng);
  CertificateAuthority second(sandbox_, *store_, second_rng);
  auto a = first.Issue(testing::AuthenticationRequest());
  auto b = second.Issue(testing::AuthenticationRequest());
  ASSERT_TRUE(a) << a.error();
  ASSERT_TRUE(b) << b.error();
  EXPECT_NE(a->serial, b->serial);
  EXPECT_NE(a->subject_cn, b->subject_cn);
}

TEST_F(IssueTest, NotAfterIsCappedAtTheRoot) {
  IssueRequest request = testing::AuthenticationRequest();
  request.not_after_date = year(2045) / 1 / 1;
  auto issued = ca_.Issue(request);
  ASSERT_TRUE(issued) << issued.error();
  X509Ptr cert = ParseDer(issued->der);
  X509Ptr root = Root(CaKind::kAuthentication);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(cert.get()),
                              X509_get0_notAfter(root.get())),
            0);
}

TEST_F(IssueTest, RefusesMalformedRequests) {
  auto expect_invalid = [&](IssueRequest r, const char* why) {
    auto issued = ca_.Issue(r);
    ASSERT_FALSE(issued) << why;
    EXPECT_TRUE(issued.error().Is(PkiErrc::kInvalidRequest))
        << why << ": " << issued.error();
  };
  IssueRequest r = testing::SignatureRequest();
  r.municipality.code = "1322";
  expect_invalid(r, "4-digit code");
  r = testing::SignatureRequest();
  r.personal.name_flags = "0000";
  expect_invalid(r, "flags shorter than the name");
  r = testing::SignatureRequest();
  r.personal.date_of_birth = "19900102";
  expect_invalid(r, "DOB without era");
  r = testing::SignatureRequest();
  r.personal.date_of_birth = "619900102";
  expect_invalid(r, "era 6");
  r = testing::SignatureRequest();
  r.not_after_date = year(2020) / 1 / 1;
  expect_invalid(r, "notAfter before notBefore");
  r = testing::SignatureRequest();
  r.municipality.name = "清瀬市";
  expect_invalid(r, "municipality not romanised");

  EVP_PKEY* ec = EVP_EC_gen("P-256");
  unsigned char* data = nullptr;
  const int length = i2d_PUBKEY(ec, &data);
  r = testing::AuthenticationRequest();
  r.subject_public_key_info.assign(data, data + length);
  OPENSSL_free(data);
  EVP_PKEY_free(ec);
  expect_invalid(r, "EC key");
  // The key DER is embedded as received: it must be exactly one SPKI.
  r = testing::AuthenticationRequest();
  r.subject_public_key_info.push_back(0x00);
  expect_invalid(r, "trailing byte after the SPKI");
  r = testing::AuthenticationRequest();
  r.subject_public_key_info.resize(r.subject_public_key_info.size() - 1);
  expect_invalid(r, "truncated SPKI");
  r = testing::AuthenticationRequest();
  r.subject_public_key_info = {0x30, 0x03, 0x02, 0x01, 0x01};
  expect_invalid(r, "a SEQUENCE that is no SPKI");
  EVP_PKEY* small = EVP_RSA_gen(1024);
  data = nullptr;
  const int small_length = i2d_PUBKEY(small, &data);
  r = testing::AuthenticationRequest();
  r.subject_public_key_info.assign(data, data + small_length);
  OPENSSL_free(data);
  EVP_PKEY_free(small);
  expect_invalid(r, "RSA-1024");
}

TEST(Rollover, NewGenerationHasTheSameNameANewKeyAndIssues) {
  FixedClock clock(testing::FixtureNow());
  DeterministicRng rng(3);
  auto init = Sandbox::Init(testing::TempDir("rollover"), {}, clock, rng);
  ASSERT_TRUE(init) << init.error();
  Sandbox sandbox = std::move(init->sandbox);
  clock.Advance(hours(24 * 365 * 4));
  auto generation = sandbox.Rollover(CaKind::kSignature, clock, rng);
  ASSERT_TRUE(generation) << generation.error();
  EXPECT_EQ(*generation, 2);
  auto reopened = Sandbox::Open(sandbox.dir());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->generations(CaKind::kSignature).size(), 2u);
  EXPECT_EQ(reopened->generations(CaKind::kAuthentication).size(), 1u);
  auto roots = reopened->Roots(CaKind::kSignature).value();
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(roots[0].get()),
                          X509_get_subject_name(roots[1].get())),
            0);
  EXPECT_NE(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(roots[0].get()),
                                  X509_get0_subject_key_id(roots[1].get())),
            0);

  auto store = reopened->OpenStore().value();
  CertificateAuthority ca(*reopened, *store, rng);
  IssueRequest request = testing::SignatureRequest();
  request.not_before = clock.Now();
  auto issued = ca.Issue(request);
  ASSERT_TRUE(issued) << issued.error();
  EXPECT_EQ(issued->generation, 2);
  X509Ptr cert = ParseDer(issued->der);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                                  X509_get0_subject_key_id(roots[1].get())),
            0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(roots[1].get())), 1);
  EXPECT_NE(X509_verify(cert.get(), X509_get0_pubkey(roots[0].get())), 1);
  const Bytes crldp = [&] {
    const int i =
        X509_get_ext_by_NID(cert.get(), NID_crl_distribution_points, -1);
    const ASN1_OCTET_STRING* v =
        X509_EXTENSION_get_data(X509_get_ext(cert.get(), i));
    return Bytes(v->data, v->data + v->length);
  }();
  EXPECT_TRUE(Contains(crldp, ToBytes("/crl/sign/g2/13221.crl")));

  // A verifier holding both generations picks g2 by key identifier; one
  // holding only g1 (same DN) finds no issuer (jpki.md §3.7 item 3).
  const VerifyOptions at{clock.Now() + hours(1), {}};
  auto v = VerifyCertificate(cert.get(), {roots[0].get(), roots[1].get()}, at);
  EXPECT_TRUE(v.good) << v.detail;
  EXPECT_EQ(v.root_index, 1);
  v = VerifyCertificate(cert.get(), {roots[0].get()}, at);
  EXPECT_EQ(v.rule, VerifyRule::kIssuerNotFound);
}

}  // namespace
}  // namespace openmyna::pki
