// The sandbox faces and their comparison. What is expected comes from who
// a picture shows (the person key it was drawn from), never from the
// matcher. The card photo goes through the issuer's real path: the
// portrait PNG scaled to 180 × 240 and encoded as JPEG 2000 by
// card/faces (openjpeg), as DF27 holds it.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "openmyna/card/faces/face_ap_data.h"
#include "openmyna/face/matcher.h"
#include "openmyna/face/portrait.h"

namespace openmyna::face {
namespace {

std::vector<std::string> People() {
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back("resident-" + std::to_string(1000 + 37 * i));
  }
  return keys;
}

Bytes ChipPhoto(const std::string& key) {
  auto png = PortraitPng(key);
  EXPECT_TRUE(png) << png.error();
  auto jp2 = card::faces::FacePhotoJp2(*png);
  EXPECT_TRUE(jp2) << jp2.error();
  return *jp2;
}

TEST(Portrait, DeterministicPerPersonAndDifferentBetweenPeople) {
  auto a1 = PortraitPng("resident-a"), a2 = PortraitPng("resident-a");
  auto b = PortraitPng("resident-b");
  ASSERT_TRUE(a1 && a2 && b);
  EXPECT_EQ(*a1, *a2);
  EXPECT_NE(*a1, *b);
  // PNG signature (ISO/IEC 15948 §5.2).
  ASSERT_GT(a1->size(), 8u);
  EXPECT_EQ((*a1)[1], 'P');
  auto c1 = CameraPng("resident-a", 3), c2 = CameraPng("resident-a", 3);
  auto c3 = CameraPng("resident-a", 4);
  ASSERT_TRUE(c1 && c2 && c3);
  EXPECT_EQ(*c1, *c2);
  EXPECT_NE(*c1, *c3);
  EXPECT_FALSE(PortraitPng(""));
  EXPECT_FALSE(CameraPng("x", -1));
}

// Error rates over 12 drawn people × 3 camera variants, the way a
// biometric comparison is judged: genuine pairs accepted, impostor pairs
// (three other people's cards per picture) refused. docs/insurance.md gives the
// measured figures; the bounds here leave a little room under them.
TEST(Matcher, GenuineAcceptedAndImpostorsRefused) {
  const std::vector<std::string> people = People();
  std::vector<Bytes> chips;
  for (const std::string& key : people) chips.push_back(ChipPhoto(key));
  int genuine = 0, accepted = 0, impostor = 0, false_accepts = 0;
  for (std::size_t j = 0; j < people.size(); ++j) {
    for (int variant = 0; variant < 3; ++variant) {
      auto camera = CameraPng(people[j], variant);
      ASSERT_TRUE(camera);
      // Its own card, and the cards of three others.
      for (std::size_t step : {0u, 1u, 5u, 8u}) {
        const std::size_t i = (j + step) % people.size();
        auto result = CompareFaces(chips[i], *camera);
        ASSERT_TRUE(result) << result.error();
        const bool match = result->outcome == MatchOutcome::kMatch;
        if (i == j) {
          ++genuine;
          accepted += match;
        } else {
          ++impostor;
          false_accepts += match;
        }
      }
    }
  }
  std::printf("genuine %d/%d accepted, impostors %d/%d accepted\n", accepted,
              genuine, false_accepts, impostor);
  EXPECT_GE(accepted * 100, genuine * 80);       // ≥ 80 % genuine accepted
  EXPECT_LE(false_accepts * 100, impostor * 1);  // ≤ 1 % impostors
  EXPECT_GT(accepted, 0);
}

TEST(Matcher, NoFaceInAnEmptyRoomOrOnACardWithoutPhoto) {
  const Bytes chip = ChipPhoto("resident-a");
  for (int variant = 0; variant < 3; ++variant) {
    auto empty = EmptyCameraPng(variant);
    ASSERT_TRUE(empty);
    auto result = CompareFaces(chip, *empty);
    ASSERT_TRUE(result) << result.error();
    EXPECT_EQ(result->outcome, MatchOutcome::kNoFace) << variant;
    EXPECT_EQ(result->detail, "no face in the camera picture");
  }
  // The issuer's silhouette (an infant's card without photo).
  auto silhouette = card::faces::FacePhotoJp2({});
  ASSERT_TRUE(silhouette);
  auto camera = CameraPng("resident-a", 0);
  ASSERT_TRUE(camera);
  auto result = CompareFaces(*silhouette, *camera);
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->outcome, MatchOutcome::kNoFace);
  EXPECT_EQ(result->detail, "no face in the card photo");
}

TEST(Matcher, KnobsForceTheOutcomeWithoutComparing) {
  const Bytes garbage = {1, 2, 3};
  for (auto [mode, want] :
       {std::pair{MatchMode::kForceMatch, MatchOutcome::kMatch},
        std::pair{MatchMode::kForceNoMatch, MatchOutcome::kNoMatch},
        std::pair{MatchMode::kForceNoFace, MatchOutcome::kNoFace}}) {
    MatchOptions options;
    options.mode = mode;
    auto result = CompareFaces(garbage, garbage, options);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, want);
    EXPECT_EQ(result->detail, "forced");
  }
  auto bad = CompareFaces(garbage, garbage);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(FaceErrc::kInvalidImage));
  MatchOptions missing;
  missing.cascade_path = "/nonexistent/cascade.xml";
  auto camera = CameraPng("resident-a", 0);
  ASSERT_TRUE(camera);
  auto unavailable = CompareFaces(ChipPhoto("resident-a"), *camera, missing);
  ASSERT_FALSE(unavailable);
  EXPECT_TRUE(unavailable.error().Is(FaceErrc::kUnavailable));
  EXPECT_TRUE(ParseMatchMode("no-face"));
  EXPECT_FALSE(ParseMatchMode("maybe"));
}

}  // namespace
}  // namespace openmyna::face
