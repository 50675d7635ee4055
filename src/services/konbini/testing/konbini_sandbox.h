// The konbini world of the tests and the session bench (target
// openmyna_konbini_testing, no gtest): the registry with the sample data
// (registry::SeedSampleData), cards whose certificates the real sandbox CA
// issued (registry::testing::CaRegistry), the centre's card check, the two
// municipalities' document keys, and issuers that are slow on purpose.
#pragma once

#include <openssl/evp.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/civil_service.h"
#include "openmyna/services/konbini/card_verifier.h"
#include "openmyna/services/konbini/centre.h"
#include "openmyna/services/konbini/document.h"
#include "openmyna/services/konbini/issuer.h"
#include "openmyna/services/konbini/kiosk.h"
#include "testing/ca_registry.h"

namespace openmyna::konbini::testing {

inline const registry::Actor kClerk{"clerk", registry::Role::kCounterClerk,
                                    "test"};

// An issuer that waits a random time first, sometimes past the centre's
// deadline (injected timeouts), then answers truly.
class SlowIssuer final : public IssuerPort {
 public:
  SlowIssuer(std::shared_ptr<IssuerPort> inner, int seed, int timeout_percent)
      : inner_(std::move(inner)), rng_(seed), timeouts_(timeout_percent) {}
  Result<SignedDocument> Issue(const IssueRequest& r) override;
  Status Void(const VoidRequest& r) override { return inner_->Void(r); }
  Status Confirm(const PrintConfirmation& p) override {
    return inner_->Confirm(p);
  }

 private:
  std::shared_ptr<IssuerPort> inner_;
  std::mutex mutex_;
  std::mt19937 rng_;
  int timeouts_;
};

// A card holder: the resident, their good authentication certificate (from
// the CA's store) and the fixture key whose public half it carries.
struct Holder {
  std::string resident_id;
  Bytes certificate_der;
  EVP_PKEY* key = nullptr;
};

class KonbiniSandbox {
 public:
  // Seeds the sample data on 2026-11-25 12:00 JST (pki::testing::
  // FixtureNow), issues cards to 千曲 太郎 (0), 千曲 花子 (1, 14, via the
  // representative), 更級 ハル (3) and 清瀬 次郎 (4), then sets the clock
  // to the next day 10:00 JST, when the next-day mapping is in effect.
  Status Open();

  Result<Holder> IssueCard(int index);
  // The resident's good authentication certificate, read back from the
  // CA's store, and the fixture key whose public half it carries.
  Result<Holder> HolderOf(const std::string& id);

  // A centre with `instances_per_municipality` issuers of each sample
  // municipality (SlowIssuer when `timeout_percent` > 0).
  std::unique_ptr<Centre> MakeCentre(int instances_per_municipality = 1,
                                     CentreOptions options = {},
                                     int timeout_percent = 0,
                                     IssuerPolicy policy = {});
  // One kiosk session of holder `holder` (SoftwareCard, its PIN 1234).
  Result<Printout> Run(CentrePort& centre, int holder, KioskChoice choice,
                       std::string pin = "1234");
  static KioskChoice Choice(std::string code, domain::KonbiniCertificate c);

 protected:
  FixedClock clock_{TimePoint{}};
  OpenSslRng rng_;
  std::filesystem::path dir_;
  std::unique_ptr<registry::testing::CaRegistry> registry_;
  // Views of registry_ under the names the tests use.
  pki::Sandbox* sandbox_ = nullptr;
  pki::CertificateStore* pki_store_ = nullptr;
  registry::RegistryStore* store_ = nullptr;
  registry::RegistryService* service_ = nullptr;
  std::unique_ptr<registry::CivilService> civil_;
  std::vector<std::string> ids_;
  std::map<int, Holder> holders_;
  std::unique_ptr<PkiCardVerifier> verifier_;
  std::map<std::string, std::shared_ptr<DocumentSigner>> signers_;
  std::map<std::string, std::string> keys_;
};

}  // namespace openmyna::konbini::testing
