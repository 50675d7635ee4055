#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "internal/crl_lint.h"
#include "internal/openssl_util.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/linter.h"

namespace openmyna::pki {
namespace {

bool Check(std::vector<LintFinding>& out, bool ok, std::string_view rule,
           std::string detail) {
  if (!ok) out.push_back({std::string(rule), std::move(detail)});
  return ok;
}

// True when both GENERAL_NAMES hold the same names in the same order.
bool SameNames(GENERAL_NAMES* a, GENERAL_NAMES* b) {
  if (a == nullptr || b == nullptr ||
      sk_GENERAL_NAME_num(a) != sk_GENERAL_NAME_num(b)) {
    return false;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(a); ++i) {
    if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, i),
                         sk_GENERAL_NAME_value(b, i)) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace internal {

std::optional<TimePoint> LintCrlFields(X509_CRL* crl, const CrlLintContext& ctx,
                                       std::vector<LintFinding>& out) {
  Check(out, X509_CRL_get_version(crl) == X509_CRL_VERSION_2, "crl.version",
        "must be v2 (RFC 5280 §5.1.2.1)");
  const X509_ALGOR* outer = nullptr;
  X509_CRL_get0_signature(crl, nullptr, &outer);
  Check(out,
        X509_CRL_get_signature_nid(crl) == NID_sha256WithRSAEncryption &&
            (outer == nullptr ||
             OBJ_obj2nid(outer->algorithm) == NID_sha256WithRSAEncryption),
        "crl.signatureAlgorithm", "want sha256WithRSAEncryption");
  Check(out,
        X509_NAME_cmp(X509_CRL_get_issuer(crl),
                      X509_get_subject_name(ctx.issuer)) == 0,
        "crl.issuer", "issuer differs from the root's DN");

  auto this_update = internal::FromAsn1Time(X509_CRL_get0_lastUpdate(crl));
  Check(out, this_update && *this_update <= ctx.now + std::chrono::minutes(5),
        "crl.thisUpdate", "thisUpdate missing or in the future");
  const ASN1_TIME* next_raw = X509_CRL_get0_nextUpdate(crl);
  auto next_update =
      next_raw ? internal::FromAsn1Time(next_raw)
               : Result<TimePoint>(Fail(PkiErrc::kBadCertificate, "absent"));
  Check(out,
        next_update && this_update && *next_update > *this_update &&
            *next_update - *this_update <= ctx.max_validity,
        "crl.nextUpdate",
        "nextUpdate must be present, after thisUpdate and within the "
        "publication interval (RFC 5280 §5.1.2.5)");

  int crit = -1;
  ASN1_INTEGER* number = static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, nullptr));
  Check(out,
        number != nullptr && crit == 0 &&
            ASN1_STRING_type(number) == V_ASN1_INTEGER,
        "crl.number",
        "cRLNumber must be present, non-critical and non-negative "
        "(RFC 5280 §5.2.3)");
  ASN1_INTEGER_free(number);

  AUTHORITY_KEYID* aki = static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(
      crl, NID_authority_key_identifier, nullptr, nullptr));
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ctx.issuer);
  Check(out,
        aki != nullptr && aki->keyid != nullptr && ski != nullptr &&
            ASN1_OCTET_STRING_cmp(aki->keyid, ski) == 0,
        "crl.aki",
        "authorityKeyIdentifier must name the signing root's SKI "
        "(RFC 5280 §5.2.1; generations share one DN)");
  AUTHORITY_KEYID_free(aki);

  crit = -1;
  ISSUING_DIST_POINT* idp =
      static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(
          crl, NID_issuing_distribution_point, &crit, nullptr));
  if (ctx.partition) {
    // onlyContainsUserCerts TRUE, DER-encoded as FF (X.690 §11.1; OpenSSL
    // writes the int it holds as the content octet).
    bool ok = idp != nullptr && crit == 1 && idp->onlyuser == 0xFF &&
              idp->distpoint != nullptr && idp->distpoint->type == 0;
    if (ok) {
      auto expected = DistributionPointNames(*ctx.partition, ctx.base_url);
      auto dirname_only =
          DistributionPointNames(*ctx.partition, ctx.base_url, true);
      ok = (expected &&
            SameNames(idp->distpoint->name.fullname, expected->get())) ||
           (dirname_only &&
            SameNames(idp->distpoint->name.fullname, dirname_only->get()));
    }
    Check(out, ok, "crl.idp",
          "issuingDistributionPoint must be critical, onlyContainsUserCerts "
          "(DER TRUE) "
          "and name the partition's distribution point (RFC 5280 §5.2.5)");
  } else {
    Check(out, idp == nullptr, "crl.idp", "a full CRL carries no IDP");
  }
  ISSUING_DIST_POINT_free(idp);
  if (!this_update) return std::nullopt;
  return *this_update;
}

}  // namespace internal

std::vector<LintFinding> LintCrl(X509_CRL* crl, const CrlLintContext& ctx) {
  std::vector<LintFinding> out;
  if (!Check(out, crl != nullptr && ctx.issuer != nullptr, "crl.present",
             "no CRL or no issuer")) {
    return out;
  }
  const std::optional<TimePoint> this_update =
      internal::LintCrlFields(crl, ctx, out);

  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl);
  const ASN1_INTEGER* previous = nullptr;
  bool order = true, reasons = true, times = true;
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    X509_REVOKED* r = sk_X509_REVOKED_value(entries, i);
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(r);
    if (previous != nullptr && ASN1_INTEGER_cmp(previous, serial) >= 0) {
      order = false;
    }
    previous = serial;
    int reason_crit = -1;
    ASN1_ENUMERATED* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &reason_crit, nullptr));
    if (reason != nullptr) {
      const long value = ASN1_ENUMERATED_get(reason);
      auto parsed = ReasonFromValue(static_cast<int>(value));
      if (!parsed || *parsed == RevocationReason::kRemoveFromCrl ||
          *parsed == RevocationReason::kUnspecified || reason_crit != 0) {
        reasons = false;
      }
    } else if (reason_crit != -1) {
      reasons = false;  // present but undecodable
    }
    ASN1_ENUMERATED_free(reason);
    auto when = internal::FromAsn1Time(X509_REVOKED_get0_revocationDate(r));
    if (!when || (this_update && *when > *this_update)) times = false;
  }
  Check(out, order, "crl.entries.order",
        "entries must be in strictly ascending serial order");
  Check(out, reasons, "crl.entry.reason",
        "reasonCode must be a non-critical CRLReason other than "
        "removeFromCRL; unspecified is written by omitting it (RFC 5280 "
        "§5.3.1)");
  Check(out, times, "crl.entry.time",
        "revocationDate must not be after thisUpdate");

  const ASN1_BIT_STRING* signature = nullptr;
  X509_CRL_get0_signature(crl, &signature, nullptr);
  if (signature != nullptr && signature->length > 0) {
    Check(out, X509_CRL_verify(crl, X509_get0_pubkey(ctx.issuer)) == 1,
          "crl.signature", "signature does not verify with the root's key");
    ERR_clear_error();
  }
  return out;
}

}  // namespace openmyna::pki
