#include "openmyna/sign_in/provider.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "answers.h"
#include "app_answer.h"
#include "ca_roots.h"
#include "client_credentials.h"
#include "input_assist.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/log.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/pki/certificate_cache.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/certificate_holder.h"
#include "openmyna/registry/sign_in_holder.h"
#include "openmyna/services/sign_transactions.h"
#include "openmyna/sign_in/clients.h"
#include "openmyna/sign_in/errors.h"
#include "openmyna/sign_in/first_party.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/web/form.h"
#include "openmyna/web/page.h"
#include "qr_svg.h"

namespace openmyna::web {
std::span<const Asset> SignInAssets();
}

namespace openmyna::sign_in {

using json = nlohmann::json;
using http::Request;
using http::Response;

namespace {

constexpr auto kRequestLifetime = std::chrono::minutes(5);
constexpr auto kChallengeLifetime = std::chrono::minutes(5);
constexpr auto kAccessLifetime = std::chrono::hours(1);
constexpr auto kRefreshLifetime = std::chrono::hours(24);
constexpr std::string_view kProtocol = "/protocol/openid-connect";
const std::set<std::string> kScopes = {"openid",    "name",   "address",
                                       "birthdate", "gender", "sign"};

std::int64_t Unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

bool Has(const std::vector<std::string>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

// VSCHAR = %x20-7E (RFC 6749 Appendix A), 1..255 as the national API says.
bool Vschar(std::string_view s, std::size_t max = 255) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// `text` is JSON already (answers.h).
Response JsonText(int status, std::string text) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(text);
  r.AddHeader("Cache-Control", "no-store");
  return r;
}

Response Json(int status, const json& body) {
  return JsonText(status, body.dump());
}

// RFC 6749 §5.2: the token endpoint's errors (401 for invalid_client).
Response TokenError(std::string_view error, std::string_view description) {
  Response r = Json(error == "invalid_client" ? 401 : 400,
                    {{"error", error}, {"error_description", description}});
  if (error == "invalid_client") {
    r.AddHeader("WWW-Authenticate", "private_key_jwt");
  }
  return r;
}

std::string Sha256Half(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return Base64UrlEncode(ByteView(digest, SHA256_DIGEST_LENGTH / 2));
}

std::string Sha256B64(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return Base64UrlEncode(ByteView(digest, SHA256_DIGEST_LENGTH));
}

bool ConstantEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Pending {
  std::string request_id;     // in the QR code / link: the app's handle
  std::string browser_token;  // in the browser's wait URL only
  std::shared_ptr<const Client> client;  // shared with ClientStore's list
  std::string redirect_uri, state, nonce, code_challenge;
  std::vector<std::string> scopes, acr_values;
  std::string challenge;  // the exact bytes the card signs
  // The app link as a QR code, drawn once: the waiting page reloads every
  // 2 s with the same link.
  std::string qr_svg;
  // Scope "sign": the card signs the transaction's DigestInfo with the
  // signature key instead of the challenge (services/sign_transactions.h).
  std::string sign_transaction_id;
  Bytes digest_info;
  TimePoint expires;
  enum class Status { kWaiting, kDone } status = Status::kWaiting;
  std::string final_redirect;
};

struct Grant {  // what a code, an access token or a refresh token stands for
  std::string client_id, client_name, redirect_uri, code_challenge, nonce;
  std::vector<std::string> scopes;
  std::string resident_id, acr, session_state;
  // The basic attributes the app read from the card's input-assist AP
  // (claims by scope name); empty: UserInfo reads the registry record.
  json card_attributes = json::object();
  std::string amr = "jpki_auth";  // "test_card": the substitute page
  TimePoint auth_time, expires;
  bool used = false;
  std::string sign_transaction_id;  // released when the code is exchanged
  std::string signed_hash;          // hex SHA-256 the holder signed (audit)
};

}  // namespace

struct Provider::Impl {
  ProviderOptions options;
  ClientStore clients;
  CaRootsCache ca_roots;
  // A card's certificate and its OCSP response come back unchanged at
  // every sign-in: parsed and verified once (pki/certificate_cache.h,
  // pki/ocsp_response_cache.h).
  pki::CertificateCache certificates;
  pki::OcspResponseCache ocsp_responses;
  pki::EvpPkeyPtr data_issuer;           // see DataIssuerKey()
  pki::EvpPkeyPtr key;                   // the provider's ES256 key
  std::shared_ptr<const JwsKey> signer;  // `key`, made ready to sign once
  std::string kid;
  Bytes pairwise_secret;
  std::unique_ptr<web::Site> site;
  std::shared_ptr<spdlog::logger> log = log::Get("sign_in");

  std::mutex mutex;
  std::map<std::string, Pending> pending;         // by request_id
  std::map<std::string, std::string> by_browser;  // browser_token -> id
  std::map<std::string, Grant> codes, access_tokens, refresh_tokens;
  std::map<std::string, TimePoint> used_jtis;
  TimePoint next_sweep{};
  ClientCredentials client_credentials;

  explicit Impl(ProviderOptions o)
      : options(std::move(o)),
        clients(options.data_dir),
        ca_roots(options.data_dir),
        certificates(options.card_cache),
        ocsp_responses(options.card_cache),
        client_credentials(*options.clock, *options.rng) {}
  // How often the per-card caches served (a benchmark checks that its
  // sign-ins missed them: bench/sign_in/run.sh).
  ~Impl() {
    const auto c = certificates.stats();
    const auto o = ocsp_responses.stats();
    log->info(
        "card caches (capacity {}): certificates parsed {}, reused {}; OCSP "
        "responses verified {}, reused {}",
        options.card_cache, c.misses, c.hits, o.misses, o.hits);
  }

  TimePoint Now() const { return options.clock->Now(); }
  std::string Random() { return Base64UrlEncode(options.rng->Bytes(32)); }
  std::string Issuer() const {
    std::string base = options.urls->Https();
    if (base.empty()) base = options.urls->Http();
    return base + std::string(kIssuerPath);
  }
  std::string Endpoint(std::string_view what) const {
    return Issuer() + std::string(kProtocol) + "/" + std::string(what);
  }
  std::string Path(std::string_view what) const {
    return std::string(kIssuerPath) + std::string(kProtocol) + "/" +
           std::string(what);
  }

  // Pairwise subject (OIDC Core §8.1): HMAC-SHA256(secret, client "|"
  // resident), so it is the same for a resident across cards and moves and
  // differs per client.
  std::string Subject(std::string_view client_id,
                      std::string_view resident_id) const {
    const std::string input =
        std::string(client_id) + "|" + std::string(resident_id);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), pairwise_secret.data(),
         static_cast<int>(pairwise_secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         mac, &length);
    return Base64UrlEncode(ByteView(mac, length));
  }

  // Drops what has expired, at most once a second: each pass walks every
  // map, and tokens live for hours, so sweeping on every request cost time
  // in proportion to the sign-ins of the last day. Every lookup checks the
  // expiry itself; a replayed jti only stays refused a little longer.
  void Sweep() {  // under mutex
    const TimePoint now = Now();
    if (now < next_sweep) return;
    next_sweep = now + std::chrono::seconds(1);
    std::erase_if(pending, [&](const auto& p) {
      return p.second.expires + std::chrono::minutes(5) < now;
    });
    std::erase_if(by_browser,
                  [&](const auto& b) { return !pending.contains(b.second); });
    for (auto* grants : {&codes, &access_tokens, &refresh_tokens}) {
      std::erase_if(*grants, [&](const auto& g) {
        return g.second.expires + std::chrono::minutes(5) < now;
      });
    }
    std::erase_if(used_jtis, [&](const auto& j) { return j.second < now; });
  }

  static std::string WithQuery(
      std::string uri,
      const std::vector<std::pair<std::string, std::string>>& q) {
    char sep = uri.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : q) {
      uri += sep + k + "=" + web::FormEncode(v);
      sep = '&';
    }
    return uri;
  }

  // RFC 6749 §4.1.2.1, with iss (RFC 9207).
  std::string ErrorRedirect(const std::string& redirect_uri,
                            const std::string& state, std::string_view error,
                            std::string_view description) const {
    std::vector<std::pair<std::string, std::string>> q = {
        {"error", std::string(error)},
        {"error_description", std::string(description)}};
    if (!state.empty()) q.emplace_back("state", state);
    q.emplace_back("iss", Issuer());
    return WithQuery(redirect_uri, q);
  }

  Response Discovery() const {
    const std::string issuer = Issuer();
    return Json(
        200,
        {{"issuer", issuer},
         {"authorization_endpoint", Endpoint("auth")},
         {"token_endpoint", Endpoint("token")},
         {"userinfo_endpoint", Endpoint("userinfo")},
         {"jwks_uri", Endpoint("certs")},
         {"response_types_supported", {"code"}},
         {"response_modes_supported", {"query"}},
         {"grant_types_supported",
          {"authorization_code", "refresh_token", "client_credentials"}},
         {"subject_types_supported", {"pairwise"}},
         {"id_token_signing_alg_values_supported", {"ES256"}},
         {"token_endpoint_auth_methods_supported", {"private_key_jwt"}},
         {"token_endpoint_auth_signing_alg_values_supported",
          {"RS256", "ES256"}},
         {"code_challenge_methods_supported", {"S256"}},
         {"scopes_supported", kScopes},
         {"claims_supported",
          {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr",
           "amr", "at_hash", "sid", "name", "address", "birthdate", "gender"}},
         {"acr_values_supported", {"aal3", "crl", "ocsp"}},
         {"authorization_response_iss_parameter_supported", true},
         {"request_parameter_supported", false},
         {"claims_parameter_supported", false}});
  }

  Response Certs() const {
    auto jwk = PublicJwk(key.get(), kid, "ES256");
    json k = *jwk;
    k["use"] = "sig";
    return Json(200, {{"keys", {k}}});
  }

  Response Authorize(const Request& request);
  Response Wait(const Request& request);
  Response RenderWaiting(const Request& request, const Pending& p);
  // What the QR code and the page's link give the app.
  std::string AppLink(const Pending& p) const {
    return Issuer() + "/app/requests/" + p.request_id;
  }
  Response AppGet(const Request& request);
  Response AppPost(const Request& request);
  Response Token(const Request& request);
  Response UserInfo(const Request& request);

  // Finishes a pending request: a code on success, an error otherwise.
  json Complete(Pending& p, const internal::AppAnswer& body);
  // The error on the redirect and the app's problem document (`status`:
  // 403 for a refusal, 503 when the provider could not finish).
  json Refuse(Pending& p, std::string error, std::string description,
              int status = 403);
  // A verified holder: the code, the audit entry and the redirect.
  json Admit(Pending& p, std::string_view resident_id, std::string acr,
             json card_attributes, std::string amr = "jpki_auth");
  // The test-card substitute page (issue 9 item 4), below.
  // Never for a signing request: a signature cannot be made up.
  bool TestCardsFor(const Pending& p) const {
    return options.test_cards && p.client->test_cards &&
           p.sign_transaction_id.empty();
  }
  void AddTestCards(const Request& request, const Pending& p, web::View& view);
  Response TestCard(const Request& request);
  // The registry's card holding the certificate `cert`, if any.
  std::optional<registry::CardOfCertificate> CardOf(X509* cert);
  // The sandbox's card data issuer key (DIR/card-data-issuer.key, made at
  // the first card issuance): what signed EF 0003. Null when absent.
  pki::EvpPkeyPtr DataIssuerKey();
  // A login's signature over the challenge, the chain to the sandbox
  // authentication CA, validity and revocation; the refusal, if any.
  std::optional<json> CheckLoginAnswer(Pending& p, X509* cert,
                                       ByteView signature, bool by_crl);
  std::optional<json> CheckChain(Pending& p, X509* cert, pki::CaKind kind,
                                 bool by_crl);
  Result<std::shared_ptr<const Client>> AuthenticateClient(
      const web::Form& form, std::string& error);
  // The ID token's claims as JSON text (answers.h).
  std::string IdToken(const Grant& g, const std::string& access_token) const;
  // `client` is the one AuthenticateClient found (the grant's).
  Response IssueTokens(Grant grant, const Client& client);
  // The sign-in in the resident's audit trail, durable before anything is
  // released (a failure here refuses the sign-in).
  Status Audit(const Grant& g);
};

// --- authorization endpoint -------------------------------------------------

Response Provider::Impl::Authorize(const Request& request) {
  auto form = web::ParseQuery(request);
  auto page_error = [&](std::string_view message) {
    return site->Error(request, 400, site->Text(request, message),
                       {"/", "OpenMyna"});
  };
  if (!form) return page_error("signin_bad_request");
  // Until the client and its redirect URI are known to match, errors are
  // shown here and never redirected (RFC 6749 §4.1.2.1, first paragraph).
  const std::string client_id = form->GetOr("client_id");
  const std::string redirect_uri = form->GetOr("redirect_uri");
  auto client = clients.Shared(client_id);
  if (!client || !Has((*client)->redirect_uris, redirect_uri)) {
    return page_error("signin_bad_request");
  }
  const std::string state = form->GetOr("state");
  auto fail = [&](std::string_view error, std::string_view description) {
    return web::Found(ErrorRedirect(redirect_uri, state, error, description));
  };
  if (form->GetOr("response_type") != "code") {
    return fail("unsupported_response_type", "only response_type=code");
  }
  if (!Vschar(state))
    return fail("invalid_request", "state is required (1-255 VSCHAR)");
  const std::string nonce = form->GetOr("nonce");
  if (!Vschar(nonce))
    return fail("invalid_request", "nonce is required (1-255 VSCHAR)");
  const std::string challenge = form->GetOr("code_challenge");
  if (challenge.size() < 43 || challenge.size() > 128 ||
      !std::all_of(challenge.begin(), challenge.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
               c == '_';
      })) {
    return fail("invalid_request",
                "code_challenge is required (PKCE, RFC 7636)");
  }
  if (form->GetOr("code_challenge_method") != "S256") {
    return fail("invalid_request", "code_challenge_method must be S256");
  }
  const auto scopes = Split(form->GetOr("scope"));
  if (!Has(scopes, "openid"))
    return fail("invalid_scope", "scope must include openid");
  for (const auto& s : scopes) {
    if (!kScopes.contains(s))
      return fail("invalid_scope", "unknown scope " + s);
  }
  const auto acr = Split(form->GetOr("acr_values"));
  for (const auto& a : acr) {
    if (a != "aal3" && a != "crl" && a != "ocsp") {
      return fail("invalid_request", "unknown acr_values entry " + a);
    }
  }
  if (form->Get("request") || form->Get("request_uri")) {
    return fail("request_not_supported", "request objects are not supported");
  }
  // Scope "sign" names a sign transaction this client created and nobody
  // signed yet (sign-in-portal.md §1.6 step 3).
  const std::string sign_id = form->GetOr("sign_transaction_id");
  std::optional<services::SignTransaction> transaction;
  if (Has(scopes, "sign")) {
    if (options.transactions == nullptr) {
      return fail("invalid_scope", "signing is not enabled on this provider");
    }
    auto t = options.transactions->Find(sign_id);
    if (!t) {
      return fail("invalid_request",
                  "sign_transaction_id: " + t.error().message());
    }
    if (t->client_id != (*client)->client_id) {
      return fail("invalid_request",
                  "sign_transaction_id: no such sign transaction of this "
                  "client");
    }
    if (t->is_signed) {
      return fail("invalid_request", "the sign transaction is signed already");
    }
    transaction = std::move(*t);
  } else if (!sign_id.empty()) {
    return fail("invalid_scope", "sign_transaction_id needs scope sign");
  }
  Pending p;
  if (transaction) {
    p.sign_transaction_id = transaction->id;
    p.digest_info = transaction->digest_info;
  }
  p.request_id = Random();
  p.browser_token = Random();
  p.client = *client;
  p.redirect_uri = redirect_uri;
  p.state = state;
  p.nonce = nonce;
  p.code_challenge = challenge;
  p.scopes = scopes;
  p.acr_values = acr;
  p.expires = Now() + kRequestLifetime;
  // The structured challenge (not a bare UUID): who asks, for what, a fresh
  // nonce and until when; the card signs exactly these bytes.
  p.challenge =
      internal::ChallengeJson({.exp = Unix(Now() + kChallengeLifetime),
                               .iss = Issuer(),
                               .nonce = Random(),
                               .request_id = p.request_id,
                               .rp = (*client)->client_id,
                               .rp_name = (*client)->name,
                               .scope = Join(scopes),
                               .type = "openmyna-sign-in/1"});
  p.qr_svg = QrSvg(AppLink(p));
  // The page first (nobody has the link before it is sent), then the
  // request is kept: no copy of it.
  Response page = RenderWaiting(request, p);
  {
    std::lock_guard lock(mutex);
    Sweep();
    by_browser[p.browser_token] = p.request_id;
    pending.emplace(p.request_id, std::move(p));
  }
  return page;
}

Response Provider::Impl::RenderWaiting(const Request& request,
                                       const Pending& p) {
  const std::string link = AppLink(p);
  web::PageContent page{.title = site->Text(request, "signin_title"),
                        .template_name = "authorize"};
  page.view.Set("client_name", p.client->name);
  page.view.Set("app_link", link);
  page.view.Set("app_command",
                p.sign_transaction_id.empty() ? "login" : "sign");
  if (!p.sign_transaction_id.empty()) {
    page.view.Set("sign_hash", ToHex(ByteView(p.digest_info).subspan(19)));
  }
  page.view.Set("qr_svg", p.qr_svg);
  page.view.Set("wait_url", Path("auth/wait") + "?b=" + p.browser_token);
  web::View items = web::View::List();
  for (const auto& s : p.scopes) {
    items.Push(site->Text(request, "signin_item_" + s));
  }
  page.view.Set("items", items);
  if (TestCardsFor(p)) AddTestCards(request, p, page.view);
  return site->Render(request, nullptr, std::move(page));
}

// --- the test-card substitute page (テストカード代替機能)
// ---------------------- For relying parties without a reader: a sandbox
// provider (sign-in.test-cards=on) shows clients registered with --test-cards
// the residents who hold a card in use, and forced errors; picking one answers
// as that card would have (amr "test_card").

namespace {
constexpr std::string_view kForcedErrors[] = {
    "certificate_revoked", "certificate_suspended",
    "certificate_expired", "card_void",
    "face_auth_card",      "pin_blocked",
    "signature_invalid",   "cancelled"};
constexpr int kTestResidents = 20;
}  // namespace

void Provider::Impl::AddTestCards(const Request& request, const Pending& p,
                                  web::View& view) {
  web::View residents = web::View::List();
  (void)options.store->Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto all, tx.ListResidents("", 200));
    int shown = 0;
    for (const auto& r : all) {
      OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(r.id));
      const bool usable = std::any_of(cards.begin(), cards.end(), [](auto& c) {
        return c.state == registry::CardState::kActive &&
               c.kind == registry::CardKind::kStandard;
      });
      if (!usable || shown++ >= kTestResidents) continue;
      residents.Push(web::View()
                         .Set("value", "resident:" + r.id)
                         .Set("label", r.name + " (" + r.date_of_birth + ")"));
    }
    return Ok();
  });
  web::View errors = web::View::List();
  for (std::string_view e : kForcedErrors) {
    errors.Push(web::View()
                    .Set("value", "error:" + std::string(e))
                    .Set("label", std::string(e) + ": " +
                                      site->Text(request, "signin_test_" +
                                                              std::string(e))));
  }
  view.Set("test_cards", true);
  view.Set("test_card_url", Path("auth/test-card"));
  view.Set("browser_token", p.browser_token);
  view.Set("test_residents", residents);
  view.Set("test_errors", errors);
}

Response Provider::Impl::TestCard(const Request& request) {
  auto form = web::ParseFormBody(request);
  std::optional<Pending> found;
  if (form) {
    std::lock_guard lock(mutex);
    auto b = by_browser.find(form->GetOr("b"));
    if (b != by_browser.end()) found = pending.at(b->second);
  }
  if (!found || found->status != Pending::Status::kWaiting ||
      found->expires < Now()) {
    return site->Error(request, 404, site->Text(request, "signin_expired"),
                       {"/", "OpenMyna"});
  }
  Pending& p = *found;
  if (!TestCardsFor(p)) {
    return site->Error(request, 403,
                       site->Text(request, "signin_no_test_cards"),
                       {"/", "OpenMyna"});
  }
  const std::string choice = form->GetOr("card");
  if (choice.rfind("error:", 0) == 0) {
    const std::string e = choice.substr(6);
    if (std::find(std::begin(kForcedErrors), std::end(kForcedErrors), e) ==
        std::end(kForcedErrors)) {
      return site->Error(request, 400,
                         site->Text(request, "signin_bad_request"),
                         {"/", "OpenMyna"});
    }
    p.final_redirect = ErrorRedirect(p.redirect_uri, p.state, "access_denied",
                                     e + ": forced by the test-card page");
  } else if (choice.rfind("resident:", 0) == 0) {
    std::optional<registry::Resident> resident;
    bool usable = false;
    (void)options.store->Read([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(resident, tx.GetResident(choice.substr(9)));
      if (!resident) return Ok();
      OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident->id));
      usable = std::any_of(cards.begin(), cards.end(), [](auto& c) {
        return c.state == registry::CardState::kActive &&
               c.kind == registry::CardKind::kStandard;
      });
      return Ok();
    });
    if (!resident || !usable) {
      return site->Error(request, 400,
                         site->Text(request, "signin_bad_request"),
                         {"/", "OpenMyna"});
    }
    Admit(p, resident->id, "aal3 ocsp", json::object(), "test_card");
  } else {
    return site->Error(request, 400, site->Text(request, "signin_bad_request"),
                       {"/", "OpenMyna"});
  }
  {
    std::lock_guard lock(mutex);
    auto it = pending.find(p.request_id);
    if (it == pending.end() || it->second.status != Pending::Status::kWaiting) {
      return site->Error(request, 409, site->Text(request, "signin_expired"),
                         {"/", "OpenMyna"});
    }
    it->second.status = Pending::Status::kDone;
    it->second.final_redirect = p.final_redirect;
  }
  log->info("sign-in for {} answered by the test-card page",
            p.client->client_id);
  // On to the wait URL by a page, not by a redirect of the form's POST: CSP
  // form-action ('self') also governs the redirects of a form submission.
  web::PageContent page{.title = site->Text(request, "signin_title"),
                        .template_name = "continue"};
  page.view.Set("wait_url", Path("auth/wait") + "?b=" + p.browser_token);
  return site->Render(request, nullptr, std::move(page));
}

Response Provider::Impl::Wait(const Request& request) {
  auto form = web::ParseQuery(request);
  std::optional<Pending> p;
  {
    std::lock_guard lock(mutex);
    auto b = form ? by_browser.find(form->GetOr("b")) : by_browser.end();
    if (b != by_browser.end()) {
      const Pending& found = pending.at(b->second);
      if (found.status == Pending::Status::kDone) {
        // The redirect is given once; only it is copied.
        std::string redirect = found.final_redirect;
        by_browser.erase(b);
        return web::Found(std::move(redirect));
      }
      p = found;  // still waiting: the page again
    }
  }
  if (!p) {
    return site->Error(request, 404, site->Text(request, "signin_expired"),
                       {"/", "OpenMyna"});
  }
  if (p->expires < Now()) {
    return web::Found(ErrorRedirect(p->redirect_uri, p->state, "access_denied",
                                    "the sign-in request expired before the "
                                    "card answered"));
  }
  return RenderWaiting(request, *p);
}

// --- the card holder's app --------------------------------------------------

Response Provider::Impl::AppGet(const Request& request) {
  const std::string id = request.path.substr(request.path.rfind('/') + 1);
  std::lock_guard lock(mutex);
  auto it = pending.find(id);
  if (it == pending.end() || it->second.status != Pending::Status::kWaiting ||
      it->second.expires < Now()) {
    return http::Problem(404, "Not Found",
                         "no sign-in request waits under this link (expired, "
                         "answered or never made)");
  }
  const Pending& p = it->second;
  if (!p.sign_transaction_id.empty()) {  // `openmyna app sign`
    return Json(200, {{"request_id", p.request_id},
                      {"client_id", p.client->client_id},
                      {"client_name", p.client->name},
                      {"scope", Join(p.scopes)},
                      {"key", "signature"},
                      {"sign_transaction_id", p.sign_transaction_id},
                      {"digest_info", Base64UrlEncode(p.digest_info)},
                      {"exp", Unix(p.expires)}});
  }
  const std::string scope = Join(p.scopes);
  const std::string acr_values = Join(p.acr_values);
  return JsonText(
      200, internal::LoginRequestJson(
               {.acr_values = acr_values,
                .attributes_requested =
                    Has(p.scopes, "name") || Has(p.scopes, "address") ||
                    Has(p.scopes, "birthdate") || Has(p.scopes, "gender"),
                .challenge = p.challenge,
                .client_id = p.client->client_id,
                .client_name = p.client->name,
                .key = "authentication",
                .request_id = p.request_id,
                .scope = scope}));
}

Response Provider::Impl::AppPost(const Request& request) {
  const std::string id = request.path.substr(request.path.rfind('/') + 1);
  auto body = internal::ReadAppAnswer(request.body);
  if (!body) return http::Problem(400, "Bad Request", body.error().message());
  Pending p;
  {
    std::lock_guard lock(mutex);
    auto it = pending.find(id);
    if (it == pending.end() || it->second.status != Pending::Status::kWaiting ||
        it->second.expires < Now()) {
      return http::Problem(404, "Not Found",
                           "no sign-in request waits under this link");
    }
    p = it->second;
  }
  json outcome = Complete(p, *body);
  {
    std::lock_guard lock(mutex);
    auto it = pending.find(id);
    if (it == pending.end() || it->second.status != Pending::Status::kWaiting) {
      return http::Problem(409, "Conflict", "the request was answered already");
    }
    it->second.status = Pending::Status::kDone;
    it->second.final_redirect = p.final_redirect;
  }
  if (outcome.contains("error")) {
    Response r = Json(outcome.value("status", 403), outcome);
    r.content_type = "application/problem+json";
    return r;
  }
  return Json(200, outcome);
}

json Provider::Impl::Refuse(Pending& p, std::string error,
                            std::string description, int status) {
  p.final_redirect = ErrorRedirect(p.redirect_uri, p.state, error, description);
  log->info("sign-in for {} refused: {} ({})", p.client->client_id, error,
            description);
  return json{{"type", "about:blank"},
              {"title", status == 403 ? "Sign-in refused" : "Sign-in failed"},
              {"status", status},
              {"error", error},
              {"detail", description}};
}

json Provider::Impl::Complete(Pending& p, const internal::AppAnswer& body) {
  auto refuse = [&](std::string error, std::string description) {
    return Refuse(p, std::move(error), std::move(description));
  };
  const bool sign = !p.sign_transaction_id.empty();
  // What the app could not do with the card (its screen says the same).
  if (body.error) {
    const std::string& e = *body.error;
    if (e == "pin_blocked") {
      return refuse("access_denied",
                    sign ? "pin_blocked: the card's signature password is "
                           "blocked; it can be reset at the municipal office"
                         : "pin_blocked: the card's user authentication PIN "
                           "is blocked; it can be reset at the municipal "
                           "office");
    }
    if (e == "face_auth_card") {
      return refuse("access_denied",
                    "face_auth_card: a face-authentication card has no PIN "
                    "and cannot sign in");
    }
    if (e == "no_signature_certificate") {
      return refuse("access_denied",
                    "no_signature_certificate: the card carries no "
                    "signature certificate");
    }
    if (e == "no_authentication_certificate") {
      return refuse("access_denied",
                    "no_authentication_certificate: the card carries no "
                    "user authentication certificate");
    }
    return refuse("access_denied",
                  "cancelled: the card holder did not sign in");
  }
  const auto cert_der = Base64UrlDecode(body.certificate.value_or(""));
  const auto signature = Base64UrlDecode(body.signature.value_or(""));
  if (!cert_der || !signature) {
    return refuse("invalid_request",
                  "the app sent no certificate or signature");
  }
  auto cert = certificates.Parse(*cert_der);
  if (!cert) return refuse("access_denied", "certificate_invalid: unreadable");
  const bool by_crl = Has(p.acr_values, "crl");
  if (sign) {
    // The signature certificate: chain to the sandbox signature CA,
    // validity, revocation (the signature itself: below, by the
    // transaction).
    if (auto refused =
            CheckChain(p, cert->get(), pki::CaKind::kSignature, by_crl)) {
      return *refused;
    }
  } else if (auto refused =
                 CheckLoginAnswer(p, cert->get(), *signature, by_crl)) {
    return *refused;
  }
  // The holder, through the registry (not through the certificate's
  // subject: a renewed or reissued card maps to the same resident).
  const Bytes serial_bytes = [&] {
    const ASN1_INTEGER* s = X509_get0_serialNumber(cert->get());
    return Bytes(s->data, s->data + s->length);
  }();
  pki::Serial serial{serial_bytes};
  // One statement: the certificate's type, its holder and the card's
  // standing (registry/sign_in_holder.h), not the three stored documents.
  std::optional<registry::SignInHolder> holder;
  Status read = options.store->Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(holder,
                              registry::ReadSignInHolder(tx, serial.Hex()));
    return Ok();
  });
  if (!read) return refuse("server_error", "the registry is unavailable");
  if (!holder ||
      holder->type != (sign ? registry::CertificateType::kSignature
                            : registry::CertificateType::kAuthentication)) {
    return refuse("access_denied",
                  std::string("certificate_unknown: the registry knows no "
                              "card with this ") +
                      (sign ? "signature" : "authentication") + " certificate");
  }
  if (holder->card_state == registry::CardState::kVoid) {
    return refuse("access_denied",
                  "card_void: the card is no longer valid (" +
                      std::string(registry::ToString(holder->void_reason)) +
                      ")");
  }
  if (holder->card_state == registry::CardState::kSuspended) {
    return refuse("access_denied",
                  "certificate_suspended: the card is suspended");
  }
  if (holder->card_kind == registry::CardKind::kFaceAuth) {
    return refuse("access_denied",
                  "face_auth_card: a face-authentication "
                  "card cannot sign in");
  }
  if (sign) {
    // The signature over the transaction's DigestInfo, checked and kept
    // for the relying party's result (services/sign_transactions.h).
    Status s = options.transactions->Complete(p.sign_transaction_id, *cert_der,
                                              *signature);
    if (!s) return refuse("access_denied", s.error().message());
  }
  // The basic attributes from the card, released only when the data
  // issuer's signature in EF 0003 covers them and they are this resident's
  // (input_assist.h); attributes without the card's files are refused.
  json attributes = json::object();
  if (body.input_assist && !sign) {
    const auto ef0002 = Base64UrlDecode(body.ef0002.value_or(""));
    const auto ef0003 = Base64UrlDecode(body.ef0003.value_or(""));
    pki::EvpPkeyPtr issuer = DataIssuerKey();
    if (!issuer) return refuse("server_error", "no card data issuer key");
    auto verified =
        ef0002 && ef0003
            ? VerifiedCardAttributes(*ef0002, *ef0003, issuer.get(),
                                     holder->individual_number, p.scopes)
            : Result<json>(Fail(SignInErrc::kInvalid, "not base64url"));
    if (!verified) {
      return refuse("access_denied",
                    "card_data_invalid: " + verified.error().message());
    }
    attributes = std::move(*verified);
  } else if (body.attributes) {
    return refuse("invalid_request",
                  "attributes are taken only with the card's EF 0002 and EF "
                  "0003 (input_assist)");
  }
  return Admit(p, holder->resident_id, by_crl ? "aal3 crl" : "aal3 ocsp",
               std::move(attributes));
}

json Provider::Impl::Admit(Pending& p, std::string_view resident_id,
                           std::string acr, json card_attributes,
                           std::string amr) {
  Grant g;
  g.client_id = p.client->client_id;
  g.client_name = p.client->name;
  g.redirect_uri = p.redirect_uri;
  g.code_challenge = p.code_challenge;
  g.nonce = p.nonce;
  g.scopes = p.scopes;
  g.resident_id = resident_id;
  g.acr = std::move(acr);
  g.card_attributes = std::move(card_attributes);
  g.amr = std::move(amr);
  g.session_state = Random();
  g.auth_time = Now();
  g.expires = Now() + options.code_lifetime;  // 60 s: node-oidc's default
  if (!p.sign_transaction_id.empty()) {
    g.sign_transaction_id = p.sign_transaction_id;
    g.signed_hash = ToHex(ByteView(p.digest_info).subspan(19));
  }
  const std::string code = Random();
  // Nothing is released unless the resident's audit trail holds it: no
  // code, the relying party gets server_error (RFC 6749 §4.1.2.1).
  if (!Audit(g)) {
    return Refuse(p, "server_error",
                  "the sign-in could not be recorded in the resident's "
                  "audit trail; nothing was released",
                  503);
  }
  {
    std::lock_guard lock(mutex);
    codes[code] = g;
  }
  p.final_redirect =
      WithQuery(p.redirect_uri, {{"code", code},
                                 {"state", p.state},
                                 {"session_state", g.session_state},
                                 {"iss", Issuer()}});
  std::vector<std::string> released;
  for (const auto& s : p.scopes) {
    if (s != "openid" && s != "sign") released.push_back(s);
  }
  return {{"status", "ok"},
          {"client_name", p.client->name},
          {"released", released}};
}

std::optional<json> Provider::Impl::CheckLoginAnswer(Pending& p, X509* cert,
                                                     ByteView signature,
                                                     bool by_crl) {
  // The signature over the challenge: RSASSA-PKCS1-v1_5 with SHA-256, the
  // card's authentication key (jpki.md; card-apdu.md COMPUTE DIGITAL
  // SIGNATURE over a DigestInfo).
  EVP_PKEY* public_key = X509_get0_pubkey(cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool signed_ok =
      public_key && ctx &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, public_key) ==
          1 &&
      EVP_DigestVerify(
          ctx, signature.data(), signature.size(),
          reinterpret_cast<const unsigned char*>(p.challenge.data()),
          p.challenge.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!signed_ok) {
    return Refuse(p, "access_denied",
                  "signature_invalid: the challenge was not signed by the "
                  "key of this certificate");
  }
  return CheckChain(p, cert, pki::CaKind::kAuthentication, by_crl);
}

std::optional<json> Provider::Impl::CheckChain(Pending& p, X509* cert,
                                               pki::CaKind kind, bool by_crl) {
  // Chain to the sandbox CA of `kind`, validity now, and revocation by OCSP
  // or by the CRL the certificate names.
  auto roots = ca_roots.Get(kind);
  if (!roots) return Refuse(p, "server_error", "the sandbox CA is unavailable");
  pki::VerifyOptions verify;
  verify.at = Now();
  if (by_crl) {
    const auto urls = pki::CrlUrls(cert);
    if (urls.empty())
      return Refuse(p, "access_denied", "certificate_invalid: no CRL named");
    auto crl = pki::FetchCrl(urls.front());
    if (!crl)
      return Refuse(p, "temporarily_unavailable",
                    "the CRL could not be fetched");
    verify.crls.push_back(std::move(*crl));
  } else {
    verify.ocsp_url = (*roots)->base_url + pki::OcspPath(kind);
    verify.ocsp_transport = options.ocsp_transport;
    // Current at this provider's clock: under `serve --now` the responder
    // signs at the same clock.
    verify.ocsp_current_at = verify.at;
    if (options.card_cache > 0) verify.ocsp_cache = &ocsp_responses;
  }
  const pki::CertificateVerdict verdict =
      pki::VerifyCertificate(cert, (*roots)->pointers, verify);
  if (!verdict.good) {
    switch (verdict.rule) {
      case pki::VerifyRule::kExpired:
        return Refuse(p, "access_denied",
                      "certificate_expired: " + verdict.detail);
      case pki::VerifyRule::kNotYetValid:
        return Refuse(p, "access_denied", "certificate_not_yet_valid");
      case pki::VerifyRule::kRevoked:
        if (verdict.revocation_reason ==
            pki::RevocationReason::kCertificateHold) {
          return Refuse(p, "access_denied",
                        "certificate_suspended: the card is suspended "
                        "(一時停止); lift it at the municipal office");
        }
        // Lost or stolen vs. ended otherwise: the registry tells them apart
        // (registry::CardStanding).
        if (auto card = CardOf(cert)) {
          const std::string why(registry::ToString(card->card.void_reason));
          if (card->standing == registry::CardStanding::kNoLongerValid) {
            return Refuse(
                p, "access_denied",
                "card_void: the card is no longer valid (" + why + ")");
          }
          if (card->standing == registry::CardStanding::kReportedLost) {
            return Refuse(p, "access_denied",
                          "certificate_revoked: " + verdict.detail +
                              " (the card was reported " + why + ")");
          }
        }
        return Refuse(p, "access_denied",
                      "certificate_revoked: " + verdict.detail);
      case pki::VerifyRule::kRevocationUnknown:
        return Refuse(p, "temporarily_unavailable",
                      "revocation_unknown: " + verdict.detail);
      default:
        return Refuse(p, "access_denied",
                      "certificate_invalid: " + verdict.detail);
    }
  }
  return std::nullopt;
}

pki::EvpPkeyPtr Provider::Impl::DataIssuerKey() {
  std::lock_guard lock(mutex);
  if (!data_issuer) {  // read once: the sandbox never replaces it
    auto pem = ReadFileText(card::perso::DataIssuerKeyPath(options.data_dir));
    if (!pem) return nullptr;
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    data_issuer.reset(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    SecureWipe(*pem);
    if (!data_issuer) return nullptr;
  }
  EVP_PKEY_up_ref(data_issuer.get());
  return pki::EvpPkeyPtr(data_issuer.get());
}

std::optional<registry::CardOfCertificate> Provider::Impl::CardOf(X509* cert) {
  const ASN1_INTEGER* s = X509_get0_serialNumber(cert);
  const pki::Serial serial{Bytes(s->data, s->data + s->length)};
  auto card = registry::FindCardOfCertificate(*options.store, serial.Hex());
  return card ? *card : std::nullopt;
}

// Every sign-in is in the resident's trail: who asked, what was released,
// when (architecture.md §4; the portal's やりとり履歴).
Status Provider::Impl::Audit(const Grant& g) {
  registry::AuditEntry e;
  e.resident_id = g.resident_id;
  e.actor_id = g.client_id;
  e.role = registry::Role::kPlatform;
  e.action = g.sign_transaction_id.empty() ? "sign_in.release" : "sign_in.sign";
  std::vector<std::string> items;
  for (const auto& s : g.scopes) {
    if (s != "openid" && s != "sign") items.push_back(s);
  }
  e.reason = "sign in with My Number Card to " + g.client_name + " (scope " +
             Join(g.scopes) + ")";
  if (!g.sign_transaction_id.empty()) {
    // The signing: which transaction, which document hash.
    items.push_back("signature");
    e.reason = "signed for " + g.client_name +
               " with the signature certificate (sign transaction " +
               g.sign_transaction_id + ", SHA-256 " + g.signed_hash + ")";
  }
  e.at = Now();
  e.id = registry::NewAuditId(e.at, *options.rng);
  e.requested_at = g.auth_time;
  e.requester = g.client_name + " (" + g.client_id + ")";
  e.provider = "OpenMyna sign-in";
  e.items = items;
  Status s = options.store->Transact(
      [&](registry::RegistryTx& tx) { return tx.AppendAudit(e); });
  if (!s) log->error("audit of a sign-in failed: {}", s.error().message());
  return s;
}

// --- token endpoint ----------------------------------------------------------

Result<std::shared_ptr<const Client>> Provider::Impl::AuthenticateClient(
    const web::Form& form, std::string& error) {
  auto bad = [&](std::string why) -> Result<std::shared_ptr<const Client>> {
    error = std::move(why);
    return Fail(SignInErrc::kInvalid, error);
  };
  if (form.GetOr("client_assertion_type") !=
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
    return bad("private_key_jwt is required (client_assertion_type)");
  }
  const std::string assertion = form.GetOr("client_assertion");
  auto decoded = DecodeJws(assertion);
  if (!decoded) return bad("the client assertion is not a JWS");
  const std::string iss = decoded->payload.value("iss", "");
  if (form.Get("client_id") && form.GetOr("client_id") != iss) {
    return bad("client_id differs from the assertion's iss");
  }
  auto found = clients.Shared(iss);
  if (!found) return bad("unknown client");
  const Client& client = **found;
  auto verified =
      VerifyJwsSignature(assertion, *decoded, client.keys, client.made_keys);
  if (!verified) return bad("client assertion: " + verified.error().message());
  const json& c = decoded->payload;
  if (c.value("sub", "") != iss) return bad("assertion sub must equal iss");
  // find, not operator[]: on a const json a missing key is undefined
  // behaviour (an assertion in a debug build).
  const auto aud = c.find("aud");
  const std::string token = Endpoint("token");
  const bool aud_ok =
      aud != c.end() && ((aud->is_string() && *aud == token) ||
                         (aud->is_array() && std::find(aud->begin(), aud->end(),
                                                       token) != aud->end()));
  if (!aud_ok) return bad("assertion aud must be the token endpoint " + token);
  if (!c.contains("exp") || !c["exp"].is_number())
    return bad("assertion needs exp");
  const std::int64_t now = Unix(Now());
  if (c["exp"].get<std::int64_t>() < now - 30)
    return bad("the assertion expired");
  // authlib signs exp = iat + 3600; a little clock skew is allowed.
  if (c["exp"].get<std::int64_t>() > now + 3600 + 300)
    return bad("assertion exp too far ahead");
  const std::string jti = c.value("jti", "");
  if (jti.empty()) return bad("assertion needs jti");
  std::lock_guard lock(mutex);
  const std::string used = iss + " " + jti;
  if (used_jtis.contains(used)) return bad("assertion jti replayed");
  used_jtis[used] = Now() + std::chrono::hours(2);
  return *found;
}

std::string Provider::Impl::IdToken(const Grant& g,
                                    const std::string& access_token) const {
  const std::int64_t now = Unix(Now());
  const std::string issuer = Issuer();
  const std::string subject = Subject(g.client_id, g.resident_id);
  const std::string at_hash = Sha256Half(access_token);
  return internal::IdTokenJson({.acr = g.acr,
                                .amr = g.amr,
                                .at_hash = at_hash,
                                .aud = g.client_id,
                                .auth_time = Unix(g.auth_time),
                                .exp = now + 3600,
                                .iat = now,
                                .iss = issuer,
                                .nonce = g.nonce,
                                .sid = g.session_state,
                                .sub = subject});
}

Response Provider::Impl::IssueTokens(Grant g, const Client& client) {
  const std::string access = Random();
  const std::string refresh = Random();
  auto id_token = SignEs256Json(IdToken(g, access), *signer, kid);
  if (!id_token) return TokenError("server_error", "could not sign");
  if (client.first_party) {
    FirstPartySubjects::Instance().Remember(
        g.client_id, Subject(g.client_id, g.resident_id), g.resident_id, Now(),
        Now() + std::chrono::hours(1));  // the ID token's exp
  }
  Grant a = g;
  a.expires = Now() + kAccessLifetime;
  Grant r = g;
  r.expires = Now() + kRefreshLifetime;
  {
    std::lock_guard lock(mutex);
    access_tokens[access] = a;
    refresh_tokens[refresh] = r;
  }
  const std::string scope = Join(g.scopes);
  return JsonText(
      200, internal::TokenJson(
               {.access_token = access,
                .expires_in = std::chrono::duration_cast<std::chrono::seconds>(
                                  kAccessLifetime)
                                  .count(),
                .id_token = *id_token,
                .refresh_token = refresh,
                .scope = scope,
                .token_type = "Bearer"}));
}

Response Provider::Impl::Token(const Request& request) {
  if (request.ContentType() != "application/x-www-form-urlencoded") {
    return TokenError("invalid_request",
                      "the body must be application/x-www-form-urlencoded");
  }
  auto form = web::ParseFormBody(request);
  if (!form) return TokenError("invalid_request", "unreadable form");
  std::string why;
  auto authenticated = AuthenticateClient(*form, why);
  if (!authenticated) return TokenError("invalid_client", why);
  const Client* client = authenticated->get();
  const std::string grant_type = form->GetOr("grant_type");
  if (grant_type == "authorization_code") {
    Grant g;
    {
      std::lock_guard lock(mutex);
      Sweep();
      auto it = codes.find(form->GetOr("code"));
      if (it == codes.end()) {
        return TokenError("invalid_grant", "unknown or expired code");
      }
      if (it->second.used) {
        // A code used twice: the tokens it gave are revoked too (RFC 6749
        // §4.1.2).
        const std::string session = it->second.session_state;
        std::erase_if(access_tokens, [&](const auto& t) {
          return t.second.session_state == session;
        });
        std::erase_if(refresh_tokens, [&](const auto& t) {
          return t.second.session_state == session;
        });
        return TokenError("invalid_grant", "the code was used already");
      }
      it->second.used = true;
      g = it->second;
    }
    if (g.expires < Now())
      return TokenError("invalid_grant", "the code expired");
    if (g.client_id != client->client_id) {
      return TokenError("invalid_grant",
                        "the code was issued to another client");
    }
    if (form->GetOr("redirect_uri") != g.redirect_uri) {
      return TokenError("invalid_grant",
                        "redirect_uri differs from the authorization request");
    }
    const std::string verifier = form->GetOr("code_verifier");
    if (verifier.size() < 43 || verifier.size() > 128 ||
        !ConstantEqual(Sha256B64(verifier), g.code_challenge)) {
      return TokenError("invalid_grant",
                        "PKCE verification failed (RFC 7636 §4.6)");
    }
    if (!g.sign_transaction_id.empty() && options.transactions != nullptr) {
      // The relying party may now read the signature (§1.6 step 5).
      (void)options.transactions->Release(g.sign_transaction_id);
    }
    return IssueTokens(g, *client);
  }
  if (grant_type == "client_credentials") {  // the signing API's token
    auto issued =
        client_credentials.Issue(client->client_id, form->GetOr("scope"));
    if (!issued) return TokenError("invalid_scope", issued.error().message());
    return Json(200, *issued);
  }
  if (grant_type == "refresh_token") {
    Grant g;
    {
      std::lock_guard lock(mutex);
      auto it = refresh_tokens.find(form->GetOr("refresh_token"));
      if (it == refresh_tokens.end() || it->second.expires < Now() ||
          it->second.client_id != client->client_id) {
        return TokenError("invalid_grant", "unknown or expired refresh token");
      }
      g = it->second;
      refresh_tokens.erase(it);  // rotated (OAuth 2.1 §4.3.1)
    }
    if (form->Get("scope")) {
      const auto asked = Split(form->GetOr("scope"));
      for (const auto& s : asked) {
        if (!Has(g.scopes, s))
          return TokenError("invalid_scope", "scope " + s + " was not granted");
      }
      g.scopes = asked;
    }
    return IssueTokens(g, *client);
  }
  return TokenError("unsupported_grant_type",
                    "authorization_code, refresh_token or client_credentials");
}

// --- UserInfo ----------------------------------------------------------------

Response Provider::Impl::UserInfo(const Request& request) {
  auto unauthorized = [](std::string_view why) {
    Response r =
        Json(401, {{"error", "invalid_token"}, {"error_description", why}});
    r.AddHeader("WWW-Authenticate",
                "Bearer error=\"invalid_token\", error_description=\"" +
                    std::string(why) + "\"");
    return r;
  };
  const std::string_view auth = request.HeaderValue("Authorization");
  if (auth.size() < 8 ||
      (auth.substr(0, 7) != "Bearer " && auth.substr(0, 7) != "bearer ")) {
    return unauthorized("a Bearer access token is required");
  }
  Grant g;
  {
    std::lock_guard lock(mutex);
    auto it = access_tokens.find(std::string(auth.substr(7)));
    if (it == access_tokens.end() || it->second.expires < Now()) {
      return unauthorized("unknown or expired access token");
    }
    g = it->second;
  }
  std::optional<registry::Resident> resident;
  Status read = options.store->Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(resident, tx.GetResident(g.resident_id));
    return Ok();
  });
  if (!read || !resident) {
    return Json(500,
                {{"error", "server_error"}, {"error_description", "registry"}});
  }
  json out = {{"sub", Subject(g.client_id, g.resident_id)}};
  // Formats (OpenMyna convention, docs/sign-in.md): the name as registered,
  // the address as one string, birthdate YYYY-MM-DD (OIDC Core §5.1),
  // gender "male" | "female" | "unknown".
  if (Has(g.scopes, "name")) out["name"] = resident->name;
  if (Has(g.scopes, "address"))
    out["address"] = {{"formatted", resident->address}};
  if (Has(g.scopes, "birthdate")) out["birthdate"] = resident->date_of_birth;
  if (Has(g.scopes, "gender")) {
    out["gender"] = resident->sex == registry::Sex::kMale     ? "male"
                    : resident->sex == registry::Sex::kFemale ? "female"
                                                              : "unknown";
  }
  // What the app read from the card's input-assist AP, when it did (the
  // national app's source), replaces the registry's copy.
  for (const auto& [name, value] : g.card_attributes.items()) {
    out[name] = name == "address" ? json{{"formatted", value}} : value;
  }
  return Json(200, out);
}

// --- wiring
// --------------------------------------------------------------------

Provider::Provider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Provider::~Provider() = default;

std::string Provider::Issuer() const { return impl_->Issuer(); }

std::optional<std::string> Provider::ClientOfToken(
    std::string_view token) const {
  return impl_->client_credentials.ClientOf(token);
}

Result<std::unique_ptr<Provider>> Provider::Open(ProviderOptions options) {
  auto impl = std::make_unique<Impl>(options);
  const auto dir = options.data_dir / "sign_in";
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(dir));
  const auto key_file = dir / "provider-es256.pem";
  if (auto pem = ReadFileText(key_file); pem) {
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    impl->key.reset(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    if (!impl->key)
      return Fail(SignInErrc::kCrypto, "unreadable " + key_file.string());
  } else {
    impl->key.reset(EVP_EC_gen("P-256"));
    if (!impl->key) return Fail(SignInErrc::kCrypto, "P-256 key generation");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, impl->key.get(), nullptr, nullptr, 0, nullptr,
                             nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    const std::string text(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(key_file, text));
  }
  OPENMYNA_ASSIGN_OR_RETURN(json jwk, PublicJwk(impl->key.get()));
  {
    EVP_PKEY_up_ref(impl->key.get());
    OPENMYNA_ASSIGN_OR_RETURN(impl->signer,
                              JwsKey::Make(pki::EvpPkeyPtr(impl->key.get())));
    if (!impl->signer->can_sign()) {
      return Fail(SignInErrc::kCrypto, key_file.string() + " is not P-256");
    }
  }
  OPENMYNA_ASSIGN_OR_RETURN(impl->kid, JwkThumbprint(jwk));
  const auto secret_file = dir / "pairwise.key";
  if (auto secret = ReadFileBytes(secret_file);
      secret && secret->size() == 32) {
    impl->pairwise_secret = *secret;
  } else {
    impl->pairwise_secret = options.rng->Bytes(32);
    OPENMYNA_RETURN_IF_ERROR(
        WriteFileAtomically(secret_file, ByteView(impl->pairwise_secret)));
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      web::Site site,
      web::Site::FromAssets({std::string(kIssuerPath), "signin_site", ""},
                            web::SignInAssets()));
  impl->site = std::make_unique<web::Site>(std::move(site));
  return std::unique_ptr<Provider>(new Provider(std::move(impl)));
}

Status Provider::AddRoutes(http::Router& router) {
  Impl& s = *impl_;
  const std::string p = std::string(kIssuerPath);
  const std::string o = p + std::string(kProtocol);
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", p + "/.well-known/openid-configuration",
                 [&s](const Request&) { return s.Discovery(); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", o + "/certs", [&s](const Request&) { return s.Certs(); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", o + "/auth", [&s](const Request& r) { return s.Authorize(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", o + "/auth/wait", [&s](const Request& r) { return s.Wait(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", o + "/auth/test-card",
                 [&s](const Request& r) { return s.TestCard(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", o + "/token", [&s](const Request& r) { return s.Token(r); }));
  for (const char* method : {"GET", "POST"}) {
    OPENMYNA_RETURN_IF_ERROR(
        router.Add(method, o + "/userinfo",
                   [&s](const Request& r) { return s.UserInfo(r); }));
  }
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", p + "/app/requests/*",
                 [&s](const Request& r) { return s.AppGet(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", p + "/app/requests/*",
                 [&s](const Request& r) { return s.AppPost(r); }));
  return s.site->AddStaticRoutes(router);
}

}  // namespace openmyna::sign_in
