// Service "konbini" of `openmyna serve`: the page at /verify/ where anyone
// checks a konbini document (services/konbini/verify_page.h), and the
// touch-screen kiosk at /kiosk/ with the card in this machine's PC/SC
// reader (services/konbini/kiosk_page.h; docs/konbini.md). Its own
// connection to the registry database (the ledger check; the centre and
// the municipal issuers of the kiosk, in process).
//
// Settings (serve --set): konbini.kiosk-reader=NAME (a reader name or part
// of one; default the first reader with a card), the konbini settings of
// konbini_settings.h (immediate-mapping, registration-office-days, ocsp-url
// — default this serve's /ocsp/auth —, kiosk-timeout: a screen left alone
// is reset; default 180), konbini.centre=URL (a centre
// in another process, `serve --only centre`, instead of one in this
// process) with konbini.kiosk-id=ID (the kiosk it enrolled, default
// kiosk-1: its credential DIR/konbini/kiosks/ID.credential).
#include <filesystem>
#include <memory>
#include <string>

#include "cli/kiosk_card.h"
#include "cli/konbini_settings.h"
#include "openmyna/http/service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/centre_http.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk_credentials.h"
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

// The kiosk's centre in another process, as the kiosk `kiosk_id` (its
// credential and the documents' public keys read from `dir` when the first
// session opens: the centre enrols the kiosk, the issuers make the keys).
konbini::OpenKioskCentre RemoteCentre(std::filesystem::path dir,
                                      registry::RegistryStore* store,
                                      std::string url, std::string kiosk_id) {
  return [=]() -> Result<konbini::KioskCentre> {
    OPENMYNA_ASSIGN_OR_RETURN(std::string credential,
                              konbini::LoadKioskCredential(dir, kiosk_id));
    konbini::KioskCentre remote;
    remote.centre = std::make_shared<konbini::HttpCentre>(url, credential);
    remote.document_keys = konbini::DocumentKeysIn(dir);
    OPENMYNA_RETURN_IF_ERROR(
        store->Transact([&](registry::RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(remote.municipalities,
                                    tx.ListMunicipalities());
          return Ok();
        }));
    return remote;
  };
}

const http::ServiceRegistration kKonbiniPages{
    "konbini",
    "convenience-store certificates: the verification page /verify/ "
    "(upload a PDF or paste a 2D code) and the touch-screen kiosk /kiosk/ "
    "(the card in this machine's reader; the centre in this process, or "
    "konbini.centre=URL with konbini.kiosk-id=ID)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      auto service = std::make_unique<KonbiniPages>();
      OPENMYNA_ASSIGN_OR_RETURN(
          std::string target, registry::RegistryDatabaseTarget("", c.data_dir));
      OPENMYNA_ASSIGN_OR_RETURN(
          service->store, registry::RegistryStore::Open(target, *c.clock));
      OPENMYNA_RETURN_IF_ERROR(konbini::AddVerifyPage(
          router, {"/konbini", c.data_dir, service->store.get()}));

      // serve's own OCSP responder by default, as the sign-in provider.
      OPENMYNA_ASSIGN_OR_RETURN(
          const KonbiniSettings settings,
          ParseKonbiniSettings(c.settings, DefaultOcsp::kSandbox));
      konbini::SiteOptions site_options;
      site_options.render_pdf = true;
      settings.ApplyTo(site_options);
      konbini::KioskPageOptions kiosk;
      const std::string centre = Setting(c, "konbini.centre");
      const std::string kiosk_id = Setting(c, "konbini.kiosk-id", "kiosk-1");
      if (!konbini::ValidKioskId(kiosk_id)) {
        return Fail(konbini::KonbiniErrc::kInvalidInput,
                    "konbini.kiosk-id: [a-z0-9-], 1 to 64 characters");
      }
      if (!centre.empty()) {
        if (!centre.starts_with("http://") && !centre.starts_with("https://")) {
          return Fail(konbini::KonbiniErrc::kInvalidInput,
                      "konbini.centre: the centre's http:// or https:// URL "
                      "(serve --only centre)");
        }
        kiosk.open_centre =
            RemoteCentre(c.data_dir, service->store.get(), centre, kiosk_id);
      } else {
        kiosk.open_centre =
            [dir = c.data_dir, store = service->store.get(), clock = c.clock,
             options = site_options,
             settings]() mutable -> Result<konbini::KioskCentre> {
          // The card check asks konbini.ocsp-url (default: this serve's
          // own OCSP responder, as the sign-in provider does).
          OPENMYNA_ASSIGN_OR_RETURN(options.ocsp_url, settings.OcspUrl(dir));
          OPENMYNA_ASSIGN_OR_RETURN(
              auto site, konbini::Site::Open(dir, *store, *clock, options));
          return konbini::InProcessCentre(std::move(site));
        };
      }
      kiosk.clock = c.clock;
      kiosk.rng = &service->rng;
      kiosk.timeout = settings.kiosk_timeout;
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
