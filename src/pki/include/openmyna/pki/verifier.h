// Verification of end-entity certificates and CMS signatures against the
// sandbox roots, as a library shared by the services and the CLI
// (architecture.md §3). The answer is a value that names the rule that
// failed; errors are kept for inputs that cannot be read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/ocsp_response_cache.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/revocation_reason.h"

namespace openmyna::pki {

// Which check decided the answer (first failing rule, in this order).
enum class VerifyRule {
  kOk,
  kIssuerNotFound,     // no root whose SKI equals the AKI keyIdentifier
  kSignature,          // the signature does not verify with that root
  kNotYetValid,        // `at` before notBefore (RFC 5280 §6.1.3 (a)(2))
  kExpired,            // `at` after notAfter
  kRootNotValid,       // the root itself is not valid at `at`
  kChain,              // any other RFC 5280 path validation failure
  kRevoked,            // on a CRL that applies, or OCSP said revoked
  kRevocationUnknown,  // a revocation source was given but none applies
                       // (no CRL for the issuer/partition, CRL expired or
                       // badly signed, OCSP said unknown)
};

std::string_view VerifyRuleName(VerifyRule rule);

struct VerifyOptions {
  TimePoint at;             // the time of validity
  std::vector<Bytes> crls;  // DER CRLs to consult (empty: no CRL check)
  // An OCSP responder to ask after the chain is good (empty: none); see
  // CheckOcsp.
  std::string ocsp_url;
  // How the OCSP request reaches ocsp_url (empty: HTTP POST); see
  // OcspTransport.
  std::function<std::optional<Bytes>(std::string_view url, ByteView request)>
      ocsp_transport;
  // When the OCSP response must be current (thisUpdate/nextUpdate; empty:
  // the system clock). A service on a test clock (`serve --now`, whose
  // responder signs at that clock) sets it to its clock's now.
  std::optional<TimePoint> ocsp_current_at;
  // Responses verified before, reused when the same bytes come again
  // (ocsp_response_cache.h); nullptr: every response is verified. Borrowed.
  OcspResponseCache* ocsp_cache = nullptr;
};

// Carries one DER OCSPRequest to the responder at `url` and returns the DER
// OCSPResponse, or nullopt when it cannot (CheckOcsp then says
// kRevocationUnknown). For a responder that runs in the same process (a
// serve that also answers /ocsp/...): the answer is checked exactly as one
// that came over HTTP.
using OcspTransport =
    std::function<std::optional<Bytes>(std::string_view url, ByteView request)>;

struct CertificateVerdict {
  bool good = false;
  VerifyRule rule = VerifyRule::kOk;
  std::string detail;   // human explanation (OpenSSL's text if any)
  int root_index = -1;  // which of `roots` issued it (generation - 1
                        // when roots come from Sandbox::Roots)
  std::optional<RevocationReason> revocation_reason;
  std::optional<TimePoint> revocation_time;
};

// Parses a certificate from DER or PEM. kBadCertificate otherwise.
Result<X509Ptr> ParseCertificate(ByteView der_or_pem);
// Parses a CRL from DER or PEM. kBadCertificate otherwise.
Result<X509CrlPtr> ParseCrl(ByteView der_or_pem);

// Chain to the root generation chosen by key identifier (jpki.md §2.1:
// never by name alone), validity at options.at, and revocation from the
// given CRLs (RFC 5280 §6.3). `roots` are borrowed.
CertificateVerdict VerifyCertificate(X509* cert,
                                     const std::vector<X509*>& roots,
                                     const VerifyOptions& options);

// The http:// URIs of the certificate's cRLDistributionPoints (RFC 5280
// §4.2.1.13), in order; empty when it names none.
std::vector<std::string> CrlUrls(X509* cert);

// Downloads a CRL (DER or PEM) over plain HTTP. kIo when the server cannot
// be reached or answers with an error, kBadCertificate when the body is not
// a CRL.
Result<Bytes> FetchCrl(std::string_view url, int timeout_seconds = 10);

// Asks the OCSP responder at `url` (RFC 6960, HTTP POST, http:// only)
// about `cert` issued by `issuer`, with a nonce. The response must be
// successful, signed by `issuer` or by a delegated responder certificate
// that `issuer` signed with id-kp-OCSPSigning (RFC 6960 §4.2.2.2), current
// (thisUpdate/nextUpdate against `current_at`, by default the system clock,
// 5 minutes leeway; the responder certificate is checked at the same time) and
// echo the nonce when it carries one (a pre-signed response without nonce
// is accepted; a different nonce is not). good → kOk; revoked → kRevoked
// with reason and time; unknown, unreachable or unverifiable →
// kRevocationUnknown naming why. With `cache`, a response with the same
// bytes as one verified before is not decoded and verified again, and a
// responder certificate found authorised before is not chained again
// (ocsp_response_cache.h); the answer is the same.
CertificateVerdict CheckOcsp(X509* cert, X509* issuer, std::string_view url,
                             int timeout_seconds = 10,
                             std::optional<TimePoint> current_at = std::nullopt,
                             OcspResponseCache* cache = nullptr);
// The same with the request carried by `transport` instead of HTTP.
// PostOcspRequest is the HTTP transport (a transport that only sometimes has
// a responder at hand falls back to it).
CertificateVerdict CheckOcsp(X509* cert, X509* issuer, std::string_view url,
                             const OcspTransport& transport,
                             std::optional<TimePoint> current_at = std::nullopt,
                             OcspResponseCache* cache = nullptr);
std::optional<Bytes> PostOcspRequest(std::string_view url, ByteView request,
                                     int timeout_seconds = 10);

}  // namespace openmyna::pki
