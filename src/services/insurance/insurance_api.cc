#include "openmyna/services/insurance_api.h"

#include <openssl/evp.h>

#include <map>
#include <mutex>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/domain/identity_match.h"
#include "openmyna/http/message.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/services/insurance_documents.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::RegistryErrc;

http::Response Json(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  return r;
}

// Registry errors to HTTP statuses, once (architecture.md §6).
http::Response ProblemFor(const Error& error) {
  int status = 500;
  if (error.Is(RegistryErrc::kInvalidInput) ||
      error.Is(RegistryErrc::kBadIndividualNumber)) {
    status = 400;
  } else if (error.Is(RegistryErrc::kNotFound)) {
    status = 404;
  } else if (error.Is(RegistryErrc::kRefused) ||
             error.Is(RegistryErrc::kConflict)) {
    status = 409;
  } else if (error.Is(RegistryErrc::kUnavailable)) {
    status = 503;
  }
  return http::Problem(
      status, http::ReasonPhrase(status),
      status >= 500 ? "the service could not complete the "
                      "request"
                    : error.message(),
      "https://openmyna.invalid/problems/" + std::string(error.code_name()));
}

std::optional<Bytes> Hex(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  auto bytes = FromHex(it->get<std::string>());
  if (!bytes) return std::nullopt;
  return *bytes;
}

std::string Str(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

// "YYYYMMDD" -> "YYYY-MM-DD" (the messages' date form).
std::string Dashed(const std::string& compact) {
  if (compact.size() != 8) return compact;
  return compact.substr(0, 4) + "-" + compact.substr(4, 2) + "-" +
         compact.substr(6, 2);
}

class Api {
 public:
  Api(registry::RegistryStore& store, registry::InsuranceService& service,
      std::shared_ptr<InsuranceApiOptions> options)
      : store_(store), service_(service), options_(std::move(options)) {}

  // The (credential id, role) of a valid Basic credential; verified
  // secrets are cached by a SHA-256 of "id:secret" (PBKDF2 is slow by
  // design, 600,000 iterations).
  std::optional<std::pair<std::string, registry::Role>> Authenticate(
      const http::Request& request) {
    std::string_view auth = request.HeaderValue("Authorization");
    if (!auth.starts_with("Basic ")) return std::nullopt;
    auth.remove_prefix(6);
    const auto bytes = Base64Decode(auth);
    if (!bytes) return std::nullopt;
    const std::string decoded(bytes->begin(), bytes->end());
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string id = decoded.substr(0, colon);
    const std::string secret = decoded.substr(colon + 1);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(decoded.data(), decoded.size(), digest, &size, EVP_sha256(),
               nullptr);
    const std::string key = ToHex(ByteView(digest, size));
    {
      std::lock_guard lock(mutex_);
      if (auto it = verified_.find(key); it != verified_.end()) {
        return std::make_pair(id, it->second);
      }
    }
    auto role = registry::VerifyCredential(store_, id, secret);
    if (!role || !*role) return std::nullopt;
    std::lock_guard lock(mutex_);
    verified_[key] = **role;
    return std::make_pair(id, **role);
  }

  http::Response Challenge(const http::Request& request) {
    auto clinic = Clinic(request);
    if (!clinic) return clinic.error();
    Bytes nonce = options_->rng->Bytes(32);
    const TimePoint now = options_->clock->Now();
    std::lock_guard lock(mutex_);
    std::erase_if(nonces_, [&](const auto& n) { return n.second < now; });
    nonces_[ToHex(nonce)] = now + std::chrono::seconds(options_->nonce_seconds);
    return Json(200, {{"nonce", ToHex(nonce)},
                      {"expires_in", options_->nonce_seconds}});
  }

  http::Response Eligibility(const http::Request& request) {
    auto clinic = Clinic(request);
    if (!clinic) return clinic.error();
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return http::Problem(400, "Bad Request", "the body is not a JSON object");
    }
    const registry::Actor actor{clinic->code, registry::Role::kClinic,
                                std::string(request.HeaderValue("X-Purpose"))};
    const TimePoint now = options_->clock->Now();
    std::string message;
    Result<registry::EligibilityAnswer> answer =
        Fail(RegistryErrc::kInvalidInput,
             "give either card or QualificationConfirmSearchInfo");
    if (auto card = body.find("card"); card != body.end()) {
      auto check = VerifiedCard(*card, now);
      if (!check) return check.error();
      if (check->in_grace) {
        message =
            "利用者証明用電子証明書の有効期限切れ（3か月以内）: "
            "資格確認のみ";
      }
      answer = service_.CheckByCertificate(actor, check->serial);
    } else if (auto info = body.find("QualificationConfirmSearchInfo");
               info != body.end() && info->is_object()) {
      answer = service_.CheckByCardData(
          actor,
          {Str(*info, "InsurerNumber"), Str(*info, "InsuredCardSymbol"),
           Str(*info, "InsuredIdentificationNumber"),
           Str(*info, "InsuredBranchNumber"), Dashed(Str(*info, "Birthdate"))});
    }
    if (!answer) return ProblemFor(answer.error());
    if (request.query == "format=fhir") {
      http::Response r = Json(200, CoverageBundle(*answer));
      r.content_type = "application/fhir+json";
      return r;
    }
    return Json(200, EligibilityMessage(*answer, clinic->code, now, message));
  }

  http::Response Consent(const http::Request& request) {
    auto clinic = Clinic(request);
    if (!clinic) return clinic.error();
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("card") ||
        !body.contains("items") || !body["items"].is_array()) {
      return http::Problem(400, "Bad Request",
                           "send {\"card\": {...}, \"items\": [...], "
                           "\"method\": \"face|pin|visual\"}");
    }
    const TimePoint now = options_->clock->Now();
    auto check = VerifiedCard(body["card"], now);
    if (!check) return check.error();
    if (check->in_grace) {
      return http::Problem(409, "Conflict",
                           "no medical information during the grace after "
                           "the certificate expired");
    }
    std::vector<std::string> items;
    for (const json& item : body["items"]) {
      if (item.is_string()) items.push_back(item.get<std::string>());
    }
    const registry::Actor actor{clinic->code, registry::Role::kClinic,
                                std::string(request.HeaderValue("X-Purpose"))};
    auto consent = service_.RecordConsent(actor, check->serial, items,
                                          Str(body, "method"));
    if (!consent) return ProblemFor(consent.error());
    if (request.query == "format=fhir") {
      http::Response r = Json(201, ConsentResource(*consent, nullptr, now));
      r.content_type = "application/fhir+json";
      return r;
    }
    return Json(201, {{"consent", *consent}});
  }

  http::Response MedicalInformation(const http::Request& request) {
    auto clinic = Clinic(request);
    if (!clinic) return clinic.error();
    json body = json::parse(request.body, nullptr, false);
    auto info = body.is_object() ? body.find("QualificationConfirmSearchInfo")
                                 : body.end();
    if (body.is_discarded() || !body.is_object() || info == body.end() ||
        !info->is_object()) {
      return http::Problem(400, "Bad Request",
                           "send {\"QualificationConfirmSearchInfo\": {...}}");
    }
    const registry::Actor actor{clinic->code, registry::Role::kClinic,
                                std::string(request.HeaderValue("X-Purpose"))};
    auto out = service_.MedicalInformationFor(
        actor,
        {Str(*info, "InsurerNumber"), Str(*info, "InsuredCardSymbol"),
         Str(*info, "InsuredIdentificationNumber"),
         Str(*info, "InsuredBranchNumber"), Dashed(Str(*info, "Birthdate"))});
    if (!out) return ProblemFor(out.error());
    return Json(200, {{"consent", out->consent},
                      {"medication", out->medication},
                      {"checkups", out->checkups}});
  }

  http::Response Enrol(const http::Request& request) {
    auto insurer = Insurer(request);
    if (!insurer) return insurer.error();
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() ||
        !body.contains("membership") || !body["membership"].is_object()) {
      return http::Problem(400, "Bad Request",
                           "send {\"membership\": {...}, "
                           "\"individual_number\": \"...\"}");
    }
    registry::Membership m;
    try {
      m = body["membership"].get<registry::Membership>();
    } catch (const json::exception& e) {
      return http::Problem(400, "Bad Request",
                           std::string("membership: ") + e.what());
    }
    if (m.insurer_number.empty()) m.insurer_number = insurer->number;
    const registry::Actor actor{insurer->number, registry::Role::kInsurer,
                                std::string(request.HeaderValue("X-Purpose"))};
    auto out = service_.Enrol(actor, {m, Str(body, "individual_number")});
    if (!out) return ProblemFor(out.error());
    return Json(201, {{"membership", out->membership},
                      {"exact_candidates", out->exact_candidates},
                      {"partial_candidates", out->partial_candidates}});
  }

  // The insurer's corrections of its own record (insurance.md "Linking
  // without mistakes"): POST /insurance/v1/memberships/{id}/{what} with
  //   correction   {"name", "name_kana", "date_of_birth", "sex", "address",
  //                 "individual_number" (optional)}: re-collated or re-linked
  //   confirmation {"reason"}: 理由付き疑いなし of a mismatching link
  //   loss         {"lost_on", "reason"}: 資格喪失 (OQSCD008)
  //   document     {}: the 資格確認書 or 資格情報のお知らせ due today, as a
  //                PDF (insurance_documents.h)
  // Each is audited on the resident by the registry (InsuranceService).
  http::Response MembershipChange(const http::Request& request) {
    auto insurer = Insurer(request);
    if (!insurer) return insurer.error();
    constexpr std::string_view kPrefix = "/insurance/v1/memberships/";
    std::string_view rest = request.path;
    rest.remove_prefix(std::min(rest.size(), kPrefix.size()));
    const auto slash = rest.find('/');
    const std::string id(rest.substr(0, slash));
    const std::string what(
        slash == std::string_view::npos ? "" : rest.substr(slash + 1));
    if (id.empty() || (what != "correction" && what != "confirmation" &&
                       what != "loss" && what != "document")) {
      return http::Problem(404, "Not Found",
                           "POST /insurance/v1/memberships/{id}/correction, "
                           "/confirmation, /loss or /document");
    }
    const registry::Actor actor{insurer->number, registry::Role::kInsurer,
                                std::string(request.HeaderValue("X-Purpose"))};
    if (what == "document") return Document(actor, id);  // no body
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return http::Problem(400, "Bad Request", "the body is not a JSON object");
    }
    Result<registry::Membership> changed =
        Fail(RegistryErrc::kInvalidInput, "unknown change");
    if (what == "correction") {
      domain::IdentityItems items{Str(body, "name"), Str(body, "name_kana"),
                                  Str(body, "date_of_birth"), 0,
                                  Str(body, "address")};
      const std::string sex = Str(body, "sex");
      if (sex != "male" && sex != "female" && sex != "unknown") {
        return http::Problem(400, "Bad Request",
                             "sex must be male, female or unknown");
      }
      items.sex = sex == "male" ? 1 : sex == "female" ? 2 : 3;
      auto out =
          service_.Correct(actor, id, items, Str(body, "individual_number"));
      if (!out) return ProblemFor(out.error());
      return Json(200, {{"membership", out->membership},
                        {"exact_candidates", out->exact_candidates},
                        {"partial_candidates", out->partial_candidates}});
    }
    if (what == "confirmation") {
      changed = service_.Override(actor, id, Str(body, "reason"));
    } else {
      changed =
          service_.Lose(actor, id, Str(body, "lost_on"), Str(body, "reason"));
    }
    if (!changed) return ProblemFor(changed.error());
    return Json(200, {{"membership", *changed}});
  }

  // The document due today, as a PDF; its kind and number in headers.
  http::Response Document(const registry::Actor& actor, const std::string& id) {
    auto document = service_.IssueQualificationDocument(actor, id);
    if (!document) return ProblemFor(document.error());
    auto pdf = RenderQualificationPdf(*document);
    if (!pdf) return ProblemFor(pdf.error());
    http::Response r;
    r.status = 201;
    r.content_type = "application/pdf";
    r.body = std::move(*pdf);
    r.AddHeader("X-Document-Kind",
                document->kind == domain::QualificationDocumentKind::kNotice
                    ? "notice"
                    : "certificate");
    r.AddHeader("X-Document-Number", document->number);
    return r;
  }

 private:
  static http::Response Unauthorized() {
    return http::Problem(401, "Unauthorized",
                         "HTTP Basic credentials of a clinic or insurer are "
                         "required")
        .AddHeader("WWW-Authenticate", "Basic realm=\"openmyna-insurance\"");
  }

  Expected<registry::MedicalInstitution, http::Response> Clinic(
      const http::Request& request) {
    auto who = Authenticate(request);
    if (!who) return Unexpected<http::Response>(Unauthorized());
    if (who->second != registry::Role::kClinic) {
      return Unexpected<http::Response>(
          http::Problem(403, "Forbidden", "a clinic credential is needed"));
    }
    auto inst = service_.InstitutionByCredential(who->first);
    if (!inst) return Unexpected<http::Response>(ProblemFor(inst.error()));
    if (!*inst) {
      return Unexpected<http::Response>(http::Problem(
          403, "Forbidden", "the credential belongs to no institution"));
    }
    return **inst;
  }

  Expected<registry::Insurer, http::Response> Insurer(
      const http::Request& request) {
    auto who = Authenticate(request);
    if (!who) return Unexpected<http::Response>(Unauthorized());
    if (who->second != registry::Role::kInsurer) {
      return Unexpected<http::Response>(
          http::Problem(403, "Forbidden", "an insurer credential is needed"));
    }
    auto insurer = service_.InsurerByCredential(who->first);
    if (!insurer)
      return Unexpected<http::Response>(ProblemFor(insurer.error()));
    if (!*insurer) {
      return Unexpected<http::Response>(http::Problem(
          403, "Forbidden", "the credential belongs to no insurer"));
    }
    return **insurer;
  }

  // The card proof of a request: the nonce taken (single use), then
  // CheckCardProof; a problem response when anything fails.
  Expected<CardProofCheck, http::Response> VerifiedCard(const json& card,
                                                        TimePoint now) {
    auto cert = Hex(card, "certificate");
    auto nonce = Hex(card, "nonce");
    auto signature = Hex(card, "signature");
    if (!cert || !nonce || !signature) {
      return Unexpected<http::Response>(
          http::Problem(400, "Bad Request",
                        "card needs certificate, nonce and signature (hex)"));
    }
    if (!TakeNonce(ToHex(*nonce), now)) {
      return Unexpected<http::Response>(
          http::Problem(409, "Conflict",
                        "unknown, used or expired nonce: ask "
                        "/insurance/v1/challenge"));
    }
    CardProofCheck check =
        CheckCardProof({*cert, *nonce, *signature}, *options_, now);
    if (!check.refusal.empty()) {
      return Unexpected<http::Response>(http::Problem(
          409, "Conflict", "the card is refused: " + check.refusal,
          "https://openmyna.invalid/problems/card_refused"));
    }
    return check;
  }

  bool TakeNonce(const std::string& nonce, TimePoint now) {
    std::lock_guard lock(mutex_);
    auto it = nonces_.find(nonce);
    if (it == nonces_.end()) return false;
    const bool fresh = it->second >= now;
    nonces_.erase(it);
    return fresh;
  }

  registry::RegistryStore& store_;
  registry::InsuranceService& service_;
  std::shared_ptr<InsuranceApiOptions> options_;
  std::mutex mutex_;
  std::map<std::string, registry::Role> verified_;
  std::map<std::string, TimePoint> nonces_;
};

// The OpenAPI document of the routes.
std::string OpenApi() {
  auto post = [](const char* summary) {
    return json{{"post", {{"summary", summary}}}};
  };
  return json{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "OpenMyna eligibility service (sandbox)"}, {"version", "1"}}},
      {"paths",
       {{"/insurance/v1/challenge",
         post("a nonce for the card's signature (clinic)")},
        {"/insurance/v1/eligibility",
         post("資格確認 by card (certificate, nonce, signature; hex) or by "
              "QualificationConfirmSearchInfo (clinic); ?format=fhir for "
              "JP_Coverage")},
        {"/insurance/v1/consents",
         post("閲覧同意 given on the reader: card proof, items, method "
              "(clinic); valid 24 h")},
        {"/insurance/v1/medical-information",
         post("薬剤・特定健診 information within a valid consent (clinic)")},
        {"/insurance/v1/enrolments",
         post("enrol a membership: individual number or five-item match "
              "(insurer)")},
        {"/insurance/v1/memberships/{id}/correction",
         post("correct the five items (and optionally give the individual "
              "number): the link is collated again (insurer)")},
        {"/insurance/v1/memberships/{id}/confirmation",
         post("confirm a mismatching link with a reason (insurer)")},
        {"/insurance/v1/memberships/{id}/loss",
         post("資格喪失: lost_on and reason (insurer)")},
        {"/insurance/v1/memberships/{id}/document",
         post("the 資格確認書 or 資格情報のお知らせ due today, as a PDF "
              "(insurer)")}}}}
      .dump();
}

}  // namespace

Status AddInsuranceApi(http::Router& router, registry::RegistryStore& store,
                       registry::InsuranceService& service,
                       std::shared_ptr<InsuranceApiOptions> options) {
  if (!options || !options->clock || !options->rng) {
    return Fail(RegistryErrc::kUnavailable,
                "the insurance API needs a clock and an rng");
  }
  auto api = std::make_shared<Api>(store, service, std::move(options));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", "/insurance/v1/challenge",
                 [api](const http::Request& r) { return api->Challenge(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", "/insurance/v1/eligibility",
      [api](const http::Request& r) { return api->Eligibility(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", "/insurance/v1/consents",
                 [api](const http::Request& r) { return api->Consent(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", "/insurance/v1/medical-information",
      [api](const http::Request& r) { return api->MedicalInformation(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", "/insurance/v1/enrolments",
                 [api](const http::Request& r) { return api->Enrol(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", "/insurance/v1/memberships/*",
      [api](const http::Request& r) { return api->MembershipChange(r); }));
  return router.Add("GET", "/insurance/openapi.json", [](const http::Request&) {
    http::Response r;
    r.content_type = "application/json";
    r.body = OpenApi();
    return r;
  });
}

}  // namespace openmyna::services
