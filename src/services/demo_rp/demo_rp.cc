#include "openmyna/demo_rp/demo_rp.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "openmyna/base/errors.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/log.h"
#include "openmyna/http/client.h"
#include "openmyna/sign_in/clients.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/sign_in/provider.h"
#include "openmyna/web/form.h"
#include "openmyna/web/page.h"
#include "openmyna/web/session.h"

namespace openmyna::web {
std::span<const Asset> DemoRpAssets();
}

namespace openmyna::demo_rp {

using json = nlohmann::json;
using http::Request;
using http::Response;

namespace {

std::int64_t Unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string PkceChallenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()),
         verifier.size(), digest);
  return sign_in::Base64UrlEncode(ByteView(digest, SHA256_DIGEST_LENGTH));
}

}  // namespace

struct DemoRp::Impl {
  DemoRpOptions options;
  std::unique_ptr<web::Site> site;
  std::unique_ptr<web::SessionStore> sessions;
  std::mutex mutex;  // the client registration and its key
  pki::EvpPkeyPtr key;
  std::string kid;
  std::shared_ptr<spdlog::logger> log = log::Get("demo_rp");

  std::string Base() const {
    const std::string https = options.urls->Https();
    return https.empty() ? options.urls->Http() : https;
  }
  std::string Issuer() const {
    return Base() + std::string(sign_in::kIssuerPath);
  }
  std::string Endpoint(std::string_view what) const {
    return Issuer() + "/protocol/openid-connect/" + std::string(what);
  }
  std::string RedirectUri() const {
    return Base() + std::string(kBasePath) + "/callback";
  }
  std::string Root() const {
    return (options.data_dir / "tls" / "root.pem").string();
  }

  // Registers the client (again when the listening port changed) and loads
  // its key, made on first use.
  Status EnsureClient() {
    std::lock_guard lock(mutex);
    const auto key_file = options.data_dir / "sign_in" / "keys" /
                          (std::string(kClientId) + ".jwk.json");
    if (!key) {
      if (auto text = ReadFileText(key_file); text) {
        OPENMYNA_ASSIGN_OR_RETURN(key, sign_in::KeyFromJwk(json::parse(*text)));
      } else {
        key.reset(EVP_EC_gen("P-256"));
        OPENMYNA_ASSIGN_OR_RETURN(json pub, sign_in::PublicJwk(key.get()));
        OPENMYNA_ASSIGN_OR_RETURN(std::string thumb,
                                  sign_in::JwkThumbprint(pub));
        OPENMYNA_ASSIGN_OR_RETURN(
            json priv, sign_in::PrivateJwk(key.get(), thumb, "ES256"));
        OPENMYNA_RETURN_IF_ERROR(
            EnsurePrivateDirectory(key_file.parent_path()));
        OPENMYNA_RETURN_IF_ERROR(
            WriteFileAtomically(key_file, priv.dump(2) + "\n"));
      }
      OPENMYNA_ASSIGN_OR_RETURN(json pub, sign_in::PublicJwk(key.get()));
      OPENMYNA_ASSIGN_OR_RETURN(kid, sign_in::JwkThumbprint(pub));
    }
    sign_in::ClientStore store(options.data_dir);
    auto found = store.Find(kClientId);
    if (found && found->redirect_uris == std::vector{RedirectUri()})
      return Ok();
    if (found) OPENMYNA_RETURN_IF_ERROR(store.Remove(kClientId));
    sign_in::Client client;
    client.client_id = std::string(kClientId);
    client.name = "OpenMyna デモ事業者 (demo relying party)";
    client.redirect_uris = {RedirectUri()};
    OPENMYNA_ASSIGN_OR_RETURN(json pub,
                              sign_in::PublicJwk(key.get(), kid, "ES256"));
    client.keys = {pub};
    OPENMYNA_RETURN_IF_ERROR(
        store.Add(client, *options.rng).transform([](auto&&) {}));
    log->info("registered the demo relying party {} ({})", kClientId,
              RedirectUri());
    return Ok();
  }

  Response Page(const Request& request, web::View view, int status = 200) {
    view.Set("base", std::string(kBasePath));
    web::PageContent page{.title = site->Text(request, "demo_title"),
                          .template_name = "home",
                          .view = std::move(view),
                          .status = status};
    return site->Render(request, nullptr, std::move(page));
  }

  Response Home(const Request& request) {
    web::View view;
    auto session = sessions->Find(request);
    if (session && !session->Get("claims").empty()) {
      const json claims = json::parse(session->Get("claims"), nullptr, false);
      web::View rows = web::View::List();
      for (const auto& [name, value] : claims.items()) {
        rows.Push(web::View()
                      .Set("name", name)
                      .Set("value", value.is_string() ? value.get<std::string>()
                                                      : value.dump()));
      }
      view.Set("signed_in", true).Set("claims", rows);
    } else if (session && !session->Get("error").empty()) {
      view.Set("error", session->Get("error"))
          .Set("error_description", session->Get("error_description"));
    }
    return Page(request, std::move(view));
  }

  Response Login(const Request& request) {
    if (Status s = EnsureClient(); !s) {
      log->error("demo relying party: {}", s.error().message());
      return site->Error(request, 500, site->Text(request, "demo_failed"),
                         {std::string(kBasePath) + "/", "OpenMyna"});
    }
    web::Session session = sessions->Create();
    const std::string state = sign_in::Base64UrlEncode(options.rng->Bytes(16));
    const std::string nonce = sign_in::Base64UrlEncode(options.rng->Bytes(16));
    const std::string verifier =
        sign_in::Base64UrlEncode(options.rng->Bytes(32));
    session.values = {
        {"state", state}, {"nonce", nonce}, {"verifier", verifier}};
    sessions->Save(session);
    const std::string location =
        Endpoint("auth") +
        "?response_type=code&client_id=" + std::string(kClientId) +
        "&redirect_uri=" + web::FormEncode(RedirectUri()) +
        "&scope=" + web::FormEncode("openid name address birthdate gender") +
        "&state=" + state + "&nonce=" + nonce +
        "&code_challenge=" + PkceChallenge(verifier) +
        "&code_challenge_method=S256&acr_values=aal3";
    Response r = web::Found(location);
    r.AddHeader("Set-Cookie", sessions->SetCookie(session));
    return r;
  }

  // The code for tokens (private_key_jwt), the ID token checked with the
  // provider's JWKS (iss, aud, nonce, exp), then UserInfo.
  Result<json> Exchange(const std::string& code, const web::Session& session) {
    const std::int64_t now = Unix(options.clock->Now());
    const json assertion_claims = {
        {"iss", kClientId},
        {"sub", kClientId},
        {"aud", Endpoint("token")},
        {"jti", sign_in::Base64UrlEncode(options.rng->Bytes(16))},
        {"iat", now},
        {"exp", now + 60}};
    OPENMYNA_ASSIGN_OR_RETURN(
        std::string assertion,
        sign_in::SignEs256(assertion_claims, key.get(), kid));
    http::ClientRequest token{
        .method = "POST",
        .url = Endpoint("token"),
        .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
        .body = "grant_type=authorization_code&code=" + web::FormEncode(code) +
                "&redirect_uri=" + web::FormEncode(RedirectUri()) +
                "&code_verifier=" + session.Get("verifier") +
                "&client_assertion_type=" +
                web::FormEncode(
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                "&client_assertion=" + assertion,
        .trusted_root_pem = Root()};
    OPENMYNA_ASSIGN_OR_RETURN(http::ClientResponse answer, http::Fetch(token));
    const json tokens = json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !tokens.is_object() ||
        !tokens.contains("id_token")) {
      return Fail(BaseErrc::kInvalidArgument,
                  "token endpoint " + std::to_string(answer.status) + ": " +
                      answer.body);
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        http::ClientResponse certs,
        http::Fetch({.url = Endpoint("certs"), .trusted_root_pem = Root()}));
    const json jwks = json::parse(certs.body, nullptr, false);
    if (!jwks.is_object() || !jwks["keys"].is_array()) {
      return Fail(BaseErrc::kInvalidArgument, "the provider's JWKS");
    }
    std::vector<json> keys(jwks["keys"].begin(), jwks["keys"].end());
    OPENMYNA_ASSIGN_OR_RETURN(
        sign_in::VerifiedJws id,
        sign_in::VerifyJws(tokens["id_token"].get<std::string>(), keys));
    const json& c = id.payload;
    if (c.value("iss", "") != Issuer() || c.value("aud", "") != kClientId ||
        c.value("nonce", "") != session.Get("nonce") ||
        c.value("exp", std::int64_t{0}) < now) {
      return Fail(BaseErrc::kInvalidArgument,
                  "the ID token's iss, aud, nonce or exp is wrong");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        http::ClientResponse info,
        http::Fetch(
            {.url = Endpoint("userinfo"),
             .headers = {{"Authorization",
                          "Bearer " +
                              tokens["access_token"].get<std::string>()}},
             .trusted_root_pem = Root()}));
    json userinfo = json::parse(info.body, nullptr, false);
    if (info.status != 200 || !userinfo.is_object() ||
        userinfo.value("sub", "") != c.value("sub", "")) {
      return Fail(BaseErrc::kInvalidArgument, "UserInfo: " + info.body);
    }
    json shown = json::object();
    for (const char* claim : {"sub", "acr", "amr", "auth_time"}) {
      if (c.contains(claim)) shown[claim] = c[claim];
    }
    for (const auto& [name, value] : userinfo.items()) {
      shown[name] = name == "address" && value.is_object()
                        ? json(value.value("formatted", value.dump()))
                        : value;
    }
    return shown;
  }

  Response Callback(const Request& request) {
    auto session = sessions->Find(request);
    auto query = web::ParseQuery(request);
    const Response back = web::SeeOther(std::string(kBasePath) + "/");
    if (!session || !query || session->Get("state").empty() ||
        query->GetOr("state") != session->Get("state")) {
      return site->Error(request, 400, site->Text(request, "demo_failed"),
                         {std::string(kBasePath) + "/", "OpenMyna"});
    }
    web::Session s = sessions->Rotate(*session);
    s.values.erase("state");
    if (query->Get("error")) {
      s.values["error"] = query->GetOr("error");
      s.values["error_description"] = query->GetOr("error_description");
    } else if (query->GetOr("iss") != Issuer()) {  // RFC 9207
      s.values["error"] = "invalid_issuer";
    } else if (auto claims = Exchange(query->GetOr("code"), s); claims) {
      s.values["claims"] = claims->dump();
    } else {
      log->warn("demo relying party: {}", claims.error().message());
      s.values["error"] = "exchange_failed";
      s.values["error_description"] = claims.error().message();
    }
    sessions->Save(s);
    Response r = back;
    r.AddHeader("Set-Cookie", sessions->SetCookie(s));
    return r;
  }

  Response Logout(const Request& request) {
    if (auto session = sessions->Find(request)) sessions->Destroy(session->id);
    Response r = web::SeeOther(std::string(kBasePath) + "/");
    r.AddHeader("Set-Cookie", sessions->ClearCookie());
    return r;
  }
};

DemoRp::DemoRp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DemoRp::~DemoRp() = default;

Result<std::unique_ptr<DemoRp>> DemoRp::Open(DemoRpOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  OPENMYNA_ASSIGN_OR_RETURN(
      web::Site site,
      web::Site::FromAssets({std::string(kBasePath), "demo_site", ""},
                            web::DemoRpAssets()));
  impl->site = std::make_unique<web::Site>(std::move(site));
  web::SessionOptions session_options;
  session_options.cookie_name = "openmyna_demo_rp";
  session_options.cookie_path = std::string(kBasePath) + "/";
  impl->sessions = std::make_unique<web::SessionStore>(
      session_options, *options.clock, *options.rng);
  return std::unique_ptr<DemoRp>(new DemoRp(std::move(impl)));
}

Status DemoRp::AddRoutes(http::Router& router) {
  Impl& s = *impl_;
  const std::string b(kBasePath);
  OPENMYNA_RETURN_IF_ERROR(router.Add("GET", b, [](const Request&) {
    return web::Found(std::string(kBasePath) + "/");
  }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", b + "/", [&s](const Request& r) { return s.Home(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", b + "/login", [&s](const Request& r) { return s.Login(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", b + "/callback",
                 [&s](const Request& r) { return s.Callback(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", b + "/logout", [&s](const Request& r) { return s.Logout(r); }));
  return s.site->AddStaticRoutes(router);
}

}  // namespace openmyna::demo_rp
