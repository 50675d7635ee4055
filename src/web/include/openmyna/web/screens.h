// A touch screen of a machine driven by server-rendered forms (the konbini
// kiosk /kiosk/, the clinic reader /clinic/): one cookie session per
// screen, every action a POST with the CSRF token answered by 303 back to
// base/ (RFC 9110 §15.4.4), which renders the session's current screen; a
// message put in the session value "error" is shown once. A session left
// alone for `timeout` expires (the next POST shows `expired_key`).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/web/page.h"
#include "openmyna/web/session.h"

namespace openmyna::web {

struct ScreenOptions {
  std::string base_path;      // "/clinic" (no trailing slash)
  std::string site_name_key;  // catalog key of the name in the header
  std::string cookie_name;
  std::chrono::seconds timeout{180};
  bool secure_cookies = true;  // false only for plain-HTTP tests
  // Catalog keys: the expired-screen message and the first screen's title
  // (the error page's way back).
  std::string expired_key, home_title_key;
};

class Screens {
 public:
  // The site from the service's embedded assets (templates, messages,
  // static files by extension). `clock` and `rng` are borrowed.
  static Result<std::unique_ptr<Screens>> Make(ScreenOptions options,
                                               std::span<const Asset> assets,
                                               const Clock& clock, Rng& rng);

  using Render = std::function<http::Response(const Session&)>;
  using Action = std::function<void(const Form&, Session&)>;

  // GET base/: `render` of the request's session (a new one, with its
  // cookie, when there is none); the session's "error" is then dropped.
  http::Response Get(const http::Request& request, const Render& render);
  // POST base/NAME: the form and its CSRF token checked (else an error
  // page: 400 without a session, 403 with a bad token), `action` run on
  // the session, the session saved, 303 to base/.
  http::Response Post(const http::Request& request, const Action& action);
  // Adds GET base/ and the static files.
  Status AddRoutes(http::Router& router,
                   std::function<http::Response(const http::Request&)> get);

  const Site& site() const { return *site_; }
  std::string Path(std::string_view name) const {
    return options_.base_path + "/" + std::string(name);
  }
  std::string Text(const http::Request& r, std::string_view key) const {
    return site_->Text(r, key);
  }

 private:
  Screens() = default;
  ScreenOptions options_;
  std::unique_ptr<Site> site_;
  std::unique_ptr<SessionStore> sessions_;
};

}  // namespace openmyna::web
