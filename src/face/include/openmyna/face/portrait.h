// Sandbox face pictures (issue 12 item 5): a generated, deterministic
// frontal portrait per person for the card-face AP's photo (DF27), and
// "camera" pictures of the same person at the reader — pose, scale, light
// and noise varied per variant number. They are drawn (OpenCV imgproc), not
// photographs of anyone; the same person key always gives the same face.
// A face's features (head shape, hair line, eyes, brows, nose, mouth, marks)
// come from SHA-256 of the key, so two keys give two different faces.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::face {

enum class FaceErrc {
  kInvalidArgument = 1,  // empty key, negative variant
  kInvalidImage = 2,     // an input picture cannot be decoded
  kUnavailable = 3,      // the detector's model file is missing
};

// The person key of a resident: derived from the individual number, which
// stays the same through changes of name and address (the key is only hashed,
// never shown or logged).
std::string PortraitKey(std::string_view individual_number);

// The card photo: greyscale PNG, 360 × 480 (3:4 like the card's 180 × 240,
// which the issuer scales it to). Fails with kInvalidArgument on an empty
// key.
Result<Bytes> PortraitPng(std::string_view person_key);

// A camera picture of the same person: greyscale PNG, 480 × 640, the face
// moved, turned (±4°), scaled (±8 %), lit from one side and noisy, all
// from `variant` (≥ 0; each variant is reproducible).
Result<Bytes> CameraPng(std::string_view person_key, int variant);

// A camera picture in which nobody faces the camera (background only):
// for the "no face" case.
Result<Bytes> EmptyCameraPng(int variant);

}  // namespace openmyna::face

template <>
struct openmyna::ErrorTraits<openmyna::face::FaceErrc> {
  static constexpr std::string_view kLibrary = "face";
  static std::string_view Name(openmyna::face::FaceErrc code);
};
