#include "openmyna/services/application_inbox.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/web/form.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::RegistryErrc;

int StatusFor(const Error& error) {
  if (error.Is(RegistryErrc::kInvalidInput)) return 400;
  if (error.Is(RegistryErrc::kNotFound)) return 404;
  if (error.Is(RegistryErrc::kRefused) || error.Is(RegistryErrc::kConflict)) {
    return 409;
  }
  return 500;
}

http::Response Problem(const Error& error) {
  const int status = StatusFor(error);
  return http::Problem(
      status, http::ReasonPhrase(status),
      status >= 500 ? "the registry could not complete the "
                      "request"
                    : error.message(),
      "https://openmyna.invalid/problems/" + std::string(error.code_name()));
}

http::Response Json(const json& body) {
  http::Response response;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

json ToJson(const registry::OnlineApplication& a, bool full) {
  json j = {{"id", a.id},
            {"resident_id", a.resident_id},
            {"municipality_code", a.municipality_code},
            {"kind", registry::ToString(a.kind)},
            {"state", registry::ToString(a.state)},
            {"submitted_at", registry::FormatJst(a.submitted_at)},
            {"channel", a.channel}};
  // "kiosk": made at a convenience-store kiosk, authenticated by the
  // centre with the card's authentication certificate; no CMS to check.
  const bool kiosk = a.channel == "kiosk";
  if (kiosk) {
    j["authentication_serial"] = a.signer_serial;
  } else {
    j["signed_at"] = registry::FormatJst(a.signed_at);
    j["signer_serial"] = a.signer_serial;
  }
  if (a.decided_at) {
    j["decided_at"] = registry::FormatJst(*a.decided_at);
    j["decided_by"] = a.decided_by;
    j["decision_reason"] = a.decision_reason;
  }
  if (full) {
    json fields = json::object();
    for (const auto& [name, value] : a.fields) fields[name] = value;
    j["fields"] = fields;
    j["signed_content"] = a.content;
    // The resident's CMS SignedData as received (DER, base64): the clerk's
    // own check with any CMS tool (`openssl cms -verify`).
    if (!kiosk) j["signature"] = Base64Encode(a.cms);
  }
  return j;
}

// The Basic credential's (id, role), or nullopt (RFC 7617).
std::optional<registry::Actor> Authenticate(registry::RegistryStore& store,
                                            const http::Request& request) {
  std::string_view header = request.HeaderValue("Authorization");
  if (!header.starts_with("Basic ")) return std::nullopt;
  const auto bytes = Base64Decode(header.substr(6));
  if (!bytes) return std::nullopt;
  const std::string decoded = openmyna::ToString(*bytes);
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string id = decoded.substr(0, colon);
  auto role = registry::VerifyCredential(store, id, decoded.substr(colon + 1));
  if (!role || !role->has_value()) return std::nullopt;
  return registry::Actor{id, **role,
                         std::string(request.HeaderValue("X-Purpose"))};
}

http::Response Forbidden(const registry::Actor& actor) {
  return http::Problem(403, "Forbidden",
                       "role " + std::string(registry::ToString(actor.role)) +
                           " may not use the application inbox");
}

http::Response Unauthorized() {
  return http::Problem(401, "Unauthorized",
                       "HTTP Basic credentials of a registry role are "
                       "required")
      .AddHeader("WWW-Authenticate", "Basic realm=\"openmyna-registry\"");
}

}  // namespace

Status AddApplicationInbox(http::Router& router, registry::RegistryStore& store,
                           registry::OnlineApplications& applications) {
  registry::RegistryStore* s = &store;
  registry::OnlineApplications* apps = &applications;
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", "/v1/inbox/*", [s, apps](const http::Request& request) {
        auto actor = Authenticate(*s, request);
        if (!actor) return Unauthorized();
        if (actor->role != registry::Role::kCounterClerk) {
          return Forbidden(*actor);
        }
        const std::string code = request.path.substr(sizeof("/v1/inbox/") - 1);
        std::optional<registry::OnlineApplicationState> state;
        auto query = web::ParseQuery(request);
        const std::string wanted = query ? query->GetOr("state") : "";
        for (auto st : {registry::OnlineApplicationState::kSubmitted,
                        registry::OnlineApplicationState::kAccepted,
                        registry::OnlineApplicationState::kRejected}) {
          if (registry::ToString(st) == wanted) state = st;
        }
        if (!wanted.empty() && !state) {
          return http::Problem(400, "Bad Request",
                               "state: submitted, accepted or rejected");
        }
        auto list = apps->Inbox(*actor, code, state);
        if (!list) return Problem(list.error());
        json items = json::array();
        for (const auto& a : *list) items.push_back(ToJson(a, false));
        return Json({{"applications", items}});
      }));
  auto one = [s, apps](const http::Request& request) {
    auto actor = Authenticate(*s, request);
    if (!actor) return Unauthorized();
    if (actor->role != registry::Role::kCounterClerk) return Forbidden(*actor);
    std::string rest =
        request.path.substr(sizeof("/v1/online-applications/") - 1);
    const std::size_t slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    const std::string verb =
        slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (request.method == "GET" && verb.empty()) {
      auto a = apps->Get(*actor, id);
      return a ? Json(ToJson(*a, true)) : Problem(a.error());
    }
    if (request.method != "POST" || (verb != "accept" && verb != "reject")) {
      return http::Problem(404, "Not Found", "no such route");
    }
    std::string reason;
    if (!request.body.empty()) {
      const json body = json::parse(request.body, nullptr, false);
      if (!body.is_object()) {
        return http::Problem(400, "Bad Request", "the body is not JSON");
      }
      if (body.contains("reason") && body["reason"].is_string()) {
        reason = body["reason"].get<std::string>();
      }
    }
    auto a = apps->Decide(*actor, id, verb == "accept", reason);
    return a ? Json(ToJson(*a, false)) : Problem(a.error());
  };
  OPENMYNA_RETURN_IF_ERROR(router.Add("GET", "/v1/online-applications/*", one));
  return router.Add("POST", "/v1/online-applications/*", one);
}

}  // namespace openmyna::services
