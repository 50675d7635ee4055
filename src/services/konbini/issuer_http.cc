#include "openmyna/services/konbini/issuer_http.h"

#include <chrono>
#include <optional>

#include "openmyna/http/client.h"
#include "openmyna/services/konbini/errors.h"
#include "wire.h"

namespace openmyna::konbini {
namespace {

using nlohmann::json;

constexpr std::string_view kInfo = "/konbini/v1/issuer";
constexpr std::string_view kIssue = "/konbini/v1/issuer/issue";
constexpr std::string_view kVoid = "/konbini/v1/issuer/void";
constexpr std::string_view kPrinted = "/konbini/v1/issuer/printed";

bool TokenMatches(const http::Request& request, const std::string& token) {
  const auto given = wire::BearerSecret(request.HeaderValue("Authorization"));
  return given && wire::SameSecret(*given, token);
}

using Deadline = std::chrono::steady_clock::time_point;

// The time left before `deadline` (the centre's, on this process's steady
// clock), rounded up to whole milliseconds: the call's timeout, so that a
// call the centre gave up on ends with it. Unset (the epoch): the HTTP
// client's default. nullopt once it has passed (the call is not sent).
std::optional<std::chrono::milliseconds> TimeLeft(Deadline deadline) {
  if (deadline == Deadline{}) return http::ClientRequest{}.timeout;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left <= std::chrono::milliseconds::zero()) return std::nullopt;
  return left;
}

Unexpected<Error> TooLate(const std::string& url) {
  return Fail(KonbiniErrc::kUnreachable,
              "the centre's deadline passed before " + url +
                  " was asked (nothing was sent)");
}

http::Response OnlyTheCentre() {
  return http::Problem(401, "Unauthorized",
                       "only the centre may ask for or void a document "
                       "(Bearer issuer token)")
      .AddHeader("WWW-Authenticate", "Bearer");
}

}  // namespace

Result<std::string> LoadOrCreateIssuerToken(const std::filesystem::path& dir) {
  return wire::LoadOrCreateSecret(dir, "issuer-token", "");
}

Status AddIssuerApi(http::Router& router, IssuerPort& issuer,
                    const IssuerApiOptions& options) {
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", std::string(kInfo), [options](const http::Request&) {
        return wire::JsonResponse({{"municipality", options.municipality_code},
                                   {"instance", options.instance}});
      }));
  // The two steps on a document's ledger row: 204, or the problem.
  const auto row_step = [&](std::string_view path, auto step) {
    return router.Add("POST", std::string(path),
                      [&issuer, options, step](const http::Request& request) {
                        if (!TokenMatches(request, options.token))
                          return OnlyTheCentre();
                        auto body = wire::JsonBody(request);
                        if (!body) return wire::ErrorResponse(body.error());
                        if (Status done = step(issuer, *body); !done) {
                          return wire::ErrorResponse(done.error());
                        }
                        return wire::NoContent();
                      });
  };
  OPENMYNA_RETURN_IF_ERROR(
      row_step(kVoid, [](IssuerPort& instance, const json& body) {
        return instance.Void({body.value("request_id", std::string()),
                              body.value("issuer_request_id", std::string()),
                              body.value("reason", std::string())});
      }));
  OPENMYNA_RETURN_IF_ERROR(row_step(kPrinted, [](IssuerPort& instance,
                                                 const json& body) {
    return instance.Confirm({body.value("request_id", std::string()),
                             body.value("issuer_request_id", std::string())});
  }));
  return router.Add(
      "POST", std::string(kIssue),
      [&issuer, options](const http::Request& request) -> http::Response {
        if (!TokenMatches(request, options.token)) return OnlyTheCentre();
        auto body = wire::JsonBody(request);
        if (!body) return wire::ErrorResponse(body.error());
        auto issue = wire::IssueRequestFromJson(*body);
        if (!issue) return wire::ErrorResponse(issue.error());
        if (body->contains("answer_within_ms")) {
          issue->answer_by = std::chrono::steady_clock::now() +
                             std::chrono::milliseconds(body->value(
                                 "answer_within_ms", std::int64_t{0}));
        }
        auto document = issuer.Issue(*issue);
        if (!document) return wire::ErrorResponse(document.error());
        return wire::JsonResponse(wire::ToJson(*document));
      });
}

Status IssuerDirectory::Claim(const std::string& instance,
                              const std::string& url) {
  std::lock_guard lock(mutex_);
  auto [it, added] = url_of_.emplace(instance, url);
  if (!added && it->second != url) {
    return Fail(KonbiniErrc::kUnavailable,
                "issuer instance '" + instance + "' answers at " + it->second +
                    " and at " + url +
                    ": one server configured as several (refused)");
  }
  return Ok();
}

HttpIssuer::HttpIssuer(std::string municipality_code, std::string url,
                       std::string token,
                       std::shared_ptr<IssuerDirectory> directory)
    : code_(std::move(municipality_code)),
      url_(std::move(url)),
      token_(std::move(token)),
      directory_(std::move(directory)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

Result<std::string> HttpIssuer::Instance(Deadline deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!instance_.empty()) return instance_;
  }
  http::ClientRequest ask;
  ask.url = url_ + std::string(kInfo);
  const auto left = TimeLeft(deadline);
  if (!left) return TooLate(url_);
  ask.timeout = *left;
  OPENMYNA_ASSIGN_OR_RETURN(json info,
                            wire::JsonAnswer(http::Fetch(ask), ask.url));
  const std::string code = info.value("municipality", std::string());
  const std::string instance = info.value("instance", std::string());
  if (code != code_ || instance.empty()) {
    return Fail(KonbiniErrc::kUnavailable, url_ + " is an issuer of '" + code +
                                               "', configured for " + code_ +
                                               " (refused)");
  }
  OPENMYNA_RETURN_IF_ERROR(directory_->Claim(instance, url_));
  std::lock_guard lock(mutex_);
  instance_ = instance;
  return instance_;
}

Result<SignedDocument> HttpIssuer::Issue(const IssueRequest& request) {
  OPENMYNA_ASSIGN_OR_RETURN(const std::string instance,
                            Instance(request.answer_by));
  http::ClientRequest call;
  call.method = "POST";
  call.url = url_ + std::string(kIssue);
  call.headers = {{"Content-Type", "application/json"},
                  {"Authorization", "Bearer " + token_}};
  const auto left = TimeLeft(request.answer_by);
  if (!left) return TooLate(url_);
  call.timeout = *left;
  json body = wire::ToJson(request);
  if (request.answer_by != Deadline{}) {
    // The time left, for the issuer's own clock (answer_within_ms).
    body["answer_within_ms"] = left->count();
  }
  call.body = body.dump();
  auto answer = wire::JsonAnswer(http::Fetch(call), call.url);
  if (!answer) {
    if (answer.error().Is(KonbiniErrc::kUnreachable) ||
        answer.error().Is(KonbiniErrc::kTimeout)) {
      std::lock_guard lock(mutex_);
      instance_.clear();  // ask again who answers there
    }
    return Unexpected(std::move(answer).error());
  }
  OPENMYNA_ASSIGN_OR_RETURN(SignedDocument document,
                            wire::SignedDocumentFromJson(*answer));
  if (document.document.issuer_instance != instance ||
      document.document.municipality_code != code_) {
    return Fail(KonbiniErrc::kBinding,
                "the answer at " + url_ + " comes from instance '" +
                    document.document.issuer_instance + "' of " +
                    document.document.municipality_code + ", not '" + instance +
                    "' of " + code_);
  }
  return document;
}

Status HttpIssuer::Post(std::string_view path, const json& body,
                        Deadline deadline) {
  // An issuer of this municipality.
  OPENMYNA_RETURN_IF_ERROR(Instance(deadline));
  http::ClientRequest call;
  call.method = "POST";
  call.url = url_ + std::string(path);
  const auto left = TimeLeft(deadline);
  if (!left) return TooLate(url_);
  call.timeout = *left;
  call.headers = {{"Content-Type", "application/json"},
                  {"Authorization", "Bearer " + token_}};
  call.body = body.dump();
  return wire::NoContentAnswer(http::Fetch(call), call.url);
}

Status HttpIssuer::Void(const VoidRequest& request) {
  return Post(kVoid,
              {{"request_id", request.request_id},
               {"issuer_request_id", request.issuer_request_id},
               {"reason", request.reason}},
              request.answer_by);
}

Status HttpIssuer::Confirm(const PrintConfirmation& printed) {
  return Post(kPrinted,
              {{"request_id", printed.request_id},
               {"issuer_request_id", printed.issuer_request_id}},
              printed.answer_by);
}

}  // namespace openmyna::konbini
