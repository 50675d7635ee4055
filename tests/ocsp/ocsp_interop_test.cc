// The sandbox's revocation services judged by tools nobody here wrote:
// `openssl ocsp` (status, reason, time, signature), `openssl crl` (parses
// every CRL), `openssl verify -crl_check` (accepts good, rejects revoked),
// curl (fetches the CRL at the URL the certificate names). The sandbox is
// made by the pki library's ceremony and CA, exactly as `openmyna init`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/http/server.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/services/revocation.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string Shell(const std::string& command, int* status = nullptr) {
  auto run = testing_tools::RunShell(command, testing_tools::Stderr::kCapture);
  if (status) *status = run.status;
  return std::move(run.output);
}

// The issuance instant: now (the roots were made now, too).
TimePoint Now() {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
}

void WriteDerAsPem(const Bytes& der, const fs::path& path) {
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(cert, nullptr);
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  X509_free(cert);
}

class OcspInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = testing::FreeLoopbackPort();
    dir_ = testing::TempDir("ocsp-interop");
    SandboxOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port_);
    auto outcome = Sandbox::Init(dir_, options, clock_, rng_);
    ASSERT_TRUE(outcome) << outcome.error();
    sandbox_ = new Sandbox(std::move(outcome->sandbox));
    auto store = sandbox_->OpenStore();
    ASSERT_TRUE(store) << store.error();
    CertificateAuthority ca(*sandbox_, **store, rng_);
    // good, revoked (keyCompromise), hold, later-revoked: signature CA,
    // Kiyose-shi; one authentication certificate, other municipality.
    for (const char* name : {"good", "revoked", "hold", "later"}) {
      IssueRequest request = testing::SignatureRequest(0);
      request.not_before = Now();
      auto issued = ca.Issue(request);
      ASSERT_TRUE(issued) << issued.error();
      serials_[name] = issued->serial;
      WriteDerAsPem(issued->der, dir_ / (std::string(name) + ".pem"));
    }
    IssueRequest auth = testing::AuthenticationRequest(1);
    auth.not_before = Now();
    auth.municipality = {"01106", "Hokkaido", "Sapporo-shi-Minami-ku"};
    auto issued = ca.Issue(auth);
    ASSERT_TRUE(issued) << issued.error();
    WriteDerAsPem(issued->der, dir_ / "auth.pem");
    revoked_at_ = std::chrono::floor<std::chrono::seconds>(clock_.Now()) - 1h;
    ASSERT_TRUE(ca.Revoke(serials_["revoked"], RevocationReason::kKeyCompromise,
                          revoked_at_));
    ASSERT_TRUE(ca.Revoke(serials_["hold"], RevocationReason::kCertificateHold,
                          revoked_at_));

    // A certificate the CA never recorded: made by `openssl x509` with
    // the CA's key, so the responder must answer "unknown".
    const auto& g = sandbox_->current(CaKind::kSignature);
    int status = -1;
    const std::string out =
        Shell("openssl req -new -newkey rsa:2048 -nodes -keyout " +
                  (dir_ / "stray.key").string() +
                  " -subj /CN=stray | openssl x509 "
                  "-req -CA " +
                  g.certificate_pem.string() + " -CAkey " + g.key_pem.string() +
                  " -set_serial 0x5ca1ab1e -days 1 -out " +
                  (dir_ / "stray.pem").string(),
              &status);
    ASSERT_EQ(status, 0) << out;

    services::RevocationServiceOptions service_options;
    service_options.sync_interval = 200ms;
    auto service =
        services::RevocationService::Open(dir_, clock_, service_options);
    ASSERT_TRUE(service) << service.error();
    service_ = service->release();
    http::Router router;
    ASSERT_TRUE(service_->AddRoutes(router));
    ASSERT_TRUE(service_->Start());
    http::ServerOptions server_options;
    server_options.port = static_cast<std::uint16_t>(port_);
    server_ = new http::Server(server_options, std::move(router));
    ASSERT_TRUE(server_->Start());
  }

  static void TearDownTestSuite() {
    if (server_) server_->Stop();
    if (service_) service_->Stop();
    delete server_;
    delete service_;
    delete sandbox_;
    fs::remove_all(dir_);
  }

  static std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  static std::string CaPem() {
    return sandbox_->current(CaKind::kSignature).certificate_pem.string();
  }

  static std::string Ocsp(const std::string& name, int* status,
                          const std::string& extra = "-no_nonce") {
    return Shell("openssl ocsp -issuer " + CaPem() + " -cert " +
                     (dir_ / (name + ".pem")).string() + " -url " +
                     Url("/ocsp/sign") + " -CAfile " + CaPem() + " " + extra,
                 status);
  }

  // Fetches the CRL a certificate names (its cRLDistributionPoints URI)
  // with curl, as PEM for openssl verify. Returns the URL path.
  static std::string FetchCrl(const std::string& name) {
    const std::string text = Shell(
        "openssl x509 -noout -ext "
        "crlDistributionPoints -in " +
        (dir_ / (name + ".pem")).string());
    std::smatch match;
    EXPECT_TRUE(std::regex_search(text, match, std::regex("URI:(\\S+)")))
        << text;
    const std::string url = match[1];
    const std::string type =
        Shell("curl -s -o " + (dir_ / (name + ".crl")).string() +
              " -w '%{http_code} %{content_type}' " + url);
    EXPECT_EQ(type, "200 application/pkix-crl") << url;
    Shell("openssl crl -inform DER -in " + (dir_ / (name + ".crl")).string() +
          " -out " + (dir_ / (name + ".crl.pem")).string());
    return url;
  }

  static inline int port_ = 0;
  static inline fs::path dir_;
  static inline SystemClock clock_;
  static inline OpenSslRng rng_;
  static inline Sandbox* sandbox_ = nullptr;
  static inline services::RevocationService* service_ = nullptr;
  static inline http::Server* server_ = nullptr;
  static inline std::map<std::string, Serial> serials_;
  static inline TimePoint revoked_at_;
};

TEST_F(OcspInteropTest, OpensslOcspSaysGoodAndVerifiesTheSignature) {
  int status = -1;
  const std::string out = Ocsp("good", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
  EXPECT_NE(out.find("good.pem: good"), std::string::npos) << out;
  EXPECT_NE(out.find("Next Update:"), std::string::npos) << out;
}

TEST_F(OcspInteropTest, OpensslOcspSaysRevokedWithReasonAndTime) {
  int status = -1;
  std::string out = Ocsp("revoked", &status);
  EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
  EXPECT_NE(out.find("revoked.pem: revoked"), std::string::npos) << out;
  EXPECT_NE(out.find("Reason: keyCompromise"), std::string::npos) << out;
  // openssl prints e.g. "Revocation Time: Nov 25 17:03:11 2026 GMT".
  const std::time_t t = std::chrono::system_clock::to_time_t(revoked_at_);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char expected[64];
  std::strftime(expected, sizeof expected, "%b %e %H:%M:%S %Y GMT", &tm);
  EXPECT_NE(out.find(std::string("Revocation Time: ") + expected),
            std::string::npos)
      << expected << "\n"
      << out;
  out = Ocsp("hold", &status);
  EXPECT_NE(out.find("hold.pem: revoked"), std::string::npos) << out;
  EXPECT_NE(out.find("Reason: certificateHold"), std::string::npos) << out;
}

TEST_F(OcspInteropTest, OpensslOcspSaysUnknownForACertificateNeverIssued) {
  int status = -1;
  const std::string out = Ocsp("stray", &status);
  EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
  EXPECT_NE(out.find("stray.pem: unknown"), std::string::npos) << out;
}

TEST_F(OcspInteropTest, OpensslNonceIsAnsweredWithoutEchoAsDocumented) {
  int status = -1;
  const std::string out = Ocsp("good", &status, "");
  EXPECT_NE(out.find("WARNING: no nonce in response"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
  EXPECT_NE(out.find("good.pem: good"), std::string::npos) << out;
}

TEST_F(OcspInteropTest, ResponsesComeFromThePresignedCache) {
  // Warm() pre-signs in the background at Start(); wait for it.
  for (int i = 0; i < 100 && service_->ocsp()->stats().presigned < 5; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  const auto before = service_->ocsp()->stats();
  int status = -1;
  Ocsp("hold", &status);
  Ocsp("good", &status);
  const auto after = service_->ocsp()->stats();
  EXPECT_EQ(after.cache_hits - before.cache_hits, 2u);
  EXPECT_EQ(after.live_signatures, before.live_signatures);
}

TEST_F(OcspInteropTest, GarbageGetsMalformedRequest) {
  const std::string out = Shell(
      "printf 'garbage' | curl -s --data-binary @- -H 'Content-Type: "
      "application/ocsp-request' " +
      Url("/ocsp/sign") + " | od -An -tx1");
  EXPECT_EQ(out, " 30 03 0a 01 01\n");  // OCSPResponse malformedRequest
}

TEST_F(OcspInteropTest, OpensslCrlParsesEveryPublishedCrl) {
  const fs::path root = dir_ / "crl";
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".crl") continue;
    ++count;
    int status = -1;
    const std::string out = Shell(
        "openssl crl -inform DER -noout -text -in " + entry.path().string(),
        &status);
    EXPECT_EQ(status, 0) << entry.path() << out;
    EXPECT_NE(out.find("Issuing Distribution Point: critical"),
              std::string::npos);
  }
  EXPECT_EQ(count, 2);  // sign/g1/13221 and auth/g1/01106
}

TEST_F(OcspInteropTest, OpensslVerifyCrlCheckAcceptsGoodRejectsRevoked) {
  FetchCrl("good");
  const std::string verify = "openssl verify -crl_check -CAfile " + CaPem() +
                             " -CRLfile " + (dir_ / "good.crl.pem").string() +
                             " ";
  int status = -1;
  std::string out = Shell(verify + (dir_ / "good.pem").string(), &status);
  EXPECT_EQ(status, 0) << out;
  out = Shell(verify + (dir_ / "revoked.pem").string(), &status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("certificate revoked"), std::string::npos) << out;
  // The authentication certificate's own partition CRL verifies it.
  FetchCrl("auth");
  out = Shell(
      "openssl verify -crl_check -CAfile " +
          sandbox_->current(CaKind::kAuthentication).certificate_pem.string() +
          " -CRLfile " + (dir_ / "auth.crl.pem").string() + " " +
          (dir_ / "auth.pem").string(),
      &status);
  EXPECT_EQ(status, 0) << out;
}

TEST_F(OcspInteropTest, ARevocationByAnotherProcessReachesOcspAndCrl) {
  // Another connection to the same store, as `openmyna ca revoke` has.
  auto store = sandbox_->OpenStore();
  ASSERT_TRUE(store);
  int status = -1;
  ASSERT_NE(Ocsp("later", &status).find("later.pem: good"), std::string::npos);
  ASSERT_TRUE((*store)->Revoke(serials_["later"],
                               RevocationReason::kAffiliationChanged,
                               clock_.Now() - 1s));
  std::string out;
  for (int i = 0; i < 50; ++i) {
    out = Ocsp("later", &status);
    if (out.find("later.pem: revoked") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(out.find("later.pem: revoked"), std::string::npos) << out;
  EXPECT_NE(out.find("Reason: affiliationChanged"), std::string::npos) << out;
  for (int i = 0; i < 50; ++i) {
    FetchCrl("later");
    out = Shell("openssl verify -crl_check -CAfile " + CaPem() + " -CRLfile " +
                    (dir_ / "later.crl.pem").string() + " " +
                    (dir_ / "later.pem").string(),
                &status);
    if (status != 0) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(out.find("certificate revoked"), std::string::npos) << out;
}

// The `openmyna serve` binary itself, as a user runs it.
TEST(ServeCommandTest, ServesOcspAndCrlUntilSigterm) {
  const char* bin = std::getenv("OPENMYNA_BIN");
  ASSERT_NE(bin, nullptr);
  const fs::path dir = testing::TempDir("serve");
  const int port = testing::FreeLoopbackPort();
  SandboxOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  SystemClock clock;
  OpenSslRng rng;
  auto outcome = Sandbox::Init(dir, options, clock, rng);
  ASSERT_TRUE(outcome) << outcome.error();
  auto store = outcome->sandbox.OpenStore();
  CertificateAuthority ca(outcome->sandbox, **store, rng);
  IssueRequest request = testing::SignatureRequest(2);
  request.not_before = Now();
  auto issued = ca.Issue(request);
  ASSERT_TRUE(issued);
  WriteDerAsPem(issued->der, dir / "leaf.pem");
  const pid_t pid = fork();
  if (pid == 0) {
    execl(bin, bin, "--data", dir.c_str(), "serve", "--only", "ocsp,crl",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string ca_pem =
      outcome->sandbox.current(CaKind::kSignature).certificate_pem.string();
  std::string out;
  int status = -1;
  for (int i = 0; i < 100; ++i) {
    out = Shell("openssl ocsp -no_nonce -issuer " + ca_pem + " -cert " +
                    (dir / "leaf.pem").string() + " -url http://127.0.0.1:" +
                    std::to_string(port) + "/ocsp/sign -CAfile " + ca_pem,
                &status);
    if (status == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(out.find("leaf.pem: good"), std::string::npos) << out;
  EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
  out = Shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
              std::to_string(port) + "/crl/sign/g1/13221.crl");
  EXPECT_EQ(out, "200");
  ::kill(pid, SIGTERM);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  fs::remove_all(dir);
}

TEST(ServeCommandTest, UnknownServiceIsBadInput) {
  const char* bin = std::getenv("OPENMYNA_BIN");
  ASSERT_NE(bin, nullptr);
  int status = -1;
  const std::string out =
      Shell(std::string(bin) + " serve --only nosuch --port 0", &status);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("unknown service 'nosuch'"), std::string::npos) << out;
}

}  // namespace
}  // namespace openmyna::pki
