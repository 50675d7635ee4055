// Service "platform" of `openmyna serve`: the JPKI platform verification API
// for relying parties (services/platform_verify.h, docs/sign-in.md). Its own
// connections to the registry database and to the CA's certificate store.
#include <memory>
#include <optional>
#include <string>

#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/platform_verify.h"

namespace openmyna::cli {
namespace {

class PlatformService final : public http::Service {
 public:
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::optional<pki::Sandbox> sandbox;
  std::unique_ptr<pki::CertificateStore> certificates;
};

const http::ServiceRegistration kPlatformService{
    "platform",
    "the JPKI platform verification API for relying parties "
    "(/verify/registration, /verify/login, /verify/replacement, "
    "/verify/successor/{serial})",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      auto service = std::make_unique<PlatformService>();
      OPENMYNA_ASSIGN_OR_RETURN(
          std::string target, registry::RegistryDatabaseTarget("", c.data_dir));
      OPENMYNA_ASSIGN_OR_RETURN(
          service->store, registry::RegistryStore::Open(target, *c.clock));
      OPENMYNA_ASSIGN_OR_RETURN(pki::Sandbox sandbox,
                                pki::Sandbox::Open(c.data_dir));
      service->sandbox = std::move(sandbox);
      OPENMYNA_ASSIGN_OR_RETURN(service->certificates,
                                service->sandbox->OpenStore());
      OPENMYNA_RETURN_IF_ERROR(services::AddPlatformVerifyApi(
          router, {*service->store, *service->sandbox, *service->certificates,
                   *c.clock, service->rng}));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

}  // namespace
}  // namespace openmyna::cli
