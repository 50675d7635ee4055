// Compact JWE (RFC 7516 §7.1) for the signing API's result, on OpenSSL 3:
// the content encrypted with A256GCM (RFC 7518 §5.3) under a fresh key that
// reaches the relying party by RSA-OAEP-256 (§4.3) to an RSA key, or by
// ECDH-ES in direct key agreement (§4.6, Concat KDF of NIST SP 800-56A
// §5.8.1) with a P-256 key. The JWK's "kid", when present, is in the
// protected header.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::sign_in {

// kInvalid for a JWK that is neither RSA nor EC P-256, kCrypto when OpenSSL
// fails. `cty` goes into the header when not empty.
Result<std::string> EncryptJwe(std::string_view plaintext,
                               const nlohmann::json& public_jwk, Rng& rng,
                               std::string_view cty = "JSON");

// The plaintext of a compact JWE made as above (alg RSA-OAEP-256 or
// ECDH-ES, enc A256GCM), opened with the recipient's private key: what a
// relying party does with the signing API's result. kInvalid for another
// shape or algorithm, kCrypto when the key does not open it or the tag
// (over the protected header too) does not verify.
Result<std::string> DecryptJwe(std::string_view compact, EVP_PKEY* private_key);

}  // namespace openmyna::sign_in
