#include "wire.h"

#include <openssl/crypto.h>

#include "openmyna/base/base64.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini::wire {
namespace {

using nlohmann::json;

std::string B64(std::string_view bytes) {
  return Base64Encode(ByteView(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> FromB64(const json& j, const char* name) {
  const std::string text = j.value(name, std::string());
  if (text.empty()) return std::string();  // no PDF, no seal image
  auto decoded = Base64Decode(text);
  if (!decoded) {
    return Fail(KonbiniErrc::kInvalidInput, std::string(name) + ": base64");
  }
  return ToString(*decoded);
}

template <typename F>
auto Parsing(const char* what, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const json::exception& e) {
    return Fail(KonbiniErrc::kInvalidInput,
                std::string("not a ") + what + ": " + e.what());
  }
}

struct Code {
  KonbiniErrc errc;
  int status;
};
constexpr Code kCodes[] = {
    {KonbiniErrc::kRefused, 409},      {KonbiniErrc::kInvalidInput, 400},
    {KonbiniErrc::kNoSession, 404},    {KonbiniErrc::kTimeout, 504},
    {KonbiniErrc::kBadSignature, 422}, {KonbiniErrc::kBinding, 502},
    {KonbiniErrc::kUnavailable, 503},  {KonbiniErrc::kInternal, 500},
    {KonbiniErrc::kUnreachable, 503},
};

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

json ToJson(const IssueRequest& r) {
  return {{"request_id", r.request_id},
          {"subject", r.subject},
          {"certificate", domain::KonbiniCertificateName(r.certificate)},
          {"whole_household", r.juminhyo.whole_household},
          {"members", r.juminhyo.members},
          {"honseki", r.juminhyo.honseki},
          {"head_and_relationship", r.juminhyo.head_and_relationship},
          {"individual_number", r.juminhyo.individual_number},
          {"copies", r.copies},
          {"fee_yen", r.fee_yen},
          {"print_by", std::chrono::duration_cast<std::chrono::seconds>(
                           r.print_by.time_since_epoch())
                           .count()}};
}

Result<IssueRequest> IssueRequestFromJson(const json& j) {
  return Parsing("request", [&]() -> Result<IssueRequest> {
    IssueRequest r;
    r.request_id = j.at("request_id").get<std::string>();
    r.subject = j.at("subject").get<std::string>();
    auto c =
        domain::ParseKonbiniCertificate(j.at("certificate").get<std::string>());
    if (!c) return Fail(KonbiniErrc::kInvalidInput, "unknown certificate");
    r.certificate = *c;
    r.juminhyo.whole_household = j.value("whole_household", false);
    r.juminhyo.members = j.value("members", std::vector<std::string>{});
    r.juminhyo.honseki = j.value("honseki", false);
    r.juminhyo.head_and_relationship = j.value("head_and_relationship", false);
    r.juminhyo.individual_number = j.value("individual_number", false);
    r.copies = j.value("copies", 1);
    r.fee_yen = j.value("fee_yen", 0);
    r.print_by =
        TimePoint(std::chrono::seconds(j.value("print_by", std::int64_t{0})));
    return r;
  });
}

json ToJson(const SignedDocument& d) {
  return {{"jws", d.jws},
          {"page_codes", d.page_codes},
          {"seal_png", B64(d.seal_png)},
          {"pdf", B64(d.pdf)}};
}

Result<SignedDocument> SignedDocumentFromJson(const json& j) {
  return Parsing("signed document", [&]() -> Result<SignedDocument> {
    SignedDocument d;
    d.jws = j.at("jws").get<std::string>();
    d.page_codes = j.at("page_codes").get<std::vector<std::string>>();
    OPENMYNA_ASSIGN_OR_RETURN(d.seal_png, FromB64(j, "seal_png"));
    OPENMYNA_ASSIGN_OR_RETURN(d.pdf, FromB64(j, "pdf"));
    // The structure is the signed payload (header.payload.signature).
    const auto first = d.jws.find('.');
    const auto second = d.jws.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      return Fail(KonbiniErrc::kInvalidInput, "jws: not a compact JWS");
    }
    auto payload = FromBase64Url(d.jws.substr(first + 1, second - first - 1));
    if (!payload) return Fail(KonbiniErrc::kInvalidInput, "jws: payload");
    auto parsed = json::parse(*payload, nullptr, false);
    if (parsed.is_discarded()) {
      return Fail(KonbiniErrc::kInvalidInput, "jws: payload is not JSON");
    }
    OPENMYNA_ASSIGN_OR_RETURN(d.document, DocumentFromJson(parsed));
    return d;
  });
}

json ToJson(const Authenticated& a) {
  return {{"request_id", a.request_id},
          {"resident_id", a.resident_id},
          {"certificate_serial", a.certificate_serial},
          {"municipality", a.municipality_code}};
}

Result<Authenticated> AuthenticatedFromJson(const json& j) {
  return Parsing("session", [&]() -> Result<Authenticated> {
    return Authenticated{j.at("request_id").get<std::string>(),
                         j.at("resident_id").get<std::string>(),
                         j.at("certificate_serial").get<std::string>(),
                         j.at("municipality").get<std::string>()};
  });
}

http::Response ErrorResponse(const Error& e, int status) {
  const bool chosen = status != 0;
  if (!chosen) status = 500;
  std::string name = "internal";
  for (const Code& c : kCodes) {
    if (e.Is(c.errc)) {
      if (!chosen) status = c.status;
      name = std::string(ErrorTraits<KonbiniErrc>::Name(c.errc));
    }
  }
  http::Response r =
      http::Problem(status, http::ReasonPhrase(status), e.message());
  json body = json::parse(r.body, nullptr, false);
  if (body.is_object()) {
    body["konbini_error"] = name;
    r.body = body.dump();
  }
  return r;
}

http::Response JsonResponse(const json& body, int status) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  return r;
}

http::Response NoContent() {
  http::Response done;
  done.status = 204;
  return done;
}

Status NoContentAnswer(const Result<http::ClientResponse>& answer,
                       const std::string& url) {
  if (answer && answer->status == 204) return Ok();
  auto error = JsonAnswer(answer, url);
  if (error) return Fail(KonbiniErrc::kInternal, url + ": no 204");
  return Unexpected(std::move(error).error());
}

Result<json> JsonBody(const http::Request& request) {
  if (request.ContentType() != "application/json") {
    return Fail(KonbiniErrc::kInvalidInput, "expected application/json");
  }
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(KonbiniErrc::kInvalidInput, "the body is not a JSON object");
  }
  return j;
}

Result<json> JsonAnswer(const Result<http::ClientResponse>& answer,
                        const std::string& url) {
  if (!answer) {
    const std::string& m = answer.error().message();
    if (m.find("refused") != std::string::npos) {
      return Fail(KonbiniErrc::kUnreachable, url + " not reachable: " + m);
    }
    return Fail(KonbiniErrc::kTimeout,
                "時間内に応答がありませんでした。最初からやり直してください "
                "(" +
                    url + " did not answer; nothing was printed: " + m + ")");
  }
  json body = json::parse(answer->body, nullptr, false);
  if (answer->status >= 200 && answer->status < 300) {
    if (body.is_discarded()) {
      return Fail(KonbiniErrc::kInternal, url + ": the answer is not JSON");
    }
    return body;
  }
  std::string detail = "HTTP " + std::to_string(answer->status);
  std::string name;
  if (body.is_object()) {
    detail = body.value("detail", detail);
    name = body.value("konbini_error", std::string());
  }
  for (const Code& c : kCodes) {
    if (name == ErrorTraits<KonbiniErrc>::Name(c.errc)) {
      // A peer's "unreachable" is not ours: it reached us.
      if (c.errc == KonbiniErrc::kUnreachable) break;
      return Fail(c.errc, detail);
    }
  }
  return Fail(KonbiniErrc::kInternal, url + ": " + detail);
}

Result<std::string> LoadSecret(const std::filesystem::path& dir,
                               const std::filesystem::path& file) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string kept,
                            ReadFileText(dir / "konbini" / file));
  return Trimmed(std::move(kept));
}

Result<std::string> LoadOrCreateSecret(const std::filesystem::path& dir,
                                       const std::filesystem::path& file,
                                       const std::string& prefix) {
  const auto path = dir / "konbini" / file;
  std::string secret;
  OPENMYNA_RETURN_IF_ERROR(WithKeyDirLock(dir, [&]() -> Status {
    if (auto kept = ReadFileText(path)) {
      secret = *kept;
      return Ok();
    }
    OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(path.parent_path()));
    OpenSslRng rng;
    secret = prefix + ToHex(rng.Bytes(32));
    return WriteFileAtomically(path, secret);  // 0600
  }));
  return Trimmed(std::move(secret));
}

std::optional<std::string_view> BearerSecret(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return std::nullopt;
  return authorization.substr(kBearer.size());
}

bool SameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace openmyna::konbini::wire
