#include "openmyna/face/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace openmyna::face {
namespace {

constexpr int kFaceSide = 128;       // compared crops are kFaceSide²
constexpr int kDetectWidth = 240;    // detection on at most this width
constexpr double kEyeDistance = 48;  // aligned eyes: this far apart,
constexpr double kEyeLine = 44;      // on this row
constexpr int kSearchMargin = 8;     // the card face may sit ±8 px off
constexpr const char* kEyeCascade = "haarcascade_eye.xml";
constexpr const char* kDebianCascade =
    "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

struct Detectors {
  cv::CascadeClassifier face;
  cv::CascadeClassifier eye;
};

std::string CascadePath(const MatchOptions& options) {
  if (!options.cascade_path.empty()) return options.cascade_path;
  if (const char* env = std::getenv("OPENMYNA_FACE_CASCADE");
      env != nullptr && *env != '\0') {
    return env;
  }
  return kDebianCascade;
}

Result<cv::Mat> Decode(ByteView bytes, std::string_view what) {
  if (bytes.empty()) {
    return Fail(FaceErrc::kInvalidImage, std::string(what) + " is empty");
  }
  std::vector<unsigned char> buffer(bytes.begin(), bytes.end());
  cv::Mat img = cv::imdecode(buffer, cv::IMREAD_GRAYSCALE);
  if (img.empty()) {
    return Fail(FaceErrc::kInvalidImage,
                std::string(what) + " is not a picture OpenCV can read");
  }
  return img;
}

// The largest face, aligned on its eyes when two are found (rotated and
// scaled so that they sit at fixed points, kEyeDistance apart), else the
// detector's box; scaled to kFaceSide², smoothed and equalised. An empty
// Mat when there is no face.
cv::Mat FaceCrop(Detectors& detectors, const cv::Mat& img) {
  // Detection runs on a copy at most kDetectWidth wide (the detector's
  // cost grows with the area); the crop is taken from the full picture.
  const double scale = img.cols > kDetectWidth
                           ? static_cast<double>(kDetectWidth) / img.cols
                           : 1.0;
  cv::Mat small = img;
  if (scale < 1.0) {
    cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  std::vector<cv::Rect> faces;
  const int min_side = std::min(small.cols, small.rows) / 6;
  detectors.face.detectMultiScale(small, faces, 1.1, 3, 0,
                                  cv::Size(min_side, min_side));
  if (faces.empty()) return {};
  const cv::Rect found = *std::max_element(
      faces.begin(), faces.end(),
      [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  const cv::Rect box =
      cv::Rect(cv::Point(static_cast<int>(found.x / scale),
                         static_cast<int>(found.y / scale)),
               cv::Size(static_cast<int>(found.width / scale),
                        static_cast<int>(found.height / scale))) &
      cv::Rect(0, 0, img.cols, img.rows);
  cv::Mat crop;
  // Eyes in the upper 60 % of the face; the two largest, left to right.
  std::vector<cv::Rect> eyes;
  const cv::Mat face = img(box);
  const int eye_min = std::max(8, face.cols / 8);
  detectors.eye.detectMultiScale(
      face(cv::Rect(0, 0, face.cols, face.rows * 6 / 10)), eyes, 1.1, 3, 0,
      cv::Size(eye_min, eye_min));
  if (eyes.size() >= 2) {
    std::sort(eyes.begin(), eyes.end(),
              [](const cv::Rect& a, const cv::Rect& b) {
                return a.area() > b.area();
              });
    cv::Rect left = eyes[0], right = eyes[1];
    if (left.x > right.x) std::swap(left, right);
    auto centre = [&](const cv::Rect& r) {
      return cv::Point2f(box.x + r.x + r.width / 2.0f,
                         box.y + r.y + r.height / 2.0f);
    };
    const cv::Point2f a = centre(left), b = centre(right);
    const double angle = std::atan2(b.y - a.y, b.x - a.x) * 180.0 / CV_PI;
    const double distance = cv::norm(b - a);
    const cv::Point2f mid = (a + b) * 0.5f;
    cv::Mat m = cv::getRotationMatrix2D(mid, angle, kEyeDistance / distance);
    m.at<double>(0, 2) += kFaceSide / 2.0 - mid.x;
    m.at<double>(1, 2) += kEyeLine - mid.y;
    cv::warpAffine(img, crop, m, cv::Size(kFaceSide, kFaceSide),
                   cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  } else {
    cv::resize(face, crop, cv::Size(kFaceSide, kFaceSide), 0, 0,
               cv::INTER_AREA);
  }
  cv::GaussianBlur(crop, crop, cv::Size(5, 5), 2.0);
  cv::equalizeHist(crop, crop);
  return crop;
}

}  // namespace

Result<MatchMode> ParseMatchMode(std::string_view text) {
  if (text == "compare") return MatchMode::kCompare;
  if (text == "match") return MatchMode::kForceMatch;
  if (text == "no-match") return MatchMode::kForceNoMatch;
  if (text == "no-face") return MatchMode::kForceNoFace;
  return Fail(FaceErrc::kInvalidArgument,
              "expected compare, match, no-match or no-face");
}

std::string_view MatchOutcomeName(MatchOutcome outcome) {
  switch (outcome) {
    case MatchOutcome::kMatch:
      return "match";
    case MatchOutcome::kNoMatch:
      return "no-match";
    case MatchOutcome::kNoFace:
      return "no-face";
  }
  return "no-face";
}

Result<MatchResult> CompareFaces(ByteView card_photo, ByteView camera_image,
                                 const MatchOptions& options) {
  MatchResult result;
  result.threshold = options.threshold;
  switch (options.mode) {
    case MatchMode::kForceMatch:
      result.outcome = MatchOutcome::kMatch;
      result.detail = "forced";
      return result;
    case MatchMode::kForceNoMatch:
      result.outcome = MatchOutcome::kNoMatch;
      result.detail = "forced";
      return result;
    case MatchMode::kForceNoFace:
      result.outcome = MatchOutcome::kNoFace;
      result.detail = "forced";
      return result;
    case MatchMode::kCompare:
      break;
  }
  OPENMYNA_ASSIGN_OR_RETURN(cv::Mat card, Decode(card_photo, "the card photo"));
  OPENMYNA_ASSIGN_OR_RETURN(cv::Mat camera,
                            Decode(camera_image, "the camera picture"));
  const std::filesystem::path path = CascadePath(options);
  const std::filesystem::path eye_path = path.parent_path() / kEyeCascade;
  // The cascades are parsed once per path (a few hundred ms each) and
  // shared; detection on one classifier is serialised.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Detectors>> cache;
  std::lock_guard lock(mutex);
  std::unique_ptr<Detectors>& slot = cache[path.string()];
  if (!slot) {
    auto loaded = std::make_unique<Detectors>();
    for (auto [file, detector] :
         {std::pair{path, &loaded->face}, std::pair{eye_path, &loaded->eye}}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec) ||
          !detector->load(file.string())) {
        cache.erase(path.string());
        return Fail(FaceErrc::kUnavailable,
                    "no face detector model at " + file.string() +
                        " (Debian package opencv-data)");
      }
    }
    slot = std::move(loaded);
  }
  Detectors& detectors = *slot;
  cv::Mat card_face = FaceCrop(detectors, card);
  if (card_face.empty()) {
    result.detail = "no face in the card photo";
    return result;
  }
  cv::Mat camera_face = FaceCrop(detectors, camera);
  if (camera_face.empty()) {
    result.detail = "no face in the camera picture";
    return result;
  }
  // Normalised cross-correlation (TM_CCOEFF_NORMED) of the card face's
  // centre slid over the camera face: the best of the ±kSearchMargin
  // placements.
  const cv::Mat centre = card_face(cv::Rect(kSearchMargin, kSearchMargin,
                                            kFaceSide - 2 * kSearchMargin,
                                            kFaceSide - 2 * kSearchMargin));
  cv::Mat scores;
  cv::matchTemplate(camera_face, centre, scores, cv::TM_CCOEFF_NORMED);
  double best = 0;
  cv::minMaxLoc(scores, nullptr, &best);
  result.similarity = best;
  result.outcome =
      best >= options.threshold ? MatchOutcome::kMatch : MatchOutcome::kNoMatch;
  return result;
}

}  // namespace openmyna::face
