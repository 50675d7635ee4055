#include "openmyna/portal/portal.h"

#include <span>

#include "openmyna/base/bytes.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/resident_notices.h"
#include "openmyna/web/assets.h"
#include "openmyna/web/errors.h"
#include "portal_internal.h"

namespace openmyna::web {
std::span<const Asset> PortalAssets();
}  // namespace openmyna::web

namespace openmyna::portal {

std::string Fill(
    std::string text,
    const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [key, value] : params) {
    const std::string token = "{" + key + "}";
    for (std::size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + value.size())) {
      text.replace(at, token.size(), value);
    }
  }
  return text;
}

Portal::Impl::Impl(PortalOptions o, registry::RegistryStore& s, const Clock& c,
                   Rng& r, web::Site site_in)
    : options(std::move(o)),
      store(s),
      clock(c),
      rng(r),
      site(std::move(site_in)),
      sessions(web::SessionOptions{.cookie_name = "openmyna_portal",
                                   .cookie_path = options.base_path + "/",
                                   .secure = options.secure_cookies,
                                   .idle_timeout = options.idle_timeout},
               c, r),
      applications(s, c, r, options.signature_trust) {}

std::string Portal::Impl::RoleName(web::Language language,
                                   registry::Role role) const {
  return T(language, "portal_role_" + std::string(registry::ToString(role)));
}

http::Response Portal::Impl::Error(const http::Request& request, int status,
                                   std::string_view message_key,
                                   std::string_view detail) {
  const web::Language language = web::ChooseLanguage(request);
  return site.Error(request, status,
                    T(language, message_key) + std::string(detail),
                    {Url("/"), T(language, "web_back_to_top")});
}

std::variant<Visit, http::Response> Portal::Impl::RequireLogin(
    const http::Request& request) {
  auto session = sessions.Find(request);
  if (session && !session->Get(kResidentKey).empty()) {
    Visit visit{*session, session->Get(kResidentKey),
                web::ChooseLanguage(request), ""};
    const std::string acting = session->Get(kActingForKey);
    if (acting.empty()) return visit;
    // A proxy's view is in the represented resident's history (issue 10
    // item 7), one entry per page.
    visit.representative_id = visit.resident_id;
    visit.resident_id = acting;
    auto recorded = store.Transact([&](registry::RegistryTx& tx) {
      registry::AuditEntry entry;
      entry.resident_id = acting;
      entry.actor_id = visit.representative_id;
      entry.role = registry::Role::kResident;
      entry.action = "portal.proxy_view";
      entry.reason = request.path;
      entry.at = clock.Now();
      entry.id = registry::NewAuditId(entry.at, rng);
      entry.requester = session->Get(kNameKey);
      entry.on_behalf_of = acting;
      entry.items = {"basic4", "card", "certificates"};
      return tx.AppendAudit(entry);
    });
    if (!recorded) return Error(request, 503, "portal_login_failed");
    return visit;
  }
  if (!session && session.error().Is(web::WebErrc::kSessionExpired)) {
    http::Response response = Error(request, 401, "web_session_expired");
    response.AddHeader("Set-Cookie", sessions.ClearCookie());
    return response;
  }
  return web::SeeOther(Url("/"));
}

std::variant<std::pair<Visit, web::Form>, http::Response>
Portal::Impl::RequirePost(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  auto form = web::ParseFormBody(request);
  if (!form) return Error(request, 400, "web_bad_form");
  auto& v = std::get<Visit>(visit);
  if (!web::SessionStore::CheckCsrf(v.session, *form)) {
    return Error(request, 403, "web_csrf_failed");
  }
  return std::make_pair(std::move(v), std::move(*form));
}

http::Response Portal::Impl::Page(const http::Request& request,
                                  const Visit& visit,
                                  std::string_view title_key,
                                  std::string template_name, web::View view,
                                  std::string_view current, int status) {
  const web::Language language = visit.language;
  static constexpr std::pair<std::string_view, std::string_view> kNav[] = {
      {"/", "portal_home"},           {"/me", "portal_me"},
      {"/notices", "portal_notices"}, {"/history", "portal_history"},
      {"/apply", "portal_apply"},     {"/insurance", "portal_insurance"},
      {"/konbini", "portal_konbini"}};
  web::PageContent content;
  content.title = T(language, title_key);
  content.template_name = std::move(template_name);
  content.view = std::move(view);
  content.status = status;
  for (const auto& [path, key] : kNav) {
    content.nav.push_back({Url(path), T(language, key), path == current});
  }
  content.user_name = visit.session.Get(kNameKey);
  if (!visit.representative_id.empty()) {
    content.user_name +=
        " " + Fill(T(language, "portal_proxy_for"),
                   {{"name", visit.session.Get(kActingNameKey)}});
  }
  content.logout_action = Url("/logout");
  return site.Render(request, &visit.session, std::move(content));
}

http::Response Portal::Impl::Home(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* v = std::get_if<Visit>(&visit)) {
    int unread = 0;
    auto counted = store.Transact([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(registry::RefreshResidentNotices(
          tx, v->resident_id, clock.Now(), rng));
      OPENMYNA_ASSIGN_OR_RETURN(
          unread, registry::CountUnreadResidentNotices(tx, v->resident_id));
      return Ok();
    });
    if (!counted) return Error(request, 503, "portal_login_failed");
    // Whom this resident represents (a parent's children): proxy buttons.
    web::View represented = web::View::List();
    auto listed =
        store.ReadOneStatement([&](registry::RegistryTx& tx) -> Status {
          const std::string self = v->representative_id.empty()
                                       ? v->resident_id
                                       : v->representative_id;
          OPENMYNA_ASSIGN_OR_RETURN(
              auto children, registry::ListRepresentedResidents(tx, self));
          for (const auto& child : children) {
            represented.Push(
                web::View().Set("id", child.id).Set("name", child.name));
          }
          return Ok();
        });
    if (!listed) return Error(request, 503, "portal_login_failed");
    web::View view;
    view.Set("name", v->session.Get(kNameKey))
        .Set("unread", std::to_string(unread))
        .Set("represented", std::move(represented))
        .Set("acting", !v->representative_id.empty())
        .Set("acting_name", v->session.Get(kActingNameKey));
    return Page(request, *v, "portal_home", "home", std::move(view), "/");
  }
  // Not signed in: the login page, in a session of its own for the CSRF
  // token (an expired one is said so).
  const web::Language language = web::ChooseLanguage(request);
  auto existing = sessions.Find(request);
  std::string message;
  if (!existing && existing.error().Is(web::WebErrc::kSessionExpired)) {
    message = T(language, "web_session_expired");
  }
  const web::Session session = existing ? *existing : sessions.Create();
  web::PageContent content;
  content.title = T(language, "portal_login_title");
  content.template_name = "login";
  content.view.Set("message", message);
  http::Response response = site.Render(request, &session, std::move(content));
  if (!existing) response.AddHeader("Set-Cookie", sessions.SetCookie(session));
  return response;
}

http::Response Portal::Impl::Proxy(const http::Request& request) {
  auto post = RequirePost(request);
  if (auto* response = std::get_if<http::Response>(&post)) {
    return std::move(*response);
  }
  auto& [v, form] = std::get<0>(post);
  const std::string self =
      v.representative_id.empty() ? v.resident_id : v.representative_id;
  web::Session session = v.session;
  session.values.erase(std::string(kActingForKey));
  session.values.erase(std::string(kActingNameKey));
  const std::string child = form.GetOr("resident");
  if (!child.empty()) {
    std::optional<registry::Resident> found;
    auto listed =
        store.ReadOneStatement([&](registry::RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(
              auto children, registry::ListRepresentedResidents(tx, self));
          for (auto& c : children) {
            if (c.id == child) found = std::move(c);
          }
          return Ok();
        });
    if (!listed) return Error(request, 503, "portal_login_failed");
    // Only someone this resident represents; anything else is not found.
    if (!found) return Error(request, 404, "web_not_found");
    session.values[std::string(kActingForKey)] = found->id;
    session.values[std::string(kActingNameKey)] = found->name;
  }
  sessions.Save(session);
  return web::SeeOther(Url(child.empty() ? "/" : "/me"));
}

Result<std::unique_ptr<Portal>> Portal::Make(PortalOptions options,
                                             registry::RegistryStore& store,
                                             const Clock& clock, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto site, web::Site::FromAssets({options.base_path, "portal_site", ""},
                                       web::PortalAssets()));
  std::unique_ptr<OidcLogin> login;
  if (options.login) {
    OPENMYNA_ASSIGN_OR_RETURN(
        login, OidcLogin::Open(*options.login, options.base_path, clock, rng));
  }
  auto impl = std::make_unique<Impl>(std::move(options), store, clock, rng,
                                     std::move(site));
  impl->login = std::move(login);
  return std::unique_ptr<Portal>(new Portal(std::move(impl)));
}

Portal::Portal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Portal::~Portal() = default;

Result<std::string> Portal::CompleteLogin(std::string_view resident_id) {
  return impl_->CompleteLogin(resident_id);
}

Result<std::string> Portal::Impl::CompleteLogin(std::string_view resident_id) {
  Impl& s = *this;
  std::string name;
  bool face_auth = false;
  bool usable = false;
  OPENMYNA_REGISTRY_TRANSACT(
      s.store.Transact([&](registry::RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(resident_id));
        if (!resident) return Fail(registry::RegistryErrc::kNotFound, "");
        name = resident->name;
        OPENMYNA_ASSIGN_OR_RETURN(
            auto in_use,
            registry::AuthenticationInUseOf(tx, resident_id, s.clock.Now()));
        usable = in_use.certificate.has_value();
        face_auth = in_use.face_auth_card;
        return Ok();
      }));
  if (!usable) {
    return Fail(
        registry::RegistryErrc::kRefused,
        face_auth ? "portal_face_auth_refused" : "portal_no_usable_card");
  }
  web::Session session = s.sessions.Create();
  session.values[std::string(kResidentKey)] = std::string(resident_id);
  session.values[std::string(kNameKey)] = name;
  s.sessions.Save(session);
  return s.sessions.SetCookie(session);
}

Status Portal::AddRoutes(http::Router& router) {
  Impl* s = impl_.get();
  const std::string& base = s->options.base_path;
  OPENMYNA_RETURN_IF_ERROR(s->site.AddStaticRoutes(router));
  OPENMYNA_RETURN_IF_ERROR(router.Add("GET", base, [s](const http::Request&) {
    return web::SeeOther(s->Url("/"));
  }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", base + "/", [s](const http::Request& r) { return s->Home(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", base + "/login", [s](const http::Request& request) {
        auto form = web::ParseFormBody(request);
        auto session = s->sessions.Find(request);
        if (!form || !session ||
            !web::SessionStore::CheckCsrf(*session, *form)) {
          return s->Error(request, 403, "web_csrf_failed");
        }
        return s->LoginStart(request);
      }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", base + "/callback",
      [s](const http::Request& request) { return s->LoginCallback(request); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", base + "/logout", [s](const http::Request& request) {
        auto post = s->RequirePost(request);
        if (auto* response = std::get_if<http::Response>(&post)) {
          return std::move(*response);
        }
        const Visit& visit = std::get<0>(post).first;
        s->sessions.Destroy(visit.session.id);
        web::PageContent content;
        content.title = s->T(visit.language, "portal_logged_out");
        content.template_name = "message";
        content.view.Set("message", s->T(visit.language, "portal_logged_out"));
        http::Response response =
            s->site.Render(request, nullptr, std::move(content));
        response.AddHeader("Set-Cookie", s->sessions.ClearCookie());
        return response;
      }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/insurance",
                 [s](const http::Request& r) { return s->Insurance(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", base + "/insurance/register",
      [s](const http::Request& r) { return s->InsuranceRegister(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/konbini",
                 [s](const http::Request& r) { return s->Konbini(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", base + "/me", [s](const http::Request& r) { return s->Me(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", base + "/proxy",
                 [s](const http::Request& r) { return s->Proxy(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/notices",
                 [s](const http::Request& r) { return s->Notices(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", base + "/notices/read",
                 [s](const http::Request& r) { return s->MarkRead(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/history",
                 [s](const http::Request& r) { return s->History(r, false); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/history.csv",
                 [s](const http::Request& r) { return s->History(r, true); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/apply",
                 [s](const http::Request& r) { return s->ApplyList(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/apply/*",
                 [s](const http::Request& r) { return s->ApplyGet(r); }));
  return router.Add("POST", base + "/apply/*",
                    [s](const http::Request& r) { return s->ApplyPost(r); });
}

}  // namespace openmyna::portal
