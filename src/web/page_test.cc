#include "openmyna/web/page.h"

#include <gtest/gtest.h>

#include <regex>

namespace openmyna::web {
namespace {

std::string HeaderOf(const http::Response& response, std::string_view name) {
  std::string all;
  for (const auto& header : response.headers) {
    if (header.name == name) all += (all.empty() ? "" : "\n") + header.value;
  }
  return all;
}

class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Templates templates;
    ASSERT_TRUE(templates.Add(
        "hello",
        "<p>{{t.demo_greeting}} {{name}}</p><form method=\"post\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\"></form>"));
    auto catalog = Catalog::FromJson(
        R"({"demo_site": {"ja": "デモ", "en": "Demo"},
            "demo_greeting": {"ja": "ようこそ", "en": "Welcome"}})");
    ASSERT_TRUE(catalog.has_value());
    static const Asset kStatic[] = {{"app.js", "console.log(1)"},
                                    {"secret.key", "nope"}};
    auto site = Site::Make({"/demo", "demo_site", ""}, std::move(templates),
                           std::move(*catalog), kStatic);
    ASSERT_TRUE(site.has_value()) << site.error();
    site_.emplace(std::move(*site));
  }
  http::Request Get(std::string path, std::string query = {},
                    std::string accept = {}) {
    http::Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.query = std::move(query);
    if (!accept.empty()) request.headers.push_back({"Accept-Language", accept});
    return request;
  }
  std::optional<Site> site_;
};

TEST_F(SiteTest, PageHasLayoutLanguageAndEscapedContent) {
  Session session;
  session.csrf_token = "tok123";
  PageContent content;
  content.title = "ホーム";
  content.template_name = "hello";
  content.view.Set("name", "<山田>");
  content.nav = {{"/demo/", "ホーム", true}, {"/demo/b", "B", false}};
  content.user_name = "山田 太郎";
  content.logout_action = "/demo/logout";
  auto response = site_->Render(Get("/demo/"), &session, std::move(content));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  const std::string& html = response.body;
  EXPECT_NE(html.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(html.find("<title>ホーム | デモ</title>"), std::string::npos);
  EXPECT_NE(html.find("<a class=\"skip-link\" href=\"#main\">本文へ移動</a>"),
            std::string::npos);
  EXPECT_NE(html.find("<main id=\"main\" tabindex=\"-1\">\n<h1>ホーム</h1>"),
            std::string::npos);
  EXPECT_NE(html.find("<p>ようこそ &lt;山田&gt;</p>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/demo/\" aria-current=\"page\""),
            std::string::npos);
  EXPECT_EQ(html.find("href=\"/demo/b\" aria-current"), std::string::npos);
  // Both forms (the body's and the logout button) carry the token.
  EXPECT_NE(html.find("name=\"csrf\" value=\"tok123\"></form>"),
            std::string::npos);
  EXPECT_NE(html.find("action=\"/demo/logout\""), std::string::npos);
  EXPECT_NE(html.find("href=\"/demo/?lang=en\" lang=\"en\""),
            std::string::npos);
  EXPECT_NE(html.find("href=\"/demo/static/style.css\""), std::string::npos);
  EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(HeaderOf(response, "Content-Security-Policy")
                .find("frame-ancestors 'none'; form-action 'self'"),
            std::string::npos);
  EXPECT_EQ(HeaderOf(response, "Set-Cookie"), "");
}

TEST_F(SiteTest, EnglishByHeaderAndSwitchRemembered) {
  PageContent content;
  content.title = "Home";
  content.template_name = "hello";
  auto by_header =
      site_->Render(Get("/demo/", "", "en-US,en;q=0.9"), nullptr, content);
  EXPECT_NE(by_header.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(by_header.body.find("Skip to main content"), std::string::npos);
  EXPECT_NE(by_header.body.find("Welcome"), std::string::npos);
  EXPECT_NE(by_header.body.find("?lang=ja\" lang=\"ja\""), std::string::npos);
  EXPECT_EQ(HeaderOf(by_header, "Set-Cookie"), "");
  auto switched = site_->Render(Get("/demo/", "lang=en"), nullptr, content);
  EXPECT_EQ(HeaderOf(switched, "Set-Cookie"),
            "openmyna_lang=en; Path=/demo; Max-Age=31536000; SameSite=Lax");
  // Without a session the body's form has an empty token and no logout.
  EXPECT_NE(switched.body.find("value=\"\"></form>"), std::string::npos);
  EXPECT_EQ(switched.body.find("Log out"), std::string::npos);
}

TEST_F(SiteTest, ErrorPageSaysWhatAndWhatNext) {
  auto response = site_->Error(Get("/demo/x"), 403, "フォームが古くなりました",
                               {"/demo/", "トップページへ戻る", false});
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(response.body.find("<h1>エラー</h1>"), std::string::npos);
  EXPECT_NE(response.body.find("フォームが古くなりました"), std::string::npos);
  EXPECT_NE(response.body.find("403 Forbidden"), std::string::npos);
  EXPECT_NE(response.body.find(
                "<a class=\"button\" href=\"/demo/\">トップページへ戻る</a>"),
            std::string::npos);
}

TEST_F(SiteTest, StaticFilesByKnownExtensionOnly) {
  http::Router router;
  ASSERT_TRUE(site_->AddStaticRoutes(router));
  http::Request css = Get("/demo/static/style.css");
  auto response = router.Dispatch(css);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/css; charset=utf-8");
  EXPECT_NE(response.body.find(":focus-visible"), std::string::npos);
  EXPECT_EQ(router.Dispatch(Get("/demo/static/app.js")).content_type,
            "text/javascript; charset=utf-8");
  EXPECT_EQ(router.Dispatch(Get("/demo/static/secret.key")).status, 404);
}

TEST_F(SiteTest, EveryMessageTheCommonTemplatesUseExists) {
  const std::regex key(R"(\{\{t\.([A-Za-z0-9_]+)\}\})");
  int used = 0;
  for (const Asset& asset : CommonWebAssets()) {
    if (!asset.name.ends_with(".mustache")) continue;
    const std::string text(asset.content);
    for (std::sregex_iterator it(text.begin(), text.end(), key), end; it != end;
         ++it) {
      EXPECT_TRUE(site_->catalog().Has((*it)[1].str()))
          << asset.name << ": " << (*it)[1];
      ++used;
    }
  }
  EXPECT_GT(used, 5);
}

TEST(SiteFromAssetsTest, TemplatesAndMessagesOfTheAssets) {
  static const Asset kAssets[] = {
      {"hello.mustache", "<p id=\"g\">{{t.demo_greeting}}</p>"},
      {"messages.json", R"({"demo_site": {"ja": "デモ", "en": "Demo"},
                            "demo_greeting": {"ja": "ようこそ",
                                              "en": "Welcome"}})"}};
  auto site = Site::FromAssets({"/demo", "demo_site", ""}, kAssets);
  ASSERT_TRUE(site.has_value()) << site.error();
  http::Request request;
  request.method = "GET";
  request.path = "/demo/";
  request.headers.push_back({"Accept-Language", "en"});
  auto page =
      site->Render(request, nullptr, {.title = "T", .template_name = "hello"});
  EXPECT_NE(page.body.find("<p id=\"g\">Welcome</p>"), std::string::npos);
  EXPECT_NE(page.body.find("Demo"), std::string::npos);  // the site name
  // Without messages.json: the common messages only; a broken one fails.
  static const Asset kNoMessages[] = {{"hello.mustache", "<p>x</p>"}};
  EXPECT_TRUE(Site::FromAssets({"/d", "demo_site", ""}, kNoMessages));
  static const Asset kBroken[] = {{"messages.json", "{not json"}};
  EXPECT_FALSE(Site::FromAssets({"/d", "demo_site", ""}, kBroken));
}

TEST(RedirectTest, SeeOtherAndFound) {
  auto see_other = SeeOther("/demo/");
  EXPECT_EQ(see_other.status, 303);
  EXPECT_EQ(see_other.headers[0].name, "Location");
  EXPECT_EQ(Found("https://op/x").status, 302);
}

}  // namespace
}  // namespace openmyna::web
