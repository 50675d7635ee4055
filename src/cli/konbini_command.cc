// Service "konbini" of `openmyna serve`: the page at /verify/ where anyone
// checks a konbini document (services/konbini/verify_page.h,
// docs/konbini.md). Its own connection to the registry database for the
// issuance-ledger check.
#include <memory>
#include <string>

#include "openmyna/http/service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/verify_page.h"

namespace openmyna::cli {
namespace {

class KonbiniPages final : public http::Service {
 public:
  std::unique_ptr<registry::RegistryStore> store;
};

const http::ServiceRegistration kKonbiniPages{
    "konbini",
    "convenience-store certificates: the verification page /verify/ "
    "(upload a PDF or paste a 2D code)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      auto service = std::make_unique<KonbiniPages>();
      OPENMYNA_ASSIGN_OR_RETURN(
          std::string target, registry::RegistryDatabaseTarget("", c.data_dir));
      OPENMYNA_ASSIGN_OR_RETURN(
          service->store, registry::RegistryStore::Open(target, *c.clock));
      OPENMYNA_RETURN_IF_ERROR(konbini::AddVerifyPage(
          router, {"/konbini", c.data_dir, service->store.get()}));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

}  // namespace
}  // namespace openmyna::cli
