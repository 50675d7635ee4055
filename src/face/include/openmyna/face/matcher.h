// The reader's face comparison (issue 12 item 5; docs/insurance.md "The
// face-recognition reader"). A documented SANDBOX comparison, not
// biometrics: it finds the largest frontal face in each picture with
// OpenCV's Viola–Jones detectors (the Haar cascades for faces and eyes that
// Debian's opencv-data ships), aligns it on its eyes, smooths and equalises
// it, and scores the two faces by normalised cross-correlation
// (cv::matchTemplate, TM_CCOEFF_NORMED) over small shifts. It tells the
// sandbox's drawn faces apart (portrait.h) with the error rates
// docs/insurance.md gives; it says nothing about real people.
#pragma once

#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/face/portrait.h"

namespace openmyna::face {

// The knobs: compare for real, or force an outcome (for tests of the
// screens that follow: the comparison is then not run).
enum class MatchMode { kCompare, kForceMatch, kForceNoMatch, kForceNoFace };

// "compare" | "match" | "no-match" | "no-face"; kInvalidArgument otherwise.
Result<MatchMode> ParseMatchMode(std::string_view text);

struct MatchOptions {
  MatchMode mode = MatchMode::kCompare;
  // Correlation (−1…1) at or over which the faces match; set from the
  // sandbox faces (docs/insurance.md gives the measured spread).
  double threshold = kDefaultThreshold;
  // The face cascade file; "" = OPENMYNA_FACE_CASCADE or Debian's
  // /usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml.
  // The eye cascade haarcascade_eye.xml is taken from the same folder.
  std::string cascade_path;
  static constexpr double kDefaultThreshold = 0.71;
};

enum class MatchOutcome { kMatch, kNoMatch, kNoFace };
std::string_view MatchOutcomeName(
    MatchOutcome outcome);  // match|no-match|no-face

struct MatchResult {
  MatchOutcome outcome = MatchOutcome::kNoFace;
  double similarity = -2;  // the correlation; -2 when not compared
  double threshold = 0;
  std::string detail;  // which picture had no face, or "forced"
};

// Compares the card's photo (JP2 as read from DF27, or PNG) with the
// camera's picture (PNG or JPEG). kInvalidImage when a picture cannot be
// decoded, kUnavailable when the cascade file is missing.
Result<MatchResult> CompareFaces(ByteView card_photo, ByteView camera_image,
                                 const MatchOptions& options = {});

}  // namespace openmyna::face
