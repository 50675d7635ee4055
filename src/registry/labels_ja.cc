// Japanese labels (labels_ja.h).
#include "openmyna/registry/labels_ja.h"

namespace openmyna::registry {

std::string_view SexKanji(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "男";
    case Sex::kFemale:
      return "女";
    case Sex::kUnknown:
      break;
  }
  return "";
}

}  // namespace openmyna::registry
