#include "openmyna/pki/cms.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <algorithm>

#include "internal/openssl_util.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

using internal::BioPtr;
using internal::CryptoError;
using internal::DerOf;

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
  return DerOf(cms.get(), i2d_CMS_ContentInfo, "CMS");
}

namespace {

struct AttributeStackDeleter {
  // The attributes are borrowed from the SignerInfo: free the stack only.
  void operator()(STACK_OF(X509_ATTRIBUTE) * p) const {
    sk_X509_ATTRIBUTE_free(p);
  }
};

// The DER of the signed attributes as they are signed: SET OF Attribute in
// DER order (RFC 5652 §5.4: the [0] IMPLICIT tag becomes the SET tag),
// encoded by OpenSSL with its PKCS7_ATTR_SIGN template (the same SET OF as
// CMS uses), which also sorts the stack. The SignerInfo's attributes are
// then put in that order, as CMS_SignerInfo_sign does, because verifiers
// (CMS_SignerInfo_verify included) re-encode them in the order received.
Result<Bytes> SortAndEncodeSignedAttributes(CMS_SignerInfo* si) {
  std::unique_ptr<STACK_OF(X509_ATTRIBUTE), AttributeStackDeleter> attrs(
      sk_X509_ATTRIBUTE_new_null());
  if (!attrs) return Unexpected(CryptoError("attribute stack"));
  const int count = CMS_signed_get_attr_count(si);
  for (int i = 0; i < count; ++i) {
    if (sk_X509_ATTRIBUTE_push(attrs.get(), CMS_signed_get_attr(si, i)) <= 0) {
      return Unexpected(CryptoError("attribute stack"));
    }
  }
  unsigned char* der = nullptr;
  const int length = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(attrs.get()),
                                   &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
  if (length <= 0) return Unexpected(CryptoError("encoding signed attributes"));
  Bytes out(der, der + length);
  OPENSSL_free(der);
  // `attrs` now holds the same attributes in DER order: take them out of
  // the SignerInfo (we own them then) and add them back in that order.
  while (CMS_signed_get_attr_count(si) > 0) CMS_signed_delete_attr(si, 0);
  bool added = true;
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs.get()); ++i) {
    X509_ATTRIBUTE* attr = sk_X509_ATTRIBUTE_value(attrs.get(), i);
    added = added && CMS_signed_add1_attr(si, attr) == 1;
    X509_ATTRIBUTE_free(attr);
  }
  if (!added) return Unexpected(CryptoError("ordering signed attributes"));
  return out;
}

// DigestInfo ::= SEQUENCE { AlgorithmIdentifier sha256 (NULL parameters),
// OCTET STRING digest } (RFC 8017 §9.2 step 2), encoded by OpenSSL.
Result<Bytes> Sha256DigestInfo(ByteView data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_length = 0;
  if (EVP_Digest(data.data(), data.size(), md, &md_length, EVP_sha256(),
                 nullptr) != 1) {
    return Unexpected(CryptoError("SHA-256"));
  }
  std::unique_ptr<X509_SIG, decltype(&X509_SIG_free)> info(X509_SIG_new(),
                                                           &X509_SIG_free);
  X509_ALGOR* alg = nullptr;
  ASN1_OCTET_STRING* digest = nullptr;
  if (!info) return Unexpected(CryptoError("DigestInfo"));
  X509_SIG_getm(info.get(), &alg, &digest);
  if (X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) !=
          1 ||
      ASN1_OCTET_STRING_set(digest, md, static_cast<int>(md_length)) != 1) {
    return Unexpected(CryptoError("DigestInfo"));
  }
  return DerOf(info.get(), i2d_X509_SIG, "DigestInfo");
}

}  // namespace

Result<Bytes> SignDetachedExternal(ByteView content, X509* signer_cert,
                                   const DigestInfoSigner& sign,
                                   const Clock& clock) {
  EVP_PKEY* public_key = signer_cert ? X509_get0_pubkey(signer_cert) : nullptr;
  if (public_key == nullptr || !EVP_PKEY_is_a(public_key, "RSA")) {
    ERR_clear_error();
    return Fail(PkiErrc::kBadCertificate,
                "the signer certificate has no RSA public key");
  }
  constexpr unsigned kFlags =
      CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) return Unexpected(CryptoError("CMS_sign"));
  // With CMS_PARTIAL nothing is signed here; OpenSSL only checks that the
  // key matches the certificate, which the public key itself does.
  CMS_SignerInfo* si =
      CMS_add1_signer(cms.get(), signer_cert, public_key, EVP_sha256(), kFlags);
  if (si == nullptr) return Unexpected(CryptoError("CMS_add1_signer"));
  if (CMS_set_detached(cms.get(), 1) != 1) {
    return Unexpected(CryptoError("CMS_set_detached"));
  }

  // Signed attributes, RFC 5652 §11.1–§11.3.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_length = 0;
  if (EVP_Digest(content.data(), content.size(), md, &md_length, EVP_sha256(),
                 nullptr) != 1) {
    return Unexpected(CryptoError("SHA-256 of the content"));
  }
  ASN1_TIME* when = ASN1_TIME_new();
  internal::SetAsn1Time(when, clock.Now());
  const bool attributes_added =
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                  OBJ_nid2obj(NID_pkcs7_data), -1) == 1 &&
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
                                  V_ASN1_OCTET_STRING, md,
                                  static_cast<int>(md_length)) == 1 &&
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
                                  ASN1_STRING_type(when), when, -1) == 1;
  ASN1_TIME_free(when);
  if (!attributes_added) return Unexpected(CryptoError("signed attributes"));

  OPENMYNA_ASSIGN_OR_RETURN(Bytes attributes,
                            SortAndEncodeSignedAttributes(si));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes digest_info, Sha256DigestInfo(attributes));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature, sign(digest_info));
  if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(),
                      static_cast<int>(signature.size())) != 1) {
    return Unexpected(CryptoError("setting the signature"));
  }
  // RFC 5652 §5.6 with the certificate's key: catches a signer that used
  // another key (another card, the other JPKI key).
  if (CMS_SignerInfo_verify(si) != 1) {
    return Unexpected(
        CryptoError("the external signature does not verify with the signer "
                    "certificate's public key"));
  }
  return DerOf(cms.get(), i2d_CMS_ContentInfo, "CMS");
}

Result<Bytes> DetachedDigestInfo(ByteView content, TimePoint signing_time) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_length = 0;
  if (EVP_Digest(content.data(), content.size(), md, &md_length, EVP_sha256(),
                 nullptr) != 1) {
    return Unexpected(CryptoError("SHA-256 of the content"));
  }
  // The attributes SignDetachedExternal adds to its SignerInfo
  // (CMS_signed_add1_attr_by_NID is X509at_add1_attr_by_NID on them; with
  // length -1 the data is the ASN.1 object itself), encoded the same way.
  STACK_OF(X509_ATTRIBUTE)* attrs = nullptr;
  ASN1_TIME* when = ASN1_TIME_new();
  internal::SetAsn1Time(when, signing_time);
  const bool added =
      X509at_add1_attr_by_NID(
          &attrs, NID_pkcs9_contentType, V_ASN1_OBJECT,
          reinterpret_cast<const unsigned char*>(OBJ_nid2obj(NID_pkcs7_data)),
          -1) != nullptr &&
      X509at_add1_attr_by_NID(&attrs, NID_pkcs9_messageDigest,
                              V_ASN1_OCTET_STRING, md,
                              static_cast<int>(md_length)) != nullptr &&
      X509at_add1_attr_by_NID(
          &attrs, NID_pkcs9_signingTime, ASN1_STRING_type(when),
          reinterpret_cast<const unsigned char*>(when), -1) != nullptr;
  ASN1_TIME_free(when);
  unsigned char* der = nullptr;
  const int length = added
                         ? ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(attrs),
                                         &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN))
                         : 0;
  sk_X509_ATTRIBUTE_pop_free(attrs, X509_ATTRIBUTE_free);
  if (length <= 0) return Unexpected(CryptoError("signed attributes"));
  Bytes encoded(der, der + length);
  OPENSSL_free(der);
  return Sha256DigestInfo(encoded);
}

Result<Bytes> AssembleDetached(ByteView content, X509* signer_cert,
                               TimePoint signing_time, ByteView signature) {
  const FixedClock at(signing_time);
  OPENMYNA_ASSIGN_OR_RETURN(Bytes expected,
                            DetachedDigestInfo(content, signing_time));
  return SignDetachedExternal(
      content, signer_cert,
      [&](ByteView digest_info) -> Result<Bytes> {
        if (!std::equal(digest_info.begin(), digest_info.end(),
                        expected.begin(), expected.end())) {
          return Fail(PkiErrc::kCrypto,
                      "the signed attributes differ from the ones signed");
        }
        return Bytes(signature.begin(), signature.end());
      },
      at);
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

  {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    X509_ATTRIBUTE* attr =
        index >= 0 ? CMS_signed_get_attr(si, index) : nullptr;
    ASN1_TYPE* value = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
    if (value && (value->type == V_ASN1_UTCTIME ||
                  value->type == V_ASN1_GENERALIZEDTIME)) {
      auto when = internal::FromAsn1Time(value->value.utctime);
      if (when) verdict.signing_time = *when;
    }
  }
  VerifyOptions at = options;
  if (at.at == TimePoint{} && verdict.signing_time) {
    // No time given: judge the certificate at the signing time.
    at.at = *verdict.signing_time;
  }
  verdict.signer = VerifyCertificate(signer, roots, at);
  verdict.good = verdict.signer.good;
  verdict.detail = verdict.good ? "signature and signer certificate good"
                                : "signature good; signer certificate: " +
                                      verdict.signer.detail;
  return verdict;
}

}  // namespace openmyna::pki
