// `openmyna serve` runs the Myna Portal as service "portal" at /portal/
// (issue 10; docs/portal.md). Its own connection to the registry database,
// the signature CA's roots from the sandbox for online applications.
#include <openssl/x509.h>

#include <memory>

#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/portal/portal.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/sql.h"

namespace openmyna::cli {
namespace {

class PortalService final : public http::Service {
 public:
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<portal::Portal> portal;
};

Result<std::unique_ptr<http::Service>> MakePortal(const http::ServiceContext& c,
                                                  http::Router& router) {
  auto service = std::make_unique<PortalService>();
  OPENMYNA_ASSIGN_OR_RETURN(std::string target,
                            registry::RegistryDatabaseTarget("", c.data_dir));
  OPENMYNA_ASSIGN_OR_RETURN(service->store,
                            registry::RegistryStore::Open(target, *c.clock));
  portal::PortalOptions options;
  auto sandbox = pki::Sandbox::Open(c.data_dir);
  if (!sandbox) {
    return Fail(
        registry::RegistryErrc::kUnavailable,
        "no sandbox in " + c.data_dir.string() + ": run `openmyna init` first");
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto roots,
                            sandbox->Roots(pki::CaKind::kSignature));
  for (const auto& root : roots) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(root.get(), &der);
    if (n > 0) options.signature_trust.roots.emplace_back(der, der + n);
    OPENSSL_free(der);
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      service->portal, portal::Portal::Make(std::move(options), *service->store,
                                            *c.clock, service->rng));
  OPENMYNA_RETURN_IF_ERROR(service->portal->AddRoutes(router));
  return std::unique_ptr<http::Service>(std::move(service));
}

const http::ServiceRegistration kPortal{
    "portal", "the Myna Portal: the resident's pages at /portal/", &MakePortal};

}  // namespace
}  // namespace openmyna::cli
