// The portal's login as a relying party (oidc_login.h), in process, against
// a provider stand-in that checks what the portal sends the way the
// provider does (the PKCE verifier against the challenge of the
// authorization URL, the client assertion against the public key the
// portal registered in clients.json, read as plain JSON) and answers with
// ID tokens signed by its own P-256 key. The real provider and card are in
// tests/web (portal_signed_in_test.sh).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/portal/portal.h"
#include "openmyna/sign_in/first_party.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/sign_in/jwe.h"
#include "openmyna/web/form.h"

namespace openmyna::portal {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

std::string B64Sha256(std::string_view text, std::size_t n) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  return sign_in::Base64UrlEncode(ByteView(d, n));
}

class PortalLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("portal-login-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto store =
        registry::RegistryStore::Open((dir_ / "r.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    const TimePoint now = clock_.Now();
    ASSERT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
          {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to"}));
      registry::Resident r;
      r.id = "r-1";
      r.individual_number = "123456789018";
      r.name = "清瀬 花子";
      r.date_of_birth = "1990-01-02";
      r.sex = registry::Sex::kFemale;
      r.address = "東京都清瀬市中里五丁目842番地";
      r.municipality_code = "13221";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
      registry::Card card;
      card.id = "c-1";
      card.resident_id = "r-1";
      card.state = registry::CardState::kActive;
      card.issued_on = "2026-11-25";
      card.expires_on = "2036-11-25";
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
      registry::Certificate auth;
      auth.serial = "a1b2";
      auth.card_id = "c-1";
      auth.resident_id = "r-1";
      auth.type = registry::CertificateType::kAuthentication;
      auth.not_before = now - 24h;
      auth.not_after = now + 24h * 365;
      return tx.PutCertificate(auth);
    }));
    urls_.Set("http://127.0.0.1:1", "https://127.0.0.1:2");
    PortalOptions options;
    options.secure_cookies = false;
    options.login = LoginOptions{
        dir_, &urls_, [this](const http::Request& r) { return Provider(r); }};
    auto portal = Portal::Make(options, *store_, clock_, rng_);
    ASSERT_TRUE(portal) << portal.error();
    portal_ = std::move(*portal);
    ASSERT_TRUE(portal_->AddRoutes(router_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The stand-in's token and JWKS endpoints.
  http::Response Provider(const http::Request& r) {
    http::Response out;
    out.status = 200;
    if (r.path == issuer_path_ + "/.well-known/openid-configuration") {
      out.body = json{{"issuer", issuer_}}.dump();
      return out;
    }
    if (r.path == issuer_path_ + "/protocol/openid-connect/certs") {
      out.body =
          json{{"keys", {*sign_in::PublicJwk(op_key_.get(), "op", "ES256")}}}
              .dump();
      return out;
    }
    if (r.path == "/api/sign-transactions") {  // the signing API
      EXPECT_EQ(r.HeaderValue("Authorization"), "Bearer cc-1");
      const json body = json::parse(r.body);
      sign_digest_info_ = body.value("digest_info", "");
      out.status = 201;
      out.body = json{
          {"sign_transaction_id", "st-1"},
          {"digest_info", sign_digest_info_},
          {"expires_in",
           600}}.dump();
      return out;
    }
    if (r.path == "/api/sign-transactions/st-1/result") {
      EXPECT_EQ(r.HeaderValue("Authorization"), "Bearer cc-1");
      out.body = result_jwe_;
      return out;
    }
    auto form = web::ParseFormBody(r);
    EXPECT_TRUE(form);
    std::ifstream in(dir_ / "sign_in" / "clients.json");
    const json clients = json::parse(in);
    std::vector<json> keys;
    for (const json& c : clients["clients"]) {
      if (c["client_id"] == "MynaPortal" && c["first_party"] == true &&
          c["redirect_uris"][0] == "https://127.0.0.1:2/portal/callback") {
        for (const json& k : c["jwks"]["keys"]) keys.push_back(k);
      }
    }
    auto assertion = sign_in::VerifyJws(form->GetOr("client_assertion"), keys);
    if (form->GetOr("grant_type") == "client_credentials") {
      EXPECT_TRUE(assertion);
      EXPECT_EQ(form->GetOr("scope"), "sign");
      out.body =
          json{{"access_token", "cc-1"}, {"token_type", "Bearer"}}.dump();
      return out;
    }
    pkce_ok_ = assertion &&
               assertion->payload["aud"] ==
                   issuer_ + "/protocol/openid-connect/token" &&
               B64Sha256(form->GetOr("code_verifier"), 32) == challenge_ &&
               form->GetOr("code") == "the-code";
    if (!pkce_ok_) {
      out.status = 400;
      out.body = R"({"error":"invalid_grant"})";
      return out;
    }
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 clock_.Now().time_since_epoch())
                                 .count();
    json claims = {{"iss", issuer_},
                   {"sub", "sub-1"},
                   {"aud", "MynaPortal"},
                   {"exp", now + 3600},
                   {"iat", now},
                   {"nonce", nonce_},
                   {"at_hash", B64Sha256("access-1", 16)}};
    for (auto& [k, v] : claims_override_.items()) claims[k] = v;
    sign_in::FirstPartySubjects::Instance().Remember(
        "MynaPortal", "sub-1", "r-1", clock_.Now(), clock_.Now() + 1h);
    out.body =
        json{{"access_token", "access-1"},
             {"id_token", *sign_in::SignEs256(claims, op_key_.get(), "op")}}
            .dump();
    return out;
  }

  http::Response Send(std::string method, std::string path, std::string cookie,
                      std::string body = {}, std::string query = {}) {
    http::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
    r.body = std::move(body);
    if (!r.body.empty()) {
      r.headers.push_back(
          {"Content-Type", "application/x-www-form-urlencoded"});
    }
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return router_.Dispatch(r);
  }

  // The login page, then POST /login: the authorization URL's parameters.
  web::Form StartLogin(std::string& cookie) {
    auto page = Send("GET", "/portal/", "");
    const std::string set = HeaderOf(page, "Set-Cookie");
    cookie = set.substr(0, set.find(';'));
    const std::size_t at = page.body.find("name=\"csrf\" value=\"") + 19;
    const std::string csrf = page.body.substr(at, 64);
    auto start =
        Send("POST", "/portal/login", cookie, "method=qr&csrf=" + csrf);
    EXPECT_EQ(start.status, 303) << start.body;
    const std::string login_cookie = HeaderOf(start, "Set-Cookie");
    EXPECT_NE(login_cookie.find("; Path=/portal/; Max-Age=600; HttpOnly; "
                                "SameSite=Lax"),
              std::string::npos);
    cookie += "; " + login_cookie.substr(0, login_cookie.find(';'));
    const std::string location = HeaderOf(start, "Location");
    EXPECT_EQ(location.rfind(issuer_ + "/protocol/openid-connect/auth?", 0), 0u)
        << location;
    http::Request r;
    r.query = location.substr(location.find('?') + 1);
    auto q = web::ParseQuery(r);
    EXPECT_TRUE(q);
    challenge_ = q->GetOr("code_challenge");
    nonce_ = q->GetOr("nonce");
    return *q;
  }

  // Signed in through the stand-in: the session cookie.
  std::string SignIn() {
    std::string cookie;
    web::Form q = StartLogin(cookie);
    auto back = Send("GET", "/portal/callback", cookie, "",
                     "code=the-code&state=" + q.GetOr("state"));
    const std::string set = HeaderOf(back, "Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // POST /portal/apply/delivery_address/sign: the authorization URL's
  // parameters; `cookie` gains the signing transaction's cookie.
  web::Form StartSigning(std::string& cookie) {
    auto form = Send("GET", "/portal/apply/delivery_address", cookie);
    const std::size_t at = form.body.find("name=\"csrf\" value=\"") + 19;
    auto start = Send(
        "POST", "/portal/apply/delivery_address/sign", cookie,
        "csrf=" + form.body.substr(at, 64) + "&delivery_address=x&reason=y");
    EXPECT_EQ(start.status, 303) << start.body;
    const std::string set = HeaderOf(start, "Set-Cookie");
    EXPECT_EQ(set.rfind("openmyna_portal_sign=", 0), 0u) << set;
    cookie += "; " + set.substr(0, set.find(';'));
    const std::string location = HeaderOf(start, "Location");
    http::Request r;
    r.query = location.substr(location.find('?') + 1);
    auto q = web::ParseQuery(r);
    EXPECT_TRUE(q);
    challenge_ = q->GetOr("code_challenge");
    nonce_ = q->GetOr("nonce");
    return *q;
  }

  FixedClock clock_{
      TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1)) + 3h};
  DeterministicRng rng_{5};
  std::filesystem::path dir_;
  std::unique_ptr<registry::RegistryStore> store_;
  http::PublicUrls urls_;
  std::unique_ptr<Portal> portal_;
  http::Router router_;
  pki::EvpPkeyPtr op_key_{EVP_EC_gen("P-256")};
  const std::string issuer_path_ = "/api/realms/main";
  const std::string issuer_ = "https://127.0.0.1:2/api/realms/main";
  std::string challenge_, nonce_;
  bool pkce_ok_ = false;
  json claims_override_ = json::object();
  std::string sign_digest_info_, result_jwe_;
};

// Signing an application through the provider's signing API (docs/sign-in.md):
// the client_credentials token, the DigestInfo posted, the authorization
// request with scope "openid sign"; the provider's refusal explained; a
// result for another DigestInfo refused; a login's cookie does not end a
// signing.
TEST_F(PortalLoginTest, SigningGoesThroughTheSigningApi) {
  const std::string session = SignIn();
  ASSERT_EQ(session.rfind("openmyna_portal=", 0), 0u);
  std::string cookie = session;
  web::Form q = StartSigning(cookie);
  EXPECT_EQ(q.GetOr("scope"), "openid sign");
  EXPECT_EQ(q.GetOr("sign_transaction_id"), "st-1");
  EXPECT_EQ(q.GetOr("redirect_uri"),
            "https://127.0.0.1:2/portal/apply/callback");
  EXPECT_EQ(q.GetOr("acr_values"), "aal3");
  // A SHA-256 DigestInfo (RFC 8017 §9.2): 19-byte prefix + 32 bytes.
  const auto digest_info = Base64Decode(sign_digest_info_);
  ASSERT_TRUE(digest_info);
  ASSERT_EQ(digest_info->size(), 51u);
  EXPECT_EQ(ToHex(ByteView(*digest_info).first(19)),
            "3031300d060960864801650304020105000420");
  // The card holder's refusal, in the provider's words after ours.
  auto refused = Send("GET", "/portal/apply/callback", cookie, "",
                      "error=access_denied&error_description=pin_blocked&"
                      "state=" +
                          q.GetOr("state"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("カードでの電子署名ができませんでした"),
            std::string::npos);
  EXPECT_NE(refused.body.find("pin_blocked"), std::string::npos);

  // A result for another DigestInfo (encrypted to the portal's key, as
  // the provider does) is not this transaction's: nothing is submitted.
  cookie = session;
  q = StartSigning(cookie);
  std::ifstream in(dir_ / "sign_in" / "clients.json");
  const json clients = json::parse(in);
  json key;
  for (const json& c : clients["clients"]) {
    if (c["client_id"] == "MynaPortal") key = c["jwks"]["keys"][0];
  }
  OpenSslRng rng;
  result_jwe_ =
      *sign_in::EncryptJwe(json{{"sign_transaction_id", "st-1"},
                                {"digest_info", Base64Encode(Bytes(51, 1))},
                                {"signature", Base64Encode(Bytes(256, 2))},
                                {"certificate", Base64Encode(Bytes(10, 3))}}
                               .dump(),
                           key, rng);
  auto wrong = Send("GET", "/portal/apply/callback", cookie, "",
                    "code=the-code&state=" + q.GetOr("state"));
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_NE(wrong.body.find("電子署名を完了できませんでした"),
            std::string::npos);
  auto list = Send("GET", "/portal/apply", cookie);
  EXPECT_EQ(list.body.find("申請日時"), std::string::npos) << "none sent";

  // A login's transaction cookie is not a signing's.
  std::string login_cookie;
  web::Form login = StartLogin(login_cookie);
  auto mixed = Send("GET", "/portal/apply/callback",
                    session + "; openmyna_portal_sign=" +
                        login_cookie.substr(login_cookie.rfind('=') + 1),
                    "", "code=the-code&state=" + login.GetOr("state"));
  EXPECT_EQ(mixed.status, 403);
}

TEST_F(PortalLoginTest, CodeFlowWithPkceStateNonceSignsTheResidentIn) {
  std::string cookie;
  web::Form q = StartLogin(cookie);
  EXPECT_EQ(q.GetOr("client_id"), "MynaPortal");
  EXPECT_EQ(q.GetOr("redirect_uri"), "https://127.0.0.1:2/portal/callback");
  EXPECT_EQ(q.GetOr("response_type"), "code");
  EXPECT_EQ(q.GetOr("code_challenge_method"), "S256");
  EXPECT_EQ(q.GetOr("scope"), "openid");
  EXPECT_FALSE(q.GetOr("state").empty());
  // The client key: a private JWK, 0600.
  const auto key_file = dir_ / "portal" / "client-es256.jwk.json";
  EXPECT_EQ(
      std::filesystem::status(key_file).permissions() &
          std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto back = Send("GET", "/portal/callback", cookie, "",
                   "code=the-code&state=" + q.GetOr("state") +
                       "&iss=" + web::FormEncode(issuer_));
  EXPECT_TRUE(pkce_ok_);
  ASSERT_EQ(back.status, 303) << back.body;
  const std::string set = HeaderOf(back, "Set-Cookie");
  EXPECT_EQ(set.rfind("openmyna_portal=", 0), 0u);
  const std::string signed_in = set.substr(0, set.find(';'));
  EXPECT_EQ(cookie.find(signed_in), std::string::npos);  // a new session id
  auto home = Send("GET", "/portal/", signed_in);
  EXPECT_NE(home.body.find("清瀬 花子"), std::string::npos);
  // The login transaction is over: the same answer cannot be replayed.
  auto again = Send("GET", "/portal/callback", cookie, "",
                    "code=the-code&state=" + q.GetOr("state"));
  EXPECT_EQ(again.status, 403);
}

TEST_F(PortalLoginTest, WithoutAProviderInTheServerLoginIsNotYetAvailable) {
  urls_.Set("http://127.0.0.1:1", "https://127.0.0.1:3");  // another issuer
  auto page = Send("GET", "/portal/", "");
  const std::string set = HeaderOf(page, "Set-Cookie");
  const std::size_t at = page.body.find("name=\"csrf\" value=\"") + 19;
  auto start = Send("POST", "/portal/login", set.substr(0, set.find(';')),
                    "method=device&csrf=" + page.body.substr(at, 64));
  EXPECT_EQ(start.status, 503);
  EXPECT_NE(start.body.find("まだ利用できません"), std::string::npos);
}

TEST_F(PortalLoginTest, WrongStateNonceIssuerOrAudienceIsRefused) {
  struct Case {
    const char* name;
    json override;
    bool bad_state = false;
    bool bad_iss = false;
  };
  for (const Case& c :
       {Case{"state", json::object(), true},
        Case{"iss", json::object(), false, true},
        Case{"nonce", {{"nonce", "other"}}}, Case{"aud", {{"aud", "SomeBank"}}},
        Case{"token iss", {{"iss", "https://evil/realm"}}},
        Case{"expired", {{"exp", 1}}}}) {
    claims_override_ = c.override;
    std::string cookie;
    web::Form q = StartLogin(cookie);
    std::string query =
        "code=the-code&state=" +
        (c.bad_state ? std::string("forged") : q.GetOr("state"));
    if (c.bad_iss) query += "&iss=https%3A%2F%2Fevil%2Frealm";
    auto back = Send("GET", "/portal/callback", cookie, "", query);
    EXPECT_EQ(back.status, 403) << c.name;
    EXPECT_EQ(HeaderOf(back, "Set-Cookie").rfind("openmyna_portal_login=;", 0),
              0u)
        << c.name;  // only the login cookie's removal: no session
    EXPECT_NE(back.body.find("ログインできませんでした"), std::string::npos)
        << c.name;
  }
}

TEST_F(PortalLoginTest,
       TheProvidersRefusalsAreExplainedWithTheGuidebooksReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"face_auth_card: a face-authentication card cannot sign in",
       "顔認証マイナンバーカードのため、マイナポータルにはログインできません"},
      {"no_authentication_certificate: none",
       "暗証番号を設定しない顔認証マイナンバーカードはマイナポータルを利用でき"
       "ません"},
      {"pin_blocked: blocked", "暗証番号がロックされています"},
      {"certificate_suspended: hold", "カードが一時停止されています"}};
  for (const auto& [description, words] : cases) {
    std::string cookie;
    web::Form q = StartLogin(cookie);
    auto back =
        Send("GET", "/portal/callback", cookie, "",
             "error=access_denied&error_description=" +
                 web::FormEncode(description) + "&state=" + q.GetOr("state"));
    EXPECT_EQ(back.status, 403) << description;
    EXPECT_NE(back.body.find(words), std::string::npos) << back.body;
  }
}

}  // namespace
}  // namespace openmyna::portal
