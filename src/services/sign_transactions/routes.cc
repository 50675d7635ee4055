// The HTTP side of sign_transactions.h: wiring only. Errors are RFC 9457
// problem documents; a missing or unknown token is 401 with
// WWW-Authenticate (RFC 6750 §3).
#include <memory>
#include <nlohmann/json.hpp>

#include "openmyna/base/base64.h"
#include "openmyna/http/message.h"
#include "openmyna/services/sign_transactions.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using Errc = SignTransactionErrc;

constexpr std::string_view kPrefix = "/api/sign-transactions/";
constexpr std::string_view kResult = "/result";

http::Response ProblemFor(const Error& e) {
  if (e.Is(Errc::kInvalid)) {
    return http::Problem(400, "Bad Request", e.message());
  }
  if (e.Is(Errc::kNotFound))
    return http::Problem(404, "Not Found", e.message());
  if (e.Is(Errc::kNotReady)) return http::Problem(409, "Conflict", e.message());
  if (e.Is(Errc::kGone)) return http::Problem(410, "Gone", e.message());
  if (e.Is(Errc::kRefused)) {
    return http::Problem(403, "Forbidden", e.message());
  }
  return http::Problem(500, "Internal Server Error", e.message());
}

struct Routes {
  SignTransactions& transactions;
  BearerCheck bearer;
  EncryptForClient encrypt;

  std::optional<std::string> Client(const http::Request& request) const {
    const std::string_view auth = request.HeaderValue("Authorization");
    if (auth.size() < 8 ||
        (!auth.starts_with("Bearer ") && !auth.starts_with("bearer "))) {
      return std::nullopt;
    }
    return bearer(auth.substr(7));
  }

  static http::Response NeedToken() {
    http::Response r = http::Problem(
        401, "Unauthorized",
        "a client-credentials access token is required (grant_type="
        "client_credentials at the token endpoint), unknown or expired");
    r.AddHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
  }

  http::Response Create(const http::Request& request) {
    auto client = Client(request);
    if (!client) return NeedToken();
    if (request.ContentType() != "application/json") {
      return http::Problem(415, "Unsupported Media Type",
                           "the body must be application/json");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
      return http::Problem(400, "Bad Request", "the body is not a JSON object");
    }
    const bool has_hash = body.contains("hash");
    const bool has_digest_info = body.contains("digest_info");
    if (has_hash == has_digest_info) {
      return http::Problem(400, "Bad Request",
                           "give exactly one of \"hash\" (base64 of the "
                           "SHA-256 of the document) and \"digest_info\" "
                           "(base64 of its DER DigestInfo)");
    }
    const char* field = has_hash ? "hash" : "digest_info";
    const json& value = body[field];
    auto bytes = value.is_string() ? Base64Decode(value.get<std::string>())
                                   : std::nullopt;
    if (!bytes) {
      return http::Problem(
          400, "Bad Request",
          std::string("\"") + field + "\" must be a base64 string");
    }
    if (has_hash && bytes->size() != 32) {
      return http::Problem(400, "Bad Request",
                           "\"hash\" must be a SHA-256 hash (32 bytes); got " +
                               std::to_string(bytes->size()) + " bytes");
    }
    auto t = transactions.Create(*client, *bytes);
    if (!t) return ProblemFor(t.error());
    http::Response r;
    r.status = 201;
    r.content_type = "application/json";
    r.body =
        json{{"sign_transaction_id", t->id},
             {"digest_info", Base64Encode(t->digest_info)},
             {"expires_in", std::chrono::duration_cast<std::chrono::seconds>(
                                t->expires_at - t->created_at)
                                .count()}}
            .dump();
    r.AddHeader("Location", std::string(kPrefix) + t->id);
    r.AddHeader("Cache-Control", "no-store");
    return r;
  }

  http::Response GetResult(const http::Request& request) {
    std::string_view path = request.path;
    if (!path.starts_with(kPrefix) || !path.ends_with(kResult) ||
        path.size() <= kPrefix.size() + kResult.size()) {
      return http::Problem(404, "Not Found", "no such route");
    }
    const std::string id(path.substr(
        kPrefix.size(), path.size() - kPrefix.size() - kResult.size()));
    auto client = Client(request);
    if (!client) return NeedToken();
    bool sealing_failed = false;
    auto jwe = transactions.TakeResult(
        id, *client, [&](const json& result) -> Result<std::string> {
          auto sealed = encrypt(*client, result.dump());
          sealing_failed = !sealed;
          return sealed;
        });
    if (!jwe && sealing_failed) {
      return http::Problem(500, "Internal Server Error",
                           "the result could not be encrypted to the "
                           "client's key: " +
                               jwe.error().message());
    }
    if (!jwe) return ProblemFor(jwe.error());
    http::Response r;
    r.content_type = "application/jose";
    r.body = *jwe;
    r.AddHeader("Cache-Control", "no-store");
    return r;
  }
};

}  // namespace

Status AddSignTransactionRoutes(http::Router& router,
                                SignTransactions& transactions,
                                BearerCheck bearer, EncryptForClient encrypt) {
  auto routes = std::make_shared<Routes>(
      Routes{transactions, std::move(bearer), std::move(encrypt)});
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", "/api/sign-transactions",
      [routes](const http::Request& r) { return routes->Create(r); }));
  return router.Add(
      "GET", "/api/sign-transactions/*",
      [routes](const http::Request& r) { return routes->GetResult(r); });
}

}  // namespace openmyna::services
