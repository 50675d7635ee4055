// Issuance of end-entity certificates by the sandbox CAs (jpki.md §3.1,
// §3.2, §12, §13): the signature and the user-authentication profiles.
// Every certificate is linted against its profile before the CA key signs
// it, and stored after.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::pki {

// The issuing municipality: the subject L RDNs of the signature certificate,
// the CN's characters 15-19 and the CRL partition (jpki.md §3.5, §13 row 7).
struct Municipality {
  std::string code;  // 全国地方公共団体コード, 5 digits without the check
                     // digit ("13221" for 清瀬市 132217)
  std::string prefecture;  // Hepburn, hyphenated suffix: "Tokyo-to", "Hokkaido"
  std::string name;        // "Kiyose-shi", "Sapporo-shi-Minami-ku"
};

// Sex in the certificate SAN (jpki.md §3.3, §13 row 9). Not the JIS X 0303
// code of the card's text AP.
enum class SanSex : char { kMale = '1', kFemale = '2', kUnknown = '3' };

// The four basic attributes carried by the signature certificate's
// subjectAltName as six UTF8String otherNames (jpki.md §3.3).
struct PersonalData {
  std::string name;        // UTF-8; surname, U+3000, given name; ≤ 100 chars
  std::string name_flags;  // '0'/'1' per character of `name`; empty: all '0'
  SanSex sex = SanSex::kUnknown;
  // "EYYYYMMDD" (era digit 0-5 + Gregorian date, unknown parts 0), as
  // produced by the domain library's JpkiDateOfBirth(Date) in
  // openmyna/domain/era.h. Checked: 9 digits, era 0-5.
  std::string date_of_birth;
  std::string address;        // UTF-8, from the prefecture; ≤ 200 chars
  std::string address_flags;  // '0'/'1' per character; empty: all '0'
};

enum class CertificateKind { kSignature, kAuthentication };

struct IssueRequest {
  CertificateKind kind = CertificateKind::kAuthentication;
  // The subject's public key: DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7),
  // RSA-2048 with e=65537 (jpki.md §1). The card generated it.
  Bytes subject_public_key_info;
  Municipality municipality;
  PersonalData personal;  // kSignature only; ignored for kAuthentication
  // The issuance instant (notBefore, truncated to whole seconds).
  TimePoint not_before;
  // The last valid day, computed by the caller with domain::ComputeValidity;
  // the certificate ends at 23:59:59 JST of it (= 14:59:59Z), capped at the
  // issuing root's notAfter (jpki.md §12).
  std::chrono::year_month_day not_after_date;
  // Profile options (jpki.md §13 rows 2, 4, 6); defaults are the sandbox's.
  bool omit_signature_ocsp = false;    // fidelity: no AIA in a signature cert
  bool crldp_dirname_only = false;     // fidelity: CRLDP without the URL
  bool jlis_test_card_policy = false;  // emit 1.2.392.200149.8.5.1.0.20
};

struct IssuedCertificate {
  Serial serial;
  Bytes der;
  std::string subject_cn;
  CaKind ca;
  int generation;
  TimePoint not_before;
  TimePoint not_after;
};

// Issues with the newest generation of the CA of the request's kind.
// Borrowed references must outlive the object. Thread-compatible (one
// issuer per thread, or external locking).
class CertificateAuthority {
 public:
  CertificateAuthority(const Sandbox& sandbox, CertificateStore& store,
                       Rng& rng)
      : sandbox_(sandbox), store_(store), rng_(rng) {}

  // Builds the TBS of the profile, lints it (kLintFailed naming each failed
  // rule, nothing signed), signs it with the current generation, stores it
  // (unique random serial of 126 bits, retried on collision) and returns it.
  // kInvalidRequest for bad input (key not RSA-2048, municipality code not
  // 5 digits, flags of the wrong length, DOB not EYYYYMMDD, notAfter before
  // notBefore, ...).
  Result<IssuedCertificate> Issue(const IssueRequest& request);

  // Revokes one certificate (see CertificateStore::Revoke).
  Status Revoke(const Serial& serial, RevocationReason reason, TimePoint when) {
    return store_.Revoke(serial, reason, when);
  }

 private:
  // The current generation's signer of each CA, loaded on first use.
  Result<Signer*> CurrentSigner(CaKind kind, int generation);

  const Sandbox& sandbox_;
  CertificateStore& store_;
  Rng& rng_;
  std::unique_ptr<Signer> signers_[2];
  int signer_generations_[2] = {0, 0};
};

// The CRL distribution point names of a partition (jpki.md §13 row 6):
// the DirName C=JP, O=SANDBOX-NOT-JPKI, OU=<CaUnit>, OU=CRL Distribution
// Points, OU=<prefecture>, CN=<municipality> CRLDP (C PrintableString, the
// rest UTF8String) and, unless `dirname_only`, the URI
// <base_url>/crl/<kind>/g<generation>/<code>.crl. The same names go into a
// CRL's issuingDistributionPoint (RFC 5280 §5.2.5) so that relying parties
// match them. Newly owned.
Result<GeneralNamesPtr> DistributionPointNames(const CrlPartition& partition,
                                               std::string_view base_url,
                                               bool dirname_only = false);

// The CA's DN (jpki.md §13 row 1): C=JP, O=SANDBOX-NOT-JPKI,
// OU=<CaUnit(kind)>, OU=Open-source My Number Card emulator. Newly owned.
X509NamePtr CaName(CaKind kind);

}  // namespace openmyna::pki
