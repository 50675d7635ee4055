// The portal's shared state and helpers for its page files (not public).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "oidc_login.h"
#include "openmyna/portal/portal.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/web/form.h"
#include "openmyna/web/page.h"
#include "openmyna/web/session.h"

namespace openmyna::portal {

inline constexpr std::string_view kResidentKey = "resident";
inline constexpr std::string_view kNameKey = "name";
// Set while a legal representative views a represented resident's pages.
inline constexpr std::string_view kActingForKey = "acting_for";
inline constexpr std::string_view kActingNameKey = "acting_name";

// A signed-in request: its session and the resident it belongs to.
struct Visit {
  web::Session session;
  std::string resident_id;  // whose pages: the signed-in resident, or the
                            // one they represent (proxy)
  web::Language language = web::Language::kJa;
  std::string representative_id;  // the signed-in parent when proxy
};

struct Portal::Impl {
  Impl(PortalOptions o, registry::RegistryStore& s, const Clock& c, Rng& r,
       web::Site site_in);

  // The signed-in visit, or the page to answer instead (login page with
  // "session expired", or a redirect to the login page).
  std::variant<Visit, http::Response> RequireLogin(
      const http::Request& request);
  // A POST of a signed-in visit: form parsed and CSRF checked.
  std::variant<std::pair<Visit, web::Form>, http::Response> RequirePost(
      const http::Request& request);

  // A page in the layout with the portal's navigation.
  http::Response Page(const http::Request& request, const Visit& visit,
                      std::string_view title_key, std::string template_name,
                      web::View view, std::string_view current,
                      int status = 200);
  http::Response Error(const http::Request& request, int status,
                       std::string_view message_key,
                       std::string_view detail = {});
  std::string T(web::Language language, std::string_view key) const {
    return site.catalog().Text(language, key);
  }
  std::string RoleName(web::Language language, registry::Role role) const;
  std::string Url(std::string_view path) const {
    return options.base_path + std::string(path);
  }

  // Pages (one file each group).
  http::Response Home(const http::Request& request);
  http::Response Proxy(const http::Request& request);
  http::Response Me(const http::Request& request);
  http::Response Notices(const http::Request& request);
  http::Response MarkRead(const http::Request& request);
  http::Response History(const http::Request& request, bool csv);
  http::Response Insurance(const http::Request& request);
  http::Response InsuranceRegister(const http::Request& request);
  http::Response Konbini(const http::Request& request);  // konbini_pages.cc
  http::Response ApplyList(const http::Request& request);
  http::Response ApplyGet(const http::Request& request);
  http::Response ApplyPost(const http::Request& request);
  // Signing through the provider's signing API (apply_pages.cc).
  http::Response ApplySignStart(const http::Request& request,
                                const registry::OnlineApplicationDraft& draft);
  http::Response ApplyCallback(const http::Request& request, const Visit& v);
  http::Response SubmitSigned(const http::Request& request, const Visit& v,
                              const registry::OnlineApplicationDraft& draft,
                              ByteView cms);
  // The resident's municipality, or the domicile's for the konbini
  // registration (as the registry rebuilds the signed content).
  std::string MunicipalityFor(const registry::OnlineApplicationDraft& draft);
  // A login or signing transaction's cookie (login_pages.cc).
  std::string TransactionCookie(std::string_view name, std::string_view value,
                                int max_age) const;

  PortalOptions options;
  registry::RegistryStore& store;
  const Clock& clock;
  Rng& rng;
  web::Site site;
  web::SessionStore sessions;
  registry::OnlineApplications applications;
  std::unique_ptr<OidcLogin> login;  // null: no provider configured

  Result<std::string> CompleteLogin(std::string_view resident_id);
  http::Response LoginStart(const http::Request& request);
  http::Response LoginCallback(const http::Request& request);
};

// "{key}" → params[key] in a catalog text.
std::string Fill(
    std::string text,
    const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace openmyna::portal
