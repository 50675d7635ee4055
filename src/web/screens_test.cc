#include "openmyna/web/screens.h"

#include <gtest/gtest.h>

#include <regex>

namespace openmyna::web {
namespace {

// A two-screen flow: "welcome" with a form posting to /machine/next, then
// "second"; the action puts a one-time error when told to.
const Asset kAssets[] = {
    {"screen.mustache",
     "<p id=\"screen\">{{screen}}</p>{{#error}}<p id=\"error\">{{error}}</p>"
     "{{/error}}<form method=\"post\" action=\"{{base}}/next\"><input "
     "type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\"></form>"},
    {"messages.json",
     R"({"m_site": {"ja": "機械", "en": "Machine"},
         "m_expired": {"ja": "期限切れ", "en": "Expired"},
         "m_home": {"ja": "はじめ", "en": "Start"}})"},
    {"machine.css", ".m { color: #000; }"}};

class ScreensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = Screens::Make({.base_path = "/machine",
                               .site_name_key = "m_site",
                               .cookie_name = "m",
                               .timeout = std::chrono::seconds(60),
                               .secure_cookies = true,
                               .expired_key = "m_expired",
                               .home_title_key = "m_home"},
                              kAssets, clock_, rng_);
    ASSERT_TRUE(made.has_value()) << made.error();
    screens_ = std::move(*made);
  }
  http::Response Get(const std::string& cookie) {
    http::Request r;
    r.method = "GET";
    r.path = "/machine/";
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return screens_->Get(r, [&](const Session& s) {
      PageContent page{.title = "T", .template_name = "screen"};
      page.view.Set("screen", s.Get("step").empty() ? "welcome" : "second");
      if (!s.Get("error").empty()) page.view.Set("error", s.Get("error"));
      return screens_->site().Render(r, &s, std::move(page));
    });
  }
  http::Response Post(const std::string& cookie, const std::string& body,
                      const std::string& error = "") {
    http::Request r;
    r.method = "POST";
    r.path = "/machine/next";
    r.body = body;
    r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return screens_->Post(r, [&](const Form&, Session& s) {
      ++actions_;
      s.values["step"] = "second";
      if (!error.empty()) s.values["error"] = error;
    });
  }
  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& h : r.headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }
  static std::string Match(const std::string& text, const char* pattern) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
  }

  FixedClock clock_{TimePoint{} + std::chrono::hours(24 * 365 * 56)};
  DeterministicRng rng_{11};
  std::unique_ptr<Screens> screens_;
  int actions_ = 0;
};

TEST_F(ScreensTest, PostWithTokenRunsTheActionAndShowsTheNextScreen) {
  const http::Response first = Get("");
  EXPECT_EQ(first.status, 200);
  const std::string set = Header(first, "Set-Cookie");
  EXPECT_NE(set.find("Path=/machine/"), std::string::npos) << set;
  EXPECT_NE(set.find("Secure"), std::string::npos) << set;
  const std::string cookie = set.substr(0, set.find(';'));
  const std::string csrf =
      Match(first.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_EQ(csrf.size(), 64u);
  EXPECT_NE(first.body.find(">welcome<"), std::string::npos);

  const http::Response posted = Post(cookie, "csrf=" + csrf, "once");
  EXPECT_EQ(posted.status, 303);
  EXPECT_EQ(Header(posted, "Location"), "/machine/");
  EXPECT_EQ(actions_, 1);
  // The next screen, with the error shown once.
  const http::Response second = Get(cookie);
  EXPECT_NE(second.body.find(">second<"), std::string::npos);
  EXPECT_NE(second.body.find("id=\"error\">once<"), std::string::npos);
  EXPECT_EQ(Header(second, "Set-Cookie"), "");
  EXPECT_EQ(Get(cookie).body.find("id=\"error\""), std::string::npos);
}

TEST_F(ScreensTest, NoSessionBadTokenOrExpiredRefusedWithoutTheAction) {
  const http::Response first = Get("");
  const std::string set = Header(first, "Set-Cookie");
  const std::string cookie = set.substr(0, set.find(';'));
  const std::string csrf =
      Match(first.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  EXPECT_EQ(Post("", "csrf=" + csrf).status, 400);
  EXPECT_EQ(Post(cookie, "csrf=" + std::string(64, '0')).status, 403);
  EXPECT_EQ(Post(cookie, "").status, 403);
  clock_.Advance(std::chrono::seconds(61));  // left alone past the timeout
  const http::Response expired = Post(cookie, "csrf=" + csrf);
  EXPECT_EQ(expired.status, 400);
  EXPECT_NE(expired.body.find("期限切れ"), std::string::npos);
  EXPECT_NE(expired.body.find("href=\"/machine/\""), std::string::npos);
  EXPECT_EQ(actions_, 0);
}

TEST_F(ScreensTest, RoutesServeTheScreenAndTheStaticFiles) {
  http::Router router;
  ASSERT_TRUE(screens_->AddRoutes(
      router, [&](const http::Request&) { return Get(""); }));
  http::Request r;
  r.method = "GET";
  r.path = "/machine/";
  EXPECT_EQ(router.Dispatch(r).status, 200);
  r.path = "/machine/static/machine.css";
  const http::Response css = router.Dispatch(r);
  EXPECT_EQ(css.status, 200);
  EXPECT_NE(css.body.find("color: #000"), std::string::npos);
}

}  // namespace
}  // namespace openmyna::web
