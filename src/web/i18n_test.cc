#include "openmyna/web/i18n.h"

#include <gtest/gtest.h>

#include "openmyna/web/assets.h"
#include "openmyna/web/errors.h"

namespace openmyna::web {
namespace {

http::Request Req(std::string query, std::string cookie = {},
                  std::string accept = {}) {
  http::Request request;
  request.query = std::move(query);
  if (!cookie.empty()) request.headers.push_back({"Cookie", cookie});
  if (!accept.empty()) request.headers.push_back({"Accept-Language", accept});
  return request;
}

TEST(AcceptLanguageTest, HighestWeightAmongSupported) {
  // RFC 9110 §12.5.4's example: Danish first, then British English.
  EXPECT_EQ(AcceptLanguage("da, en-gb;q=0.8, en;q=0.7"), Language::kEn);
  EXPECT_EQ(AcceptLanguage("en-US;q=0.8,en;q=0.9,ja;q=0.95"), Language::kJa);
  EXPECT_EQ(AcceptLanguage("en-US,en;q=0.9,ja;q=0.95"), Language::kEn);
  EXPECT_EQ(AcceptLanguage("ja-JP"), Language::kJa);
  EXPECT_EQ(AcceptLanguage("EN"), Language::kEn);
  EXPECT_EQ(AcceptLanguage("en;q=0, ja;q=0.1"), Language::kJa);
  EXPECT_EQ(AcceptLanguage("en;q=0"), std::nullopt);  // not acceptable
  EXPECT_EQ(AcceptLanguage("fr, de"), std::nullopt);
  EXPECT_EQ(AcceptLanguage("fr, *;q=0.5"), Language::kJa);
  EXPECT_EQ(AcceptLanguage("en;q=2, ja;q=0.5"), Language::kJa);  // q>1 ignored
  EXPECT_EQ(AcceptLanguage("en;q=0.5, ja;q=0.5"), Language::kEn);  // first
  EXPECT_EQ(AcceptLanguage(""), std::nullopt);
}

TEST(ChooseLanguageTest, QueryThenCookieThenHeaderThenJapanese) {
  EXPECT_EQ(ChooseLanguage(Req("")), Language::kJa);
  EXPECT_EQ(ChooseLanguage(Req("", "", "en")), Language::kEn);
  EXPECT_EQ(ChooseLanguage(Req("", "openmyna_lang=ja", "en")), Language::kJa);
  EXPECT_EQ(ChooseLanguage(Req("lang=en", "openmyna_lang=ja", "ja")),
            Language::kEn);
  EXPECT_EQ(ChooseLanguage(Req("x=1&lang=ja", "", "en")), Language::kJa);
  EXPECT_EQ(ChooseLanguage(Req("lang=fr", "", "en")), Language::kEn);
  EXPECT_EQ(QueryLanguage(Req("lang=en")), Language::kEn);
  EXPECT_EQ(QueryLanguage(Req("lang=%zz")), std::nullopt);
}

TEST(ChooseLanguageTest, TheQueryFieldNameMayBePercentEncoded) {
  // application/x-www-form-urlencoded decodes names as values: %61 is "a",
  // %6E "n", %6c "l" (either case of hex digit).
  EXPECT_EQ(QueryLanguage(Req("l%61ng=en")), Language::kEn);
  EXPECT_EQ(QueryLanguage(Req("x=1&la%6Eg=en")), Language::kEn);
  EXPECT_EQ(QueryLanguage(Req("%6c%61%6e%67=ja")), Language::kJa);
  EXPECT_EQ(ChooseLanguage(Req("%6Cang=en", "", "ja")), Language::kEn);
  // No field named lang: the other sources decide; a malformed query too.
  EXPECT_EQ(QueryLanguage(Req("client_id=a&redirect_uri=https%3A%2F%2Frp."
                              "example%2Fcb&scope=openid%20name")),
            std::nullopt);
  EXPECT_EQ(QueryLanguage(Req("language=en&l=en&ang=en")), std::nullopt);
  EXPECT_EQ(QueryLanguage(Req("x=%zz&lang=en")), std::nullopt);
  EXPECT_EQ(ChooseLanguage(Req("x=%6zz", "", "en")), Language::kEn);
}

TEST(CatalogTest, EveryMessageNeedsBothLanguages) {
  auto catalog =
      Catalog::FromJson(R"({"hello": {"ja": "こんにちは", "en": "Hello"}})");
  ASSERT_TRUE(catalog.has_value()) << catalog.error();
  EXPECT_EQ(catalog->Text(Language::kJa, "hello"), "こんにちは");
  EXPECT_EQ(catalog->Text(Language::kEn, "hello"), "Hello");
  EXPECT_EQ(catalog->Text(Language::kEn, "absent"), "absent");
  EXPECT_TRUE(catalog->Has("hello"));
  for (const char* bad :
       {R"({"a": {"ja": "x"}})", R"({"a": {"ja": "x", "en": 1}})",
        R"({"a.b": {"ja": "x", "en": "y"}})", R"([1])", "{", R"({"a": "x"})"}) {
    auto parsed = Catalog::FromJson(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_TRUE(parsed.error().Is(WebErrc::kBadCatalog));
  }
}

TEST(CatalogTest, MergeReplacesEqualKeys) {
  auto a = Catalog::FromJson(
      R"({"x": {"ja": "1", "en": "one"}, "y": {"ja": "2", "en": "two"}})");
  auto b = Catalog::FromJson(R"({"y": {"ja": "二", "en": "Two"}})");
  a->Merge(*b);
  EXPECT_EQ(a->Text(Language::kJa, "y"), "二");
  EXPECT_EQ(a->Text(Language::kEn, "x"), "one");
}

TEST(CatalogTest, TheCommonCatalogLoads) {
  const Asset* messages = FindAsset(CommonWebAssets(), "messages.json");
  ASSERT_NE(messages, nullptr);
  auto catalog = Catalog::FromJson(messages->content);
  ASSERT_TRUE(catalog.has_value()) << catalog.error();
  EXPECT_EQ(catalog->Text(Language::kJa, "web_skip_to_main"), "本文へ移動");
}

}  // namespace
}  // namespace openmyna::web
