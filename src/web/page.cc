#include "openmyna/web/page.h"

#include "openmyna/web/errors.h"
#include "openmyna/web/form.h"

namespace openmyna::web {
namespace {

// {"t": every message of `language`}, what templates see as {{t.key}}.
SharedView Messages(const Catalog& catalog, Language language) {
  View t;
  for (const auto& [key, text] : catalog.All(language)) t.Set(key, text);
  return SharedView(View().Set("t", std::move(t)));
}

std::string_view ContentTypeOf(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
  return {};
}

http::Response Html(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(body);
  return response;
}

}  // namespace

Result<Site> Site::Make(SiteOptions options, Templates templates,
                        Catalog catalog, std::span<const Asset> static_files) {
  Site site;
  site.options_ = std::move(options);
  auto common_templates = Templates::FromAssets(CommonWebAssets());
  if (!common_templates) return Unexpected(common_templates.error());
  site.templates_ = std::move(*common_templates);
  const Asset* messages = FindAsset(CommonWebAssets(), "messages.json");
  auto common_catalog = Catalog::FromJson(messages ? messages->content : "{}");
  if (!common_catalog) return Unexpected(common_catalog.error());
  site.catalog_ = std::move(*common_catalog);
  site.catalog_.Merge(catalog);
  site.templates_.Merge(templates);
  for (Language language : {Language::kJa, Language::kEn}) {
    site.messages_.push_back(Messages(site.catalog_, language));
  }
  if (const Asset* css = FindAsset(CommonWebAssets(), "style.css")) {
    site.static_files_.push_back(*css);
  }
  for (const Asset& asset : static_files) {
    if (!ContentTypeOf(asset.name).empty()) {
      site.static_files_.push_back(asset);
    }
  }
  return site;
}

Result<Site> Site::FromAssets(SiteOptions options,
                              std::span<const Asset> assets,
                              std::span<const Asset> static_files) {
  auto templates = Templates::FromAssets(assets);
  if (!templates) return Unexpected(templates.error());
  const Asset* messages = FindAsset(assets, "messages.json");
  auto catalog = Catalog::FromJson(messages ? messages->content : "{}");
  if (!catalog) return Unexpected(catalog.error());
  return Make(std::move(options), std::move(*templates), std::move(*catalog),
              static_files);
}

void Site::AddSecurityHeaders(http::Response& response) const {
  std::string form_action = "'self'";
  if (!options_.form_action_sources.empty()) {
    form_action += " " + options_.form_action_sources;
  }
  response
      .AddHeader("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; "
                 "object-src 'none'; base-uri 'none'; frame-ancestors "
                 "'none'; form-action " +
                     form_action)
      .AddHeader("X-Content-Type-Options", "nosniff")
      .AddHeader("Referrer-Policy", "no-referrer")
      .AddHeader("X-Frame-Options", "DENY")
      .AddHeader("Cache-Control", "no-store");
}

std::string Site::Text(const http::Request& request,
                       std::string_view key) const {
  return catalog_.Text(ChooseLanguage(request), key);
}

http::Response Site::Render(const http::Request& request,
                            const Session* session, PageContent content) const {
  const Language language = ChooseLanguage(request);
  const std::string csrf = session ? session->csrf_token : std::string();
  // `t` (the messages) from the site's view of the language, behind each
  // page's own.
  const SharedView& messages = messages_[language == Language::kJa ? 0 : 1];

  View& body_view = content.view;
  body_view.Set("lang", LanguageTag(language));
  body_view.Set("base", options_.base_path);
  body_view.Set("csrf", csrf);
  auto body = templates_.Render(content.template_name, body_view, messages);
  if (!body) {
    return Html(500, "<!doctype html><title>500</title><p>" +
                         std::string("template error") + "</p>");
  }

  const Language other =
      language == Language::kJa ? Language::kEn : Language::kJa;
  View nav = View::List();
  for (const Link& link : content.nav) {
    nav.Push(View()
                 .Set("href", link.href)
                 .Set("label", link.label)
                 .Set("current", link.current));
  }
  View layout;
  layout.Set("lang", LanguageTag(language))
      .Set("base", options_.base_path)
      .Set("csrf", csrf)
      .Set("title", content.title)
      .Set("site_name", catalog_.Text(language, options_.site_name_key))
      .Set("home", options_.base_path + "/")
      .Set("nav", std::move(nav))
      .Set("has_nav", !content.nav.empty())
      .Set("user_name", content.user_name)
      .Set("signed_in", !content.user_name.empty())
      .Set("logout_action", content.logout_action)
      .Set("switch_href",
           request.path + "?lang=" + std::string(LanguageTag(other)))
      .Set("switch_lang", LanguageTag(other))
      .Set("switch_label", catalog_.Text(language, "web_switch_language"))
      .Set("stylesheet", options_.base_path + "/static/style.css")
      .Set("body", std::move(*body));
  auto html = templates_.Render("layout", layout, messages);
  if (!html) return Html(500, "<!doctype html><title>500</title>");
  http::Response response = Html(content.status, std::move(*html));
  AddSecurityHeaders(response);
  if (auto chosen = QueryLanguage(request)) {
    response.AddHeader(
        "Set-Cookie",
        std::string(kLanguageCookie) + "=" + std::string(LanguageTag(*chosen)) +
            "; Path=" +
            (options_.base_path.empty() ? "/" : options_.base_path) +
            "; Max-Age=31536000; SameSite=Lax");
  }
  return response;
}

http::Response Site::Error(const http::Request& request, int status,
                           std::string message, Link action) const {
  const Language language = ChooseLanguage(request);
  PageContent content;
  content.status = status;
  content.template_name = "error";
  content.title = catalog_.Text(language, "web_error_title");
  content.view.Set("status", std::to_string(status))
      .Set("reason", http::ReasonPhrase(status))
      .Set("message", std::move(message))
      .Set("action_href", action.href)
      .Set("action_label", action.label);
  return Render(request, nullptr, std::move(content));
}

Status Site::AddStaticRoutes(http::Router& router) const {
  for (const Asset& asset : static_files_) {
    const std::string path =
        options_.base_path + "/static/" + std::string(asset.name);
    const Asset file = asset;
    auto added = router.Add("GET", path, [file](const http::Request&) {
      http::Response response;
      response.content_type = std::string(ContentTypeOf(file.name));
      response.body = std::string(file.content);
      response.AddHeader("Cache-Control", "public, max-age=3600")
          .AddHeader("X-Content-Type-Options", "nosniff");
      return response;
    });
    if (!added) return added;
  }
  return Ok();
}

http::Response SeeOther(std::string location) {
  http::Response response;
  response.status = 303;
  response.AddHeader("Location", std::move(location));
  return response;
}

http::Response Found(std::string location) {
  http::Response response;
  response.status = 302;
  response.AddHeader("Location", std::move(location));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace openmyna::web
