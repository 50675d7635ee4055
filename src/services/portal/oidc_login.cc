#include "oidc_login.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "openmyna/base/base64.h"
#include "openmyna/base/file_io.h"
#include "openmyna/registry/errors.h"
#include "openmyna/sign_in/first_party.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/sign_in/jwe.h"
#include "openmyna/sign_in/provider.h"

namespace openmyna::portal {
namespace {

using json = nlohmann::json;

constexpr auto kTransactionLifetime = std::chrono::minutes(10);
constexpr std::size_t kMaxTransactions = 100000;

std::int64_t Unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string Sha256(std::string_view text, std::size_t bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return sign_in::Base64UrlEncode(ByteView(digest, bytes));
}

bool SameText(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The provider's words after access_denied, as docs/sign-in.md lists them,
// mapped to the portal's explanations.
std::string KeyForRefusal(std::string_view description) {
  auto starts = [&](std::string_view p) {
    return description.substr(0, p.size()) == p;
  };
  if (starts("face_auth_card")) return "portal_face_auth_refused";
  if (starts("no_authentication_certificate")) return "portal_no_auth_cert";
  if (starts("pin_blocked")) return "portal_pin_blocked";
  if (starts("certificate_suspended")) return "portal_card_suspended";
  if (starts("certificate_revoked") || starts("card_void") ||
      starts("certificate_expired")) {
    return "portal_no_usable_card";
  }
  return "portal_login_failed";
}

}  // namespace

Result<std::unique_ptr<OidcLogin>> OidcLogin::Open(LoginOptions options,
                                                   std::string base_path,
                                                   const Clock& clock,
                                                   Rng& rng) {
  if (options.urls == nullptr || !options.back_channel) {
    return Fail(
        registry::RegistryErrc::kInvalidInput,
        "the portal's login needs the server's URLs and a back channel");
  }
  std::unique_ptr<OidcLogin> login(
      new OidcLogin(std::move(options), std::move(base_path), clock, rng));
  const auto dir = login->options_.data_dir / "portal";
  const auto file = dir / "client-es256.jwk.json";
  if (auto text = ReadFileText(file); text) {
    const json jwk = json::parse(*text, nullptr, false);
    if (!jwk.is_object()) {
      return Fail(registry::RegistryErrc::kInvalidInput,
                  file.string() + " is not a JWK");
    }
    OPENMYNA_ASSIGN_OR_RETURN(login->key_, sign_in::KeyFromJwk(jwk));
  } else {
    login->key_.reset(EVP_EC_gen("P-256"));
    if (!login->key_) {
      return Fail(registry::RegistryErrc::kInvalidInput,
                  "P-256 key generation");
    }
    OPENMYNA_ASSIGN_OR_RETURN(json jwk, sign_in::PrivateJwk(login->key_.get()));
    OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(dir));
    OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(file, jwk.dump(2) + "\n"));
  }
  OPENMYNA_ASSIGN_OR_RETURN(json plain, sign_in::PublicJwk(login->key_.get()));
  OPENMYNA_ASSIGN_OR_RETURN(login->kid_, sign_in::JwkThumbprint(plain));
  OPENMYNA_ASSIGN_OR_RETURN(
      login->public_jwk_,
      sign_in::PublicJwk(login->key_.get(), login->kid_, "ES256"));
  return login;
}

std::string OidcLogin::Issuer() const {
  std::string base = options_.urls->Https();
  if (base.empty()) base = options_.urls->Http();
  return base + std::string(sign_in::kIssuerPath);
}

std::string OidcLogin::RedirectUri() const {
  std::string base = options_.urls->Https();
  if (base.empty()) base = options_.urls->Http();
  return base + base_path_ + "/callback";
}

std::string OidcLogin::SignRedirectUri() const {
  std::string base = options_.urls->Https();
  if (base.empty()) base = options_.urls->Http();
  return base + base_path_ + "/apply/callback";
}

std::string OidcLogin::Random() {
  return sign_in::Base64UrlEncode(ByteView(rng_.Bytes(32)));
}

Status OidcLogin::Register() {
  const std::string redirect_uri = RedirectUri();
  std::lock_guard lock(mutex_);
  if (registered_for_ == redirect_uri) return Ok();
  sign_in::Client client;
  client.client_id = std::string(kPortalClientId);
  client.name = "マイナポータル (Myna Portal)";
  client.redirect_uris = {redirect_uri, SignRedirectUri()};
  client.keys = {public_jwk_};
  OPENMYNA_RETURN_IF_ERROR(
      sign_in::RegisterFirstPartyClient(options_.data_dir, client, rng_));
  registered_for_ = redirect_uri;
  return Ok();
}

Result<std::string> OidcLogin::Open(std::string& transaction_id, Transaction t,
                                    const std::string& scope,
                                    const std::string& redirect_uri) {
  t.state = Random();
  t.nonce = Random();
  t.verifier = Random();
  transaction_id = Random();
  std::string url =
      Issuer() + "/protocol/openid-connect/auth?response_type=code" +
      "&client_id=" + std::string(kPortalClientId) +
      "&redirect_uri=" + web::FormEncode(redirect_uri) +
      "&scope=" + web::FormEncode(scope) + "&state=" + t.state +
      "&nonce=" + t.nonce +
      "&code_challenge=" + Sha256(t.verifier, SHA256_DIGEST_LENGTH) +
      // aal3: the card's certificate (sign-in-portal.md §5.2).
      "&code_challenge_method=S256&acr_values=aal3";
  if (!t.sign_transaction_id.empty()) {
    url += "&sign_transaction_id=" + web::FormEncode(t.sign_transaction_id);
  }
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.Now();
  std::erase_if(transactions_,
                [&](const auto& e) { return e.second.expires < now; });
  if (transactions_.size() >= kMaxTransactions) {
    return Fail(registry::RegistryErrc::kUnavailable,
                "too many logins under way");
  }
  t.expires = now + kTransactionLifetime;
  transactions_[transaction_id] = std::move(t);
  return url;
}

Result<std::string> OidcLogin::Start(std::string& transaction_id) {
  // OIDC Discovery §4: a provider answers for this issuer (`serve --only
  // portal` has none).
  auto discovery = BackChannel("GET", "/.well-known/openid-configuration", "");
  if (!discovery || discovery->value("issuer", "") != Issuer()) {
    return Fail(registry::RegistryErrc::kUnavailable,
                "no OpenID provider for " + Issuer() + " in this server");
  }
  OPENMYNA_RETURN_IF_ERROR(Register());
  return Open(transaction_id, Transaction{}, "openid", RedirectUri());
}

Result<std::string> OidcLogin::StartSigning(ByteView digest_info,
                                            std::string context,
                                            std::string& transaction_id) {
  OPENMYNA_RETURN_IF_ERROR(Register());
  // RFC 6749 §4.4: a client_credentials token (scope sign) for the API.
  auto token = BackChannel(
      "POST", "token",
      "grant_type=client_credentials&scope=sign&client_assertion_type=" +
          web::FormEncode(
              "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
          "&client_assertion=" + ClientAssertion());
  if (!token) return Unexpected(token.error());
  Transaction t;
  t.bearer = token->value("access_token", "");
  const http::Response created =
      Call("POST", "/api/sign-transactions",
           json{{"digest_info", Base64Encode(digest_info)}}.dump(),
           "application/json", t.bearer);
  const json doc = json::parse(created.body, nullptr, false);
  if (created.status != 201 || !doc.is_object() ||
      !doc.contains("sign_transaction_id")) {
    return Fail(registry::RegistryErrc::kUnavailable,
                "the signing API answered " + std::to_string(created.status) +
                    ": " + created.body.substr(0, 300));
  }
  t.sign_transaction_id = doc["sign_transaction_id"].get<std::string>();
  t.context = std::move(context);
  t.digest_info.assign(digest_info.begin(), digest_info.end());
  return Open(transaction_id, std::move(t), "openid sign", SignRedirectUri());
}

// RFC 7523 §3 / OIDC Core §9 private_key_jwt.
std::string OidcLogin::ClientAssertion() {
  const std::int64_t now = Unix(clock_.Now());
  const json claims = {{"iss", kPortalClientId},
                       {"sub", kPortalClientId},
                       {"aud", Issuer() + "/protocol/openid-connect/token"},
                       {"jti", Random()},
                       {"iat", now},
                       {"exp", now + 300}};
  auto jws = sign_in::SignEs256(claims, key_.get(), kid_);
  return jws ? *jws : std::string();
}

http::Response OidcLogin::Call(const std::string& method,
                               const std::string& path, const std::string& body,
                               const std::string& type,
                               const std::string& bearer) {
  http::Request request;
  request.method = method;
  request.path = request.target = path;
  request.body = body;
  request.secure = true;
  request.remote = "127.0.0.1";
  if (!type.empty()) request.headers.push_back({"Content-Type", type});
  if (!bearer.empty()) {
    request.headers.push_back({"Authorization", "Bearer " + bearer});
  }
  return options_.back_channel(request);
}

Result<json> OidcLogin::BackChannel(const std::string& method,
                                    const std::string& endpoint,
                                    const std::string& body) {
  const http::Response response = Call(
      method,
      std::string(sign_in::kIssuerPath) +
          (endpoint.front() == '/' ? endpoint
                                   : "/protocol/openid-connect/" + endpoint),
      body, body.empty() ? "" : "application/x-www-form-urlencoded", "");
  const json doc = json::parse(response.body, nullptr, false);
  if (response.status != 200 || !doc.is_object()) {
    std::string why = "the provider's " + endpoint + " endpoint answered " +
                      std::to_string(response.status);
    if (doc.is_object()) why += ": " + doc.value("error_description", "");
    return Fail(registry::RegistryErrc::kUnavailable, why);
  }
  return doc;
}

std::optional<OidcLogin::Transaction> OidcLogin::Take(
    std::string_view transaction_id) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(std::string(transaction_id));
  if (it == transactions_.end()) return std::nullopt;
  std::optional<Transaction> t;
  if (it->second.expires >= clock_.Now()) t = std::move(it->second);
  transactions_.erase(it);  // one answer per request
  return t;
}

LoginOutcome OidcLogin::Finish(const web::Form& query,
                               std::string_view transaction_id) {
  auto t = Take(transaction_id);
  if (t && !t->sign_transaction_id.empty()) t.reset();  // not a login
  return Redeem(query, t, RedirectUri());
}

LoginOutcome OidcLogin::Redeem(const web::Form& query,
                               const std::optional<Transaction>& t,
                               const std::string& redirect_uri) {
  auto failed = [](std::string key, std::string detail = {}) {
    return LoginOutcome{"", std::move(key), std::move(detail)};
  };
  // RFC 6749 §10.12 (CSRF on the redirect) and RFC 9207 (mix-up).
  if (!t || !SameText(query.GetOr("state"), t->state)) {
    return failed("portal_login_failed", "state");
  }
  if (query.Get("iss") && query.GetOr("iss") != Issuer()) {
    return failed("portal_login_failed", "iss");
  }
  if (query.Get("error")) {
    const std::string description = query.GetOr("error_description");
    return failed(KeyForRefusal(description), description);
  }
  const std::string body =
      "grant_type=authorization_code&code=" +
      web::FormEncode(query.GetOr("code")) +
      "&redirect_uri=" + web::FormEncode(redirect_uri) +
      "&code_verifier=" + t->verifier + "&client_assertion_type=" +
      web::FormEncode(
          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
      "&client_assertion=" + ClientAssertion();
  auto tokens = BackChannel("POST", "token", body);
  if (!tokens) return failed("portal_login_failed", tokens.error().message());
  auto jwks = BackChannel("GET", "certs", "");
  if (!jwks) return failed("portal_login_failed", jwks.error().message());
  std::vector<json> keys;
  if (jwks->contains("keys") && (*jwks)["keys"].is_array()) {
    for (const json& k : (*jwks)["keys"]) keys.push_back(k);
  }
  // OIDC Core §3.1.3.7.
  auto id_token =
      sign_in::VerifyJws(tokens->value("id_token", std::string()), keys);
  if (!id_token || id_token->header.value("alg", "") != "ES256") {
    return failed("portal_login_failed", "id_token signature");
  }
  const json& c = id_token->payload;
  const std::int64_t now = Unix(clock_.Now());
  const json aud = c.value("aud", json());
  const bool aud_ok =
      (aud.is_string() && aud == kPortalClientId) ||
      (aud.is_array() && aud.size() == 1 && aud[0] == kPortalClientId);
  if (c.value("iss", "") != Issuer() || !aud_ok ||
      c.value("exp", std::int64_t{0}) < now ||
      c.value("iat", now + 1000) > now + 300 ||
      !SameText(c.value("nonce", ""), t->nonce) ||
      c.value("at_hash", "") !=
          Sha256(tokens->value("access_token", ""), SHA256_DIGEST_LENGTH / 2)) {
    return failed("portal_login_failed", "id_token claims");
  }
  auto resident = sign_in::FirstPartySubjects::Instance().ResidentOf(
      kPortalClientId, c.value("sub", ""), clock_.Now());
  if (!resident) return failed("portal_login_failed", "sub");
  return LoginOutcome{*resident, "", ""};
}

OidcLogin::SigningOutcome OidcLogin::FinishSigning(
    const web::Form& query, std::string_view transaction_id) {
  auto t = Take(transaction_id);
  if (t && t->sign_transaction_id.empty()) t.reset();  // a login's
  SigningOutcome out;
  out.login = Redeem(query, t, SignRedirectUri());
  if (!out.login.error_key.empty()) return out;
  // The code exchange released the result: read it once (docs/sign-in.md).
  const http::Response response = Call(
      "GET", "/api/sign-transactions/" + t->sign_transaction_id + "/result", "",
      "", t->bearer);
  auto fail = [&](std::string detail) {
    out.login = LoginOutcome{"", "portal_sign_failed", std::move(detail)};
    return out;
  };
  if (response.status != 200) {
    return fail("the signing API answered " + std::to_string(response.status));
  }
  auto plain = sign_in::DecryptJwe(response.body, key_.get());
  if (!plain) return fail(plain.error().message());
  const json result = json::parse(*plain, nullptr, false);
  SecureWipe(*plain);
  if (!result.is_object()) return fail("the result is not JSON");
  auto digest_info = Base64Decode(result.value("digest_info", ""));
  auto signature = Base64Decode(result.value("signature", ""));
  auto certificate = Base64Decode(result.value("certificate", ""));
  if (result.value("sign_transaction_id", "") != t->sign_transaction_id ||
      !digest_info || *digest_info != t->digest_info || !signature ||
      !certificate) {
    return fail("the result is not of this transaction");
  }
  out.context = std::move(t->context);
  out.digest_info = std::move(*digest_info);
  out.signature = std::move(*signature);
  out.certificate = std::move(*certificate);
  return out;
}

}  // namespace openmyna::portal
