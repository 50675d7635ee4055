// The clinic's face-recognition card reader (顔認証付きカードリーダー, issue 12
// item 5; ../shared/docs/insurance.md §1.3, §3; docs/insurance.md "The
// reader"): one visit with the card on a reader (any ApduChannel, PC/SC in
// `openmyna clinic reader`), the holder confirmed by one method, then the
// consent answers and the eligibility answer.
//
//   face    照合番号B from the printed card (birth date in the era form,
//           card expiry year, security code) opens the card-face AP; EF 0002
//           is read and its DF28 signature checked with the sandbox data
//           issuer's key; the chip proves itself (GET CHALLENGE, then
//           80 2A 00 00 with a SHA-256 DigestInfo of the challenge, verified
//           with the DF24 card key, card-apdu.md §6); the DF27 photo is
//           compared with the camera picture (face::CompareFaces). No PIN.
//   pin     the 4-digit authentication PIN (3 tries) and a signature by the
//           authentication key over a fresh nonce (電子利用者証明).
//   visual  目視: the staff compare the card with the person and enter the
//           facility's 目視 password (a registry credential of the clinic,
//           `openmyna insurance credentials --visual`).
// In every method the authentication certificate (JPKI EF 000A, readable
// without PIN) is read and checked as the service checks it (chain, validity
// with the 3-month grace, OCSP when configured); without the PIN's
// signature, the card-face AP's presence proof and the DF22 birth date
// matching the registry's record bind the certificate to the chip (face), or
// the staff do (visual). That is our convention: the national
// specification of the reader's path is not public (insurance.md §1.3 [I]).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/client/apdu_channel.h"
#include "openmyna/face/matcher.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/services/insurance_api.h"

namespace openmyna::services {

// What is printed on the card that the reader's camera would OCR
// (照合番号B, card-apdu.md §9.1).
struct PrintedFaceData {
  std::string date_of_birth;  // YYYY-MM-DD
  std::string card_expiry;    // YYYY-MM-DD
  std::string security_code;  // 4 digits
};

// {"date_of_birth", "card_expiry", "security_code"} (what `openmyna clinic
// face-data` prints). kInvalidInput on anything else.
Result<PrintedFaceData> ParsePrintedFaceData(std::string_view json_text);
// The 14 digits: era YYMMDD ‖ expiry YYYY ‖ code.
Result<std::string> CollationNumberB(const PrintedFaceData& data);

enum class ReaderMethod { kFace, kPin, kVisual };
std::string_view ReaderMethodName(ReaderMethod method);  // face|pin|visual

struct ReaderVisit {
  ReaderMethod method = ReaderMethod::kPin;
  // face
  PrintedFaceData face_data;
  Bytes camera_png;
  face::MatchOptions match;
  // pin
  std::string pin;
  // visual: the facility's 目視 password
  std::string visual_password;
  // The consent questions answered yes (drug, checkup, care, surgery).
  std::vector<std::string> consent;
  // Register the card as insurance card at this reader when it is not yet
  // (保険証利用登録; the only way for a face-authentication card).
  bool register_card = false;
};

struct ReaderOutcome {
  bool confirmed = false;  // the holder was confirmed
  std::string refusal;     // why not (or why the card was refused)
  std::optional<face::MatchResult> face;
  int pin_tries_left = -1;  // after a wrong PIN
  std::string serial;       // the authentication certificate's
  bool registered_now = false;
  std::optional<registry::Consent> consent;
  std::optional<registry::EligibilityAnswer> answer;
  std::string message;  // ProcessingResultMessage (grace)
};

struct ReaderContext {
  registry::InsuranceService* service = nullptr;
  registry::RegistryStore* store = nullptr;  // the 目視 credential
  const InsuranceApiOptions* api = nullptr;  // roots, OCSP, grace, clock
  // The sandbox data issuer's public key (DF28 of the card-face AP).
  const EVP_PKEY* data_issuer = nullptr;
  registry::Actor clinic;  // role kClinic, id = institution code
};

// One visit. Errors are for the machinery (registry, card I/O); a holder
// who is not confirmed or a refused card is an outcome with `refusal`.
Result<ReaderOutcome> RunReaderVisit(card::client::ApduChannel& card,
                                     const ReaderVisit& visit,
                                     const ReaderContext& context);

// The certificate checks of CheckCardProof without the signature (the
// face and 目視 paths).
CardProofCheck CheckCardCertificate(ByteView certificate_der,
                                    const InsuranceApiOptions& options,
                                    TimePoint now);

}  // namespace openmyna::services
