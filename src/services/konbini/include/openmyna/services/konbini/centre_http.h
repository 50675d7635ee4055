// The certificate issuance centre in its own process (issue 11 item 2,
// docs/konbini.md "Separate processes"): `openmyna serve --only centre`
// serves the session steps over HTTP, and a kiosk in another process
// (`openmyna kiosk --centre URL`) drives them through an HttpCentre.
//
//   POST   /konbini/v1/centre/sessions            -> {"request_id",
//   "challenge"} POST   /konbini/v1/centre/sessions/{id}/card  {"certificate",
//   "signature"}
//                                                 -> the authenticated holder
//   POST   /konbini/v1/centre/sessions/{id}/document
//                       {"municipality", "request": IssueRequest}
//                                                 -> SignedDocument JSON
//   POST   /konbini/v1/centre/sessions/{id}/registration
//                       {"municipality", "domicile", "head_of_family"}
//                                                 -> 201 {"application_id",
//                                                    "municipality"}
//                  (the 利用登録申請 of the holder the session authenticated)
//   POST   /konbini/v1/centre/sessions/{id}/cancel -> 204 (session wiped
//                  without printing; 404 when it had already ended)
//   DELETE /konbini/v1/centre/sessions/{id}       -> 204 (session wiped;
//                  404 when it had already ended: the kiosk prints nothing)
//
// Every route wants "Authorization: Bearer <credential>" of a kiosk the
// centre enrolled (kiosk_credentials.h); without it: 401 and nothing else
// is said. Bytes are base64 (RFC 4648 §4). Errors are problem documents
// (RFC 9457) naming the konbini error. The session lives in the centre only,
// keyed by its random request id; the kiosk still checks the signed document
// against its session before it prints.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/services/konbini/centre.h"
#include "openmyna/services/konbini/kiosk_credentials.h"

namespace openmyna::konbini {

// Adds the routes for `centre` (borrowed; must outlive the router), open
// to the `kiosks` only; each session is bound to the kiosk that began it
// (Centre::Begin(kiosk)).
Status AddCentreApi(http::Router& router, Centre& centre,
                    std::shared_ptr<const KioskCredentials> kiosks);

// The centre at `url` ("http://host:port"), as the kiosk whose credential
// is `credential` (LoadKioskCredential).
class HttpCentre final : public CentrePort {
 public:
  HttpCentre(std::string url, std::string credential);
  Result<SessionStart> Begin() override;
  Result<Authenticated> Authenticate(std::string_view request_id,
                                     ByteView certificate_der,
                                     ByteView signature) override;
  Result<SignedDocument> Request(std::string_view request_id,
                                 const std::string& municipality_code,
                                 const IssueRequest& choice) override;
  Status Finish(std::string_view request_id) override;
  Status Cancel(std::string_view request_id) override;
  Result<RegistrationReceipt> ApplyRegistration(
      std::string_view request_id, const RegistrationForm& form) override;

 private:
  Result<nlohmann::json> Post(const std::string& path,
                              const nlohmann::json& body) const;
  // A step answered 204 No Content (Finish, Cancel).
  Status NoContent(const std::string& method, const std::string& path) const;

  std::string url_;
  std::string authorization_;
};

}  // namespace openmyna::konbini
