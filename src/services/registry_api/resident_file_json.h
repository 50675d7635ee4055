// (internal) The registry API's body of GET /v1/residents/{id}, written
// straight to text: the same bytes as nlohmann::json's dump() of
// {"applications", "cards", "certificates", "fees", "notices", "resident"}
// (keys in its std::map order, no indentation, UTF-8 unescaped), without
// building the document first (issue 13: the audited read's JSON was the
// largest part of our own code in its profile).
#pragma once

#include <string>

#include "openmyna/registry/service.h"

namespace openmyna::services::internal {

std::string ResidentFileJson(const registry::ResidentFile& file);

}  // namespace openmyna::services::internal
