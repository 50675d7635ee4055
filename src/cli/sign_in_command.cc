// "Sign in with My Number Card" (issue 9; docs/sign-in.md):
//   serve service "sign_in": the OpenID provider under /api/realms/main;
//   `openmyna rp add|list|remove`: relying parties (clients);
//   `openmyna app login <link>`: the card holder's app on this machine,
//   reading the card through PC/SC (card/client) and answering the
//   provider's challenge with the authentication key.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app_http.h"
#include "cli/card_session.h"
#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/in_process_ocsp.h"
#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/errors.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/card/client/text_ap_client.h"
#include "openmyna/http/errors.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/tls.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/sign_transactions.h"
#include "openmyna/sign_in/clients.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/sign_in/jwe.h"
#include "openmyna/sign_in/provider.h"

namespace openmyna::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// --- serve -------------------------------------------------------------------

class SignInHttpService final : public http::Service {
 public:
  SignInHttpService(std::unique_ptr<registry::RegistryStore> store,
                    std::unique_ptr<OpenSslRng> rng)
      : store_(std::move(store)), rng_(std::move(rng)) {}
  std::unique_ptr<registry::RegistryStore> store_;
  std::unique_ptr<OpenSslRng> rng_;
  std::unique_ptr<services::SignTransactions> transactions_;
  std::unique_ptr<sign_in::Provider> provider_;
};

// The key a sign result is encrypted to: the client's key marked
// "use":"enc", else its first (the national API encrypts to the key the
// relying party registered).
Result<std::string> EncryptToClient(const fs::path& data_dir,
                                    std::string_view client_id,
                                    std::string_view plaintext, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(sign_in::Client client,
                            sign_in::ClientStore(data_dir).Find(client_id));
  if (client.keys.empty()) {
    return Fail(BaseErrc::kInvalidArgument, "the client has no key");
  }
  const json* key = &client.keys.front();
  for (const json& k : client.keys) {
    if (k.value("use", "") == "enc") key = &k;
  }
  return sign_in::EncryptJwe(plaintext, *key, rng);
}

// `serve --set sign-in.sign-transaction-lifetime=SECONDS` (default 600).
Result<std::chrono::seconds> TransactionLifetime(
    const http::ServiceContext& c) {
  auto it = c.settings.find("sign-in.sign-transaction-lifetime");
  if (it == c.settings.end()) {
    return services::SignTransactions::kDefaultLifetime;
  }
  char* end = nullptr;
  const long seconds = std::strtol(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || seconds < 1 ||
      seconds > 86400) {
    return Fail(BaseErrc::kInvalidArgument,
                "sign-in.sign-transaction-lifetime: 1..86400 seconds");
  }
  return std::chrono::seconds(seconds);
}

const http::ServiceRegistration kSignInService{
    "sign_in",
    "Sign in with My Number Card: the OpenID provider at /api/realms/main",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      OPENMYNA_ASSIGN_OR_RETURN(
          std::string target, registry::RegistryDatabaseTarget("", c.data_dir));
      OPENMYNA_ASSIGN_OR_RETURN(
          auto store, registry::RegistryStore::Open(target, *c.clock));
      auto service = std::make_unique<SignInHttpService>(
          std::move(store), std::make_unique<OpenSslRng>());
      OPENMYNA_ASSIGN_OR_RETURN(std::chrono::seconds lifetime,
                                TransactionLifetime(c));
      service->transactions_ = std::make_unique<services::SignTransactions>(
          *c.clock, *service->rng_, lifetime);
      sign_in::ProviderOptions options;
      options.data_dir = c.data_dir;
      options.clock = c.clock;
      options.urls = c.urls;
      options.store = service->store_.get();
      options.rng = service->rng_.get();
      options.transactions = service->transactions_.get();
      options.ocsp_transport = InProcessOrHttpOcsp();
      if (auto on = c.settings.find("sign-in.test-cards");
          on != c.settings.end()) {
        if (on->second != "on" && on->second != "off") {
          return Fail(
              http::HttpErrc::kBadRoute,
              "sign-in.test-cards must be on or off, got '" + on->second + "'");
        }
        options.test_cards = on->second == "on";
      }
      if (auto it = c.settings.find("sign-in.code-lifetime");
          it != c.settings.end()) {
        int seconds = 0;
        const std::string& text = it->second;
        const auto [end, ec] =
            std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec != std::errc() || end != text.data() + text.size() ||
            seconds < 1 || seconds > 600) {
          return Fail(http::HttpErrc::kBadRoute,
                      "sign-in.code-lifetime must be 1 to 600 seconds, got '" +
                          text + "'");
        }
        options.code_lifetime = std::chrono::seconds(seconds);
      }
      if (auto it = c.settings.find("sign-in.card-cache");
          it != c.settings.end()) {
        std::size_t entries = 0;
        const std::string& text = it->second;
        const auto [end, ec] =
            std::from_chars(text.data(), text.data() + text.size(), entries);
        if (ec != std::errc() || end != text.data() + text.size() ||
            entries > 1'000'000) {
          return Fail(http::HttpErrc::kBadRoute,
                      "sign-in.card-cache must be 0 to 1000000 entries, got "
                      "'" +
                          text + "'");
        }
        options.card_cache = entries;
      }
      OPENMYNA_ASSIGN_OR_RETURN(service->provider_,
                                sign_in::Provider::Open(options));
      OPENMYNA_RETURN_IF_ERROR(service->provider_->AddRoutes(router));
      // The signing API (docs/sign-in.md): its Bearer tokens come from the
      // provider's client_credentials grant.
      sign_in::Provider* provider = service->provider_.get();
      Rng* rng = service->rng_.get();
      OPENMYNA_RETURN_IF_ERROR(services::AddSignTransactionRoutes(
          router, *service->transactions_,
          [provider](std::string_view token) {
            return provider->ClientOfToken(token);
          },
          [data_dir = c.data_dir, rng](std::string_view client_id,
                                       std::string_view plaintext) {
            return EncryptToClient(data_dir, client_id, plaintext, *rng);
          }));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

// --- rp
// ------------------------------------------------------------------------

struct RpOptions {
  std::string name, redirect_uri, jwks_file, client_id;
  bool json_output = false;
  bool test_cards = false;
};

void RunRpAdd(const RpOptions& o, Context& context) {
  sign_in::Client client;
  client.name = o.name;
  client.redirect_uris = {o.redirect_uri};
  client.test_cards = o.test_cards;
  client.client_id = o.client_id;
  pki::EvpPkeyPtr key;
  if (!o.jwks_file.empty()) {
    auto text = ReadFileText(o.jwks_file);
    if (!text) return context.BadInput("--jwks-file", text.error().message());
    const json jwks = json::parse(*text, nullptr, false);
    if (!jwks.is_object() || !jwks.contains("keys") ||
        !jwks["keys"].is_array()) {
      return context.BadInput("--jwks-file",
                              "not a JWK Set ({\"keys\": [...]})");
    }
    for (const json& k : jwks["keys"]) client.keys.push_back(k);
  } else {
    key.reset(EVP_EC_gen("P-256"));
    auto jwk = sign_in::PublicJwk(key.get(), "", "ES256");
    if (!jwk) return context.Failed(jwk.error());
    auto kid = sign_in::JwkThumbprint(*jwk);
    if (!kid) return context.Failed(kid.error());
    (*jwk)["kid"] = *kid;
    client.keys.push_back(*jwk);
  }
  OpenSslRng rng;
  sign_in::ClientStore store(context.DataDir());
  auto added = store.Add(client, rng);
  if (!added) return context.BadInput("rp add", added.error().message());
  std::string key_file;
  if (key) {
    key_file = (context.DataDir() / "sign_in" / "keys" /
                (added->client_id + ".jwk.json"))
                   .string();
    auto jwk = sign_in::PrivateJwk(
        key.get(), added->keys.front()["kid"].get<std::string>(), "ES256");
    if (!jwk) return context.Failed(jwk.error());
    if (Status s = EnsurePrivateDirectory(fs::path(key_file).parent_path());
        !s) {
      return context.Failed(s.error());
    }
    if (Status s = WriteFileAtomically(key_file, jwk->dump(2) + "\n"); !s) {
      return context.Failed(s.error());
    }
  }
  if (o.json_output) {
    json out = {{"client_id", added->client_id}};
    out["key_file"] = key_file.empty() ? json(nullptr) : json(key_file);
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("client_id     %s\nname          %s\nredirect_uri  %s\n",
              added->client_id.c_str(), added->name.c_str(),
              o.redirect_uri.c_str());
  if (!key_file.empty()) {
    std::printf(
        "private key   %s (a private JWK, ES256, 0600: sign the client "
        "assertion with it; only the public key is registered)\n",
        key_file.c_str());
  }
}

void RunRpList(const RpOptions& o, Context& context) {
  sign_in::ClientStore store(context.DataDir());
  auto all = store.List();
  if (!all) return context.Failed(all.error());
  if (o.json_output) {
    json out = json::array();
    for (const auto& c : *all) out.push_back(sign_in::ToJson(c));
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (const auto& c : *all) {
    std::string uris;
    for (const auto& u : c.redirect_uris) uris += " " + u;
    std::printf("%s  %s %s%s\n", c.client_id.c_str(), c.name.c_str(),
                uris.c_str(), c.test_cards ? "  (test cards)" : "");
  }
}

void RunRpRemove(const RpOptions& o, Context& context) {
  sign_in::ClientStore store(context.DataDir());
  if (Status s = store.Remove(o.client_id); !s) {
    return context.BadInput("client_id", s.error().message());
  }
  std::printf("removed %s\n", o.client_id.c_str());
}

void AddRp(CLI::App& app, Context& context) {
  auto o = std::make_shared<RpOptions>();
  CLI::App* rp = app.add_subcommand(
      "rp", "Relying parties of \"Sign in with My Number Card\" (clients)");
  rp->require_subcommand(1);
  CLI::App* add = rp->add_subcommand(
      "add",
      "Register a client (private_key_jwt). Without --jwks-file a P-256 key "
      "pair is made and its private JWK written to DIR/sign_in/keys/ (0600)");
  add->add_option("--name", o->name, "Name shown to the card holder")
      ->required();
  add->add_option("--redirect-uri", o->redirect_uri,
                  "Redirect URI (exact match)")
      ->required();
  add->add_option("--jwks-file", o->jwks_file, "The client's public JWK Set");
  add->add_option("--client-id", o->client_id,
                  "Client id [0-9a-zA-Z]{1,255} (default: RP + 16 digits)");
  add->add_flag("--test-cards", o->test_cards,
                "Enable the test-card substitute page for this client");
  add->add_flag("--json", o->json_output,
                "Print {\"client_id\": ..., \"key_file\": ...}");
  add->callback([o, &context] { RunRpAdd(*o, context); });
  CLI::App* list = rp->add_subcommand("list", "List the clients");
  list->add_flag("--json", o->json_output, "JSON output");
  list->callback([o, &context] { RunRpList(*o, context); });
  CLI::App* remove = rp->add_subcommand("remove", "Remove a client");
  remove->add_option("client_id", o->client_id, "The client id")->required();
  remove->callback([o, &context] { RunRpRemove(*o, context); });
}

const CommandGroup kRpGroup{"rp", 60, &AddRp};

// --- app
// -----------------------------------------------------------------------

struct AppOptions {
  std::string link, reader, pin_env, pin_file, input_assist_pin_env, cacert;
};

// The app tells the provider what went wrong with the card, so that the
// browser returns to the relying party with the same error.
void ReportToProvider(const std::string& link, const std::string& cacert,
                      const std::string& error) {
  (void)HttpsRequest(link, true, json{{"error", error}}.dump(), cacert);
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// The basic attributes the relying party asked for, read from the card's
// input-assist AP (券面事項入力補助AP, card-apdu.md §5, §8.3) with its PIN:
// shown (as the OIDC claims: name as on the card, address, birthdate
// YYYY-MM-DD, gender male | female | unknown; docs/sign-in.md) and returned
// as EF 0002 and EF 0003 (base64url) for the provider.
Result<json> ReadCardAttributes(card::client::ApduChannel& channel,
                                const std::string& pin_env,
                                const std::vector<std::string>& scopes) {
  const char* value = std::getenv(pin_env.c_str());
  if (value == nullptr) {
    return Fail(BaseErrc::kInvalidArgument,
                "--input-assist-pin-env: " + pin_env + " is not set");
  }
  std::string pin = value;
  card::client::TextApClient text(channel);
  OPENMYNA_RETURN_IF_ERROR(text.SelectAp());
  auto status = text.Login(pin);
  SecureWipe(pin);
  if (!status) return Unexpected(status.error());
  using State = card::client::PinStatus::State;
  if (status->state == State::kBlocked) {
    return Fail(BaseErrc::kInvalidArgument,
                "the input-assist PIN is blocked; it can be reset at the "
                "municipal office");
  }
  if (status->state != State::kVerified) {
    return Fail(BaseErrc::kInvalidArgument,
                "wrong input-assist PIN (" +
                    std::to_string(status->tries_left) + " tries left)");
  }
  // The files as the card holds them: the provider checks the data
  // issuer's signature in EF 0003 over them and decodes EF 0002 itself.
  OPENMYNA_ASSIGN_OR_RETURN(Bytes ef0002, text.ReadBasicInfoEf());
  OPENMYNA_ASSIGN_OR_RETURN(Bytes ef0003, text.ReadIntegrityEf());
  OPENMYNA_ASSIGN_OR_RETURN(card::client::CardBasicInfo info,
                            card::client::DecodeBasicInfo(ef0002));
  const std::string& b = info.birth;
  const json all = {
      {"name", info.name},
      {"address", info.address},
      {"birthdate", b.substr(0, 4) + "-" + b.substr(4, 2) + "-" + b.substr(6)},
      {"gender", info.sex == "1"   ? "male"
                 : info.sex == "2" ? "female"
                                   : "unknown"}};
  for (const auto& [name, v] : all.items()) {
    if (std::find(scopes.begin(), scopes.end(), name) != scopes.end()) {
      std::printf("  from the card (input-assist AP): %s = %s\n", name.c_str(),
                  v.get<std::string>().c_str());
    }
  }
  return json{{"ef0002", sign_in::Base64UrlEncode(ef0002)},
              {"ef0003", sign_in::Base64UrlEncode(ef0003)}};
}

void RunAppLogin(const AppOptions& o, Context& context) {
  const std::string cacert =
      o.cacert.empty() ? pki::TlsFilesOf(context.DataDir()).root_pem.string()
                       : o.cacert;
  // The QR text is the link itself.
  auto got = HttpsRequest(o.link, false, "", cacert);
  if (!got) return context.Failed(got.error());
  const json request = json::parse(got->body, nullptr, false);
  if (got->status == 200 && request.is_object() &&
      request.value("key", "") == "signature") {
    return context.BadInput("link",
                            "this is a signing request: answer it with "
                            "`openmyna app sign <link>`");
  }
  if (got->status != 200 || !request.is_object() ||
      !request.contains("challenge")) {
    std::fprintf(stderr,
                 "openmyna app: the provider has no such request (%d): %s\n",
                 got->status, DetailOf(got->body).c_str());
    return context.SetExitCode(kExitFailed);
  }
  const std::string challenge = request["challenge"];
  const json fields = json::parse(challenge, nullptr, false);
  std::printf("%s asks you to sign in with your My Number Card.\n",
              request.value("client_name", "?").c_str());
  std::printf("  scope: %s\n", request.value("scope", "").c_str());
  if (fields.is_object() &&
      fields.value("exp", std::int64_t{0}) <
          std::chrono::duration_cast<std::chrono::seconds>(
              SystemClock().Now().time_since_epoch())
              .count()) {
    std::fprintf(stderr, "openmyna app: the request has expired\n");
    return context.SetExitCode(kExitFailed);
  }
  using card::client::JpkiKey;
  using card::client::PinStatus;
  // One PIN source: --pin-env, --pin-file or a prompt (cli/card_session.h).
  const CardOptions source{.pin_env = o.pin_env, .pin_file = o.pin_file};
  std::string pin;
  if (!ReadPin(source, JpkiKey::kAuthentication, context, pin)) return;
  auto normalized = card::client::NormalizePin(JpkiKey::kAuthentication, pin);
  SecureWipe(pin);
  if (!normalized) {
    return context.BadInput(o.pin_file.empty() ? "--pin-env" : "--pin-file",
                            normalized.error().message());
  }
  auto reader = card::client::PcscCard::Connect(o.reader);
  if (!reader) {
    SecureWipe(*normalized);
    return context.Failed(reader.error());
  }
  card::client::JpkiClient jpki(**reader);
  if (Status s = jpki.SelectAp(); !s) {
    SecureWipe(*normalized);
    return context.Failed(s.error());
  }
  auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
  if (!cert) {
    SecureWipe(*normalized);
    // Every card carries the user authentication certificate except the
    // face-authentication card (顔認証マイナンバーカード), which has no PIN
    // set and cannot be used where a PIN is needed (the guidebook). Its
    // PIN answers the empty VERIFY as unusable (no try is spent).
    auto pin_state = jpki.QueryPin(JpkiKey::kAuthentication);
    if (pin_state && pin_state->state == PinStatus::State::kBlocked) {
      ReportToProvider(o.link, cacert, "face_auth_card");
      std::fprintf(stderr,
                   "openmyna app: face_auth_card: this is a face-"
                   "authentication My Number Card (顔認証マイナンバーカード, "
                   "暗証番号を設定しない個人番号カード): it has no PIN and no "
                   "user authentication certificate, so it cannot be used "
                   "for services that need a PIN such as signing in. The "
                   "relying party was told: access_denied (face_auth_card)\n");
      return context.SetExitCode(kExitFailed);
    }
    ReportToProvider(o.link, cacert, "no_authentication_certificate");
    std::fprintf(stderr,
                 "openmyna app: the card has no user authentication "
                 "certificate (%s)\n",
                 cert.error().message().c_str());
    return context.SetExitCode(kExitFailed);
  }
  // Login never sends the PIN to a blocked key (the counter stays as is).
  auto status = jpki.Login(JpkiKey::kAuthentication, *normalized);
  SecureWipe(*normalized);
  if (!status) return context.Failed(status.error());
  if (status->state == PinStatus::State::kBlocked) {
    ReportToProvider(o.link, cacert, "pin_blocked");
    std::fprintf(stderr,
                 "openmyna app: the authentication PIN is blocked (no tries "
                 "left); it can be reset only at the municipal office. The "
                 "relying party was told: access_denied (pin_blocked)\n");
    return context.SetExitCode(kExitFailed);
  }
  if (status->state == PinStatus::State::kTriesLeft) {
    std::fprintf(stderr,
                 "openmyna app: wrong authentication PIN (%d tries left)\n",
                 status->tries_left);
    return context.SetExitCode(kExitFailed);
  }
  // DigestInfo(SHA-256, SHA-256(challenge)) for the card to pad and sign
  // (RFC 8017 §9.2).
  Bytes digest_info = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                       0x01, 0x05, 0x00, 0x04, 0x20};
  unsigned char hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(challenge.data()),
         challenge.size(), hash);
  digest_info.insert(digest_info.end(), hash, hash + SHA256_DIGEST_LENGTH);
  auto signature = jpki.Sign(JpkiKey::kAuthentication, digest_info);
  (void)jpki.Logout();
  if (!signature) return context.Failed(signature.error());
  json answer = {{"certificate", sign_in::Base64UrlEncode(*cert)},
                 {"signature", sign_in::Base64UrlEncode(*signature)}};
  if (request.value("attributes_requested", false) &&
      !o.input_assist_pin_env.empty()) {
    auto attributes =
        ReadCardAttributes(**reader, o.input_assist_pin_env,
                           Split(request.value("scope", std::string())));
    if (!attributes) return context.Failed(attributes.error());
    answer["input_assist"] = *attributes;
  }
  auto posted = HttpsRequest(o.link, true, answer.dump(), cacert);
  if (!posted) return context.Failed(posted.error());
  const json outcome = json::parse(posted->body, nullptr, false);
  if (posted->status != 200 || !outcome.is_object()) {
    std::fprintf(stderr, "openmyna app: sign-in refused: %s\n",
                 outcome.is_object()
                     ? outcome.value("detail", posted->body).c_str()
                     : posted->body.c_str());
    return context.SetExitCode(kExitNegative);
  }
  std::printf(
      "Signed in to %s. Released: %s. Your browser continues by itself.\n",
      outcome.value("client_name", "?").c_str(),
      outcome["released"].dump().c_str());
}

void AddApp(CLI::App& app, Context& context) {
  auto o = std::make_shared<AppOptions>();
  CLI::App* cmd = app.add_subcommand(
      "app",
      "The card holder's app on this machine (reads the card via PC/SC)");
  cmd->require_subcommand(1);
  CLI::App* login = cmd->add_subcommand(
      "login",
      "Answer a sign-in request: its link (or the text of its QR code)");
  login->add_option("link", o->link, "The request's link or QR text")
      ->required();
  login->add_option("--reader", o->reader,
                    "PC/SC reader name (default: first)");
  login->add_option(
      "--pin-env", o->pin_env,
      "Environment variable holding the 4-digit authentication PIN");
  login->add_option("--pin-file", o->pin_file,
                    "File whose first line is the PIN (with neither, the PIN "
                    "is asked on the terminal)");
  login->add_option("--input-assist-pin-env", o->input_assist_pin_env,
                    "Environment variable holding the 4-digit input-assist "
                    "AP PIN: the asked-for basic attributes are then read "
                    "from the card (else the provider uses the registry's)");
  login->add_option("--cacert", o->cacert,
                    "TLS root to trust (default: DIR/tls/root.pem)");
  login->callback([o, &context] { RunAppLogin(*o, context); });
}

const CommandGroup kAppGroup{"app", 61, &AddApp};

}  // namespace
}  // namespace openmyna::cli
