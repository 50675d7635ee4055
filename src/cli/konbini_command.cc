// Service "konbini" of `openmyna serve`: the page at /verify/ where anyone
// checks a konbini document (services/konbini/verify_page.h), and the
// touch-screen kiosk at /kiosk/ with the card in this machine's PC/SC
// reader (services/konbini/kiosk_page.h; docs/konbini.md). Its own
// connection to the registry database (the ledger check; the centre and
// the municipal issuers of the kiosk, in process).
//
// Settings (serve --set): konbini.kiosk-reader=NAME (a reader name or part
// of one; default the first reader with a card), konbini.immediate-mapping=1
// (a certificate usable on its day of issue), konbini.kiosk-timeout=SECONDS
// (a screen left alone is reset; default 180).
#include <memory>
#include <string>

#include "cli/kiosk_card.h"
#include "openmyna/http/service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk_page.h"
#include "openmyna/services/konbini/site.h"
#include "openmyna/services/konbini/verify_page.h"

namespace openmyna::cli {
namespace {

class KonbiniPages final : public http::Service {
 public:
  std::unique_ptr<registry::RegistryStore> store;
  OpenSslRng rng;
};

std::string Setting(const http::ServiceContext& c, const std::string& name,
                    std::string fallback = "") {
  auto it = c.settings.find(name);
  return it == c.settings.end() ? fallback : it->second;
}

const http::ServiceRegistration kKonbiniPages{
    "konbini",
    "convenience-store certificates: the verification page /verify/ "
    "(upload a PDF or paste a 2D code) and the touch-screen kiosk /kiosk/ "
    "(the card in this machine's reader)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      auto service = std::make_unique<KonbiniPages>();
      OPENMYNA_ASSIGN_OR_RETURN(
          std::string target, registry::RegistryDatabaseTarget("", c.data_dir));
      OPENMYNA_ASSIGN_OR_RETURN(
          service->store, registry::RegistryStore::Open(target, *c.clock));
      OPENMYNA_RETURN_IF_ERROR(konbini::AddVerifyPage(
          router, {"/konbini", c.data_dir, service->store.get()}));

      konbini::SiteOptions site_options;
      site_options.render_pdf = true;
      const std::string immediate = Setting(c, "konbini.immediate-mapping");
      if (immediate != "" && immediate != "0" && immediate != "1") {
        return Fail(konbini::KonbiniErrc::kInvalidInput,
                    "konbini.immediate-mapping: 0 or 1");
      }
      site_options.centre.immediate_mapping = immediate == "1";
      konbini::KioskPageOptions kiosk;
      kiosk.open_site = [dir = c.data_dir, store = service->store.get(),
                         clock = c.clock, site_options] {
        return konbini::Site::Open(dir, *store, *clock, site_options);
      };
      kiosk.clock = c.clock;
      kiosk.rng = &service->rng;
      const std::string timeout = Setting(c, "konbini.kiosk-timeout", "180");
      if (timeout.empty() ||
          timeout.find_first_not_of("0123456789") != std::string::npos ||
          timeout.size() > 6 || std::stoi(timeout) < 10) {
        return Fail(konbini::KonbiniErrc::kInvalidInput,
                    "konbini.kiosk-timeout: seconds, at least 10");
      }
      kiosk.timeout = std::chrono::seconds(std::stoi(timeout));
      kiosk.open_card = [reader = Setting(c, "konbini.kiosk-reader")]()
          -> Result<std::unique_ptr<konbini::KioskCard>> {
        OPENMYNA_ASSIGN_OR_RETURN(auto card, PcscKioskCard::Connect(reader));
        return std::unique_ptr<konbini::KioskCard>(std::move(card));
      };
      OPENMYNA_RETURN_IF_ERROR(konbini::AddKioskPage(router, kiosk));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

}  // namespace
}  // namespace openmyna::cli
