#include "openmyna/web/errors.h"

#include <span>

#include "openmyna/web/assets.h"

std::string_view openmyna::ErrorTraits<openmyna::web::WebErrc>::Name(
    openmyna::web::WebErrc code) {
  using openmyna::web::WebErrc;
  switch (code) {
    case WebErrc::kBadForm:
      return "bad_form";
    case WebErrc::kBadTemplate:
      return "bad_template";
    case WebErrc::kBadCatalog:
      return "bad_catalog";
    case WebErrc::kNoSession:
      return "no_session";
    case WebErrc::kBadCsrf:
      return "bad_csrf";
    case WebErrc::kSessionExpired:
      return "session_expired";
  }
  return "unknown";
}

namespace openmyna::web {

const Asset* FindAsset(std::span<const Asset> assets, std::string_view name) {
  for (const Asset& asset : assets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace openmyna::web
