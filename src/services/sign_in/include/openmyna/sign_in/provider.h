// "Sign in with My Number Card": an OpenID provider shaped like the Digital
// Agency's (sign-in-portal.md §1, §5.2), with the card's JPKI user
// authentication certificate as the authenticator.
//
// Issuer <https base>/api/realms/main; discovery, JWKS, authorization,
// token and UserInfo under it (docs/sign-in.md lists every parameter and
// error). Authorization-code flow (plus client_credentials, only for the
// signing API's Bearer token); state, nonce and PKCE S256 are
// required; clients authenticate with private_key_jwt (RFC 7523, OIDC Core
// §9: RS256 or ES256 keys, aud = the token endpoint, jti used once). The
// card holder's app fetches a structured challenge at <issuer>/app/requests/
// <id>, signs it with the authentication key and posts the certificate and
// signature back; the provider checks the signature, the chain to the
// sandbox authentication CA, validity and revocation (OCSP, or the CRL
// when acr_values says "crl"), maps the certificate to the resident through
// the registry and lets the browser continue to the relying party.
//
// Requests, codes and tokens live in memory (a restart signs everyone out);
// the provider's ES256 key and the pairwise-subject secret are files under
// DIR/sign_in (0600). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/registry/store.h"

namespace openmyna::services {
class SignTransactions;
}

namespace openmyna::sign_in {

inline constexpr std::string_view kIssuerPath = "/api/realms/main";

struct ProviderOptions {
  std::filesystem::path data_dir;
  const Clock* clock = nullptr;              // borrowed
  const http::PublicUrls* urls = nullptr;    // borrowed; issuer = HTTPS URL
  registry::RegistryStore* store = nullptr;  // borrowed
  Rng* rng = nullptr;                        // borrowed
  // Signing for relying parties (scope "sign" with sign_transaction_id,
  // docs/sign-in.md); borrowed; null = signing refused (invalid_scope).
  services::SignTransactions* transactions = nullptr;
  // How long an authorization code may wait for the token request
  // (`serve --set sign-in.code-lifetime=SECONDS`; tests shorten it).
  std::chrono::seconds code_lifetime{60};
  // The test-card substitute page (テストカード代替機能) for clients
  // registered with `rp add --test-cards`: off unless the sandbox asks for
  // it (`serve --set sign-in.test-cards=on`).
  bool test_cards = false;
  // How the OCSP look-up reaches the sandbox's responder (empty: HTTP POST
  // to the URL the certificate's CA serves). `serve` passes its own
  // responder when the "ocsp" service runs in the same process.
  pki::OcspTransport ocsp_transport;
  // The card certificates parsed and the OCSP responses verified, kept by
  // their exact bytes (pki/certificate_cache.h, pki/ocsp_response_cache.h): at
  // this many entries each cache starts afresh; 0 keeps none (`serve --set
  // sign-in.card-cache=N`). A benchmark with fewer cards than this sets it
  // below its card count, so that every sign-in is a card's first, as in a
  // country whose cards outnumber the cache (bench/sign_in).
  std::size_t card_cache = 4096;
};

class Provider {
 public:
  // Loads or creates DIR/sign_in/provider-es256.pem and pairwise.key.
  static Result<std::unique_ptr<Provider>> Open(ProviderOptions options);
  ~Provider();

  Status AddRoutes(http::Router& router);
  // <https base>/api/realms/main (the HTTP base when no HTTPS listens).
  std::string Issuer() const;
  // The client a client-credentials access token was issued to (the
  // signing API's Bearer token); nullopt when unknown or expired.
  std::optional<std::string> ClientOfToken(std::string_view token) const;

  struct Impl;

 private:
  explicit Provider(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::sign_in
