#include "openmyna/web/templates.h"

#include <gtest/gtest.h>

#include "openmyna/web/errors.h"

namespace openmyna::web {
namespace {

TEST(TemplatesTest, EscapesEveryHtmlSpecialCharacter) {
  Templates templates;
  ASSERT_TRUE(templates.Add("t", "<p title=\"{{v}}\">{{v}}</p>{{{raw}}}"));
  auto html = templates.Render(
      "t",
      View().Set("v", "<script>alert('x&y')</script>\"").Set("raw", "<b>"));
  ASSERT_TRUE(html.has_value()) << html.error();
  EXPECT_EQ(*html,
            "<p title=\"&lt;script&gt;alert(&apos;x&amp;y&apos;)&lt;/script&gt;"
            "&quot;\">&lt;script&gt;alert(&apos;x&amp;y&apos;)&lt;/"
            "script&gt;&quot;</p><b>");
}

TEST(TemplatesTest, ListsFlagsAndDottedNames) {
  Templates templates;
  ASSERT_TRUE(templates.Add(
      "t",
      "{{t.hello}}:{{#rows}}[{{name}}{{#unread}}*{{/unread}}]{{/rows}}"
      "{{^rows}}none{{/rows}}"));
  View rows = View::List();
  rows.Push(View().Set("name", "a").Set("unread", true));
  rows.Push(View().Set("name", "b").Set("unread", false));
  View view;
  view.Set("t", View().Set("hello", "こんにちは")).Set("rows", rows);
  EXPECT_EQ(templates.Render("t", view).value(), "こんにちは:[a*][b]");
  view.Set("rows", View::List());
  EXPECT_EQ(templates.Render("t", view).value(), "こんにちは:none");
}

// A shared outer view (a site's messages, converted once): names the page's
// view lacks come from it, also dotted and inside a list's items; the
// page's own values win; escaping is the same.
TEST(TemplatesTest, SharedOuterViewIsSearchedAfterThePagesView) {
  Templates templates;
  ASSERT_TRUE(templates.Add(
      "t",
      "{{t.hello}}|{{lang}}|{{#rows}}[{{name}} {{t.mark}}]{{/rows}}|{{v}}"));
  const SharedView outer(
      View()
          .Set("t", View().Set("hello", "こんにちは").Set("mark", "<済>"))
          .Set("lang", "ja")
          .Set("v", "outer"));
  View rows = View::List();
  rows.Push(View().Set("name", "a"));
  rows.Push(View().Set("name", "b"));
  const View page = View().Set("rows", rows).Set("v", "page & more");
  EXPECT_EQ(templates.Render("t", page, outer).value(),
            "こんにちは|ja|[a &lt;済&gt;][b &lt;済&gt;]|page &amp; more");
  // The same outer view again, for another page.
  EXPECT_EQ(templates.Render("t", View(), outer).value(),
            "こんにちは|ja||outer");
  EXPECT_TRUE(templates.Render("nope", View(), outer)
                  .error()
                  .Is(WebErrc::kBadTemplate));
}

TEST(TemplatesTest, EmptyTextIsFalseInASection) {
  Templates templates;
  ASSERT_TRUE(templates.Add("t", "[{{#e}}<p>{{e}}</p>{{/e}}{{^e}}none{{/e}}]"));
  EXPECT_EQ(templates.Render("t", View().Set("e", "")).value(), "[none]");
  EXPECT_EQ(templates.Render("t", View().Set("e", "x")).value(), "[<p>x</p>]");
}

TEST(TemplatesTest, UnknownAndMalformedTemplatesAreErrors) {
  Templates templates;
  auto bad = templates.Add("bad", "{{#open}}never closed");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().Is(WebErrc::kBadTemplate));
  EXPECT_FALSE(templates.Has("bad"));
  EXPECT_TRUE(
      templates.Render("nope", View()).error().Is(WebErrc::kBadTemplate));
}

TEST(TemplatesTest, CommonAssetsCompile) {
  auto templates = Templates::FromAssets(CommonWebAssets());
  ASSERT_TRUE(templates.has_value()) << templates.error();
  EXPECT_TRUE(templates->Has("layout"));
  EXPECT_TRUE(templates->Has("error"));
  EXPECT_FALSE(templates->Has("style"));  // only *.mustache
}

TEST(TemplatesTest, FromDirectoryReadsMustacheFiles) {
  const char* source = std::getenv("OPENMYNA_SOURCE_DIR");
  ASSERT_NE(source, nullptr);
  auto templates =
      Templates::FromDirectory(std::string(source) + "/src/web/assets");
  ASSERT_TRUE(templates.has_value()) << templates.error();
  EXPECT_TRUE(templates->Has("layout"));
  EXPECT_FALSE(Templates::FromDirectory("/nonexistent/dir").has_value());
}

}  // namespace
}  // namespace openmyna::web
