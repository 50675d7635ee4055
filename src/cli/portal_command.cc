// `openmyna serve` runs the Myna Portal as service "portal" at /portal/
// (issue 10; docs/portal.md), and the clerks' inbox of online applications
// as service "inbox". Each has its own connection to the registry database
// and the signature CA's roots from the sandbox.
#include <openssl/x509.h>

#include <charconv>
#include <memory>

#include "cli/konbini_settings.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/portal/portal.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/sql.h"
#include "openmyna/services/application_inbox.h"

namespace openmyna::cli {
namespace {

class PortalService final : public http::Service {
 public:
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<portal::Portal> portal;
  // The portal's calls to the provider's token and JWKS endpoints go
  // through a copy of the complete router, taken in Start() (every service
  // has added its routes by then; serve then moves the router into the
  // server): in process, so no worker thread waits on its own server.
  const http::Router* shared_router = nullptr;
  http::Router routes;

  Status Start() override {
    routes = *shared_router;
    return Ok();
  }
};

// The signature CA's roots of the sandbox in `data_dir` (every generation).
Result<registry::SignatureTrust> SignatureTrustOf(
    const std::filesystem::path& data_dir) {
  auto sandbox = pki::Sandbox::Open(data_dir);
  if (!sandbox) {
    return Fail(
        registry::RegistryErrc::kUnavailable,
        "no sandbox in " + data_dir.string() + ": run `openmyna init` first");
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto roots,
                            sandbox->Roots(pki::CaKind::kSignature));
  registry::SignatureTrust trust;
  for (const auto& root : roots) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(root.get(), &der);
    if (n > 0) trust.roots.emplace_back(der, der + n);
    OPENSSL_free(der);
  }
  return trust;
}

// `serve --set portal.idle-timeout=SECONDS` (1..86400; default 900).
Result<std::chrono::seconds> IdleTimeoutOf(const std::string& text) {
  int seconds = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 1 ||
      seconds > 86400) {
    return Fail(
        registry::RegistryErrc::kInvalidInput,
        "portal.idle-timeout must be 1..86400 seconds, got '" + text + "'");
  }
  return std::chrono::seconds(seconds);
}

Result<std::unique_ptr<registry::RegistryStore>> OpenStore(
    const http::ServiceContext& c) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string target,
                            registry::RegistryDatabaseTarget("", c.data_dir));
  return registry::RegistryStore::Open(target, *c.clock);
}

Result<std::unique_ptr<http::Service>> MakePortal(const http::ServiceContext& c,
                                                  http::Router& router) {
  auto service = std::make_unique<PortalService>();
  OPENMYNA_ASSIGN_OR_RETURN(service->store, OpenStore(c));
  portal::PortalOptions options;
  OPENMYNA_ASSIGN_OR_RETURN(options.signature_trust,
                            SignatureTrustOf(c.data_dir));
  // Login through the OpenID provider of this serve (service sign_in), as
  // its first-party client (docs/portal.md, "Login").
  service->shared_router = &router;
  options.login = portal::LoginOptions{
      c.data_dir, c.urls,
      [routes = &service->routes](const http::Request& request) {
        return routes->Dispatch(request);
      }};
  if (auto idle = c.settings.find("portal.idle-timeout");
      idle != c.settings.end()) {
    OPENMYNA_ASSIGN_OR_RETURN(options.idle_timeout,
                              IdleTimeoutOf(idle->second));
  }
  // The konbini settings the コンビニ交付 page follows (docs/portal.md), as
  // the centre and the issuers of the same serve read them.
  OPENMYNA_ASSIGN_OR_RETURN(
      const KonbiniSettings konbini,
      ParseKonbiniSettings(c.settings, DefaultOcsp::kNone));
  options.konbini_immediate_mapping = konbini.immediate_mapping;
  options.konbini_registration_office_days = konbini.registration_office_days;
  OPENMYNA_ASSIGN_OR_RETURN(
      service->portal, portal::Portal::Make(std::move(options), *service->store,
                                            *c.clock, service->rng));
  OPENMYNA_RETURN_IF_ERROR(service->portal->AddRoutes(router));
  return std::unique_ptr<http::Service>(std::move(service));
}

class InboxService final : public http::Service {
 public:
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<registry::OnlineApplications> applications;
};

Result<std::unique_ptr<http::Service>> MakeInbox(const http::ServiceContext& c,
                                                 http::Router& router) {
  auto service = std::make_unique<InboxService>();
  OPENMYNA_ASSIGN_OR_RETURN(service->store, OpenStore(c));
  OPENMYNA_ASSIGN_OR_RETURN(auto trust, SignatureTrustOf(c.data_dir));
  service->applications = std::make_unique<registry::OnlineApplications>(
      *service->store, *c.clock, service->rng, std::move(trust));
  OPENMYNA_RETURN_IF_ERROR(services::AddApplicationInbox(
      router, *service->store, *service->applications));
  return std::unique_ptr<http::Service>(std::move(service));
}

const http::ServiceRegistration kPortal{
    "portal", "the Myna Portal: the resident's pages at /portal/", &MakePortal};
const http::ServiceRegistration kInbox{
    "inbox",
    "the municipalities' inbox of online applications (registry API, "
    "/v1/inbox/, /v1/online-applications/)",
    &MakeInbox};

}  // namespace
}  // namespace openmyna::cli
