// The pages of one web service (a "site" under a base path such as
// "/portal"): the common layout around each page body, the error page a
// person can act on, the language switch, the static files and the security
// headers of every HTML response.
//
// The layout (assets/layout.mustache) gives every page: <html lang>, a skip
// link to the main content, the site name, the service's navigation, the
// signed-in user with a logout button, one <h1>, the language switch and a
// footer. Body templates see, besides their own view: `t` (the messages of
// the page language, {{t.key}}), `lang`, `base` (the base path) and `csrf`
// (the session's token for the hidden field of every form).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/http/message.h"
#include "openmyna/http/router.h"
#include "openmyna/web/assets.h"
#include "openmyna/web/i18n.h"
#include "openmyna/web/session.h"
#include "openmyna/web/templates.h"

namespace openmyna::web {

struct Link {
  std::string href;
  std::string label;     // already in the page language
  bool current = false;  // aria-current="page"
};

struct SiteOptions {
  std::string base_path;      // "/portal" (no trailing slash)
  std::string site_name_key;  // catalog key of the name in the header
  // Extra CSP form-action sources (e.g. an OpenID provider on another
  // origin that a form redirects to); 'self' is always allowed.
  std::string form_action_sources;
};

// One page to render.
struct PageContent {
  std::string title;          // the <h1> and <title>, in the page language
  std::string template_name;  // the body template
  View view;                  // what the body template sees
  std::vector<Link> nav;      // the service's navigation (may be empty)
  std::string user_name;      // shown with a logout button when not empty
  std::string logout_action;  // the logout form's action (POST)
  int status = 200;
};

class Site {
 public:
  // `templates` and `catalog` are the service's; the common layout, error
  // page and messages are added (the service's win on equal names).
  static Result<Site> Make(SiteOptions options, Templates templates,
                           Catalog catalog,
                           std::span<const Asset> static_files = {});
  // Make() from a service's embedded assets: its *.mustache templates and
  // its messages.json (none: the common messages only).
  static Result<Site> FromAssets(SiteOptions options,
                                 std::span<const Asset> assets,
                                 std::span<const Asset> static_files = {});

  // The page in the request's language (ChooseLanguage). `session` gives the
  // CSRF token (nullptr: forms get none). Sets the language cookie when the
  // request named one with ?lang=. HTML responses are no-store (they hold
  // personal data) and carry CSP, nosniff, Referrer-Policy and frame denial.
  http::Response Render(const http::Request& request, const Session* session,
                        PageContent content) const;

  // An error page: what went wrong (`message`, in the page language) and
  // one thing to do next (`action`, e.g. back to the login page).
  http::Response Error(const http::Request& request, int status,
                       std::string message, Link action) const;

  // GET <base>/static/<name> for the common style.css and the service's
  // static files (by extension: css, js, svg, txt).
  Status AddStaticRoutes(http::Router& router) const;

  // The message `key` in the request's language.
  std::string Text(const http::Request& request, std::string_view key) const;
  const Catalog& catalog() const { return catalog_; }
  const Templates& templates() const { return templates_; }
  const SiteOptions& options() const { return options_; }

 private:
  Site() = default;
  void AddSecurityHeaders(http::Response& response) const;

  SiteOptions options_;
  Templates templates_;
  Catalog catalog_;
  // {"t": the messages} per Language (kJa, kEn), converted once for every
  // page instead of at each render.
  std::vector<SharedView> messages_;
  std::vector<Asset> static_files_;
};

// 303 See Other to `location` (after a POST: RFC 9110 §15.4.4).
http::Response SeeOther(std::string location);
// 302 Found (a redirect to an OpenID provider).
http::Response Found(std::string location);

}  // namespace openmyna::web
