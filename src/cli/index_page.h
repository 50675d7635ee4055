// `GET /` of `openmyna serve`: the base URL `openmyna up` prints, opened in a
// browser, lists the people's pages of the services running (Japanese first,
// with English), instead of the router's problem+json 404.
#pragma once

#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"

namespace openmyna::cli {

// Adds GET / listing the pages of `services` (serve's service names) that
// have some; the links are paths, so they work on HTTP and HTTPS alike.
Status AddIndexPage(http::Router& router,
                    const std::vector<std::string>& services);

}  // namespace openmyna::cli
