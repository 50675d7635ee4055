#include "cli/app_http.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "openmyna/base/errors.h"
#include "openmyna/http/client.h"

namespace openmyna::cli {

Result<HttpsAnswer> HttpsRequest(const std::string& url, bool post,
                                 const std::string& body,
                                 const std::string& cacert) {
  std::error_code ec;
  if (url.starts_with("https://") &&
      !std::filesystem::is_regular_file(cacert, ec)) {
    return Fail(BaseErrc::kInvalidArgument,
                "no TLS root to trust at " + cacert +
                    ": give --cacert FILE, or the --data DIR of the sandbox "
                    "that serves " +
                    url.substr(0, url.find('/', 8)));
  }
  http::ClientRequest request{.method = post ? "POST" : "GET",
                              .url = url,
                              .body = body,
                              .trusted_root_pem = cacert};
  if (post) request.headers = {{"Content-Type", "application/json"}};
  OPENMYNA_ASSIGN_OR_RETURN(http::ClientResponse answer, http::Fetch(request));
  return HttpsAnswer{answer.status, std::move(answer.body)};
}

std::string DetailOf(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  return doc.is_object() && doc.contains("detail") && doc["detail"].is_string()
             ? doc["detail"].get<std::string>()
             : body;
}

}  // namespace openmyna::cli
