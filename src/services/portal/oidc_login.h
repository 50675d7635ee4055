// The portal as a relying party of the OpenID provider (services/sign_in;
// not public): the authorization-code flow with PKCE S256, state and nonce
// (OIDC Core §3.1, RFC 7636), private_key_jwt with the portal's own ES256
// key (RFC 7523), the ID token checked here (signature by the provider's
// JWKS, iss, aud, exp, iat, nonce, at_hash), then the first-party seam
// (sign_in/first_party.h) for the resident behind the pairwise `sub`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/portal/portal.h"
#include "openmyna/web/form.h"

namespace openmyna::portal {

inline constexpr std::string_view kPortalClientId = "MynaPortal";

// What the callback ends with: the resident, or the message key to show
// (and the provider's words, shown after it).
struct LoginOutcome {
  std::string resident_id;
  std::string error_key;
  std::string detail;
};

class OidcLogin {
 public:
  // Loads or makes the client key DIR/portal/client-es256.jwk.json (0600).
  static Result<std::unique_ptr<OidcLogin>> Open(LoginOptions options,
                                                 std::string base_path,
                                                 const Clock& clock, Rng& rng);

  // Registers the client for the current redirect URI and opens a login
  // transaction (state, nonce, PKCE verifier; 10 min) kept here under a
  // random id that goes in the browser's login cookie — not in the page
  // session, so that the idle timeout does not end a login while the card
  // holder types the PIN. Returns the authorization request's URL.
  Result<std::string> Start(std::string& transaction_id);
  // The redirect back (RFC 6749 §4.1.2, RFC 9207 iss) of the transaction
  // named by the login cookie (ended here, whatever the outcome): checks,
  // the code exchanged at the token endpoint, the ID token verified, the
  // resident resolved.
  LoginOutcome Finish(const web::Form& query, std::string_view transaction_id);

  static constexpr std::string_view kCookie = "openmyna_portal_login";
  std::string Issuer() const;
  std::string RedirectUri() const;

  // Signing with the card's signature key (docs/sign-in.md, "Signing for
  // relying parties"): a client_credentials token, POST
  // /api/sign-transactions with `digest_info`, then the authorization
  // request with scope "openid sign" and the sign_transaction_id, answered
  // at SignRedirectUri(). `context` stays here with the transaction (10
  // min) and comes back from FinishSigning. The transaction id goes in the
  // browser's kSignCookie.
  Result<std::string> StartSigning(ByteView digest_info, std::string context,
                                   std::string& transaction_id);
  struct SigningOutcome {
    LoginOutcome login;  // error_key set: refused (no signature below)
    std::string context;
    Bytes digest_info, signature, certificate;  // DER certificate
  };
  // The redirect back: as Finish, then the result read once from
  // /api/sign-transactions/{id}/result and decrypted with the client key.
  SigningOutcome FinishSigning(const web::Form& query,
                               std::string_view transaction_id);
  static constexpr std::string_view kSignCookie = "openmyna_portal_sign";
  std::string SignRedirectUri() const;

 private:
  OidcLogin(LoginOptions options, std::string base_path, const Clock& clock,
            Rng& rng)
      : options_(std::move(options)),
        base_path_(std::move(base_path)),
        clock_(clock),
        rng_(rng) {}
  struct Transaction {
    std::string state, nonce, verifier;
    TimePoint expires;
    // Signing only:
    std::string sign_transaction_id, bearer, context;
    Bytes digest_info;
  };
  std::string Random();
  std::string ClientAssertion();
  // Registers the client (both redirect URIs) when the base URL changed.
  Status Register();
  // Keeps a new transaction; returns the authorization request's URL.
  Result<std::string> Open(std::string& transaction_id, Transaction t,
                           const std::string& scope,
                           const std::string& redirect_uri);
  // The transaction named by the cookie, ended (one answer per request);
  // nullopt when unknown or expired.
  std::optional<Transaction> Take(std::string_view transaction_id);
  // State, iss, error, the code exchanged, the ID token verified, the
  // resident resolved through the first-party seam.
  LoginOutcome Redeem(const web::Form& query,
                      const std::optional<Transaction>& t,
                      const std::string& redirect_uri);
  // A request to this server's routes (the provider and the signing API).
  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& body, const std::string& type,
                      const std::string& bearer);
  // `endpoint`: "token", "certs", or a path under the issuer ("/.well-…").
  Result<nlohmann::json> BackChannel(const std::string& method,
                                     const std::string& endpoint,
                                     const std::string& body);

  LoginOptions options_;
  std::string base_path_;
  const Clock& clock_;
  Rng& rng_;
  pki::EvpPkeyPtr key_;
  nlohmann::json public_jwk_;
  std::string kid_;
  std::mutex mutex_;
  std::string registered_for_;  // the redirect URI registered last
  std::map<std::string, Transaction> transactions_;
};

}  // namespace openmyna::portal
