// Drawn faces: see portrait.h. The proportions follow the usual drawing
// canon (eyes half-way down the head, nose a third of the face, mouth a
// third below it) so that a frontal face detector finds them; every
// feature's size and place is picked from SHA-256 of the person key.
#include "openmyna/face/portrait.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

namespace openmyna::face {
namespace {

constexpr int kPortraitWidth = 360, kPortraitHeight = 480;
constexpr int kCameraWidth = 480, kCameraHeight = 640;

// 32 + 32 bytes of SHA-256(key ‖ "/" ‖ label), read as numbers in ranges.
class Dice {
 public:
  Dice(std::string_view key, std::string_view label) {
    for (int block = 0; block < 2; ++block) {
      std::string input(key);
      input += "/";
      input += label;
      input += static_cast<char>('0' + block);
      unsigned int size = 0;
      EVP_Digest(input.data(), input.size(), bytes_.data() + 32 * block, &size,
                 EVP_sha256(), nullptr);
    }
  }
  // A value in [lo, hi] from the next byte.
  double Range(double lo, double hi) {
    const double unit = bytes_[next_++ % bytes_.size()] / 255.0;
    return lo + (hi - lo) * unit;
  }
  int Int(int lo, int hi) {
    return static_cast<int>(std::lround(Range(lo, hi)));
  }

 private:
  std::array<unsigned char, 64> bytes_{};
  std::size_t next_ = 0;
};

cv::Scalar Grey(double v) { return cv::Scalar(std::clamp(v, 0.0, 255.0)); }

void DrawFace(cv::Mat& img, std::string_view key) {
  Dice d(key, "face");
  const cv::Point c(kPortraitWidth / 2, kPortraitHeight / 2 + 20);
  const int fw = d.Int(84, 104), fh = d.Int(112, 134);
  const double skin = d.Range(165, 205);
  const double hair = d.Range(20, 80);
  // Background and shoulders.
  img.setTo(Grey(d.Range(215, 240)));
  cv::ellipse(img, cv::Point(c.x, kPortraitHeight + 40),
              cv::Size(d.Int(150, 180), 150), 0, 180, 360,
              Grey(d.Range(40, 110)), cv::FILLED, cv::LINE_AA);
  cv::rectangle(img, cv::Rect(c.x - 32, c.y + fh - 40, 64, 80), Grey(skin - 25),
                cv::FILLED);
  // Hair behind the head, then ears and the face.
  const int volume = d.Int(6, 30);
  cv::ellipse(img, cv::Point(c.x, c.y - d.Int(10, 30)),
              cv::Size(fw + volume, fh + d.Int(0, 20)), 0, 0, 360, Grey(hair),
              cv::FILLED, cv::LINE_AA);
  for (int side : {-1, 1}) {
    cv::ellipse(img, cv::Point(c.x + side * fw, c.y - 5),
                cv::Size(12, d.Int(18, 26)), 0, 0, 360, Grey(skin - 15),
                cv::FILLED, cv::LINE_AA);
  }
  const int style = d.Int(0, 3);  // 0 short, 1 long, 2 bob, 3 cropped
  if (style == 1 || style == 2) {
    const int length = style == 1 ? d.Int(150, 200) : d.Int(70, 100);
    cv::rectangle(
        img, cv::Rect(c.x - fw - volume, c.y - 40, 2 * (fw + volume), length),
        Grey(hair), cv::FILLED);
  }
  cv::ellipse(img, c, cv::Size(fw, fh), 0, 0, 360, Grey(skin), cv::FILLED,
              cv::LINE_AA);
  // Fringe: a band of hair over the forehead, its line per person.
  const int fringe = style == 3 ? d.Int(15, 30) : d.Int(40, 90);
  const int part = d.Int(-40, 40);
  std::vector<cv::Point> band = {
      {c.x - fw - 6, c.y - fh + 10},
      {c.x + part, c.y - fh - 20},
      {c.x + fw + 6, c.y - fh + 10},
      {c.x + fw + 2, c.y - fh + fringe - d.Int(0, 25)},
      {c.x + part, c.y - fh + fringe - d.Int(0, 30)},
      {c.x - fw - 2, c.y - fh + fringe - d.Int(0, 25)}};
  cv::fillConvexPoly(img, band, Grey(hair), cv::LINE_AA);
  // Eyes, their sockets (shade) and brows.
  const int eye_y = c.y - d.Int(12, 30);
  const int gap = d.Int(32, 46);
  const cv::Size eye(d.Int(13, 20), d.Int(6, 10));
  const int iris = d.Int(5, 8);
  const int brow_gap = d.Int(14, 24), brow_w = d.Int(3, 7);
  const double tilt = d.Range(-12, 12);
  for (int side : {-1, 1}) {
    const cv::Point e(c.x + side * gap, eye_y);
    cv::ellipse(img, e, cv::Size(eye.width + 8, eye.height + 8), 0, 0, 360,
                Grey(skin - 60), cv::FILLED, cv::LINE_AA);
    cv::ellipse(img, e, eye, 0, 0, 360, Grey(skin + 5), cv::FILLED,
                cv::LINE_AA);
    cv::circle(img, e, iris, Grey(25), cv::FILLED, cv::LINE_AA);
    cv::ellipse(img, cv::Point(e.x, e.y - brow_gap), cv::Size(eye.width + 6, 5),
                side * tilt, 180, 360, Grey(hair), brow_w, cv::LINE_AA);
  }
  if (d.Int(0, 2) == 9) {  // glasses
    const int frame = d.Int(2, 5);
    for (int side : {-1, 1}) {
      cv::rectangle(
          img,
          cv::Rect(c.x + side * gap - eye.width - 8, eye_y - eye.height - 8,
                   2 * eye.width + 16, 2 * eye.height + 16),
          Grey(30), frame, cv::LINE_AA);
    }
    cv::line(img, cv::Point(c.x - gap + eye.width + 8, eye_y),
             cv::Point(c.x + gap - eye.width - 8, eye_y), Grey(30), frame,
             cv::LINE_AA);
  }
  // Nose: a bridge light line and the shaded base.
  const int nose_len = d.Int(30, 48), nose_w = d.Int(9, 18);
  cv::line(img, cv::Point(c.x, eye_y), cv::Point(c.x, eye_y + nose_len),
           Grey(skin + 12), 6, cv::LINE_AA);
  cv::ellipse(img, cv::Point(c.x, eye_y + nose_len), cv::Size(nose_w, 6), 0, 0,
              180, Grey(skin - 60), 3, cv::LINE_AA);
  // Mouth.
  const int mouth_y = eye_y + nose_len + d.Int(20, 34);
  const int mouth_w = d.Int(22, 40);
  const int smile = d.Int(-6, 10);
  cv::ellipse(img, cv::Point(c.x, mouth_y),
              cv::Size(mouth_w, std::abs(smile) + 3), 0, smile >= 0 ? 0 : 180,
              smile >= 0 ? 180 : 360, Grey(skin - 95), d.Int(3, 6),
              cv::LINE_AA);
  // Marks (moles) and, for some, a beard shade.
  for (int i = d.Int(0, 3); i > 0; --i) {
    cv::circle(
        img,
        cv::Point(c.x + d.Int(-fw + 20, fw - 20), c.y + d.Int(-20, fh - 30)),
        d.Int(2, 4), Grey(skin - 90), cv::FILLED, cv::LINE_AA);
  }
  if (d.Int(0, 3) == 0) {
    cv::ellipse(img, cv::Point(c.x, mouth_y + 10), cv::Size(fw - 15, fh / 3), 0,
                0, 180, Grey(skin - 35), cv::FILLED, cv::LINE_AA);
    cv::ellipse(img, cv::Point(c.x, mouth_y), cv::Size(mouth_w, 4), 0, 0, 180,
                Grey(skin - 100), 4, cv::LINE_AA);
  }
  // A photo is never perfectly sharp.
  cv::GaussianBlur(img, img, cv::Size(5, 5), 1.2);
}

Result<Bytes> Png(const cv::Mat& img) {
  std::vector<unsigned char> out;
  if (!cv::imencode(".png", img, out)) {
    return Fail(FaceErrc::kInvalidImage, "PNG encoding failed");
  }
  return Bytes(out.begin(), out.end());
}

// Light from one side, gamma, sensor noise, slight defocus.
void CameraLook(cv::Mat& img, Dice& d) {
  cv::Mat f;
  img.convertTo(f, CV_32F);
  const double left = d.Range(0.7, 1.15), right = d.Range(0.7, 1.15);
  for (int x = 0; x < f.cols; ++x) {
    const double gain = left + (right - left) * x / (f.cols - 1);
    f.col(x) *= gain;
  }
  f += d.Range(-20, 20);
  cv::Mat noise(f.size(), CV_32F);
  cv::RNG rng(static_cast<std::uint64_t>(d.Int(1, 255)) * 7919u +
              static_cast<std::uint64_t>(d.Int(0, 255)));
  rng.fill(noise, cv::RNG::NORMAL, 0.0, d.Range(3.0, 8.0));
  f += noise;
  f.convertTo(img, CV_8U);
  const int k = d.Int(0, 1) * 2 + 3;
  cv::GaussianBlur(img, img, cv::Size(k, k), d.Range(0.5, 1.3));
}

}  // namespace

std::string PortraitKey(std::string_view individual_number) {
  return "resident/" + std::string(individual_number);
}

Result<Bytes> PortraitPng(std::string_view person_key) {
  if (person_key.empty()) {
    return Fail(FaceErrc::kInvalidArgument, "empty person key");
  }
  cv::Mat img(kPortraitHeight, kPortraitWidth, CV_8UC1);
  DrawFace(img, person_key);
  return Png(img);
}

Result<Bytes> CameraPng(std::string_view person_key, int variant) {
  if (person_key.empty() || variant < 0) {
    return Fail(FaceErrc::kInvalidArgument,
                "a person key and a variant ≥ 0 are needed");
  }
  cv::Mat portrait(kPortraitHeight, kPortraitWidth, CV_8UC1);
  DrawFace(portrait, person_key);
  Dice d(person_key, "camera" + std::to_string(variant));
  // Turned, scaled and moved into the camera's frame; the background the
  // portrait does not cover is the room (the portrait's edge, replicated).
  const double angle = d.Range(-4, 4), scale = d.Range(0.92, 1.08);
  cv::Mat m = cv::getRotationMatrix2D(
      cv::Point2f(kPortraitWidth / 2.0f, kPortraitHeight / 2.0f), angle, scale);
  m.at<double>(0, 2) +=
      (kCameraWidth - kPortraitWidth) / 2.0 + d.Range(-30, 30);
  m.at<double>(1, 2) +=
      (kCameraHeight - kPortraitHeight) / 2.0 + d.Range(-30, 30);
  cv::Mat img;
  cv::warpAffine(portrait, img, m, cv::Size(kCameraWidth, kCameraHeight),
                 cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  CameraLook(img, d);
  return Png(img);
}

Result<Bytes> EmptyCameraPng(int variant) {
  if (variant < 0) {
    return Fail(FaceErrc::kInvalidArgument, "variant must be ≥ 0");
  }
  Dice d("empty room", "camera" + std::to_string(variant));
  cv::Mat img(kCameraHeight, kCameraWidth, CV_8UC1, Grey(d.Range(180, 230)));
  for (int i = 0; i < 4; ++i) {
    cv::rectangle(
        img,
        cv::Rect(d.Int(0, 400), d.Int(0, 560), d.Int(40, 200), d.Int(40, 200)),
        Grey(d.Range(60, 200)), cv::FILLED);
  }
  CameraLook(img, d);
  return Png(img);
}

}  // namespace openmyna::face
