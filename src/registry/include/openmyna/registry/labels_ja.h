// Japanese labels of registry values as printed on certificates and notices.
#pragma once

#include <string_view>

#include "openmyna/registry/model.h"

namespace openmyna::registry {

// 性別: "男", "女", or "" when unknown (jpki.md §13 row 9).
std::string_view SexKanji(Sex sex);

}  // namespace openmyna::registry
