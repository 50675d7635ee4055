// The registry's HTTP API (issue 5, item 4): JSON over HTTP/1.1 on the shared
// server module (openmyna/http), wiring only — every rule is in
// registry::RegistryService.
//
// - Authentication: HTTP Basic (RFC 7617) with a credential made by
//   `openmyna init` (registry/credentials.h); missing or wrong -> 401 with
//   WWW-Authenticate.
// - Authorisation: every route names one action of registry/permissions.h;
//   a role without it -> 403.
// - The purpose of an access goes in the `X-Purpose` header and is written to
//   the resident's audit trail.
// - Errors leave as RFC 9457 problem documents: malformed JSON or fields 400,
//   unknown record 404, a rule's refusal or a state conflict 409, oversized
//   body 413 (server), storage or CA failure 500/503.
// - GET /openapi.json (no authentication) describes every route.
// The individual number travels only in request bodies, never in a URL.
#pragma once

#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"

namespace openmyna::services {

struct RegistryRoute {
  std::string method;   // "GET" or "POST"
  std::string pattern;  // "/v1/cards/{id}/suspend"
  std::string action;   // registry/permissions.h action
  std::string summary;
};

// Every route of the API, in the order of the OpenAPI document.
const std::vector<RegistryRoute>& RegistryRoutes();

// The OpenAPI 3.1 document of the routes (JSON text).
std::string RegistryOpenApi();

// Adds the routes to `router`. `store` (credentials) and `service` are
// borrowed and must outlive the router.
Status AddRegistryApi(http::Router& router, registry::RegistryStore& store,
                      registry::RegistryService& service);

}  // namespace openmyna::services
