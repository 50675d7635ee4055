// Interoperability with the OpenSSL command line (software nobody here
// wrote): `openssl x509 -text` and `asn1parse` show the profiles of
// jpki.md §3; `openssl verify` chains by key identifier across root
// generations; `openssl cms` and OpenMyna accept each other's detached
// signatures. Expected values come from jpki.md and the request data.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "openmyna/base/file_io.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/verifier.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

using testing_tools::ShellRun;

ShellRun Shell(const std::string& command) {
  return testing_tools::RunShell(command, testing_tools::Stderr::kCapture);
}

std::string Pem(const Bytes& der) {
  X509Ptr cert = testing::ParseDer(der);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

void Write(const fs::path& path, std::string_view text) {
  ASSERT_TRUE(WriteFileAtomically(path, text));
}

// Lines of `openssl asn1parse` as (offset, header length, length, text).
struct Asn1Line {
  long offset, header, length;
  std::string text;
};
std::vector<Asn1Line> Asn1Parse(const std::string& args) {
  ShellRun run = Shell("openssl asn1parse " + args);
  EXPECT_EQ(run.status, 0) << run.output;
  std::vector<Asn1Line> lines;
  static const std::regex kLine(
      R"(\s*(\d+):d=\s*\d+\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+(.*))");
  std::istringstream in(run.output);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kLine)) {
      lines.push_back(
          {std::stol(m[1]), std::stol(m[2]), std::stol(m[3]), m[4]});
    }
  }
  return lines;
}

class OpenSslInterop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::TempDir("interop"));
    Sandbox& sandbox = testing::SharedSandbox();
    store_ = sandbox.OpenStore().value().release();
    DeterministicRng rng(5);
    CertificateAuthority ca(sandbox, *store_, rng);
    IssueRequest sign = testing::SignatureRequest(0);
    sign.personal.sex = SanSex::kMale;
    sign_ = new IssuedCertificate(ca.Issue(sign).value());
    auth_ = new IssuedCertificate(
        ca.Issue(testing::AuthenticationRequest(1)).value());
    Write(*dir_ / "sign.pem", Pem(sign_->der));
    Write(*dir_ / "auth.pem", Pem(auth_->der));
    ASSERT_TRUE(WriteFileAtomically(*dir_ / "sign.der", ByteView(sign_->der)));
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, testing::SubjectKey(0), nullptr, nullptr, 0,
                             nullptr, nullptr);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    Write(*dir_ / "sign.key",
          std::string(data, static_cast<std::size_t>(length)));
    BIO_free(bio);
  }
  static std::string P(const char* name) { return (*dir_ / name).string(); }
  static std::string Bundle(CaKind kind) {
    return testing::SharedSandbox().bundle_pem(kind).string();
  }
  static fs::path* dir_;
  static CertificateStore* store_;
  static IssuedCertificate* sign_;
  static IssuedCertificate* auth_;
};
fs::path* OpenSslInterop::dir_;
CertificateStore* OpenSslInterop::store_;
IssuedCertificate* OpenSslInterop::sign_;
IssuedCertificate* OpenSslInterop::auth_;

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST_F(OpenSslInterop, X509TextShowsTheSignatureProfile) {
  ShellRun run =
      Shell("openssl x509 -noout -text -nameopt RFC2253 -in " + P("sign.pem"));
  ASSERT_EQ(run.status, 0) << run.output;
  const std::string& t = run.output;
  EXPECT_TRUE(std::regex_search(
      t, std::regex(
             "Subject: CN=[0-9A-Z]{14}13221003A,L=Kiyose-shi,L=Tokyo-to,C=JP")))
      << t;
  EXPECT_TRUE(
      Has(t,
          "Issuer: OU=Open-source My Number Card emulator,OU=Sandbox "
          "CA for digital signature (NOT JPKI),O=SANDBOX-NOT-JPKI,C=JP"))
      << t;
  EXPECT_TRUE(Has(t, "Signature Algorithm: sha256WithRSAEncryption")) << t;
  EXPECT_TRUE(Has(t, "Public-Key: (2048 bit)")) << t;
  EXPECT_TRUE(Has(t,
                  "X509v3 Key Usage: critical\n                Digital "
                  "Signature, Non Repudiation"))
      << t;
  EXPECT_TRUE(Has(t,
                  "X509v3 Certificate Policies: critical\n                "
                  "Policy: 1.3.6.1.4.1.32473.1.1.20\n"
                  "                  CPS: http://127.0.0.1:8390/cps.html"))
      << t;
  EXPECT_TRUE(Has(t, "URI:http://127.0.0.1:8390/crl/sign/g1/13221.crl")) << t;
  EXPECT_TRUE(Has(t,
                  "DirName:C = JP, O = SANDBOX-NOT-JPKI, OU = Sandbox CA "
                  "for digital signature (NOT JPKI), OU = CRL Distribution "
                  "Points, OU = Tokyo-to, CN = Kiyose-shi CRLDP"))
      << t;
  // openssl decodes the six otherNames back to the request's data, in the
  // order of jpki.md §3.2.
  const IssueRequest input = testing::SignatureRequest(0);
  EXPECT_TRUE(
      Has(t, "othername: 1.2.392.200149.8.5.5.1::" + input.personal.name +
                 ", othername: 1.2.392.200149.8.5.5.4::419900102, "
                 "othername: 1.2.392.200149.8.5.5.3::1, othername: "
                 "1.2.392.200149.8.5.5.5::" +
                 input.personal.address +
                 ", othername: 1.2.392.200149.8.5.5.2::00000, "
                 "othername: 1.2.392.200149.8.5.5.6::" +
                 std::string(16, '0')))
      << t;
  EXPECT_TRUE(Has(t, "OCSP - URI:http://127.0.0.1:8390/ocsp/sign")) << t;
  EXPECT_FALSE(Has(t, "Extended Key Usage")) << t;
  EXPECT_FALSE(Has(t, "O=JPKI,")) << t;
  EXPECT_TRUE(Has(t, "Not After : Jan  2 14:59:59 2031 GMT")) << t;
}

TEST_F(OpenSslInterop, X509TextShowsTheAuthenticationProfile) {
  ShellRun run =
      Shell("openssl x509 -noout -text -nameopt RFC2253 -in " + P("auth.pem"));
  ASSERT_EQ(run.status, 0) << run.output;
  const std::string& t = run.output;
  EXPECT_TRUE(std::regex_search(
      t, std::regex("Subject: CN=[0-9A-Z]{14}13221003A,C=JP\n")))
      << t;
  EXPECT_TRUE(
      Has(t, "X509v3 Key Usage: critical\n                Digital Signature\n"))
      << t;
  EXPECT_TRUE(Has(t,
                  "X509v3 Extended Key Usage: \n                TLS Web Client "
                  "Authentication"))
      << t;
  EXPECT_TRUE(Has(t, "Policy: 1.3.6.1.4.1.32473.1.3.30")) << t;
  EXPECT_TRUE(Has(t, "OCSP - URI:http://127.0.0.1:8390/ocsp/auth")) << t;
  EXPECT_FALSE(Has(t, "Subject Alternative Name")) << t;
  // SKI last, AKI with keyid, issuer DN and serial (jpki.md §3.1).
  EXPECT_TRUE(std::regex_search(
      t, std::regex("X509v3 Authority Key Identifier: \n\\s+keyid:[0-9A-F:]+\n"
                    "\\s+DirName:.*NOT-JPKI.*\n\\s+serial:[0-9A-F:]+\n\\s+"
                    "X509v3 Subject Key Identifier: \n\\s+[0-9A-F:]+\n\\s+"
                    "Signature Algorithm")))
      << t;
}

TEST_F(OpenSslInterop, Asn1ParseDecodesTheSanBackToTheResident) {
  const std::string der = P("sign.der");
  auto top = Asn1Parse("-inform DER -in " + der);
  long san_offset = -1;
  for (std::size_t i = 0; i + 1 < top.size(); ++i) {
    if (Has(top[i].text, "X509v3 Subject Alternative Name")) {
      san_offset = top[i + 1].offset;
    }
  }
  ASSERT_GE(san_offset, 0);
  auto san = Asn1Parse("-inform DER -in " + der + " -strparse " +
                       std::to_string(san_offset));
  std::vector<std::string> oids, values;
  long dob_offset = -1;
  for (std::size_t i = 0; i < san.size(); ++i) {
    std::smatch m;
    if (std::regex_search(san[i].text, m, std::regex("OBJECT\\s+:(\\S+)"))) {
      oids.push_back(m[1]);
      if (m[1].str() == kOidDateOfBirth) dob_offset = san[i - 1].offset;
    }
    if (std::regex_search(san[i].text, m, std::regex("UTF8STRING\\s+:(.*)"))) {
      values.push_back(m[1]);
    }
  }
  EXPECT_EQ(oids, (std::vector<std::string>{
                      "1.2.392.200149.8.5.5.1", "1.2.392.200149.8.5.5.4",
                      "1.2.392.200149.8.5.5.3", "1.2.392.200149.8.5.5.5",
                      "1.2.392.200149.8.5.5.2", "1.2.392.200149.8.5.5.6"}));
  const IssueRequest input = testing::SignatureRequest(0);
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0], input.personal.name);
  EXPECT_EQ(values[1], "419900102");
  EXPECT_EQ(values[2], "1");
  EXPECT_EQ(values[3], input.personal.address);
  EXPECT_EQ(values[4], "00000");
  EXPECT_EQ(values[5], std::string(16, '0'));
  // The otherName's DER, found at the offset openssl reports, equals the
  // worked example of jpki.md §3.3.
  ASSERT_GE(dob_offset, 0);
  auto octet = std::find_if(top.begin(), top.end(), [&](const Asn1Line& l) {
    return l.offset == san_offset;
  });
  const long start = san_offset + octet->header + dob_offset;
  const Bytes& cert = sign_->der;
  const Bytes got(cert.begin() + start, cert.begin() + start + 27);
  EXPECT_EQ(ToHex(got, ' '),
            "a0 19 06 0a 2a 83 08 8c 9b 55 08 05 05 04 a0 0b 0c 09 34 31 39 39 "
            "30 30 31 30 32");
}

TEST_F(OpenSslInterop, CaCertificatesShowTheRootAndResponderProfiles) {
  Sandbox& sandbox = testing::SharedSandbox();
  const auto& g = sandbox.current(CaKind::kAuthentication);
  ShellRun run = Shell("openssl x509 -noout -text -nameopt RFC2253 -in " +
                       g.certificate_pem.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(Has(run.output,
                  "X509v3 Key Usage: critical\n                "
                  "Certificate Sign, CRL Sign"))
      << run.output;
  EXPECT_TRUE(
      Has(run.output,
          "X509v3 Basic Constraints: critical\n                CA:TRUE\n"))
      << run.output;
  EXPECT_TRUE(Has(run.output,
                  "Subject: OU=Open-source My Number Card emulator,"
                  "OU=Sandbox CA for user authentication (NOT JPKI),"
                  "O=SANDBOX-NOT-JPKI,C=JP"))
      << run.output;
  EXPECT_TRUE(Has(run.output, "14:59:59")) << run.output;
  run =
      Shell("openssl x509 -noout -text -in " + g.ocsp_certificate_pem.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(Has(run.output, "OCSP Signing")) << run.output;
  EXPECT_TRUE(Has(run.output, "OCSP No Check")) << run.output;
  // Key files are private (0600).
  EXPECT_EQ(fs::status(g.key_pem).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(g.ocsp_key_pem).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(OpenSslInterop, OpensslVerifyAcceptsTheChainAndValidity) {
  const std::string at = " -attime " + std::to_string(system_clock::to_time_t(
                                           testing::FixtureNow() + hours(24)));
  ShellRun run = Shell("openssl verify" + at + " -CAfile " +
                       Bundle(CaKind::kSignature) + " " + P("sign.pem"));
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(Has(run.output, ": OK")) << run.output;
  run = Shell("openssl verify" + at + " -CAfile " +
              Bundle(CaKind::kAuthentication) + " " + P("auth.pem"));
  EXPECT_EQ(run.status, 0) << run.output;
  // The wrong CA, and after expiry: refused.
  run = Shell("openssl verify" + at + " -CAfile " + Bundle(CaKind::kSignature) +
              " " + P("auth.pem"));
  EXPECT_NE(run.status, 0) << run.output;
  const std::string late =
      " -attime " +
      std::to_string(system_clock::to_time_t(sys_days(year(2031) / 1 / 3)));
  run = Shell("openssl verify" + late + " -CAfile " +
              Bundle(CaKind::kAuthentication) + " " + P("auth.pem"));
  EXPECT_NE(run.status, 0);
  EXPECT_TRUE(Has(run.output, "certificate has expired")) << run.output;
}

TEST_F(OpenSslInterop, OpensslPicksTheRootGenerationByKeyIdentifier) {
  FixedClock clock(testing::FixtureNow());
  DeterministicRng rng(8);
  auto init =
      Sandbox::Init(testing::TempDir("interop-rollover"), {}, clock, rng);
  ASSERT_TRUE(init) << init.error();
  clock.Advance(hours(24 * 365 * 4));
  ASSERT_TRUE(init->sandbox.Rollover(CaKind::kAuthentication, clock, rng));
  auto store = init->sandbox.OpenStore().value();
  CertificateAuthority ca(init->sandbox, *store, rng);
  IssueRequest request = testing::AuthenticationRequest(2);
  request.not_before = clock.Now();
  auto issued = ca.Issue(request);
  ASSERT_TRUE(issued) << issued.error();
  EXPECT_EQ(issued->generation, 2);
  Write(*dir_ / "g2.pem", Pem(issued->der));
  const std::string at =
      " -attime " +
      std::to_string(system_clock::to_time_t(clock.Now() + hours(1)));
  const auto& gens = init->sandbox.generations(CaKind::kAuthentication);
  // The bundle holds g1 (same DN) first: openssl must still choose g2.
  ShellRun run =
      Shell("openssl verify" + at + " -CAfile " +
            init->sandbox.bundle_pem(CaKind::kAuthentication).string() + " " +
            P("g2.pem"));
  EXPECT_EQ(run.status, 0) << run.output;
  run = Shell("openssl verify" + at + " -CAfile " +
              gens[0].certificate_pem.string() + " " + P("g2.pem"));
  EXPECT_NE(run.status, 0) << run.output;
}

TEST_F(OpenSslInterop, CmsBothWays) {
  const std::string content = P("content.txt");
  Write(content, "申請書: OpenMyna interop\n");
  // Ours → openssl cms -verify.
  FixedClock clock(testing::FixtureNow() + hours(2));
  X509Ptr cert = testing::ParseDer(sign_->der);
  auto cms = SignDetached(ToBytes("申請書: OpenMyna interop\n"),
                          testing::SubjectKey(0), cert.get(), clock);
  ASSERT_TRUE(cms) << cms.error();
  ASSERT_TRUE(WriteFileAtomically(*dir_ / "ours.p7s", ByteView(*cms)));
  const std::string at =
      " -attime " +
      std::to_string(system_clock::to_time_t(testing::FixtureNow() + hours(3)));
  ShellRun run =
      Shell("openssl cms -verify -binary -inform DER -in " + P("ours.p7s") +
            " -content " + content + " -CAfile " + Bundle(CaKind::kSignature) +
            at + " -purpose any -out /dev/null");
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(Has(run.output, "Verification successful")) << run.output;
  run = Shell("openssl cms -cmsout -print -inform DER -in " + P("ours.p7s"));
  EXPECT_TRUE(Has(run.output, "signingTime")) << run.output;
  EXPECT_TRUE(Has(run.output, "sha256")) << run.output;

  // openssl cms -sign → ours.
  run = Shell("openssl cms -sign -binary -md sha256 -outform DER -in " +
              content + " -signer " + P("sign.pem") + " -inkey " +
              P("sign.key") + " -out " + P("theirs.p7s"));
  ASSERT_EQ(run.status, 0) << run.output;
  auto theirs = ReadFileBytes(*dir_ / "theirs.p7s").value();
  auto roots = testing::SharedSandbox().Roots(CaKind::kSignature).value();
  std::vector<X509*> borrowed{roots[0].get()};
  VerifyOptions options{testing::FixtureNow() + hours(3), {}};
  auto verdict =
      VerifyDetached(theirs, ReadFileBytes(content).value(), borrowed, options);
  ASSERT_TRUE(verdict) << verdict.error();
  EXPECT_TRUE(verdict->good) << verdict->detail;
  auto tampered =
      VerifyDetached(theirs, ToBytes("something else"), borrowed, options);
  ASSERT_TRUE(tampered);
  EXPECT_FALSE(tampered->good);
}

// Our OCSP client against `openssl ocsp` as the responder (an independent
// implementation), with the sandbox's delegated responder certificate.
TEST_F(OpenSslInterop, OcspClientAgainstOpensslResponder) {
  Sandbox& sandbox = testing::SharedSandbox();
  const auto& g = sandbox.current(CaKind::kAuthentication);
  DeterministicRng rng(77);
  CertificateAuthority ca(sandbox, *store_, rng);
  auto revoked = ca.Issue(testing::AuthenticationRequest(2));
  auto stranger = ca.Issue(testing::AuthenticationRequest(3));
  ASSERT_TRUE(revoked && stranger);
  auto upper = [](std::string hex) {
    for (char& c : hex) c = static_cast<char>(std::toupper(c));
    return hex;
  };
  // index.txt of `openssl ca`: status, expiry, revocation[,reason], serial,
  // file, subject. The stranger is absent: "unknown".
  Write(*dir_ / "index.txt",
        "V\t310102145959Z\t\t" + upper(auth_->serial.Hex()) +
            "\tunknown\t/CN=a\n" +
            "R\t310102145959Z\t261126000000Z,"
            "keyCompromise\t" +
            upper(revoked->serial.Hex()) + "\tunknown\t/CN=b\n");
  const int port = testing::FreeLoopbackPort();
  const std::string command =
      "openssl ocsp -index " + P("index.txt") + " -port " +
      std::to_string(port) + " -rsigner " + g.ocsp_certificate_pem.string() +
      " -rkey " + g.ocsp_key_pem.string() + " -CA " +
      g.certificate_pem.string() + " -nrequest 3 -nmin 5 > " + P("ocsp.log") +
      " 2>&1 &";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto roots = sandbox.Roots(CaKind::kAuthentication).value();
  X509* root = roots[0].get();
  CertificateVerdict v;
  // Wait for the listener (up to 30 s: a loaded CI machine starts it late).
  for (int attempt = 0; attempt < 300; ++attempt) {
    X509Ptr cert = testing::ParseDer(auth_->der);
    v = CheckOcsp(cert.get(), root, url);
    if (v.detail.find("no response") == std::string::npos) break;
    usleep(100000);
  }
  ASSERT_TRUE(v.good) << v.detail << "\nopenssl ocsp said:\n"
                      << ReadFileText(P("ocsp.log")).value_or("(no log)");
  X509Ptr r = testing::ParseDer(revoked->der);
  v = CheckOcsp(r.get(), root, url);
  EXPECT_EQ(v.rule, VerifyRule::kRevoked) << v.detail;
  EXPECT_EQ(v.revocation_reason, RevocationReason::kKeyCompromise);
  X509Ptr s = testing::ParseDer(stranger->der);
  v = CheckOcsp(s.get(), root, url);
  EXPECT_EQ(v.rule, VerifyRule::kRevocationUnknown) << v.detail;
}

}  // namespace
}  // namespace openmyna::pki
