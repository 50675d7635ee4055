#include "openmyna/web/screens.h"

#include "openmyna/web/form.h"

namespace openmyna::web {

Result<std::unique_ptr<Screens>> Screens::Make(ScreenOptions options,
                                               std::span<const Asset> assets,
                                               const Clock& clock, Rng& rng) {
  std::unique_ptr<Screens> screens(new Screens());
  OPENMYNA_ASSIGN_OR_RETURN(
      Site site,
      Site::FromAssets({options.base_path, options.site_name_key, ""}, assets,
                       assets));
  screens->site_ = std::make_unique<Site>(std::move(site));
  screens->sessions_ = std::make_unique<SessionStore>(
      SessionOptions{.cookie_name = options.cookie_name,
                     .cookie_path = options.base_path + "/",
                     .secure = options.secure_cookies,
                     .idle_timeout = options.timeout},
      clock, rng);
  screens->options_ = std::move(options);
  return screens;
}

http::Response Screens::Get(const http::Request& request,
                            const Render& render) {
  std::string set_cookie;
  auto found = sessions_->Find(request);
  Session s = found ? *found : sessions_->Create();
  if (!found) set_cookie = sessions_->SetCookie(s);
  http::Response response = render(s);
  if (s.values.erase("error") > 0) sessions_->Save(s);  // shown once
  if (!set_cookie.empty()) response.AddHeader("Set-Cookie", set_cookie);
  return response;
}

http::Response Screens::Post(const http::Request& request,
                             const Action& action) {
  auto form = ParseFormBody(request);
  auto s = sessions_->Find(request);
  if (!form || !s || !SessionStore::CheckCsrf(*s, *form)) {
    return site_->Error(request, s ? 403 : 400,
                        Text(request, options_.expired_key),
                        {Path(""), Text(request, options_.home_title_key)});
  }
  action(*form, *s);
  sessions_->Save(*s);
  return SeeOther(Path(""));
}

Status Screens::AddRoutes(
    http::Router& router,
    std::function<http::Response(const http::Request&)> get) {
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", options_.base_path + "/", std::move(get)));
  return site_->AddStaticRoutes(router);
}

}  // namespace openmyna::web
