// The registry store and InsuranceService that the `insurance` and `clinic`
// commands (and the `insurance` service of `serve`) open: one place for the
// database target (DIR/registry.db or --postgres) and the service's rng.
#pragma once

#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/registry_target.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"

namespace openmyna::cli {

struct InsuranceStack {
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<registry::InsuranceService> service;

  static Result<std::unique_ptr<InsuranceStack>> Open(
      const std::filesystem::path& data_dir, const std::string& postgres,
      const Clock& clock) {
    auto stack = std::make_unique<InsuranceStack>();
    OPENMYNA_ASSIGN_OR_RETURN(std::string target,
                              ExistingRegistryTarget(postgres, data_dir));
    OPENMYNA_ASSIGN_OR_RETURN(stack->store,
                              registry::RegistryStore::Open(target, clock));
    stack->service = std::make_unique<registry::InsuranceService>(
        *stack->store, clock, stack->rng);
    return stack;
  }
};

// The sandbox's card data issuer key of `data_dir` (its public half verifies
// DF28 of the card-face AP, the reader's face path).
inline Result<pki::EvpPkeyPtr> LoadDataIssuerKey(
    const std::filesystem::path& data_dir) {
  const auto path = card::perso::DataIssuerKeyPath(data_dir);
  pki::EvpPkeyPtr key;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  if (!key) {
    return Fail(registry::RegistryErrc::kUnavailable,
                "no card data issuer key at " + path.string() +
                    " (run `openmyna init`)");
  }
  return key;
}

}  // namespace openmyna::cli
