// Vectors from the WHATWG URL Standard §5.1 (application/x-www-form-urlencoded
// parsing) and RFC 3629 §3/§10 (UTF-8 and its invalid sequences).
#include "openmyna/web/form.h"

#include <gtest/gtest.h>

#include "openmyna/web/errors.h"

namespace openmyna::web {
namespace {

TEST(FormTest, SplitsDecodesAndKeepsOrder) {
  auto form = ParseForm("b=2&a=1+2&a=%E6%97%A5%e6%9c%ac&c");
  ASSERT_TRUE(form.has_value()) << form.error();
  ASSERT_EQ(form->fields().size(), 4u);
  EXPECT_EQ(form->fields()[0].first, "b");
  EXPECT_EQ(form->Get("a"), "1 2");
  EXPECT_EQ(form->All("a"), (std::vector<std::string>{"1 2", "日本"}));
  EXPECT_EQ(form->Get("c"), "");  // a name without '=' has the empty value
  EXPECT_EQ(form->Get("d"), std::nullopt);
  EXPECT_EQ(form->GetOr("d", "x"), "x");
}

TEST(FormTest, FirstEqualsSplitsAndEmptyPiecesAreSkipped) {
  auto form = ParseForm("&&a=b=c&&=v&");
  ASSERT_TRUE(form.has_value());
  ASSERT_EQ(form->fields().size(), 2u);
  EXPECT_EQ(form->Get("a"), "b=c");
  EXPECT_EQ(form->Get(""), "v");
  EXPECT_TRUE(ParseForm("").value().fields().empty());
}

TEST(FormTest, EncodedPlusAndAmpersandStayLiteral) {
  auto form = ParseForm("q=%2B%26%3D");
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->Get("q"), "+&=");
}

// The UTF-8 check itself: base/utf8_test.cc (against Python's decoder).
TEST(FormTest, RefusesMalformedEscapesAndBadUtf8) {
  for (const char* bad :
       {"a=%", "a=%4", "a=%zz", "%G1=1", "a=%C0%AF", "a=%ED%A0%80",
        "a=%F4%90%80%80", "a=%E6%97", "a=%FF", "a=%00", "a=%7F"}) {
    auto form = ParseForm(bad);
    ASSERT_FALSE(form.has_value()) << bad;
    EXPECT_TRUE(form.error().Is(WebErrc::kBadForm)) << bad;
  }
  // Line breaks and tabs are legitimate in a textarea.
  EXPECT_EQ(ParseForm("t=a%0D%0Ab%09c").value().Get("t"), "a\r\nb\tc");
}

TEST(FormTest, LimitsTheNumberOfFields) {
  std::string body;
  for (int i = 0; i < 201; ++i) body += "f" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseForm(body).has_value());
  EXPECT_TRUE(ParseForm(body, 201).has_value());
}

TEST(FormTest, BodyNeedsTheFormMediaType) {
  http::Request request;
  request.method = "POST";
  request.body = "a=1";
  request.headers.push_back({"Content-Type", "application/json"});
  EXPECT_FALSE(ParseFormBody(request).has_value());
  request.headers[0].value = "application/x-www-form-urlencoded; charset=UTF-8";
  EXPECT_EQ(ParseFormBody(request).value().Get("a"), "1");
}

TEST(FormTest, EncodeRoundTripsThroughParse) {
  const std::string value = "a b&c=d/日本+~";
  EXPECT_EQ(FormEncode(value), "a%20b%26c%3Dd%2F%E6%97%A5%E6%9C%AC%2B~");
  EXPECT_EQ(ParseForm("v=" + FormEncode(value)).value().Get("v"), value);
}

}  // namespace
}  // namespace openmyna::web
