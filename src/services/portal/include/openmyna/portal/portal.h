// The Myna Portal (マイナポータル; issue 10): the resident's own pages at
// <base>/portal/ — あなたの情報, お知らせ, やりとり履歴 (with CSV),
// ぴったりサービス — server-rendered with openmyna/web, over the registry's
// records (registry/disclosure.h, resident_notices.h,
// online_applications.h). Wiring only: every rule is in the registry.
//
// Sessions: a cookie (Secure, HttpOnly, SameSite=Lax) naming a server-side
// session; idle timeout 15 min by default; CSRF token on every form; the
// session id changes at login. Login is through the OpenID provider
// (services/sign_in); CompleteLogin is what its callback calls once the ID
// token is verified.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/http/service.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/store.h"

namespace openmyna::portal {

// Login through the OpenID provider (services/sign_in, docs/sign-in.md) as
// its first-party client "MynaPortal" (docs/portal.md, "Login").
struct LoginOptions {
  // DIR: the client's key DIR/portal/client-es256.jwk.json (0600) and its
  // entry in DIR/sign_in/clients.json (written at the first login, since
  // the redirect URI follows the listener's port).
  std::filesystem::path data_dir;
  // Borrowed: the issuer and the redirect URI are <https base>/... (the
  // HTTP base when no HTTPS listens), as the provider's issuer.
  const http::PublicUrls* urls = nullptr;
  // Calls to the provider's token and JWKS endpoints. `serve` runs both in
  // one process and dispatches them through its router, so that a worker
  // thread never waits on its own server; a portal in another process
  // would send the same requests over HTTPS.
  std::function<http::Response(const http::Request&)> back_channel;
};

struct PortalOptions {
  std::string base_path = "/portal";
  bool secure_cookies = true;  // false only for plain-HTTP tests
  std::chrono::seconds idle_timeout{15 * 60};
  registry::SignatureTrust signature_trust;  // the signature CA's roots
  std::optional<LoginOptions> login;         // none: POST /login answers 503
  // What コンビニ交付 assumes of this sandbox's convenience-store services
  // (serve --set konbini.immediate-mapping, konbini.registration-office-days;
  // docs/konbini.md), so that the page says what the centre and issuers do.
  bool konbini_immediate_mapping = false;
  int konbini_registration_office_days = 5;
};

class Portal {
 public:
  // Borrowed references must outlive the portal.
  static Result<std::unique_ptr<Portal>> Make(PortalOptions options,
                                              registry::RegistryStore& store,
                                              const Clock& clock, Rng& rng);
  ~Portal();

  // GET/POST routes under options.base_path, and its static files.
  Status AddRoutes(http::Router& router);

  // Signs `resident_id` in, in a new session (after the provider verified
  // the card). Refused with the guidebook's reason when the resident's card
  // is a face-auth card or no card with a valid authentication certificate
  // exists (the message key is the error's message). Returns the
  // Set-Cookie value of the new session.
  Result<std::string> CompleteLogin(std::string_view resident_id);

 private:
  struct Impl;
  explicit Portal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::portal
