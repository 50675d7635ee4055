// The card path of the eligibility check: the card proves itself with a
// signature by its authentication key (JPKI 電子利用者証明: PKCS#1 v1.5 over
// a SHA-256 DigestInfo, RFC 8017 §8.2) and the service checks the
// certificate as any relying party would (RFC 5280 path validation via
// pki::VerifyCertificate, RFC 6960 OCSP via pki::CheckOcsp).
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <chrono>
#include <ctime>

#include "openmyna/pki/verifier.h"
#include "openmyna/services/insurance_api.h"
#include "openmyna/services/insurance_reader.h"

namespace openmyna::services {
namespace {

bool SignatureVerifies(X509* cert, const CardProof& proof) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                                   key) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), proof.signature.data(),
                          proof.signature.size(), proof.nonce.data(),
                          proof.nonce.size()) == 1;
}

std::string SerialHex(X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
      ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  const auto first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

CardProofCheck CheckCertificateAndSignature(ByteView certificate_der,
                                            const CardProof* proof,
                                            const InsuranceApiOptions& options,
                                            TimePoint now) {
  CardProofCheck check;
  auto cert = options.certificates
                  ? options.certificates->Parse(certificate_der)
                  : pki::ParseCertificate(certificate_der);
  if (!cert) {
    check.refusal = "the certificate cannot be read";
    return check;
  }
  std::vector<X509*> roots;
  for (const auto& root : options.auth_roots) roots.push_back(root.get());
  pki::VerifyOptions verify;
  verify.at = now;
  pki::CertificateVerdict verdict =
      pki::VerifyCertificate(cert->get(), roots, verify);
  if (!verdict.good && verdict.rule == pki::VerifyRule::kExpired) {
    // The grace for eligibility (insurance.md §1.3): expired at most
    // grace_months ago (std::chrono::months: 30.44 days each) and good one
    // second before its notAfter.
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert->get()), &tm) == 1) {
      const TimePoint end = std::chrono::time_point_cast<TimePoint::duration>(
          std::chrono::system_clock::from_time_t(timegm(&tm)));
      if (now - end <= std::chrono::months(options.grace_months)) {
        pki::VerifyOptions at_end;
        // OpenSSL counts notAfter itself as expired (X509_cmp_time <= 0).
        at_end.at = end - std::chrono::seconds(1);
        verdict = pki::VerifyCertificate(cert->get(), roots, at_end);
        check.in_grace = verdict.good;
      }
    }
  }
  if (!verdict.good) {
    check.refusal =
        "certificate: " + std::string(pki::VerifyRuleName(verdict.rule)) +
        (verdict.detail.empty() ? "" : " (" + verdict.detail + ")");
    return check;
  }
  if (proof != nullptr && !SignatureVerifies(cert->get(), *proof)) {
    check.refusal = "the signature over the nonce does not verify";
    return check;
  }
  if (!options.ocsp_url.empty()) {
    X509* issuer = roots.at(static_cast<std::size_t>(verdict.root_index));
    // Current at the service's clock: under `serve --now` the responder
    // signs at the same clock (RFC 6960 §4.2.2.1 thisUpdate/nextUpdate).
    pki::CertificateVerdict ocsp =
        pki::CheckOcsp(cert->get(), issuer, options.ocsp_url,
                       options.ocsp_timeout_seconds, now);
    if (!ocsp.good) {
      check.refusal =
          "OCSP: " + std::string(pki::VerifyRuleName(ocsp.rule)) +
          (ocsp.revocation_reason
               ? " (" + std::string(pki::ReasonName(*ocsp.revocation_reason)) +
                     ")"
               : "");
      return check;
    }
  }
  check.serial = SerialHex(cert->get());
  return check;
}

}  // namespace

CardProofCheck CheckCardProof(const CardProof& proof,
                              const InsuranceApiOptions& options,
                              TimePoint now) {
  return CheckCertificateAndSignature(proof.certificate_der, &proof, options,
                                      now);
}

CardProofCheck CheckCardCertificate(ByteView certificate_der,
                                    const InsuranceApiOptions& options,
                                    TimePoint now) {
  return CheckCertificateAndSignature(certificate_der, nullptr, options, now);
}

}  // namespace openmyna::services
