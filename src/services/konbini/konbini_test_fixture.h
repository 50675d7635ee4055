// The test fixture of the konbini tests (konbini_test.cc,
// konbini_remote_test.cc): the registry with the sample data, cards whose
// certificates come from the real sandbox CA, issuers that are slow or
// swap documents on purpose, and helpers that ask openssl and poppler.
#pragma once

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "openmyna/base/file_io.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/civil_service.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/pki_ca_port.h"
#include "openmyna/registry/seed.h"
#include "openmyna/registry/service.h"
#include "openmyna/services/konbini/card_verifier.h"
#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk.h"
#include "openmyna/services/konbini/pdf.h"
#include "testing/pki_fixture.h"

namespace openmyna::konbini::testing {

using namespace std::chrono;
using domain::KonbiniCertificate;
using registry::Actor;
using registry::Role;

using namespace std::chrono;
using domain::KonbiniCertificate;
using registry::Actor;
using registry::Role;

inline const Actor kClerk{"clerk", Role::kCounterClerk, "test"};

// A chip stand-in whose keys are the fixture's RSA keys (key generation is
// slow); everything else is accepted.
class KeyedCard final : public registry::CardPort {
 public:
  Result<std::string> Produce(const registry::Card& c,
                              const registry::Resident&) override {
    return "mem:" + c.id;
  }
  Status SetPasswords(const registry::Card&,
                      const registry::Passwords&) override {
    return Ok();
  }
  Result<Bytes> GenerateKey(const registry::Card&,
                            registry::CertificateType) override {
    return pki::testing::SubjectSpki(next_++ % 4);
  }
  Status InstallCertificate(const registry::Card&, registry::CertificateType,
                            std::string_view) override {
    return Ok();
  }
  Status RewriteTextData(const registry::Card&,
                         const registry::Resident&) override {
    return Ok();
  }
  Status ResetPassword(const registry::Card&, domain::PasswordKind,
                       std::string_view) override {
    return Ok();
  }

 private:
  std::atomic<int> next_{0};
};

// An issuer that waits a random time first, sometimes past the centre's
// deadline (injected timeouts), then answers truly.
class SlowIssuer final : public IssuerPort {
 public:
  SlowIssuer(std::shared_ptr<IssuerPort> inner, int seed, int timeout_percent)
      : inner_(std::move(inner)), rng_(seed), timeouts_(timeout_percent) {}
  Result<SignedDocument> Issue(const IssueRequest& r) override {
    int delay_ms;
    {
      std::lock_guard lock(mutex_);
      delay_ms = std::uniform_int_distribution<int>(0, 99)(rng_) < timeouts_
                     ? 1500
                     : std::uniform_int_distribution<int>(0, 15)(rng_);
    }
    std::this_thread::sleep_for(milliseconds(delay_ms));
    return inner_->Issue(r);
  }

 private:
  std::shared_ptr<IssuerPort> inner_;
  std::mutex mutex_;
  std::mt19937 rng_;
  int timeouts_;
};

// The Yokohama bug on purpose: answers with the document of the PREVIOUS
// request it saw (a shared slot instead of the request's own).
class SwappingIssuer final : public IssuerPort {
 public:
  explicit SwappingIssuer(std::shared_ptr<IssuerPort> inner)
      : inner_(std::move(inner)) {}
  Result<SignedDocument> Issue(const IssueRequest& r) override {
    auto mine = inner_->Issue(r);
    std::lock_guard lock(mutex_);
    if (!mine) return mine;
    std::optional<SignedDocument> previous = std::move(slot_);
    slot_ = *mine;
    return previous ? *previous : *mine;
  }

 private:
  std::shared_ptr<IssuerPort> inner_;
  std::mutex mutex_;
  std::optional<SignedDocument> slot_;
};

struct Holder {
  std::string resident_id;
  Bytes certificate_der;
  EVP_PKEY* key = nullptr;
};

class KonbiniTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = &pki::testing::SharedSandbox();
    auto pki_store = pki::SqliteCertificateStore::Open(sandbox_->store_path());
    ASSERT_TRUE(pki_store) << pki_store.error();
    pki_store_ = std::move(*pki_store);
    // Issue day: 2026-11-25 12:00 JST (the fixture's instant).
    clock_.Set(pki::testing::FixtureNow());
    ca_ = std::make_unique<registry::PkiCaPort>(*sandbox_, *pki_store_, rng_);
    dir_ = pki::testing::TempDir("konbini");
    auto store = registry::RegistryStore::Open(
        (dir_ / ("r" + std::to_string(counter_++) + ".db")).string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    service_ = std::make_unique<registry::RegistryService>(*store_, clock_,
                                                           rng_, *ca_, card_);
    civil_ = std::make_unique<registry::CivilService>(*store_, clock_, rng_);
    auto sample = registry::SeedSampleData(*store_, *service_, {});
    ASSERT_TRUE(sample) << sample.error();
    ids_ = sample->residents;
    // Cards for 千曲 太郎, 千曲 花子 (14, via the representative), 更級 ハル,
    // 清瀬 次郎.
    for (int i : {0, 1, 3, 4}) holders_[i] = IssueCard(i);
    // The next day, 10:00 JST: the mapping is in effect.
    clock_.Set(pki::testing::FixtureNow() + hours{22});
    auto roots = sandbox_->Roots(pki::CaKind::kAuthentication);
    ASSERT_TRUE(roots);
    verifier_ = std::make_unique<PkiCardVerifier>(std::move(*roots));
    // The document keys, made once per binary (RSA key generation is slow).
    static const auto signers = [] {
      std::map<std::string, std::shared_ptr<DocumentSigner>> made;
      for (const char* code : {"20218", "13221"}) {
        made[code] = *DocumentSigner::Generate(std::string("doc-") + code);
      }
      return made;
    }();
    for (const auto& [code, signer] : signers) {
      ASSERT_NE(signer, nullptr);
      signers_[code] = signer;
      keys_[code] = signer->PublicKeyPem();
    }
  }

  Holder IssueCard(int index) {
    const std::string& id = ids_[static_cast<std::size_t>(index)];
    const std::string applicant = index == 1 ? ids_[0] : id;
    registry::ApplicationRequest req{id, applicant};
    req.signature_certificate = index != 1;
    auto app = service_->Apply(kClerk, req);
    EXPECT_TRUE(app) << app.error();
    auto card = service_->Produce(kClerk, app->id);
    EXPECT_TRUE(card) << card.error();
    registry::Passwords p{index == 1 ? "" : "ABC123", "1234", "5678", "9012"};
    auto delivered = service_->Deliver(kClerk, card->id, applicant, p);
    EXPECT_TRUE(delivered) << delivered.error();
    return HolderOf(id);
  }

  // The resident's good authentication certificate, read back from the
  // pki store, and the fixture key whose public half it carries.
  Holder HolderOf(const std::string& id) {
    Holder h{id, {}, nullptr};
    auto file = service_->GetResident(kClerk, id);
    EXPECT_TRUE(file);
    for (const auto& c : file->certificates) {
      if (c.type != registry::CertificateType::kAuthentication || c.revoked) {
        continue;
      }
      auto record = pki_store_->Find(*pki::Serial::FromHex(c.serial));
      EXPECT_TRUE(record && *record);
      h.certificate_der = (*record)->der;
    }
    auto cert = pki::testing::ParseDer(h.certificate_der);
    for (int k = 0; k < 4; ++k) {
      if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()),
                      pki::testing::SubjectKey(k)) == 1) {
        h.key = pki::testing::SubjectKey(k);
      }
    }
    EXPECT_NE(h.key, nullptr);
    return h;
  }

  std::unique_ptr<Centre> MakeCentre(int instances_per_municipality = 1,
                                     CentreOptions options = {},
                                     int timeout_percent = 0,
                                     IssuerPolicy policy = {}) {
    auto centre =
        std::make_unique<Centre>(*store_, clock_, rng_, *verifier_, options);
    int seed = 1;
    for (const char* code : {"20218", "13221"}) {
      for (int i = 0; i < instances_per_municipality; ++i) {
        std::shared_ptr<IssuerPort> issuer = std::make_shared<MunicipalIssuer>(
            code, std::string(code) + "-" + std::to_string(i), *store_, clock_,
            rng_, signers_[code], policy);
        if (timeout_percent > 0) {
          issuer =
              std::make_shared<SlowIssuer>(issuer, seed++, timeout_percent);
        }
        centre->AddIssuer(code, issuer);
      }
    }
    return centre;
  }

  Result<Printout> Run(Centre& centre, int holder, KioskChoice choice,
                       std::string pin = "1234") {
    const Holder& h = holders_.at(holder);
    SoftwareCard card(h.certificate_der, h.key, "1234");
    Kiosk kiosk(centre, clock_, keys_);
    return kiosk.Run(card, pin, choice);
  }

  static KioskChoice Choice(std::string code, KonbiniCertificate c) {
    KioskChoice choice;
    choice.municipality_code = std::move(code);
    choice.request.certificate = c;
    return choice;
  }

  pki::Sandbox* sandbox_ = nullptr;
  std::unique_ptr<pki::CertificateStore> pki_store_;
  FixedClock clock_{TimePoint{}};
  OpenSslRng rng_;
  KeyedCard card_;
  std::unique_ptr<registry::PkiCaPort> ca_;
  std::filesystem::path dir_;
  static inline int counter_ = 0;
  std::unique_ptr<registry::RegistryStore> store_;
  std::unique_ptr<registry::RegistryService> service_;
  std::unique_ptr<registry::CivilService> civil_;
  std::vector<std::string> ids_;
  std::map<int, Holder> holders_;
  std::unique_ptr<PkiCardVerifier> verifier_;
  std::map<std::string, std::shared_ptr<DocumentSigner>> signers_;
  std::map<std::string, std::string> keys_;
};

// Verifies the JWS with the openssl command line (RS256 = RSASSA-PKCS1-v1_5
// SHA-256 over "header.payload", RFC 7515 §5.2).
inline bool OpensslVerifies(const std::string& jws,
                            const std::string& public_pem,
                            const std::filesystem::path& dir) {
  const auto dot = jws.rfind('.');
  const auto signature = FromBase64Url(jws.substr(dot + 1));
  if (!signature) return false;
  std::ofstream(dir / "input") << jws.substr(0, dot);
  std::ofstream(dir / "sig", std::ios::binary) << *signature;
  std::ofstream(dir / "pub.pem") << public_pem;
  const std::string cmd = "openssl dgst -sha256 -verify " +
                          (dir / "pub.pem").string() + " -signature " +
                          (dir / "sig").string() + " " +
                          (dir / "input").string() + " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// The standard output of a shell command, or nullopt when it fails.
inline std::optional<std::string> Output(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    out.append(buffer.data(), n);
  }
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

inline void WriteBytes(const std::filesystem::path& path,
                       const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace openmyna::konbini::testing
