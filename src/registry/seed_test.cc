#include "openmyna/registry/seed.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "openmyna/domain/individual_number.h"
#include "testing_ports.h"

namespace openmyna::registry {
namespace {

TEST(SeedSampleData, CreatesTheSampleOnceAndIsIdempotent) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("om-seed-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  FixedClock clock(
      std::chrono::sys_days{std::chrono::year{2026} / std::chrono::month{1} /
                            std::chrono::day{5}} +
      std::chrono::hours{1});
  DeterministicRng rng(1);
  testing::RecordingCa ca;
  testing::RecordingCard card;
  auto store = RegistryStore::Open((dir / "r.db").string(), clock);
  ASSERT_TRUE(store);
  RegistryService service(**store, clock, rng, ca, card);
  auto first = SeedSampleData(**store, service, {true});
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->created.size(), 5u);
  EXPECT_FALSE(first->face_auth_card_id.empty());
  auto second = SeedSampleData(**store, service, {true});
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->created.empty());
  EXPECT_EQ(second->residents, first->residents);
  EXPECT_EQ(second->face_auth_card_id, first->face_auth_card_id);

  const Actor clerk{"c", Role::kCounterClerk, "check"};
  bool minor = false, foreign = false, face = false;
  std::vector<std::string> codes;
  for (const std::string& id : first->residents) {
    auto file = service.GetResident(clerk, id);
    ASSERT_TRUE(file);
    const Resident& r = file->resident;
    EXPECT_TRUE(domain::IndividualNumber::Parse(r.individual_number));
    minor |= !r.legal_representative_id.empty();
    foreign |= r.foreign.has_value();
    for (const Card& c : file->cards) face |= c.kind == CardKind::kFaceAuth;
    codes.push_back(r.municipality_code);
  }
  EXPECT_TRUE(minor);
  EXPECT_TRUE(foreign);
  EXPECT_TRUE(face);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "20218"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "13221"), codes.end());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace openmyna::registry
