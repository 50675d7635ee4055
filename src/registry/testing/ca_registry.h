// A registry whose cards carry certificates of the real sandbox CA, for the
// services' tests and benches (target openmyna_registry_ca_testing, no
// gtest): the binary's shared sandbox (pki::testing::SharedSandbox) issues
// through PkiCaPort into its SQLite certificate store; the chip is a
// stand-in whose key pairs are the pki fixture's RSA keys (generating keys
// is the slow part), so a test can sign as the card with OpenSSL.
#pragma once

#include <openssl/evp.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/pki_ca_port.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry::testing {

// The chip stand-in: GenerateKey hands out pki::testing::SubjectSpki(0..3)
// in turn; every other operation is accepted and forgotten.
class FixtureKeyCard final : public CardPort {
 public:
  Result<std::string> Produce(const Card& card, const Resident&) override;
  Status SetPasswords(const Card&, const Passwords&) override;
  Result<Bytes> GenerateKey(const Card&, CertificateType) override;
  Status InstallCertificate(const Card&, CertificateType,
                            std::string_view) override;
  Status RewriteTextData(const Card&, const Resident&) override;
  Status ResetPassword(const Card&, domain::PasswordKind,
                       std::string_view) override;

 private:
  std::atomic<int> next_{0};
};

// The fixture key (pki::testing::SubjectKey) whose public half the
// certificate `der` carries; nullptr when none does.
EVP_PKEY* FixtureKeyOf(const Bytes& der);

// The shared sandbox, its certificate store, the CA port, a new SQLite
// registry under `dir` and its RegistryService with a FixtureKeyCard.
struct CaRegistry {
  // `clock` and `rng` are borrowed and must outlive the registry.
  static Result<std::unique_ptr<CaRegistry>> Open(
      const std::filesystem::path& dir, const Clock& clock, Rng& rng);

  pki::Sandbox* sandbox = nullptr;
  std::unique_ptr<pki::CertificateStore> ca_store;
  FixtureKeyCard card;
  std::unique_ptr<PkiCaPort> ca;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<RegistryService> service;
};

}  // namespace openmyna::registry::testing
