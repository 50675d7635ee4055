#include "openmyna/pki/cms.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "internal/openssl_util.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

using internal::BioPtr;
using internal::CryptoError;

Result<Bytes> SignDetached(ByteView content, EVP_PKEY* key, X509* signer_cert,
                           const Clock& clock) {
  constexpr unsigned kFlags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) return Unexpected(CryptoError("CMS_sign"));
  CMS_SignerInfo* si =
      CMS_add1_signer(cms.get(), signer_cert, key, EVP_sha256(), kFlags);
  if (si == nullptr) return Unexpected(CryptoError("CMS_add1_signer"));
  // signingTime from the injected clock (RFC 5652 §11.3); OpenSSL would
  // otherwise read the system clock.
  ASN1_TIME* when = ASN1_TIME_new();
  internal::SetAsn1Time(when, clock.Now());
  const int added = CMS_signed_add1_attr_by_NID(
      si, NID_pkcs9_signingTime, ASN1_STRING_type(when), when, -1);
  ASN1_TIME_free(when);
  if (added != 1) return Unexpected(CryptoError("signingTime"));
  BioPtr data(
      BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  if (CMS_final(cms.get(), data.get(), nullptr, CMS_DETACHED | CMS_BINARY) !=
      1) {
    return Unexpected(CryptoError("CMS_final"));
  }
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (length <= 0) return Unexpected(CryptoError("encoding CMS"));
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Result<CmsVerdict> VerifyDetached(ByteView cms_data, ByteView content,
                                  const std::vector<X509*>& roots,
                                  const VerifyOptions& options) {
  const unsigned char* p = cms_data.data();
  CmsPtr cms(
      d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_data.size())));
  if (!cms) {
    ERR_clear_error();
    BioPtr bio(
        BIO_new_mem_buf(cms_data.data(), static_cast<int>(cms_data.size())));
    cms.reset(static_cast<CMS_ContentInfo*>(PEM_ASN1_read_bio(
        reinterpret_cast<d2i_of_void*>(d2i_CMS_ContentInfo), PEM_STRING_CMS,
        bio.get(), nullptr, nullptr, nullptr)));
  }
  if (!cms) {
    ERR_clear_error();
    return Fail(PkiErrc::kBadCertificate, "not a DER or PEM CMS structure");
  }
  CmsVerdict verdict;
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    verdict.detail = "not SignedData";
    return verdict;
  }
  BioPtr data(
      BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  // Signature and digest only here; the signer certificate is judged by
  // VerifyCertificate (root chosen by key identifier).
  if (CMS_verify(cms.get(), nullptr, nullptr, data.get(), nullptr,
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    verdict.detail = CryptoError("signature").message();
    return verdict;
  }
  STACK_OF(X509)* signers = CMS_get0_signers(cms.get());
  if (signers == nullptr || sk_X509_num(signers) != 1) {
    sk_X509_free(signers);
    verdict.detail = "want exactly one signer";
    return verdict;
  }
  X509* signer = sk_X509_value(signers, 0);
  X509_up_ref(signer);
  verdict.signer_certificate.reset(signer);
  sk_X509_free(signers);

  VerifyOptions at = options;
  if (at.at == TimePoint{}) {
    // No time given: judge the certificate at the signing time.
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    X509_ATTRIBUTE* attr =
        index >= 0 ? CMS_signed_get_attr(si, index) : nullptr;
    ASN1_TYPE* value = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
    if (value && (value->type == V_ASN1_UTCTIME ||
                  value->type == V_ASN1_GENERALIZEDTIME)) {
      auto when = internal::FromAsn1Time(value->value.utctime);
      if (when) at.at = *when;
    }
  }
  verdict.signer = VerifyCertificate(signer, roots, at);
  verdict.good = verdict.signer.good;
  verdict.detail = verdict.good ? "signature and signer certificate good"
                                : "signature good; signer certificate: " +
                                      verdict.signer.detail;
  return verdict;
}

}  // namespace openmyna::pki
