// The parts of JOSE the OpenID provider needs, on OpenSSL 3: base64url
// (RFC 4648 §5), JWK (RFC 7517/7518 §6) for EC P-256 and RSA public keys,
// the JWK thumbprint (RFC 7638), and compact JWS (RFC 7515) signed with
// ES256 and verified with ES256 or RS256 (RFC 7518 §3.3, §3.4). Every other
// "alg" — "none" and the HMAC family first — is refused on verification
// (RFC 8725 §3.1, §3.2).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/sign_in/jws_key.h"

namespace openmyna::sign_in {

std::string Base64UrlEncode(ByteView data);
std::string Base64UrlEncode(std::string_view text);
// Refuses padding, '+', '/' and anything outside the alphabet.
std::optional<Bytes> Base64UrlDecode(std::string_view text);

// The public JWK of an EC P-256 or RSA key (with "kid" and "alg" when
// given); the private JWK adds "d" (EC only).
Result<nlohmann::json> PublicJwk(EVP_PKEY* key, std::string_view kid = {},
                                 std::string_view alg = {});
Result<nlohmann::json> PrivateJwk(EVP_PKEY* key, std::string_view kid = {},
                                  std::string_view alg = {});
// A key from a JWK ("kty" EC with crv P-256, or RSA); private when "d" is
// there (EC only).
Result<pki::EvpPkeyPtr> KeyFromJwk(const nlohmann::json& jwk);
// base64url(SHA-256 of the canonical members), RFC 7638 §3.
Result<std::string> JwkThumbprint(const nlohmann::json& jwk);

// A compact JWS with header {"alg":"ES256","typ":typ,"kid":kid} over
// `payload` (the JSON serialised as is); `key` is P-256.
Result<std::string> SignEs256(const nlohmann::json& payload, EVP_PKEY* key,
                              std::string_view kid,
                              std::string_view typ = "JWT");
// The same with a key made ready once (jws_key.h; must can_sign()).
Result<std::string> SignEs256(const nlohmann::json& payload, const JwsKey& key,
                              std::string_view kid,
                              std::string_view typ = "JWT");

// The same over `payload_json`, a JSON object already written as text (the
// provider's ID token: answers.h), signed as it is.
Result<std::string> SignEs256Json(std::string_view payload_json,
                                  const JwsKey& key, std::string_view kid,
                                  std::string_view typ = "JWT");

struct VerifiedJws {
  nlohmann::json header;
  nlohmann::json payload;
};

// Splits a compact JWS; kInvalid when malformed (not three parts, bad
// base64url, header or payload not a JSON object).
Result<VerifiedJws> DecodeJws(std::string_view compact);
// Verifies a compact JWS with one of `keys` (JWKs): the header's alg must be
// ES256 or RS256 and match the key type; with a "kid" only the key of that
// kid is tried. Returns the decoded parts; kInvalid for a bad signature,
// an unsupported alg or no usable key.
Result<VerifiedJws> VerifyJws(std::string_view compact,
                              const std::vector<nlohmann::json>& keys);
// The same with made[i] the key made from keys[i] before (a client's keys,
// made once: clients.h); where it is null or missing the key is made here.
Result<VerifiedJws> VerifyJws(
    std::string_view compact, const std::vector<nlohmann::json>& keys,
    const std::vector<std::shared_ptr<const JwsKey>>& made);
// VerifyJws's check of the signature alone, for a JWS that DecodeJws split
// into `decoded` already (its header names the alg and kid): decoded once
// where the caller reads the payload before it knows the keys.
Status VerifyJwsSignature(
    std::string_view compact, const VerifiedJws& decoded,
    const std::vector<nlohmann::json>& keys,
    const std::vector<std::shared_ptr<const JwsKey>>& made);

}  // namespace openmyna::sign_in
