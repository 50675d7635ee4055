// The kiosk (キオスク端末, konbini.md §1.1-1.2): drives one session in the
// guidebook's order — card set, 4-digit PIN, the card signs the centre's
// challenge, the card is released; municipality, certificate, options and
// copies; the fee shown; the document fetched; payment; the document
// checked against THIS session before it prints; everything wiped.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/services/konbini/centre.h"

namespace openmyna::konbini {

// The card in the kiosk's reader (the 利用者証明用 key of the JPKI-AP).
class KioskCard {
 public:
  virtual ~KioskCard() = default;
  virtual Result<Bytes> ReadAuthenticationCertificate() = 0;
  // kRefused with the tries left when wrong.
  virtual Status VerifyPin(std::string_view pin) = 0;
  // RSASSA-PKCS1-v1_5 SHA-256 over `challenge` with the authentication key
  // (the card's COMPUTE DIGITAL SIGNATURE over the DigestInfo).
  virtual Result<Bytes> SignChallenge(ByteView challenge) = 0;
};

// A card held in memory: certificate, private key and PIN (3 tries). For
// in-process kiosks (tests, benchmarks); the PC/SC card uses the card
// client library instead.
class SoftwareCard final : public KioskCard {
 public:
  SoftwareCard(Bytes certificate_der, EVP_PKEY* key, std::string pin);
  Result<Bytes> ReadAuthenticationCertificate() override;
  Status VerifyPin(std::string_view pin) override;
  Result<Bytes> SignChallenge(ByteView challenge) override;

 private:
  Bytes der_;
  EVP_PKEY* key_;  // borrowed
  std::string pin_;
  int tries_ = 3;
  bool verified_ = false;
};

// What the holder chooses at the touch screen.
struct KioskChoice {
  std::string municipality_code;
  IssueRequest request;  // certificate, options, copies
  int paid_yen = -1;     // inserted coins; -1: exactly the fee
};

// What came out of the printer.
struct Printout {
  std::string request_id;
  int fee_yen = 0;  // total (per copy × copies)
  Document document;
  std::string jws;                      // the signed form of the whole document
  std::vector<std::string> page_codes;  // each page's signed 2D code
  std::string pdf;                      // the signed PDF, when rendered
};

class Kiosk {
 public:
  // `document_keys`: municipality code → its document-signing public key
  // (PEM). Borrowed centre.
  Kiosk(CentrePort& centre, const Clock& clock,
        std::map<std::string, std::string> document_keys);

  // One whole session: SignIn then Issue. Any failure ends the session at
  // the centre; nothing is printed unless the signed document is this
  // session's.
  Result<Printout> Run(KioskCard& card, std::string_view pin,
                       const KioskChoice& choice);

  // The steps of Run, for a touch screen that shows each one (the /kiosk/
  // page). SignIn: a new session at the centre, the card's certificate, the
  // PIN, the card's signature over the challenge, the centre's
  // authentication; the card may be released after it. On failure the
  // centre's session is ended.
  Result<Authenticated> SignIn(KioskCard& card, std::string_view pin);
  // The fee of the choice now (per copy × copies).
  Result<int> Fee(const KioskChoice& choice) const;
  // Fetch, payment, the checks against `who`; always ends the session:
  // Fetch, then Print.
  Result<Printout> Issue(const Authenticated& who, const KioskChoice& choice);
  // Fetch, payment and the checks, leaving the session (and the document)
  // at the centre until Print or Cancel (a printer that hands the document
  // out later: the /kiosk/ page's browser). On failure the session ends
  // without printing.
  Result<Printout> Fetch(const Authenticated& who, const KioskChoice& choice);
  // The fetched document of `request_id` may go out: Ok only while the
  // centre still holds the session, which then ends (Finish), and the
  // issuer confirmed the print; otherwise nothing may be printed, with the
  // centre's code (kTimeout: not confirmed within its deadline; kNoSession
  // when the failure was not the centre's own, e.g. unreachable).
  Status Print(std::string_view request_id);
  // Ends a session without printing (cancelled, or left at the screen).
  void Cancel(std::string_view request_id);
  // After SignIn, in place of a certificate: the holder's 利用登録申請 for
  // the registered domicile (Centre::ApplyRegistration); always ends the
  // session.
  Result<RegistrationReceipt> ApplyRegistration(const Authenticated& who,
                                                const RegistrationForm& form);

 private:
  CentrePort& centre_;
  const Clock& clock_;
  std::map<std::string, std::string> keys_;
};

// The per-copy fee of `c` in `municipality_code` on the JST day of `at`
// (domain::SandboxKonbiniFees); kUnavailable when there is none.
Result<int> KonbiniFeeYen(std::string_view municipality_code,
                          domain::KonbiniCertificate c, TimePoint at);

// The checks the kiosk makes before printing: the signature, then request
// id, subject, municipality, certificate, and the pages 1..N of one set.
Status CheckPrintable(const SignedDocument& fetched, std::string_view jws_key,
                      const Authenticated& session,
                      const std::string& municipality_code,
                      domain::KonbiniCertificate certificate);

}  // namespace openmyna::konbini
