// Services "centre" and "issuer" of `openmyna serve`: the convenience-store
// certificate issuance centre and a municipal issuer, each in its own
// process (issue 11 item 2, docs/konbini.md "Separate processes"). Neither
// runs in a plain serve (the kiosk page of service "konbini" has both in
// process; their factories return no service unless `--only` names them):
//
//   openmyna serve --only issuer --municipality 20218 --port 0
//       [--set konbini.instance=NAME]      (default CODE-<8 hex digits>)
//       [--set konbini.registration-office-days=N]   (default 5: office
//        days before a 利用登録申請 takes effect; also for a centre's
//        in-process issuers)
//   openmyna serve --only centre --port 0
//       --set konbini.issuers.20218=http://127.0.0.1:P1,http://127.0.0.1:P2
//       --set konbini.issuers.13221=http://127.0.0.1:P3
//       [--set konbini.ocsp-url=URL|none]   (default the sandbox's own
//        responder <base_url>/ocsp/auth: it must answer)
//       [--set konbini.immediate-mapping=1]
//       [--set konbini.issuer-deadline=MILLISECONDS]   (default 10000)
//       [--set konbini.confirm-deadline=MILLISECONDS]   (default 5000: the
//        wait for an issuer's print confirmation at Finish)
//       [--set konbini.kiosks=ID[,ID...]]   (default kiosk-1: the kiosks
//        enrolled, each with its credential DIR/konbini/kiosks/ID.credential)
//       [--set konbini.session-timeout=SECONDS]   (default 180, at least 10:
//        a session without a step for this long is ended whole)
//
// A centre without any konbini.issuers.* setting runs an issuer per
// municipality in process. The issuer reads its municipality's registry
// (DIR/registry.db or OPENMYNA_REGISTRY_DB); both share the sandbox folder
// (CA roots, document keys, the issuer token).
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "cli/konbini_settings.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/centre_http.h"
#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/issuer_http.h"
#include "openmyna/services/konbini/kiosk_credentials.h"
#include "openmyna/services/konbini/ledger_sweeper.h"
#include "openmyna/services/konbini/site.h"

namespace openmyna::cli {
namespace {

using konbini::KonbiniErrc;

std::string Setting(const http::ServiceContext& c, const std::string& name,
                    std::string fallback = "") {
  auto it = c.settings.find(name);
  return it == c.settings.end() ? fallback : it->second;
}

Result<std::unique_ptr<registry::RegistryStore>> OpenStore(
    const http::ServiceContext& c) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string target,
                            registry::RegistryDatabaseTarget("", c.data_dir));
  return registry::RegistryStore::Open(target, *c.clock);
}

// Whether `serve --only` named `name` (a plain serve runs neither service).
bool Named(const http::ServiceContext& c, const std::string& name) {
  std::stringstream list(Setting(c, "serve.only"));
  for (std::string item; std::getline(list, item, ',');) {
    if (item == name) return true;
  }
  return false;
}

Result<bool> KnownMunicipality(registry::RegistryStore& store,
                               const std::string& code) {
  bool known = false;
  OPENMYNA_RETURN_IF_ERROR(
      store.Transact([&](registry::RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto all, tx.ListMunicipalities());
        for (const auto& m : all) known = known || m.code == code;
        return Ok();
      }));
  return known;
}

class IssuerService final : public http::Service {
 public:
  std::unique_ptr<registry::RegistryStore> store;
  OpenSslRng rng;
  std::unique_ptr<konbini::MunicipalIssuer> issuer;
  // Voids the ledger rows never confirmed printed (declared last: stops
  // first).
  std::unique_ptr<konbini::LedgerSweeper> sweeper;
};

Result<std::unique_ptr<http::Service>> MakeIssuer(const http::ServiceContext& c,
                                                  http::Router& router) {
  if (!Named(c, "issuer")) return std::unique_ptr<http::Service>();
  const std::string code = Setting(c, "municipality");
  if (code.empty()) {
    return Fail(KonbiniErrc::kInvalidInput,
                "the issuer serves one municipality: --municipality CODE");
  }
  auto service = std::make_unique<IssuerService>();
  OPENMYNA_ASSIGN_OR_RETURN(service->store, OpenStore(c));
  OPENMYNA_ASSIGN_OR_RETURN(bool known,
                            KnownMunicipality(*service->store, code));
  if (!known) {
    return Fail(KonbiniErrc::kInvalidInput,
                "--municipality " + code + ": not in the registry");
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto signer, konbini::LoadOrCreateDocumentSigner(c.data_dir, code));
  OPENMYNA_ASSIGN_OR_RETURN(
      auto cert, konbini::LoadOrCreateDocumentCertificate(c.data_dir, code,
                                                          *signer, *c.clock));
  konbini::IssuerPolicy policy;
  policy.pdf_certificate = std::shared_ptr<X509>(cert.release(), X509_free);
  OPENMYNA_ASSIGN_OR_RETURN(
      const KonbiniSettings settings,
      ParseKonbiniSettings(c.settings, DefaultOcsp::kNone));
  policy.registration_office_days = settings.registration_office_days;
  const std::string instance =
      Setting(c, "konbini.instance", code + "-" + ToHex(service->rng.Bytes(4)));
  service->issuer = std::make_unique<konbini::MunicipalIssuer>(
      code, instance, *service->store, *c.clock, service->rng, signer, policy);
  OPENMYNA_ASSIGN_OR_RETURN(std::string token,
                            konbini::LoadOrCreateIssuerToken(c.data_dir));
  OPENMYNA_RETURN_IF_ERROR(
      konbini::AddIssuerApi(router, *service->issuer, {code, instance, token}));
  service->sweeper = std::make_unique<konbini::LedgerSweeper>(
      std::vector<konbini::MunicipalIssuer*>{service->issuer.get()});
  std::printf("openmyna serve: issuer of %s, instance %s\n", code.c_str(),
              instance.c_str());
  return std::unique_ptr<http::Service>(std::move(service));
}

class CentreService final : public http::Service {
 public:
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<konbini::Site> site;
};

Result<std::unique_ptr<http::Service>> MakeCentre(const http::ServiceContext& c,
                                                  http::Router& router) {
  if (!Named(c, "centre")) return std::unique_ptr<http::Service>();
  auto service = std::make_unique<CentreService>();
  OPENMYNA_ASSIGN_OR_RETURN(service->store, OpenStore(c));
  OPENMYNA_ASSIGN_OR_RETURN(
      const KonbiniSettings settings,
      ParseKonbiniSettings(c.settings, DefaultOcsp::kSandbox));
  konbini::SiteOptions options;
  options.render_pdf = true;
  settings.ApplyTo(options);
  // The card check asks konbini.ocsp-url, by default the sandbox's own
  // responder (<base_url>/ocsp/auth), as the in-process centre of /kiosk/
  // does (review finding 5); it must be reachable.
  OPENMYNA_ASSIGN_OR_RETURN(options.ocsp_url, settings.OcspUrl(c.data_dir));
  const std::string prefix = "konbini.issuers.";
  std::map<std::string, std::vector<std::string>> remote;
  std::set<std::string> seen;
  for (const auto& [name, value] : c.settings) {
    if (!name.starts_with(prefix)) continue;
    const std::string code = name.substr(prefix.size());
    std::stringstream list(value);
    for (std::string url; std::getline(list, url, ',');) {
      while (url.ends_with("/")) url.pop_back();
      if (!url.starts_with("http://")) {
        return Fail(KonbiniErrc::kInvalidInput,
                    name + ": a comma-separated list of http:// URLs");
      }
      // One server listed as several instances (Takamatsu 2024).
      if (!seen.insert(url).second) {
        return Fail(KonbiniErrc::kInvalidInput,
                    url +
                        " is listed twice: each issuer instance is its "
                        "own server");
      }
      remote[code].push_back(url);
    }
  }
  options.local_issuers = remote.empty();
  OPENMYNA_ASSIGN_OR_RETURN(
      service->site,
      konbini::Site::Open(c.data_dir, *service->store, *c.clock, options));
  if (!remote.empty()) {
    OPENMYNA_ASSIGN_OR_RETURN(std::string token,
                              konbini::LoadOrCreateIssuerToken(c.data_dir));
    auto directory = std::make_shared<konbini::IssuerDirectory>();
    for (const auto& [code, urls] : remote) {
      OPENMYNA_ASSIGN_OR_RETURN(bool known,
                                KnownMunicipality(*service->store, code));
      if (!known) {
        return Fail(KonbiniErrc::kInvalidInput,
                    prefix + code + ": not a municipality of the registry");
      }
      for (const std::string& url : urls) {
        service->site->centre().AddIssuer(
            code,
            std::make_shared<konbini::HttpIssuer>(code, url, token, directory));
      }
    }
  }
  // The kiosks it serves, each with its own credential (docs/konbini.md
  // "Kiosks at the centre").
  auto kiosks = std::make_shared<konbini::KioskCredentials>();
  std::stringstream ids(Setting(c, "konbini.kiosks", "kiosk-1"));
  std::string enrolled;
  for (std::string id; std::getline(ids, id, ',');) {
    OPENMYNA_ASSIGN_OR_RETURN(
        std::string credential,
        konbini::LoadOrCreateKioskCredential(c.data_dir, id));
    kiosks->Enrol(std::move(credential));
    enrolled += (enrolled.empty() ? "" : ", ") + id;
  }
  if (enrolled.empty()) {
    return Fail(KonbiniErrc::kInvalidInput,
                "konbini.kiosks: at least one kiosk id");
  }
  OPENMYNA_RETURN_IF_ERROR(konbini::AddCentreApi(
      router, service->site->centre(), std::move(kiosks)));
  std::printf("openmyna serve: centre, kiosks enrolled: %s\n",
              enrolled.c_str());
  return std::unique_ptr<http::Service>(std::move(service));
}

const http::ServiceRegistration kIssuer{
    "issuer",
    "a konbini municipal issuer (証明発行サーバ) of --municipality CODE "
    "for a centre in another process (not run by default)",
    &MakeIssuer};

const http::ServiceRegistration kCentre{
    "centre",
    "the konbini certificate issuance centre (証明書交付センター) for "
    "kiosks in other processes; issuers per konbini.issuers.CODE=URL,... "
    "(not run by default)",
    &MakeCentre};

}  // namespace
}  // namespace openmyna::cli
