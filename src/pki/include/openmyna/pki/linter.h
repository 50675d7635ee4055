// The profile linter: checks a certificate against its sandbox profile
// before the CA key signs it (jpki.md §2.2, §3.1, §3.2, §13; RFC 5280 §4),
// and a CRL before it is published (RFC 5280 §5).
//
// Each rule has a stable identifier (e.g. "sign.keyUsage.critical") so that
// tests and operators can see which rule failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki {

struct LintFinding {
  std::string rule;    // stable identifier of the rule
  std::string detail;  // what was found
};

enum class CertificateProfile {
  kSignatureEndEntity,       // jpki.md §3.2
  kAuthenticationEndEntity,  // jpki.md §3.1
  kRoot,                     // jpki.md §2.2
  kOcspResponder,            // RFC 6960 §4.2.2.2
};

struct CertificateLintContext {
  CertificateProfile profile = CertificateProfile::kAuthenticationEndEntity;
  // The issuing certificate (nullptr for kRoot): its DN must be the
  // issuer, its SKI the AKI keyIdentifier, its notAfter the cap.
  X509* issuer = nullptr;
};

// Checks `cert` (signed or not: the signature value is not examined).
// Returns every failed rule; empty means the certificate passes.
std::vector<LintFinding> LintCertificate(X509* cert,
                                         const CertificateLintContext& context);

struct CrlLintContext {
  X509* issuer = nullptr;  // the generation's root that signs the CRL
  // The partition the CRL claims (its issuingDistributionPoint must carry
  // the DistributionPointNames of it); nullopt for a full CRL without IDP.
  std::optional<CrlPartition> partition;
  std::string base_url;  // for the partition's URL
  TimePoint now;         // thisUpdate must not be after now (+ 5 min)
  // nextUpdate - thisUpdate must not exceed this (jpki.md §13 row 6:
  // 24 h + margin).
  std::chrono::seconds max_validity = std::chrono::hours(48);
};

// Rules: crl.version (v2), crl.signatureAlgorithm (sha256WithRSA in both
// places), crl.issuer (= the root's DN), crl.thisUpdate, crl.nextUpdate
// (present, after thisUpdate, within max_validity), crl.number (present,
// non-critical, non-negative), crl.aki (keyIdentifier = the root's SKI),
// crl.idp (critical, names match the partition, onlyContainsUserCerts),
// crl.entries.order (strictly ascending serials, no duplicate),
// crl.entry.reason (a valid CRLReason; not removeFromCRL; unspecified is
// expressed by omitting the extension, RFC 5280 §5.3.1),
// crl.entry.time (not after thisUpdate), crl.signature (verifies with the
// root's key, when the CRL is signed).
std::vector<LintFinding> LintCrl(X509_CRL* crl, const CrlLintContext& context);

// The same rules on a CRL that arrives as a stream of DER chunks (a CRL
// being written or read back from its file), in constant memory: the
// fixed fields are parsed by OpenSSL (d2i_X509_CRL of the CRL without its
// entries), each revokedCertificates entry is checked as it passes
// (RFC 5280 §5.1.2.6: SEQUENCE { INTEGER serial, Time revocationDate,
// Extensions OPTIONAL }; §5.3.1 reasonCode), and the signature is verified
// by hashing the TBSCertList as it streams (EVP_DigestVerify,
// sha256WithRSAEncryption with the issuer's key). Memory does not grow
// with the number of entries.
//
// Extra rule: crl.der — the bytes are not one DER CertificateList (bad
// tag or length, truncated, trailing bytes, an entry that does not decode).
// A CRL streamed here must be signed (crl.signature otherwise).
class CrlStreamLinter {
 public:
  // `context.issuer` is borrowed and must outlive the linter.
  explicit CrlStreamLinter(CrlLintContext context);
  ~CrlStreamLinter();
  CrlStreamLinter(const CrlStreamLinter&) = delete;
  CrlStreamLinter& operator=(const CrlStreamLinter&) = delete;

  // Feeds the next bytes of the DER CertificateList (any chunk size).
  void Update(ByteView der);
  // Ends the stream; returns every failed rule (empty: the CRL passes).
  // Call once.
  std::vector<LintFinding> Finish();
  // Entries seen so far.
  std::uint64_t entries() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// "rule: detail; rule: detail" for error messages.
std::string FormatFindings(const std::vector<LintFinding>& findings);

}  // namespace openmyna::pki
