#include "openmyna/http/router.h"

#include <gtest/gtest.h>

namespace openmyna::http {
namespace {

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

Request Make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, ExactBeatsPrefixAndLongestPrefixWins) {
  Router router;
  ASSERT_TRUE(
      router.Add("GET", "/a/*", [](const Request&) { return Text("a"); }));
  ASSERT_TRUE(
      router.Add("GET", "/a/b/*", [](const Request&) { return Text("ab"); }));
  ASSERT_TRUE(router.Add("GET", "/a/b/c",
                         [](const Request&) { return Text("exact"); }));
  EXPECT_EQ(router.Dispatch(Make("GET", "/a/x")).body, "a");
  EXPECT_EQ(router.Dispatch(Make("GET", "/a/b/x")).body, "ab");
  EXPECT_EQ(router.Dispatch(Make("GET", "/a/b/c")).body, "exact");
  EXPECT_EQ(router.Dispatch(Make("GET", "/a")).status, 404);
}

TEST(RouterTest, UnknownPathIs404ProblemAndWrongMethodIs405WithAllow) {
  Router router;
  ASSERT_TRUE(
      router.Add("POST", "/ocsp", [](const Request&) { return Text("p"); }));
  ASSERT_TRUE(
      router.Add("PUT", "/ocsp", [](const Request&) { return Text("u"); }));
  Response missing = router.Dispatch(Make("GET", "/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_NE(missing.body.find("\"status\":404"), std::string::npos);
  Response wrong = router.Dispatch(Make("DELETE", "/ocsp"));
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].name, "Allow");
  EXPECT_EQ(wrong.headers[0].value, "POST, PUT");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router;
  ASSERT_TRUE(
      router.Add("GET", "/x", [](const Request&) { return Text("x"); }));
  EXPECT_EQ(router.Dispatch(Make("HEAD", "/x")).body, "x");
}

TEST(RouterTest, RejectsDuplicatesAndBadPatterns) {
  Router router;
  auto h = [](const Request&) { return Text(""); };
  EXPECT_TRUE(router.Add("GET", "/x", h));
  EXPECT_FALSE(router.Add("GET", "/x", h));
  EXPECT_FALSE(router.Add("GET", "x", h));
  EXPECT_FALSE(router.Add("", "/y", h));
}

TEST(MessageTest, ProblemIsEscapedJson) {
  Response p = Problem(400, "Bad \"thing\"", "line\nbreak");
  EXPECT_EQ(p.body,
            "{\"type\":\"about:blank\",\"title\":\"Bad \\\"thing\\\"\","
            "\"status\":400,\"detail\":\"line\\nbreak\"}");
}

TEST(MessageTest, PercentDecode) {
  std::string out;
  EXPECT_TRUE(PercentDecode("MEIw%2BQ%3d%3D", out));
  EXPECT_EQ(out, "MEIw+Q==");
  EXPECT_FALSE(PercentDecode("abc%2", out));
  EXPECT_FALSE(PercentDecode("abc%zz", out));
}

TEST(MessageTest, ContentTypeDropsParametersAndCase) {
  Request r;
  r.headers.push_back({"content-TYPE", " Application/OCSP-Request ; q=1"});
  EXPECT_EQ(r.ContentType(), "application/ocsp-request");
}

}  // namespace
}  // namespace openmyna::http
