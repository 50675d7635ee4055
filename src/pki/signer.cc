#include "openmyna/pki/signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "internal/openssl_util.h"
#include "openmyna/base/file_io.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

using internal::CryptoError;

Result<std::unique_ptr<FileKeySigner>> FileKeySigner::Load(
    const std::filesystem::path& key_pem,
    const std::filesystem::path& certificate_pem) {
  auto key_text = ReadFileText(key_pem);
  if (!key_text) {
    return Fail(PkiErrc::kIo, "reading key " + key_pem.string() + ": " +
                                  key_text.error().message());
  }
  auto cert_bytes = ReadFileBytes(certificate_pem);
  if (!cert_bytes) {
    return Fail(PkiErrc::kIo, "reading certificate " +
                                  certificate_pem.string() + ": " +
                                  cert_bytes.error().message());
  }
  internal::BioPtr bio(
      BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  SecureWipe(*key_text);
  if (!key) {
    return Unexpected(CryptoError("parsing key " + key_pem.string()));
  }
  OPENMYNA_ASSIGN_OR_RETURN(X509Ptr cert,
                            internal::CertFromPemOrDer(*cert_bytes));
  return FromObjects(std::move(key), std::move(cert));
}

Result<std::unique_ptr<FileKeySigner>> FileKeySigner::FromObjects(
    EvpPkeyPtr key, X509Ptr cert) {
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return Unexpected(CryptoError("key does not match certificate"));
  }
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key_id, internal::KeyIdentifier(key.get()));
  return std::unique_ptr<FileKeySigner>(
      new FileKeySigner(std::move(key), std::move(cert), std::move(key_id)));
}

Result<Bytes> FileKeySigner::Sign(DigestAlgorithm /*digest*/, ByteView tbs) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, tbs.data(), tbs.size()) !=
          1) {
    return Unexpected(CryptoError("signing"));
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, tbs.data(),
                     tbs.size()) != 1) {
    return Unexpected(CryptoError("signing"));
  }
  signature.resize(length);
  return signature;
}

Result<X509Ptr> SignCertificate(X509* tbs_cert, Signer& signer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes der, SignCertificateDer(tbs_cert, signer));
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return Unexpected(CryptoError("decoding signed certificate"));
  return cert;
}

Result<Bytes> SignCertificateDer(X509* tbs_cert, Signer& signer) {
  // The TBSCertificate carries its own copy of the AlgorithmIdentifier
  // (RFC 5280 §4.1.2.3); OpenSSL has no setter for it outside X509_sign, so
  // the one field is written in place before the TBS is re-encoded.
  auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(tbs_cert));
  if (X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(NID_sha256WithRSAEncryption),
                      V_ASN1_NULL, nullptr) != 1) {
    return Unexpected(CryptoError("setting signature algorithm"));
  }
  unsigned char* tbs_data = nullptr;
  const int tbs_length = i2d_re_X509_tbs(tbs_cert, &tbs_data);
  if (tbs_length <= 0) return Unexpected(CryptoError("encoding TBS"));
  Bytes tbs(tbs_data, tbs_data + tbs_length);
  OPENSSL_free(tbs_data);

  unsigned char* alg_data = nullptr;
  const int alg_length = i2d_X509_ALGOR(tbs_alg, &alg_data);
  if (alg_length <= 0) return Unexpected(CryptoError("encoding algorithm"));
  Bytes alg(alg_data, alg_data + alg_length);
  OPENSSL_free(alg_data);

  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature,
                            signer.Sign(DigestAlgorithm::kSha256, tbs));
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
  //                            signatureValue BIT STRING } (RFC 5280 §4.1)
  Bytes bits{0x00};  // no unused bits
  Append(bits, signature);
  Bytes body = tbs;
  Append(body, alg);
  Append(body, internal::DerTlv(0x03, bits));
  return internal::DerTlv(0x30, body);
}

}  // namespace openmyna::pki
