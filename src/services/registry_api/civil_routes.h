// The clerk API of the civil records (issue 11, item 1; registry
// civil_service.h): households, 住民票 items and the support measure,
// family registers with events and the 附票, seal registration. Internal to
// registry_api: registry_api.cc appends these routes to its table, so they
// share authentication, authorisation (permissions.h "civil.*"), problem
// documents and the OpenAPI document.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "openmyna/registry/civil_service.h"
#include "openmyna/services/registry_api.h"

namespace openmyna::services::internal {

using RouteParams = std::map<std::string, std::string>;
using RouteHandler = std::function<Result<nlohmann::json>(
    const registry::Actor&, const RouteParams&, const nlohmann::json&)>;

struct CivilRoute {
  RegistryRoute info;
  RouteHandler handler;
};

// `civil` may be null when only the route table is wanted.
std::vector<CivilRoute> CivilRoutes(registry::CivilService* civil);

}  // namespace openmyna::services::internal
