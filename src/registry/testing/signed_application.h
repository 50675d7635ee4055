// Test helper: a real sandbox signature certificate (issued by the shared
// pki fixture's CA for subject key 0), recorded in the registry as a
// resident's, and detached CMS signatures made with it by the `openssl cms
// -sign` command line — independent of our own CMS code.
#pragma once

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/store.h"
#include "testing/pki_fixture.h"

namespace openmyna::registry::testing {

class OpensslSigner {
 public:
  // Issues the certificate and writes cert.pem and key.pem into `dir`.
  explicit OpensslSigner(std::filesystem::path dir) : dir_(std::move(dir)) {
    pki::Sandbox& sandbox = pki::testing::SharedSandbox();
    auto pki_store = pki::SqliteCertificateStore::Open(sandbox.store_path());
    EXPECT_TRUE(pki_store) << pki_store.error();
    if (!pki_store) return;
    DeterministicRng ca_rng(5);
    pki::CertificateAuthority ca(sandbox, **pki_store, ca_rng);
    auto issued = ca.Issue(pki::testing::SignatureRequest(0));
    EXPECT_TRUE(issued) << issued.error();
    if (!issued) return;
    serial = issued->serial.Hex();
    not_before = issued->not_before;
    not_after = issued->not_after;
    auto roots = sandbox.Roots(pki::CaKind::kSignature);
    EXPECT_TRUE(roots);
    if (!roots) return;
    for (const auto& root : *roots) {
      unsigned char* der = nullptr;
      const int n = i2d_X509(root.get(), &der);
      trust.roots.emplace_back(der, der + n);
      OPENSSL_free(der);
    }
    std::ofstream(dir_ / "cert.der", std::ios::binary)
        .write(reinterpret_cast<const char*>(issued->der.data()),
               static_cast<std::streamsize>(issued->der.size()));
    EXPECT_EQ(Run("openssl x509 -inform DER -in cert.der -out cert.pem"), 0);
    std::FILE* key = std::fopen((dir_ / "key.pem").c_str(), "w");
    EXPECT_NE(key, nullptr);
    if (key == nullptr) return;
    PEM_write_PrivateKey(key, pki::testing::SubjectKey(0), nullptr, nullptr, 0,
                         nullptr, nullptr);
    std::fclose(key);
  }

  // Records an active card "c-sig" and the certificate as `resident_id`'s.
  Status Record(RegistryStore& store, const std::string& resident_id) const {
    return store.Transact([&](RegistryTx& tx) -> Status {
      Card card;
      card.id = "c-sig-" + resident_id;
      card.resident_id = resident_id;
      card.state = CardState::kActive;
      card.issued_on = "2026-11-25";
      card.expires_on = "2036-01-02";
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
      Certificate cert;
      cert.serial = serial;
      cert.card_id = card.id;
      cert.resident_id = resident_id;
      cert.type = CertificateType::kSignature;
      cert.not_before = not_before;
      cert.not_after = not_after;
      return tx.PutCertificate(cert);
    });
  }

  // Signatures made from now on carry this signingTime instead of the
  // machine's clock: `openssl cms` runs under libfaketime (Debian's
  // faketime), so a test can sign at the instant its registry clock shows.
  void SignAt(TimePoint when) { signing_time_ = when; }

  // DER detached CMS SignedData of `content` (signingTime = the machine's
  // clock as `openssl cms` stamps it, or the SignAt instant).
  Bytes Sign(const std::string& content) const {
    std::ofstream(dir_ / "content.json", std::ios::binary) << content;
    std::string faked;
    if (signing_time_) {
      const std::time_t t = std::chrono::system_clock::to_time_t(
          std::chrono::time_point_cast<std::chrono::system_clock::duration>(
              *signing_time_));
      std::tm utc{};
      gmtime_r(&t, &utc);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &utc);
      faked = std::string("TZ=UTC faketime '") + stamp + "' ";
    }
    EXPECT_EQ(Run(faked +
                  "openssl cms -sign -binary -md sha256 -in content.json "
                  "-signer cert.pem -inkey key.pem -outform DER -out sig.der"),
              0);
    std::ifstream in(dir_ / "sig.der", std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  // The same as PEM (what a person pastes into the portal's form).
  std::string SignPem(const std::string& content) const {
    Sign(content);
    EXPECT_EQ(Run("openssl cms -cmsout -inform DER -in sig.der -outform PEM "
                  "-out sig.pem"),
              0);
    std::ifstream in(dir_ / "sig.pem", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  SignatureTrust trust;
  std::string serial;
  TimePoint not_before;
  TimePoint not_after;

 private:
  int Run(const std::string& command) const {
    return std::system(
        ("cd '" + dir_.string() + "' && " + command + " 2>/dev/null").c_str());
  }
  std::filesystem::path dir_;
  std::optional<TimePoint> signing_time_;
};

}  // namespace openmyna::registry::testing
