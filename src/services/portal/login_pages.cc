// POST /portal/login and GET /portal/callback: the portal as the OpenID
// provider's first-party client (oidc_login.h).
#include "openmyna/base/log.h"
#include "portal_internal.h"

namespace openmyna::portal {

// A login or signing transaction's cookie (RFC 6265 §4.1): only the
// portal's paths, not readable by scripts, sent on the provider's top-level
// redirect back (Lax), for the transaction's 10 minutes.
std::string Portal::Impl::TransactionCookie(std::string_view name,
                                            std::string_view value,
                                            int max_age) const {
  return std::string(name) + "=" + std::string(value) +
         "; Path=" + options.base_path +
         "/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
         (options.secure_cookies ? "; Secure" : "");
}

http::Response Portal::Impl::LoginStart(const http::Request& request) {
  auto form = web::ParseFormBody(request);
  auto session = sessions.Find(request);
  if (!form || !session || !web::SessionStore::CheckCsrf(*session, *form)) {
    return Error(request, 403, "web_csrf_failed");
  }
  // Without a provider in this server, say so rather than pretend.
  if (!login) return Error(request, 503, "portal_provider_unavailable");
  std::string transaction;
  auto url = login->Start(transaction);
  if (!url) {
    log::Get("portal")->error("login: {}", url.error().message());
    return Error(request, 503, "portal_provider_unavailable");
  }
  http::Response response = web::SeeOther(*url);
  response.AddHeader("Set-Cookie",
                     TransactionCookie(OidcLogin::kCookie, transaction, 600));
  return response;
}

http::Response Portal::Impl::LoginCallback(const http::Request& request) {
  auto query = web::ParseQuery(request);
  const auto transaction = web::CookieValue(request, OidcLogin::kCookie);
  if (!login || !query || !transaction) {
    return Error(request, 400, "portal_login_failed");
  }
  const LoginOutcome outcome = login->Finish(*query, *transaction);
  std::string failure = outcome.error_key;
  std::string detail = outcome.detail;
  if (failure.empty()) {
    auto cookie = CompleteLogin(outcome.resident_id);
    if (cookie) {
      // The login page's session ends; the new one has a new id.
      if (auto before = sessions.Find(request); before) {
        sessions.Destroy(before->id);
      }
      http::Response response = web::SeeOther(Url("/"));
      response.AddHeader("Set-Cookie", *cookie);
      response.AddHeader("Set-Cookie",
                         TransactionCookie(OidcLogin::kCookie, "", 0));
      return response;
    }
    failure = cookie.error().message().rfind("portal_", 0) == 0
                  ? cookie.error().message()
                  : "portal_login_failed";
    detail.clear();
  }
  log::Get("portal")->info("login refused: {} ({})", failure, detail);
  // The refusal's reason in words; the provider's own code after it.
  http::Response response =
      Error(request, 403, failure, detail.empty() ? "" : " (" + detail + ")");
  response.AddHeader("Set-Cookie",
                     TransactionCookie(OidcLogin::kCookie, "", 0));
  return response;
}

}  // namespace openmyna::portal
