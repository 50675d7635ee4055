#include "openmyna/services/registry_api.h"

#include <openssl/evp.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "civil_routes.h"
#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/http/message.h"
#include "openmyna/registry/civil_model_json.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/permissions.h"
#include "resident_file_json.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::Actor;
using registry::RegistryErrc;
using Params = std::map<std::string, std::string>;
using Handler =
    std::function<Result<json>(const Actor&, const Params&, const json&)>;

// The one table from registry errors to HTTP statuses (architecture.md §6).
int StatusFor(const Error& error) {
  if (error.Is(RegistryErrc::kInvalidInput) ||
      error.Is(RegistryErrc::kBadIndividualNumber)) {
    return 400;
  }
  if (error.Is(RegistryErrc::kNotFound)) return 404;
  if (error.Is(RegistryErrc::kRefused) || error.Is(RegistryErrc::kConflict)) {
    return 409;
  }
  if (error.Is(RegistryErrc::kUnavailable)) return 503;
  return 500;
}

http::Response ProblemFor(const Error& error) {
  const int status = StatusFor(error);
  // Internal details stay in the log; input and rule errors are explained.
  return http::Problem(
      status, http::ReasonPhrase(status),
      status >= 500 ? "the registry could not complete the "
                      "request"
                    : error.message(),
      "https://openmyna.invalid/problems/" + std::string(error.code_name()));
}

http::Response Json(int status, const json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

Result<std::string> Text(const json& body, const char* field,
                         bool required = true) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) {
      return Fail(RegistryErrc::kInvalidInput,
                  std::string(field) + ": required");
    }
    return std::string();
  }
  if (!it->is_string()) {
    return Fail(RegistryErrc::kInvalidInput,
                std::string(field) + ": must be a string");
  }
  return it->get<std::string>();
}

Result<bool> Flag(const json& body, const char* field, bool fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    return Fail(RegistryErrc::kInvalidInput,
                std::string(field) + ": must be true or false");
  }
  return it->get<bool>();
}

Result<registry::Passwords> PasswordsOf(const json& body) {
  registry::Passwords p;
  auto it = body.find("passwords");
  if (it == body.end() || it->is_null()) return p;
  if (!it->is_object()) {
    return Fail(RegistryErrc::kInvalidInput, "passwords: must be an object");
  }
  OPENMYNA_ASSIGN_OR_RETURN(p.signature, Text(*it, "signature", false));
  OPENMYNA_ASSIGN_OR_RETURN(p.authentication,
                            Text(*it, "authentication", false));
  OPENMYNA_ASSIGN_OR_RETURN(p.juki, Text(*it, "juki", false));
  OPENMYNA_ASSIGN_OR_RETURN(p.input_assist, Text(*it, "input_assist", false));
  return p;
}

Result<registry::ReissueReason> ReasonOf(const json& body) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
  if (reason == "loss") return registry::ReissueReason::kLoss;
  if (reason == "theft") return registry::ReissueReason::kTheft;
  if (reason == "damage") return registry::ReissueReason::kDamage;
  return Fail(RegistryErrc::kInvalidInput,
              "reason: one of loss, theft, damage");
}

Result<domain::PasswordKind> PasswordKindOf(const json& body) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string kind, Text(body, "kind"));
  if (kind == "signature") return domain::PasswordKind::kSignature;
  if (kind == "authentication") return domain::PasswordKind::kAuthentication;
  if (kind == "juki") return domain::PasswordKind::kJuki;
  if (kind == "input_assist") return domain::PasswordKind::kInputAssist;
  return Fail(RegistryErrc::kInvalidInput,
              "kind: one of signature, authentication, juki, input_assist");
}

// A certificate's holder for a relying party's service: the basic four
// attributes and the registry id, never the individual number.
json HolderJson(const registry::CertificateHolder& h) {
  const registry::Resident& r = h.resident;
  json out = {{"certificate", h.certificate},
              {"standing", registry::ToString(h.standing)},
              {"card",
               {{"id", h.card.id},
                {"state", registry::ToString(h.card.state)},
                {"expires_on", h.card.expires_on}}},
              {"resident",
               {{"id", r.id},
                {"name", r.name},
                {"date_of_birth", r.date_of_birth},
                {"sex", static_cast<int>(r.sex)},
                {"address", r.address},
                {"municipality_code", r.municipality_code}}}};
  out["successor"] = h.successor ? json(*h.successor) : json(nullptr);
  return out;
}

json ChangeJson(const registry::ChangeOutcome& c) {
  json out = {{"resident", c.resident}};
  out["card"] = c.card ? json(*c.card) : json(nullptr);
  out["notes_full_reissue"] =
      c.notes_full_reissue ? json(*c.notes_full_reissue) : json(nullptr);
  return out;
}

template <typename T>
Result<json> ToJson(Result<T> result) {
  if (!result) return Unexpected(std::move(result).error());
  return json(*result);
}

// Splits "/a/{x}/b" and "/a/42/b" into segments and binds {x}.
bool MatchPattern(std::string_view pattern, std::string_view path,
                  Params& params) {
  params.clear();
  auto next = [](std::string_view& rest) {
    if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    const std::size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view()
                                           : rest.substr(slash);
    return segment;
  };
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty()) return false;
    std::string_view p = next(pattern);
    std::string_view s = next(path);
    if (s.empty()) return false;
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      std::string decoded;
      if (!http::PercentDecode(s, decoded)) return false;
      params[std::string(p.substr(1, p.size() - 2))] = decoded;
    } else if (p != s) {
      return false;
    }
  }
  return true;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  return ToHex(ByteView(digest, size));
}

// A route whose body is written straight to text (resident_file_json.h)
// instead of through a json document.
using TextHandler =
    std::function<Result<std::string>(const Actor&, const Params&)>;

struct Route {
  RegistryRoute info;
  Handler handler;
  TextHandler text;  // used instead of `handler` when set
};

std::vector<Route> BuildRoutes(registry::RegistryService* s,
                               registry::CivilService* civil);

class Api {
 public:
  Api(registry::RegistryStore& store, registry::RegistryService& service)
      : store_(store),
        civil_(store, service.clock(), service.rng()),
        routes_(BuildRoutes(&service, &civil_)) {}

  const std::vector<Route>& routes() const { return routes_; }

  http::Response Handle(const http::Request& request) {
    Params params;
    const Route* found = nullptr;
    std::string allow;
    for (const Route& route : routes_) {
      if (!MatchPattern(route.info.pattern, request.path, params)) continue;
      if (route.info.method == request.method ||
          (request.method == "HEAD" && route.info.method == "GET")) {
        found = &route;
        break;
      }
      allow += allow.empty() ? route.info.method : ", " + route.info.method;
    }
    if (found == nullptr) {
      if (!allow.empty()) {
        return http::Problem(405, "Method Not Allowed",
                             "use " + allow + " on this path")
            .AddHeader("Allow", allow);
      }
      return http::Problem(404, "Not Found", "no such route");
    }
    MatchPattern(found->info.pattern, request.path, params);
    auto role = Authenticate(request);
    if (!role) {
      return http::Problem(401, "Unauthorized",
                           "HTTP Basic credentials of a registry role are "
                           "required")
          .AddHeader("WWW-Authenticate", "Basic realm=\"openmyna-registry\"");
    }
    if (!registry::MayPerform(role->second, found->info.action)) {
      return http::Problem(403, "Forbidden",
                           "role " +
                               std::string(registry::ToString(role->second)) +
                               " may not perform " + found->info.action);
    }
    json body = json::object();
    if (found->info.method == "POST" && !request.body.empty()) {
      if (request.ContentType() != "application/json") {
        return http::Problem(415, "Unsupported Media Type",
                             "send application/json");
      }
      body = json::parse(request.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return http::Problem(400, "Bad Request",
                             "the body is not a JSON object");
      }
    }
    const Actor actor{role->first, role->second,
                      std::string(request.HeaderValue("X-Purpose"))};
    if (found->text) {
      Result<std::string> text = [&]() -> Result<std::string> {
        try {
          return found->text(actor, params);
        } catch (const json::exception& e) {
          return Fail(RegistryErrc::kInvalidInput, e.what());
        }
      }();
      if (!text) return ProblemFor(text.error());
      http::Response response;
      response.status = 200;
      response.content_type = "application/json";
      response.body = *std::move(text);
      return response;
    }
    Result<json> result = [&]() -> Result<json> {
      try {
        return found->handler(actor, params, body);
      } catch (const json::exception& e) {
        return Fail(RegistryErrc::kInvalidInput, e.what());
      }
    }();
    if (!result) return ProblemFor(result.error());
    return Json(found->info.method == "POST" ? 200 : 200, *result);
  }

 private:
  // (id, role) of a valid Basic credential. Verified secrets are cached by
  // their SHA-256 so that PBKDF2 runs once per credential and process; one
  // verification per id at a time, so that N connections opened at once
  // with the same new credential cost one PBKDF2, not N (600,000
  // iterations each: 64 at once kept a 2-core machine busy for tens of
  // seconds and answered nothing, the "0 requests" of the first wrk runs).
  std::optional<std::pair<std::string, registry::Role>> Authenticate(
      const http::Request& request) {
    std::string_view header = request.HeaderValue("Authorization");
    if (!header.starts_with("Basic ")) return std::nullopt;
    const auto bytes = Base64Decode(header.substr(6));
    if (!bytes) return std::nullopt;
    const std::string decoded = openmyna::ToString(*bytes);
    const std::size_t colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string id = decoded.substr(0, colon);
    const std::string secret = decoded.substr(colon + 1);
    const std::string digest = Sha256Hex(secret);
    std::unique_lock lock(mutex_);
    verifying_cv_.wait(lock, [&] { return !verifying_.contains(id); });
    auto it = verified_.find(id);
    if (it != verified_.end() && it->second.first == digest) {
      return std::make_pair(id, it->second.second);
    }
    verifying_.insert(id);
    lock.unlock();
    auto role = registry::VerifyCredential(store_, id, secret);
    lock.lock();
    verifying_.erase(id);
    verifying_cv_.notify_all();
    if (!role || !role->has_value()) return std::nullopt;
    verified_[id] = {digest, **role};
    return std::make_pair(id, **role);
  }

  registry::RegistryStore& store_;
  registry::CivilService civil_;
  std::vector<Route> routes_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, registry::Role>> verified_;
  std::set<std::string> verifying_;  // ids whose PBKDF2 runs now
  std::condition_variable verifying_cv_;
};

std::vector<Route> BuildRoutes(registry::RegistryService* s,
                               registry::CivilService* civil) {
  std::vector<Route> routes_;
  auto Add = [&routes_](std::string method, std::string pattern,
                        std::string action, std::string summary,
                        Handler handler) {
    routes_.push_back({{std::move(method), std::move(pattern),
                        std::move(action), std::move(summary)},
                       std::move(handler)});
  };
  Add("POST", "/v1/municipalities", "municipality.write",
      "Create or update a municipality",
      [s](const Actor& a, const Params&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto m, registry::DecodeJson<registry::Municipality>(b));
        OPENMYNA_RETURN_IF_ERROR(s->PutMunicipality(a, m));
        return json(m);
      });
  Add("POST", "/v1/residents", "resident.register", "Register a resident",
      [s](const Actor& a, const Params&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto r,
                                  registry::DecodeJson<registry::Resident>(b));
        return ToJson(s->RegisterResident(a, r));
      });
  Add("POST", "/v1/residents/lookup", "resident.lookup",
      "Find a resident by individual number (in the body)",
      [s](const Actor& a, const Params&, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto number, Text(b, "individual_number"));
        return ToJson(s->FindResident(a, number));
      });
  // The audited read of the registry API's load (issue 13): its body is
  // written straight to text, the same bytes as json's dump of the file.
  Add("GET", "/v1/residents/{id}", "resident.read",
      "A resident's record with cards, certificates, applications, fees "
      "and notices",
      nullptr);
  routes_.back().text = [s](const Actor& a,
                            const Params& p) -> Result<std::string> {
    OPENMYNA_ASSIGN_OR_RETURN(auto file, s->GetResident(a, p.at("id")));
    return internal::ResidentFileJson(file);
  };
  Add("GET", "/v1/residents/{id}/audit", "audit.read",
      "Who read or changed the resident's data (oldest first)",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->AuditTrail(a, p.at("id")));
      });
  Add("POST", "/v1/applications", "card.apply", "Apply for a card",
      [s](const Actor& a, const Params&, const json& b) -> Result<json> {
        registry::ApplicationRequest req;
        OPENMYNA_ASSIGN_OR_RETURN(req.resident_id, Text(b, "resident_id"));
        OPENMYNA_ASSIGN_OR_RETURN(req.applicant_id,
                                  Text(b, "applicant_id", false));
        OPENMYNA_ASSIGN_OR_RETURN(std::string kind,
                                  Text(b, "card_kind", false));
        if (kind == "face_auth") {
          req.card_kind = registry::CardKind::kFaceAuth;
        } else if (!kind.empty() && kind != "standard") {
          return Fail(RegistryErrc::kInvalidInput,
                      "card_kind: standard or face_auth");
        }
        OPENMYNA_ASSIGN_OR_RETURN(req.signature_certificate,
                                  Flag(b, "signature_certificate", true));
        OPENMYNA_ASSIGN_OR_RETURN(req.authentication_certificate,
                                  Flag(b, "authentication_certificate", true));
        return ToJson(s->Apply(a, req));
      });
  Add("POST", "/v1/applications/{id}/produce", "card.produce",
      "Produce the card of an application",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->Produce(a, p.at("id")));
      });
  Add("POST", "/v1/cards/{id}/deliver", "card.deliver",
      "Deliver the card at the counter; the receiver sets the passwords",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto receiver, Text(b, "receiver_id"));
        OPENMYNA_ASSIGN_OR_RETURN(auto passwords, PasswordsOf(b));
        return ToJson(s->Deliver(a, p.at("id"), receiver, passwords));
      });
  Add("POST", "/v1/cards/{id}/certificates", "card.add_certificates",
      "Add certificates declined at application",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(bool sign, Flag(b, "signature", false));
        OPENMYNA_ASSIGN_OR_RETURN(bool auth, Flag(b, "authentication", false));
        OPENMYNA_ASSIGN_OR_RETURN(auto passwords, PasswordsOf(b));
        return ToJson(s->AddCertificates(a, p.at("id"), sign, auth, passwords));
      });
  Add("POST", "/v1/cards/{id}/suspend", "card.suspend",
      "Suspend a card (hotline, any hour): both certificates on hold",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->Suspend(a, p.at("id")));
      });
  Add("POST", "/v1/cards/{id}/lift-suspension", "card.lift_suspension",
      "Lift a suspension at the counter (new certificates)",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->LiftSuspension(a, p.at("id")));
      });
  Add("POST", "/v1/cards/{id}/report-loss", "card.report_loss",
      "Report a card lost or stolen (police report reference)",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto reason, ReasonOf(b));
        OPENMYNA_ASSIGN_OR_RETURN(auto report, Text(b, "police_report"));
        return ToJson(s->ReportLossOrTheft(a, p.at("id"), reason, report));
      });
  Add("POST", "/v1/cards/{id}/present", "card.present",
      "Present the card at the new municipality after moving in",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->PresentAfterMoveIn(a, p.at("id")));
      });
  Add("POST", "/v1/cards/{id}/password-reset", "card.reset_password",
      "Unlock and reset a password at the counter",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto kind, PasswordKindOf(b));
        OPENMYNA_ASSIGN_OR_RETURN(auto value, Text(b, "new_password"));
        OPENMYNA_RETURN_IF_ERROR(s->ResetPassword(a, p.at("id"), kind, value));
        return json{{"reset", true}};
      });
  Add("POST", "/v1/residents/{id}/reissue", "card.reissue",
      "Apply for a reissue (fee ¥1,000 with certificates, ¥800 without)",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto reason, ReasonOf(b));
        OPENMYNA_ASSIGN_OR_RETURN(bool with,
                                  Flag(b, "with_certificates", true));
        return ToJson(s->ApplyForReissue(a, p.at("id"), reason, with));
      });
  Add("POST", "/v1/residents/{id}/renewal", "card.renew",
      "Apply for renewal (from 3 months before expiry, free)",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->ApplyForRenewal(a, p.at("id")));
      });
  Add("POST", "/v1/residents/{id}/address", "resident.change_address",
      "Change of address within the municipality",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto address, Text(b, "address"));
        OPENMYNA_ASSIGN_OR_RETURN(auto out,
                                  s->ChangeAddress(a, p.at("id"), address));
        return ChangeJson(out);
      });
  Add("POST", "/v1/residents/{id}/name", "resident.change_name",
      "Change of name",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto name, Text(b, "name"));
        OPENMYNA_ASSIGN_OR_RETURN(auto out, s->ChangeName(a, p.at("id"), name));
        return ChangeJson(out);
      });
  Add("POST", "/v1/residents/{id}/former-surname", "resident.former_surname",
      "Write the former surname (旧氏) beside the name",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto name, Text(b, "former_surname"));
        OPENMYNA_ASSIGN_OR_RETURN(auto out,
                                  s->SetFormerSurname(a, p.at("id"), name));
        return ChangeJson(out);
      });
  Add("POST", "/v1/residents/{id}/move-in", "resident.move_in",
      "Move in from another municipality (90-day presentation rule)",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto code, Text(b, "municipality_code"));
        OPENMYNA_ASSIGN_OR_RETURN(auto address, Text(b, "address"));
        OPENMYNA_ASSIGN_OR_RETURN(auto on, Text(b, "moved_in_on"));
        return ToJson(s->MoveIn(a, p.at("id"), code, address, on));
      });
  Add("POST", "/v1/residents/{id}/period-of-stay", "resident.period_of_stay",
      "A foreign resident's period of stay changed",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto end, Text(b, "period_of_stay_ends"));
        return ToJson(s->ChangePeriodOfStay(a, p.at("id"), end));
      });
  Add("POST", "/v1/residents/{id}/death", "resident.death", "Record a death",
      [s](const Actor& a, const Params& p, const json& b) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto on, Text(b, "died_on"));
        return ToJson(s->RecordDeath(a, p.at("id"), on));
      });
  Add("GET", "/v1/certificates/{serial}", "certificate.read",
      "A certificate's registry record",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        return ToJson(s->GetCertificate(a, p.at("serial")));
      });
  Add("GET", "/v1/certificates/{serial}/holder", "certificate.holder",
      "Who holds a certificate (resident without the individual number, "
      "card, standing) and the certificate that replaced it (audited)",
      [s](const Actor& a, const Params& p, const json&) -> Result<json> {
        OPENMYNA_ASSIGN_OR_RETURN(auto h,
                                  s->CertificateHolderOf(a, p.at("serial")));
        return HolderJson(h);
      });
  for (auto& route : internal::CivilRoutes(civil)) {
    routes_.push_back({std::move(route.info), std::move(route.handler)});
  }
  return routes_;
}

json OpenApiDocument(const std::vector<Route>& routes) {
  json paths = json::object();
  for (const Route& route : routes) {
    std::string method = route.info.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    json parameters = json::array();
    const std::string& pattern = route.info.pattern;
    for (std::size_t open = pattern.find('{'); open != std::string::npos;
         open = pattern.find('{', open + 1)) {
      const std::size_t close = pattern.find('}', open);
      parameters.push_back(
          {{"name", pattern.substr(open + 1, close - open - 1)},
           {"in", "path"},
           {"required", true},
           {"schema", {{"type", "string"}}}});
    }
    json operation = {
        {"summary", route.info.summary},
        {"x-openmyna-action", route.info.action},
        {"parameters", parameters},
        {"security", json::array({{{"basic", json::array()}}})},
        {"responses",
         {{"200", {{"description", "OK"}}},
          {"400", {{"$ref", "#/components/responses/Problem"}}},
          {"401", {{"$ref", "#/components/responses/Problem"}}},
          {"403", {{"$ref", "#/components/responses/Problem"}}},
          {"404", {{"$ref", "#/components/responses/Problem"}}},
          {"409", {{"$ref", "#/components/responses/Problem"}}}}}};
    if (route.info.method == "POST") {
      operation["requestBody"] = {
          {"required", false},
          {"content",
           {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    paths[pattern][method] = operation;
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "OpenMyna registry API (sandbox, NOT the real JPKI)"},
            {"version", "1"}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"basic", {{"type", "http"}, {"scheme", "basic"}}}}},
            {"responses",
             {{"Problem",
               {{"description", "RFC 9457 problem document"},
                {"content",
                 {{"application/problem+json",
                   {{"schema", {{"type", "object"}}}}}}}}}}}}}};
}

}  // namespace

const std::vector<RegistryRoute>& RegistryRoutes() {
  static const std::vector<RegistryRoute> routes = [] {
    std::vector<RegistryRoute> out;
    for (const Route& route : BuildRoutes(nullptr, nullptr)) {
      out.push_back(route.info);
    }
    return out;
  }();
  return routes;
}

std::string RegistryOpenApi() {
  return OpenApiDocument(BuildRoutes(nullptr, nullptr)).dump(2);
}

Status AddRegistryApi(http::Router& router, registry::RegistryStore& store,
                      registry::RegistryService& service) {
  auto api = std::make_shared<Api>(store, service);
  const std::string document = RegistryOpenApi();
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", "/openapi.json", [document](const http::Request&) {
        http::Response response;
        response.content_type = "application/json";
        response.body = document;
        return response;
      }));
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    OPENMYNA_RETURN_IF_ERROR(router.Add(
        method, "/v1/*",
        [api](const http::Request& request) { return api->Handle(request); }));
  }
  return Ok();
}

}  // namespace openmyna::services
