#include "openmyna/services/konbini/centre_http.h"

#include <functional>

#include "openmyna/base/base64.h"
#include "openmyna/http/client.h"
#include "openmyna/services/konbini/errors.h"
#include "wire.h"

namespace openmyna::konbini {
namespace {

using nlohmann::json;

constexpr std::string_view kSessions = "/konbini/v1/centre/sessions";

// "/konbini/v1/centre/sessions/{id}/{step}" -> id and step ("" for none).
bool SplitPath(std::string_view path, std::string& id, std::string& step) {
  if (!path.starts_with(kSessions) || path.size() <= kSessions.size() + 1 ||
      path[kSessions.size()] != '/') {
    return false;
  }
  std::string_view rest = path.substr(kSessions.size() + 1);
  const auto slash = rest.find('/');
  id = std::string(rest.substr(0, slash));
  step = slash == std::string_view::npos ? ""
                                         : std::string(rest.substr(slash + 1));
  return !id.empty() &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
             std::string::npos;
}

Result<Bytes> Field(const json& j, const char* name) {
  auto decoded = Base64Decode(j.value(name, std::string()));
  if (!decoded || decoded->empty()) {
    return Fail(KonbiniErrc::kInvalidInput,
                std::string(name) + ": base64 expected");
  }
  return *decoded;
}

http::Response Step(Centre& centre, const std::string& kiosk,
                    const http::Request& request, const std::string& id,
                    const std::string& step) {
  auto body = wire::JsonBody(request);
  if (!body) return wire::ErrorResponse(body.error());
  if (step == "card") {
    auto der = Field(*body, "certificate");
    if (!der) return wire::ErrorResponse(der.error());
    auto signature = Field(*body, "signature");
    if (!signature) return wire::ErrorResponse(signature.error());
    auto who = centre.Authenticate(kiosk, id, *der, *signature);
    if (!who) return wire::ErrorResponse(who.error());
    return wire::JsonResponse(wire::ToJson(*who));
  }
  if (step == "cancel") {
    if (Status ended = centre.Cancel(kiosk, id); !ended) {
      return wire::ErrorResponse(ended.error());
    }
    return wire::NoContent();
  }
  if (step == "registration") {
    const RegistrationForm form{body->value("municipality", std::string()),
                                body->value("domicile", std::string()),
                                body->value("head_of_family", std::string())};
    auto filed = centre.ApplyRegistration(kiosk, id, form);
    if (!filed) return wire::ErrorResponse(filed.error());
    return wire::JsonResponse({{"application_id", filed->application_id},
                               {"municipality", filed->municipality_code}},
                              201);
  }
  // "document": the request id and subject are the session's, whatever
  // the body says (Centre::Request sets them).
  if (!body->contains("request") || !(*body)["request"].is_object()) {
    return wire::ErrorResponse(
        Error(KonbiniErrc::kInvalidInput, "request: an object expected"));
  }
  json choice = (*body)["request"];
  choice["request_id"] = id;
  choice["subject"] = "";
  auto issue = wire::IssueRequestFromJson(choice);
  if (!issue) return wire::ErrorResponse(issue.error());
  auto document = centre.Request(
      kiosk, id, body->value("municipality", std::string()), *issue);
  if (!document) return wire::ErrorResponse(document.error());
  return wire::JsonResponse(wire::ToJson(*document));
}

// A route's answer to the enrolled kiosk its credential proves.
using KioskHandler = std::function<http::Response(const http::Request&,
                                                  const std::string& kiosk)>;

// The route's answer for an enrolled kiosk only (and as that kiosk: its
// sessions are bound to it).
http::Handler ForKiosks(std::shared_ptr<const KioskCredentials> kiosks,
                        KioskHandler serve) {
  return [kiosks = std::move(kiosks), serve = std::move(serve)](
             const http::Request& request) -> http::Response {
    auto kiosk = kiosks->Check(request.HeaderValue("Authorization"));
    if (!kiosk) {
      return wire::ErrorResponse(kiosk.error(), 401)
          .AddHeader("WWW-Authenticate", "Bearer");
    }
    return serve(request, *kiosk);
  };
}

}  // namespace

Status AddCentreApi(http::Router& router, Centre& centre,
                    std::shared_ptr<const KioskCredentials> kiosks) {
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", std::string(kSessions),
      ForKiosks(kiosks,
                [&centre](const http::Request&,
                          const std::string& kiosk) -> http::Response {
                  auto start = centre.Begin(kiosk);
                  if (!start) return wire::ErrorResponse(start.error());
                  return wire::JsonResponse(
                      {{"request_id", start->request_id},
                       {"challenge", Base64Encode(start->challenge)}},
                      201);
                })));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", std::string(kSessions) + "/*",
      ForKiosks(kiosks,
                [&centre](const http::Request& request,
                          const std::string& kiosk) -> http::Response {
                  std::string id, step;
                  if (!SplitPath(request.path, id, step) ||
                      (step != "card" && step != "document" &&
                       step != "registration" && step != "cancel")) {
                    return http::Problem(404, "Not Found",
                                         "no such session step");
                  }
                  return Step(centre, kiosk, request, id, step);
                })));
  return router.Add(
      "DELETE", std::string(kSessions) + "/*",
      ForKiosks(kiosks,
                [&centre](const http::Request& request,
                          const std::string& kiosk) -> http::Response {
                  std::string id, step;
                  if (!SplitPath(request.path, id, step) || !step.empty()) {
                    return http::Problem(404, "Not Found", "no session");
                  }
                  if (Status ended = centre.Finish(kiosk, id); !ended) {
                    return wire::ErrorResponse(ended.error());
                  }
                  return wire::NoContent();
                }));
}

HttpCentre::HttpCentre(std::string url, std::string credential)
    : url_(std::move(url)), authorization_("Bearer " + credential) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

Result<json> HttpCentre::Post(const std::string& path, const json& body) const {
  http::ClientRequest call;
  call.method = "POST";
  call.url = url_ + std::string(kSessions) + path;
  call.headers = {{"Content-Type", "application/json"},
                  {"Authorization", authorization_}};
  call.body = body.dump();
  return wire::JsonAnswer(http::Fetch(call), call.url);
}

Result<SessionStart> HttpCentre::Begin() {
  OPENMYNA_ASSIGN_OR_RETURN(json start, Post("", json::object()));
  auto challenge = Base64Decode(start.value("challenge", std::string()));
  if (!challenge || !start.contains("request_id")) {
    return Fail(KonbiniErrc::kInternal, url_ + ": not a session");
  }
  return SessionStart{start.value("request_id", std::string()), *challenge};
}

Result<Authenticated> HttpCentre::Authenticate(std::string_view request_id,
                                               ByteView certificate_der,
                                               ByteView signature) {
  OPENMYNA_ASSIGN_OR_RETURN(
      json who, Post("/" + std::string(request_id) + "/card",
                     {{"certificate", Base64Encode(certificate_der)},
                      {"signature", Base64Encode(signature)}}));
  return wire::AuthenticatedFromJson(who);
}

Result<SignedDocument> HttpCentre::Request(std::string_view request_id,
                                           const std::string& municipality_code,
                                           const IssueRequest& choice) {
  OPENMYNA_ASSIGN_OR_RETURN(json document,
                            Post("/" + std::string(request_id) + "/document",
                                 {{"municipality", municipality_code},
                                  {"request", wire::ToJson(choice)}}));
  return wire::SignedDocumentFromJson(document);
}

Result<RegistrationReceipt> HttpCentre::ApplyRegistration(
    std::string_view request_id, const RegistrationForm& form) {
  OPENMYNA_ASSIGN_OR_RETURN(
      json filed, Post("/" + std::string(request_id) + "/registration",
                       {{"municipality", form.domicile_municipality},
                        {"domicile", form.domicile},
                        {"head_of_family", form.head_of_family}}));
  RegistrationReceipt receipt{filed.value("application_id", std::string()),
                              filed.value("municipality", std::string())};
  if (receipt.application_id.empty()) {
    return Fail(KonbiniErrc::kInternal, url_ + ": not an application");
  }
  return receipt;
}

Status HttpCentre::Finish(std::string_view request_id) {
  return NoContent("DELETE", "/" + std::string(request_id));
}

Status HttpCentre::Cancel(std::string_view request_id) {
  return NoContent("POST", "/" + std::string(request_id) + "/cancel");
}

Status HttpCentre::NoContent(const std::string& method,
                             const std::string& path) const {
  http::ClientRequest call;
  call.method = method;
  call.url = url_ + std::string(kSessions) + path;
  call.headers = {{"Authorization", authorization_}};
  if (method == "POST") {
    call.headers.push_back({"Content-Type", "application/json"});
    call.body = "{}";
  }
  // A session the centre did not confirm ended is not printed.
  return wire::NoContentAnswer(http::Fetch(call), call.url);
}

}  // namespace openmyna::konbini
