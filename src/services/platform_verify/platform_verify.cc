#include "openmyna/services/platform_verify.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/platform_registrations.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::PlatformVerdict;

enum class Mode { kRegistration, kLogin, kReplacement };

// The status taxonomy (platform_verify.h) with c-3lab's error names.
http::Response Problem(int status, std::string_view detail,
                       json extra = json::object()) {
  static const std::map<int, std::pair<const char*, const char*>> kCodes = {
      {400, {"Bad Request", "invalid_request"}},
      {401, {"Unauthorized", "unauthorized"}},
      {403, {"Forbidden", "forbidden"}},
      {404, {"Not Found", "not_found"}},
      {405, {"Method Not Allowed", "invalid_request"}},
      {409, {"Conflict", "conflict"}},
      {410, {"Gone", "gone"}},
      {415, {"Unsupported Media Type", "invalid_request"}},
      {503, {"Service Unavailable", "server_unavailable"}},
  };
  const auto& [title, code] = kCodes.at(status);
  json doc = {{"type", "about:blank"},
              {"title", title},
              {"status", status},
              {"detail", detail},
              {"code", code}};
  doc.update(extra);
  http::Response response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = doc.dump();
  return response;
}

std::string Text(const json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string SerialHex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = bn ? BN_bn2hex(bn) : nullptr;
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

std::string Iso(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

json CertificateJson(const registry::Certificate& c) {
  return {{"serial", c.serial},
          {"type", registry::ToString(c.type)},
          {"notBefore", Iso(c.not_before)},
          {"notAfter", Iso(c.not_after)},
          {"revoked", c.revoked}};
}

// One request's certificate, after every check of pki.
struct Checked {
  pki::X509Ptr cert;
  std::string serial;
};

class PlatformApi {
 public:
  explicit PlatformApi(const PlatformVerifyDeps& deps) : d_(deps) {}

  Status LoadRoots() {
    for (pki::CaKind kind :
         {pki::CaKind::kSignature, pki::CaKind::kAuthentication}) {
      OPENMYNA_ASSIGN_OR_RETURN(roots_[static_cast<int>(kind)],
                                d_.sandbox.Roots(kind));
    }
    return Ok();
  }

  struct Caller {
    std::string id;
    registry::Role role;
  };

  // Authenticates and authorises the request, then answers it with `then`.
  template <typename Then>
  http::Response AsPlatform(const http::Request& request, Then then) {
    auto caller = Authenticate(request);
    if (!caller) {
      return Problem(401,
                     "HTTP Basic credentials of a platform role are "
                     "required")
          .AddHeader("WWW-Authenticate", "Basic realm=\"openmyna-platform\"");
    }
    if (caller->role != registry::Role::kPlatform) {
      return Problem(403, "only a platform credential may call this API");
    }
    return then(*caller);
  }

  http::Response Handle(const http::Request& request, Mode mode,
                        const Caller& caller) {
    if (request.ContentType() != "application/json") {
      return Problem(415, "send application/json");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Problem(400, "the body is not a JSON object");
    }
    const bool login = mode == Mode::kLogin;
    const char* cert_field =
        login ? "certificateForUser" : "certificateForSign";
    const char* data_field = login ? "nonceData" : "applicantData";
    const char* sign_field = login ? "nonceSign" : "sign";
    const std::string data = Text(body, data_field);
    const auto cert_bytes = Base64Decode(Text(body, cert_field));
    const auto signature = Base64Decode(Text(body, sign_field));
    const std::string old_serial = Text(body, "oldSerial");
    if (!cert_bytes || data.empty() || !signature ||
        (mode == Mode::kReplacement && old_serial.empty())) {
      return Problem(
          400, std::string("required: ") + cert_field + ", " + data_field +
                   ", " + sign_field +
                   (mode == Mode::kReplacement ? ", oldSerial" : "") +
                   " (certificate and signature in base64)");
    }
    const pki::CaKind kind =
        login ? pki::CaKind::kAuthentication : pki::CaKind::kSignature;
    Checked checked;
    if (auto refused = Check(*cert_bytes, kind, data, *signature, checked)) {
      return *refused;
    }
    registry::Actor actor{caller.id, caller.role,
                          std::string(request.HeaderValue("X-Purpose"))};
    if (actor.why.empty()) {
      actor.why = std::string("platform verification (") +
                  (mode == Mode::kRegistration ? "registration"
                   : login                     ? "login"
                                               : "replacement") +
                  ")";
    }
    Result<registry::PlatformAnswer> answer =
        mode == Mode::kRegistration
            ? registry::PlatformRegister(d_.store, d_.clock, d_.rng, actor,
                                         checked.serial)
        : login ? registry::PlatformLogin(d_.store, d_.clock, d_.rng, actor,
                                          checked.serial)
                : registry::PlatformReplace(d_.store, d_.clock, d_.rng, actor,
                                            old_serial, checked.serial);
    if (!answer) return RegistryProblem(answer.error());
    return Answer(*answer, body);
  }

  http::Response Successor(const http::Request& request, const Caller& caller) {
    const std::string_view prefix = "/verify/successor/";
    const std::string serial(request.path.substr(prefix.size()));
    if (serial.empty() || serial.find('/') != std::string::npos) {
      return Problem(400, "GET /verify/successor/{serial}");
    }
    registry::Actor actor{caller.id, caller.role,
                          std::string(request.HeaderValue("X-Purpose"))};
    if (actor.why.empty()) actor.why = "platform verification (successor)";
    auto answer =
        registry::PlatformSuccessor(d_.store, d_.clock, d_.rng, actor, serial);
    if (!answer) return RegistryProblem(answer.error());
    if (answer->verdict == PlatformVerdict::kNotRegistered) {
      return Problem(404, answer->detail);
    }
    json out = {{"userId", answer->registration->id},
                {"onFile", CertificateJson(*answer->on_file)}};
    out["onFile"]["reason"] =
        answer->on_file->revoked
            ? json(pki::ReasonName(answer->on_file->reason))
            : json(nullptr);
    out["successor"] = nullptr;
    if (answer->successor) {
      json successor = CertificateJson(*answer->successor);
      auto serial_value = pki::Serial::FromHex(answer->successor->serial);
      if (serial_value) {
        auto record = d_.ca_store.Find(*serial_value);
        if (!record) return Problem(503, record.error().message());
        if (*record) {
          successor["certificate"] = Base64Encode((*record)->der);
        }
      }
      out["successor"] = successor;
    }
    http::Response response;
    response.content_type = "application/json";
    response.body = out.dump();
    return response;
  }

 private:
  // HTTP Basic (RFC 7617) against the registry's credentials; a verified
  // secret is remembered by its SHA-256 so that PBKDF2 (600,000
  // iterations) runs once per credential, not per request.
  std::optional<Caller> Authenticate(const http::Request& request) {
    const std::string_view header = request.HeaderValue("Authorization");
    if (!header.starts_with("Basic ")) return std::nullopt;
    const auto decoded = Base64Decode(header.substr(6));
    if (!decoded) return std::nullopt;
    const std::string text(decoded->begin(), decoded->end());
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string id = text.substr(0, colon);
    const std::string secret = text.substr(colon + 1);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
           digest);
    const std::string key = id + ":" + ToHex(ByteView(digest, sizeof digest));
    {
      std::lock_guard lock(mutex_);
      if (auto it = verified_.find(key); it != verified_.end()) {
        return Caller{id, it->second};
      }
    }
    auto role = registry::VerifyCredential(d_.store, id, secret);
    if (!role || !role->has_value()) return std::nullopt;
    std::lock_guard lock(mutex_);
    verified_[key] = **role;
    return Caller{id, **role};
  }

  // Chain to the sandbox root of `kind` (by key identifier), validity now,
  // the card's signature over SHA-256(data), and the CA's own record of
  // revocation. The response to send when refused, else nullopt.
  std::optional<http::Response> Check(const Bytes& der, pki::CaKind kind,
                                      const std::string& data,
                                      const Bytes& signature, Checked& out) {
    auto cert = pki::ParseCertificate(der);
    if (!cert) return Problem(400, "the certificate cannot be read");
    out.cert = std::move(*cert);
    X509* x = out.cert.get();
    const auto other = kind == pki::CaKind::kSignature
                           ? pki::CaKind::kAuthentication
                           : pki::CaKind::kSignature;
    pki::VerifyOptions options;
    options.at = d_.clock.Now();
    auto verdict = pki::VerifyCertificate(x, Roots(kind), options);
    if (verdict.rule == pki::VerifyRule::kIssuerNotFound &&
        pki::VerifyCertificate(x, Roots(other), options).rule !=
            pki::VerifyRule::kIssuerNotFound) {
      return Problem(400, kind == pki::CaKind::kSignature
                              ? "this call takes the signature certificate "
                                "(署名用電子証明書)"
                              : "login takes the authentication certificate "
                                "(利用者証明用電子証明書)");
    }
    if (!verdict.good) {
      return Problem(
          401, "certificate not valid: " +
                   std::string(pki::VerifyRuleName(verdict.rule)) +
                   (verdict.detail.empty() ? "" : " (" + verdict.detail + ")"));
    }
    pki::EvpPkeyPtr key(X509_get_pubkey(x));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!key || !ctx ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                             key.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                         reinterpret_cast<const unsigned char*>(data.data()),
                         data.size()) != 1) {
      return Problem(401,
                     "the signature does not verify with the certificate's "
                     "key (RSA PKCS#1 v1.5, SHA-256 of the data)");
    }
    out.serial = SerialHex(x);
    auto serial = pki::Serial::FromHex(out.serial);
    if (!serial) return Problem(400, serial.error().message());
    auto status = d_.ca_store.StatusOf(kind, *serial);
    if (!status)
      return Problem(503, "the CA's store: " + status.error().message());
    if (status->kind == pki::CertificateStatus::Kind::kRevoked) {
      return Problem(401,
                     "the certificate is revoked (" +
                         std::string(pki::ReasonName(status->reason)) + ")",
                     {{"revocationReason", pki::ReasonName(status->reason)}});
    }
    if (status->kind != pki::CertificateStatus::Kind::kGood) {
      return Problem(401, "the CA did not issue this certificate");
    }
    return std::nullopt;
  }

  std::vector<X509*> Roots(pki::CaKind kind) const {
    std::vector<X509*> out;
    for (const auto& root : roots_[static_cast<int>(kind)]) {
      out.push_back(root.get());
    }
    return out;
  }

  static http::Response RegistryProblem(const Error& error) {
    if (error.Is(registry::RegistryErrc::kInvalidInput)) {
      return Problem(400, error.message());
    }
    if (error.Is(registry::RegistryErrc::kNotFound)) {
      // The CA issued it, but not to a resident of the registry.
      return Problem(401, error.message());
    }
    if (error.Is(registry::RegistryErrc::kRefused)) {
      return Problem(403, error.message());
    }
    return Problem(503, "the registry is unavailable: " + error.message());
  }

  http::Response Answer(const registry::PlatformAnswer& a, const json& body) {
    switch (a.verdict) {
      case PlatformVerdict::kOk:
        break;
      case PlatformVerdict::kNotRegistered:
        return Problem(404, a.detail);
      case PlatformVerdict::kAlreadyRegistered:
        return Problem(409, a.detail, {{"userId", a.registration->id}});
      case PlatformVerdict::kSignatureRevoked: {
        json extra = {{"userId", a.registration->id},
                      {"onFile", CertificateJson(*a.on_file)}};
        extra["successor"] =
            a.successor ? CertificateJson(*a.successor) : json(nullptr);
        return Problem(410, a.detail, extra);
      }
      case PlatformVerdict::kCertificateMismatch:
        return Problem(401, a.detail);
      case PlatformVerdict::kCertificateNotGood:
        return Problem(401, a.detail);
    }
    const registry::Resident& r = a.holder.resident;
    json out = {{"status", "SUCCESS"},
                {"userId", a.registration->id},
                {"certificate", CertificateJson(a.holder.certificate)},
                {"identityInfo",
                 {{"name", r.name},
                  {"dateOfBirth", r.date_of_birth},
                  {"gender", std::to_string(static_cast<int>(r.sex))},
                  {"address", r.address}}}};
    if (auto info = body.find("requestInfo");
        info != body.end() && info->is_object()) {
      out["responseInfo"] = {
          {"transactionId", info->value("transactionId", "")},
          {"recipient", info->value("sender", "")},
          {"sender", "JPKI"},
          {"ts", Iso(d_.clock.Now())}};
    }
    http::Response response;
    response.content_type = "application/json";
    response.body = out.dump();
    return response;
  }

  PlatformVerifyDeps d_;
  std::vector<pki::X509Ptr> roots_[2];
  std::mutex mutex_;
  std::map<std::string, registry::Role> verified_;
};

}  // namespace

Status AddPlatformVerifyApi(http::Router& router,
                            const PlatformVerifyDeps& deps) {
  auto api = std::make_shared<PlatformApi>(deps);
  OPENMYNA_RETURN_IF_ERROR(api->LoadRoots());
  for (const auto& [path, mode] :
       {std::pair{"/verify/registration", Mode::kRegistration},
        std::pair{"/verify/login", Mode::kLogin},
        std::pair{"/verify/replacement", Mode::kReplacement}}) {
    const Mode m = mode;
    OPENMYNA_RETURN_IF_ERROR(
        router.Add("POST", path, [api, m](const http::Request& r) {
          return api->AsPlatform(r, [&](const PlatformApi::Caller& c) {
            return api->Handle(r, m, c);
          });
        }));
  }
  return router.Add(
      "GET", "/verify/successor/*", [api](const http::Request& r) {
        return api->AsPlatform(r, [&](const PlatformApi::Caller& c) {
          return api->Successor(r, c);
        });
      });
}

}  // namespace openmyna::services
