// The eligibility service (オンライン資格確認, issue 12 item 4;
// ../shared/docs/insurance.md §1.5, §1.6, §2) and the insurers' enrolment
// API (item 2), on the shared HTTP server. Wiring only: every rule is in
// registry::InsuranceService; this file checks the card's proof (pki) and
// speaks the message shapes.
//
// Routes (JSON; HTTP Basic with an insurer or clinic credential made by
// `openmyna insurance credentials`; errors as RFC 9457 problem documents):
//   POST /insurance/v1/challenge      clinic: a fresh nonce for the card
//   POST /insurance/v1/eligibility    clinic: by card or insurance-card data
//        (?format=fhir: a FHIR Bundle of JP_Coverage instead of XmlMsg)
//   POST /insurance/v1/enrolments     insurer: enrol a membership
//   POST /insurance/v1/memberships/{id}/correction|confirmation|loss
//                                     insurer: correct the five items (the
//        link is collated again), confirm a mismatch with a reason, or end
//        the membership (資格喪失)
//   POST /insurance/v1/memberships/{id}/document
//                                     insurer: the 資格確認書 or 資格情報の
//        お知らせ due today, as application/pdf (insurance_documents.h)
//   GET  /insurance/openapi.json      (no authentication)
// The eligibility answer is the national system's XmlMsg (MessageHeader +
// MessageBody) rendered as JSON, the form its Web API uses (§1.2).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/pki/certificate_cache.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/store.h"

namespace openmyna::services {

struct InsuranceApiOptions {
  const Clock* clock = nullptr;  // required
  Rng* rng = nullptr;            // required (nonces)
  // The sandbox's authentication CA roots (pki::Sandbox::Roots(kAuth)).
  std::vector<pki::X509Ptr> auth_roots;
  // The OCSP responder for authentication certificates
  // ("<base>/ocsp/auth"); "" skips the OCSP check (unit tests only).
  std::string ocsp_url;
  int ocsp_timeout_seconds = 5;
  // After the certificate's notAfter, eligibility (not medical
  // information) still answers for this many months (insurance.md §1.3).
  int grace_months = 3;
  // How long a challenge nonce may be used (once).
  int nonce_seconds = 300;
  // Card certificates parsed once by their exact bytes (a card sends the
  // same one at every visit); verified at every check all the same.
  std::shared_ptr<pki::CertificateCache> certificates =
      std::make_shared<pki::CertificateCache>();
};

// What the card sends (through the reader): its authentication
// certificate and a PKCS#1 v1.5 SHA-256 signature by the authentication key
// over the nonce the service handed out (JPKI's 電子利用者証明).
struct CardProof {
  Bytes certificate_der;
  Bytes nonce;
  Bytes signature;
};

// The outcome of checking a card proof.
struct CardProofCheck {
  std::string serial;     // lower-case hex, as the registry keeps it
  bool in_grace = false;  // expired less than grace_months ago
  std::string refusal;    // non-empty: why the card is refused
};

// Chain to the sandbox authentication roots at `now`, validity (with the
// grace), the signature over the nonce, then OCSP when `ocsp_url` is set.
// A value, not an error: `refusal` says which rule failed.
CardProofCheck CheckCardProof(const CardProof& proof,
                              const InsuranceApiOptions& options,
                              TimePoint now);

// The XmlMsg of an eligibility answer as JSON ({"XmlMsg": {"MessageHeader":
// …, "MessageBody": …}}), element names as in insurance.md §1.6 / §2.3.
nlohmann::json EligibilityMessage(const registry::EligibilityAnswer& answer,
                                  std::string_view institution_code,
                                  TimePoint now, std::string_view message = {});

// The memberships of an answer as a FHIR R4 Bundle (searchset) of JP Core
// `JP_Coverage` resources (insurance.md §5.2): 記号/番号/枝番 extensions,
// the JP_Insurance_memberID identifier, status active|cancelled, beneficiary,
// payor by insurer number (urn:oid:1.2.392.100495.20.3.61), relationship
// (別表12), period, copay percentage.
nlohmann::json CoverageBundle(const registry::EligibilityAnswer& answer);

// A consent given at the reader as a FHIR R4 Consent resource (base
// resource; docs/insurance.md "FHIR Consent"): status active|inactive at
// `now`, scope patient-privacy, category LOINC 59284-0, the patient by the
// insurance membership identifier (`membership` may be null: display only),
// the institution as organization and provision actor, policyRule OPTIN,
// provision permit for the 24 hours with the consented items as classes.
nlohmann::json ConsentResource(const registry::Consent& consent,
                               const registry::Membership* membership,
                               TimePoint now);
// OQSCD036 code of a consent item: drug YZK, checkup TKK, care SRJ,
// surgery SHJ; "" for anything else.
std::string_view ConsentItemCode(std::string_view item);
// The code system of those codes in Consent.provision.class (OpenMyna's).
inline constexpr std::string_view kConsentItemSystem =
    "https://openmyna.invalid/fhir/CodeSystem/oqs-consent-item";

// Adds the routes. `store` (credentials) and `service` are borrowed and
// must outlive the router.
Status AddInsuranceApi(http::Router& router, registry::RegistryStore& store,
                       registry::InsuranceService& service,
                       std::shared_ptr<InsuranceApiOptions> options);

}  // namespace openmyna::services
