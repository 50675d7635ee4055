// The demo relying party's signing demo (docs/sign-in.md "The demo relying
// party"), as a relying party calls the signing API: a client-credentials
// token (private_key_jwt), POST /api/sign-transactions with the SHA-256 of
// its document, and — after the holder signed through the authorization
// request and the code was exchanged — GET /api/sign-transactions/{id}/
// result, a JWE it opens with its own key; then it checks the signature
// over its document and the certificate's chain to the sandbox signature
// CA, validity and OCSP. Private to the demo_rp library.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::demo_rp {

// The demo relying party as an OAuth client of the provider.
struct RpClient {
  std::string client_id;
  std::string issuer;        // <https base>/api/realms/main
  std::string api;           // <https base>/api/sign-transactions
  std::string trusted_root;  // DIR/tls/root.pem
  EVP_PKEY* key = nullptr;   // its P-256 key; borrowed
  std::string kid;
  const Clock* clock = nullptr;  // borrowed
  Rng* rng = nullptr;            // borrowed

  std::string TokenEndpoint() const {
    return issuer + "/protocol/openid-connect/token";
  }
  // A private_key_jwt client assertion for the token endpoint (RFC 7523).
  Result<std::string> Assertion() const;
};

// grant_type=client_credentials, scope sign: the API's Bearer token.
Result<std::string> ServiceToken(const RpClient& rp);
// A new sign transaction for `document`'s SHA-256; its id.
Result<std::string> CreateSignTransaction(const RpClient& rp,
                                          const std::string& token,
                                          std::string_view document);

// What the demo shows of a signed document.
struct SignedDocument {
  std::string sha256_hex;       // of the document
  std::string signature_b64;    // the card's RSA signature (base64)
  std::string certificate_pem;  // the signature certificate
  std::string signer;           // its subject CN (the holder's name)
  std::string signed_at;
  bool signature_ok = false;       // RSA PKCS#1 v1.5 SHA-256 over the document
  bool certificate_ok = false;     // chain, validity, OCSP good
  std::string certificate_detail;  // pki's verdict
  nlohmann::json ToJson() const;
};

// Reads the result, opens the JWE and checks it against `document`.
Result<SignedDocument> ReadSignResult(const RpClient& rp,
                                      const std::string& token,
                                      const std::string& transaction_id,
                                      std::string_view document,
                                      const std::filesystem::path& data_dir,
                                      const pki::OcspTransport& ocsp);

}  // namespace openmyna::demo_rp
