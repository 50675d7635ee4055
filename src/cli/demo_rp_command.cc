// serve service "demo_rp": the demo relying party at <base>/demo-rp/
// (issue 9 item 7; docs/sign-in.md "The demo relying party"). It signs its
// visitors in through the sandbox's own provider (service sign_in).
#include <memory>

#include "cli/command_registry.h"
#include "cli/in_process_ocsp.h"
#include "openmyna/base/rng.h"
#include "openmyna/demo_rp/demo_rp.h"
#include "openmyna/http/service.h"

namespace openmyna::cli {
namespace {

class DemoRpHttpService final : public http::Service {
 public:
  OpenSslRng rng;
  std::unique_ptr<demo_rp::DemoRp> site;
};

const http::ServiceRegistration kDemoRpService{
    "demo_rp",
    "the demo relying party at /demo-rp/ (sign in with My Number Card)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      auto service = std::make_unique<DemoRpHttpService>();
      OPENMYNA_ASSIGN_OR_RETURN(
          service->site,
          demo_rp::DemoRp::Open({.data_dir = c.data_dir,
                                 .clock = c.clock,
                                 .urls = c.urls,
                                 .rng = &service->rng,
                                 .ocsp_transport = InProcessOrHttpOcsp()}));
      OPENMYNA_RETURN_IF_ERROR(service->site->AddRoutes(router));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

}  // namespace
}  // namespace openmyna::cli
