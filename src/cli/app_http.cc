#include "cli/app_http.h"

#include "openmyna/http/client.h"

namespace openmyna::cli {

Result<HttpsAnswer> HttpsRequest(const std::string& url, bool post,
                                 const std::string& body,
                                 const std::string& cacert) {
  http::ClientRequest request{.method = post ? "POST" : "GET",
                              .url = url,
                              .body = body,
                              .trusted_root_pem = cacert};
  if (post) request.headers = {{"Content-Type", "application/json"}};
  OPENMYNA_ASSIGN_OR_RETURN(http::ClientResponse answer, http::Fetch(request));
  return HttpsAnswer{answer.status, std::move(answer.body)};
}

}  // namespace openmyna::cli
