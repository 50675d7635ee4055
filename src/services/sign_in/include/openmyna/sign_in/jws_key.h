// An OpenSSL key made ready for compact JWS once: RS256/ES256 verification
// (RFC 7518 §3.3, §3.4: SHA-256) and, for a private P-256 key, ES256
// signing. The DigestVerify/DigestSign contexts are set up here (the
// signature algorithm and SHA-256 fetched from the provider once) and each
// use works on a copy (EVP_MD_CTX_copy_ex), instead of an
// EVP_DigestVerifyInit per request: a client's keys are made when
// clients.json is read, the provider's key when it starts. Immutable after
// Make; threads share it.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::sign_in {

class JwsKey {
 public:
  // kCrypto when OpenSSL cannot set up verification with `key` (signing is
  // set up only for a private EC key: can_sign()).
  static Result<std::shared_ptr<const JwsKey>> Make(pki::EvpPkeyPtr key);
  ~JwsKey();
  JwsKey(const JwsKey&) = delete;
  JwsKey& operator=(const JwsKey&) = delete;

  EVP_PKEY* get() const { return key_.get(); }
  bool can_sign() const { return sign_ != nullptr; }
  // `signature` over `input` with SHA-256: PKCS#1 v1.5 for RSA, a DER
  // ECDSA-Sig-Value for EC.
  bool Verify(std::string_view input, ByteView signature) const;
  // The DER ECDSA-Sig-Value over `input` (nullopt without a private key).
  std::optional<Bytes> Sign(std::string_view input) const;

 private:
  JwsKey() = default;
  pki::EvpPkeyPtr key_;
  EVP_MD_CTX* verify_ = nullptr;  // initialised, never used itself
  EVP_MD_CTX* sign_ = nullptr;
};

}  // namespace openmyna::sign_in
