// HTTP dates and conditional requests (RFC 9110 §5.6.7, §13.1, §13.2.2).
// Expected values from the RFC's own example and from `date -u`.
#include "openmyna/services/http_caching.h"

#include <gtest/gtest.h>

#include "openmyna/base/testing/shell.h"

namespace openmyna::services {
namespace {

using namespace std::chrono_literals;

// RFC 9110 §5.6.7's example, "Sun, 06 Nov 1994 08:49:37 GMT", is Unix time
// 784111777 (`date -u -d @784111777`).
TEST(HttpDateTest, Rfc9110ExampleBothWays) {
  const TimePoint example{std::chrono::seconds(784111777)};
  EXPECT_EQ(FormatHttpDate(example), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), example);
  // The obsolete forms and junk are not parsed (then ignored by callers).
  EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sun Nov  6 08:49:37 1994"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate(""));
}

TEST(HttpDateTest, AgreesWithTheDateCommand) {
  const auto date = testing_tools::RunShell(
      "date -u -d @1796032861 '+%a, %d %b %Y %H:%M:%S GMT'");
  ASSERT_EQ(date.status, 0);
  std::string expected = date.output;
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  const TimePoint when{std::chrono::seconds(1796032861)};
  EXPECT_EQ(FormatHttpDate(when), expected);
  EXPECT_EQ(ParseHttpDate(expected), when);
}

http::Request Get(std::vector<http::Header> headers) {
  http::Request request;
  request.method = "GET";
  request.headers = std::move(headers);
  return request;
}

TEST(NotModifiedTest, EntityTagsAndDates) {
  const TimePoint modified{std::chrono::seconds(784111777)};
  const CacheValidity validity{modified, modified + 24h, "\"abc\""};
  EXPECT_FALSE(NotModified(Get({}), validity));
  EXPECT_TRUE(NotModified(Get({{"If-None-Match", "\"abc\""}}), validity));
  EXPECT_TRUE(
      NotModified(Get({{"if-none-match", "\"x\", W/\"abc\""}}), validity));
  EXPECT_TRUE(NotModified(Get({{"If-None-Match", "*"}}), validity));
  EXPECT_FALSE(NotModified(Get({{"If-None-Match", "\"abd\""}}), validity));
  EXPECT_TRUE(NotModified(
      Get({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}), validity));
  EXPECT_FALSE(NotModified(
      Get({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}), validity));
  // §13.2.2: If-Modified-Since is not looked at when If-None-Match is sent.
  EXPECT_FALSE(
      NotModified(Get({{"If-None-Match", "\"old\""},
                       {"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
                  validity));
  http::Request post = Get({{"If-None-Match", "\"abc\""}});
  post.method = "POST";
  EXPECT_FALSE(NotModified(post, validity));
}

std::string HeaderOf(const http::Response& response, const std::string& name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

TEST(CachingHeadersTest, MaxAgeIsTheBoundOrWhatIsLeftBeforeNextUpdate) {
  const TimePoint now{std::chrono::seconds(784111777)};
  http::Response response;
  AddCachingHeaders(response, {now - 10s, now + 24h, "\"t\""}, now, 60s);
  EXPECT_EQ(HeaderOf(response, "Cache-Control"),
            "max-age=60, public, no-transform, must-revalidate");
  EXPECT_EQ(HeaderOf(response, "Expires"), "Sun, 06 Nov 1994 08:50:37 GMT");
  EXPECT_EQ(HeaderOf(response, "Last-Modified"),
            "Sun, 06 Nov 1994 08:49:27 GMT");
  EXPECT_EQ(HeaderOf(response, "ETag"), "\"t\"");
  http::Response late;
  AddCachingHeaders(late, {now - 24h, now + 25s, "\"t\""}, now, 60s);
  EXPECT_EQ(HeaderOf(late, "Cache-Control"),
            "max-age=25, public, no-transform, must-revalidate");
  http::Response expired;
  AddCachingHeaders(expired, {now - 24h, now - 1s, "\"t\""}, now, 60s);
  EXPECT_EQ(HeaderOf(expired, "Cache-Control"),
            "max-age=0, public, no-transform, must-revalidate");
  const http::Response not_modified =
      NotModifiedResponse({now - 10s, now + 24h, "\"t\""}, now, 60s);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(HeaderOf(not_modified, "ETag"), "\"t\"");
  EXPECT_EQ(EntityTag(0x0123456789abcdefULL), "\"0123456789abcdef\"");
}

}  // namespace
}  // namespace openmyna::services
