// Files compiled into the binary by the CMake function openmyna_embed_assets
// (templates, message catalogs, CSS), so a service never depends on the
// directory it is started from.
#pragma once

#include <span>
#include <string_view>

namespace openmyna::web {

struct Asset {
  std::string_view name;     // the file name, e.g. "layout.mustache"
  std::string_view content;  // its bytes, as in the source tree
};

// The common layout, error page, style.css and messages.json of src/web.
std::span<const Asset> CommonWebAssets();

// The asset called `name`, or nullptr.
const Asset* FindAsset(std::span<const Asset> assets, std::string_view name);

}  // namespace openmyna::web
