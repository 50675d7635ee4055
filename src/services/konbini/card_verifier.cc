#include "openmyna/services/konbini/card_verifier.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "openmyna/pki/certificate_store.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {

PkiCardVerifier::PkiCardVerifier(std::vector<pki::X509Ptr> roots,
                                 std::string ocsp_url)
    : roots_(std::move(roots)), ocsp_url_(std::move(ocsp_url)) {}

Result<std::string> PkiCardVerifier::Verify(ByteView certificate_der,
                                            ByteView challenge,
                                            ByteView signature, TimePoint at) {
  OPENMYNA_ASSIGN_OR_RETURN(pki::X509Ptr cert,
                            certificates_.Parse(certificate_der));
  // The card's signature over the challenge, with the certificate's key.
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool signed_ok =
      key != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, signature.data(), signature.size(),
                       challenge.data(), challenge.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!signed_ok) {
    return Fail(KonbiniErrc::kBadSignature,
                "the card's signature over the challenge does not verify");
  }
  std::vector<X509*> roots;
  for (const auto& root : roots_) roots.push_back(root.get());
  pki::VerifyOptions options;
  options.at = at;
  options.ocsp_url = ocsp_url_;
  // Current at the centre's clock: under `serve --now` the responder signs
  // at the same clock (RFC 6960 §4.2.2.1 thisUpdate/nextUpdate).
  options.ocsp_current_at = at;
  const pki::CertificateVerdict verdict =
      pki::VerifyCertificate(cert.get(), roots, options);
  if (!verdict.good) {
    return Fail(KonbiniErrc::kRefused,
                "電子証明書を確認できません (" +
                    std::string(pki::VerifyRuleName(verdict.rule)) + ": " +
                    verdict.detail + ")");
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  pki::Serial s;
  s.bytes.assign(serial->data, serial->data + serial->length);
  return s.Hex();
}

}  // namespace openmyna::konbini
