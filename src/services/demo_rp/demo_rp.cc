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
#include "sign_demo.h"

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

// What the signing demo offers to sign (the visitor may change it).
constexpr std::string_view kSampleDocument =
    "業務委託契約書（見本）\n"
    "OpenMyna デモ事業者と署名者は、この文書の内容に同意します。\n"
    "Sample service agreement: the signer agrees to this document.\n";

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
  RpClient Rp() const {
    return {.client_id = std::string(kClientId),
            .issuer = Issuer(),
            .api = Base() + "/api/sign-transactions",
            .trusted_root = Root(),
            .key = key.get(),
            .kid = kid,
            .clock = options.clock,
            .rng = options.rng};
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

  Response Page(const Request& request, web::View view,
                const web::Session* session = nullptr,
                std::string template_name = "home") {
    view.Set("base", std::string(kBasePath));
    web::PageContent page{.title = site->Text(request, "demo_title"),
                          .template_name = std::move(template_name),
                          .view = std::move(view)};
    return site->Render(request, session, std::move(page));
  }

  Response Home(const Request& request) {
    web::View view;
    auto session = sessions->Find(request);
    // The signing form posts back the session's CSRF token: a visitor
    // without a session gets one.
    std::optional<web::Session> fresh;
    if (!session) {
      fresh = sessions->Create();
      sessions->Save(*fresh);
    }
    const web::Session& current = session ? *session : *fresh;
    AddSigning(current, view);
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
    Response r = Page(request, std::move(view), &current);
    if (fresh) r.AddHeader("Set-Cookie", sessions->SetCookie(*fresh));
    return r;
  }

  // The signing demo's part of the home page: the form, or the signed
  // document and what the checks said.
  void AddSigning(const web::Session& session, web::View& view) {
    view.Set("sign_document", std::string(kSampleDocument));
    if (!session.Get("sign_error").empty()) {
      view.Set("sign_error", session.Get("sign_error"));
    }
    const json signed_doc = json::parse(session.Get("signed"), nullptr, false);
    if (!signed_doc.is_object()) return;
    web::View d;
    for (const auto& [name, value] : signed_doc.items()) {
      if (value.is_string()) d.Set(name, value.get<std::string>());
      if (value.is_boolean()) d.Set(name, value.get<bool>());
    }
    view.Set("signed", d);
  }

  // POST /demo-rp/sign: a sign transaction for the posted document, then
  // on to the authorization request with scope "sign".
  Response Sign(const Request& request) {
    auto session = sessions->Find(request);
    auto form = web::ParseFormBody(request);
    const auto back = [&] {
      return site->Error(request, 400, site->Text(request, "demo_failed"),
                         {std::string(kBasePath) + "/", "OpenMyna"});
    };
    if (!session || !form || !web::SessionStore::CheckCsrf(*session, *form)) {
      return back();
    }
    // Signed as UTF-8 with LF line endings (a form sends CR LF; the page
    // shows the text as HTML keeps it).
    std::string document;
    for (char c : form->GetOr("document")) {
      if (c != '\r') document += c;
    }
    if (document.empty() || document.size() > 16 * 1024) return back();
    if (Status s = EnsureClient(); !s) {
      log->error("demo relying party: {}", s.error().message());
      return back();
    }
    auto token = ServiceToken(Rp());
    auto id = token ? CreateSignTransaction(Rp(), *token, document)
                    : Result<std::string>(Unexpected(token.error()));
    if (!id) {
      log->warn("demo relying party: {}", id.error().message());
      web::Session s = *session;
      s.values["sign_error"] = id.error().message();
      sessions->Save(s);
      return web::SeeOther(std::string(kBasePath) + "/");
    }
    web::Session s = *session;
    const std::string state = sign_in::Base64UrlEncode(options.rng->Bytes(16));
    const std::string nonce = sign_in::Base64UrlEncode(options.rng->Bytes(16));
    const std::string verifier =
        sign_in::Base64UrlEncode(options.rng->Bytes(32));
    s.values["state"] = state;
    s.values["nonce"] = nonce;
    s.values["verifier"] = verifier;
    s.values["sign_transaction_id"] = *id;
    s.values["sign_token"] = *token;
    s.values["sign_document_text"] = document;
    s.values.erase("sign_error");
    s.values.erase("signed");
    sessions->Save(s);
    const std::string location =
        Endpoint("auth") +
        "?response_type=code&client_id=" + std::string(kClientId) +
        "&redirect_uri=" + web::FormEncode(RedirectUri()) +
        "&scope=" + web::FormEncode("openid sign") +
        "&sign_transaction_id=" + web::FormEncode(*id) + "&state=" + state +
        "&nonce=" + nonce + "&code_challenge=" + PkceChallenge(verifier) +
        "&code_challenge_method=S256";
    // A page, not a redirect of the form's POST: CSP form-action ('self')
    // also governs where a form submission is redirected, and the provider
    // may be on the HTTPS origin.
    web::View view;
    view.Set("location", location);
    return Page(request, std::move(view), &s, "continue");
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
    OPENMYNA_ASSIGN_OR_RETURN(std::string assertion, Rp().Assertion());
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
    } else if (!s.Get("sign_transaction_id").empty()) {
      FinishSigning(query->GetOr("code"), s);
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

  // The code exchanged (the ID token checked as for a sign-in), then the
  // result read, opened and checked; kept in the session for the page.
  void FinishSigning(const std::string& code, web::Session& s) {
    const std::string id = s.Get("sign_transaction_id");
    const std::string document = s.Get("sign_document_text");
    auto exchanged = Exchange(code, s);
    auto signed_doc =
        exchanged ? ReadSignResult(Rp(), s.Get("sign_token"), id, document,
                                   options.data_dir, options.ocsp_transport)
                  : Result<SignedDocument>(Unexpected(exchanged.error()));
    for (const char* k : {"sign_transaction_id", "sign_token"}) {
      s.values.erase(k);
    }
    if (!signed_doc) {
      log->warn("demo relying party: {}", signed_doc.error().message());
      s.values["sign_error"] = signed_doc.error().message();
      return;
    }
    json shown = signed_doc->ToJson();
    shown["document"] = document;
    s.values["signed"] = shown.dump();
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
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", b + "/sign", [&s](const Request& r) { return s.Sign(r); }));
  return s.site->AddStaticRoutes(router);
}

}  // namespace openmyna::demo_rp
