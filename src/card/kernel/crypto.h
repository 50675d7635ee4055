// OpenSSL 3 (EVP) operations of the chip. Internal to the card library.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"

namespace openmyna::card::crypto {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// AES-256-GCM (NIST SP 800-38D): nonce(12) ‖ ciphertext ‖ tag(16).
Result<Bytes> Seal(ByteView key, ByteView plaintext, std::string_view aad,
                   Rng& rng);
// kBadMasterKey when the tag does not verify (wrong key or altered file).
Result<Bytes> Open(ByteView key, ByteView sealed, std::string_view aad);

struct GeneratedKey {
  Bytes private_pkcs8;
  Bytes public_spki;
};
// RSA-2048, e = 65537, OpenSSL's DRBG.
Result<GeneratedKey> GenerateRsa2048();

Result<Pkey> LoadPrivateKey(ByteView pkcs8);

// RSASSA-PKCS1-v1_5 signature primitive on an already-formed input (RFC
// 8017 §8.2.1 with EMSA-PKCS1-v1_5 type-1 padding applied to `input` as
// given): EVP_PKEY_sign with RSA_PKCS1_PADDING and no digest.
Result<Bytes> SignPkcs1Raw(EVP_PKEY* key, ByteView input);
// RSASSA-PSS (RFC 8017 §8.1) over a SHA-256 hash; MGF1-SHA-256, salt 32.
Result<Bytes> SignPssSha256(EVP_PKEY* key, ByteView sha256_hash);
// sha256WithRSAEncryption over `message`.
Result<Bytes> SignSha256Pkcs1(EVP_PKEY* key, ByteView message);

Bytes Sha256(ByteView data);
// DER DigestInfo for SHA-256 (RFC 8017 §9.2 note 1) ‖ hash.
Bytes Sha256DigestInfo(ByteView hash);
// Empty on an OpenSSL failure (never equal to a real 32-byte MAC).
Bytes HmacSha256(ByteView key, ByteView data);

}  // namespace openmyna::card::crypto
