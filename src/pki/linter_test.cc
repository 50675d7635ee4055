// The linter: every rule broken once on an otherwise good certificate or
// CRL, and the linter names exactly that rule.
#include "openmyna/pki/linter.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "internal/openssl_util.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono;

std::vector<std::string> Rules(const std::vector<LintFinding>& findings) {
  std::vector<std::string> rules;
  for (const auto& f : findings) rules.push_back(f.rule);
  return rules;
}

// Replaces (or with value == nullptr removes) the extension `nid` in place.
// A new extension goes just before the SKI, which stays last.
int Position(X509* cert, int nid) {
  const int at = X509_get_ext_by_NID(cert, nid, -1);
  return at >= 0 ? at
                 : X509_get_ext_by_NID(cert, NID_subject_key_identifier, -1);
}

void SetExt(X509* cert, int nid, void* value, bool critical) {
  const int at = Position(cert, nid);
  if (X509_get_ext_by_NID(cert, nid, -1) >= 0) {
    X509_EXTENSION_free(X509_delete_ext(cert, at));
  }
  if (value == nullptr) return;
  X509_EXTENSION* ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, at);
  X509_EXTENSION_free(ext);
}

void SetExtConf(X509* cert, int nid, const char* conf) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, conf);
  ASSERT_NE(ext, nullptr) << conf;
  const int at = Position(cert, nid);
  if (X509_get_ext_by_NID(cert, nid, -1) >= 0) {
    X509_EXTENSION_free(X509_delete_ext(cert, at));
  }
  X509_add_ext(cert, ext, at);
  X509_EXTENSION_free(ext);
}

// certificatePolicies with one policy and optionally its CPS qualifier.
void SetPolicy(X509* cert, const char* oid, bool critical, bool cps) {
  CERTIFICATEPOLICIES* policies = sk_POLICYINFO_new_null();
  POLICYINFO* info = POLICYINFO_new();
  ASN1_OBJECT_free(info->policyid);
  info->policyid = OBJ_txt2obj(oid, 1);
  if (cps) {
    POLICYQUALINFO* q = POLICYQUALINFO_new();
    q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
    q->d.cpsuri = ASN1_IA5STRING_new();
    ASN1_STRING_set(q->d.cpsuri, "http://127.0.0.1:8390/cps.html", -1);
    info->qualifiers = sk_POLICYQUALINFO_new_null();
    sk_POLICYQUALINFO_push(info->qualifiers, q);
  }
  sk_POLICYINFO_push(policies, info);
  SetExt(cert, NID_certificate_policies, policies, critical);
  sk_POLICYINFO_pop_free(policies, POLICYINFO_free);
}

class CertLintTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Sandbox& sandbox = testing::SharedSandbox();
    store_ = sandbox.OpenStore().value().release();
    DeterministicRng rng(11);
    CertificateAuthority ca(sandbox, *store_, rng);
    sign_der_ = new Bytes(ca.Issue(testing::SignatureRequest()).value().der);
    auth_der_ =
        new Bytes(ca.Issue(testing::AuthenticationRequest()).value().der);
  }
  X509Ptr Sign() { return testing::ParseDer(*sign_der_); }
  X509Ptr Auth() { return testing::ParseDer(*auth_der_); }
  X509Ptr Root(CaKind kind) {
    return std::move(testing::SharedSandbox().Roots(kind).value().back());
  }
  std::vector<std::string> LintSign(X509* cert) {
    X509Ptr root = Root(CaKind::kSignature);
    return Rules(LintCertificate(
        cert, {CertificateProfile::kSignatureEndEntity, root.get()}));
  }
  std::vector<std::string> LintAuth(X509* cert) {
    X509Ptr root = Root(CaKind::kAuthentication);
    return Rules(LintCertificate(
        cert, {CertificateProfile::kAuthenticationEndEntity, root.get()}));
  }
  static CertificateStore* store_;
  static Bytes* sign_der_;
  static Bytes* auth_der_;
};
CertificateStore* CertLintTest::store_;
Bytes* CertLintTest::sign_der_;
Bytes* CertLintTest::auth_der_;

using V = std::vector<std::string>;

TEST_F(CertLintTest, IssuedCertificatesAndCaCertificatesPass) {
  EXPECT_EQ(LintSign(Sign().get()), V{});
  EXPECT_EQ(LintAuth(Auth().get()), V{});
  Sandbox& sandbox = testing::SharedSandbox();
  for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
    X509Ptr root = Root(kind);
    EXPECT_EQ(Rules(LintCertificate(root.get(), {CertificateProfile::kRoot})),
              V{});
    auto ocsp = sandbox.OcspSigner(kind, 1).value();
    EXPECT_EQ(Rules(LintCertificate(
                  ocsp->certificate(),
                  {CertificateProfile::kOcspResponder, root.get()})),
              V{});
  }
}

TEST_F(CertLintTest, KeyUsageMustBeCriticalAndExact) {
  X509Ptr c = Sign();
  SetExtConf(c.get(), NID_key_usage, "digitalSignature,nonRepudiation");
  EXPECT_EQ(LintSign(c.get()), V{"sign.keyUsage.critical"});
  c = Sign();
  SetExtConf(c.get(), NID_key_usage, "critical,digitalSignature");
  EXPECT_EQ(LintSign(c.get()), V{"sign.keyUsage.value"});
  c = Auth();
  SetExtConf(c.get(), NID_key_usage,
             "critical,digitalSignature,keyEncipherment");
  EXPECT_EQ(LintAuth(c.get()), V{"auth.keyUsage.value"});
}

TEST_F(CertLintTest, PolicyMustBeTheSandboxOneAndCritical) {
  const char* kSign = "1.3.6.1.4.1.32473.1.1.20";
  X509Ptr c = Sign();
  SetPolicy(c.get(), kSign, true, true);
  EXPECT_EQ(LintSign(c.get()), V{});
  SetPolicy(c.get(), kSign, false, true);
  EXPECT_EQ(LintSign(c.get()), V{"sign.policy.critical"});
  SetPolicy(c.get(), kSign, true, false);
  EXPECT_EQ(LintSign(c.get()), V{"sign.policy.cps"});
  // The real J-LIS production policy must never appear (jpki.md §2.5).
  SetPolicy(c.get(), "1.2.392.200149.8.5.1.1.20", true, true);
  EXPECT_EQ(LintSign(c.get()), V{"sign.policy.oid"});
  // The first, UUID arc is never issued again (jpki.md §13 row 2).
  SetPolicy(c.get(), "2.25.330328666135903580593862233085226355060.1.1.20",
            true, true);
  EXPECT_EQ(LintSign(c.get()), V{"sign.policy.oid"});
  c = Auth();
  SetPolicy(c.get(), "1.3.6.1.4.1.32473.1.3.30", true, true);
  EXPECT_EQ(LintAuth(c.get()), V{});
  SetPolicy(c.get(), "2.25.330328666135903580593862233085226355060.1.3.30",
            true, true);
  EXPECT_EQ(LintAuth(c.get()), V{"auth.policy.oid"});
  SetPolicy(c.get(), kSign, true, true);
  EXPECT_EQ(LintAuth(c.get()), V{"auth.policy.oid"});
}

TEST_F(CertLintTest, SignatureSanRules) {
  auto san =
      [](std::initializer_list<std::pair<const char*, const char*>> entries) {
        std::string conf;
        for (auto [oid, value] : entries) {
          if (!conf.empty()) conf += ",";
          conf += std::string("otherName:") + oid + ";UTF8:" + value;
        }
        return conf;
      };
  const char* kN = "1.2.392.200149.8.5.5.1";
  const char* kNF = "1.2.392.200149.8.5.5.2";
  const char* kS = "1.2.392.200149.8.5.5.3";
  const char* kD = "1.2.392.200149.8.5.5.4";
  const char* kA = "1.2.392.200149.8.5.5.5";
  const char* kAF = "1.2.392.200149.8.5.5.6";
  X509Ptr c = Sign();
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kD, "419900102"},
                  {kS, "1"},
                  {kA, "XYZ"},
                  {kNF, "00"},
                  {kAF, "000"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{});  // a different but valid SAN
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kS, "1"},
                  {kD, "419900102"},
                  {kA, "XYZ"},
                  {kNF, "00"},
                  {kAF, "000"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.order"});
  SetExtConf(
      c.get(), NID_subject_alt_name,
      san({{kN, "AB"}, {kD, "419900102"}, {kS, "1"}, {kA, "XYZ"}, {kNF, "00"}})
          .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.count"});
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kD, "419900102"},
                  {kS, "1"},
                  {kA, "XYZ"},
                  {kNF, "000"},
                  {kAF, "000"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.nameFlags"});
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kD, "419900102"},
                  {kS, "1"},
                  {kA, "XYZ"},
                  {kNF, "00"},
                  {kAF, "00"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.addressFlags"});
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kD, "19900102"},
                  {kS, "1"},
                  {kA, "XYZ"},
                  {kNF, "00"},
                  {kAF, "000"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.dateOfBirth"});
  SetExtConf(c.get(), NID_subject_alt_name,
             san({{kN, "AB"},
                  {kD, "419900102"},
                  {kS, "9"},
                  {kA, "XYZ"},
                  {kNF, "00"},
                  {kAF, "000"}})
                 .c_str());
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.sex"});
  SetExtConf(c.get(), NID_subject_alt_name,
             "otherName:1.2.392.200149.8.5.5.1;PRINTABLESTRING:AB,"
             "otherName:1.2.392.200149.8.5.5.4;UTF8:419900102,"
             "otherName:1.2.392.200149.8.5.5.3;UTF8:1,"
             "otherName:1.2.392.200149.8.5.5.5;UTF8:XYZ,"
             "otherName:1.2.392.200149.8.5.5.2;UTF8:00,"
             "otherName:1.2.392.200149.8.5.5.6;UTF8:000");
  EXPECT_EQ(LintSign(c.get()), V{"sign.san.utf8"});
  c = Auth();
  SetExtConf(c.get(), NID_subject_alt_name, san({{kN, "AB"}}).c_str());
  EXPECT_EQ(LintAuth(c.get()), V{"auth.san.absent"});
}

TEST_F(CertLintTest, SubjectShapes) {
  X509Ptr c = Sign();
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_ENTRY_free(X509_NAME_delete_entry(name, 1));  // drop L=prefecture
  EXPECT_EQ(LintSign(c.get()), V{"sign.subject"});
  c = Sign();
  name = X509_get_subject_name(c.get());
  X509_NAME_ENTRY_free(X509_NAME_delete_entry(name, 3));
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("ABC"), -1,
                             -1, 0);
  EXPECT_EQ(LintSign(c.get()), V{"sign.subject.cn"});
  c = Auth();
  name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_NID(name, NID_localityName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Tokyo-to"),
                             -1, 1, 0);
  EXPECT_EQ(LintAuth(c.get()), V{"auth.subject"});
}

TEST_F(CertLintTest, ExtendedKeyUsageRules) {
  X509Ptr c = Sign();
  SetExtConf(c.get(), NID_ext_key_usage, "clientAuth");
  EXPECT_EQ(LintSign(c.get()), V{"sign.eku.absent"});
  c = Auth();
  SetExt(c.get(), NID_ext_key_usage, nullptr, false);
  EXPECT_EQ(LintAuth(c.get()), V{"auth.eku.clientAuth"});
}

TEST_F(CertLintTest, SandboxNamesAndAltNames) {
  X509Ptr c = Auth();
  X509_NAME* issuer = X509_NAME_dup(X509_get_issuer_name(c.get()));
  X509_NAME_ENTRY_free(X509_NAME_delete_entry(issuer, 1));
  X509_NAME_add_entry_by_NID(issuer, NID_organizationName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("JPKI"), -1,
                             1, 0);
  X509_set_issuer_name(c.get(), issuer);
  X509_NAME_free(issuer);
  auto rules = LintAuth(c.get());
  EXPECT_NE(std::find(rules.begin(), rules.end(), "cert.issuer.sandbox"),
            rules.end());
  EXPECT_NE(std::find(rules.begin(), rules.end(), "cert.issuer.name"),
            rules.end());
}

TEST_F(CertLintTest, DistributionPointAndOcsp) {
  X509Ptr c = Auth();
  SetExtConf(c.get(), NID_crl_distribution_points,
             "URI:http://127.0.0.1:8390/crl/auth/g1/13221.crl");
  EXPECT_EQ(LintAuth(c.get()), V{"ee.crlDistributionPoints"});
  c = Auth();
  SetExt(c.get(), NID_info_access, nullptr, false);
  EXPECT_EQ(LintAuth(c.get()), V{"ee.aia.ocsp"});
  c = Sign();
  SetExt(c.get(), NID_info_access, nullptr, false);
  EXPECT_EQ(LintSign(c.get()), V{});  // optional for signature (§13 row 4)
  c = Auth();
  SetExtConf(c.get(), NID_issuer_alt_name, "URI:http://example.invalid/");
  EXPECT_EQ(LintAuth(c.get()), V{"ee.issuerAltName"});
}

TEST_F(CertLintTest, KeyIdentifiers) {
  X509Ptr c = Auth();
  Bytes wrong(20, 0xAB);
  ASN1_OCTET_STRING* ski = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(ski, wrong.data(), 20);
  SetExt(c.get(), NID_subject_key_identifier, ski, false);
  ASN1_OCTET_STRING_free(ski);
  EXPECT_EQ(LintAuth(c.get()), V{"cert.ski"});
  c = Auth();
  AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
  aki->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(aki->keyid, wrong.data(), 20);
  SetExt(c.get(), NID_authority_key_identifier, aki, false);
  EXPECT_EQ(LintAuth(c.get()),
            (V{"cert.aki.keyIdentifier", "ee.aki.issuerAndSerial"}));
  AUTHORITY_KEYID_free(aki);
  c = Auth();
  X509Ptr root = Root(CaKind::kAuthentication);
  aki = AUTHORITY_KEYID_new();
  aki->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(root.get()));
  SetExt(c.get(), NID_authority_key_identifier, aki, false);
  AUTHORITY_KEYID_free(aki);
  EXPECT_EQ(LintAuth(c.get()), V{"ee.aki.issuerAndSerial"});
  c = Auth();  // SKI moved away from the last position
  const int at = X509_get_ext_by_NID(c.get(), NID_info_access, -1);
  X509_EXTENSION* aia = X509_delete_ext(c.get(), at);
  X509_add_ext(c.get(), aia, -1);
  X509_EXTENSION_free(aia);
  EXPECT_EQ(LintAuth(c.get()), V{"cert.ski.last"});
}

TEST_F(CertLintTest, ValidityAndSerial) {
  X509Ptr c = Auth();
  ASN1_TIME_set_string(X509_getm_notAfter(c.get()), "310102150000Z");
  EXPECT_EQ(LintAuth(c.get()), V{"cert.validity.endOfDay"});
  c = Auth();
  ASN1_TIME_set_string_X509(X509_getm_notAfter(c.get()), "20601231145959Z");
  EXPECT_EQ(LintAuth(c.get()), V{"cert.validity.cap"});
  c = Auth();
  ASN1_INTEGER* small = ASN1_INTEGER_new();
  ASN1_INTEGER_set(small, 0x0133C349);  // a real 4-octet serial (§2.1)
  X509_set_serialNumber(c.get(), small);
  ASN1_INTEGER_free(small);
  EXPECT_EQ(LintAuth(c.get()), V{"cert.serial.length"});
}

TEST_F(CertLintTest, RootRules) {
  X509Ptr root = Root(CaKind::kSignature);
  X509Ptr c(X509_dup(root.get()));
  SetExtConf(c.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  EXPECT_EQ(Rules(LintCertificate(c.get(), {CertificateProfile::kRoot})),
            V{"root.basicConstraints"});
  c.reset(X509_dup(root.get()));
  SetExtConf(c.get(), NID_key_usage, "critical,keyCertSign");
  EXPECT_EQ(Rules(LintCertificate(c.get(), {CertificateProfile::kRoot})),
            V{"root.keyUsage.value"});
}

TEST_F(CertLintTest, OcspResponderRules) {
  auto signer = testing::SharedSandbox().OcspSigner(CaKind::kSignature, 1);
  X509Ptr root = Root(CaKind::kSignature);
  X509Ptr c(X509_dup((*signer)->certificate()));
  SetExt(c.get(), NID_id_pkix_OCSP_noCheck, nullptr, false);
  EXPECT_EQ(Rules(LintCertificate(
                c.get(), {CertificateProfile::kOcspResponder, root.get()})),
            V{"ocsp.nocheck"});
  c.reset(X509_dup((*signer)->certificate()));
  SetExtConf(c.get(), NID_ext_key_usage, "serverAuth");
  EXPECT_EQ(Rules(LintCertificate(
                c.get(), {CertificateProfile::kOcspResponder, root.get()})),
            V{"ocsp.eku"});
}

// --- CRLs: a good CRL built here with plain OpenSSL calls, then broken ---

class CrlLintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = testing::SharedSandbox().CaSigner(CaKind::kSignature, 1).value();
    partition_ = {CaKind::kSignature, 1, "13221", "Tokyo-to", "Kiyose-shi"};
    context_.issuer = signer_->certificate();
    context_.partition = partition_;
    context_.base_url = "http://127.0.0.1:8390";
    context_.now = now_;
  }

  struct Options {
    long version = X509_CRL_VERSION_2;
    bool next_update = true;
    hours validity = hours(24);
    bool number = true;
    bool aki = true;
    bool idp = true;
    bool idp_wrong = false;
    bool idp_ber_true = false;  // onlyContainsUserCerts TRUE as 0x01
    std::vector<std::pair<long, int>> entries = {{0x10, 1}, {0x20, 6}};
    EVP_PKEY* key = nullptr;
  };

  X509CrlPtr Build(const Options& o) {
    X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), o.version);
    X509_CRL_set_issuer_name(crl.get(),
                             X509_get_subject_name(signer_->certificate()));
    ASN1_TIME* t = ASN1_TIME_new();
    internal::SetAsn1Time(t, now_ - hours(1));
    X509_CRL_set1_lastUpdate(crl.get(), t);
    if (o.next_update) {
      internal::SetAsn1Time(t, now_ - hours(1) + o.validity);
      X509_CRL_set1_nextUpdate(crl.get(), t);
    }
    for (auto [serial, reason] : o.entries) {
      X509_REVOKED* r = X509_REVOKED_new();
      ASN1_INTEGER* s = ASN1_INTEGER_new();
      ASN1_INTEGER_set(s, serial);
      X509_REVOKED_set_serialNumber(r, s);
      ASN1_INTEGER_free(s);
      internal::SetAsn1Time(t, now_ - hours(2));
      X509_REVOKED_set_revocationDate(r, t);
      if (reason >= 0) {
        ASN1_ENUMERATED* e = ASN1_ENUMERATED_new();
        ASN1_ENUMERATED_set(e, reason);
        X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
        ASN1_ENUMERATED_free(e);
      }
      X509_CRL_add0_revoked(crl.get(), r);
    }
    ASN1_TIME_free(t);
    if (o.number) {
      ASN1_INTEGER* n = ASN1_INTEGER_new();
      ASN1_INTEGER_set(n, 5);
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, n, 0, 0);
      ASN1_INTEGER_free(n);
    }
    if (o.aki) {
      AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
      aki->keyid = ASN1_OCTET_STRING_dup(
          X509_get0_subject_key_id(signer_->certificate()));
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki, 0, 0);
      AUTHORITY_KEYID_free(aki);
    }
    if (o.idp) {
      CrlPartition p = partition_;
      if (o.idp_wrong) p.municipality = "Sapporo-shi-Minami-ku";
      ISSUING_DIST_POINT* idp = ISSUING_DIST_POINT_new();
      idp->distpoint = DIST_POINT_NAME_new();
      idp->distpoint->type = 0;
      idp->distpoint->name.fullname =
          DistributionPointNames(p, context_.base_url).value().release();
      idp->onlyuser = o.idp_ber_true ? 1 : 0xFF;
      X509_CRL_add1_ext_i2d(crl.get(), NID_issuing_distribution_point, idp, 1,
                            0);
      ISSUING_DIST_POINT_free(idp);
    }
    // No X509_CRL_sort: the entry order given is the order tested.
    EVP_PKEY* key = o.key ? o.key : signer_->openssl_private_key();
    EXPECT_GT(X509_CRL_sign(crl.get(), key, EVP_sha256()), 0);
    return crl;
  }

  V Lint(const Options& o) { return Rules(LintCrl(Build(o).get(), context_)); }

  // CrlStreamLinter over the DER of the same CRL, fed in `chunk`-byte
  // pieces (odd sizes split headers and entries).
  V StreamLint(const Bytes& der, std::size_t chunk) {
    CrlStreamLinter linter(context_);
    for (std::size_t at = 0; at < der.size(); at += chunk) {
      linter.Update(
          ByteView(der).subspan(at, std::min(chunk, der.size() - at)));
    }
    return Rules(linter.Finish());
  }
  // Both linters on the same CRL must name the same rules.
  V BothLint(const Options& o) {
    X509CrlPtr crl = Build(o);
    const V whole = Rules(LintCrl(crl.get(), context_));
    const Bytes der = testing::CrlDer(crl.get());
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, der.size()}) {
      EXPECT_EQ(StreamLint(der, chunk), whole) << "chunk " << chunk;
    }
    return whole;
  }

  TimePoint now_ = testing::FixtureNow() + hours(48);
  std::unique_ptr<Signer> signer_;
  CrlPartition partition_;
  CrlLintContext context_;
};

TEST_F(CrlLintTest, GoodCrlPasses) { EXPECT_EQ(Lint({}), V{}); }

TEST_F(CrlLintTest, EachRuleBrokenOnce) {
  Options o;
  o.version = X509_CRL_VERSION_1;
  EXPECT_EQ(Lint(o), V{"crl.version"});
  o = {};
  o.next_update = false;
  EXPECT_EQ(Lint(o), V{"crl.nextUpdate"});
  o = {};
  o.validity = hours(24 * 30);
  EXPECT_EQ(Lint(o), V{"crl.nextUpdate"});
  o = {};
  o.number = false;
  EXPECT_EQ(Lint(o), V{"crl.number"});
  o = {};
  o.aki = false;
  EXPECT_EQ(Lint(o), V{"crl.aki"});
  o = {};
  o.idp = false;
  EXPECT_EQ(Lint(o), V{"crl.idp"});
  o = {};
  o.idp_wrong = true;
  EXPECT_EQ(Lint(o), V{"crl.idp"});
  o = {};
  o.entries = {{0x20, 1}, {0x10, 1}};
  EXPECT_EQ(Lint(o), V{"crl.entries.order"});
  o = {};
  o.entries = {{0x10, 8}};  // removeFromCRL
  EXPECT_EQ(Lint(o), V{"crl.entry.reason"});
  o = {};
  o.entries = {{0x10, 0}};  // unspecified must be omitted
  EXPECT_EQ(Lint(o), V{"crl.entry.reason"});
  o = {};
  EVP_PKEY* other = testing::SubjectKey(3);
  o.key = other;
  EXPECT_EQ(Lint(o), V{"crl.signature"});
}

TEST_F(CrlLintTest, FutureThisUpdateAndWrongIssuer) {
  context_.now = testing::FixtureNow() - hours(24);
  auto rules = Lint({});
  EXPECT_NE(std::find(rules.begin(), rules.end(), "crl.thisUpdate"),
            rules.end());
  context_.now = now_;
  auto auth = testing::SharedSandbox().CaSigner(CaKind::kAuthentication, 1);
  context_.issuer = (*auth)->certificate();
  rules = Lint({});
  EXPECT_NE(std::find(rules.begin(), rules.end(), "crl.issuer"), rules.end());
}

// The streaming linter (what the publisher runs on a million-entry CRL)
// agrees with LintCrl on every rule broken once.
TEST_F(CrlLintTest, StreamLinterNamesTheSameRules) {
  Options o;
  EXPECT_EQ(BothLint(o), V{});
  o.version = X509_CRL_VERSION_1;
  EXPECT_EQ(BothLint(o), V{"crl.version"});
  o = {};
  o.next_update = false;
  EXPECT_EQ(BothLint(o), V{"crl.nextUpdate"});
  o = {};
  o.number = false;
  EXPECT_EQ(BothLint(o), V{"crl.number"});
  o = {};
  o.aki = false;
  EXPECT_EQ(BothLint(o), V{"crl.aki"});
  o = {};
  o.idp_wrong = true;
  EXPECT_EQ(BothLint(o), V{"crl.idp"});
  // DER: a BOOLEAN TRUE is the octet FF (X.690 §11.1); 01 is BER only,
  // which Python cryptography 38 refuses (the relying-party matrix).
  o = {};
  o.idp_ber_true = true;
  EXPECT_EQ(BothLint(o), V{"crl.idp"});
  o = {};
  o.entries = {{0x20, 1}, {0x10, 1}};
  EXPECT_EQ(BothLint(o), V{"crl.entries.order"});
  o = {};
  o.entries = {{0x10, 1}, {0x10, 1}};  // a duplicate is not ascending
  EXPECT_EQ(BothLint(o), V{"crl.entries.order"});
  o = {};
  o.entries = {{0x10, 8}};  // removeFromCRL
  EXPECT_EQ(BothLint(o), V{"crl.entry.reason"});
  o = {};
  o.entries = {{0x10, 0}};  // unspecified must be omitted
  EXPECT_EQ(BothLint(o), V{"crl.entry.reason"});
  o = {};
  o.entries = {};  // no revokedCertificates at all
  EXPECT_EQ(BothLint(o), V{});
  o = {};
  o.entries = {{0x7f, -1}, {0x80, 1}, {0x1234567890abcdefL, 3}};
  EXPECT_EQ(BothLint(o), V{});
  o = {};
  o.key = testing::SubjectKey(3);
  EXPECT_EQ(BothLint(o), V{"crl.signature"});
  context_.now = testing::FixtureNow() - hours(24);
  o = {};
  EXPECT_EQ(BothLint(o), V{"crl.thisUpdate"});
}

TEST_F(CrlLintTest, StreamLinterRefusesBrokenDer) {
  const Bytes der = testing::CrlDer(Build({}).get());
  EXPECT_EQ(StreamLint(der, 64), V{});
  // Truncated, trailing bytes, not a CRL at all.
  EXPECT_EQ(StreamLint(Bytes(der.begin(), der.end() - 1), 64), V{"crl.der"});
  Bytes longer = der;
  longer.push_back(0);
  EXPECT_EQ(StreamLint(longer, 64), V{"crl.der"});
  EXPECT_EQ(StreamLint(Bytes{0x04, 0x00}, 64), V{"crl.der"});
  // One bit of an entry's serial changed: still DER, the signature fails.
  X509CrlPtr crl = Build({});
  const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(
      sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 0));
  const Bytes needle = {0x02, 0x01,
                        ASN1_STRING_get0_data(serial)[0]};  // INTEGER 0x10
  auto at = std::search(der.begin(), der.end(), needle.begin(), needle.end());
  ASSERT_NE(at, der.end());
  Bytes flipped = der;
  flipped[static_cast<std::size_t>(at - der.begin()) + 2] ^= 0x01;
  EXPECT_EQ(StreamLint(flipped, 5), V{"crl.signature"});
}

}  // namespace
}  // namespace openmyna::pki
