#include "openmyna/pki/verifier.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "internal/openssl_util.h"
#include "internal/trust_store.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {
namespace {

struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
// The stack only: the CRLs are owned by `crls`.
struct CrlStackDeleter {
  void operator()(STACK_OF(X509_CRL) * p) const { sk_X509_CRL_free(p); }
};

void FindRevocation(X509* cert, const std::vector<X509CrlPtr>& crls,
                    CertificateVerdict& verdict) {
  for (const X509CrlPtr& crl : crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()),
                      X509_get_issuer_name(cert)) != 0) {
      continue;
    }
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) != 1 || !entry) {
      continue;
    }
    auto when = internal::FromAsn1Time(X509_REVOKED_get0_revocationDate(entry));
    if (when) verdict.revocation_time = *when;
    auto* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr));
    verdict.revocation_reason =
        reason ? ReasonFromValue(static_cast<int>(ASN1_ENUMERATED_get(reason)))
               : RevocationReason::kUnspecified;
    ASN1_ENUMERATED_free(reason);
    return;
  }
}

// The keyIdentifier of the certificate's AKI (RFC 5280 §4.2.1.1) as OpenSSL
// decoded it with the certificate's other extensions
// (X509_get0_authority_key_id), which path validation below needs anyway:
// decoding the extension once more (its authorityCertIssuer name included)
// cost more per sign-in than the rest of this function (session 14's
// callgrind). When OpenSSL found the extensions invalid, or there is no
// keyIdentifier, the extension is decoded alone as before.
Bytes IssuerKeyId(X509* cert) {
  if (const ASN1_OCTET_STRING* id = X509_get0_authority_key_id(cert)) {
    return Bytes(id->data, id->data + id->length);
  }
  return internal::AuthorityKeyId(cert);
}

}  // namespace

std::string_view VerifyRuleName(VerifyRule rule) {
  switch (rule) {
    case VerifyRule::kOk:
      return "ok";
    case VerifyRule::kIssuerNotFound:
      return "issuer-not-found";
    case VerifyRule::kSignature:
      return "signature";
    case VerifyRule::kNotYetValid:
      return "not-yet-valid";
    case VerifyRule::kExpired:
      return "expired";
    case VerifyRule::kRootNotValid:
      return "root-not-valid";
    case VerifyRule::kChain:
      return "chain";
    case VerifyRule::kRevoked:
      return "revoked";
    case VerifyRule::kRevocationUnknown:
      return "revocation-unknown";
  }
  return "unknown";
}

Result<X509Ptr> ParseCertificate(ByteView der_or_pem) {
  return internal::CertFromPemOrDer(der_or_pem);
}

Result<X509CrlPtr> ParseCrl(ByteView data) {
  const unsigned char* p = data.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
  if (crl && p == data.data() + data.size()) return crl;
  crl.reset();
  ERR_clear_error();
  internal::BioPtr bio(
      BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) {
    ERR_clear_error();
    return Fail(PkiErrc::kBadCertificate, "not a DER or PEM X.509 CRL");
  }
  return crl;
}

CertificateVerdict VerifyCertificate(X509* cert,
                                     const std::vector<X509*>& roots,
                                     const VerifyOptions& options) {
  CertificateVerdict verdict;
  // 1. The root generation named by the AKI keyIdentifier (jpki.md §2.1:
  //    all generations share one DN).
  const Bytes aki = IssuerKeyId(cert);
  X509* root = nullptr;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    if (!aki.empty() && internal::SubjectKeyId(roots[i]) == aki) {
      root = roots[i];
      verdict.root_index = static_cast<int>(i);
      break;
    }
  }
  if (root == nullptr) {
    verdict.rule = VerifyRule::kIssuerNotFound;
    verdict.detail = "no trusted root has key identifier " + ToHex(aki, ':');
    return verdict;
  }
  // 2. Its key verifies the signature; 3. the certificate's own validity
  // period, reported before the root's. Both hold whenever the path
  // validation below succeeds (OpenSSL verifies the same signature with the
  // same key at the same time), so they are run only to name the rule
  // when it fails: the card's signature is verified once on the good path.
  const auto own_checks_fail = [&] {
    if (X509_verify(cert, X509_get0_pubkey(root)) != 1) {
      ERR_clear_error();
      verdict.rule = VerifyRule::kSignature;
      verdict.detail = "the signature does not verify with the root's key";
      return true;
    }
    auto not_before = internal::FromAsn1Time(X509_get0_notBefore(cert));
    auto not_after = internal::FromAsn1Time(X509_get0_notAfter(cert));
    if (not_before && options.at < *not_before) {
      verdict.rule = VerifyRule::kNotYetValid;
      verdict.detail = "certificate is not yet valid";
      return true;
    }
    if (not_after && options.at > *not_after) {
      verdict.rule = VerifyRule::kExpired;
      verdict.detail = "certificate has expired";
      return true;
    }
    return false;
  };
  // 4. RFC 5280 §6 path validation at `at` with that root only, and the
  //    CRLs (RFC 5280 §6.3) when given.
  //    The root's store is shared and never changed (trust_store.h): the
  //    time, the CRLs and the flags go on this verification's context.
  X509StorePtr store = internal::TrustStoreOf(root);
  std::vector<X509CrlPtr> crls;
  for (const Bytes& der : options.crls) {
    auto crl = ParseCrl(der);
    if (!crl) {
      if (own_checks_fail()) return verdict;
      verdict.rule = VerifyRule::kRevocationUnknown;
      verdict.detail = crl.error().message();
      return verdict;
    }
    crls.push_back(std::move(*crl));
  }
  std::unique_ptr<STACK_OF(X509_CRL), CrlStackDeleter> crl_stack(
      sk_X509_CRL_new_null());
  for (const X509CrlPtr& crl : crls) {
    if (crl_stack) sk_X509_CRL_push(crl_stack.get(), crl.get());
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!store || !crl_stack || !ctx ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) {
    ERR_clear_error();
    verdict.rule = VerifyRule::kChain;
    verdict.detail = "OpenSSL could not set up the path validation";
    return verdict;
  }
  X509_STORE_CTX_set0_crls(ctx.get(), crl_stack.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param,
                             static_cast<time_t>(internal::ToUnix(options.at)));
  if (!crls.empty()) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
  const int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (ok != 1 && own_checks_fail()) return verdict;
  if (ok == 1 && !options.ocsp_url.empty()) {
    CertificateVerdict ocsp =
        options.ocsp_transport
            ? CheckOcsp(cert, root, options.ocsp_url, options.ocsp_transport,
                        options.ocsp_current_at, options.ocsp_cache)
            : CheckOcsp(cert, root, options.ocsp_url, 10,
                        options.ocsp_current_at, options.ocsp_cache);
    ocsp.root_index = verdict.root_index;
    return ocsp;
  }
  if (ok == 1) {
    verdict.good = true;
    verdict.rule = VerifyRule::kOk;
    verdict.detail = crls.empty() ? "chain and validity good (no revocation "
                                    "source given)"
                                  : "chain, validity and CRL good";
    return verdict;
  }
  const int error = X509_STORE_CTX_get_error(ctx.get());
  const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  verdict.detail = X509_verify_cert_error_string(error);
  switch (error) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
      verdict.rule =
          depth == 0 ? VerifyRule::kNotYetValid : VerifyRule::kRootNotValid;
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      verdict.rule =
          depth == 0 ? VerifyRule::kExpired : VerifyRule::kRootNotValid;
      break;
    case X509_V_ERR_CERT_REVOKED:
      verdict.rule = VerifyRule::kRevoked;
      FindRevocation(cert, crls, verdict);
      if (verdict.revocation_reason) {
        verdict.detail += std::string(" (") +
                          std::string(ReasonName(*verdict.revocation_reason)) +
                          ")";
      }
      break;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
      verdict.rule = VerifyRule::kRevocationUnknown;
      break;
    default:
      verdict.rule = VerifyRule::kChain;
      break;
  }
  return verdict;
}

}  // namespace openmyna::pki
