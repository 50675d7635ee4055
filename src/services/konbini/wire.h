// The JSON the konbini services exchange over HTTP (centre_http.h,
// issuer_http.h): an issue request, a signed document (PDF and seal image
// base64), the centre's session steps, and errors as RFC 9457 problem
// documents carrying the konbini error code ("konbini_error": "refused",
// ...) so that the caller gets the same Result it would get in process.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/http/client.h"
#include "openmyna/http/message.h"
#include "openmyna/services/konbini/centre.h"
#include "openmyna/services/konbini/issuer.h"

namespace openmyna::konbini::wire {

nlohmann::json ToJson(const IssueRequest& r);
Result<IssueRequest> IssueRequestFromJson(const nlohmann::json& j);

// The document itself is taken from the signed payload of `jws` (so the
// structure and the signature cannot disagree); the signature is checked by
// whoever holds the municipality's key (the kiosk).
nlohmann::json ToJson(const SignedDocument& d);
Result<SignedDocument> SignedDocumentFromJson(const nlohmann::json& j);

nlohmann::json ToJson(const Authenticated& a);
Result<Authenticated> AuthenticatedFromJson(const nlohmann::json& j);

// A konbini error as a problem document (refusals 409, no session 404,
// timeout 504, unavailable 503, bad input 400, others 500; `status`
// instead when not 0).
http::Response ErrorResponse(const Error& e, int status = 0);
// 200 with a JSON body.
http::Response JsonResponse(const nlohmann::json& body, int status = 200);
// 204 No Content.
http::Response NoContent();
// The body of a JSON request, or kInvalidInput.
Result<nlohmann::json> JsonBody(const http::Request& request);
// The answer of a peer: its JSON on 2xx, else the konbini error its
// problem document names (kInternal when it names none). A transport
// failure: kUnreachable when the connection was refused (nothing was
// sent), else kTimeout ("the peer vanished mid-request").
Result<nlohmann::json> JsonAnswer(const Result<http::ClientResponse>& answer,
                                  const std::string& url);
// The answer of a peer to a step that answers 204 No Content: Ok on 204,
// else as JsonAnswer (kInternal for another 2xx).
Status NoContentAnswer(const Result<http::ClientResponse>& answer,
                       const std::string& url);

// The secret of "Authorization: Bearer <secret>" (RFC 6750 §2.1), or
// nullopt when the header has another form.
std::optional<std::string_view> BearerSecret(std::string_view authorization);
// Whether `given` is `expected`, compared in constant time (no timing
// tells how much of a guessed secret was right).
bool SameSecret(std::string_view given, std::string_view expected);

// A shared secret under DIR/konbini (`file` relative to it): `prefix` and
// 256 random bits in hex, made once (0600) under the key folder's lock so
// that processes starting together agree on it.
Result<std::string> LoadOrCreateSecret(const std::filesystem::path& dir,
                                       const std::filesystem::path& file,
                                       const std::string& prefix);
// The secret kept there, or the read's error when there is none.
Result<std::string> LoadSecret(const std::filesystem::path& dir,
                               const std::filesystem::path& file);

}  // namespace openmyna::konbini::wire
