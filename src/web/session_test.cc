#include "openmyna/web/session.h"

#include <gtest/gtest.h>

#include "openmyna/web/errors.h"

namespace openmyna::web {
namespace {

using std::chrono::minutes;

http::Request WithCookie(std::string cookie) {
  http::Request request;
  request.headers.push_back({"Cookie", std::move(cookie)});
  return request;
}

class SessionStoreTest : public ::testing::Test {
 protected:
  SessionOptions Options() {
    SessionOptions options;
    options.cookie_name = "sid";
    options.cookie_path = "/portal/";
    options.idle_timeout = minutes(15);
    options.max_lifetime = minutes(60);
    return options;
  }
  FixedClock clock_{TimePoint{} + std::chrono::hours(24 * 365 * 56)};
  DeterministicRng rng_{7};
  SessionStore store_{Options(), clock_, rng_};
};

TEST_F(SessionStoreTest, CookieFindsTheSessionAndItsValues) {
  Session session = store_.Create();
  EXPECT_EQ(session.id.size(), 64u);
  EXPECT_EQ(session.csrf_token.size(), 64u);
  EXPECT_NE(session.id, session.csrf_token);
  session.values["person"] = "42";
  store_.Save(session);
  auto found = store_.Find(WithCookie("lang=ja; sid=" + session.id + "; x=1"));
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->Get("person"), "42");
  EXPECT_EQ(found->Get("absent"), "");
  EXPECT_FALSE(store_.Find(WithCookie("sid=" + std::string(64, '0'))));
  auto none = store_.Find(http::Request{});
  ASSERT_FALSE(none.has_value());
  EXPECT_TRUE(none.error().Is(WebErrc::kNoSession));
}

TEST_F(SessionStoreTest, IdleTimeoutEndsTheSessionButActivityKeepsIt) {
  Session session = store_.Create();
  const auto request = WithCookie("sid=" + session.id);
  clock_.Advance(minutes(14));
  ASSERT_TRUE(store_.Find(request).has_value());  // moves last_seen
  clock_.Advance(minutes(14));
  ASSERT_TRUE(store_.Find(request).has_value());
  clock_.Advance(minutes(15));
  auto gone = store_.Find(request);
  ASSERT_FALSE(gone.has_value());
  EXPECT_TRUE(gone.error().Is(WebErrc::kSessionExpired));
  EXPECT_EQ(store_.size(), 0u);
  // Once removed it is merely unknown.
  EXPECT_TRUE(store_.Find(request).error().Is(WebErrc::kNoSession));
}

TEST_F(SessionStoreTest, AbsoluteLifetimeEndsEvenAnActiveSession) {
  Session session = store_.Create();
  const auto request = WithCookie("sid=" + session.id);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(minutes(10));
    ASSERT_TRUE(store_.Find(request).has_value()) << i;
  }
  clock_.Advance(minutes(10));
  EXPECT_TRUE(store_.Find(request).error().Is(WebErrc::kSessionExpired));
}

TEST_F(SessionStoreTest, RotateKeepsValuesUnderNewIdAndToken) {
  Session session = store_.Create();
  session.values["state"] = "abc";
  store_.Save(session);
  Session fresh = store_.Rotate(session);
  EXPECT_NE(fresh.id, session.id);
  EXPECT_NE(fresh.csrf_token, session.csrf_token);
  EXPECT_FALSE(store_.Find(WithCookie("sid=" + session.id)).has_value());
  EXPECT_EQ(store_.Find(WithCookie("sid=" + fresh.id)).value().Get("state"),
            "abc");
  store_.Destroy(fresh.id);
  EXPECT_FALSE(store_.Find(WithCookie("sid=" + fresh.id)).has_value());
  store_.Save(fresh);  // a destroyed session is not brought back
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(SessionStoreTest, CookieAttributes) {
  Session session = store_.Create();
  EXPECT_EQ(
      store_.SetCookie(session),
      "sid=" + session.id + "; Path=/portal/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(store_.ClearCookie(),
            "sid=; Path=/portal/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
}

TEST_F(SessionStoreTest, CsrfTokenMustMatchExactly) {
  Session session = store_.Create();
  EXPECT_TRUE(SessionStore::CheckCsrf(
      session, Form({{"csrf", session.csrf_token}, {"x", "1"}})));
  std::string wrong = session.csrf_token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_TRUE(SessionStore::CheckCsrf(session, Form({{"csrf", wrong}}))
                  .error()
                  .Is(WebErrc::kBadCsrf));
  EXPECT_FALSE(SessionStore::CheckCsrf(
      session, Form({{std::string("x"), std::string("1")}})));
  EXPECT_FALSE(SessionStore::CheckCsrf(
      session, Form({{"csrf", session.csrf_token.substr(1)}})));
  Session other = store_.Create();
  EXPECT_FALSE(
      SessionStore::CheckCsrf(session, Form({{"csrf", other.csrf_token}})));
}

TEST_F(SessionStoreTest, FullStoreDropsExpiredThenLeastRecent) {
  SessionOptions options = Options();
  options.max_sessions = 3;
  SessionStore small(options, clock_, rng_);
  Session a = small.Create();
  clock_.Advance(minutes(1));
  Session b = small.Create();
  clock_.Advance(minutes(1));
  Session c = small.Create();
  clock_.Advance(minutes(1));
  ASSERT_TRUE(small.Find(WithCookie("sid=" + a.id)).has_value());
  Session d = small.Create();  // b was seen least recently
  EXPECT_EQ(small.size(), 3u);
  EXPECT_FALSE(small.Find(WithCookie("sid=" + b.id)).has_value());
  EXPECT_TRUE(small.Find(WithCookie("sid=" + a.id)).has_value());
  EXPECT_TRUE(small.Find(WithCookie("sid=" + d.id)).has_value());
}

TEST(CookieValueTest, ParsesRfc6265CookieHeaders) {
  http::Request request;
  request.headers.push_back({"cookie", "a=1;b = 2 ; c=\"3\""});
  request.headers.push_back({"Cookie", "d=4"});
  EXPECT_EQ(CookieValue(request, "a"), "1");
  EXPECT_EQ(CookieValue(request, "b"), "2");
  EXPECT_EQ(CookieValue(request, "c"), "3");
  EXPECT_EQ(CookieValue(request, "d"), "4");
  EXPECT_EQ(CookieValue(request, "e"), std::nullopt);
}

}  // namespace
}  // namespace openmyna::web
