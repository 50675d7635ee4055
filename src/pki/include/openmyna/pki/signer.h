// The one signing interface for CA and OCSP responder keys
// (architecture.md §3): a key file today, a PKCS#11 token later.
#pragma once

#include <filesystem>
#include <memory>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki {

// Digest of the signature scheme. The sandbox CAs sign with
// sha256WithRSAEncryption (RFC 4055 §5, PKCS#1 v1.5), as JPKI (jpki.md §2.2).
enum class DigestAlgorithm { kSha256 };

class Signer {
 public:
  virtual ~Signer() = default;

  // Signs `tbs` (the DER of a TBSCertificate, TBSCertList, ResponseData or
  // CMS signed attributes): hashes it with `digest`, then RSASSA-PKCS1-v1_5.
  // Returns the raw signature (256 bytes for RSA-2048). kCrypto on failure.
  // Thread-safe.
  virtual Result<Bytes> Sign(DigestAlgorithm digest, ByteView tbs) = 0;

  // The certificate of the signing key (a CA root generation or an OCSP
  // responder certificate). Borrowed; lives as long as the Signer.
  virtual X509* certificate() const = 0;
  // Its public key. Borrowed.
  virtual EVP_PKEY* public_key() const = 0;
  // The subjectKeyIdentifier of `certificate()` (SHA-1 of the
  // RSAPublicKey, RFC 5280 §4.2.1.2 method 1): 20 bytes.
  virtual const Bytes& key_identifier() const = 0;

  // The private key as an OpenSSL EVP_PKEY when the key can be used through
  // OpenSSL APIs directly (a key file; a provider-backed token key later),
  // for X509_CRL_sign / OCSP_basic_sign / CMS_sign. Borrowed; may be null
  // for a signer that only offers Sign().
  virtual EVP_PKEY* openssl_private_key() const = 0;
};

// A signer whose private key is a PEM file (PKCS#8, mode 0600).
class FileKeySigner final : public Signer {
 public:
  // Loads the key and certificate. Fails with kIo / kBadCertificate when a
  // file is missing or unparsable, kCrypto when the key does not match the
  // certificate.
  static Result<std::unique_ptr<FileKeySigner>> Load(
      const std::filesystem::path& key_pem,
      const std::filesystem::path& certificate_pem);
  // From objects already in memory (takes ownership).
  static Result<std::unique_ptr<FileKeySigner>> FromObjects(EvpPkeyPtr key,
                                                            X509Ptr cert);

  Result<Bytes> Sign(DigestAlgorithm digest, ByteView tbs) override;
  X509* certificate() const override { return cert_.get(); }
  EVP_PKEY* public_key() const override { return key_.get(); }
  const Bytes& key_identifier() const override { return key_id_; }
  EVP_PKEY* openssl_private_key() const override { return key_.get(); }

 private:
  FileKeySigner(EvpPkeyPtr key, X509Ptr cert, Bytes key_id)
      : key_(std::move(key)),
        cert_(std::move(cert)),
        key_id_(std::move(key_id)) {}
  EvpPkeyPtr key_;
  X509Ptr cert_;
  Bytes key_id_;
};

// Signs the certificate `tbs_cert` (every field but the signature set) with
// `signer`: writes sha256WithRSAEncryption into both AlgorithmIdentifiers
// (RFC 5280 §4.1.1.2, §4.1.2.3), signs the TBSCertificate DER with
// Signer::Sign and returns the complete certificate (newly owned).
Result<X509Ptr> SignCertificate(X509* tbs_cert, Signer& signer);
// The same, returning the DER of the signed certificate without parsing
// it back (the issuance path stores and returns DER).
Result<Bytes> SignCertificateDer(X509* tbs_cert, Signer& signer);

}  // namespace openmyna::pki
