#include "openmyna/face/portrait.h"

namespace openmyna {

std::string_view ErrorTraits<face::FaceErrc>::Name(face::FaceErrc code) {
  switch (code) {
    case face::FaceErrc::kInvalidArgument:
      return "invalid_argument";
    case face::FaceErrc::kInvalidImage:
      return "invalid_image";
    case face::FaceErrc::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace openmyna
